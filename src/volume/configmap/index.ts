// The configMap volume plugin (`kubernetes.io/configmap`).
import type { VolumePlugin } from '../plugins.ts';
import { ConfigMapPlugin } from './configmap.ts';

export { ConfigMapPlugin, configMapPluginName, makeConfigMapPayload } from './configmap.ts';

export function probeVolumePlugins(): VolumePlugin[] {
  return [new ConfigMapPlugin()];
}
