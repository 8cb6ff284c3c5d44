// Informers, as client-go's SharedIndexInformer and Reflector: list (paginated) then watch from the list's
// resourceVersion, keep an indexed local cache, and tell handlers about adds, updates and deletes. A
// SharedInformerFactory hands one informer per resource (+ namespace and selectors) to every controller
// that asks, so they share one watch.
//
// Concurrency: JavaScript runs one thing at a time, so the store needs no locks; the store and handler
// calls only ever run on the informer's own loop, between awaits. Handlers run synchronously and must not
// block: they are expected to enqueue keys on a workqueue. Objects in the store are deep-frozen and shared
// by every handler and reader: copy (deepCopy from api) before changing one.

import type { ResourceType } from '../api/index.ts';
import {
  isGone,
  isStatusError,
  type KubeObject,
  newGone,
  type Status,
  StatusError,
  type WatchOptions,
} from '../api/index.ts';
import { type Clock, logger, realClock, type Timer } from '../component/index.ts';
import {
  type Client,
  type ClientListOptions,
  type ClientWatchEvent,
  deepFreeze,
  type ResourceClient,
  takesFrozenEvents,
} from './client.ts';

const log = logger('informer');

// ---- keys and the indexed store -------------------------------------------------------------------

/** `namespace/name`, or `name` for cluster-scoped objects (cache.MetaNamespaceKeyFunc). */
export function metaNamespaceKey(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  const name = obj.metadata.name ?? '';
  return ns === undefined || ns === '' ? name : `${ns}/${name}`;
}

/** The inverse of metaNamespaceKey (cache.SplitMetaNamespaceKey). */
export function splitMetaNamespaceKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** Values an object is indexed under for one index (cache.IndexFunc). */
export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => string[];

/** The built-in index by metadata.namespace (cache.NamespaceIndex). */
export const namespaceIndex = 'namespace';

export const metaNamespaceIndexFunc: IndexFunc = (obj) =>
  obj.metadata.namespace === undefined ? [] : [obj.metadata.namespace];

/** Read access to an informer's cache (cache.Indexer's read side). */
export interface StoreReader<T extends KubeObject = KubeObject> {
  getByKey(key: string): T | undefined;
  /** Every cached object, in no particular order. */
  list(): T[];
  listKeys(): string[];
  /** Objects whose index function for `indexName` returned `value`. Throws for an unknown index. */
  byIndex(indexName: string, value: string): T[];
  indexKeys(indexName: string, value: string): string[];
}

/** The cache: objects by key, with named secondary indexes (client-go's threadSafeMap). */
export class Indexer<T extends KubeObject = KubeObject> implements StoreReader<T> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  /** index name -> value -> keys */
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [namespaceIndex]: metaNamespaceIndexFunc as IndexFunc<T>, ...indexers });
  }

  /** Adds indexes; existing objects are indexed at once. Re-adding a name throws. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.#indexers.has(name)) throw new Error(`indexer conflict: ${name}`);
      this.#indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.#indices.set(name, index);
      for (const [key, obj] of this.#items) addToIndex(index, fn(obj), key);
    }
  }

  getByKey(key: string): T | undefined {
    return this.#items.get(key);
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  listKeys(): string[] {
    return [...this.#items.keys()];
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.#items.get(k)!);
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.#indices.get(indexName);
    if (index === undefined) throw new Error(`Index with name ${indexName} does not exist`);
    return [...(index.get(value) ?? [])];
  }

  get size(): number {
    return this.#items.size;
  }

  /** Adds or replaces the object under its key; returns the previous one. */
  set(key: string, obj: T): T | undefined {
    const old = this.#items.get(key);
    if (old !== undefined) this.#unindex(key, old);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#indexers) addToIndex(this.#indices.get(name)!, fn(obj), key);
    return old;
  }

  /** Removes the key; returns what was stored. */
  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (old === undefined) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indices.get(name)!;
      for (const v of fn(obj)) {
        const keys = index.get(v);
        if (keys === undefined) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(v);
      }
    }
  }
}

