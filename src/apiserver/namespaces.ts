// Namespace lifecycle (upstream's namespace controller, run inside the apiserver here): when a
// namespace is deleted, everything in it is deleted (honouring each object's finalizers), and once the
// namespace is empty its `kubernetes` finalizer is cleared and it goes away. Level-triggered: on start
// it resumes every namespace already terminating, so a crash mid-way converges.
import { allResources, type KubeObject, Resources } from '../api/index.ts';
import { logger } from '../component/index.ts';
import type { CacheEvent } from './cache.ts';
import { listPrefix } from './keys.ts';
import type { Registry } from './registry.ts';

const log = logger('namespace-controller');
const namespaced = allResources.filter((r) => r.namespaced);

export class NamespaceLifecycle {
  readonly #registry: Registry;
  readonly #pending = new Set<string>();
  #running = false;
  #stop: (() => void) | undefined;

  constructor(registry: Registry) {
    this.#registry = registry;
  }

  start(): void {
    const cache = this.#registry.cache;
    this.#stop = cache.onBatch((events) => this.#observe(events));
    for (const c of cache.of(Resources.namespaces).objects.values()) {
      if (c.obj.metadata.deletionTimestamp !== undefined) this.#enqueue(c.obj.metadata.name ?? '');
    }
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  #terminating(ns: string): boolean {
    const c = this.#registry.cache
      .of(Resources.namespaces)
      .objects.get(`${listPrefix(Resources.namespaces, undefined)}${ns}`);
    return c?.obj.metadata.deletionTimestamp !== undefined;
  }

  #observe(events: readonly CacheEvent[]): void {
    for (const ev of events) {
      const obj: KubeObject = ev.object.obj;
      if (ev.object.key.startsWith(listPrefix(Resources.namespaces, undefined))) {
        if (ev.type !== 'DELETED' && obj.metadata.deletionTimestamp !== undefined)
          this.#enqueue(obj.metadata.name ?? '');
        continue;
      }
      const ns = obj.metadata.namespace;
      if (ns !== undefined && this.#terminating(ns)) this.#enqueue(ns);
    }
  }

  #enqueue(ns: string): void {
    this.#pending.add(ns);
    if (!this.#running) {
      this.#running = true;
      setImmediate(() => {
        this.#drain().catch((err: unknown) => log.error('namespace cleanup failed', err));
      });
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.size > 0) {
        const ns = this.#pending.values().next().value as string;
        this.#pending.delete(ns);
        if (this.#stop === undefined) return;
        await this.#clean(ns);
      }
    } finally {
      this.#running = false;
    }
  }

  async #clean(ns: string): Promise<void> {
    if (!this.#terminating(ns)) return;
    const ctx = { warnings: [] as string[], user: 'system:serviceaccount:kube-system:namespace-controller' };
    let remaining = 0;
    for (const rt of namespaced) {
      const rc = this.#registry.cache.of(rt);
      const prefix = listPrefix(rt, ns);
      const names: string[] = [];
      for (const [key, c] of rc.objects) {
        if (!key.startsWith(prefix)) continue;
        remaining++;
        if (c.obj.metadata.deletionTimestamp === undefined) names.push(c.obj.metadata.name ?? '');
      }
      for (const name of names) {
        try {
          await this.#registry.delete(ctx, { resource: rt, namespace: ns }, name, { gracePeriodSeconds: 0 });
        } catch (err) {
          log.v(2, 'delete in terminating namespace failed', {
            namespace: ns,
            resource: rt.plural,
            name,
            err,
          });
        }
      }
    }
    if (remaining === 0) await this.#registry.finalizeNamespace(ns);
    else {
      // Re-check once deletions settle; objects held by finalizers re-trigger us when they go.
      let left = 0;
      for (const rt of namespaced) {
        const prefix = listPrefix(rt, ns);
        for (const key of this.#registry.cache.of(rt).objects.keys()) if (key.startsWith(prefix)) left++;
      }
      if (left === 0) await this.#registry.finalizeNamespace(ns);
    }
  }
}
