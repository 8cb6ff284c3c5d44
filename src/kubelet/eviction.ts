// emptyDir sizeLimit enforcement (upstream pkg/kubelet/eviction, localStorageEviction's
// emptyDirLimitEviction): every monitoring period the node agent measures the disk-backed emptyDir
// volumes that have a sizeLimit, and a pod whose volume uses more than its limit is evicted — a
// Warning `Evicted` event, then the pod stopped with phase Failed, reason Evicted and the message
// below. Memory-backed emptyDirs are not measured: their tmpfs is sized to the limit.
import type { Pod } from '../api/index.ts';
import { Quantity } from '../api/index.ts';
import { logger } from '../component/index.ts';
import type { VolumeInfo } from './volumemanager/index.ts';

const log = logger('kubelet/eviction');

/** Pod status reason and event reason of an eviction (upstream eviction.Reason). */
export const EvictedReason = 'Evicted';
/** How often local storage is checked (upstream evictionMonitoringPeriod, 10 s). */
export const defaultEvictionMonitoringPeriodMs = 10_000;
/** Pods at or above this priority are never evicted (upstream scheduling.SystemCriticalPriority). */
export const SystemCriticalPriority = 2_000_000_000;
/** Mirror pods (static pods' API objects) are critical too. */
export const ConfigMirrorAnnotationKey = 'kubernetes.io/config.mirror';

/** Upstream emptyDirMessageFmt, `Usage of EmptyDir volume %q exceeds the limit %q. ` (trailing space). */
export function emptyDirLimitMessage(volumeName: string, limit: string): string {
  return `Usage of EmptyDir volume ${JSON.stringify(volumeName)} exceeds the limit ${JSON.stringify(limit)}. `;
}

/** Upstream kubelettypes.IsCriticalPod for pods from the API: mirror pods and system-critical priority. */
export function isCriticalPod(pod: Pod): boolean {
  if (pod.metadata.annotations?.[ConfigMirrorAnnotationKey] !== undefined) return true;
  const p = pod.spec?.priority;
  return p !== undefined && p >= SystemCriticalPriority;
}

/** The pod's disk-backed emptyDir volumes with a positive sizeLimit (volume name -> limit). */
export function sizeLimitedEmptyDirs(pod: Pod): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const v of pod.spec?.volumes ?? []) {
    const ed = v.emptyDir;
    if (ed === undefined || ed.medium === 'Memory' || ed.sizeLimit === undefined) continue;
    const q = Quantity.tryParse(String(ed.sizeLimit));
    if (q !== undefined && q.sign() > 0) out.set(v.name, q);
  }
  return out;
}

/**
 * Measures the pod's size-limited emptyDir volumes that are mounted and returns the eviction message
 * for the first one over its limit, or undefined. A volume that cannot be measured is skipped.
 */
export async function emptyDirLimitViolation(
  pod: Pod,
  mounted: ReadonlyMap<string, VolumeInfo>,
  measureBytes: (path: string) => Promise<number>,
): Promise<string | undefined> {
  for (const [name, limit] of sizeLimitedEmptyDirs(pod)) {
    const path = mounted.get(name)?.mounter?.getPath();
    if (path === undefined) continue;
    let used: number;
    try {
      used = await measureBytes(path);
    } catch (err) {
      log.v(2, 'cannot measure emptyDir usage', { pod: pod.metadata.name, volume: name, err: String(err) });
      continue;
    }
    if (Quantity.fromValue(used, 'BinarySI').cmp(limit) > 0) {
      return emptyDirLimitMessage(name, limit.toString());
    }
  }
  return undefined;
}
