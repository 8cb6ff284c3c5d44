// Pieces the in-process store backends (memory, SQLite) share: watcher fan-out, key-range helpers and
// the closed-store error. Not part of the storage door: backends import it directly.
//
// Concurrency rule: everything here runs on the event loop thread; publish() is called synchronously
// right after a write (or a batch of writes) commits, before the writes' promises resolve.

import type { StoreEvent, Watcher, WatchOptions } from './backend.ts';

/** The store was closed; the operation did not run. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
  readonly store: string;
  constructor(store: string) {
    super(`the ${store} store is closed`);
    this.store = store;
  }
}

export const isStoreClosed = (e: unknown): e is StoreClosedError => e instanceof StoreClosedError;

/** Compares two keys in the byte order of their UTF-8 encoding (which is code point order). */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order equals code point order except that surrogates (0xD800-0xDFFF, i.e. code points
    // above 0xFFFF) sort below 0xE000-0xFFFF; lift them above so the order matches UTF-8 bytes.
    const xs = x >= 0xd800 && x <= 0xdfff ? x + 0x10000 : x;
    const ys = y >= 0xd800 && y <= 0xdfff ? y + 0x10000 : y;
    return xs - ys;
  }
  return a.length - b.length;
}

/**
 * The smallest string greater than every string that starts with `prefix` (in code point order), or
 * undefined when there is none (empty prefix, or one made only of U+10FFFF).
 */
export function prefixEnd(prefix: string): string | undefined {
  const cps = Array.from(prefix);
  while (cps.length > 0) {
    const last = cps.pop()!;
    const cp = last.codePointAt(0)!;
    if (cp < 0x10ffff) {
      const next = cp + 1 === 0xd800 ? 0xe000 : cp + 1;
      return cps.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

interface HubWatcher {
  readonly prefix: string;
  readonly onEvents: WatchOptions['onEvents'];
  readonly onError: WatchOptions['onError'];
  /** Events held back until the history has been delivered; undefined once delivery is live. */
  pending: StoreEvent[] | undefined;
  /** Highest revision delivered or queued; later events at or below it are dropped (no duplicates). */
  lastRevision: number;
  closed: boolean;
}

/**
 * Fans committed events out to watchers. A watcher starts with its history (read by the backend in the
 * same synchronous step as registration, so nothing falls between history and live events); the
 * history is delivered in a microtask so that `watch()` returns before the first callback, and live
 * events that commit in between are queued behind it.
 */
export class WatchHub {
  readonly #watchers = new Set<HubWatcher>();

  get size(): number {
    return this.#watchers.size;
  }

  add(prefix: string, history: readonly StoreEvent[], opts: WatchOptions): Watcher {
    const w: HubWatcher = {
      prefix,
      onEvents: opts.onEvents,
      onError: opts.onError,
      pending: [],
      lastRevision: opts.afterRevision,
      closed: false,
    };
    this.#enqueue(w, history);
    this.#watchers.add(w);
    queueMicrotask(() => {
      const p = w.pending;
      w.pending = undefined;
      if (p !== undefined && p.length > 0) this.#deliver(w, p);
    });
    return {
      close: () => {
        w.closed = true;
        this.#watchers.delete(w);
      },
    };
  }

  /** Hands committed events (in revision order) to every matching watcher. */
  publish(events: readonly StoreEvent[]): void {
    if (events.length === 0 || this.#watchers.size === 0) return;
    for (const w of this.#watchers) {
      const mine = w.prefix === '' ? events : events.filter((e) => e.kv.key.startsWith(w.prefix));
      if (mine.length === 0) continue;
      if (w.pending !== undefined) {
        this.#enqueue(w, mine);
      } else {
        const fresh = mine.filter((e) => e.kv.modRevision > w.lastRevision);
        if (fresh.length === 0) continue;
        w.lastRevision = fresh[fresh.length - 1]!.kv.modRevision;
        this.#deliver(w, fresh);
      }
    }
  }

  /** Ends every watch with `err` (for example when the store closes). */
  closeAll(err: Error): void {
    const all = [...this.#watchers];
    this.#watchers.clear();
    for (const w of all) {
      w.closed = true;
      w.pending = undefined;
      try {
        w.onError?.(err);
      } catch {
        // onError must not throw; a throwing callback must not stop the others from hearing.
      }
    }
  }

  #enqueue(w: HubWatcher, events: readonly StoreEvent[]): void {
    for (const e of events) {
      if (e.kv.modRevision <= w.lastRevision) continue;
      w.lastRevision = e.kv.modRevision;
      w.pending!.push(e);
    }
  }

  #deliver(w: HubWatcher, events: readonly StoreEvent[]): void {
    if (w.closed) return;
    try {
      w.onEvents(events);
    } catch (e) {
      // The contract says onEvents must not throw. If it does, that watch ends rather than the
      // committing write path failing for everyone.
      w.closed = true;
      this.#watchers.delete(w);
      const err = e instanceof Error ? e : new Error(String(e));
      try {
        w.onError?.(
          new Error(`watch on "${w.prefix}" ended: onEvents threw: ${err.message}`, { cause: err }),
        );
      } catch {
        // ignored, see closeAll
      }
    }
  }
}
