// Metrics of the persistentvolume controller (pkg/controller/volume/persistentvolume/metrics): the
// pv_collector_* gauges computed on every scrape from the caches of the running controllers, the
// end-to-end provision/delete latency and error counters, and the retroactive default-class counters.

import type { PersistentVolume, PersistentVolumeClaim } from '../../api/index.ts';
import { Counter, Gauge, getOrCreate, Histogram, metricsRegistry } from '../../component/index.ts';
import { getPersistentVolumeClaimClass, getPersistentVolumeClass } from './volumeindex.ts';

/** What a running controller exposes to the collector. */
export interface VolumeCacheSource {
  volumes(): PersistentVolume[];
  claims(): PersistentVolumeClaim[];
  /** Fully qualified plugin name of a PV (`kubernetes.io/csi:<driver>`, `kubernetes.io/host-path`), or N/A. */
  pluginName(pv: PersistentVolume): string;
}

const sources = new Set<VolumeCacheSource>();

export function registerCacheSource(s: VolumeCacheSource): () => void {
  ensureMetrics();
  sources.add(s);
  return () => sources.delete(s);
}

function countInto<L extends string>(
  g: Gauge<L>,
  rows: Map<string, Record<L, string>>,
  counts: Map<string, number>,
): void {
  g.reset();
  for (const [k, labels] of rows) g.set(labels, counts.get(k) ?? 0);
}

function tally<L extends string>(
  rows: Map<string, Record<L, string>>,
  counts: Map<string, number>,
  labels: Record<L, string>,
): void {
  const k = JSON.stringify(labels);
  rows.set(k, labels);
  counts.set(k, (counts.get(k) ?? 0) + 1);
}

const volumeCounts = { bound: 'pv_collector_bound_pv_count', unbound: 'pv_collector_unbound_pv_count' };
const claimCounts = { bound: 'pv_collector_bound_pvc_count', unbound: 'pv_collector_unbound_pvc_count' };
const totalPVs = 'pv_collector_total_pv_count';

function collectVolumes(phase: 'bound' | 'unbound', g: Gauge<'storage_class'>): void {
  const rows = new Map<string, Record<'storage_class', string>>();
  const counts = new Map<string, number>();
  for (const s of sources) {
    for (const pv of s.volumes()) {
      if ((pv.status?.phase === 'Bound') !== (phase === 'bound')) continue;
      tally(rows, counts, { storage_class: getPersistentVolumeClass(pv) });
    }
  }
  countInto(g, rows, counts);
}

type ClaimLabels = 'namespace' | 'storage_class' | 'volume_attributes_class';

function collectClaims(phase: 'bound' | 'unbound', g: Gauge<ClaimLabels>): void {
  const rows = new Map<string, Record<ClaimLabels, string>>();
  const counts = new Map<string, number>();
  for (const s of sources) {
    for (const c of s.claims()) {
      if ((c.status?.phase === 'Bound') !== (phase === 'bound')) continue;
      tally(rows, counts, {
        namespace: c.metadata.namespace ?? '',
        storage_class: getPersistentVolumeClaimClass(c),
        volume_attributes_class: c.spec?.volumeAttributesClassName ?? '',
      });
    }
  }
  countInto(g, rows, counts);
}

let created = false;

