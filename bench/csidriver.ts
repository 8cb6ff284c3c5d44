// Benchmark (not a test): the bundled CSI driver hostpath.csi.kvol.io over its unix socket.
// CreateVolume, DeleteVolume, NodePublishVolume and NodeUnpublishVolume latency (p50, p99) and ops/s,
// sequential and with 8 calls in flight. The driver runs as its own process (`kvol csi-hostpath`, as
// kvol up runs it) unless --in-process is given. Needs root (bind mounts). Prints a markdown table
// and writes bench/results/csidriver.json.
// Usage: tsx bench/csidriver.ts [--seconds S] [--in-process]
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { VolumeCapability } from '../src/csi/index.ts';
import { CsiClient, type RunningHostPathDriver, startHostPathDriver } from '../src/csi/index.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

const seconds = arg('seconds', 3);
const inProcess = process.argv.includes('--in-process');
const mountCap: VolumeCapability = { mount: {}, access_mode: { mode: 'SINGLE_NODE_MULTI_WRITER' } };

interface Result {
  operation: string;
  concurrency: number;
  ops: number;
  seconds: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

function summarise(operation: string, concurrency: number, latencies: number[], elapsedMs: number): Result {
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return {
    operation,
    concurrency,
    ops: latencies.length,
    seconds: round(elapsedMs / 1000),
    opsPerSecond: Math.round(latencies.length / (elapsedMs / 1000)),
    p50Ms: round(pct(0.5)),
    p99Ms: round(pct(0.99)),
  };
}

if (process.getuid?.() !== 0) {
  console.error('bench/csidriver.ts needs root (it bind-mounts volumes)');
  process.exit(1);
}

const root = mkdtempSync(join(tmpdir(), 'kvol-bench-csidriver-'));
const sock = join(root, 'csi.sock');
const stateDir = join(root, 'state');
let child: ChildProcess | undefined;
let inproc: RunningHostPathDriver | undefined;
const results: Result[] = [];

function cleanup(): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m?.startsWith(root) === true)
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      // already gone
    }
  }
  rmSync(root, { recursive: true, force: true });
}

try {
  if (inProcess) {
    inproc = await startHostPathDriver({ endpoint: `unix://${sock}`, nodeId: 'bench', stateDir });
  } else {
    const kvol = resolve(import.meta.dirname, '../bin/kvol.js');
    child = spawn(
      process.execPath,
      [
        kvol,
        'csi-hostpath',
        '--endpoint',
        `unix://${sock}`,
        '--node-id',
        'bench',
        '--state-dir',
        stateDir,
        '--exit-with-parent',
      ],
      { stdio: ['pipe', 'ignore', 'inherit'] },
    );
    for (let i = 0; i < 400 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
  }
  const client = new CsiClient(`unix://${sock}`, { defaultTimeoutMs: 30_000 });
  await client.probe();

  for (const concurrency of [1, 8]) {
    // CreateVolume until the time is up, then DeleteVolume of everything created.
    const ids: string[] = [];
    let lat: number[] = [];
    let n = 0;
    let t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const name = `pvc-c${concurrency}-${n++}`;
          const s = performance.now();
          const res = await client.createVolume({
            name,
            capacity_range: { required_bytes: 1024 * 1024 },
            volume_capabilities: [mountCap],
          });
          lat.push(performance.now() - s);
          ids.push(res.volume?.volume_id ?? '');
        }
      }),
    );
    results.push(summarise('CreateVolume', concurrency, lat, performance.now() - t0));
    lat = [];
    t0 = performance.now();
    const queue = [...ids];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
          const s = performance.now();
          await client.deleteVolume({ volume_id: id });
          lat.push(performance.now() - s);
        }
      }),
    );
    results.push(summarise('DeleteVolume', concurrency, lat, performance.now() - t0));

    // Publish/unpublish pairs, each worker on its own staged volume and pod directory.
    const workers = await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        const res = await client.createVolume({
          name: `pub-c${concurrency}-${w}`,
          capacity_range: { required_bytes: 1024 * 1024 },
          volume_capabilities: [mountCap],
        });
        const id = res.volume?.volume_id ?? '';
        const staging = join(root, `staging-${concurrency}-${w}`);
        const pod = join(root, `pod-${concurrency}-${w}`);
        mkdirSync(staging);
        mkdirSync(pod);
        await client.nodeStageVolume({
          volume_id: id,
          staging_target_path: staging,
          volume_capability: mountCap,
        });
        return { id, staging, target: join(pod, 'mount') };
      }),
    );
    const pubLat: number[] = [];
    const unpubLat: number[] = [];
    t0 = performance.now();
    const pubDeadline = t0 + seconds * 1000;
    await Promise.all(
      workers.map(async (w) => {
        while (performance.now() < pubDeadline) {
          let s = performance.now();
          await client.nodePublishVolume({
            volume_id: w.id,
            staging_target_path: w.staging,
            target_path: w.target,
            volume_capability: mountCap,
          });
          pubLat.push(performance.now() - s);
          s = performance.now();
          await client.nodeUnpublishVolume({ volume_id: w.id, target_path: w.target });
          unpubLat.push(performance.now() - s);
        }
      }),
    );
    const elapsed = performance.now() - t0;
    // Each kind had about half of the time: report its rate over the time spent in it.
    const spent = (l: number[]): number => l.reduce((a, b) => a + b, 0) / concurrency;
    results.push(summarise('NodePublishVolume', concurrency, pubLat, Math.min(elapsed, spent(pubLat))));
    results.push(summarise('NodeUnpublishVolume', concurrency, unpubLat, Math.min(elapsed, spent(unpubLat))));
    for (const w of workers) {
      await client.nodeUnstageVolume({ volume_id: w.id, staging_target_path: w.staging });
      await client.deleteVolume({ volume_id: w.id });
    }
  }
  client.close();
} finally {
  if (child !== undefined) {
    child.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));
  }
  await inproc?.stop();
  cleanup();
}

const lines = [
  `bundled CSI driver hostpath.csi.kvol.io over its unix socket (${inProcess ? 'in-process' : 'separate process'}; ${cpus().length} cores, ${seconds} s per phase)`,
  '',
  '| operation | concurrency | ops | ops/s | p50 ms | p99 ms |',
  '|---|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) => `| ${r.operation} | ${r.concurrency} | ${r.ops} | ${r.opsPerSecond} | ${r.p50Ms} | ${r.p99Ms} |`,
  ),
];
console.log(lines.join('\n'));
const out = resolve(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'csidriver.json'),
  `${JSON.stringify(
    {
      benchmark: 'csidriver',
      date: new Date().toISOString(),
      node: process.version,
      cores: cpus().length,
      driver: inProcess ? 'in-process' : 'process',
      results,
    },
    null,
    2,
  )}\n`,
);
