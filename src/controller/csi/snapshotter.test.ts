// The snapshot controller and the built-in csi-snapshotter together, against a recording CSI driver on
// a unix socket: dynamic snapshots (named class and default class), polling until ready, retries after
// failures with the same snapshot name, pre-provisioned contents, deletion with Delete and Retain, the
// PVC protection while cutting, and the per-driver switch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  type CSIDriver,
  type PersistentVolume,
  type PersistentVolumeClaim,
  Resources,
  type VolumeSnapshot,
  type VolumeSnapshotClass,
  type VolumeSnapshotContent,
} from '../../api/index.ts';
import type { FakeObjectStore } from '../../client/testing/index.ts';
import {
  AnnVolumeSnapshotBeingCreated,
  AnnVolumeSnapshotBeingDeleted,
  PVCFinalizer,
  SnapshotController,
  VolumeSnapshotAsSourceFinalizer,
  VolumeSnapshotBoundFinalizer,
  VolumeSnapshotContentFinalizer,
} from '../snapshot/index.ts';
import { BuiltinSidecarsAnnotation } from './common.ts';
import { CsiSnapshotter } from './snapshotter.ts';
import {
  type ControllerEnv,
  controllerEnvPerTest,
  type FakeControllerDriver,
  type FakeControllerDriverOptions,
} from './testing/index.ts';

const DRIVER = 'fake.csi.kvol.io';
/** What the driver advertises unless a case says otherwise. */
const CONTROLLER_CAPABILITIES = ['EXPAND_VOLUME', 'CREATE_DELETE_SNAPSHOT', 'LIST_SNAPSHOTS'];
const NS = 'default';

function seedVolume(store: FakeObjectStore, driver = DRIVER): void {
  const [claim] = store.seed(Resources.persistentvolumeclaims, {
    metadata: { name: 'claim-1', namespace: NS },
    spec: { resources: { requests: { storage: '1Gi' } }, volumeName: 'pv-1' },
    status: { phase: 'Bound', capacity: { storage: '1Gi' } },
  } as PersistentVolumeClaim);
  store.seed(Resources.persistentvolumes, {
    metadata: { name: 'pv-1' },
    spec: {
      capacity: { storage: '1Gi' },
      claimRef: { namespace: NS, name: 'claim-1', uid: claim?.metadata.uid ?? '' },
      csi: { driver, volumeHandle: 'vol-1' },
      volumeMode: 'Filesystem',
    },
    status: { phase: 'Bound' },
  } as PersistentVolume);
}

function snapshotClass(
  name: string,
  opts: { policy?: 'Delete' | 'Retain'; isDefault?: boolean; driver?: string } = {},
) {
  return {
    metadata: {
      name,
      ...(opts.isDefault === true
        ? { annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } }
        : {}),
    },
    driver: opts.driver ?? DRIVER,
    deletionPolicy: opts.policy ?? 'Delete',
    parameters: {
      tier: 'gold',
      'csi.storage.k8s.io/snapshotter-secret-name': 'snap-secret',
      'csi.storage.k8s.io/snapshotter-secret-namespace': NS,
    },
  } as VolumeSnapshotClass;
}

function seedSecret(store: FakeObjectStore): void {
  store.seed(Resources.secrets, {
    metadata: { name: 'snap-secret', namespace: NS },
    data: { token: Buffer.from('abc').toString('base64') },
  });
}

function dynamicSnapshot(className?: string): VolumeSnapshot {
  return {
    metadata: { name: 'snap-1', namespace: NS },
    spec: {
      source: { persistentVolumeClaimName: 'claim-1' },
      ...(className !== undefined ? { volumeSnapshotClassName: className } : {}),
    },
  } as VolumeSnapshot;
}

interface World {
  snapshot: VolumeSnapshot | undefined;
  content: VolumeSnapshotContent | undefined;
  claim: PersistentVolumeClaim | undefined;
}

/** The usual world: a bound CSI claim, the class secret, class `gold` and a snapshot of the claim in it. */
function seedGoldSnapshot(store: FakeObjectStore): void {
  seedVolume(store);
  seedSecret(store);
  store.seed(Resources.volumesnapshotclasses, snapshotClass('gold'));
  store.seed(Resources.volumesnapshots, dynamicSnapshot('gold'));
}

