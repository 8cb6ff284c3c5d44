// Crashes in the middle of CSI work, with the real kubectl against `kvol up`:
//   1. kill -9 of the bundled driver process (kvol up's child) while 20 claims are provisioned and
//      their pods start, and again while snapshots are cut: kvol up restarts the driver, the
//      controllers and the node agent retry, and everything converges;
//   2. kill -9 of kvol up itself while 20 claims are provisioned, then kvol up again on the same data
//      dir: everything converges, and deleting it all leaves no mount and no loop device.
// In every case each claim has exactly one volume in the driver's state (CreateVolume names are
// idempotency keys), each snapshot exactly one snapshot, and the driver's volumes/ and snapshots/ dirs
// hold nothing the state does not know.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  claim,
  cleanupDataDir,
  hostpathBackingEntries,
  hostpathDriver,
  hostpathDriverPid,
  hostpathState,
  isMountPoint,
  loopDevicesUnder,
  mountsUnder,
  pidsMentioning,
  podOnClaim,
  storageClass,
} from './fixtures/csi.ts';
import { eventually, Kvol } from './harness.ts';

const nodeName = 'kvol-csi-crash-node';
const cls = 'csi-hostpath';
const claims = 20;
const names = Array.from({ length: claims }, (_, i) => `c${i}`);

const workload = (): string =>
  [
    storageClass(cls, hostpathDriver),
    ...names.map((n) => claim(n, cls)),
    ...names.map((n) => podOnClaim(`p-${n}`, n, nodeName)),
  ].join('---\n');

async function waitRegistered(kvol: Kvol): Promise<void> {
  await kvol.ok(['wait', `node/${nodeName}`, '--for=condition=Ready', '--timeout=60s']);
  await eventually(
    async () =>
      (await kvol.kubectl(['get', 'csinode', nodeName, '-o', 'jsonpath={.spec.drivers[*].name}'])).stdout
        .split(' ')
        .includes(hostpathDriver),
    30_000,
    `CSINode to list ${hostpathDriver}\n${kvol.output}`,
  );
}

