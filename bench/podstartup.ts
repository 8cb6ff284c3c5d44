// Benchmark (not a test): pod startup through the node agent inside `kvol up`, with real mounts.
// Starts `kvol up --node-name <node>` as its own process (needs root) and, for a pod with five volumes
// (emptyDir, configMap, secret, projected, downwardAPI) bound to that node, measures from this process
//   - sequential: N pods one after another (default 100), each created, measured, deleted and waited
//     for: creation -> all volumes set up on disk, creation -> Running (condition Ready True, seen by a
//     watch on the node's pods), and delete -> gone (tear-down included); p50 and p99;
//   - burst: M pods created at once (default 200): time until all volumes are set up and all pods are
//     Running, per-pod p50/p99, and delete -> all gone;
//   - the physical floor of the same work, done in this process without kvol: per pod, mkdir, three
//     tmpfs mounts (secret, projected, downwardAPI) written through the AtomicWriter, the configMap's
//     files written on disk through the AtomicWriter, the emptyDir's mkdir; then unmount and remove
//     (the five volumes of a pod concurrently, the burst's pods concurrently); and the same layout
//     written with synchronous system calls only (no thread-pool round trips), one pod after another.
// "Volumes set up on disk" is polled (1 ms sequential, 2 ms burst): every `..data` link of the four
// AtomicWriter volumes and the emptyDir's ready marker exist.
//
// Profiling: `--profile DIR` runs each kvol with --cpu-prof into DIR (kvol is stopped with
// SIGINT so the profile is written), then prints the functions with the most self time during each run's
// measurement window (and inclusive time of kvol's own functions). KVOL_BENCH_NODE_ARGS passes further Node
// flags to every kvol process. Prints a markdown table and writes bench/results/podstartup.json.
// Usage: tsx bench/podstartup.ts [--sequential N] [--burst M] [--profile DIR] [--skip-floor]
import type { ChildProcess } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AtomicWriter, type FileProjection, RealMounter } from '../src/volume/index.ts';
import { type Conn, call, startKvolUp, watchStream } from '../tools/kvolconn.ts';

const root = resolve(import.meta.dirname, '..');
const nodeName = 'kvol-bench-node';
const ns = 'bench';

function argNum(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v >= 0 ? v : dflt;
}
function argStr(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const sequentialN = argNum('sequential', 100);
const burstN = argNum('burst', 200);
const profileDir = argStr('profile');
const skipFloor = process.argv.includes('--skip-floor');
const extraNodeArgs = (process.env['KVOL_BENCH_NODE_ARGS'] ?? '').split(/\s+/).filter((s) => s !== '');

// ---- HTTP ---------------------------------------------------------------------------------------

async function mustCall(c: Conn, method: string, path: string, body?: object): Promise<string> {
  const r = await call(c, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
  return r.body;
}

interface PodLike {
  metadata: { name: string; uid: string };
  status?: { phase?: string; startTime?: string; conditions?: { type: string; status: string }[] };
}

/** A watch on the node's pods in the bench namespace; calls `onEvent` for every event as it arrives. */
function watchPods(c: Conn, onEvent: (type: string, pod: PodLike, at: number) => void): () => void {
  return watchStream<PodLike>(
    c,
    `/api/v1/namespaces/${ns}/pods?fieldSelector=spec.nodeName%3D${nodeName}`,
    onEvent,
  ).stop;
}

// ---- kvol process -------------------------------------------------------------------------------

interface Kvol {
  proc: ChildProcess;
  conn: Conn;
  dataDir: string;
}

async function startKvol(nodeArgs: string[]): Promise<Kvol> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kvol-bench-pods-'));
  const { proc, conn } = await startKvolUp(dataDir, {
    nodeArgs,
    extraArgs: ['--node-name', nodeName],
    maxSockets: 256,
  });
  // Wait for the node agent to register its node as Ready.
  const deadline = performance.now() + 60_000;
  for (;;) {
    const r = await call(conn, 'GET', `/api/v1/nodes/${nodeName}`);
    if (r.status === 200) {
      const node = JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } };
      if (node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
    }
    if (performance.now() > deadline) throw new Error(`node ${nodeName} not Ready after 60 s`);
    await sleep(100);
  }
  await mustCall(conn, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
  await mustCall(conn, 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
    metadata: { name: 'app-config' },
    data: { greeting: 'hello', mode: 'fast', 'settings.json': JSON.stringify({ a: 1, b: [1, 2, 3] }) },
  });
  await mustCall(conn, 'POST', `/api/v1/namespaces/${ns}/secrets`, {
    metadata: { name: 'app-secret' },
    stringData: { password: 's3cret', token: 'abcdef0123456789' },
  });
  return { proc, conn, dataDir };
}

/** Unmounts whatever is still mounted under `dir` (deepest first). */
async function unmountUnder(dir: string): Promise<number> {
  const mounter = new RealMounter();
  const paths = (await mounter.list())
    .map((m) => m.path)
    .filter((p) => p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of paths) await mounter.unmount(p).catch(() => {});
  return paths.length;
}

async function stopKvol(k: Kvol): Promise<void> {
  k.conn.agent.destroy();
  if (k.proc.exitCode === null) {
    const exited = new Promise((r) => k.proc.once('exit', r));
    k.proc.kill('SIGINT');
    await exited;
  }
  const left = await unmountUnder(k.dataDir);
  if (left > 0) console.error(`warning: ${left} mounts were left under ${k.dataDir}; unmounted`);
  rmSync(k.dataDir, { recursive: true, force: true });
}

