// Volume usage and health of a CSI volume (upstream pkg/volume/csi/csi_metrics.go and the
// NodeGetVolumeStats part of csi_client.go), feeding kubelet_volume_stats_*.
import type { Metrics } from '../volume.ts';
import { nodeCapability } from './constants.ts';
import type { CSIOperationOptions, CSIPlugin } from './plugin.ts';

/**
 * NodeGetVolumeStats(volume_id, volume_path) when the driver has GET_VOLUME_STATS, else undefined.
 * Bytes and inodes come from the BYTES and INODES usage entries; abnormal/message only when the node
 * also has VOLUME_CONDITION.
 */
export async function csiMetrics(
  plugin: CSIPlugin,
  driver: string,
  volumeID: string,
  volumePath: string,
  opts: CSIOperationOptions = {},
): Promise<Metrics | undefined> {
  const client = plugin.clientFor(driver, 'metrics.GetMetrics failed to get CSI client');
  if (!(await plugin.nodeSupports(driver, client, nodeCapability.getVolumeStats, opts))) return undefined;
  const res = await client.nodeGetVolumeStats(
    { volume_id: volumeID, volume_path: volumePath },
    plugin.callOptions(opts),
  );
  const m: { -readonly [K in keyof Metrics]: Metrics[K] } = { used: 0, capacity: 0, available: 0 };
  for (const u of res.usage) {
    if (u.unit === 'BYTES') {
      m.available = Number(u.available);
      m.capacity = Number(u.total);
      m.used = Number(u.used);
    } else if (u.unit === 'INODES') {
      m.inodesFree = Number(u.available);
      m.inodes = Number(u.total);
      m.inodesUsed = Number(u.used);
    }
  }
  if (await plugin.nodeSupports(driver, client, nodeCapability.volumeCondition, opts)) {
    m.abnormal = res.volume_condition?.abnormal ?? false;
    m.message = res.volume_condition?.message ?? '';
  }
  return m;
}
