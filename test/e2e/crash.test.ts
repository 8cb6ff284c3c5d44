// Crash safety of `kvol up`: SIGKILL during a burst of concurrent writes over HTTPS. After a restart on
// the same data dir every acknowledged write is there, resourceVersions keep increasing, and a watch
// resumed from the last resourceVersion a client saw continues without missing or repeating an event.
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { after, describe, it } from 'node:test';
import { type Conn, call, watchStream } from '../../tools/kvolconn.ts';
import { Kvol } from './harness.ts';

function conn(k: Kvol): Conn {
  return {
    url: k.url,
    token: k.token(),
    ca: k.caPem(),
    agent: new Agent({ keepAlive: true, maxSockets: 32 }),
  };
}

interface WatchEv {
  type: string;
  object: { metadata: { name: string; resourceVersion: string } };
}

/** Collects watch events until the stream breaks (the server dies) or stop() is called. */
function watch(
  c: Conn,
  path: string,
  rv: string,
): { events: WatchEv[]; ended: Promise<void>; stop: () => void } {
  const events: WatchEv[] = [];
  const w = watchStream<WatchEv['object']>(c, `${path}?resourceVersion=${rv}`, (type, object) =>
    events.push({ type, object }),
  );
  return { events, ended: w.ended, stop: w.stop };
}

const cmPath = '/api/v1/namespaces/default/configmaps';

describe('kvol up survives kill -9', { timeout: 300_000 }, () => {
  const kvol = new Kvol();
  after(async () => {
    await kvol.stop();
  });

  for (const round of [1, 2, 3]) {
    it(`keeps every acknowledged write and resumes watches after SIGKILL (round ${round})`, async () => {
      await kvol.start();
      let c = conn(kvol);
      const before = JSON.parse((await call(c, 'GET', cmPath)).body) as {
        metadata: { resourceVersion: string };
      };
      const startRV = Number(before.metadata.resourceVersion);
      const w = watch(c, cmPath, before.metadata.resourceVersion);

      // 32 writers create and update ConfigMaps until the server dies under them.
      const acked = new Map<string, number>();
      let stopWriting = false;
      const writers = Array.from({ length: 32 }, async (_, wi) => {
        for (let i = 0; !stopWriting; i++) {
          const name = `r${round}-w${wi}-${i}`;
          try {
            const r = await call(c, 'POST', cmPath, {
              metadata: { name },
              data: { payload: 'x'.repeat(1500) },
            });
            if (r.status !== 201) continue;
            const rv = Number(
              (JSON.parse(r.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion,
            );
            acked.set(name, rv);
          } catch {
            return;
          }
        }
      });
      // Kill after a random number of acknowledged writes (not after a time, which a loaded machine stretches).
      const killAfter = 100 + Math.floor(Math.random() * 900);
      while (acked.size < killAfter) await new Promise((r) => setTimeout(r, 5));
      await kvol.kill9();
      stopWriting = true;
      await Promise.all(writers);
      await w.ended;
      c.agent.destroy();
      assert.ok(acked.size >= killAfter, `only ${acked.size} writes were acknowledged before the kill`);

      // The watch saw a prefix of history; remember where it stopped.
      const seenBefore = w.events.filter((e) => e.type === 'ADDED');
      const lastSeen =
        seenBefore.length > 0
          ? seenBefore[seenBefore.length - 1]!.object.metadata.resourceVersion
          : String(startRV);

      await kvol.start();
      c = conn(kvol);
      const list = JSON.parse((await call(c, 'GET', cmPath)).body) as {
        metadata: { resourceVersion: string };
        items: { metadata: { name: string; resourceVersion: string } }[];
      };
      const stored = new Map(list.items.map((i) => [i.metadata.name, Number(i.metadata.resourceVersion)]));
      for (const [name, rv] of acked) {
        assert.equal(stored.get(name), rv, `acknowledged write ${name}@${rv} is missing after restart`);
      }
      const maxAcked = Math.max(...acked.values());
      const listRV = Number(list.metadata.resourceVersion);
      assert.ok(
        listRV >= maxAcked,
        `list resourceVersion ${listRV} went backwards (acked up to ${maxAcked})`,
      );
      const next = await call(c, 'POST', cmPath, { metadata: { name: `r${round}-after` }, data: {} });
      assert.equal(next.status, 201);
      const nextRV = Number(
        (JSON.parse(next.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion,
      );
      assert.ok(nextRV > listRV, 'a write after restart gets a larger resourceVersion');

      // Resume the watch from the last event the client saw: exactly the later creates, in order.
      const resumed = watch(c, cmPath, lastSeen);
      const expected =
        [...stored].filter(([n, rv]) => rv > Number(lastSeen) && n.startsWith(`r${round}-`)).length + 1;
      const deadline = Date.now() + 20_000;
      while (resumed.events.filter((e) => e.type === 'ADDED').length < expected && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      resumed.stop();
      const added = resumed.events.filter((e) => e.type === 'ADDED');
      const names = added.map((e) => e.object.metadata.name);
      assert.equal(new Set(names).size, names.length, 'no event repeated');
      const before2 = new Set(seenBefore.map((e) => e.object.metadata.name));
      for (const n of names)
        assert.ok(!before2.has(n), `event for ${n} was delivered before the crash and again after`);
      assert.equal(added.length, expected, 'every create after the last seen resourceVersion is delivered');
      const rvs = added.map((e) => Number(e.object.metadata.resourceVersion));
      assert.deepEqual(
        rvs,
        [...rvs].sort((a, b) => a - b),
        'events arrive in resourceVersion order',
      );
      await kvol.interrupt();
    });
  }
});
