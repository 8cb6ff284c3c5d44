// The downwardAPI volume plugin (`kubernetes.io/downward-api`) and the field extraction projected uses.
import type { VolumePlugin } from '../plugins.ts';
import { DownwardAPIPlugin } from './downwardapi.ts';

export { AggregatedError, isAggregatedError } from './aggregate.ts';
export {
  collectDownwardAPIData,
  DownwardAPIPlugin,
  downwardAPIPluginName,
  nodeAllocatable,
} from './downwardapi.ts';
export {
  extractFieldPathAsString,
  extractResourceValue,
  formatMap,
  goQuote,
  splitMaybeSubscriptedPath,
} from './fieldpath.ts';

export function probeVolumePlugins(): VolumePlugin[] {
  return [new DownwardAPIPlugin()];
}
