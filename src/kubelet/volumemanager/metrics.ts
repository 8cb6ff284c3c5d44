// The volume manager's metrics on the process registry, computed on scrape:
// - kubelet_volume_stats_* (upstream pkg/kubelet/metrics/collectors/volume_stats.go): capacity,
//   available and used bytes, inodes, free and used inodes, and health_status_abnormal, labelled
//   namespace + persistentvolumeclaim, for the PVC-backed volumes mounted (or mapped) for the running
//   pods of this node, from each plugin's getMetrics (Mounter / BlockVolume). A measurement can be
//   costly (du on a directory, a CSI NodeGetVolumeStats call), so each volume manager keeps the last
//   figures and measures again at most every `maxAgeMs` (upstream aggregates every minute); concurrent
//   scrapes share one refresh.
// - volume_manager_total_volumes{plugin_name, state} (upstream pkg/kubelet/volumemanager/metrics):
//   the volumes of the desired and the actual state of the world.
//
// Several volume managers may run in one process (tests, several nodes): the gauges are registered
// once and sum up every registered source; a volume manager unregisters when it stops.
import { type Clock, Gauge, getOrCreate, logger, metricsRegistry } from '../../component/index.ts';
import type { Metrics } from '../../volume/index.ts';

const log = logger('volumemanager/metrics');

/** How old cached volume stats may be before a scrape measures again (ms). */
export const defaultVolumeStatsMaxAgeMs = 5_000;

export const VolumeStatsMetric = {
  capacityBytes: 'kubelet_volume_stats_capacity_bytes',
  availableBytes: 'kubelet_volume_stats_available_bytes',
  usedBytes: 'kubelet_volume_stats_used_bytes',
  inodes: 'kubelet_volume_stats_inodes',
  inodesFree: 'kubelet_volume_stats_inodes_free',
  inodesUsed: 'kubelet_volume_stats_inodes_used',
  healthStatusAbnormal: 'kubelet_volume_stats_health_status_abnormal',
} as const;

export const volumeManagerTotalVolumesName = 'volume_manager_total_volumes';

/** One PVC-backed volume to measure. */
export interface VolumeStatSource {
  readonly namespace: string;
  readonly persistentVolumeClaim: string;
  getMetrics(): Promise<Metrics | undefined>;
}

export interface VolumeStat {
  readonly namespace: string;
  readonly persistentVolumeClaim: string;
  readonly metrics: Metrics;
}

/** One volume manager as the gauges see it. */
export interface VolumeMetricsProvider {
  volumeStats(): Promise<VolumeStat[]>;
  /** `plugin_name` -> count, per state. */
  totalVolumes(): { desired: Map<string, number>; actual: Map<string, number> };
}

/** Last measurements, refreshed on demand when older than maxAgeMs. */
export class VolumeStatsCache {
  readonly #list: () => VolumeStatSource[];
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  #at = Number.NEGATIVE_INFINITY;
  #current: Promise<VolumeStat[]> | undefined;

  constructor(opts: { list: () => VolumeStatSource[]; clock: Clock; maxAgeMs?: number }) {
    this.#list = opts.list;
    this.#clock = opts.clock;
    this.#maxAgeMs = opts.maxAgeMs ?? defaultVolumeStatsMaxAgeMs;
  }

  /** The cached figures, measured again first when older than maxAgeMs. Never rejects. */
  snapshot(): Promise<VolumeStat[]> {
    const now = this.#clock.now();
    if (this.#current !== undefined && now - this.#at < this.#maxAgeMs) return this.#current;
    this.#at = now;
    this.#current = this.#measure();
    return this.#current;
  }

  /** Forgets the cached figures (the next snapshot measures). */
  invalidate(): void {
    this.#current = undefined;
  }

  async #measure(): Promise<VolumeStat[]> {
    const sources = this.#list();
    const results = await Promise.all(
      sources.map(async (s): Promise<VolumeStat | undefined> => {
        try {
          const metrics = await s.getMetrics();
          if (metrics === undefined) return undefined;
          return { namespace: s.namespace, persistentVolumeClaim: s.persistentVolumeClaim, metrics };
        } catch (err) {
          log.v(4, 'failed to get volume metrics', {
            pvc: `${s.namespace}/${s.persistentVolumeClaim}`,
            err: err instanceof Error ? err.message : String(err),
          });
          return undefined;
        }
      }),
    );
    return results.filter((r): r is VolumeStat => r !== undefined);
  }
}

const providers = new Set<VolumeMetricsProvider>();

type StatLabels = 'namespace' | 'persistentvolumeclaim';

function statGauge(name: string, help: string, value: (m: Metrics) => number | undefined): void {
  getOrCreate(
    name,
    () =>
      new Gauge<StatLabels>({
        name,
        help,
        labelNames: ['namespace', 'persistentvolumeclaim'],
        registers: [metricsRegistry],
        async collect() {
          this.reset();
          const seen = new Set<string>();
          for (const p of [...providers]) {
            for (const s of await p.volumeStats()) {
              const key = `${s.namespace}/${s.persistentVolumeClaim}`;
              if (seen.has(key)) continue;
              seen.add(key);
              const v = value(s.metrics);
              if (v === undefined || !Number.isFinite(v)) continue;
              this.set({ namespace: s.namespace, persistentvolumeclaim: s.persistentVolumeClaim }, v);
            }
          }
        },
      }),
  );
}

function registerGauges(): void {
  statGauge(VolumeStatsMetric.capacityBytes, 'Capacity in bytes of the volume', (m) => m.capacity);
  statGauge(VolumeStatsMetric.availableBytes, 'Number of available bytes in the volume', (m) => m.available);
  statGauge(VolumeStatsMetric.usedBytes, 'Number of used bytes in the volume', (m) => m.used);
  statGauge(VolumeStatsMetric.inodes, 'Maximum number of inodes in the volume', (m) => m.inodes);
  statGauge(VolumeStatsMetric.inodesFree, 'Number of free inodes in the volume', (m) => m.inodesFree);
  statGauge(VolumeStatsMetric.inodesUsed, 'Number of used inodes in the volume', (m) => m.inodesUsed);
  statGauge(
    VolumeStatsMetric.healthStatusAbnormal,
    'Abnormal volume health status. The count is either 1 or 0. 1 indicates the volume is unhealthy, 0 indicates volume is healthy',
    (m) => (m.abnormal === undefined ? undefined : m.abnormal ? 1 : 0),
  );
  getOrCreate(
    volumeManagerTotalVolumesName,
    () =>
      new Gauge<'plugin_name' | 'state'>({
        name: volumeManagerTotalVolumesName,
        help: 'Number of volumes in Volume Manager',
        labelNames: ['plugin_name', 'state'],
        registers: [metricsRegistry],
        collect() {
          this.reset();
          const sum = new Map<string, { plugin: string; state: string; n: number }>();
          for (const p of [...providers]) {
            const { desired, actual } = p.totalVolumes();
            for (const [state, counts] of [
              ['desired_state_of_world', desired],
              ['actual_state_of_world', actual],
            ] as const) {
              for (const [plugin, n] of counts) {
                const k = `${plugin}\n${state}`;
                const e = sum.get(k) ?? { plugin, state, n: 0 };
                e.n += n;
                sum.set(k, e);
              }
            }
          }
          for (const e of sum.values()) this.set({ plugin_name: e.plugin, state: e.state }, e.n);
        },
      }),
  );
}

/** Makes the provider's volumes show on scrape; returns the unregister function. */
export function registerVolumeMetricsProvider(p: VolumeMetricsProvider): () => void {
  registerGauges();
  providers.add(p);
  return () => providers.delete(p);
}
