// Tests of the built-in external-provisioner beyond plain provisioning: restore from a VolumeSnapshot,
// cloning from a PVC with the cloning-protection finalizer, the VolumeAttachment check before
// DeleteVolume, rescheduling on RESOURCE_EXHAUSTED through to the next node, and claims deleted or
// replaced while their volume is being made (no orphaned and no duplicated volume). Each case builds its
// objects against a FakeObjectStore (which gives them their own UIDs), runs the controller over a fake
// CSI driver on a unix socket until idle, then checks driver calls, objects and claim events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  type CSINode,
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  Resources,
  type StorageClass,
  type VolumeAttachment,
  type VolumeSnapshot,
  type VolumeSnapshotContent,
} from '../../api/index.ts';
import { type CsiClient, CsiError } from '../../csi/index.ts';
import { CsiProvisionerController } from './provisioner.ts';
import {
  type ControllerEnv,
  controllerEnvPerTest,
  type FakeControllerDriverOptions,
} from './testing/index.ts';

const DRIVER = 'fake.csi.kvol.io';
const NS = 'default';
const CloneFinalizer = 'provisioner.storage.kubernetes.io/cloning-protection';
const SelectedNode = 'volume.kubernetes.io/selected-node';
type Env = ControllerEnv;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sc(name = 'fast', extra: Partial<StorageClass> = {}): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: DRIVER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
    ...extra,
  };
}

function pvc(
  name: string,
  extra: {
    ns?: string;
    size?: string;
    mode?: 'Block' | 'Filesystem';
    ann?: Record<string, string>;
    dataSource?: NonNullable<PersistentVolumeClaim['spec']>['dataSource'];
    volumeName?: string;
    phase?: 'Pending' | 'Bound';
  } = {},
): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace: extra.ns ?? NS,
      annotations: { 'volume.kubernetes.io/storage-provisioner': DRIVER, ...(extra.ann ?? {}) },
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: extra.size ?? '1Gi' } },
      storageClassName: 'fast',
      ...(extra.mode !== undefined ? { volumeMode: extra.mode } : {}),
      ...(extra.dataSource !== undefined ? { dataSource: extra.dataSource } : {}),
      ...(extra.volumeName !== undefined ? { volumeName: extra.volumeName } : {}),
    },
    status: { phase: extra.phase ?? 'Pending' },
  };
}

const snapshotSource = { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' };
const pvcSource = { kind: 'PersistentVolumeClaim', name: 'src' };

const claims = (t: Env) => t.client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, NS);
const pvs = (t: Env): PersistentVolume[] => t.store.objects<PersistentVolume>(Resources.persistentvolumes);
const claimOf = (t: Env, name: string, ns = NS): PersistentVolumeClaim | undefined =>
  t.store
    .objects<PersistentVolumeClaim>(Resources.persistentvolumeclaims, ns)
    .find((c) => c.metadata.name === name);

/**
 * Polls until `cond` holds (the controller retries some failures with backoff, not on events): the
 * fake clock moves on as real time passes.
 */
async function until(t: Env, what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) {
    await sleep(20);
    t.clock.step(20);
  }
  assert.ok(cond(), `timed out waiting until ${what}`);
  await t.settle();
}

const failedEvents = (t: Env): string[] =>
  t.recorder.events.filter((e) => e.startsWith('Warning ProvisioningFailed'));

/** A bound VolumeSnapshot named `snap` with its content `content-1` made by `driver`. */
async function makeSnapshot(
  t: Env,
  opts: { ready: boolean; restoreSize?: string; driver?: string },
): Promise<void> {
  const snap = await t.client.resource<VolumeSnapshot>(Resources.volumesnapshots, NS).create({
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: { name: 'snap', namespace: NS },
    spec: { source: { persistentVolumeClaimName: 'origin' } },
  });
  await t.client.resource<VolumeSnapshotContent>(Resources.volumesnapshotcontents).create({
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotContent',
    metadata: { name: 'content-1' },
    spec: {
      driver: opts.driver ?? DRIVER,
      deletionPolicy: 'Delete',
      source: { volumeHandle: 'vol-origin' },
      volumeSnapshotRef: {
        kind: 'VolumeSnapshot',
        namespace: NS,
        name: 'snap',
        uid: snap.metadata.uid ?? '',
      },
    },
    status: { snapshotHandle: 'snap-handle-1', readyToUse: true },
  });
  await setSnapshotStatus(t, { ready: opts.ready, restoreSize: opts.restoreSize ?? '1Gi' });
}

