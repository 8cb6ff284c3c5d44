// Benchmark (not a test): dynamic provisioning and pod startup with the bundled CSI driver inside
// `kvol up` (needs root: real bind mounts). Starts `kvol up --node-name <node>` as its own process,
// waits for hostpath.csi.kvol.io to register on the node, creates an Immediate StorageClass for it, then
// runs N sequential rounds (default 100), each
//   1. create a PVC -> Bound (status.phase seen by a watch on the namespace's claims),
//   2. create a pod on that (now pre-bound) claim -> Running (condition Ready True, seen by a watch),
//   3. delete the pod -> gone (NodeUnpublish/NodeUnstage done), delete the PVC -> its PV gone
//      (reclaim Delete: DeleteVolume done),
// and prints p50/p99/max of each as a markdown table, written also to bench/results/csi.json.
// KVOL_BENCH_NODE_ARGS passes Node flags to kvol (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`; kvol is
// stopped with SIGINT so the profile is written).
// Usage: tsx bench/csi.ts [--rounds N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Conn, call, startKvolUp, watchStream } from '../tools/kvolconn.ts';

const root = resolve(import.meta.dirname, '..');
const nodeName = 'kvol-bench-csi-node';
const ns = 'bench';
const driver = 'hostpath.csi.kvol.io';
const cls = 'bench-csi';

function argNum(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}
const rounds = argNum('rounds', 100);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function mustCall(c: Conn, method: string, path: string, body?: object): Promise<string> {
  const r = await call(c, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
  return r.body;
}

interface Obj {
  metadata: { name: string; uid: string; annotations?: Record<string, string> };
  spec?: { volumeName?: string; claimRef?: { name: string } };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** A watch on `path`; calls `onEvent` for every event as it arrives. Returns the stop function. */
const watch = (c: Conn, path: string, onEvent: (type: string, o: Obj, at: number) => void): (() => void) =>
  watchStream<Obj>(c, path, onEvent).stop;

/** Resolves with the time at which `pred` first holds for an event of the object named `name`. */
class Waiters {
  readonly #w = new Map<string, { pred: (type: string, o: Obj) => boolean; resolve: (at: number) => void }>();
  on(type: string, o: Obj, at: number): void {
    const w = this.#w.get(o.metadata.name);
    if (w?.pred(type, o)) {
      this.#w.delete(o.metadata.name);
      w.resolve(at);
    }
  }
  wait(
    name: string,
    pred: (type: string, o: Obj) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<number> {
    return new Promise((resolveAt, reject) => {
      const t = setTimeout(() => {
        this.#w.delete(name);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.#w.set(name, {
        pred,
        resolve: (at) => {
          clearTimeout(t);
          resolveAt(at);
        },
      });
    });
  }
}

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
const dist = (v: number[]): Dist => ({ p50: pct(v, 50), p99: pct(v, 99), max: Math.max(...v) });
const ms = (x: number): string => `${x.toFixed(1)} ms`;

function unmountUnder(dir: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) =>
      (l.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_m, o: string) =>
        String.fromCharCode(Number.parseInt(o, 8)),
      ),
    )
    .filter((p) => p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) spawnSync('umount', ['-l', p]);
}

// ---- run ------------------------------------------------------------------------------------------

const dataDir = mkdtempSync(join(tmpdir(), 'kvol-bench-csi-'));
const { proc, conn } = await startKvolUp(dataDir, { extraArgs: ['--node-name', nodeName] });
const stopAll = async (): Promise<void> => {
  conn.agent.destroy();
  if (proc.exitCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGINT');
    await Promise.race([exited, sleep(15_000)]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
  // The driver is kvol up's child; anything still naming the data dir is killed by pid.
  for (const name of readdirPids()) {
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(dataDir))
        process.kill(Number(name), 'SIGKILL');
    } catch {
      // gone
    }
  }
  unmountUnder(dataDir);
  const loops = spawnSync('losetup', ['--list', '--noheadings', '--output', 'NAME,BACK-FILE'], {
    encoding: 'utf8',
  });
  for (const l of loops.stdout.split('\n')) {
    const [dev, file] = l.trim().split(/\s+/);
    if (dev !== undefined && file?.startsWith(dataDir)) spawnSync('losetup', ['-d', dev]);
  }
  rmSync(dataDir, { recursive: true, force: true });
};
function readdirPids(): string[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid);
}