/** Polls (1 ms) until the driver's state satisfies `pred`. */
async function untilState(
  kvol: Kvol,
  pred: (s: ReturnType<typeof hostpathState>) => boolean,
  what: string,
): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      if (pred(hostpathState(kvol.dataDir))) return;
    } catch {
      // state.json is replaced by rename; a read can race only with a missing file at first start
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function converged(kvol: Kvol): Promise<void> {
  await kvol.ok(['wait', 'pvc', '--all', '--for=jsonpath={.status.phase}=Bound', '--timeout=60s']);
  await kvol.ok(['wait', 'pod', '--all', '--for=condition=Ready', '--timeout=60s']);
}

/** One volume per claim in the driver's state, named after the claim's PV, and no orphan directory. */
async function assertOneVolumePerClaim(kvol: Kvol): Promise<void> {
  const pvs = JSON.parse(await kvol.ok(['get', 'pv', '-o', 'json'])) as {
    items: Array<{ metadata: { name: string }; spec: { csi?: { volumeHandle: string } } }>;
  };
  assert.equal(pvs.items.length, claims, 'one PV per claim');
  const state = hostpathState(kvol.dataDir);
  const vols = state.volumes.filter((v) => !v.ephemeral);
  assert.equal(vols.length, claims, `exactly ${claims} volumes: ${vols.map((v) => v.name).join(' ')}`);
  assert.deepEqual(
    vols.map((v) => v.name).sort(),
    pvs.items.map((p) => p.metadata.name).sort(),
    "the driver's volumes are the PVs, each once",
  );
  for (const pv of pvs.items) {
    const rec = vols.find((v) => v.id === pv.spec.csi?.volumeHandle);
    assert.ok(
      rec !== undefined && rec.name === pv.metadata.name && rec.ready,
      `volume of ${pv.metadata.name}`,
    );
  }
  assert.deepEqual(
    hostpathBackingEntries(kvol.dataDir).volumes.sort(),
    state.volumes.map((v) => v.path).sort(),
    'no orphan volume directory',
  );
}

async function assertPodsMounted(kvol: Kvol): Promise<void> {
  const pods = JSON.parse(await kvol.ok(['get', 'pods', '-o', 'json'])) as {
    items: Array<{
      metadata: { uid: string; name: string };
      spec: { volumes: Array<{ persistentVolumeClaim?: { claimName: string } }> };
    }>;
  };
  for (const p of pods.items) {
    const pvc = p.spec.volumes[0]?.persistentVolumeClaim?.claimName ?? '';
    const pv = await kvol.ok(['get', 'pvc', pvc, '-o', 'jsonpath={.spec.volumeName}']);
    const target = join(
      kvol.dataDir,
      'kubelet',
      'pods',
      p.metadata.uid,
      'volumes',
      'kubernetes.io~csi',
      pv,
      'mount',
    );
    assert.ok(isMountPoint(target), `${p.metadata.name}: ${target} is mounted`);
  }
}

describe('kill -9 of the bundled driver in the middle of provisioning, pod start and snapshots', {
  timeout: 150_000,
}, () => {
  const kvol = new Kvol();
  before(async () => {
    await kvol.start(['--node-name', nodeName]);
    await waitRegistered(kvol);
  });
  after(async () => {
    await kvol.interrupt();
    await cleanupDataDir(kvol.dataDir);
    await kvol.stop();
  });

  /** Kills the driver with SIGKILL as soon as its state satisfies `pred`; waits for its successor. */
  const killDriverWhen = async (
    t: { diagnostic(s: string): void },
    when: string,
    pred: (s: ReturnType<typeof hostpathState>) => boolean,
  ): Promise<void> => {
    const pid = hostpathDriverPid(kvol.dataDir) ?? assert.fail(`no driver process\n${kvol.output}`);
    await untilState(kvol, pred, when);
    process.kill(pid, 'SIGKILL');
    const s = hostpathState(kvol.dataDir);
    t.diagnostic(
      `killed driver ${pid} ${when}: ${s.volumes.length} volumes, ${s.volumes.filter((v) => v.published.length > 0).length} published, ${s.snapshots.length} snapshots`,
    );
    await eventually(
      () => {
        const next = hostpathDriverPid(kvol.dataDir);
        return next !== undefined && next !== pid;
      },
      20_000,
      'kvol up to restart the driver',
    );
  };

  it('converges with one volume per claim after the driver is killed during provisioning and pod start', async (t) => {
    const applied = kvol.ok(['apply', '-f', '-'], { input: workload() });
    await killDriverWhen(t, 'during provisioning', (s) => s.volumes.length >= 1);
    await applied;
    await killDriverWhen(t, 'during pod start', (s) => s.volumes.some((v) => v.published.length > 0));
    await converged(kvol);
    await assertOneVolumePerClaim(kvol);
    await assertPodsMounted(kvol);
  });

  it('converges with one snapshot per VolumeSnapshot after the driver is killed while they are cut', async (t) => {
    const snaps = names.slice(0, 5);
    await kvol.ok(['apply', '-f', '-'], {
      input: [
        `apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotClass
metadata:
  name: snap
driver: ${hostpathDriver}
deletionPolicy: Delete
`,
        ...snaps.map(
          (n) => `apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata:
  name: s-${n}
spec:
  volumeSnapshotClassName: snap
  source:
    persistentVolumeClaimName: ${n}
`,
        ),
      ].join('---\n'),
    });
    await killDriverWhen(t, 'while snapshotting', (s) => s.snapshots.length >= 1);
    await kvol.ok([
      'wait',
      'volumesnapshot',
      '--all',
      '--for=jsonpath={.status.readyToUse}=true',
      '--timeout=60s',
    ]);
    const contents = JSON.parse(await kvol.ok(['get', 'volumesnapshotcontents', '-o', 'json'])) as {
      items: Array<{ status?: { snapshotHandle?: string } }>;
    };
    assert.equal(contents.items.length, snaps.length, 'one content per snapshot');
    const state = hostpathState(kvol.dataDir);
    assert.equal(state.snapshots.length, snaps.length, `exactly ${snaps.length} snapshots in the driver`);
    assert.equal(new Set(state.snapshots.map((s) => s.name)).size, snaps.length, 'distinct names');
    assert.deepEqual(
      contents.items.map((c) => c.status?.snapshotHandle ?? '').sort(),
      state.snapshots.map((s) => s.id).sort(),
    );
    assert.deepEqual(
      hostpathBackingEntries(kvol.dataDir).snapshots.sort(),
      state.snapshots.map((s) => s.path).sort(),
      'no orphan snapshot',
    );
    await assertOneVolumePerClaim(kvol);
  });
});

describe('kill -9 of kvol up in the middle of provisioning, then kvol up again on the same data dir', {
  timeout: 150_000,
}, () => {
  const kvol = new Kvol();
  before(async () => {
    await kvol.start(['--node-name', nodeName]);
    await waitRegistered(kvol);
  });
  after(async () => {
    await kvol.interrupt();
    await cleanupDataDir(kvol.dataDir);
    await kvol.stop();
  });

  it('converges without duplicates and leaves no mount or loop device once everything is deleted', async (t) => {
    const applied = kvol.kubectl(['apply', '-f', '-'], { input: workload() });
    await untilState(kvol, (s) => s.volumes.length >= 1, 'the first volume');
    await kvol.kill9();
    t.diagnostic(`kill -9 of kvol up with ${hostpathState(kvol.dataDir).volumes.length} volumes made`);
    // kubectl may have been cut off half-way: apply again once kvol is back (apply is idempotent).
    await applied;
    // The driver must not outlive kvol up: two drivers on one state dir would both write it.
    await eventually(
      () => pidsMentioning(kvol.dataDir).length === 0,
      10_000,
      'the driver process to exit with kvol up',
    );
    await kvol.start(['--node-name', nodeName]);
    await kvol.ok(['apply', '-f', '-'], { input: workload() });
    await converged(kvol);
    await assertOneVolumePerClaim(kvol);
    await assertPodsMounted(kvol);

    await kvol.ok(['delete', 'pods', '--all', '--timeout=60s']);
    await kvol.ok(['delete', 'pvc', '--all', '--timeout=60s']);
    await eventually(
      async () => (await kvol.ok(['get', 'pv', '-o', 'name'])).trim() === '',
      30_000,
      'all PVs to be deleted',
    );
    await eventually(
      () => mountsUnder(join(kvol.dataDir, 'kubelet')).length === 0,
      30_000,
      'no mount left under the kubelet root',
    );
    assert.deepEqual(loopDevicesUnder(kvol.dataDir), []);
    const state = hostpathState(kvol.dataDir);
    assert.deepEqual(state.volumes, []);
    assert.deepEqual(hostpathBackingEntries(kvol.dataDir).volumes, []);
  });
});
