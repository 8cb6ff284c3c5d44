// storage_operation_duration_seconds (upstream pkg/volume/util/metrics.go), recorded for every
// operation the executor runs. Shared by every component that runs volume operations.
import { getOrCreate, Histogram, metricsRegistry } from '../../../component/index.ts';
import type { Spec } from '../../volume.ts';

export const storageOperationDurationSecondsName = 'storage_operation_duration_seconds';

type Labels = 'volume_plugin' | 'operation_name' | 'status' | 'migrated';

export function storageOperationMetric(): Histogram<Labels> {
  return getOrCreate(
    storageOperationDurationSecondsName,
    () =>
      new Histogram<Labels>({
        name: storageOperationDurationSecondsName,
        help: 'Storage operation duration',
        labelNames: ['volume_plugin', 'operation_name', 'status', 'migrated'],
        buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 25, 50, 120, 300, 600],
        registers: [metricsRegistry],
      }),
  );
}

/** `kubernetes.io/csi:<driver>` for CSI volumes, the plugin name otherwise (upstream GetFullQualifiedPluginNameForVolume). */
export function fullQualifiedPluginNameForVolume(pluginName: string, spec: Spec | undefined): string {
  const driver = spec?.persistentVolume?.spec?.csi?.driver ?? spec?.volume?.csi?.driver;
  return driver === undefined ? pluginName : `${pluginName}:${driver}`;
}

/** Records one operation's outcome (upstream OperationCompleteHook): status `success` or `fail-unknown`. */
export function observeOperation(
  pluginName: string,
  operationName: string,
  err: unknown,
  durationMs: number,
): void {
  storageOperationMetric().observe(
    {
      volume_plugin: pluginName === '' ? 'N/A' : pluginName,
      operation_name: operationName,
      status: err === undefined ? 'success' : 'fail-unknown',
      migrated: 'false',
    },
    durationMs / 1000,
  );
}
