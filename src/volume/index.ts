// The volume plugin framework and the in-tree plugins.

export {
  ConfigMapPlugin,
  configMapPluginName,
  makeConfigMapPayload,
} from './configmap/index.ts';
export {
  CSIAttacher,
  CSIBlockMapper,
  CSIBlockUnmapper,
  CSIDriverNotRegisteredError,
  CSIMounter,
  CSINodeExpandError,
  type CSIOperationOptions,
  CSIPlugin,
  type CSIPluginOptions,
  CSIUnmounter,
  csiPluginName,
  type DriverPolicy,
  deviceMountPathFor as csiDeviceMountPath,
  getAttachmentName as csiAttachmentName,
  isCSIDriverNotRegisteredError,
  isCSINodeExpandError,
  isVolumeAttachmentError,
  isVolumeAttachmentTimeoutError,
  probeVolumePlugins as probeCSIVolumePlugins,
  VolumeAttachmentError,
  VolumeAttachmentTimeoutError,
} from './csi/index.ts';
export {
  AggregatedError,
  collectDownwardAPIData,
  DownwardAPIPlugin,
  downwardAPIPluginName,
  isAggregatedError,
} from './downwardapi/index.ts';
export {
  calculateEmptyDirMemorySize,
  EmptyDirPlugin,
  emptyDirPluginName,
  metricsDu,
  newWrapperMounter,
  newWrapperUnmounter,
  wrappedVolumePrefix,
} from './emptydir/index.ts';
export {
  DEFAULT_PLUGIN_DIR as FLEX_VOLUME_DEFAULT_PLUGIN_DIR,
  DriverCallError,
  DriverTimeoutError,
  type DynamicPluginProber,
  FlexVolumeAttachablePlugin,
  type FlexVolumeOptions,
  FlexVolumePlugin,
  FlexVolumeProber,
  type FlexVolumeProberOptions,
  isDriverCallError,
  isDriverTimeoutError,
  isFlexVolumePlugin,
  isNotSupportedError,
  NotSupportedError,
  newFlexVolumePlugin,
  type ProbeEvent,
  type ProbeOperation,
  refreshProbedPlugins,
} from './flexvolume/index.ts';
export {
  GitRepoDeprecatedReason,
  GitRepoPlugin,
  type GitRepoPluginOptions,
  gitRepoDisabledMessage,
  gitRepoPluginName,
  isGitRepoDisabledError,
  isGitRepoSetupError,
  isGitRepoValidationError,
} from './gitrepo/index.ts';
export { checkType, HostPathPlugin, hostPathPluginName } from './hostpath/index.ts';
export { LocalVolumePlugin, localVolumePluginName } from './local/index.ts';
export * from './plugins.ts';
export { probeInTreeVolumePlugins } from './probe.ts';
export {
  isUnsupportedProjectionError,
  ProjectedPlugin,
  projectedPluginName,
  UnsupportedProjectionError,
} from './projected/index.ts';
export { makeSecretPayload, SecretPlugin, secretPluginName } from './secret/index.ts';
export {
  AtomicWriter,
  type AtomicWriterOptions,
  type FileProjection,
  InvalidPathError,
  isInvalidPathError,
  validatePath,
} from './util/atomicwriter/index.ts';
export { type FsInfo, fsInfo, measureUsage, type UsageInfo } from './util/fs/index.ts';
export * from './util/mount/index.ts';
export * from './util/operationexecutor/index.ts';
export {
  type FSGroupChangePolicy as OwnershipChangePolicy,
  progressReportDurationMs,
  requiresPermissionChange,
  type SetVolumeOwnershipOptions,
  setVolumeOwnership,
  VolumePermissionChangeInProgress,
} from './util/ownership/index.ts';
export * from './volume.ts';
