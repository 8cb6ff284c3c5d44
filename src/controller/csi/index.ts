// The built-in CSI controller logic (external-provisioner, capacity publishing, external-attacher;
// the resizer and snapshotter live beside them), acting for every registered CSI driver whose
// CSIDriver does not switch it off.
export * from './attacher.ts';
export * from './capabilities.ts';
export * from './capacity.ts';
export * from './common.ts';
export * from './constants.ts';
export * from './options.ts';
export * from './provisioner.ts';
export { CsiResizer, type CsiResizerOptions, mergeResizeConditions, ResizerName } from './resizer.ts';
export {
  CsiSnapshotter,
  type CsiSnapshotterOptions,
  removeSnapshotPrefixedParameters,
  shouldDeleteContent,
  snapshotNameFor,
} from './snapshotter.ts';
export {
  attacherFinalizer,
  getSecretReference,
  removePrefixedParameters,
  sanitizeDriverName,
  toCsiAccessMode,
} from './util.ts';
