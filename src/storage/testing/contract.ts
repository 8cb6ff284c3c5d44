// The one contract suite every store backend passes (memory, SQLite, and etcd later). A backend's test
// file calls runBackendContract() with a function that opens a backend; each test opens its own and
// closes it at the end.
//
// Backend-agnostic on purpose: tests never assume the store starts empty or at revision 0, every test
// writes under its own key prefix, and revisions are checked relative to the revision seen at the start,
// so a backend whose instances share one server (etcd) can run it with one server per test file (tests
// in a file run one after another).

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  type Backend,
  isCompacted,
  isConflict,
  isFutureRevision,
  isKeyExists,
  isKeyNotFound,
  type KeyValue,
  type StoreEvent,
  type Watcher,
} from '../backend.ts';

let seq = 0;
/** A key prefix no other test (in this process, or a previous run on a shared server) uses. */
function ns(): string {
  seq++;
  return `/contract/${process.pid}-${Date.now().toString(36)}-${seq}/`;
}

/** Collects watch events and lets a test wait until it has a given number. */
class EventLog {
  readonly events: StoreEvent[] = [];
  readonly batches: (readonly StoreEvent[])[] = [];
  error: Error | undefined;
  #waiters: { n: number; resolve: () => void }[] = [];

  readonly onEvents = (events: readonly StoreEvent[]): void => {
    this.batches.push(events);
    this.events.push(...events);
    this.#wake();
  };

  readonly onError = (err: Error): void => {
    this.error = err;
    this.#wake();
  };

  /** Resolves once `n` events arrived; rejects after `ms` with what did arrive (a hung test is worse). */
  waitFor(n: number, ms = 5000): Promise<void> {
    if (this.events.length >= n) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        reject(
          new Error(`waited for ${n} events, got ${this.events.length}: ${JSON.stringify(this.summary())}`),
        );
      }, ms);
      this.#waiters.push({
        n,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }

  summary(): string[] {
    return this.events.map((e) => `${e.type} ${e.kv.key} @${e.kv.modRevision}`);
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (this.events.length < w.n) return true;
      w.resolve();
      return false;
    });
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected the promise to reject');
}

function throwsSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected the call to throw');
}

/**
 * Registers the contract tests for one backend. `open` returns a new backend (for persistent backends,
 * a new empty store each time is simplest, but not required); `cleanup` runs once after all tests.
 */