const results: Record<string, unknown> = { cpus: cpus().length, node: process.version, rounds };
try {
  // Node Ready and the driver registered (CSINode entry).
  const deadline = performance.now() + 60_000;
  for (;;) {
    const r = await call(conn, 'GET', `/apis/storage.k8s.io/v1/csinodes/${nodeName}`);
    if (r.status === 200) {
      const cn = JSON.parse(r.body) as { spec?: { drivers?: { name: string }[] } };
      if (cn.spec?.drivers?.some((d) => d.name === driver)) break;
    }
    if (performance.now() > deadline) throw new Error(`${driver} did not register on ${nodeName} in 60 s`);
    await sleep(50);
  }
  await mustCall(conn, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
  await mustCall(conn, 'POST', '/apis/storage.k8s.io/v1/storageclasses', {
    metadata: { name: cls },
    provisioner: driver,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  });

  const claims = new Waiters();
  const pods = new Waiters();
  const pvs = new Waiters();
  // First sightings of the intermediate steps, by claim/pod name (phase breakdown).
  const handedOff = new Map<string, number>(); // PV controller set volume.kubernetes.io/storage-provisioner
  const pvAdded = new Map<string, number>(); // the provisioner created the PV (CreateVolume done)
  const podPending = new Map<string, number>(); // the agent wrote the pod's first status
  const first = (m: Map<string, number>, k: string, at: number): void => {
    if (!m.has(k)) m.set(k, at);
  };
  const stops = [
    watch(conn, `/api/v1/namespaces/${ns}/persistentvolumeclaims`, (t, o, at) => {
      if (o.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'] !== undefined) {
        first(handedOff, o.metadata.name, at);
      }
      claims.on(t, o, at);
    }),
    watch(conn, `/api/v1/namespaces/${ns}/pods`, (t, o, at) => {
      if (o.status?.phase !== undefined) first(podPending, o.metadata.name, at);
      pods.on(t, o, at);
    }),
    watch(conn, '/api/v1/persistentvolumes', (t, o, at) => {
      if (t === 'ADDED' && o.spec?.claimRef !== undefined) first(pvAdded, o.spec.claimRef.name, at);
      pvs.on(t, o, at);
    }),
  ];
  await sleep(200); // the watches are established

  const bound: number[] = [];
  const toHandOff: number[] = [];
  const toPv: number[] = [];
  const toBind: number[] = [];
  const toPending: number[] = [];
  const pendingToRunning: number[] = [];
  const running: number[] = [];
  const podGone: number[] = [];
  const pvGone: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const name = `r${i}`;
    const isBound = claims.wait(name, (_t, o) => o.status?.phase === 'Bound', `pvc ${name} Bound`);
    const t0 = performance.now();
    await mustCall(conn, 'POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, {
      metadata: { name },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: cls,
        resources: { requests: { storage: '1Mi' } },
      },
    });
    const tBound = await isBound;
    bound.push(tBound - t0);
    const tHand = handedOff.get(name) ?? Number.NaN;
    const tPv = pvAdded.get(name) ?? Number.NaN;
    toHandOff.push(tHand - t0);
    toPv.push(tPv - tHand);
    toBind.push(tBound - tPv);
    const claim = JSON.parse(
      await mustCall(conn, 'GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`),
    ) as Obj;
    const pv = claim.spec?.volumeName ?? '';

    const isRunning = pods.wait(
      name,
      (_t, o) => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
      `pod ${name} Running`,
    );
    const t1 = performance.now();
    await mustCall(conn, 'POST', `/api/v1/namespaces/${ns}/pods`, {
      metadata: { name },
      spec: {
        nodeName,
        containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: name } }],
      },
    });
    const tRunning = await isRunning;
    running.push(tRunning - t1);
    const tPending = podPending.get(name) ?? Number.NaN;
    toPending.push(tPending - t1);
    pendingToRunning.push(tRunning - tPending);

    const isGone = pods.wait(name, (t) => t === 'DELETED', `pod ${name} gone`);
    const t2 = performance.now();
    await mustCall(conn, 'DELETE', `/api/v1/namespaces/${ns}/pods/${name}`);
    podGone.push((await isGone) - t2);

    const pvIsGone = pvs.wait(pv, (t) => t === 'DELETED', `pv ${pv} gone`);
    const t3 = performance.now();
    await mustCall(conn, 'DELETE', `/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`);
    pvGone.push((await pvIsGone) - t3);
  }
  for (const s of stops) s();

  const rows: Array<[string, Dist, string]> = [
    ['PVC created -> Bound (Immediate, CreateVolume)', dist(bound), '< 100 ms'],
    ['  created -> handed to the provisioner (annotation)', dist(toHandOff), ''],
    ['  handed -> PV created (CreateVolume, PV POST)', dist(toPv), ''],
    ['  PV created -> claim Bound (PV controller)', dist(toBind), ''],
    ['pod created -> Running, pre-bound CSI claim', dist(running), '< 150 ms'],
    ['  created -> first status (Pending) written', dist(toPending), ''],
    ['  Pending -> Running (stage, publish, status)', dist(pendingToRunning), ''],
    ['pod deleted -> gone (unpublish, unstage)', dist(podGone), ''],
    ['PVC deleted -> PV gone (reclaim Delete, DeleteVolume)', dist(pvGone), ''],
  ];
  const keys = [
    'pvcBoundMs',
    'pvcHandOffMs',
    'pvcCreateVolumeMs',
    'pvcBindMs',
    'podRunningMs',
    'podPendingMs',
    'podPendingToRunningMs',
    'podGoneMs',
    'pvGoneMs',
  ];
  keys.forEach((k, i) => {
    results[k] = rows[i]![1];
  });
  results['loadAverage'] = loadavg();
  console.log(
    `\nkvol CSI benchmark: ${rounds} sequential rounds with ${driver} (${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)})\n\n| what | p50 | p99 | max | aim (p99) |\n|---|---|---|---|---|`,
  );
  for (const [what, d, aim] of rows)
    console.log(`| ${what} | ${ms(d.p50)} | ${ms(d.p99)} | ${ms(d.max)} | ${aim} |`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/csi.json'), JSON.stringify(results, null, 2));
} finally {
  await stopAll();
}
