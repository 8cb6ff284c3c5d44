// CSI controller endpoints given on the command line (`--csi-controller-endpoint unix:///path.sock`):
// for a control plane that runs apart from the nodes (`kvol server`), or a driver whose controller
// service listens somewhere other than a node's plugins_registry. Each endpoint is asked for its
// name (GetPluginInfo) and then joins the registry the built-in CSI controller logic serves; an
// endpoint that is not up yet is retried with backoff until it answers or the signal aborts. In
// `kvol up` the controllers see the node's registrations through controllerView, where such an
// endpoint stays pinned.
import { logger } from '../component/index.ts';
import { CSIDriverRegistry, CsiClient, csiTarget } from '../csi/index.ts';

const log = logger('csi-endpoints');

export interface CsiEndpointOptions {
  /** First retry delay; doubles up to maxDelayMs. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Called with the driver's name once an endpoint is registered. */
  readonly onRegistered?: (driver: string) => void;
}

/** Validates the endpoints up front (unix sockets only), so a typo fails the command at once. */
export function parseCsiEndpoints(endpoints: readonly string[]): string[] {
  return endpoints.map((e) => {
    csiTarget(e);
    return e;
  });
}

/**
 * Registers each endpoint under the name its driver reports. Resolves once every endpoint has been
 * registered or the signal aborted; errors are logged and retried, never thrown.
 */
export async function registerCsiEndpoints(
  registry: CSIDriverRegistry,
  endpoints: readonly string[],
  signal: AbortSignal,
  opts: CsiEndpointOptions = {},
): Promise<void> {
  const initial = opts.initialDelayMs ?? 500;
  const max = opts.maxDelayMs ?? 30_000;
  await Promise.all(
    endpoints.map(async (endpoint) => {
      const client = new CsiClient(endpoint, { defaultTimeoutMs: 10_000 });
      let delay = initial;
      try {
        while (!signal.aborted) {
          try {
            const info = await client.getPluginInfo({ signal });
            const path = endpoint.replace(/^unix:\/\//, '').replace(/^unix:/, '');
            opts.onRegistered?.(info.name);
            registry.set(info.name, { endpoint: path, highestSupportedVersion: '1.0.0' });
            log.info('CSI controller endpoint registered', { driver: info.name, endpoint });
            return;
          } catch (err) {
            if (signal.aborted) return;
            log.info('CSI controller endpoint not reachable yet; retrying', {
              endpoint,
              error: err instanceof Error ? err.message : String(err),
              retryInMs: delay,
            });
          }
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, delay);
            signal.addEventListener(
              'abort',
              () => {
                clearTimeout(t);
                resolve();
              },
              { once: true },
            );
          });
          delay = Math.min(delay * 2, max);
        }
      } finally {
        client.close();
      }
    }),
  );
}

/**
 * The drivers the controllers drive: every driver registered on this node (its one socket serves the
 * controller service too, as with the bundled driver), except that a driver given its own controller
 * endpoint (`--csi-controller-endpoint`) keeps that endpoint whatever the node's registrations do.
 */
export function controllerView(node: CSIDriverRegistry): {
  registry: CSIDriverRegistry;
  pin(name: string): void;
  close(): void;
} {
  // The controllers do the sidecars' jobs: their calls are timed in csi_sidecar_operations_seconds.
  const registry = new CSIDriverRegistry({ sidecar: true });
  const pinned = new Set<string>();
  for (const name of node.names()) {
    const info = node.get(name);
    if (info !== undefined) registry.set(name, info);
  }
  const unsubscribe = node.subscribe((name, info) => {
    if (pinned.has(name)) return;
    if (info === undefined) registry.delete(name);
    else registry.set(name, info);
  });
  return {
    registry,
    pin: (name) => pinned.add(name),
    close: () => {
      unsubscribe();
      registry.close();
    },
  };
}