/** The store's current revision (a list's resourceVersion). */
async function storeRevision(c: Conn): Promise<number> {
  const body = await mustCall(c, 'GET', '/api/v1/namespaces/kube-system/configmaps?limit=1');
  return Number((JSON.parse(body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
}

// ---- the pod ------------------------------------------------------------------------------------

function podBody(name: string): object {
  return {
    metadata: { name, labels: { app: 'bench', run: name }, annotations: { 'bench/kind': 'five-volumes' } },
    spec: {
      nodeName,
      containers: [
        {
          name: 'app',
          image: 'busybox',
          volumeMounts: [
            { name: 'scratch', mountPath: '/scratch' },
            { name: 'config', mountPath: '/config' },
            { name: 'secret', mountPath: '/secret' },
            { name: 'all', mountPath: '/all' },
            { name: 'info', mountPath: '/info' },
          ],
        },
      ],
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'config', configMap: { name: 'app-config' } },
        { name: 'secret', secret: { secretName: 'app-secret' } },
        {
          name: 'all',
          projected: {
            sources: [
              { configMap: { name: 'app-config' } },
              { secret: { name: 'app-secret' } },
              { downwardAPI: { items: [{ path: 'podname', fieldRef: { fieldPath: 'metadata.name' } }] } },
            ],
          },
        },
        {
          name: 'info',
          downwardAPI: {
            items: [
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
            ],
          },
        },
      ],
    },
  };
}

/** What exists on disk once the pod's five volumes are set up. */
function readyPaths(dataDir: string, uid: string): string[] {
  const pod = join(dataDir, 'kubelet', 'pods', uid);
  const vol = (plugin: string, name: string): string => join(pod, 'volumes', `kubernetes.io~${plugin}`, name);
  return [
    join(pod, 'plugins', 'kubernetes.io~empty-dir', 'scratch', 'ready'),
    join(vol('configmap', 'config'), '..data'),
    join(vol('secret', 'secret'), '..data'),
    join(vol('projected', 'all'), '..data'),
    join(vol('downward-api', 'info'), '..data'),
  ];
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

const isRunning = (p: PodLike): boolean =>
  p.status?.phase === 'Running' &&
  (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

interface Tracked {
  name: string;
  uid: string;
  created: number; // POST sent
  createdAck: number; // POST answered
  paths: string[]; // still missing on disk
  volumesReady: number | undefined;
  pending: number | undefined; // the agent's first status write (Pending, startTime set) seen
  running: number | undefined;
  deleteSent: number | undefined;
  gone: number | undefined;
  onChange: (() => void) | undefined;
}

/** Tracks pods through one watch and a disk poller. */
class Tracker {
  readonly pods = new Map<string, Tracked>();
  readonly #k: Kvol;
  readonly #stopWatch: () => void;
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #pending = new Set<Tracked>();
  readonly #early = new Map<string, { type: string; pod: PodLike; at: number }[]>();

  constructor(k: Kvol, pollMs: number) {
    this.#k = k;
    this.#pollMs = pollMs;
    this.#stopWatch = watchPods(k.conn, (type, pod, at) => {
      const t = this.pods.get(pod.metadata.name);
      if (t === undefined) {
        // The event raced the POST's answer: replay it once the pod is tracked.
        const l = this.#early.get(pod.metadata.name) ?? [];
        l.push({ type, pod, at });
        this.#early.set(pod.metadata.name, l);
        return;
      }
      this.#apply(t, type, pod, at);
    });
  }

  #apply(t: Tracked, type: string, pod: PodLike, at: number): void {
    if (pod.metadata.uid !== t.uid) return;
    if (type === 'DELETED') t.gone ??= at;
    if (type !== 'DELETED' && pod.status?.startTime !== undefined) t.pending ??= at;
    if (type === 'DELETED') {
      // done above
    } else if (t.running === undefined && isRunning(pod)) {
      t.running = at;
      // The watch can beat the poller: the volumes were ready by then at the latest.
      this.#poll1(t, at);
    }
    t.onChange?.();
  }

  async create(name: string): Promise<Tracked> {
    const created = performance.now();
    const body = await mustCall(this.#k.conn, 'POST', `/api/v1/namespaces/${ns}/pods`, podBody(name));
    const createdAck = performance.now();
    const uid = (JSON.parse(body) as PodLike).metadata.uid;
    const t: Tracked = {
      name,
      uid,
      created,
      createdAck,
      paths: readyPaths(this.#k.dataDir, uid),
      volumesReady: undefined,
      pending: undefined,
      running: undefined,
      deleteSent: undefined,
      gone: undefined,
      onChange: undefined,
    };
    this.pods.set(name, t);
    this.#pending.add(t);
    this.#poll1(t, performance.now());
    this.#ensurePolling();
    for (const e of this.#early.get(name) ?? []) this.#apply(t, e.type, e.pod, e.at);
    this.#early.delete(name);
    return t;
  }

  async delete(t: Tracked): Promise<void> {
    t.deleteSent = performance.now();
    await mustCall(this.#k.conn, 'DELETE', `/api/v1/namespaces/${ns}/pods/${t.name}`);
  }

  /** Resolves when `done(t)` holds for every pod in `ts` (checked on each watch event or poll). */
  until(ts: Tracked[], done: (t: Tracked) => boolean, timeoutMs = 120_000): Promise<void> {
    return new Promise((res, rej) => {
      const left = new Set(ts.filter((t) => !done(t)));
      if (left.size === 0) return res();
      const timer = setTimeout(() => {
        for (const t of ts) t.onChange = undefined;
        rej(new Error(`timed out: ${left.size} pods not done (e.g. ${[...left][0]?.name})`));
      }, timeoutMs);
      for (const t of left) {
        t.onChange = () => {
          if (!done(t)) return;
          left.delete(t);
          t.onChange = undefined;
          if (left.size === 0) {
            clearTimeout(timer);
            res();
          }
        };
      }
    });
  }

  #poll1(t: Tracked, at: number): void {
    while (t.paths.length > 0 && exists(t.paths[0]!)) t.paths.shift();
    if (t.paths.length === 0) {
      t.volumesReady ??= at;
      this.#pending.delete(t);
      t.onChange?.();
    }
  }

  #ensurePolling(): void {
    if (this.#timer !== undefined) return;
    const tick = (): void => {
      const at = performance.now();
      for (const t of [...this.#pending]) this.#poll1(t, at);
      this.#timer = this.#pending.size > 0 ? setTimeout(tick, this.#pollMs) : undefined;
    };
    this.#timer = setTimeout(tick, this.#pollMs);
  }

  close(): void {
    this.#stopWatch();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}

// ---- statistics ---------------------------------------------------------------------------------

/** Nearest-rank percentile. */
function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((s.length * p) / 100) - 1))]!;
}

interface Dist {
  p50: number;
  p99: number;
  max: number;
}
function dist(values: number[]): Dist {
  return { p50: pct(values, 50), p99: pct(values, 99), max: Math.max(...values) };
}
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const d2s = (d: Dist): string => `p50 ${ms(d.p50)}, p99 ${ms(d.p99)} (max ${ms(d.max)})`;
const d2sOpt = (d: Dist | undefined): string => (d === undefined ? '' : d2s(d));
const msOpt = (x: number | undefined): string => (x === undefined ? '' : ms(x));

function sleep(msec: number): Promise<void> {
  return new Promise((r) => setTimeout(r, msec));
}

// ---- runs ---------------------------------------------------------------------------------------

interface SequentialResult {
  n: number;
  createRequestMs: Dist;
  agentFirstStatusMs: Dist;
  volumesReadyMs: Dist;
  volumesReadyToRunningMs: Dist;
  /** Store revisions (writes to any object) per pod lifecycle, create to gone. */
  writesPerPod: number;
  runningMs: Dist;
  deleteToGoneMs: Dist;
  profile?: ProfileSummary;
  phases?: PhaseProfile[];
}

/** Node flags for a kvol run, with --cpu-prof when profiling; returns the files present before. */
function profiledArgs(): { args: string[]; before: Set<string> } {
  const args = [...extraNodeArgs];
  if (profileDir === undefined) return { args, before: new Set() };
  mkdirSync(profileDir, { recursive: true });
  args.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=250');
  return { args, before: new Set(readdirSync(profileDir)) };
}

/** After kvol exited: the profile it wrote (undefined when not profiling). */
function newProfile(before: Set<string>): string | undefined {
  if (profileDir === undefined) return undefined;
  // The main thread's profile (thread id 0); tsx's loader thread writes its own.
  const file = readdirSync(profileDir).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f) && !before.has(f));
  if (file === undefined) console.error('warning: kvol wrote no .cpuprofile');
  return file === undefined ? undefined : join(profileDir, file);
}

async function sequentialRun(n: number): Promise<SequentialResult> {
  const { args, before } = profiledArgs();
  const k = await startKvol(args);
  const tr = new Tracker(k, 1);
  const window: [bigint, bigint] = [0n, 0n];
  let result: SequentialResult | undefined;
  try {
    // Warm up (TLS session, first-use paths in kvol): three pods, not measured.
    let rv0 = 0;
    for (let i = 0; i < n + 3; i++) {
      if (i === 3) {
        window[0] = process.hrtime.bigint();
        rv0 = await storeRevision(k.conn);
      }
      const t = await tr.create(`s-${i}`);
      await tr.until([t], (x) => x.running !== undefined && x.volumesReady !== undefined);
      await tr.delete(t);
      await tr.until([t], (x) => x.gone !== undefined);
      if (i < 3) tr.pods.delete(t.name);
    }
    window[1] = process.hrtime.bigint();
    const rv1 = await storeRevision(k.conn);
    const ts = [...tr.pods.values()];
    result = {
      n: ts.length,
      createRequestMs: dist(ts.map((t) => t.createdAck - t.created)),
      agentFirstStatusMs: dist(ts.map((t) => t.pending! - t.created)),
      volumesReadyMs: dist(ts.map((t) => t.volumesReady! - t.created)),
      volumesReadyToRunningMs: dist(ts.map((t) => t.running! - t.volumesReady!)),
      writesPerPod: (rv1 - rv0) / ts.length,
      runningMs: dist(ts.map((t) => t.running! - t.created)),
      deleteToGoneMs: dist(ts.map((t) => t.gone! - t.deleteSent!)),
    };
    return result;
  } finally {
    tr.close();
    await stopKvol(k);
    const file = newProfile(before);
    if (result !== undefined && file !== undefined) {
      result.profile = summarizeProfile(file, window);
      const ts = [...tr.pods.values()];
      const iv = (from: (t: Tracked) => number, to: (t: Tracked) => number): [number, number][] =>
        ts.map((t) => [toProfileUs(from(t)), toProfileUs(Math.max(from(t), to(t)))]);
      result.phases = phaseProfile(file, {
        'create request': iv(
          (t) => t.created,
          (t) => t.createdAck,
        ),
        'create answered -> Pending seen': iv(
          (t) => t.createdAck,
          (t) => t.pending!,
        ),
        'Pending seen -> volumes set up': iv(
          (t) => t.pending!,
          (t) => t.volumesReady!,
        ),
        'volumes set up -> Running seen': iv(
          (t) => t.volumesReady!,
          (t) => t.running!,
        ),
        'delete sent -> gone': iv(
          (t) => t.deleteSent!,
          (t) => t.gone!,
        ),
      });
    }
  }
}

/** performance.now() (ms) of this process -> the monotonic µs of V8 profiles (same clock). */
const perfToMonoUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
function toProfileUs(perfMs: number): number {
  return perfMs * 1000 + perfToMonoUs;
}

interface BurstResult {
  n: number;
  allCreatedMs: number;
  allVolumesReadyMs: number;
  allRunningMs: number;
  volumesReadyMs: Dist;
  runningMs: Dist;
  allGoneMs: number;
  kvolCpuMs: number;
  profile?: ProfileSummary;
  deleteProfile?: ProfileSummary;
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function burstRun(n: number): Promise<BurstResult> {
  const { args, before } = profiledArgs();
  const k = await startKvol(args);
  const tr = new Tracker(k, 2);
  const window: [bigint, bigint] = [0n, 0n];
  const deleteWindow: [bigint, bigint] = [0n, 0n];
  let result: BurstResult | undefined;
  try {
    // Warm up with one pod, as the sequential run does.
    const w = await tr.create('warm');
    await tr.until([w], (x) => x.running !== undefined);
    await tr.delete(w);
    await tr.until([w], (x) => x.gone !== undefined);
    tr.pods.delete('warm');
    await sleep(200);

    const cpu0 = cpuMs(k.proc.pid!);
    const h0 = process.hrtime.bigint();
    const t0 = performance.now();
    const ts = await Promise.all(Array.from({ length: n }, (_, i) => tr.create(`b-${i}`)));
    const allCreated = performance.now();
    await tr.until(ts, (x) => x.running !== undefined && x.volumesReady !== undefined);
    const h1 = process.hrtime.bigint();
    window[0] = h0;
    window[1] = h1;
    deleteWindow[0] = process.hrtime.bigint();
    const kvolCpuMs = cpuMs(k.proc.pid!) - cpu0;
    const allVolumesReady = Math.max(...ts.map((t) => t.volumesReady!));
    const allRunning = Math.max(...ts.map((t) => t.running!));
    const d0 = performance.now();
    await Promise.all(ts.map((t) => tr.delete(t)));
    await tr.until(ts, (x) => x.gone !== undefined);
    const allGone = performance.now();
    deleteWindow[1] = process.hrtime.bigint();
    result = {
      n,
      allCreatedMs: allCreated - t0,
      allVolumesReadyMs: allVolumesReady - t0,
      allRunningMs: allRunning - t0,
      volumesReadyMs: dist(ts.map((t) => t.volumesReady! - t.created)),
      runningMs: dist(ts.map((t) => t.running! - t.created)),
      allGoneMs: allGone - d0,
      kvolCpuMs,
    };
    return result;
  } finally {
    tr.close();
    await stopKvol(k);
    const file = newProfile(before);
    if (result !== undefined && file !== undefined) {
      result.profile = summarizeProfile(file, window);
      if (deleteWindow[1] > 0n) result.deleteProfile = summarizeProfile(file, deleteWindow);
    }
  }
}

// ---- the physical floor -------------------------------------------------------------------------

const cfgData: Record<string, string> = {
  greeting: 'hello',
  mode: 'fast',
  'settings.json': JSON.stringify({ a: 1, b: [1, 2, 3] }),
};
const secretData: Record<string, string> = { password: 's3cret', token: 'abcdef0123456789' };

function projections(data: Record<string, string>, mode: number): Record<string, FileProjection> {
  const out: Record<string, FileProjection> = {};
  for (const [k, v] of Object.entries(data)) out[k] = { data: Buffer.from(v), mode };
  return out;
}

const tmpfsOptions = [`size=${totalmem()}`];

/** The same on-disk work as the kubelet does for one pod, without the kubelet. */
async function floorSetUp(mounter: RealMounter, base: string, uid: string, name: string): Promise<void> {
  const pod = join(base, 'pods', uid);
  const vol = (plugin: string, v: string): string => join(pod, 'volumes', `kubernetes.io~${plugin}`, v);
  const tmpfsVolume = async (dir: string, payload: Record<string, FileProjection>): Promise<void> => {
    await mkdir(dir, { recursive: true, mode: 0o777 });
    await mounter.mount('tmpfs', dir, { fstype: 'tmpfs', options: tmpfsOptions });
    await new AtomicWriter(dir, name).write(payload);
  };
  await Promise.all([
    (async () => {
      await mkdir(vol('empty-dir', 'scratch'), { recursive: true, mode: 0o777 });
    })(),
    (async () => {
      const dir = vol('configmap', 'config');
      await mkdir(dir, { recursive: true, mode: 0o777 });
      await new AtomicWriter(dir, name).write(projections(cfgData, 0o644));
    })(),
    tmpfsVolume(vol('secret', 'secret'), projections(secretData, 0o644)),
    tmpfsVolume(vol('projected', 'all'), {
      ...projections(cfgData, 0o644),
      ...projections(secretData, 0o644),
      podname: { data: Buffer.from(name), mode: 0o644 },
    }),
    tmpfsVolume(vol('downward-api', 'info'), {
      labels: { data: Buffer.from(`app="bench"\nrun="${name}"`), mode: 0o644 },
      annotations: { data: Buffer.from('bench/kind="five-volumes"'), mode: 0o644 },
    }),
  ]);
}

async function floorTearDown(mounter: RealMounter, base: string, uid: string): Promise<void> {
  const pod = join(base, 'pods', uid);
  const vol = (plugin: string, v: string): string => join(pod, 'volumes', `kubernetes.io~${plugin}`, v);
  await Promise.all(
    [vol('secret', 'secret'), vol('projected', 'all'), vol('downward-api', 'info')].map((p) =>
      mounter.unmount(p),
    ),
  );
  await rm(pod, { recursive: true, force: true });
}

/**
 * The same work with synchronous system calls only (no libuv thread pool round trips): the AtomicWriter's
 * layout written by hand (timestamped dir, files, `..data_tmp` link renamed over `..data`, one link per
 * key). The lowest this machine can do.
 */
function syncSetUp(mounter: RealMounter, base: string, uid: string, name: string): Promise<void> {
  const pod = join(base, 'pods', uid);
  const vol = (plugin: string, v: string): string => join(pod, 'volumes', `kubernetes.io~${plugin}`, v);
  const project = (dir: string, data: Record<string, string>): void => {
    const ts = join(dir, '..2026_01_01_00_00_00.000000001');
    mkdirSync(ts, { mode: 0o755 });
    for (const [k, v] of Object.entries(data)) writeFileSync(join(ts, k), v, { mode: 0o644 });
    symlinkSync('..2026_01_01_00_00_00.000000001', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    for (const k of Object.keys(data)) symlinkSync(`..data/${k}`, join(dir, k));
  };
  const mounts: Promise<void>[] = [];
  const tmpfsVolume = (dir: string, data: Record<string, string>): void => {
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    // RealMounter.mount calls mount(2) synchronously; the promise only carries the result.
    mounts.push(mounter.mount('tmpfs', dir, { fstype: 'tmpfs', options: tmpfsOptions }));
    project(dir, data);
  };
  mkdirSync(vol('empty-dir', 'scratch'), { recursive: true, mode: 0o777 });
  mkdirSync(vol('configmap', 'config'), { recursive: true, mode: 0o777 });
  project(vol('configmap', 'config'), cfgData);
  tmpfsVolume(vol('secret', 'secret'), secretData);
  tmpfsVolume(vol('projected', 'all'), { ...cfgData, ...secretData, podname: name });
  tmpfsVolume(vol('downward-api', 'info'), {
    labels: `app="bench"\nrun="${name}"`,
    annotations: 'bench/kind="five-volumes"',
  });
  return Promise.all(mounts).then(() => {});
}

function syncTearDown(mounter: RealMounter, base: string, uid: string): Promise<void> {
  const pod = join(base, 'pods', uid);
  const vol = (plugin: string, v: string): string => join(pod, 'volumes', `kubernetes.io~${plugin}`, v);
  const unmounts = [vol('secret', 'secret'), vol('projected', 'all'), vol('downward-api', 'info')].map((p) =>
    mounter.unmount(p),
  );
  return Promise.all(unmounts).then(() => rmSync(pod, { recursive: true, force: true }));
}

interface FloorResult {
  sequentialSetUpMs: Dist;
  sequentialTearDownMs: Dist;
  burstSetUpMs: number;
  burstTearDownMs: number;
  syncSetUpMs: Dist;
  syncTearDownMs: Dist;
  syncBurstSetUpMs: number;
  syncBurstTearDownMs: number;
}

async function floorRun(n: number, m: number): Promise<FloorResult> {
  const base = mkdtempSync(join(tmpdir(), 'kvol-bench-floor-'));
  const mounter = new RealMounter();
  try {
    const setUps: number[] = [];
    const tearDowns: number[] = [];
    for (let i = 0; i < n + 3; i++) {
      const uid = `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;
      const t0 = performance.now();
      await floorSetUp(mounter, base, uid, `s-${i}`);
      const t1 = performance.now();
      await floorTearDown(mounter, base, uid);
      const t2 = performance.now();
      if (i >= 3) {
        setUps.push(t1 - t0);
        tearDowns.push(t2 - t1);
      }
    }
    const uids = Array.from(
      { length: m },
      (_, i) => `11111111-0000-0000-0000-${String(i).padStart(12, '0')}`,
    );
    const b0 = performance.now();
    await Promise.all(uids.map((uid, i) => floorSetUp(mounter, base, uid, `b-${i}`)));
    const b1 = performance.now();
    await Promise.all(uids.map((uid) => floorTearDown(mounter, base, uid)));
    const b2 = performance.now();
    const syncSetUps: number[] = [];
    const syncTearDowns: number[] = [];
    for (let i = 0; i < n + 3; i++) {
      const uid = `22222222-0000-0000-0000-${String(i).padStart(12, '0')}`;
      const t0 = performance.now();
      await syncSetUp(mounter, base, uid, `s-${i}`);
      const t1 = performance.now();
      await syncTearDown(mounter, base, uid);
      const t2 = performance.now();
      if (i >= 3) {
        syncSetUps.push(t1 - t0);
        syncTearDowns.push(t2 - t1);
      }
    }
    const suids = Array.from(
      { length: m },
      (_, i) => `33333333-0000-0000-0000-${String(i).padStart(12, '0')}`,
    );
    const c0 = performance.now();
    for (const [i, uid] of suids.entries()) await syncSetUp(mounter, base, uid, `b-${i}`);
    const c1 = performance.now();
    for (const uid of suids) await syncTearDown(mounter, base, uid);
    const c2 = performance.now();
    return {
      sequentialSetUpMs: dist(setUps),
      sequentialTearDownMs: dist(tearDowns),
      burstSetUpMs: b1 - b0,
      burstTearDownMs: b2 - b1,
      syncSetUpMs: dist(syncSetUps),
      syncTearDownMs: dist(syncTearDowns),
      syncBurstSetUpMs: c1 - c0,
      syncBurstTearDownMs: c2 - c1,
    };
  } finally {
    await unmountUnder(base);
    rmSync(base, { recursive: true, force: true });
  }
}

// ---- profile ------------------------------------------------------------------------------------

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}
interface ProfileEntry {
  fn: string;
  ms: number;
  pct: number;
}
interface ProfileSummary {
  file: string;
  windowMs: number;
  sampledMs: number;
  idleMs: number;
  /** Self time charged to the nearest kvol source folder on the stack (natives included). */
  areas: ProfileEntry[];
  self: ProfileEntry[];
  inclusive: ProfileEntry[];
}

/** `src/<dir>` or `src/<dir>/<subdir>` of a frame in kvol's sources; undefined for other frames. */
function areaOf(n: ProfileNode): string | undefined {
  const m = /\/src\/([^/]+)(?:\/([^/]+)\/)?/.exec(
    n.callFrame.url.replace(/^file:\/\//, '').replace(root, ''),
  );
  if (m === null) return undefined;
  return m[2] === undefined ? `src/${m[1]}` : `src/${m[1]}/${m[2]}`;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/**
 * tsx compiles each TypeScript file to one line, so a profile's positions are columns of that line.
 * tsx keeps its output with a source map in `<tmpdir>/tsx-<uid>/`; the newest entry for a source file
 * maps a column back to the TypeScript line (best effort: undefined when no entry is found).
 */
class TsxSourceLines {
  readonly #dir = join(tmpdir(), `tsx-${process.getuid?.() ?? 0}`);
  #index: Map<string, string> | undefined;
  readonly #decoded = new Map<string, [number, number][][] | undefined>();

  line(path: string, genLine: number, genCol: number): number | undefined {
    const segs = this.#mappings(path)?.[genLine];
    if (segs === undefined || segs.length === 0) return undefined;
    let lo = 0;
    let hi = segs.length - 1;
    if (segs[0]![0] > genCol) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid]![0] <= genCol) lo = mid;
      else hi = mid - 1;
    }
    return segs[lo]![1] + 1;
  }

  #mappings(path: string): [number, number][][] | undefined {
    if (this.#decoded.has(path)) return this.#decoded.get(path);
    let out: [number, number][][] | undefined;
    const file = this.#files().get(path);
    if (file !== undefined) {
      try {
        const entry = JSON.parse(readFileSync(file, 'utf8')) as { map?: { mappings?: string } | string };
        const map =
          typeof entry.map === 'string' ? (JSON.parse(entry.map) as { mappings?: string }) : entry.map;
        if (map?.mappings !== undefined) out = decodeMappings(map.mappings);
      } catch {
        out = undefined;
      }
    }
    this.#decoded.set(path, out);
    return out;
  }

  /** Source path -> the newest cache entry compiled from it. */
  #files(): Map<string, string> {
    if (this.#index !== undefined) return this.#index;
    const newest = new Map<string, { file: string; mtime: number }>();
    let names: string[] = [];
    try {
      names = readdirSync(this.#dir);
    } catch {
      names = [];
    }
    for (const name of names) {
      const file = join(this.#dir, name);
      try {
        const text = readFileSync(file, 'utf8');
        const m = /"sources":\["([^"]+)"/.exec(text.slice(-4096));
        if (m === null) continue;
        const mtime = statSync(file).mtimeMs;
        const prev = newest.get(m[1]!);
        if (prev === undefined || prev.mtime < mtime) newest.set(m[1]!, { file, mtime });
      } catch {
        // not an entry
      }
    }
    this.#index = new Map([...newest].map(([k, v]) => [k, v.file]));
    return this.#index;
  }
}

const b64 = new Map(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]),
);

/** Source map v3 mappings -> per generated line, [generated column, source line] pairs. */
function decodeMappings(mappings: string): [number, number][][] {
  const lines: [number, number][][] = [];
  let srcLine = 0;
  for (const lineText of mappings.split(';')) {
    const segs: [number, number][] = [];
    let genCol = 0;
    for (const seg of lineText.split(',')) {
      if (seg === '') continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = b64.get(ch) ?? 0;
        value += (d & 31) << shift;
        if (d & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += fields[0] ?? 0;
      if (fields.length >= 4) {
        srcLine += fields[2]!;
        segs.push([genCol, srcLine]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

const sourceLines = new TsxSourceLines();

function frameName(n: ProfileNode): string {
  const f = n.callFrame;
  const path = f.url.replace(/^file:\/\//, '');
  const url = path.replace(`${root}/`, '');
  const fn = f.functionName === '' ? '(anonymous)' : f.functionName;
  if (url === '') return fn;
  if (url.endsWith('.ts')) {
    const line = sourceLines.line(path, f.lineNumber, f.columnNumber);
    return line === undefined ? `${fn} ${url}` : `${fn} ${url}:${line}`;
  }
  return `${fn} ${url}:${f.lineNumber + 1}`;
}

interface PhaseProfile {
  phase: string;
  /** Means per pod. */
  wallMs: number;
  onCpuMs: number;
  areas: { area: string; ms: number }[];
}

/** Per phase of a pod's life: wall time, kvol main-thread CPU inside it, and where that CPU went. */
function phaseProfile(path: string, phases: Record<string, [number, number][]>): PhaseProfile[] {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const areaCache = new Map<number, string>();
  const areaOfSample = (id: number): string => {
    let a = areaCache.get(id);
    if (a !== undefined) return a;
    for (let p: number | undefined = id; p !== undefined && a === undefined; p = parent.get(p)) {
      a = areaOf(byId.get(p)!);
    }
    const name = byId.get(id)!.callFrame.functionName;
    a ??= name.startsWith('(') ? name : '(outside kvol sources)';
    areaCache.set(id, a);
    return a;
  };
  const times: number[] = [];
  let t = prof.startTime;
  for (const d of prof.timeDeltas) {
    t += d;
    times.push(t);
  }
  const out: PhaseProfile[] = [];
  for (const [phase, intervals] of Object.entries(phases)) {
    const areas = new Map<string, number>();
    let wall = 0;
    let cpu = 0;
    for (const [lo, hi] of intervals) {
      wall += (hi - lo) / 1000;
      // First sample at or after lo.
      let a = 0;
      let b = times.length;
      while (a < b) {
        const m = (a + b) >> 1;
        if (times[m]! < lo) a = m + 1;
        else b = m;
      }
      for (let i = a; i < times.length && times[i]! <= hi; i++) {
        const node = byId.get(prof.samples[i]!)!;
        if (node.callFrame.functionName === '(idle)') continue;
        const dt = (i + 1 < times.length ? times[i + 1]! - times[i]! : 0) / 1000;
        cpu += dt;
        const area = areaOfSample(node.id);
        areas.set(area, (areas.get(area) ?? 0) + dt);
      }
    }
    const n = Math.max(intervals.length, 1);
    out.push({
      phase,
      wallMs: wall / n,
      onCpuMs: cpu / n,
      areas: [...areas.entries()]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 5)
        .map(([area, v]) => ({ area, ms: v / n })),
    });
  }
  return out;
}

/** Self time and inclusive time per function, over the samples inside the window (µs, monotonic). */
function summarizeProfile(path: string, window: [bigint, bigint], top = 25): ProfileSummary {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const lo = Number(window[0] / 1000n);
  const hi = Number(window[1] / 1000n);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const areas = new Map<string, number>();
  let t = prof.startTime;
  let sampled = 0;
  let idle = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i]!;
    // A sample's time is the gap to the next one.
    const dt = (i + 1 < prof.timeDeltas.length ? prof.timeDeltas[i + 1]! : 0) / 1000;
    if (t < lo || t > hi) continue;
    const node = byId.get(prof.samples[i]!)!;
    const name = frameName(node);
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    sampled += dt;
    self.set(name, (self.get(name) ?? 0) + dt);
    let area: string | undefined;
    for (let id: number | undefined = node.id; id !== undefined && area === undefined; id = parent.get(id)) {
      area = areaOf(byId.get(id)!);
    }
    area ??= name.startsWith('(') ? name : '(outside kvol sources)';
    areas.set(area, (areas.get(area) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const nm = frameName(byId.get(id)!);
      if (seen.has(nm)) continue;
      seen.add(nm);
      incl.set(nm, (incl.get(nm) ?? 0) + dt);
    }
  }
  const rank = (m: Map<string, number>, filter: (k: string) => boolean): ProfileEntry[] =>
    [...m.entries()]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, v]) => ({ fn, ms: v, pct: (100 * v) / Math.max(sampled, 1e-9) }));
  return {
    file: path,
    windowMs: (hi - lo) / 1000,
    sampledMs: sampled,
    idleMs: idle,
    areas: rank(areas, () => true),
    self: rank(self, () => true),
    inclusive: rank(incl, (k) => k.includes(' src/') && !k.startsWith('(anonymous)')),
  };
}

// ---- main ---------------------------------------------------------------------------------------

if (process.getuid?.() !== 0) {
  console.error('bench/podstartup.ts mounts tmpfs: run it as root');
  process.exit(1);
}
const results: Record<string, unknown> = { cpus: cpus().length, node: process.version };
const rows: string[] = [];
let floor: FloorResult | undefined;
if (!skipFloor) {
  floor = await floorRun(sequentialN || 100, burstN || 200);
  results['floor'] = floor;
}
if (sequentialN > 0) {
  const s = await sequentialRun(sequentialN);
  results['sequential'] = s;
  rows.push(
    `| ${s.n} pods one at a time: creation -> volumes set up | ${d2s(s.volumesReadyMs)} | ${d2sOpt(floor?.sequentialSetUpMs)} | ${d2sOpt(floor?.syncSetUpMs)} |`,
    `| ${s.n} pods one at a time: creation -> Running (Ready) | ${d2s(s.runningMs)} | | |`,
    `| (of which the create request) | ${d2s(s.createRequestMs)} | | |`,
    `| (creation -> the agent's Pending status seen) | ${d2s(s.agentFirstStatusMs)} | | |`,
    `| (volumes set up -> Running seen) | ${d2s(s.volumesReadyToRunningMs)} | | |`,
    `| store writes per pod, create to gone | ${s.writesPerPod.toFixed(1)} | | |`,
    `| ${s.n} pods one at a time: delete -> gone (tear-down) | ${d2s(s.deleteToGoneMs)} | ${d2sOpt(floor?.sequentialTearDownMs)} | ${d2sOpt(floor?.syncTearDownMs)} |`,
  );
}
if (burstN > 0) {
  const b = await burstRun(burstN);
  results['burst'] = b;
  rows.push(
    `| ${b.n} pods at once: all created (POSTs answered) | ${ms(b.allCreatedMs)} | | |`,
    `| ${b.n} pods at once: all volumes set up | ${ms(b.allVolumesReadyMs)} | ${msOpt(floor?.burstSetUpMs)} | ${msOpt(floor?.syncBurstSetUpMs)} |`,
    `| ${b.n} pods at once: all Running | ${ms(b.allRunningMs)} | | |`,
    `| ${b.n} pods at once: per pod creation -> volumes set up | ${d2s(b.volumesReadyMs)} | | |`,
    `| ${b.n} pods at once: per pod creation -> Running | ${d2s(b.runningMs)} | | |`,
    `| ${b.n} pods at once: kvol CPU until all Running | ${ms(b.kvolCpuMs)} (${(b.kvolCpuMs / b.n).toFixed(2)} ms per pod) | | |`,
    `| ${b.n} pods deleted at once: all gone | ${ms(b.allGoneMs)} | ${msOpt(floor?.burstTearDownMs)} | ${msOpt(floor?.syncBurstTearDownMs)} |`,
  );
}
console.log(
  `\nkvol pod startup benchmark (${cpus().length} cores, pod with emptyDir + configMap + secret + projected + downwardAPI)\n\n| what | kvol | floor: RealMounter + AtomicWriter in one process | floor: synchronous syscalls only |\n|---|---|---|---|`,
);
for (const r of rows) console.log(r);
for (const [run, key, label] of [
  ['sequential', 'profile', 'sequential run'],
  ['burst', 'profile', `${burstN} pods at once, creation -> all Running`],
  ['burst', 'deleteProfile', `${burstN} pods at once, deletion -> all gone`],
] as const) {
  const prof = (results[run] as Partial<Record<typeof key, ProfileSummary>> | undefined)?.[key];
  if (prof === undefined) continue;
  console.log(
    `\nkvol CPU profile, ${label} (${prof.file}): window ${ms(prof.windowMs)}, on CPU ${ms(prof.sampledMs)}, idle ${ms(prof.idleMs)}\n`,
  );
  console.log('| self time | % | where (natives charged to the nearest kvol source folder) |\n|---|---|---|');
  for (const e of prof.areas.slice(0, 12)) console.log(`| ${ms(e.ms)} | ${e.pct.toFixed(1)} | ${e.fn} |`);
  console.log('\n| self time | % | function |\n|---|---|---|');
  for (const e of prof.self) console.log(`| ${ms(e.ms)} | ${e.pct.toFixed(1)} | ${e.fn} |`);
  console.log('\n| inclusive | % | kvol function |\n|---|---|---|');
  for (const e of prof.inclusive) console.log(`| ${ms(e.ms)} | ${e.pct.toFixed(1)} | ${e.fn} |`);
}
const phases = (results['sequential'] as SequentialResult | undefined)?.phases;
if (phases !== undefined) {
  console.log(
    '\nkvol main thread during each phase of a sequential pod (means per pod)\n\n| phase | wall | kvol on CPU | busy | CPU by kvol source folder |\n|---|---|---|---|---|',
  );
  for (const p of phases) {
    const where = p.areas.map((a) => `${a.area} ${a.ms.toFixed(1)}`).join(', ');
    console.log(
      `| ${p.phase} | ${ms(p.wallMs)} | ${ms(p.onCpuMs)} | ${((100 * p.onCpuMs) / Math.max(p.wallMs, 1e-9)).toFixed(0)}% | ${where} |`,
    );
  }
}
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/podstartup.json'), JSON.stringify(results, null, 2));
if (existsSync('/proc/self/mounts') && readFileSync('/proc/self/mounts', 'utf8').includes('kvol-bench-')) {
  console.error('warning: mounts under kvol-bench- remain');
}
