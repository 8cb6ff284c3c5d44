// The storage controllers (persistent volumes, protection, expansion, snapshots and the built-in CSI
// sidecar logic) and the manager that runs them.
export * from './manager.ts';
export {
  HostPathProvisioner,
  PersistentVolumeController,
  type ProvisionerPlugin,
} from './persistentvolume/index.ts';
export * from './protection/index.ts';
