// Benchmark (not a test): tmpfs mount+unmount pairs per second through RealMounter (mount(2) and
// umount2(2) called in-process through koffi) against spawning mount(8) and umount(8), as upstream
// mount-utils does. Also a read-only bind (bind + remount, two system calls; mount(8) does the same
// internally). Needs root. Prints a markdown table and writes bench/results/mount.json.
// Usage: tsx bench/mount.ts [--seconds S] [--pairs N]
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { makeTestRoot, RealMounter, removeTestRoot } from '../src/volume/index.ts';

const run = promisify(execFile);

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

const maxSeconds = arg('seconds', 3);
const maxPairs = arg('pairs', 100_000);

interface Result {
  method: string;
  mount: string;
  concurrency: number;
  pairs: number;
  seconds: number;
  pairsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

type Pair = (target: string, source: string) => Promise<void>;

async function measure(
  method: string,
  mount: string,
  concurrency: number,
  targets: string[],
  src: string,
  pair: Pair,
): Promise<Result> {
  const latencies: number[] = [];
  let issued = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  const start = performance.now();
  const worker = async (w: number): Promise<void> => {
    const target = targets[w]!;
    while (issued < maxPairs && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      await pair(target, src);
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
    method,
    mount,
    concurrency,
    pairs: latencies.length,
    seconds: round(seconds),
    pairsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: round(pct(0.5)),
    p99Ms: round(pct(0.99)),
  };
}

if (process.getuid?.() !== 0) {
  console.error('bench/mount.ts needs root (it mounts tmpfs)');
  process.exit(1);
}

const root = makeTestRoot('bench-mount');
const results: Result[] = [];
try {
  const src = join(root, 'src');
  mkdirSync(src);
  const targets = Array.from({ length: 8 }, (_, i) => {
    const t = join(root, `t${i}`);
    mkdirSync(t);
    return t;
  });
  const m = new RealMounter();
  const tmpfsOpts = { fstype: 'tmpfs', options: ['size=1m', 'mode=0755'] };

  results.push(
    await measure('RealMounter (mount(2) via koffi)', 'tmpfs', 1, targets, src, async (t) => {
      await m.mount('tmpfs', t, tmpfsOpts);
      await m.unmount(t);
    }),
  );
  for (const c of [1, 8]) {
    results.push(
      await measure('spawn mount(8) / umount(8)', 'tmpfs', c, targets, src, async (t) => {
        await run('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'tmpfs', t]);
        await run('umount', [t]);
      }),
    );
  }
  results.push(
    await measure('RealMounter (mount(2) via koffi)', 'bind,ro', 1, targets, src, async (t, s) => {
      await m.mount(s, t, { options: ['bind', 'ro'] });
      await m.unmount(t);
    }),
  );
  results.push(
    await measure('spawn mount(8) / umount(8)', 'bind,ro', 1, targets, src, async (t, s) => {
      await run('mount', ['-o', 'bind,ro', s, t]);
      await run('umount', [t]);
    }),
  );
} finally {
  await removeTestRoot(root);
}
if (readFileSync('/proc/self/mounts', 'utf8').includes(root)) throw new Error(`mounts left under ${root}`);

const lines = [
  `mount+unmount pairs, ${cpus().length} cores, node ${process.version}, ${maxSeconds} s per row`,
  '',
  '| method | mount | concurrency | pairs | seconds | pairs/s | p50 ms | p99 ms |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.method} | ${r.mount} | ${r.concurrency} | ${r.pairs} | ${r.seconds} | ${r.pairsPerSecond} | ${r.p50Ms} | ${r.p99Ms} |`,
  ),
];
console.log(lines.join('\n'));
const out = resolve(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'mount.json'),
  `${JSON.stringify(
    {
      benchmark: 'mount',
      date: new Date().toISOString(),
      node: process.version,
      cores: cpus().length,
      results,
    },
    null,
    2,
  )}\n`,
);