function addToIndex(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) {
    let keys = index.get(v);
    if (keys === undefined) {
      keys = new Set();
      index.set(v, keys);
    }
    keys.add(key);
  }
}

// ---- handlers ---------------------------------------------------------------------------------------

/** What an informer tells its handlers (cache.ResourceEventHandler). Handlers must not block. */
export interface ResourceEventHandler<T extends KubeObject = KubeObject> {
  /** `isInInitialList` is true for objects of the first list (or already cached when the handler joined). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called on resync and relist with the same or an unchanged object. */
  onUpdate?(oldObj: T, newObj: T): void;
  /**
   * `obj` is the last state known. `finalStateUnknown` is true when the deletion was noticed by a relist
   * rather than a watch event (client-go's DeletedFinalStateUnknown): the object may have changed after
   * what `obj` shows.
   */
  onDelete?(obj: T, finalStateUnknown: boolean): void;
}

export interface HandlerRegistration {
  remove(): void;
}

// ---- the informer ----------------------------------------------------------------------------------

export interface BackoffOptions {
  /** First delay after a failure; default 800 ms (client-go's reflector). */
  initialMs?: number;
  /** Cap; default 30 s. */
  maxMs?: number;
  /** Growth per consecutive failure; default 2. */
  factor?: number;
  /** Random extra up to this fraction of the delay; default 0.5. */
  jitter?: number;
}

export interface InformerOptions<T extends KubeObject = KubeObject> {
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-delivers onUpdate(obj, obj) for every cached object this often; 0 or unset: never. */
  resyncPeriodMs?: number;
  /** Page size of the initial list and relists; default 500. */
  pageSize?: number;
  backoff?: BackoffOptions;
  /** Watches are asked to end after a random time between this and twice this; default 300 s. */
  minWatchTimeoutSeconds?: number;
  indexers?: Record<string, IndexFunc<T>>;
  clock?: Clock;
  /** For logs; defaults to the resource's plural. */
  name?: string;
}

/** A watch that ended in under this long without any event counts as a failure (client-go: 1 s). */
const shortWatchMs = 1000;

