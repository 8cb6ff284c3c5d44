// The in-memory store backend (`memory://`): a dense event log plus per-key version lists. Used by unit
// tests and as the reference model the other backends are checked against (same contract suite).
// Nothing survives the process.
//
// Concurrency rule: every operation runs to completion synchronously on the event loop, so writes are
// serialised in call order and each write's event is published before its promise resolves.

import {
  type Backend,
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type StoreEvent,
  type Watcher,
  type WatchOptions,
} from '../backend.ts';
import { compareKeys, StoreClosedError, WatchHub } from '../shared.ts';

/** One write to a key: the state after it, or undefined for a deletion (tombstone). */
interface Version {
  readonly rev: number;
  readonly kv: KeyValue | undefined;
}

export class MemoryBackend implements Backend {
  readonly name = 'memory';
  /** Events with revisions compacted+1 .. compacted+log.length, in order (dense). */
  #log: StoreEvent[] = [];
  #compacted = 0;
  /** Every key's versions in revision order; the last one is the current state. */
  readonly #versions = new Map<string, Version[]>();
  readonly #hub = new WatchHub();
  #closed = false;

  #rev(): number {
    return this.#compacted + this.#log.length;
  }

  #current(key: string): KeyValue | undefined {
    const vs = this.#versions.get(key);
    return vs === undefined ? undefined : vs[vs.length - 1]?.kv;
  }

  #check(): void {
    if (this.#closed) throw new StoreClosedError(this.name);
  }

  #commit(key: string, kv: KeyValue | undefined, event: StoreEvent): void {
    let vs = this.#versions.get(key);
    if (vs === undefined) {
      vs = [];
      this.#versions.set(key, vs);
    }
    vs.push({ rev: event.kv.modRevision, kv });
    this.#log.push(event);
    this.#hub.publish([event]);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.#check();
    if (this.#current(key) !== undefined) throw new KeyExistsError(key);
    const rev = this.#rev() + 1;
    const kv: KeyValue = { key, value, createRevision: rev, modRevision: rev };
    this.#commit(key, kv, { type: 'put', kv });
    return kv;
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    this.#check();
    const cur = this.#current(key);
    if (cur === undefined) throw new KeyNotFoundError(key);
    if (cur.modRevision !== expectedRevision) throw new ConflictError(key, cur);
    const kv: KeyValue = { key, value, createRevision: cur.createRevision, modRevision: this.#rev() + 1 };
    this.#commit(key, kv, { type: 'put', kv, prevKv: cur });
    return kv;
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    this.#check();
    const cur = this.#current(key);
    if (cur === undefined) throw new KeyNotFoundError(key);
    if (expectedRevision !== undefined && cur.modRevision !== expectedRevision) {
      throw new ConflictError(key, cur);
    }
    const kv: KeyValue = { ...cur, modRevision: this.#rev() + 1 };
    this.#commit(key, undefined, { type: 'delete', kv, prevKv: cur });
    return kv;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#check();
    return this.#current(key);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#check();
    const current = this.#rev();
    const at = opts.revision !== undefined && opts.revision > 0 ? opts.revision : current;
    if (at < this.#compacted) throw new CompactedError(at, this.#compacted);
    if (at > current) throw new FutureRevisionError(at, current);
    const start =
      opts.startKey !== undefined && compareKeys(opts.startKey, prefix) > 0 ? opts.startKey : prefix;
    const keys = [...this.#versions.keys()]
      .filter((k) => k.startsWith(prefix) && compareKeys(k, start) >= 0)
      .sort(compareKeys);
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : Number.POSITIVE_INFINITY;
    const items: KeyValue[] = [];
    let more = false;
    for (const k of keys) {
      const kv = stateAt(this.#versions.get(k)!, at);
      if (kv === undefined) continue;
      if (items.length >= limit) {
        more = true;
        break;
      }
      items.push(kv);
    }
    return { items, revision: at, more };
  }

  async currentRevision(): Promise<number> {
    this.#check();
    return this.#rev();
  }

  async compactedRevision(): Promise<number> {
    this.#check();
    return this.#compacted;
  }

  async compact(revision: number): Promise<void> {
    this.#check();
    const current = this.#rev();
    if (revision > current) throw new FutureRevisionError(revision, current);
    if (revision <= this.#compacted) return;
    for (const [key, vs] of this.#versions) {
      // Keep the newest version at or below the target (the state as of `revision`) unless it is a
      // tombstone; drop everything older.
      let i = 0;
      while (i < vs.length && vs[i]!.rev <= revision) i++;
      const keepFrom = i > 0 && vs[i - 1]!.kv !== undefined ? i - 1 : i;
      if (keepFrom > 0) vs.splice(0, keepFrom);
      if (vs.length === 0) this.#versions.delete(key);
    }
    this.#log = this.#log.slice(revision - this.#compacted);
    this.#compacted = revision;
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    this.#check();
    if (opts.afterRevision < this.#compacted) throw new CompactedError(opts.afterRevision, this.#compacted);
    const from = Math.max(0, opts.afterRevision - this.#compacted);
    const history = this.#log.slice(from).filter((e) => e.kv.key.startsWith(prefix));
    return this.#hub.add(prefix, history, opts);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.closeAll(new StoreClosedError(this.name));
  }
}

function stateAt(vs: readonly Version[], rev: number): KeyValue | undefined {
  let lo = 0;
  let hi = vs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (vs[mid]!.rev <= rev) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : vs[lo - 1]!.kv;
}

/** Opens a fresh, empty memory store. The URL (`memory://`) carries no options. */
export async function openMemoryBackend(_url?: URL): Promise<MemoryBackend> {
  return new MemoryBackend();
}
