// The hostPath volume plugin (`kubernetes.io/host-path`), inline and as a PersistentVolume.
import type { VolumePlugin } from '../plugins.ts';
import { HostPathPlugin } from './hostpath.ts';

export { checkType, HostPathPlugin, hostPathPluginName, validatePathNoBacksteps } from './hostpath.ts';

export function probeVolumePlugins(): VolumePlugin[] {
  return [new HostPathPlugin()];
}
