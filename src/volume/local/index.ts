// The local volume plugin (`kubernetes.io/local-volume`), PersistentVolumes only (filesystem and block).
import type { VolumePlugin } from '../plugins.ts';
import { LocalVolumePlugin } from './local.ts';

export {
  blockDeviceSize,
  getMountRefs,
  LocalVolumePlugin,
  localVolumePluginName,
  WarnAlreadyMountedVolume,
} from './local.ts';

export function probeVolumePlugins(): VolumePlugin[] {
  return [new LocalVolumePlugin()];
}
