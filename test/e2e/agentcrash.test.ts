// Crash safety of the node agent inside `kvol up`: SIGKILL at a random point while 50 pods (each with a
// disk emptyDir, a Memory emptyDir, a secret and a configMap volume, bound to kvol's node) are being
// created and some pods, new and old, deleted. After a restart on the same data dir, and once the client
// has retried what it had not seen acknowledged, every pod that should exist is Running and every
// deleted pod is gone; the mount table holds each desired tmpfs volume exactly once and nothing else
// under the pods dir (so no mount of a deleted pod, and no second tmpfs mounted over a volume that was
// already mounted before the crash, which would also hide its contents); no directory of a deleted pod
// remains; the files are the pod's own secret and configMap; and what was written into the emptyDir
// volumes of pods that lived through an earlier crash is still there. Three rounds, three kill points.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kvol, type MountEntry, mountsUnder } from './harness.ts';

const nodeName = 'kvol-crash-node';
const podsPerRound = 50;
const ns = '/api/v1/namespaces/default';

interface Conn {
  url: string;
  token: string;
  ca: string;
  agent: Agent;
}

function conn(k: Kvol): Conn {
  return {
    url: k.url,
    token: k.token(),
    ca: k.caPem(),
    agent: new Agent({ keepAlive: true, maxSockets: 16 }),
  };
}

