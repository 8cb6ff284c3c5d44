// Assembles a running API server: store backend, watch cache, registry, namespace lifecycle, periodic
// compaction and the HTTP(S) front. `kvol up` and `kvol server` call startApiServer; so do the tests.
import { isAlreadyExists, type KubeObject, Resources } from '../api/index.ts';
import { type Clock, logger, realClock } from '../component/index.ts';
import { type Backend, openBackend } from '../storage/index.ts';
import { WatchCache } from './cache.ts';
import { NamespaceLifecycle } from './namespaces.ts';
import { Registry } from './registry.ts';
import { ApiServer } from './server.ts';

const log = logger('apiserver');

/** Namespaces kube-apiserver keeps in existence. */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface StartOptions {
  /** Store URL: `sqlite:///path/kvol.db`, `memory://`. */
  readonly store: string;
  readonly host?: string;
  readonly port?: number;
  readonly tls?: { cert: string; key: string };
  readonly authenticate?: (authorization: string | undefined) => { user: string } | undefined;
  readonly clock?: Clock;
  /** Compaction keeps this many most recent revisions (default 10,000); 0 disables it. */
  readonly compactRetain?: number;
  readonly compactIntervalMs?: number;
  readonly bookmarkIntervalMs?: number;
  readonly watchCacheCapacity?: number;
  /** Events older than this (by their last timestamp) are removed, as kube-apiserver's --event-ttl (1 h). */
  readonly eventTTLMs?: number;
  /** Use this backend instead of opening `store` (tests). */
  readonly backend?: Backend;
}

export interface RunningApiServer {
  readonly url: string;
  readonly port: number;
  readonly registry: Registry;
  readonly backend: Backend;
  /** Compacts the store up to `revision` and forgets the watch history below it. */
  compact(revision: number): Promise<void>;
  /** Stops serving, ends watches, closes the store. Idempotent. */
  close(): Promise<void>;
}

export async function startApiServer(opts: StartOptions): Promise<RunningApiServer> {
  const clock = opts.clock ?? realClock;
  const backend = opts.backend ?? (await openBackend(opts.store));
  const cache = new WatchCache(
    backend,
    opts.watchCacheCapacity !== undefined ? { capacity: opts.watchCacheCapacity } : {},
  );
  let fatal: Error | undefined;
  try {
    await cache.start((err) => {
      fatal = err;
      log.error('store watch failed', err);
    });
  } catch (err) {
    await backend.close();
    throw err;
  }
  const registry = new Registry({
    backend,
    cache,
    clock,
    ...(opts.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
  });
  await ensureNamespaces(registry);
  const lifecycle = new NamespaceLifecycle(registry);
  lifecycle.start();

  const compact = async (revision: number): Promise<void> => {
    await backend.compact(revision);
    cache.trim(revision);
  };
  const retain = opts.compactRetain ?? 10_000;
  let compactTimer: ReturnType<typeof setInterval> | undefined;
  if (retain > 0) {
    compactTimer = setInterval(
      () => {
        const target = cache.revision - retain;
        if (target <= 0) return;
        compact(target).catch((err: unknown) => log.error('compaction failed', err));
      },
      opts.compactIntervalMs ?? 5 * 60_000,
    );
    compactTimer.unref();
  }

  const eventTTL = opts.eventTTLMs ?? 60 * 60_000;
  const eventSweep = setInterval(
    () => {
      sweepEvents(registry, clock.now() - eventTTL).catch((err: unknown) =>
        log.error('event expiry failed', err),
      );
    },
    Math.min(60_000, Math.max(1000, eventTTL / 4)),
  );
  eventSweep.unref();

  const server = new ApiServer({
    registry,
    clock,
    ...(opts.authenticate !== undefined ? { authenticate: opts.authenticate } : {}),
    ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    health: {
      livez: {},
      readyz: {
        store: async () => {
          if (fatal !== undefined) throw fatal;
          await backend.currentRevision();
        },
      },
    },
  });
  let listening: { port: number; url: string };
  try {
    listening = await server.listen();
  } catch (err) {
    lifecycle.stop();
    cache.stop();
    if (compactTimer !== undefined) clearInterval(compactTimer);
    clearInterval(eventSweep);
    await backend.close();
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    url: listening.url,
    port: listening.port,
    registry,
    backend,
    compact,
    close() {
      closed ??= (async () => {
        if (compactTimer !== undefined) clearInterval(compactTimer);
        clearInterval(eventSweep);
        lifecycle.stop();
        await server.close();
        cache.stop();
        await backend.close();
      })();
      return closed;
    },
  };
}

/** Deletes Events last seen before `cutoff` (ms), as the etcd lease on each Event does upstream. */
export async function sweepEvents(registry: Registry, cutoff: number): Promise<number> {
  let removed = 0;
  for (const c of [...registry.cache.of(Resources.events).objects.values()]) {
    const e = c.obj as KubeObject & { lastTimestamp?: string | null; eventTime?: string | null };
    const last = e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
    if (last === undefined || last === null || Date.parse(last) >= cutoff) continue;
    if (await registry.removeIfUnheld(Resources.events, e.metadata.namespace, e.metadata.name ?? ''))
      removed++;
  }
  return removed;
}

async function ensureNamespaces(registry: Registry): Promise<void> {
  const ctx = { warnings: [] as string[], user: 'system:apiserver' };
  for (const name of systemNamespaces) {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    try {
      await registry.create(ctx, { resource: Resources.namespaces }, ns, { fieldManager: 'kube-apiserver' });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
}