function ensureMetrics(): void {
  if (created) return;
  created = true;
  for (const phase of ['bound', 'unbound'] as const) {
    getOrCreate(
      volumeCounts[phase],
      () =>
        new Gauge({
          name: volumeCounts[phase],
          help: `Gauge measuring number of persistent volume currently ${phase}`,
          labelNames: ['storage_class'],
          registers: [metricsRegistry],
          collect() {
            collectVolumes(phase, this);
          },
        }),
    );
    getOrCreate(
      claimCounts[phase],
      () =>
        new Gauge({
          name: claimCounts[phase],
          help: `Gauge measuring number of persistent volume claim currently ${phase}`,
          labelNames: ['namespace', 'storage_class', 'volume_attributes_class'],
          registers: [metricsRegistry],
          collect() {
            collectClaims(phase, this);
          },
        }),
    );
  }
  getOrCreate(
    totalPVs,
    () =>
      new Gauge({
        name: totalPVs,
        help: 'Gauge measuring total number of persistent volumes',
        labelNames: ['plugin_name', 'volume_mode'],
        registers: [metricsRegistry],
        collect() {
          const rows = new Map<string, Record<'plugin_name' | 'volume_mode', string>>();
          const counts = new Map<string, number>();
          for (const s of sources) {
            for (const pv of s.volumes()) {
              tally(rows, counts, {
                plugin_name: s.pluginName(pv),
                volume_mode: pv.spec?.volumeMode ?? 'Filesystem',
              });
            }
          }
          countInto(this, rows, counts);
        },
      }),
  );
}

/** volume_operation_total_seconds{plugin_name, operation_name}. */
export function operationTotalSeconds(): Histogram<'plugin_name' | 'operation_name'> {
  return getOrCreate(
    'volume_operation_total_seconds',
    () =>
      new Histogram({
        name: 'volume_operation_total_seconds',
        help: 'Storage operation end to end duration in seconds',
        labelNames: ['plugin_name', 'operation_name'],
        buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 25, 50, 120, 300, 600],
        registers: [metricsRegistry],
      }),
  );
}

/** volume_operation_total_errors{plugin_name, operation_name}. */
export function operationTotalErrors(): Counter<'plugin_name' | 'operation_name'> {
  return getOrCreate(
    'volume_operation_total_errors',
    () =>
      new Counter({
        name: 'volume_operation_total_errors',
        help: 'Total volume operation errors',
        labelNames: ['plugin_name', 'operation_name'],
        registers: [metricsRegistry],
      }),
  );
}

/** retroactive_storageclass_total counts successful assignments, retroactive_storageclass_errors_total failed ones. */
export function recordRetroactiveStorageClass(success: boolean): void {
  if (success) {
    getOrCreate(
      'retroactive_storageclass_total',
      () =>
        new Counter({
          name: 'retroactive_storageclass_total',
          help: 'Total number of retroactive StorageClass assignments to persistent volume claim',
          registers: [metricsRegistry],
        }),
    ).inc();
    return;
  }
  getOrCreate(
    'retroactive_storageclass_errors_total',
    () =>
      new Counter({
        name: 'retroactive_storageclass_errors_total',
        help: 'Total number of failed retroactive StorageClass assignments to persistent volume claim',
        registers: [metricsRegistry],
      }),
  ).inc();
}

interface StartEntry {
  start: number;
  plugin: string;
  operation: string;
}

/**
 * OperationStartTimeCache: when the first attempt of a provision (keyed by claim key) or delete (keyed by
 * PV name) started, so the end-to-end latency can be observed when it finally completes.
 */
export class OperationTimestamps {
  readonly #m = new Map<string, StartEntry>();

  addIfNotExist(key: string, plugin: string, operation: string, now: number): void {
    if (!this.#m.has(key)) this.#m.set(key, { start: now, plugin, operation });
  }

  has(key: string): boolean {
    return this.#m.has(key);
  }

  delete(key: string): void {
    this.#m.delete(key);
  }

  /** Observes the latency and forgets the entry. */
  recordSuccess(key: string, now: number): void {
    const e = this.#m.get(key);
    if (e === undefined) return;
    this.#m.delete(key);
    operationTotalSeconds().observe(
      { plugin_name: e.plugin, operation_name: e.operation },
      (now - e.start) / 1000,
    );
  }

  /** Counts a failed attempt while the operation is tracked. */
  recordError(key: string): void {
    const e = this.#m.get(key);
    if (e === undefined) return;
    operationTotalErrors().inc({ plugin_name: e.plugin, operation_name: e.operation });
  }
}
