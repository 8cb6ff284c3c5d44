// The in-tree `kubernetes.io/csi` volume plugin (upstream pkg/volume/csi).
export {
  CSIAttacher,
  isVolumeAttachmentError,
  isVolumeAttachmentTimeoutError,
  VolumeAttachmentError,
  VolumeAttachmentTimeoutError,
} from './attacher.ts';
export {
  blockPublishDir,
  blockStagingPath,
  CSIBlockMapper,
  CSIBlockUnmapper,
  volumeDeviceDataDir,
  volumeDeviceGlobalMapPath,
} from './block.ts';
export {
  csiPluginName,
  csiTimeoutMs,
  podInfoKey,
  volDataFileName,
  volDataKey,
} from './constants.ts';
export { CSINodeExpandError, isCSINodeExpandError, type NodeExpandOptions } from './expander.ts';
export { CSIMounter, CSIUnmounter, supportsFSGroup } from './mounter.ts';
export {
  CSIDriverNotRegisteredError,
  type CSIOperationOptions,
  CSIPlugin,
  type CSIPluginOptions,
  checkVolumeLifecycleMode,
  type DriverPolicy,
  driverPolicy,
  isCSIDriverNotRegisteredError,
  probeVolumePlugins,
} from './plugin.ts';
export { deviceMountPathFor, getAttachmentName, makeVolumeHandle } from './util.ts';
