// One Prometheus registry per process (prom-client), shared by every subsystem so /metrics shows them all.
// Metric names and labels are upstream's, declared next to the code that records them.
import { Registry } from 'prom-client';

export const metricsRegistry = new Registry();

export { Counter, Gauge, Histogram, Summary } from 'prom-client';

/** Returns the metric already registered under `name`, or registers the one `make` builds. */
export function getOrCreate<T>(name: string, make: () => T): T {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing !== undefined) return existing as T;
  return make();
}
