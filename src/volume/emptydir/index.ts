// The emptyDir plugin (`kubernetes.io/empty-dir`) and the helpers wrapper plugins and hosts share.
import type { VolumePlugin } from '../plugins.ts';
import { EmptyDirPlugin } from './emptydir.ts';

export {
  calculateEmptyDirMemorySize,
  EmptyDir,
  EmptyDirPlugin,
  emptyDirPath,
  emptyDirPluginName,
  getMountMedium,
  getPageSizeMountOption,
  isHugePageMedium,
  isReady,
  isTmpfsNoswapOptionSupported,
  readyFileName,
  StorageMedium,
  setReady,
  tmpfsMountOptions,
} from './emptydir.ts';
export { isNotExist, metricsDu, pathExists } from './fsutil.ts';
export { podMemoryLimit } from './resources.ts';
export {
  newWrapperMounter,
  newWrapperUnmounter,
  type WrapperMedium,
  wrappedVolumePrefix,
} from './wrapper.ts';

export function probeVolumePlugins(): VolumePlugin[] {
  return [new EmptyDirPlugin()];
}