async function setSnapshotStatus(t: Env, s: { ready: boolean; restoreSize: string }): Promise<void> {
  const r = t.client.resource<VolumeSnapshot>(Resources.volumesnapshots, NS);
  const snap = await r.get('snap');
  snap.status = {
    boundVolumeSnapshotContentName: 'content-1',
    readyToUse: s.ready,
    restoreSize: s.restoreSize,
  };
  await r.updateStatus(snap);
}

/** A Bound claim `src` (in `ns`) with its Bound PV `pv-src` of `driver`. */
async function makeCloneSource(
  t: Env,
  opts: {
    ns?: string;
    size?: string;
    mode?: 'Block' | 'Filesystem';
    driver?: string;
    phase?: 'Pending';
  } = {},
): Promise<void> {
  const ns = opts.ns ?? NS;
  const src = await t.client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, ns).create(
    pvc('src', {
      ns,
      size: opts.size ?? '1Gi',
      ...(opts.mode !== undefined ? { mode: opts.mode } : {}),
      volumeName: 'pv-src',
      phase: opts.phase ?? 'Bound',
      ann: { 'pv.kubernetes.io/bind-completed': 'yes' },
    }),
  );
  await t.client.resource<PersistentVolume>(Resources.persistentvolumes).create({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-src', annotations: { 'pv.kubernetes.io/provisioned-by': DRIVER } },
    spec: {
      capacity: { storage: opts.size ?? '1Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'fast',
      ...(opts.mode !== undefined ? { volumeMode: opts.mode } : {}),
      claimRef: { kind: 'PersistentVolumeClaim', namespace: ns, name: 'src', uid: src.metadata.uid ?? '' },
      csi: { driver: opts.driver ?? DRIVER, volumeHandle: 'vol-src' },
    },
    status: { phase: 'Bound' },
  });
}

/** Replaces the driver client's createVolume for this test (the registry caches one client per driver). */
function wrapCreateVolume(
  t: Env,
  wrap: (orig: CsiClient['createVolume'], call: number) => CsiClient['createVolume'],
): void {
  const client = t.drivers.client(DRIVER);
  assert.ok(client);
  const orig = client.createVolume.bind(client);
  let calls = 0;
  (client as { createVolume: CsiClient['createVolume'] }).createVolume = (req, opts) =>
    wrap(orig, ++calls)(req, opts);
}

/** Deletes the claim and waits long enough for the controller's informer to see it go. */
async function deleteClaim(t: Env, name: string): Promise<void> {
  await claims(t).delete(name);
  await sleep(100);
}

const snapCaps = ['CREATE_DELETE_VOLUME', 'CREATE_DELETE_SNAPSHOT', 'CLONE_VOLUME'];

interface Case {
  name: string;
  driver?: Partial<FakeControllerDriverOptions>;
  run: (t: Env) => Promise<void>;
}

