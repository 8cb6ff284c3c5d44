// The watch cache: one store watch over /registry/ feeding, per resource type, the current objects and
// a ring buffer of recent events (upstream's Cacher). Gets, unpaginated lists and watches are served
// from here; history older than a buffer comes from the backend's log instead.
//
// Concurrency: JS is single-threaded and the backend hands a write's event to its watchers before the
// write's promise resolves, so once a write is acknowledged the cache already holds it, and a watcher
// registered in one tick sees buffered events then live ones with no gap and no repeat.
import type { KubeObject, ResourceType } from '../api/index.ts';
import { allResources } from '../api/index.ts';
import type { Backend, KeyValue, StoreEvent, Watcher } from '../storage/index.ts';
import { registryRoot, resourcePrefix } from './keys.ts';

export class CachedObject {
  readonly key: string;
  readonly obj: KubeObject;
  readonly rev: number;
  #json: string | undefined;

  constructor(key: string, obj: KubeObject, rev: number) {
    this.key = key;
    this.obj = obj;
    this.rev = rev;
  }

  /** The object's JSON, serialised once. */
  json(): string {
    this.#json ??= JSON.stringify(this.obj);
    return this.#json;
  }
}

export interface CacheEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly rev: number;
  /** For DELETED, the last state with resourceVersion = the deletion revision. */
  readonly object: CachedObject;
  readonly prev: CachedObject | undefined;
}

export type CacheListener = (ev: CacheEvent) => void;

/** Decodes a stored value: the object with metadata.resourceVersion set from the revision. */
export function decode(kv: KeyValue, rev = kv.modRevision): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(rev);
  return obj;
}

export class ResourceCache {
  readonly rt: ResourceType;
  readonly objects = new Map<string, CachedObject>();
  readonly #capacity: number;
  #ring: CacheEvent[] = [];
  #head = 0;
  /** Watches from a resourceVersion >= this are served from the buffer. */
  #bufferStart: number;
  readonly #listeners = new Set<CacheListener>();
  #sortedKeys: string[] | undefined;

  constructor(rt: ResourceType, startRev: number, capacity: number) {
    this.rt = rt;
    this.#bufferStart = startRev;
    this.#capacity = capacity;
  }

  get bufferStart(): number {
    return this.#bufferStart;
  }