function world(env: ControllerEnv, contentName?: string): World {
  const snapshot = env.store.object<VolumeSnapshot>(Resources.volumesnapshots, NS, 'snap-1');
  const name = contentName ?? `snapcontent-${snapshot?.metadata.uid ?? ''}`;
  return {
    snapshot,
    content: env.store.object<VolumeSnapshotContent>(Resources.volumesnapshotcontents, undefined, name),
    claim: env.store.object<PersistentVolumeClaim>(Resources.persistentvolumeclaims, NS, 'claim-1'),
  };
}

async function deleteSnapshot(env: ControllerEnv): Promise<void> {
  await env.client.resource<VolumeSnapshot>(Resources.volumesnapshots, NS).delete('snap-1');
  await env.settle();
}

interface Case {
  name: string;
  driver?: Partial<FakeControllerDriverOptions>;
  seed: (store: FakeObjectStore) => void;
  prepare?: (driver: FakeControllerDriver) => void;
  csiDrivers?: CSIDriver[];
  /** Run the csi-snapshotter alone, without the snapshot controller. */
  sidecarOnly?: boolean;
  /** Runs after the first settle; may change the world and settle again. */
  act?: (env: ControllerEnv) => Promise<void>;
  check: (env: ControllerEnv) => void;
}

function assertCutOnce(env: ControllerEnv, uid: string): void {
  const calls = env.driver.callsOf('CreateSnapshot');
  assert.ok(calls.length >= 1);
  for (const c of calls) {
    assert.equal(c['name'], `snapshot-${uid}`);
    assert.equal(c['source_volume_id'], 'vol-1');
  }
  assert.equal(env.driver.snapshots.size, 1, 'exactly one backend snapshot');
}