const sourceCases: Case[] = [
  {
    name: 'restores from a VolumeSnapshot only once it is readyToUse, passing the handle of its bound content',
    driver: { controllerCapabilities: snapCaps },
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      await makeSnapshot(t, { ready: false });
      await claims(t).create(pvc('data', { dataSource: snapshotSource }));
      await t.settle();
      assert.equal(
        t.driver.callsOf('CreateVolume').length,
        0,
        'no CreateVolume before the snapshot is ready',
      );
      assert.equal(pvs(t).length, 0);
      assert.ok(
        failedEvents(t).some((e) =>
          e.endsWith(
            'error getting handle for DataSource Type VolumeSnapshot by Name snap: snapshot snap is not Ready',
          ),
        ),
        failedEvents(t).join('\n'),
      );
      await setSnapshotStatus(t, { ready: true, restoreSize: '1Gi' });
      await until(t, 'the restored PV exists', () => pvs(t).length === 1);
      const [req] = t.driver.callsOf('CreateVolume');
      const source = req?.volume_content_source as { snapshot?: { snapshot_id: string } };
      assert.equal(source.snapshot?.snapshot_id, 'snap-handle-1');
      assert.equal(pvs(t)[0]?.spec?.csi?.volumeHandle, `vol-pvc-${claimOf(t, 'data')?.metadata.uid}`);
    },
  },
  {
    name: "refuses a restore smaller than the snapshot's restoreSize with upstream's message",
    driver: { controllerCapabilities: snapCaps },
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      await makeSnapshot(t, { ready: true, restoreSize: '2Gi' });
      await claims(t).create(pvc('data', { dataSource: snapshotSource }));
      await t.settle();
      assert.equal(t.driver.callsOf('CreateVolume').length, 0);
      assert.ok(
        failedEvents(t).some((e) =>
          e.endsWith(
            'error getting handle for DataSource Type VolumeSnapshot by Name snap: requested volume size 1073741824 is less than the size 2147483648 for the source snapshot snap',
          ),
        ),
        failedEvents(t).join('\n'),
      );
    },
  },
  {
    name: 'refuses a snapshot whose content another driver made as not bound',
    driver: { controllerCapabilities: snapCaps },
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      await makeSnapshot(t, { ready: true, driver: 'other.csi.kvol.io' });
      await claims(t).create(pvc('data', { dataSource: snapshotSource }));
      await t.settle();
      assert.equal(t.driver.callsOf('CreateVolume').length, 0);
      assert.ok(failedEvents(t).some((e) => e.endsWith('snapshot snap not bound')));
    },
  },
  {
    name: 'refuses a snapshot restore when the driver lacks CREATE_DELETE_SNAPSHOT',
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      await makeSnapshot(t, { ready: true });
      await claims(t).create(pvc('data', { dataSource: snapshotSource }));
      await t.settle();
      assert.equal(t.driver.callsOf('CreateVolume').length, 0);
      assert.ok(
        failedEvents(t).some((e) =>
          e.endsWith(
            'CSI driver does not support snapshot restore: controller CREATE_DELETE_SNAPSHOT capability is not reported',
          ),
        ),
      );
    },
  },
  {
    name: 'clones a bound PVC: the source volume ID, cloning protection while the clone is pending, removed once it is bound',
    driver: { controllerCapabilities: snapCaps },
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      await makeCloneSource(t);
      await claims(t).create(pvc('data', { size: '2Gi', dataSource: pvcSource }));
      await t.settle();
      const [req] = t.driver.callsOf('CreateVolume');
      const source = req?.volume_content_source as { volume?: { volume_id: string } };
      assert.equal(source.volume?.volume_id, 'vol-src');
      assert.equal(pvs(t).filter((p) => p.metadata.name !== 'pv-src').length, 1);
      assert.deepEqual(claimOf(t, 'src')?.metadata.finalizers, [CloneFinalizer]);
      // The PV controller binds the clone: the source is free again.
      const clone = await claims(t).get('data');
      clone.status = { phase: 'Bound' };
      await claims(t).updateStatus(clone);
      await until(t, 'the finalizer is gone', () => claimOf(t, 'src')?.metadata.finalizers === undefined);
    },
  },
  {
    name: 'drops cloning protection when the pending clone is deleted',
    driver: { controllerCapabilities: snapCaps },
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      await makeCloneSource(t);
      await claims(t).create(pvc('data', { dataSource: pvcSource }));
      await t.settle();
      assert.deepEqual(claimOf(t, 'src')?.metadata.finalizers, [CloneFinalizer]);
      await claims(t).delete('data');
      await until(t, 'the finalizer is gone', () => claimOf(t, 'src')?.metadata.finalizers === undefined);
    },
  },
  ...(
    [
      {
        what: 'a request smaller than the source',
        source: { size: '2Gi' },
        want: 'error, new PVC request must be greater than or equal in size to the specified PVC data source, requested 1073741824 but source is 2147483648',
      },
      {
        what: 'a Block source for a Filesystem clone',
        source: { mode: 'Block' as const },
        want: 'the source PVC and destination PVCs must have the same volume mode for cloning.  Source is Block, but new PVC requested Filesystem',
      },
      {
        what: 'a source that is not Bound',
        source: { phase: 'Pending' as const },
        want: 'the PVC DataSource src must have a status of Bound.  Got {"phase":"Pending"}',
      },
      {
        what: 'a source volume of another driver',
        source: { driver: 'other.csi.kvol.io' },
        want: 'claim in dataSource not bound or invalid',
      },
      {
        what: 'a source in another namespace',
        source: { ns: 'elsewhere' },
        want: 'error getting PVC src (namespace "default") from api server: persistentvolumeclaim "src" not found',
      },
    ] satisfies { what: string; source: Parameters<typeof makeCloneSource>[1]; want: string }[]
  ).map(
    (c): Case => ({
      name: `refuses a clone from ${c.what} and leaves the source alone`,
      driver: { controllerCapabilities: snapCaps },
      run: async (t) => {
        await t.client.resource(Resources.storageclasses).create(sc());
        await makeCloneSource(t, c.source);
        await claims(t).create(pvc('data', { dataSource: pvcSource }));
        await t.settle();
        assert.equal(t.driver.callsOf('CreateVolume').length, 0);
        const want = `error getting handle for DataSource Type PersistentVolumeClaim by Name src: ${c.want}`;
        assert.ok(
          failedEvents(t).some((e) => e.endsWith(want)),
          `${want}\nnot in\n${failedEvents(t).join('\n')}`,
        );
        assert.equal(claimOf(t, 'src', c.source?.ns ?? NS)?.metadata.finalizers, undefined);
      },
    }),
  ),
  {
    name: 'refuses a clone when the driver lacks CLONE_VOLUME',
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      await makeCloneSource(t);
      await claims(t).create(pvc('data', { dataSource: pvcSource }));
      await t.settle();
      assert.equal(t.driver.callsOf('CreateVolume').length, 0);
      assert.ok(
        failedEvents(t).some((e) =>
          e.endsWith(
            'CSI driver does not support clone operations: controller CLONE_VOLUME capability is not reported',
          ),
        ),
      );
    },
  },
];

