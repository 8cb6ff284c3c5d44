// The kubelet's volume manager: desired/actual state caches, populator, reconciler and the VolumeManager
// the pod lifecycle talks to.
export * from './cache/index.ts';
export * from './constants.ts';
export * from './metrics.ts';
export * from './orphans.ts';
export * from './podvolumes.ts';
export * from './populator/index.ts';
export * from './reconciler/index.ts';
export * from './refwatch.ts';
export * from './volumemanager.ts';