const cases: Case[] = [
  {
    name: 'creates the content, cuts the snapshot once and binds a ready snapshot',
    seed: seedGoldSnapshot,
    check: (env) => {
      const { snapshot, content, claim } = world(env);
      const uid = snapshot?.metadata.uid ?? '';
      assert.equal(env.driver.callsOf('CreateSnapshot').length, 1);
      assertCutOnce(env, uid);
      const req = env.driver.callsOf('CreateSnapshot')[0];
      assert.deepEqual(req?.['parameters'], { tier: 'gold' });
      assert.deepEqual(req?.['secrets'], { token: 'abc' });
      assert.ok(content !== undefined);
      assert.deepEqual(content.spec.volumeSnapshotRef.uid, uid);
      assert.equal(content.spec.source.volumeHandle, 'vol-1');
      assert.equal(content.spec.driver, DRIVER);
      assert.equal(content.spec.deletionPolicy, 'Delete');
      assert.equal(content.spec.volumeSnapshotClassName, 'gold');
      assert.equal(content.spec.sourceVolumeMode, 'Filesystem');
      assert.equal(
        content.metadata.annotations?.['snapshot.storage.kubernetes.io/deletion-secret-name'],
        'snap-secret',
      );
      assert.equal(content.metadata.annotations?.[AnnVolumeSnapshotBeingCreated], undefined);
      assert.deepEqual(content.metadata.finalizers, [VolumeSnapshotContentFinalizer]);
      assert.equal(content.status?.snapshotHandle, `snap-snapshot-${uid}`);
      assert.equal(content.status?.readyToUse, true);
      assert.equal(content.status?.restoreSize, 1024 ** 3);
      assert.equal(content.status?.creationTime, 1_700_000_000 * 1e9);
      assert.equal(snapshot?.status?.boundVolumeSnapshotContentName, content.metadata.name);
      assert.equal(snapshot?.status?.readyToUse, true);
      assert.equal(snapshot?.status?.restoreSize, '1Gi');
      assert.equal(snapshot?.status?.creationTime, '2023-11-14T22:13:20Z');
      assert.deepEqual(snapshot?.metadata.finalizers, [
        VolumeSnapshotAsSourceFinalizer,
        VolumeSnapshotBoundFinalizer,
      ]);
      assert.equal(
        (claim?.metadata.finalizers ?? []).includes(PVCFinalizer),
        false,
        'PVC released once ready',
      );
      assert.deepEqual(
        env.recorder.reasons().filter((r) => r !== 'SnapshotStatusUpdateFailed'),
        ['CreatingSnapshot', 'SnapshotCreated', 'SnapshotReady'],
      );
    },
  },
  {
    name: 'takes the default class of the volume driver when the snapshot names none',
    seed: (store) => {
      seedVolume(store);
      seedSecret(store);
      store.seed(
        Resources.volumesnapshotclasses,
        snapshotClass('other', { isDefault: true, driver: 'other.csi' }),
      );
      store.seed(Resources.volumesnapshotclasses, snapshotClass('dflt', { isDefault: true }));
      store.seed(Resources.volumesnapshots, dynamicSnapshot());
    },
    check: (env) => {
      const { snapshot, content } = world(env);
      assert.equal(snapshot?.spec.volumeSnapshotClassName, 'dflt');
      assert.equal(content?.spec.volumeSnapshotClassName, 'dflt');
      assert.equal(snapshot?.status?.readyToUse, true);
    },
  },
  {
    name: 'repeats CreateSnapshot with the same name until the driver reports the snapshot ready',
    driver: { snapshotReadyAfterCalls: 3 },
    seed: seedGoldSnapshot,
    check: (env) => {
      const { snapshot } = world(env);
      assert.equal(env.driver.callsOf('CreateSnapshot').length, 3);
      assertCutOnce(env, snapshot?.metadata.uid ?? '');
      assert.equal(snapshot?.status?.readyToUse, true);
    },
  },
  {
    name: 'keeps the source claim protected while the snapshot is not ready',
    driver: { snapshotReadyAfterCalls: 1000 },
    seed: seedGoldSnapshot,
    check: (env) => {
      const { snapshot, claim, content } = world(env);
      assert.ok((claim?.metadata.finalizers ?? []).includes(PVCFinalizer));
      assert.equal(snapshot?.status?.readyToUse, false);
      assert.equal(content?.status?.readyToUse, false);
      assertCutOnce(env, snapshot?.metadata.uid ?? '');
    },
  },
  {
    name: 'retries CreateSnapshot with the same name after an uncertain failure and cuts one snapshot',
    prepare: (d) => d.failNext('CreateSnapshot', grpc.status.DEADLINE_EXCEEDED, 'timed out'),
    seed: seedGoldSnapshot,
    check: (env) => {
      const { snapshot, content } = world(env);
      assert.equal(env.driver.callsOf('CreateSnapshot').length, 2);
      assertCutOnce(env, snapshot?.metadata.uid ?? '');
      assert.equal(snapshot?.status?.readyToUse, true);
      assert.equal(content?.status?.error, undefined);
      assert.equal(content?.metadata.annotations?.[AnnVolumeSnapshotBeingCreated], undefined);
      assert.ok(env.recorder.reasons().includes('SnapshotCreationFailed'));
    },
  },
  {
    name: 'retries after a final failure and reports the error until the snapshot is cut',
    prepare: (d) => d.failNext('CreateSnapshot', grpc.status.INTERNAL, 'backend hiccup'),
    seed: seedGoldSnapshot,
    check: (env) => {
      const { snapshot } = world(env);
      assert.equal(env.driver.callsOf('CreateSnapshot').length, 2);
      assertCutOnce(env, snapshot?.metadata.uid ?? '');
      assert.equal(snapshot?.status?.readyToUse, true);
      assert.equal(snapshot?.status?.error, undefined);
      const failed = env.recorder.recorded.find((e) => e.reason === 'SnapshotCreationFailed');
      assert.match(
        failed?.message ?? '',
        /^Failed to create snapshot: failed to take snapshot of the volume vol-1/,
      );
    },
  },
  {
    name: 'binds a pre-provisioned content that points back at the snapshot and verifies it with ListSnapshots',
    prepare: (d) => d.addSnapshot('handle-9', 'vol-9'),
    seed: (store) => {
      store.seed(Resources.volumesnapshotcontents, {
        metadata: { name: 'pre-content' },
        spec: {
          volumeSnapshotRef: { namespace: NS, name: 'snap-1' },
          deletionPolicy: 'Retain',
          driver: DRIVER,
          source: { snapshotHandle: 'handle-9' },
        },
      } as VolumeSnapshotContent);
      store.seed(Resources.volumesnapshots, {
        metadata: { name: 'snap-1', namespace: NS },
        spec: { source: { volumeSnapshotContentName: 'pre-content' } },
      } as VolumeSnapshot);
    },
    check: (env) => {
      const { snapshot, content } = world(env, 'pre-content');
      assert.equal(content?.spec.volumeSnapshotRef.uid, snapshot?.metadata.uid);
      assert.equal(content?.status?.snapshotHandle, 'handle-9');
      assert.equal(content?.status?.readyToUse, true);
      assert.equal(snapshot?.status?.boundVolumeSnapshotContentName, 'pre-content');
      assert.equal(snapshot?.status?.readyToUse, true);
      assert.equal(env.driver.callsOf('CreateSnapshot').length, 0);
      assert.equal(env.driver.callsOf('ListSnapshots')[0]?.['snapshot_id'], 'handle-9');
      // Retain: no bound finalizer on the snapshot.
      assert.deepEqual(snapshot?.metadata.finalizers, [VolumeSnapshotAsSourceFinalizer]);
    },
  },
  {
    name: 'deleting a snapshot with policy Delete deletes the backend snapshot, then the content, then the snapshot',
    seed: seedGoldSnapshot,
    act: async (env) => {
      const uid = world(env).snapshot?.metadata.uid ?? '';
      env.driver.calls.length = 0;
      await deleteSnapshot(env);
      const del = env.driver.callsOf('DeleteSnapshot');
      assert.equal(del.length, 1);
      assert.equal(del[0]?.['snapshot_id'], `snap-snapshot-${uid}`);
      assert.deepEqual(del[0]?.['secrets'], { token: 'abc' });
      assert.equal(env.store.objects(Resources.volumesnapshotcontents).length, 0);
    },
    check: (env) => {
      const { snapshot, claim } = world(env);
      assert.equal(snapshot, undefined);
      assert.equal(env.driver.snapshots.size, 0);
      assert.equal((claim?.metadata.finalizers ?? []).includes(PVCFinalizer), false);
    },
  },
  {
    name: 'deletes the backend snapshot and the content of a content that carries an earlier error',
    sidecarOnly: true,
    prepare: (d) => d.addSnapshot('handle-7', 'vol-1'),
    seed: (store) => {
      store.seed(Resources.volumesnapshotcontents, {
        metadata: {
          name: 'erred-content',
          finalizers: [VolumeSnapshotContentFinalizer],
          annotations: { [AnnVolumeSnapshotBeingDeleted]: 'yes' },
        },
        spec: {
          volumeSnapshotRef: { namespace: NS, name: 'snap-gone', uid: 'uid-gone' },
          deletionPolicy: 'Delete',
          driver: DRIVER,
          source: { snapshotHandle: 'handle-7' },
        },
        status: {
          snapshotHandle: 'handle-7',
          readyToUse: true,
          error: { time: '2024-01-01T00:00:00Z', message: 'an earlier status update failed' },
        },
      } as VolumeSnapshotContent);
    },
    act: async (env) => {
      await env.client
        .resource<VolumeSnapshotContent>(Resources.volumesnapshotcontents)
        .delete('erred-content');
      await env.settle();
    },
    check: (env) => {
      assert.deepEqual(
        env.driver.callsOf('DeleteSnapshot').map((r) => r['snapshot_id']),
        ['handle-7'],
      );
      assert.equal(env.driver.snapshots.size, 0);
      assert.equal(
        world(env, 'erred-content').content,
        undefined,
        'the bound finalizer is removed once the backend snapshot is gone',
      );
    },
  },
  {
    name: 'deleting a snapshot with policy Retain keeps the content and the backend snapshot',
    seed: (store) => {
      seedVolume(store);
      seedSecret(store);
      store.seed(Resources.volumesnapshotclasses, snapshotClass('gold', { policy: 'Retain' }));
      store.seed(Resources.volumesnapshots, dynamicSnapshot('gold'));
    },
    act: async (env) => {
      const uid = world(env).snapshot?.metadata.uid ?? '';
      await deleteSnapshot(env);
      const content = env.store.object<VolumeSnapshotContent>(
        Resources.volumesnapshotcontents,
        undefined,
        `snapcontent-${uid}`,
      );
      assert.ok(content !== undefined);
      assert.equal(content.metadata.deletionTimestamp, undefined);
      assert.equal(content.metadata.annotations?.[AnnVolumeSnapshotBeingDeleted], 'yes');
    },
    check: (env) => {
      assert.equal(world(env).snapshot, undefined);
      assert.equal(env.driver.callsOf('DeleteSnapshot').length, 0);
      assert.equal(env.driver.snapshots.size, 1);
    },
  },
  {
    name: 'a snapshotter killed while CreateSnapshot is in flight resumes with the same name and cuts one snapshot',
    prepare: (d) => d.holdNext('CreateSnapshot'),
    seed: seedGoldSnapshot,
    act: async (env) => {
      assert.equal(env.driver.held, 1);
      assert.equal(world(env).content?.metadata.annotations?.[AnnVolumeSnapshotBeingCreated], 'yes');
      await env.restart();
      env.driver.release();
      await env.settle();
    },
    check: (env) => {
      const { snapshot, content } = world(env);
      assert.equal(env.driver.callsOf('CreateSnapshot').length, 2);
      assertCutOnce(env, snapshot?.metadata.uid ?? '');
      assert.equal(snapshot?.status?.readyToUse, true);
      assert.equal(content?.metadata.annotations?.[AnnVolumeSnapshotBeingCreated], undefined);
    },
  },
  {
    name: 'a snapshot deleted while CreateSnapshot is in flight is deleted on the backend once the call answered',
    prepare: (d) => d.holdNext('CreateSnapshot'),
    seed: seedGoldSnapshot,
    act: async (env) => {
      await deleteSnapshot(env);
      // The content waits for the answer: deleting now could leak what the driver is cutting.
      assert.equal(env.driver.callsOf('DeleteSnapshot').length, 0);
      assert.notEqual(world(env).snapshot, undefined);
      await env.restart();
      env.driver.release();
      await env.settle();
    },
    check: (env) => {
      assert.equal(world(env).snapshot, undefined);
      assert.equal(env.store.objects(Resources.volumesnapshotcontents).length, 0);
      assert.equal(env.driver.callsOf('DeleteSnapshot').length, 1);
      assert.equal(env.driver.snapshots.size, 0, 'nothing leaked on the backend');
    },
  },
  {
    name: 'refuses a class of another driver than the volume',
    seed: (store) => {
      seedVolume(store);
      store.seed(Resources.volumesnapshotclasses, snapshotClass('foreign', { driver: 'other.csi' }));
      store.seed(Resources.volumesnapshots, dynamicSnapshot('foreign'));
    },
    check: (env) => {
      const { snapshot, content } = world(env);
      assert.equal(content, undefined);
      assert.match(
        snapshot?.status?.error?.message ?? '',
        /Failed to create snapshot content with error .*other\.csi/,
      );
      assert.ok(env.recorder.reasons().includes('SnapshotContentCreationFailed'));
      assert.equal(env.driver.callsOf('CreateSnapshot').length, 0);
    },
  },
  {
    name: 'leaves a driver whose built-in sidecars are switched off to its own csi-snapshotter',
    csiDrivers: [
      {
        metadata: { name: DRIVER, annotations: { [BuiltinSidecarsAnnotation]: 'false' } },
        spec: {},
      } as CSIDriver,
    ],
    seed: seedGoldSnapshot,
    check: (env) => {
      const { snapshot, content } = world(env);
      assert.ok(content !== undefined, 'the snapshot controller still makes the content');
      assert.equal(content.status, undefined);
      assert.equal(env.driver.callsOf('CreateSnapshot').length, 0);
      assert.notEqual(snapshot?.status?.readyToUse, true);
    },
  },
  {
    name: 'cuts no snapshot for a driver without CREATE_DELETE_SNAPSHOT',
    driver: { controllerCapabilities: ['EXPAND_VOLUME'] },
    seed: seedGoldSnapshot,
    check: (env) => {
      assert.equal(env.driver.callsOf('CreateSnapshot').length, 0);
      assert.equal(world(env).content?.status, undefined);
    },
  },
];

describe('SnapshotController with CsiSnapshotter', () => {
  const start = controllerEnvPerTest();

  for (const c of cases) {
    it(c.name, async () => {
      const env = await start({
        driver: { name: DRIVER, controllerCapabilities: CONTROLLER_CAPABILITIES, ...(c.driver ?? {}) },
        seed: c.seed,
        ...(c.prepare !== undefined ? { prepare: c.prepare } : {}),
        ...(c.csiDrivers !== undefined ? { csiDrivers: c.csiDrivers } : {}),
        controllers: (deps) =>
          c.sidecarOnly === true
            ? [new CsiSnapshotter(deps)]
            : [new SnapshotController(deps), new CsiSnapshotter(deps)],
      });
      await c.act?.(env);
      c.check(env);
    });
  }
});