function node(name: string, zone: string): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'topology.fake/zone': zone } } };
}

function csiNode(name: string): CSINode {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSINode',
    metadata: { name },
    spec: { drivers: [{ name: DRIVER, nodeID: `id-${name}`, topologyKeys: ['topology.fake/zone'] }] },
  };
}

async function makeTopology(t: Env): Promise<void> {
  for (const n of [node('n1', 'z1'), node('n2', 'z2')]) await t.client.resource(Resources.nodes).create(n);
  for (const n of [csiNode('n1'), csiNode('n2')]) await t.client.resource(Resources.csinodes).create(n);
}

async function selectNode(t: Env, name: string, nodeName: string): Promise<void> {
  const c = await claims(t).get(name);
  c.metadata.annotations = { ...c.metadata.annotations, [SelectedNode]: nodeName };
  await claims(t).update(c);
}

const releasedPV = (name: string): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: {
    name,
    annotations: { 'pv.kubernetes.io/provisioned-by': DRIVER },
    finalizers: ['external-provisioner.volume.kubernetes.io/finalizer'],
  },
  spec: {
    capacity: { storage: '1Gi' },
    accessModes: ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: 'Delete',
    storageClassName: 'fast',
    claimRef: { namespace: NS, name: 'gone', uid: 'uid-gone' },
    csi: { driver: DRIVER, volumeHandle: `vol-${name}` },
  },
  status: { phase: 'Released' },
});

