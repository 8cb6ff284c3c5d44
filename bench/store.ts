// Benchmark (not a test): durable writes per second of the store backends with 2 KB values, at
// concurrency 1 and 32. Each write is a create of a fresh key; a write counts when its promise resolves,
// which for SQLite means committed with synchronous=FULL. Prints a markdown table and writes
// bench/results/store.json. Usage: tsx bench/store.ts [--writes N] [--seconds S]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Backend, openMemoryBackend, openSqliteBackend } from '../src/storage/index.ts';

interface Result {
  backend: string;
  concurrency: number;
  writes: number;
  seconds: number;
  writesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

const maxWrites = arg('writes', 50_000);
const maxSeconds = arg('seconds', 5);
const value = JSON.stringify({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'bench', namespace: 'default' },
  data: { pad: 'x'.repeat(1950) },
});

async function run(backend: string, b: Backend, concurrency: number): Promise<Result> {
  const latencies: number[] = [];
  let issued = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  const start = performance.now();
  const worker = async (w: number): Promise<void> => {
    while (issued < maxWrites && performance.now() < deadline) {
      const i = issued++;
      const t0 = performance.now();
      await b.create(`/registry/configmaps/bench-c${concurrency}/w${w}-${i}`, value);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
  return {
    backend,
    concurrency,
    writes: latencies.length,
    seconds: round(seconds),
    writesPerSecond: Math.round(latencies.length / seconds),
    p50Ms: round(pct(0.5)),
    p99Ms: round(pct(0.99)),
    maxMs: round(latencies[latencies.length - 1] ?? 0),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'kvol-bench-store-'));
const results: Result[] = [];
try {
  for (const concurrency of [1, 32]) {
    const sqlite = await openSqliteBackend(join(dir, `c${concurrency}`, 'kvol.db'));
    results.push(await run('sqlite', sqlite, concurrency));
    await sqlite.close();
  }
  for (const concurrency of [1, 32]) {
    const memory = await openMemoryBackend();
    results.push(await run('memory', memory, concurrency));
    await memory.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const lines = [
  `store write throughput, 2 KB values (${value.length} bytes), creates, ${cpus().length} cores, node ${process.version}`,
  '',
  '| backend | concurrency | writes | seconds | writes/s | p50 ms | p99 ms | max ms |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.backend} | ${r.concurrency} | ${r.writes} | ${r.seconds} | ${r.writesPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} |`,
  ),
];
console.log(lines.join('\n'));
const out = resolve(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'store.json'),
  `${JSON.stringify(
    {
      benchmark: 'store',
      date: new Date().toISOString(),
      node: process.version,
      cores: cpus().length,
      valueBytes: value.length,
      durability: 'sqlite: WAL, synchronous=FULL, group commit; memory: none',
      results,
    },
    null,
    2,
  )}\n`,
);