function call(
  c: Conn,
  method: string,
  path: string,
  body?: object,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${c.token}` };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const req = request(`${c.url}${path}`, { method, headers, ca: c.ca, agent: c.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** POST that is fine with the object being there already (a client retrying its create). */
async function ensure(c: Conn, path: string, body: object): Promise<void> {
  const r = await call(c, 'POST', path, body);
  if (r.status !== 201 && r.status !== 409) throw new Error(`POST ${path}: ${r.status} ${r.body}`);
}

/** DELETE that is fine with the object being gone already; a graceful delete, as kubectl's. */
async function remove(c: Conn, path: string): Promise<void> {
  const r = await call(c, 'DELETE', path);
  if (r.status !== 200 && r.status !== 202 && r.status !== 404) {
    throw new Error(`DELETE ${path}: ${r.status} ${r.body}`);
  }
}

const secretToken = (pod: string): string => `token-of-${pod}`;

/** Creates the pod's secret, its configMap, then the pod. */
async function createPod(c: Conn, name: string): Promise<void> {
  await ensure(c, `${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${name}-secret` },
    stringData: { token: secretToken(name) },
  });
  await ensure(c, `${ns}/configmaps`, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-config` },
    data: { name },
  });
  await ensure(c, `${ns}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { test: 'agentcrash' } },
    spec: {
      nodeName,
      containers: [
        {
          name: 'app',
          image: 'busybox',
          volumeMounts: [
            { name: 'scratch', mountPath: '/scratch' },
            { name: 'mem', mountPath: '/mem' },
            { name: 'secret', mountPath: '/secret' },
            { name: 'config', mountPath: '/config' },
          ],
        },
      ],
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
        { name: 'secret', secret: { secretName: `${name}-secret` } },
        { name: 'config', configMap: { name: `${name}-config` } },
      ],
    },
  });
}

interface PodInfo {
  uid: string;
  phase: string;
  deleting: boolean;
}

async function listPods(c: Conn): Promise<Map<string, PodInfo>> {
  const r = await call(c, 'GET', `${ns}/pods?labelSelector=test%3Dagentcrash`);
  assert.equal(r.status, 200, r.body);
  const list = JSON.parse(r.body) as {
    items: {
      metadata: { name: string; uid: string; deletionTimestamp?: string };
      status?: { phase?: string };
    }[];
  };
  return new Map(
    list.items.map((p) => [
      p.metadata.name,
      {
        uid: p.metadata.uid,
        phase: p.status?.phase ?? '',
        deleting: p.metadata.deletionTimestamp !== undefined,
      },
    ]),
  );
}

const randInt = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));

describe('the node agent survives kill -9 of kvol while pods come and go', { timeout: 900_000 }, () => {
  const kvol = new Kvol();
  const podsDir = join(kvol.dataDir, 'kubelet', 'pods');
  /** Every pod name the test ever used, and whether it should exist now. */
  const want = new Map<string, 'alive' | 'deleted'>();
  /** Marker files written into a pod's emptyDir volumes after a round: pod name -> uid. */
  const marked = new Map<string, string>();

  const volDir = (uid: string, plugin: string, vol: string): string =>
    join(podsDir, uid, 'volumes', `kubernetes.io~${plugin}`, vol);
  const tmpfsVolumes = (uid: string): string[] => [
    volDir(uid, 'empty-dir', 'mem'),
    volDir(uid, 'secret', 'secret'),
  ];

  /** What is still wrong with the node compared to `want` (empty once it has converged). */
  async function problems(c: Conn): Promise<string[]> {
    const out: string[] = [];
    const pods = await listPods(c);
    const aliveUIDs = new Set<string>();
    for (const [name, w] of want) {
      const p = pods.get(name);
      if (w === 'deleted') {
        if (p !== undefined)
          out.push(`deleted pod ${name} still exists (phase ${p.phase}, deleting ${p.deleting})`);
        continue;
      }
      if (p === undefined) {
        out.push(`pod ${name} does not exist`);
        continue;
      }
      aliveUIDs.add(p.uid);
      if (p.phase !== 'Running' || p.deleting) out.push(`pod ${name} is ${p.phase} (deleting ${p.deleting})`);
    }
    for (const name of pods.keys()) if (!want.has(name)) out.push(`unexpected pod ${name}`);

    const dirs = existsSync(podsDir) ? readdirSync(podsDir) : [];
    for (const uid of dirs) if (!aliveUIDs.has(uid)) out.push(`pod dir ${uid} of a pod that is gone remains`);

    const mounts = mountsUnder(podsDir);
    const seen = new Map<string, MountEntry[]>();
    for (const m of mounts) seen.set(m.path, [...(seen.get(m.path) ?? []), m]);
    const expected = new Set([...aliveUIDs].flatMap(tmpfsVolumes));
    for (const [path, entries] of seen) {
      if (entries.length > 1) out.push(`${path} is mounted ${entries.length} times`);
      if (!expected.has(path)) out.push(`unexpected mount ${path} (${entries[0]!.type})`);
      else if (entries.some((e) => e.type !== 'tmpfs')) out.push(`${path} is not tmpfs`);
    }
    for (const path of expected) if (!seen.has(path)) out.push(`${path} is not mounted`);
    return out;
  }

  async function waitConverged(c: Conn, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    let last: string[] = [];
    for (;;) {
      last = await problems(c);
      if (last.length === 0) return;
      if (Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.fail(
      `the node did not converge (${last.length} problems):\n${last.slice(0, 30).join('\n')}\n` +
        `kvol output (tail):\n${kvol.output.split('\n').slice(-40).join('\n')}`,
    );
  }

  /** The files of every pod that should exist, and the markers of earlier rounds. */
  async function checkContents(c: Conn): Promise<void> {
    const pods = await listPods(c);
    for (const [name, w] of want) {
      if (w !== 'alive') continue;
      const uid = pods.get(name)!.uid;
      const secret = volDir(uid, 'secret', 'secret');
      assert.deepEqual(
        readdirSync(secret).filter((f) => !f.startsWith('..')),
        ['token'],
        `files of ${name}'s secret volume`,
      );
      assert.equal(readFileSync(join(secret, 'token'), 'utf8'), secretToken(name), `${name}'s secret`);
      const config = volDir(uid, 'configmap', 'config');
      assert.equal(readFileSync(join(config, 'name'), 'utf8'), name, `${name}'s configMap`);
      assert.ok(statSync(volDir(uid, 'empty-dir', 'scratch')).isDirectory(), `${name}'s scratch emptyDir`);
      if (marked.get(name) === uid) {
        for (const vol of ['scratch', 'mem']) {
          const f = join(volDir(uid, 'empty-dir', vol), 'marker');
          assert.ok(
            existsSync(f),
            `${name}'s ${vol} emptyDir lost what was written into it before the crash`,
          );
          assert.equal(readFileSync(f, 'utf8'), `${name}/${uid}`);
        }
      }
    }
  }

  /** Writes a marker into the emptyDir volumes of every pod that has none yet. */
  async function mark(c: Conn): Promise<void> {
    const pods = await listPods(c);
    for (const [name, w] of want) {
      if (w !== 'alive') continue;
      const uid = pods.get(name)!.uid;
      if (marked.get(name) === uid) continue;
      for (const vol of ['scratch', 'mem']) {
        writeFileSync(join(volDir(uid, 'empty-dir', vol), 'marker'), `${name}/${uid}`);
      }
      marked.set(name, uid);
    }
  }

  before(async () => {
    await kvol.start(['--node-name', nodeName]);
    await kvol.ok(['wait', `node/${nodeName}`, '--for=condition=Ready', '--timeout=60s']);
  });
  after(async () => {
    await kvol.stop();
  });

  for (const round of [1, 2, 3]) {
    it(`converges to exactly the desired mounts after SIGKILL at a random point (round ${round})`, async () => {
      let c = conn(kvol);
      const names = Array.from(
        { length: podsPerRound },
        (_, i) => `r${round}-p${String(i).padStart(2, '0')}`,
      );
      const older = [...want].filter(([, w]) => w === 'alive').map(([n]) => n);
      const deleteOld = older.sort(() => Math.random() - 0.5).slice(0, 5);
      const deleteNew = names.filter((_, i) => i % 4 === 1);
      for (const n of names) want.set(n, 'alive');
      for (const n of [...deleteNew, ...deleteOld]) want.set(n, 'deleted');

      // Eight clients create the pods (secret, configMap, pod) in order; a pod chosen for deletion is
      // deleted a moment after its creation, and some older pods at random moments; kvol is killed
      // once a random number of pods has been created.
      const killAfter = randInt(5, podsPerRound - 5);
      let created = 0;
      let next = 0;
      let killed: Promise<void> | undefined;
      const kill = (): Promise<void> => {
        killed ??= kvol.kill9();
        return killed;
      };
      const pending: Promise<unknown>[] = [];
      const later = (ms: number, fn: () => Promise<void>): void => {
        pending.push(
          new Promise((r) => setTimeout(r, ms)).then(fn).catch(() => {
            // kvol died under it: retried after the restart.
          }),
        );
      };
      for (const n of deleteOld) later(randInt(0, 1500), () => remove(c, `${ns}/pods/${n}`));
      const failures: string[] = [];
      const workers = Array.from({ length: 8 }, async () => {
        while (killed === undefined && next < names.length) {
          const name = names[next++]!;
          try {
            await createPod(c, name);
          } catch (err) {
            if (killed === undefined) failures.push(`${name}: ${(err as Error).message}`);
            return;
          }
          if (++created === killAfter) void kill();
          if (want.get(name) === 'deleted') later(randInt(0, 400), () => remove(c, `${ns}/pods/${name}`));
        }
      });
      await Promise.all(workers);
      await kill();
      await Promise.all(pending);
      c.agent.destroy();
      assert.deepEqual(failures, [], 'requests failed before the kill');
      assert.ok(created >= killAfter, `only ${created} pods were created before the kill`);

      await kvol.start(['--node-name', nodeName]);
      c = conn(kvol);
      try {
        // The client retries what it may not have seen done.
        for (const n of names) if (want.get(n) === 'alive') await createPod(c, n);
        for (const n of [...deleteNew, ...deleteOld]) await remove(c, `${ns}/pods/${n}`);

        await waitConverged(c, 240_000);
        await checkContents(c);
        await mark(c);
        // Still exactly right a moment later: nothing mounted twice by a late operation.
        await new Promise((r) => setTimeout(r, 1000));
        assert.deepEqual(await problems(c), []);
      } finally {
        c.agent.destroy();
      }
    });
  }
});