const lifecycleCases: Case[] = [
  {
    name: 'keeps a volume that is still attached and deletes it once its VolumeAttachment is gone',
    driver: { controllerCapabilities: ['CREATE_DELETE_VOLUME', 'PUBLISH_UNPUBLISH_VOLUME'] },
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      await t.client.resource<VolumeAttachment>(Resources.volumeattachments).create({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'VolumeAttachment',
        metadata: { name: 'csi-abc' },
        spec: { attacher: DRIVER, nodeName: 'n1', source: { persistentVolumeName: 'pvc-old' } },
      });
      await t.client.resource(Resources.persistentvolumes).create(releasedPV('pvc-old'));
      await t.settle();
      assert.equal(t.driver.callsOf('DeleteVolume').length, 0);
      assert.equal(pvs(t).length, 1);
      assert.ok(
        t.recorder.events.includes(
          'Warning VolumeFailedDelete persistentvolume pvc-old is still attached to node n1',
        ),
        t.recorder.events.join('\n'),
      );
      await t.client.resource(Resources.volumeattachments).delete('csi-abc');
      await until(t, 'the PV is gone', () => pvs(t).length === 0);
      assert.deepEqual(
        t.driver.callsOf('DeleteVolume').map((r) => r.volume_id),
        ['vol-pvc-old'],
      );
    },
  },
  {
    name: 'ignores VolumeAttachments for a driver without PUBLISH_UNPUBLISH_VOLUME, as upstream does',
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      await t.client.resource<VolumeAttachment>(Resources.volumeattachments).create({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'VolumeAttachment',
        metadata: { name: 'csi-abc' },
        spec: { attacher: DRIVER, nodeName: 'n1', source: { persistentVolumeName: 'pvc-old' } },
      });
      await t.client.resource(Resources.persistentvolumes).create(releasedPV('pvc-old'));
      await t.settle();
      assert.equal(t.driver.callsOf('DeleteVolume').length, 1);
      assert.equal(pvs(t).length, 0);
    },
  },
  {
    name: 'gives the node back on RESOURCE_EXHAUSTED and provisions on the next node the scheduler picks',
    run: async (t) => {
      await makeTopology(t);
      await t.client
        .resource(Resources.storageclasses)
        .create(sc('fast', { volumeBindingMode: 'WaitForFirstConsumer' }));
      t.driver.failNext('CreateVolume', grpc.status.RESOURCE_EXHAUSTED, 'no space left in z1');
      await claims(t).create(pvc('data', { ann: { [SelectedNode]: 'n1' } }));
      await t.settle();
      assert.equal(claimOf(t, 'data')?.metadata.annotations?.[SelectedNode], undefined);
      assert.equal(pvs(t).length, 0);
      assert.equal(failedEvents(t).length, 1);
      assert.match(
        failedEvents(t)[0] ?? '',
        /^Warning ProvisioningFailed failed to provision volume with StorageClass "fast": .*rpc error: code = ResourceExhausted desc = no space left in z1$/,
      );
      const first = t.driver.callsOf('CreateVolume')[0]?.accessibility_requirements as {
        preferred: { segments: Record<string, string> }[];
      };
      assert.deepEqual(first.preferred[0]?.segments, { 'topology.fake/zone': 'z1' });
      // The scheduler tries another node.
      await selectNode(t, 'data', 'n2');
      await t.settle();
      const calls = t.driver.callsOf('CreateVolume');
      assert.equal(calls.length, 2);
      const second = calls[1]?.accessibility_requirements as {
        preferred: { segments: Record<string, string> }[];
      };
      assert.deepEqual(second.preferred[0]?.segments, { 'topology.fake/zone': 'z2' });
      assert.equal(calls[0]?.name, calls[1]?.name, 'the same volume name on every node');
      const [pv] = pvs(t);
      assert.deepEqual(pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms, [
        { matchExpressions: [{ key: 'topology.fake/zone', operator: 'In', values: ['z2'] }] },
      ]);
    },
  },
  {
    name: 'keeps the selected node on RESOURCE_EXHAUSTED when the driver has no topology, and retries',
    driver: { pluginCapabilities: ['CONTROLLER_SERVICE'] },
    run: async (t) => {
      await makeTopology(t);
      await t.client
        .resource(Resources.storageclasses)
        .create(sc('fast', { volumeBindingMode: 'WaitForFirstConsumer' }));
      t.driver.failNext('CreateVolume', grpc.status.RESOURCE_EXHAUSTED, 'busy');
      await claims(t).create(pvc('data', { ann: { [SelectedNode]: 'n1' } }));
      await until(t, 'the PV exists', () => pvs(t).length === 1);
      assert.equal(claimOf(t, 'data')?.metadata.annotations?.[SelectedNode], 'n1');
      assert.equal(t.driver.callsOf('CreateVolume').length, 2);
    },
  },
];