export function runBackendContract(
  name: string,
  open: () => Promise<Backend>,
  cleanup?: () => Promise<void> | void,
): void {
  describe(`${name} backend contract`, () => {
    const opened: Backend[] = [];
    const withBackend = (fn: (b: Backend, p: string) => Promise<void>) => async (): Promise<void> => {
      const b = await open();
      opened.push(b);
      try {
        await fn(b, ns());
      } finally {
        await b.close();
      }
    };

    after(async () => {
      for (const b of opened) await b.close();
      await cleanup?.();
    });

    test(
      'create stores a new key at the next revision and refuses an existing one',
      withBackend(async (b, p) => {
        const r0 = await b.currentRevision();
        const kv = await b.create(`${p}x`, 'v1');
        assert.deepEqual(kv, { key: `${p}x`, value: 'v1', createRevision: r0 + 1, modRevision: r0 + 1 });
        assert.equal(await b.currentRevision(), r0 + 1);
        const err = await rejection(b.create(`${p}x`, 'v2'));
        assert.ok(isKeyExists(err), String(err));
        assert.equal(err.key, `${p}x`);
        assert.equal((await b.get(`${p}x`))?.value, 'v1');
        assert.equal(await b.currentRevision(), r0 + 1, 'a failed write does not use a revision');
      }),
    );

    test(
      'get returns undefined for a missing key and values exactly as written',
      withBackend(async (b, p) => {
        assert.equal(await b.get(`${p}missing`), undefined);
        const values = [
          '',
          'ünïcödé ✓ 𝄞',
          JSON.stringify({ a: 'x'.repeat(2048), n: [1, 2, 3] }),
          'line\nbreak\0nul',
        ];
        for (const [i, v] of values.entries()) await b.create(`${p}k${i}`, v);
        for (const [i, v] of values.entries()) assert.equal((await b.get(`${p}k${i}`))?.value, v);
      }),
    );

    test(
      'update with the current revision replaces the value and keeps the create revision',
      withBackend(async (b, p) => {
        const c = await b.create(`${p}x`, 'v1');
        const u = await b.update(`${p}x`, 'v2', c.modRevision);
        assert.equal(u.value, 'v2');
        assert.equal(u.createRevision, c.createRevision);
        assert.equal(u.modRevision, c.modRevision + 1);
        assert.deepEqual(await b.get(`${p}x`), u);
      }),
    );

    test(
      'update with a stale revision fails with a ConflictError carrying the current state',
      withBackend(async (b, p) => {
        const c = await b.create(`${p}x`, 'v1');
        const u = await b.update(`${p}x`, 'v2', c.modRevision);
        const err = await rejection(b.update(`${p}x`, 'v3', c.modRevision));
        assert.ok(isConflict(err), String(err));
        assert.equal(err.key, `${p}x`);
        assert.deepEqual(err.current, u);
        assert.deepEqual(await b.get(`${p}x`), u);
      }),
    );

    test(
      'update of a missing key fails with KeyNotFoundError',
      withBackend(async (b, p) => {
        const err = await rejection(b.update(`${p}nope`, 'v', 1));
        assert.ok(isKeyNotFound(err), String(err));
        assert.equal(err.key, `${p}nope`);
      }),
    );

    test(
      'delete without a revision removes the key and returns its last value at the deletion revision',
      withBackend(async (b, p) => {
        const c = await b.create(`${p}x`, 'v1');
        const d = await b.delete(`${p}x`);
        assert.deepEqual(d, {
          key: `${p}x`,
          value: 'v1',
          createRevision: c.createRevision,
          modRevision: c.modRevision + 1,
        });
        assert.equal(await b.get(`${p}x`), undefined);
        assert.equal(await b.currentRevision(), d.modRevision);
        const err = await rejection(b.delete(`${p}x`));
        assert.ok(isKeyNotFound(err), String(err));
      }),
    );

    test(
      'delete with a revision only succeeds when it matches the current one',
      withBackend(async (b, p) => {
        const c = await b.create(`${p}x`, 'v1');
        const u = await b.update(`${p}x`, 'v2', c.modRevision);
        const err = await rejection(b.delete(`${p}x`, c.modRevision));
        assert.ok(isConflict(err), String(err));
        assert.deepEqual(err.current, u);
        assert.deepEqual(await b.get(`${p}x`), u);
        const d = await b.delete(`${p}x`, u.modRevision);
        assert.equal(d.value, 'v2');
        assert.equal(await b.get(`${p}x`), undefined);
      }),
    );

    test(
      'a key created again after deletion starts a new incarnation',
      withBackend(async (b, p) => {
        const c1 = await b.create(`${p}x`, 'v1');
        await b.delete(`${p}x`);
        const c2 = await b.create(`${p}x`, 'v2');
        assert.equal(c2.createRevision, c1.createRevision + 2);
        assert.equal(c2.createRevision, c2.modRevision);
        assert.deepEqual(await b.get(`${p}x`), c2);
      }),
    );

    test(
      'revisions are dense and strictly increasing across creates, updates and deletes',
      withBackend(async (b, p) => {
        const r0 = await b.currentRevision();
        const revs: number[] = [];
        for (let i = 0; i < 5; i++) revs.push((await b.create(`${p}k${i}`, 'a')).modRevision);
        for (let i = 0; i < 5; i++) revs.push((await b.update(`${p}k${i}`, 'b', r0 + 1 + i)).modRevision);
        for (let i = 0; i < 5; i += 2) revs.push((await b.delete(`${p}k${i}`)).modRevision);
        assert.deepEqual(
          revs,
          revs.map((_, i) => r0 + 1 + i),
        );
        assert.equal(await b.currentRevision(), r0 + revs.length);
      }),
    );

    test(
      'concurrent writes each get their own revision, dense, in the order they were issued',
      withBackend(async (b, p) => {
        const r0 = await b.currentRevision();
        const kvs = await Promise.all(
          Array.from({ length: 50 }, (_, i) => b.create(`${p}k${String(i).padStart(2, '0')}`, `v${i}`)),
        );
        assert.deepEqual(
          kvs.map((k) => k.modRevision),
          kvs.map((_, i) => r0 + 1 + i),
        );
        const listed = await b.list(p);
        assert.equal(listed.items.length, 50);
      }),
    );

    test(
      'a failing write in a burst fails alone while the others commit',
      withBackend(async (b, p) => {
        const c = await b.create(`${p}taken`, 'v');
        const results = await Promise.allSettled([
          b.create(`${p}a`, '1'),
          b.create(`${p}taken`, 'dup'),
          b.update(`${p}taken`, 'w', c.modRevision + 99),
          b.create(`${p}b`, '2'),
          b.delete(`${p}missing`),
          b.update(`${p}taken`, 'ok', c.modRevision),
        ]);
        assert.deepEqual(
          results.map((r) => r.status),
          ['fulfilled', 'rejected', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
        );
        const [ra, rdup, rconf, rb, rmiss] = results;
        assert.ok(ra?.status === 'fulfilled' && rb?.status === 'fulfilled');
        assert.equal(rb.value.modRevision, ra.value.modRevision + 1);
        assert.ok(rdup?.status === 'rejected' && isKeyExists(rdup.reason));
        assert.ok(rconf?.status === 'rejected' && isConflict(rconf.reason));
        assert.ok(rmiss?.status === 'rejected' && isKeyNotFound(rmiss.reason));
        assert.equal((await b.get(`${p}taken`))?.value, 'ok');
        assert.equal((await b.get(`${p}a`))?.value, '1');
      }),
    );

    test(
      'list returns the keys under a prefix in byte order, and only those',
      withBackend(async (b, p) => {
        for (const k of ['a/2', 'a/1', 'ab/1', 'a/10', 'b/1', 'a', 'a/~', 'a/é'])
          await b.create(`${p}${k}`, k);
        const r = await b.list(`${p}a/`);
        assert.deepEqual(
          r.items.map((i) => i.key.slice(p.length)),
          ['a/1', 'a/10', 'a/2', 'a/~', 'a/é'],
        );
        assert.equal(r.more, false);
        assert.equal(r.revision, await b.currentRevision());
        assert.deepEqual(
          (await b.list(`${p}ab/`)).items.map((i) => i.value),
          ['ab/1'],
        );
        assert.equal((await b.list(`${p}zz/`)).items.length, 0);
        const all = await b.list(p);
        assert.equal(all.items.length, 8);
        for (const kv of all.items) assert.deepEqual(await b.get(kv.key), kv);
      }),
    );

    test(
      'list with a limit pages through every key when continued from the next start key',
      withBackend(async (b, p) => {
        const keys = Array.from({ length: 10 }, (_, i) => `${p}k${String(i).padStart(2, '0')}`);
        for (const k of keys) await b.create(k, k);
        const first = await b.list(p, { limit: 3 });
        assert.equal(first.items.length, 3);
        assert.equal(first.more, true);
        const seen: string[] = [];
        let page = first;
        for (;;) {
          seen.push(...page.items.map((i) => i.key));
          if (!page.more) break;
          const last = page.items[page.items.length - 1]!.key;
          page = await b.list(p, { limit: 3, startKey: `${last}\0`, revision: first.revision });
          assert.equal(page.revision, first.revision);
        }
        assert.deepEqual(seen, keys);
        const exact = await b.list(p, { limit: 10 });
        assert.equal(exact.items.length, 10);
        assert.equal(exact.more, false, 'more is false when the limit is met exactly');
        assert.equal((await b.list(p, { startKey: keys[8]! })).items.length, 2);
      }),
    );

    test(
      'a paginated list pinned to a revision does not see later writes',
      withBackend(async (b, p) => {
        for (let i = 0; i < 6; i++) await b.create(`${p}k${i}`, 'old');
        const page1 = await b.list(p, { limit: 3 });
        await b.update(`${p}k4`, 'new', (await b.get(`${p}k4`))!.modRevision);
        await b.delete(`${p}k5`);
        await b.create(`${p}k6`, 'new');
        const page2 = await b.list(p, { limit: 3, startKey: `${p}k3`, revision: page1.revision });
        assert.deepEqual(
          page2.items.map((i) => [i.key.slice(p.length), i.value]),
          [
            ['k3', 'old'],
            ['k4', 'old'],
            ['k5', 'old'],
          ],
        );
        assert.equal(page2.more, false);
      }),
    );

    test(
      'list at an older revision shows the values, deletions and creations as of then',
      withBackend(async (b, p) => {
        await b.create(`${p.slice(0, -1)}-outside`, 'so the revision before `a` is not 0 (= current)');
        const a = await b.create(`${p}a`, 'a1');
        await b.create(`${p}b`, 'b1');
        const r1 = await b.currentRevision();
        await b.update(`${p}a`, 'a2', a.modRevision);
        await b.delete(`${p}b`);
        await b.create(`${p}c`, 'c1');
        const then = await b.list(p, { revision: r1 });
        assert.equal(then.revision, r1);
        assert.deepEqual(
          then.items.map((i) => [i.key.slice(p.length), i.value, i.modRevision]),
          [
            ['a', 'a1', a.modRevision],
            ['b', 'b1', a.modRevision + 1],
          ],
        );
        const now = await b.list(p);
        assert.deepEqual(
          now.items.map((i) => [i.key.slice(p.length), i.value]),
          [
            ['a', 'a2'],
            ['c', 'c1'],
          ],
        );
        assert.deepEqual((await b.list(p, { revision: r1 - 2 })).items, []);
        const cur = await b.currentRevision();
        const err = await rejection(b.list(p, { revision: cur + 10 }));
        assert.ok(isFutureRevision(err), String(err));
        assert.equal(err.current, cur);
      }),
    );

    test(
      'watch delivers history after the revision, then live events, without gaps or duplicates',
      withBackend(async (b, p) => {
        const c = await b.create(`${p}x`, 'v1');
        const u = await b.update(`${p}x`, 'v2', c.modRevision);
        await b.create(`${p}y`, 'y1');
        const log = new EventLog();
        const w = b.watch(p, { afterRevision: c.modRevision, onEvents: log.onEvents, onError: log.onError });
        try {
          const writes = [b.update(`${p}x`, 'v3', u.modRevision), b.delete(`${p}y`), b.create(`${p}z`, 'z1')];
          await Promise.all(writes);
          for (let i = 0; i < 5; i++) await b.create(`${p}n${i}`, 'n');
          await log.waitFor(10);
          await tick();
          const revs = log.events.map((e) => e.kv.modRevision);
          assert.deepEqual(
            revs,
            revs.map((_, i) => c.modRevision + 1 + i),
            'consecutive revisions',
          );
          assert.equal(log.events.length, 10);
          assert.deepEqual(log.events[0], { type: 'put', kv: u, prevKv: c });
          assert.equal(log.error, undefined);
        } finally {
          w.close();
        }
      }),
    );

    test(
      'watch events carry prevKv, and delete events carry the last value at the deletion revision',
      withBackend(async (b, p) => {
        const r0 = await b.currentRevision();
        const live = new EventLog();
        const w1 = b.watch(p, { afterRevision: r0, onEvents: live.onEvents });
        const c = await b.create(`${p}x`, 'v1');
        const u = await b.update(`${p}x`, 'v2', c.modRevision);
        const d = await b.delete(`${p}x`, u.modRevision);
        const c2 = await b.create(`${p}x`, 'again');
        const expected: StoreEvent[] = [
          { type: 'put', kv: c },
          { type: 'put', kv: u, prevKv: c },
          { type: 'delete', kv: { ...u, modRevision: d.modRevision }, prevKv: u },
          { type: 'put', kv: c2 },
        ];
        await live.waitFor(4);
        w1.close();
        assert.deepEqual(live.events, expected);
        // The same events when read back as history.
        const past = new EventLog();
        const w2 = b.watch(p, { afterRevision: r0, onEvents: past.onEvents });
        await past.waitFor(4);
        w2.close();
        assert.deepEqual(past.events, expected);
      }),
    );

    test(
      'watch only reports keys under its prefix',
      withBackend(async (b, p) => {
        const r0 = await b.currentRevision();
        const log = new EventLog();
        const w = b.watch(`${p}a/`, { afterRevision: r0, onEvents: log.onEvents });
        await b.create(`${p}a/1`, 'x');
        await b.create(`${p}ab/1`, 'x');
        await b.create(`${p}b/1`, 'x');
        await b.create(`${p}a/2`, 'x');
        await log.waitFor(2);
        await tick();
        w.close();
        assert.deepEqual(
          log.events.map((e) => e.kv.key.slice(p.length)),
          ['a/1', 'a/2'],
        );
      }),
    );

    test(
      'a write is handed to watchers before its promise resolves',
      withBackend(async (b, p) => {
        const r0 = await b.currentRevision();
        const log = new EventLog();
        const w = b.watch(p, { afterRevision: r0, onEvents: log.onEvents });
        const kv = await b.create(`${p}x`, 'v');
        assert.deepEqual(log.events, [{ type: 'put', kv }]);
        const kvs = await Promise.all([b.create(`${p}y`, 'v'), b.create(`${p}z`, 'v')]);
        assert.deepEqual(
          log.events.slice(1).map((e) => e.kv),
          kvs,
        );
        w.close();
      }),
    );

    test(
      'watch calls back only after watch() returned, and close stops delivery',
      withBackend(async (b, p) => {
        await b.create(`${p}x`, 'v');
        const r0 = (await b.currentRevision()) - 1;
        const log = new EventLog();
        const w: Watcher = b.watch(p, { afterRevision: r0, onEvents: log.onEvents });
        assert.equal(log.events.length, 0, 'no callback inside watch()');
        await log.waitFor(1);
        w.close();
        w.close();
        await b.create(`${p}y`, 'v');
        await tick();
        assert.equal(log.events.length, 1);
      }),
    );

    test(
      'watch from a future revision starts with the first event after it',
      withBackend(async (b, p) => {
        const r0 = await b.currentRevision();
        const log = new EventLog();
        const w = b.watch(p, { afterRevision: r0 + 2, onEvents: log.onEvents });
        for (const k of ['a', 'b', 'c', 'd']) await b.create(`${p}${k}`, 'v');
        await log.waitFor(2);
        await tick();
        w.close();
        assert.deepEqual(
          log.events.map((e) => e.kv.modRevision),
          [r0 + 3, r0 + 4],
        );
      }),
    );

    test(
      'compaction forgets older revisions for list and watch but keeps current values',
      withBackend(async (b, p) => {
        const a = await b.create(`${p}a`, 'a1');
        const a2 = await b.update(`${p}a`, 'a2', a.modRevision);
        await b.create(`${p}b`, 'b1');
        await b.delete(`${p}b`);
        const c = await b.create(`${p}c`, 'c1');
        const r1 = await b.currentRevision();
        const a3 = await b.update(`${p}a`, 'a3', a2.modRevision);
        const before = await b.list(p);
        await b.compact(r1);
        assert.equal(await b.compactedRevision(), r1);
        assert.deepEqual(await b.list(p), before);
        assert.deepEqual(await b.get(`${p}a`), a3);
        assert.deepEqual(await b.get(`${p}c`), c);
        assert.equal(await b.get(`${p}b`), undefined);
        const listErr = await rejection(b.list(p, { revision: r1 - 1 }));
        assert.ok(isCompacted(listErr), String(listErr));
        assert.equal(listErr.compacted, r1);
        const watchErr = throwsSync(() => b.watch(p, { afterRevision: r1 - 1, onEvents: () => {} }));
        assert.ok(isCompacted(watchErr), String(watchErr));
        // At the compacted revision itself, the state as of then is still readable...
        assert.deepEqual(
          (await b.list(p, { revision: r1 })).items.map((i) => [i.key.slice(p.length), i.value]),
          [
            ['a', 'a2'],
            ['c', 'c1'],
          ],
        );
        // ...and the events after it can still be watched.
        const log = new EventLog();
        const w = b.watch(p, { afterRevision: r1, onEvents: log.onEvents });
        await log.waitFor(1);
        w.close();
        assert.deepEqual(log.events, [{ type: 'put', kv: a3, prevKv: a2 }]);
        // Writes go on at the next revision.
        const d = await b.create(`${p}d`, 'd1');
        assert.equal(d.modRevision, a3.modRevision + 1);
      }),
    );

    test(
      'compacting up to a deletion at the current revision keeps the revision counter',
      withBackend(async (b, p) => {
        await b.create(`${p}x`, 'v');
        const d = await b.delete(`${p}x`);
        await b.compact(d.modRevision);
        assert.equal(await b.currentRevision(), d.modRevision);
        assert.equal((await b.create(`${p}x`, 'v2')).modRevision, d.modRevision + 1);
      }),
    );

    test(
      'compaction beyond the current revision is refused and compaction below the compacted one does nothing',
      withBackend(async (b, p) => {
        await b.create(`${p}x`, 'v');
        const cur = await b.currentRevision();
        const err = await rejection(b.compact(cur + 5));
        assert.ok(isFutureRevision(err), String(err));
        await b.compact(cur);
        await b.compact(cur - 1);
        assert.equal(await b.compactedRevision(), cur);
      }),
    );

    test(
      'of concurrent updates to one key with the same revision exactly one wins each round',
      withBackend(async (b, p) => {
        let cur = await b.create(`${p}x`, '0');
        for (let round = 0; round < 5; round++) {
          const tries = await Promise.allSettled(
            Array.from({ length: 8 }, (_, i) => b.update(`${p}x`, `r${round}w${i}`, cur.modRevision)),
          );
          const won = tries.filter((t): t is PromiseFulfilledResult<KeyValue> => t.status === 'fulfilled');
          assert.equal(won.length, 1, `round ${round}`);
          const winner = won[0]!.value;
          for (const t of tries) {
            if (t.status === 'rejected') {
              assert.ok(isConflict(t.reason), String(t.reason));
              assert.deepEqual(t.reason.current, winner);
            }
          }
          assert.deepEqual(await b.get(`${p}x`), winner);
          cur = winner;
        }
      }),
    );

    test(
      'of concurrent creates of one key exactly one wins',
      withBackend(async (b, p) => {
        const tries = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => b.create(`${p}x`, `w${i}`)),
        );
        assert.equal(tries.filter((t) => t.status === 'fulfilled').length, 1);
        for (const t of tries)
          if (t.status === 'rejected') assert.ok(isKeyExists(t.reason), String(t.reason));
      }),
    );

    test('close lets pending writes finish, ends watches, and is idempotent', async () => {
      const b = await open();
      opened.push(b);
      const p = ns();
      const r0 = await b.currentRevision();
      const log = new EventLog();
      b.watch(p, { afterRevision: r0, onEvents: log.onEvents, onError: log.onError });
      const pending = [b.create(`${p}a`, '1'), b.create(`${p}b`, '2')];
      await b.close();
      const done = await Promise.all(pending);
      assert.deepEqual(
        done.map((k) => k.modRevision),
        [r0 + 1, r0 + 2],
      );
      assert.ok(log.error instanceof Error, 'the watch was ended with an error');
      await b.close();
      await rejection(b.create(`${p}c`, '3'));
      await rejection(b.get(`${p}a`));
    });
  });
}
