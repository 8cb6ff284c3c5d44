// The persistentvolume controller: binding, provisioning and reclaiming PersistentVolumes
// (pkg/controller/volume/persistentvolume), its provisioner plugin interface, the hostPath test
// provisioner, and the annotation and event-reason constants.
export * from './annotations.ts';
export {
  PersistentVolumeController,
  type PersistentVolumeControllerOptions,
  SyncError,
} from './controller.ts';
export * as PVEvents from './events.ts';
export { HostPathPluginName, HostPathProvisioner, type HostPathProvisionerOptions } from './hostpath.ts';
export * from './plugins.ts';
export {
  accessModesAsString,
  checkAccessModes,
  checkNodeAffinity,
  checkVolumeModeMismatches,
  findBestMatchByScan,
  findMatchingVolume,
  getPersistentVolumeClaimClass,
  getPersistentVolumeClass,
  isVolumeBoundToClaim,
  type MatchOptions,
  VolumeIndex,
} from './volumeindex.ts';
