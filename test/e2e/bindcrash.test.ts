// Crash safety of binding: `kill -9` of kvol while the PV controller binds 1,000 claims to 1,000
// volumes, at several random points. After each restart every claim ends bound to exactly one volume,
// and no volume to two claims.
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { after, describe, it } from 'node:test';
import { type Conn, call, parallel } from '../../tools/kvolconn.ts';
import { Kvol } from './harness.ts';

interface Obj {
  metadata: { name: string; namespace?: string; uid: string };
  spec: { volumeName?: string; claimRef?: { name: string; namespace: string; uid?: string } };
  status?: { phase?: string };
}

const N = 1000;
const pvcs = '/api/v1/namespaces/default/persistentvolumeclaims';

describe('binding survives kill -9', { timeout: 600_000 }, () => {
  const kvol = new Kvol();
  after(async () => {
    await kvol.stop();
  });

  const connect = (): Conn => ({
    url: kvol.url,
    token: kvol.token(),
    ca: kvol.caPem(),
    agent: new Agent({ keepAlive: true, maxSockets: 32 }),
  });

  const state = async (c: Conn): Promise<{ claims: Obj[]; volumes: Obj[] }> => {
    const claims = (JSON.parse((await call(c, 'GET', pvcs)).body) as { items: Obj[] }).items;
    const volumes = (JSON.parse((await call(c, 'GET', '/api/v1/persistentvolumes')).body) as { items: Obj[] })
      .items;
    return { claims, volumes };
  };

  for (const round of [1, 2, 3]) {
    it(`ends with a one-to-one binding after a kill during binding (round ${round})`, async () => {
      await kvol.start();
      let c = connect();
      const cls = `crash${round}`;
      await parallel(N, 32, async (i) => {
        const r = await call(c, 'POST', '/api/v1/persistentvolumes', {
          metadata: { name: `r${round}-pv-${i}` },
          spec: {
            capacity: { storage: '1Gi' },
            accessModes: ['ReadWriteOnce'],
            storageClassName: cls,
            hostPath: { path: `/tmp/kvol-crash-${i}` },
          },
        });
        assert.equal(r.status, 201, r.body);
      });
      // Claims arrive while the controller binds; the kill lands somewhere in the middle.
      const creating = parallel(N, 32, async (i) => {
        try {
          await call(c, 'POST', pvcs, {
            metadata: { name: `r${round}-pvc-${i}` },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: cls,
              resources: { requests: { storage: '1Gi' } },
            },
          });
        } catch {
          // the server died under us
        }
      });
      await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 1500)));
      await kvol.kill9();
      await creating;
      c.agent.destroy();

      await kvol.start();
      c = connect();
      // Create the claims the kill cut off, so there are N of them.
      const present = new Set((await state(c)).claims.map((x) => x.metadata.name));
      await parallel(N, 32, async (i) => {
        const name = `r${round}-pvc-${i}`;
        if (present.has(name)) return;
        const r = await call(c, 'POST', pvcs, {
          metadata: { name },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: cls,
            resources: { requests: { storage: '1Gi' } },
          },
        });
        assert.ok(r.status === 201 || r.status === 409, r.body);
      });
      const deadline = Date.now() + 120_000;
      let s = await state(c);
      const mine = (o: Obj): boolean => o.metadata.name.startsWith(`r${round}-`);
      while (s.claims.filter(mine).some((x) => x.status?.phase !== 'Bound') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        s = await state(c);
      }
      const claims = s.claims.filter(mine);
      const volumes = new Map(s.volumes.filter(mine).map((v) => [v.metadata.name, v]));
      assert.equal(claims.length, N);
      const used = new Map<string, string>();
      for (const claim of claims) {
        assert.equal(claim.status?.phase, 'Bound', `${claim.metadata.name} is ${claim.status?.phase}`);
        const vol = claim.spec.volumeName ?? '';
        assert.ok(!used.has(vol), `${vol} is bound to both ${used.get(vol)} and ${claim.metadata.name}`);
        used.set(vol, claim.metadata.name);
        const pv = volumes.get(vol);
        assert.ok(pv !== undefined, `${claim.metadata.name} names a missing volume ${vol}`);
        assert.equal(pv.spec.claimRef?.name, claim.metadata.name);
        assert.equal(pv.spec.claimRef?.uid, claim.metadata.uid);
        assert.equal(pv.status?.phase, 'Bound');
      }
      assert.equal(used.size, N);
      c.agent.destroy();
      await kvol.interrupt();
    });
  }
});
