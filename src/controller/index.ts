// The storage controllers (persistent volumes, protection, and later attach/detach, expansion,
// snapshots and the CSI sidecar logic) and the manager that runs them.
export * from './manager.ts';
export {
  HostPathProvisioner,
  PersistentVolumeController,
  type ProvisionerPlugin,
} from './persistentvolume/index.ts';
export * from './protection/index.ts';
