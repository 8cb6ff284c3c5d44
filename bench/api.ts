import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { call, startKvolUp, watchStream } from '../tools/kvolconn.ts';

const root = resolve(import.meta.dirname, '..');
const seconds = (() => {
  const i = process.argv.indexOf('--seconds');
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : 5;
})();

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const cmBody = (name: string): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: { pad: 'x'.repeat(1900) },
  });

const pvcBody = (name: string, extra: Record<string, string> = {}): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, labels: { bench: 'yes' }, annotations: extra },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      storageClassName: 'manual',
    },
  });

async function loop(
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<{ ops: number; perSec: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const i = n++;
        const t = performance.now();
        await op(i);
        lat.push(performance.now() - t);
      }
    }),
  );
  const el = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  return { ops: lat.length, perSec: lat.length / el, p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kvol-bench-api-'));
  const { proc, conn } = await startKvolUp(dataDir);
  const rows: { metric: string; value: string }[] = [];
  const results: Record<string, unknown> = { cpus: cpus().length, seconds };
  try {
    // Creates and gets use 2 KB ConfigMaps: no controller reacts to them, so the API server alone is
    // measured even though `kvol up` also runs the controllers, the scheduler and a node agent.
    const ns = '/api/v1/namespaces/default/configmaps';
    let seq = 0;
    const names: string[] = [];
    for (const c of [1, 32]) {
      const r = await loop(c, async () => {
        const name = `create-${c}-${seq++}`;
        const res = await call(conn, 'POST', ns, cmBody(name));
        if (res.status !== 201) throw new Error(`create: ${res.status} ${res.body}`);
        names.push(name);
      });
      results[`creates_c${c}`] = r;
      rows.push({
        metric: `creates/s (2 KB ConfigMap), concurrency ${c}`,
        value: `${r.perSec.toFixed(0)} (p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms)`,
      });
    }
    for (const c of [1, 32]) {
      const r = await loop(c, async (i) => {
        const res = await call(conn, 'GET', `${ns}/${names[i % names.length]}`);
        if (res.status !== 200) throw new Error(`get: ${res.status}`);
      });
      results[`gets_c${c}`] = r;
      rows.push({
        metric: `gets/s, concurrency ${c}`,
        value: `${r.perSec.toFixed(0)} (p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms)`,
      });
    }

    // Watch latency: a watch on ConfigMaps; writes at a steady pace, each stamped with its send time.
    const sent = new Map<string, number>();
    const lat: number[] = [];
    const cmPath = '/api/v1/namespaces/default/configmaps';
    const list = JSON.parse((await call(conn, 'GET', cmPath)).body) as {
      metadata: { resourceVersion: string };
    };
    const watchDone = new Promise<void>((res, rej) => {
      const w = watchStream<{ metadata: { name: string } }>(
        conn,
        `${cmPath}?resourceVersion=${list.metadata.resourceVersion}`,
        (_t, o, at) => {
          const t = sent.get(o.metadata.name);
          if (t !== undefined) lat.push(at - t);
          if (lat.length >= 2000) {
            w.stop();
            res();
          }
        },
      );
      void w.ended.then(() => (lat.length >= 2000 ? res() : rej(new Error('watch ended early'))));
    });
    for (let i = 0; i < 2000; i++) {
      const name = `w-${i}`;
      sent.set(name, performance.now());
      await call(conn, 'POST', cmPath, JSON.stringify({ metadata: { name }, data: { k: 'v' } }));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await watchDone;
    lat.sort((a, b) => a - b);
    results['watch_latency_ms'] = { p50: pct(lat, 50), p99: pct(lat, 99), n: lat.length };
    rows.push({
      metric: 'watch delivery latency (write sent -> event received)',
      value: `p50 ${pct(lat, 50).toFixed(2)} ms, p99 ${pct(lat, 99).toFixed(2)} ms`,
    });

    // 10,000 PVCs in their own namespace, then list them.
    await call(conn, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'bench-list' } }));
    const lp = '/api/v1/namespaces/bench-list/persistentvolumeclaims';
    let made = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (made < 10_000) {
          const i = made++;
          const r = await call(conn, 'POST', lp, pvcBody(`l-${String(i).padStart(5, '0')}`));
          if (r.status !== 201) throw new Error(`create: ${r.status} ${r.body}`);
        }
      }),
    );
    for (const [label, accept] of [
      ['JSON', 'application/json'],
      ['Table', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        const r = await call(conn, 'GET', lp, undefined, accept);
        times.push(performance.now() - t);
        if (r.status !== 200) throw new Error(`list: ${r.status}`);
        if (i === 0) {
          const n = JSON.parse(r.body) as { items?: unknown[]; rows?: unknown[] };
          if ((n.items ?? n.rows ?? []).length !== 10_000)
            throw new Error('list did not return 10,000 items');
        }
      }
      times.sort((a, b) => a - b);
      results[`list10k_${label}`] = { p50: pct(times, 50), max: times[times.length - 1] };
      rows.push({
        metric: `list 10,000 PVCs (${label})`,
        value: `p50 ${pct(times, 50).toFixed(0)} ms, max ${times[times.length - 1]!.toFixed(0)} ms`,
      });
    }
  } finally {
    proc.kill('SIGINT');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`\nkvol API benchmark (${cpus().length} cores, ${seconds} s per throughput row)\n`);
  console.log('| metric | result |\n|---|---|');
  for (const r of rows) console.log(`| ${r.metric} | ${r.value} |`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/api.json'), JSON.stringify(results, null, 2));
}

await main();
