// The projected volume plugin (`kubernetes.io/projected`).
import type { VolumePlugin } from '../plugins.ts';
import { ProjectedPlugin } from './projected.ts';

export {
  collectProjectedData,
  isUnsupportedProjectionError,
  ProjectedPlugin,
  projectedPluginName,
  UnsupportedProjectionError,
} from './projected.ts';

export function probeVolumePlugins(): VolumePlugin[] {
  return [new ProjectedPlugin()];
}
