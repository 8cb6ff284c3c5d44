// apiserver_request_total and apiserver_request_duration_seconds with upstream's labels and buckets.
import { Counter, Gauge, getOrCreate, Histogram, metricsRegistry } from '../component/index.ts';

const requestTotal = getOrCreate(
  'apiserver_request_total',
  () =>
    new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      labelNames: [
        'verb',
        'dry_run',
        'group',
        'version',
        'resource',
        'subresource',
        'scope',
        'component',
        'code',
      ],
      registers: [metricsRegistry],
    }),
);

const requestDuration = getOrCreate(
  'apiserver_request_duration_seconds',
  () =>
    new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames: ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
      buckets: [
        0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
      ],
      registers: [metricsRegistry],
    }),
);

export const requestsInFlight = getOrCreate(
  'apiserver_current_inflight_requests',
  () =>
    new Gauge({
      name: 'apiserver_current_inflight_requests',
      help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
      registers: [metricsRegistry],
    }),
);

export interface RequestLabels {
  verb: string;
  dryRun: boolean;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
}

export function recordRequest(l: RequestLabels, code: number, ms: number): void {
  const labels = {
    verb: l.verb,
    dry_run: l.dryRun ? 'All' : '',
    group: l.group,
    version: l.version,
    resource: l.resource,
    subresource: l.subresource,
    scope: l.scope,
    component: 'apiserver',
  };
  requestTotal.inc({ ...labels, code: String(code) });
  // Watches are long-running; upstream leaves them out of the latency histogram too.
  if (l.verb !== 'WATCH') requestDuration.observe(labels, ms / 1000);
}