export class SharedIndexInformer<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly #client: ResourceClient<T>;
  readonly #opts: InformerOptions<T>;
  readonly #clock: Clock;
  readonly #store: Indexer<T>;
  readonly #handlers = new Set<ResourceEventHandler<T>>();
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #abort: AbortController | undefined;
  #running: Promise<void> | undefined;
  #resyncTimer: Timer | undefined;
  #lastRV = '';

  constructor(client: ResourceClient<T>, opts: InformerOptions<T> = {}) {
    this.#client = client;
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#store = new Indexer<T>(opts.indexers ?? {});
    this.name = opts.name ?? client.resource.plural;
  }

  get resource(): ResourceType {
    return this.#client.resource;
  }

  /** The cache. Objects are frozen and shared: copy before changing. */
  get store(): StoreReader<T> {
    return this.#store;
  }

  getByKey(key: string): T | undefined {
    return this.#store.getByKey(key);
  }

  list(): T[] {
    return this.#store.list();
  }

  byIndex(indexName: string, value: string): T[] {
    return this.#store.byIndex(indexName, value);
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.#store.addIndexers(indexers);
  }

  /** The resourceVersion of the last list or event seen. */
  get lastSyncResourceVersion(): string {
    return this.#lastRV;
  }

  /**
   * Registers handlers. When the informer has already synced, onAdd is called at once for every cached
   * object (with isInInitialList true), as client-go does for late handlers.
   */
  addEventHandler(handler: ResourceEventHandler<T>): HandlerRegistration {
    this.#handlers.add(handler);
    if (this.#synced) {
      for (const obj of this.#store.list()) this.#call(handler, 'onAdd', () => handler.onAdd?.(obj, true));
    }
    return { remove: () => this.#handlers.delete(handler) };
  }

  /** True once the first list has been stored and delivered to the handlers. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves true once synced, or false when the signal aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      if (signal?.aborted === true) {
        resolve(false);
        return;
      }
      const onAbort = (): void => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.#synced);
      });
    });
  }

  /** Starts listing and watching in the background until the signal aborts or stop() is called. Idempotent. */
  start(signal?: AbortSignal): void {
    if (this.#abort !== undefined) return;
    const ac = new AbortController();
    this.#abort = ac;
    if (signal !== undefined) {
      if (signal.aborted) ac.abort(signal.reason);
      else signal.addEventListener('abort', () => ac.abort(signal.reason), { once: true });
    }
    this.#running = this.#run(ac.signal).catch((err: unknown) => {
      log.error('Informer stopped unexpectedly', err, { informer: this.name });
    });
  }

  /** Stops the informer; the cache keeps what it had. */
  stop(): void {
    this.#abort?.abort();
  }

  /** Resolves when the informer's loop has ended after stop() or its signal aborted. */
  async stopped(): Promise<void> {
    await this.#running;
  }

  get started(): boolean {
    return this.#abort !== undefined;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let needList = true;
    let failures = 0;
    try {
      while (!signal.aborted) {
        try {
          if (needList) {
            await this.#listAndReplace(signal);
            needList = false;
          }
          const started = this.#clock.now();
          const events = await this.#watch(signal);
          if (signal.aborted) break;
          if (events > 0) failures = 0;
          else if (this.#clock.now() - started < shortWatchMs) {
            throw new Error('very short watch: the watch ended with no events');
          }
        } catch (err) {
          if (signal.aborted) break;
          failures++;
          const expired = isExpiredError(err);
          if (expired) {
            needList = true;
            log.v(4, 'Watch resourceVersion expired; relisting', { informer: this.name, err });
          } else {
            log.warn('Failed to list or watch', { informer: this.name, err });
          }
          const delay = expired && failures === 1 ? 0 : this.#backoffDelay(failures);
          if (delay > 0) {
            try {
              await this.#clock.sleep(delay, signal);
            } catch {
              break;
            }
          }
        }
      }
    } finally {
      this.#resyncTimer?.cancel();
      this.#resyncTimer = undefined;
      const waiters = this.#syncWaiters;
      this.#syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  #backoffDelay(failures: number): number {
    const b = this.#opts.backoff ?? {};
    const initial = b.initialMs ?? 800;
    const max = b.maxMs ?? 30_000;
    const factor = b.factor ?? 2;
    const jitter = b.jitter ?? 0.5;
    const base = Math.min(max, initial * factor ** (failures - 1));
    return Math.round(base + (jitter > 0 ? Math.random() * jitter * base : 0));
  }

  async #listAndReplace(signal: AbortSignal): Promise<void> {
    const pageSize = this.#opts.pageSize ?? 500;
    const base: ClientListOptions = { signal };
    if (this.#opts.labelSelector !== undefined) base.labelSelector = this.#opts.labelSelector;
    if (this.#opts.fieldSelector !== undefined) base.fieldSelector = this.#opts.fieldSelector;
    let items: T[] = [];
    let rv = '';
    let cont: string | undefined;
    try {
      do {
        const opts: ClientListOptions = { ...base, limit: pageSize };
        if (cont !== undefined) opts.continue = cont;
        const page = await this.#client.list(opts);
        items.push(...page.items);
        rv = page.metadata.resourceVersion ?? '';
        cont = page.metadata.continue === '' ? undefined : page.metadata.continue;
      } while (cont !== undefined);
    } catch (err) {
      // An expired continue token: fall back to one full list, as client-go's pager does.
      if (!(isGone(err) && cont !== undefined)) throw err;
      const page = await this.#client.list(base);
      items = page.items;
      rv = page.metadata.resourceVersion ?? '';
    }
    if (signal.aborted) return;
    this.#replace(items, rv);
  }

  /** Swaps the cache for a fresh list (DeltaFIFO.Replace followed by the informer's handling of it). */
  #replace(items: T[], rv: string): void {
    const initial = !this.#synced;
    const seen = new Set<string>();
    for (const raw of items) {
      const obj = deepFreeze(raw);
      const key = metaNamespaceKey(obj);
      seen.add(key);
      const old = this.#store.set(key, obj);
      if (old === undefined) this.#notify('onAdd', (h) => h.onAdd?.(obj, initial));
      else this.#notify('onUpdate', (h) => h.onUpdate?.(old, obj));
    }
    for (const key of this.#store.listKeys()) {
      if (seen.has(key)) continue;
      const gone = this.#store.delete(key)!;
      this.#notify('onDelete', (h) => h.onDelete?.(gone, true));
    }
    this.#lastRV = rv;
    if (initial) {
      this.#synced = true;
      const waiters = this.#syncWaiters;
      this.#syncWaiters = [];
      for (const w of waiters) w();
      this.#scheduleResync();
    }
  }

  /** One watch from the last resourceVersion. Returns how many events it delivered; throws on failure. */
  async #watch(signal: AbortSignal): Promise<number> {
    const min = this.#opts.minWatchTimeoutSeconds ?? 300;
    const opts: WatchOptions = {
      resourceVersion: this.#lastRV,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.floor(min * (1 + Math.random())),
    };
    if (this.#opts.labelSelector !== undefined) opts.labelSelector = this.#opts.labelSelector;
    if (this.#opts.fieldSelector !== undefined) opts.fieldSelector = this.#opts.fieldSelector;
    const ac = new AbortController();
    const watchSignal = AbortSignal.any([signal, ac.signal]);
    let failure: unknown;
    let count = 0;
    // The informer deep-freezes what it stores and never changes it, so it can share frozen objects.
    const handler = takesFrozenEvents((ev: ClientWatchEvent<T>): void => {
      if (failure !== undefined || watchSignal.aborted) return;
      try {
        if (this.#handleEvent(ev)) count++;
      } catch (err) {
        failure = err;
        ac.abort();
      }
    });
    await this.#client.watch(opts, handler, watchSignal);
    if (failure !== undefined) throw failure;
    return count;
  }

  /** Applies one watch event to the cache and handlers. Returns false for bookmarks. Throws for ERROR. */
  #handleEvent(ev: ClientWatchEvent<T>): boolean {
    if (ev.type === 'ERROR') throw errorFromStatus(ev.object);
    const rv = ev.object.metadata?.resourceVersion;
    if (ev.type === 'BOOKMARK') {
      if (rv !== undefined && rv !== '') this.#lastRV = rv;
      return false;
    }
    const obj = deepFreeze(ev.object);
    const key = metaNamespaceKey(obj);
    if (ev.type === 'DELETED') {
      this.#store.delete(key);
      this.#notify('onDelete', (h) => h.onDelete?.(obj, false));
    } else {
      const old = this.#store.set(key, obj);
      if (old === undefined) this.#notify('onAdd', (h) => h.onAdd?.(obj, false));
      else this.#notify('onUpdate', (h) => h.onUpdate?.(old, obj));
    }
    if (rv !== undefined && rv !== '') this.#lastRV = rv;
    return true;
  }

  #scheduleResync(): void {
    const period = this.#opts.resyncPeriodMs ?? 0;
    if (period <= 0 || this.#abort?.signal.aborted === true) return;
    this.#resyncTimer = this.#clock.setTimer(period, () => {
      if (this.#abort?.signal.aborted === true) return;
      for (const obj of this.#store.list()) this.#notify('onUpdate', (h) => h.onUpdate?.(obj, obj));
      this.#scheduleResync();
    });
  }

  #notify(what: string, fn: (h: ResourceEventHandler<T>) => void): void {
    for (const h of [...this.#handlers]) this.#call(h, what, () => fn(h));
  }

  #call(_h: ResourceEventHandler<T>, what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      log.error('Event handler failed', err, { informer: this.name, handler: what });
    }
  }
}

function errorFromStatus(st: Status): StatusError {
  if (st.code === 410) return newGone(st.message ?? 'resourceVersion too old');
  return new StatusError(st);
}

/** True for errors that say a watch's resourceVersion is too old (410 Gone/Expired). */
export function isExpiredError(err: unknown): boolean {
  return isGone(err) || (isStatusError(err) && err.code === 410);
}

// ---- the factory -----------------------------------------------------------------------------------

export interface InformerScope {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Used only when this call creates the informer; defaults to the factory's resync period. */
  resyncPeriodMs?: number;
}

export interface SharedInformerFactoryOptions {
  /** Default resync period of the informers it creates; 0 or unset: never. */
  resyncPeriodMs?: number;
  clock?: Clock;
  backoff?: BackoffOptions;
  pageSize?: number;
  minWatchTimeoutSeconds?: number;
}

/**
 * One informer per resource + namespace + selectors, shared by every caller (informers.SharedInformerFactory).
 * Informers asked for after start() are started by the next start() call.
 */
export class SharedInformerFactory {
  readonly #client: Client;
  readonly #opts: SharedInformerFactoryOptions;
  readonly #informers = new Map<string, SharedIndexInformer<KubeObject>>();
  #signal: AbortSignal | undefined;

  constructor(client: Client, opts: SharedInformerFactoryOptions = {}) {
    this.#client = client;
    this.#opts = opts;
  }

  informerFor<T extends KubeObject = KubeObject>(
    rt: ResourceType,
    scope: InformerScope = {},
  ): SharedIndexInformer<T> {
    const ns = rt.namespaced ? (scope.namespace ?? '') : '';
    const key = [
      rt.group,
      rt.version,
      rt.plural,
      ns,
      scope.labelSelector ?? '',
      scope.fieldSelector ?? '',
    ].join('|');
    let inf = this.#informers.get(key);
    if (inf === undefined) {
      const o: InformerOptions<T> = {};
      const resync = scope.resyncPeriodMs ?? this.#opts.resyncPeriodMs;
      if (resync !== undefined) o.resyncPeriodMs = resync;
      if (scope.labelSelector !== undefined) o.labelSelector = scope.labelSelector;
      if (scope.fieldSelector !== undefined) o.fieldSelector = scope.fieldSelector;
      if (this.#opts.clock !== undefined) o.clock = this.#opts.clock;
      if (this.#opts.backoff !== undefined) o.backoff = this.#opts.backoff;
      if (this.#opts.pageSize !== undefined) o.pageSize = this.#opts.pageSize;
      if (this.#opts.minWatchTimeoutSeconds !== undefined)
        o.minWatchTimeoutSeconds = this.#opts.minWatchTimeoutSeconds;
      const client = this.#client.resource<T>(rt, ns === '' ? undefined : ns);
      inf = new SharedIndexInformer<T>(client, o) as unknown as SharedIndexInformer<KubeObject>;
      this.#informers.set(key, inf);
    }
    return inf as unknown as SharedIndexInformer<T>;
  }

  /** Starts every informer not yet started. Safe to call again after asking for more informers. */
  start(signal: AbortSignal): void {
    this.#signal = signal;
    for (const inf of this.#informers.values()) inf.start(signal);
  }

  /** Resolves true once every started informer has synced, false if the signal aborts first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const started = [...this.#informers.values()].filter((i) => i.started);
    const results = await Promise.all(started.map((i) => i.waitForSync(signal ?? this.#signal)));
    return results.every((x) => x);
  }

  /** Stops every informer and waits for their loops to end. */
  async shutdown(): Promise<void> {
    for (const inf of this.#informers.values()) inf.stop();
    await Promise.all([...this.#informers.values()].map((i) => i.stopped()));
  }
}
