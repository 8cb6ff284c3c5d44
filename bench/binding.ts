import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Conn, call, parallel, startKvolUp, watchStream } from '../tools/kvolconn.ts';

const root = resolve(import.meta.dirname, '..');
const maxN = (() => {
  const i = process.argv.indexOf('--max');
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : 10_000;
})();

/** Resolves when `count` distinct objects under `path` satisfy `done`, as seen by a watch. */
function watchUntil(
  c: Conn,
  path: string,
  count: number,
  done: (o: { metadata: { name: string } } & Record<string, unknown>) => boolean,
): { finished: Promise<number> } {
  const seen = new Set<string>();
  const finished = new Promise<number>((res, rej) => {
    const w = watchStream<{ metadata: { name: string } } & Record<string, unknown>>(c, path, (_t, o, at) => {
      if (done(o)) seen.add(o.metadata.name);
      if (seen.size >= count) {
        res(at);
        w.stop();
      }
    });
    void w.ended.then(() => {
      if (seen.size < count) rej(new Error(`watch on ${path} ended after ${seen.size} of ${count}`));
    });
  });
  return { finished };
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

const isBound = (o: Record<string, unknown>): boolean =>
  (o['status'] as { phase?: string } | undefined)?.phase === 'Bound';

async function bindRun(
  n: number,
): Promise<{ n: number; seconds: number; perSecond: number; cpuMsPerBinding: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kvol-bench-bind-'));
  const { proc, conn } = await startKvolUp(dataDir);
  try {
    const ns = `bench-${n}`;
    await call(conn, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
    await parallel(n, 32, async (i) => {
      const r = await call(conn, 'POST', '/api/v1/persistentvolumes', {
        metadata: { name: `b${n}-pv-${i}` },
        spec: {
          capacity: { storage: `${1 + (i % 10)}Gi` },
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'bench',
          hostPath: { path: `/tmp/kvol-bench-${i}` },
        },
      });
      if (r.status !== 201) throw new Error(r.body);
    });
    // Let the controller settle the volumes (Available) before timing the claims.
    await new Promise((r) => setTimeout(r, 1000));
    const watch = watchUntil(conn, `/api/v1/namespaces/${ns}/persistentvolumeclaims`, n, isBound);
    const cpu0 = cpuMs(proc.pid!);
    const t0 = performance.now();
    await parallel(n, 32, async (i) => {
      const r = await call(conn, 'POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, {
        metadata: { name: `c-${i}` },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'bench',
          resources: { requests: { storage: `${1 + (i % 10)}Gi` } },
        },
      });
      if (r.status !== 201) throw new Error(r.body);
    });
    const t1 = await watch.finished;
    const cpu = cpuMs(proc.pid!) - cpu0;
    const seconds = (t1 - t0) / 1000;
    return { n, seconds, perSecond: n / seconds, cpuMsPerBinding: cpu / n };
  } finally {
    proc.kill('SIGINT');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function scheduleRun(n: number): Promise<{ n: number; seconds: number; podsPerSecond: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kvol-bench-sched-'));
  const { proc, conn } = await startKvolUp(dataDir);
  try {
    const nodes = 5;
    for (let i = 0; i < nodes; i++) {
      await call(conn, 'POST', '/api/v1/nodes', {
        metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}` } },
        status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
      });
    }
    await call(conn, 'POST', '/apis/storage.k8s.io/v1/storageclasses', {
      metadata: { name: 'local' },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    await parallel(n, 32, async (i) => {
      await call(conn, 'POST', '/api/v1/persistentvolumes', {
        metadata: { name: `l-pv-${i}` },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'local',
          local: { path: `/mnt/disk-${i}` },
          nodeAffinity: {
            required: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: 'kubernetes.io/hostname', operator: 'In', values: [`node-${i % nodes}`] },
                  ],
                },
              ],
            },
          },
        },
      });
      await call(conn, 'POST', '/api/v1/namespaces/default/persistentvolumeclaims', {
        metadata: { name: `l-c-${i}` },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'local',
          resources: { requests: { storage: '1Gi' } },
        },
      });
    });
    const watch = watchUntil(
      conn,
      '/api/v1/namespaces/default/pods',
      n,
      (o) => ((o['spec'] as { nodeName?: string }).nodeName ?? '') !== '',
    );
    const t0 = performance.now();
    await parallel(n, 32, async (i) => {
      await call(conn, 'POST', '/api/v1/namespaces/default/pods', {
        metadata: { name: `p-${i}` },
        spec: {
          containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'd', mountPath: '/d' }] }],
          volumes: [{ name: 'd', persistentVolumeClaim: { claimName: `l-c-${i}` } }],
        },
      });
    });
    const t1 = await watch.finished;
    const seconds = (t1 - t0) / 1000;
    return { n, seconds, podsPerSecond: n / seconds };
  } finally {
    proc.kill('SIGINT');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Record<string, unknown> = { cpus: cpus().length };
const rows: string[] = [];
for (const n of [1000, 10_000].filter((x) => x <= maxN)) {
  const r = await bindRun(n);
  results[`bind_${n}`] = r;
  rows.push(
    `| bind ${n} claims to ${n} volumes | ${r.seconds.toFixed(2)} s (${r.perSecond.toFixed(0)} bindings/s), kvol CPU ${r.cpuMsPerBinding.toFixed(2)} ms per binding |`,
  );
}
const s = await scheduleRun(Math.min(1000, maxN));
results['schedule_wffc'] = s;
rows.push(
  `| schedule ${s.n} pods with WaitForFirstConsumer claims | ${s.seconds.toFixed(2)} s (${s.podsPerSecond.toFixed(0)} pods/s) |`,
);
console.log(`\nkvol binding benchmark (${cpus().length} cores)\n\n| what | result |\n|---|---|`);
for (const r of rows) console.log(r);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/binding.json'), JSON.stringify(results, null, 2));