  /** Keys in storage order (namespace, then name). */
  sortedKeys(): readonly string[] {
    if (this.#sortedKeys === undefined) {
      this.#sortedKeys = [...this.objects.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
    return this.#sortedKeys;
  }

  /** Buffered events with rev > after, oldest first. Caller checks bufferStart first. */
  eventsAfter(after: number): CacheEvent[] {
    const n = this.#ring.length;
    const out: CacheEvent[] = [];
    // The ring is in revision order starting at #head; walk backwards to find the first one needed.
    let i = n - 1;
    while (i >= 0) {
      const ev = this.#ring[(this.#head + i) % n]!;
      if (ev.rev <= after) break;
      i--;
    }
    for (let j = i + 1; j < n; j++) out.push(this.#ring[(this.#head + j) % n]!);
    return out;
  }

  /** Forgets buffered events at or below `rev` (the store compacted them away). */
  trim(rev: number): void {
    if (rev <= this.#bufferStart) return;
    const n = this.#ring.length;
    const kept: CacheEvent[] = [];
    for (let i = 0; i < n; i++) {
      const ev = this.#ring[(this.#head + i) % n]!;
      if (ev.rev > rev) kept.push(ev);
    }
    this.#ring = kept;
    this.#head = 0;
    this.#bufferStart = rev;
  }

  subscribe(l: CacheListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  get watcherCount(): number {
    return this.#listeners.size;
  }

  apply(ev: StoreEvent): CacheEvent {
    const key = ev.kv.key;
    const prev = this.objects.get(key);
    let out: CacheEvent;
    if (ev.type === 'put') {
      const cur = new CachedObject(key, decode(ev.kv), ev.kv.modRevision);
      if (prev === undefined) this.#sortedKeys = undefined;
      this.objects.set(key, cur);
      out = { type: prev === undefined ? 'ADDED' : 'MODIFIED', rev: ev.kv.modRevision, object: cur, prev };
    } else {
      if (prev !== undefined) this.#sortedKeys = undefined;
      this.objects.delete(key);
      const last = new CachedObject(key, decode(ev.kv), ev.kv.modRevision);
      out = { type: 'DELETED', rev: ev.kv.modRevision, object: last, prev };
    }
    this.#push(out);
    for (const l of this.#listeners) l(out);
    return out;
  }

  #push(ev: CacheEvent): void {
    if (this.#ring.length < this.#capacity) {
      this.#ring.push(ev);
      return;
    }
    const dropped = this.#ring[this.#head]!;
    this.#ring[this.#head] = ev;
    this.#head = (this.#head + 1) % this.#capacity;
    this.#bufferStart = dropped.rev;
  }
}

export interface WatchCacheOptions {
  /** Events kept per resource type for watches that resume. */
  readonly capacity?: number;
}

export class WatchCache {
  readonly #backend: Backend;
  readonly #byPrefix = new Map<string, ResourceCache>();
  readonly #byResource = new Map<ResourceType, ResourceCache>();
  readonly #capacity: number;
  #watcher: Watcher | undefined;
  #rev = 0;
  #onError: ((err: Error) => void) | undefined;
  /** Called after each event batch is applied (namespace lifecycle and similar hooks). */
  readonly #batchListeners = new Set<(events: readonly CacheEvent[]) => void>();

  constructor(backend: Backend, opts: WatchCacheOptions = {}) {
    this.#backend = backend;
    this.#capacity = opts.capacity ?? 10_000;
  }

  /** The revision of the newest event applied: the resourceVersion of a list served now. */
  get revision(): number {
    return this.#rev;
  }

  async start(onError?: (err: Error) => void): Promise<void> {
    this.#onError = onError;
    const { items, revision } = await this.#backend.list(registryRoot);
    this.#rev = revision;
    for (const rt of allResources) {
      const rc = new ResourceCache(rt, revision, this.#capacity);
      this.#byPrefix.set(resourcePrefix(rt), rc);
      this.#byResource.set(rt, rc);
    }
    for (const kv of items) {
      const rc = this.#cacheForKey(kv.key);
      if (rc === undefined) continue;
      rc.objects.set(kv.key, new CachedObject(kv.key, decode(kv), kv.modRevision));
    }
    this.#watcher = this.#backend.watch(registryRoot, {
      afterRevision: revision,
      onEvents: (events) => this.#apply(events),
      onError: (err) => this.#onError?.(err),
    });
  }

  stop(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  of(rt: ResourceType): ResourceCache {
    const rc = this.#byResource.get(rt);
    if (rc === undefined) throw new Error(`no cache for ${rt.plural}`);
    return rc;
  }

  /** Applies a store compaction to every buffer, so resuming below it answers 410 as upstream. */
  trim(rev: number): void {
    for (const rc of this.#byResource.values()) rc.trim(rev);
  }

  onBatch(l: (events: readonly CacheEvent[]) => void): () => void {
    this.#batchListeners.add(l);
    return () => this.#batchListeners.delete(l);
  }

  #cacheForKey(key: string): ResourceCache | undefined {
    // Keys are /registry/<plural>/... or /registry/<group>/<plural>/...
    const rest = key.slice(registryRoot.length);
    const first = rest.indexOf('/');
    if (first < 0) return undefined;
    const one = this.#byPrefix.get(key.slice(0, registryRoot.length + first + 1));
    if (one !== undefined) return one;
    const second = rest.indexOf('/', first + 1);
    if (second < 0) return undefined;
    return this.#byPrefix.get(key.slice(0, registryRoot.length + second + 1));
  }

  #apply(events: readonly StoreEvent[]): void {
    const applied: CacheEvent[] = [];
    for (const ev of events) {
      if (ev.kv.modRevision > this.#rev) this.#rev = ev.kv.modRevision;
      const rc = this.#cacheForKey(ev.kv.key);
      if (rc === undefined) continue;
      try {
        applied.push(rc.apply(ev));
      } catch (err) {
        this.#onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    }
    if (this.#batchListeners.size > 0) {
      for (const l of this.#batchListeners) l(applied);
    }
  }
}