const orphanCases: Case[] = [
  {
    name: 'deletes the volume instead of creating a PV when the claim is deleted during CreateVolume',
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      wrapCreateVolume(t, (orig) => async (req, opts) => {
        const rep = await orig(req, opts);
        await deleteClaim(t, 'data');
        return rep;
      });
      await claims(t).create(pvc('data'));
      await until(t, 'DeleteVolume was called', () => t.driver.callsOf('DeleteVolume').length > 0);
      assert.equal(t.driver.callsOf('CreateVolume').length, 1);
      assert.equal(t.driver.callsOf('DeleteVolume').length, 1);
      assert.equal(t.driver.volumes.size, 0);
      assert.equal(pvs(t).length, 0);
      assert.ok(!t.recorder.reasons().includes('ProvisioningSucceeded'));
    },
  },
  {
    name: "deletes the old claim's volume and provisions the new one when a claim is replaced during CreateVolume",
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      wrapCreateVolume(t, (orig, call) => async (req, opts) => {
        const rep = await orig(req, opts);
        if (call === 1) {
          await claims(t).delete('data');
          await claims(t).create(pvc('data'));
          await sleep(100);
        }
        return rep;
      });
      const first = await claims(t).create(pvc('data'));
      await until(t, 'the new claim has its PV', () => pvs(t).length > 0);
      const second = claimOf(t, 'data');
      assert.notEqual(second?.metadata.uid, first.metadata.uid);
      assert.deepEqual(
        t.driver.callsOf('DeleteVolume').map((r) => r.volume_id),
        [`vol-pvc-${first.metadata.uid}`],
      );
      assert.deepEqual([...t.driver.volumes.keys()], [`pvc-${second?.metadata.uid}`]);
      assert.deepEqual(
        pvs(t).map((p) => [p.metadata.name, p.spec?.claimRef?.uid]),
        [[`pvc-${second?.metadata.uid}`, second?.metadata.uid]],
      );
    },
  },
  {
    name: 'replays CreateVolume for a claim deleted after a timed-out CreateVolume, then deletes the volume',
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      wrapCreateVolume(t, (orig, call) => async (req, opts) => {
        const rep = await orig(req, opts);
        if (call > 1) return rep;
        // The driver made the volume but the answer was lost; the claim goes before the retry.
        await deleteClaim(t, 'data');
        throw new CsiError('CreateVolume', grpc.status.DEADLINE_EXCEEDED, 'context deadline exceeded');
      });
      const claim = await claims(t).create(pvc('data'));
      await until(t, 'DeleteVolume was called', () => t.driver.callsOf('DeleteVolume').length > 0);
      const name = `pvc-${claim.metadata.uid}`;
      assert.deepEqual(
        t.driver.callsOf('CreateVolume').map((r) => r.name),
        [name, name],
      );
      assert.deepEqual(
        t.driver.callsOf('DeleteVolume').map((r) => r.volume_id),
        [`vol-${name}`],
      );
      assert.equal(t.driver.volumes.size, 0);
      assert.equal(pvs(t).length, 0);
    },
  },
  {
    name: "provisions a claim re-created with the same name at once when the old claim's volume cannot be found again (its snapshot is gone), and names the likely orphan",
    driver: { controllerCapabilities: snapCaps },
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      await makeSnapshot(t, { ready: true });
      wrapCreateVolume(t, (orig, call) => async (req, opts) => {
        const rep = await orig(req, opts);
        if (call > 1) return rep;
        // The answer is lost; meanwhile the claim is replaced and the snapshot it restored goes.
        await claims(t).delete('data');
        await t.client.resource(Resources.volumesnapshots, NS).delete('snap');
        await claims(t).create(pvc('data'));
        await sleep(100);
        throw new CsiError('CreateVolume', grpc.status.DEADLINE_EXCEEDED, 'context deadline exceeded');
      });
      const first = await claims(t).create(pvc('data', { dataSource: snapshotSource }));
      await until(t, 'the new claim has its PV', () => pvs(t).length > 0);
      const second = claimOf(t, 'data');
      assert.notEqual(second?.metadata.uid, first.metadata.uid);
      assert.deepEqual(
        pvs(t).map((p) => [p.metadata.name, p.spec?.claimRef?.uid]),
        [[`pvc-${second?.metadata.uid}`, second?.metadata.uid]],
      );
      const orphan = `pvc-${first.metadata.uid}`;
      await until(t, 'the cleanup gave up', () => failedEvents(t).some((e) => e.includes(orphan)));
      assert.ok(t.driver.volumes.has(orphan), 'the old volume could not be deleted');
      assert.equal(t.driver.callsOf('DeleteVolume').length, 0);
    },
  },
  {
    name: 'gives up cleaning up after a replaced claim after a bounded number of failed replays, while the new claim is provisioned',
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      let oldName = '';
      let replays = 0;
      wrapCreateVolume(t, (orig, call) => async (req, opts) => {
        if (call === 1) {
          oldName = req.name ?? '';
          await orig(req, opts);
          await claims(t).delete('data');
          await claims(t).create(pvc('data'));
          await sleep(100);
          throw new CsiError('CreateVolume', grpc.status.DEADLINE_EXCEEDED, 'context deadline exceeded');
        }
        if (req.name === oldName) {
          replays++;
          throw new CsiError('CreateVolume', grpc.status.UNAVAILABLE, 'driver restarting');
        }
        return orig(req, opts);
      });
      await claims(t).create(pvc('data'));
      await until(t, 'the new claim has its PV', () => pvs(t).length > 0);
      await until(t, 'the cleanup gave up', () => failedEvents(t).some((e) => e.includes(oldName)));
      const after = replays;
      assert.ok(after >= 1 && after <= 10, `replays: ${after}`);
      await sleep(100);
      await t.settle();
      assert.equal(replays, after, 'no replay after giving up');
      assert.match(
        failedEvents(t).find((e) => e.includes(oldName)) ?? '',
        /volume pvc-[0-9a-f-]+ may be orphaned in driver fake\.csi\.kvol\.io: .*driver restarting/,
      );
      assert.equal(pvs(t)[0]?.spec?.claimRef?.uid, claimOf(t, 'data')?.metadata.uid);
    },
  },
  {
    name: 'forgets a claim deleted after a final CreateVolume error: nothing was made, nothing to delete',
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      wrapCreateVolume(t, () => async () => {
        await deleteClaim(t, 'data');
        throw new CsiError('CreateVolume', grpc.status.INVALID_ARGUMENT, 'bad parameters');
      });
      await claims(t).create(pvc('data'));
      await sleep(200);
      await t.settle();
      assert.equal(t.driver.callsOf('DeleteVolume').length, 0);
      assert.equal(pvs(t).length, 0);
    },
  },
  {
    name: 'never deletes a volume whose PV is already on record, even for a claim deleted meanwhile',
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc('fast', { reclaimPolicy: 'Retain' }));
      let uid = '';
      wrapCreateVolume(t, (orig) => async (req, opts) => {
        const rep = await orig(req, opts);
        // An earlier attempt's PV create went through although its answer was lost.
        const pv = releasedPV(`pvc-${uid}`);
        pv.spec = { ...pv.spec, persistentVolumeReclaimPolicy: 'Retain' };
        await t.client.resource(Resources.persistentvolumes).create(pv);
        await deleteClaim(t, 'data');
        return rep;
      });
      uid = (await claims(t).create(pvc('data'))).metadata.uid ?? '';
      await until(t, 'the claim is gone', () => claimOf(t, 'data') === undefined);
      await sleep(200);
      await t.settle();
      assert.equal(t.driver.callsOf('DeleteVolume').length, 0);
      assert.equal(t.driver.volumes.size, 1);
      assert.deepEqual(
        pvs(t).map((p) => p.metadata.name),
        [`pvc-${uid}`],
      );
    },
  },
  {
    name: 'saves the PV after all when DeleteVolume fails for a deleted claim, so the volume stays on record',
    run: async (t) => {
      await t.client.resource(Resources.storageclasses).create(sc());
      for (let i = 0; i < 5; i++)
        t.driver.failNext('DeleteVolume', grpc.status.UNAVAILABLE, 'driver restarting');
      wrapCreateVolume(t, (orig) => async (req, opts) => {
        const rep = await orig(req, opts);
        await deleteClaim(t, 'data');
        return rep;
      });
      const claim = await claims(t).create(pvc('data'));
      await until(t, 'the PV is saved', () => pvs(t).length > 0);
      assert.equal(t.driver.callsOf('DeleteVolume').length, 5);
      assert.equal(t.driver.volumes.size, 1);
      const [pv] = pvs(t);
      assert.equal(pv?.metadata.name, `pvc-${claim.metadata.uid}`);
      assert.equal(pv?.spec?.claimRef?.uid, claim.metadata.uid);
      assert.equal(pv?.spec?.persistentVolumeReclaimPolicy, 'Delete');
    },
  },
];

for (const [title, cases] of [
  ['CsiProvisionerController content sources', sourceCases],
  ['CsiProvisionerController deletion and rescheduling', lifecycleCases],
  ['CsiProvisionerController claims deleted during provisioning', orphanCases],
] as const) {
  describe(title, () => {
    const start = controllerEnvPerTest();
    for (const c of cases) {
      it(c.name, async () => {
        const env = await start({
          controllers: (d) => [new CsiProvisionerController(d)],
          driver: { name: DRIVER, ...(c.driver ?? {}) },
        });
        await c.run(env);
      });
    }
  });
}
