// Tests of the built-in external-attacher and the CSIStorageCapacity publisher over a FakeObjectStore
// and a fake CSI driver on a unix socket.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  type CSIDriver,
  type CSINode,
  type CSIStorageCapacity,
  type Node,
  type PersistentVolume,
  Resources,
  type StorageClass,
  type VolumeAttachment,
} from '../../api/index.ts';
import { CsiAttacherController } from './attacher.ts';
import { CsiCapacityController } from './capacity.ts';
import { controllerEnvPerTest } from './testing/index.ts';

const DRIVER = 'fake.csi.kvol.io';
const FINALIZER = 'external-attacher/fake-csi-kvol-io';

const pv: PersistentVolume = {
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pv1' },
  spec: {
    accessModes: ['ReadWriteOnce'],
    capacity: { storage: '1Gi' },
    csi: { driver: DRIVER, volumeHandle: 'vol-1', fsType: 'ext4', volumeAttributes: { a: 'b' } },
  },
};
const va: VolumeAttachment = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'VolumeAttachment',
  metadata: { name: 'csi-abc' },
  spec: { attacher: DRIVER, nodeName: 'n1', source: { persistentVolumeName: 'pv1' } },
};
const csiNode = (name: string): CSINode => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'CSINode',
  metadata: { name },
  spec: { drivers: [{ name: DRIVER, nodeID: `id-${name}`, topologyKeys: ['topology.fake/zone'] }] },
});
const node = (name: string, zone: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'topology.fake/zone': zone } },
});

describe('CsiAttacherController', () => {
  const start = controllerEnvPerTest();
  it('marks an attachment of a driver without PUBLISH_UNPUBLISH_VOLUME attached without a finalizer', async () => {
    const t = await start({
      controllers: (d) => [new CsiAttacherController(d)],
      driver: { name: DRIVER, controllerCapabilities: ['CREATE_DELETE_VOLUME'] },
    });
    await t.client.resource(Resources.persistentvolumes).create(pv);
    await t.client.resource(Resources.volumeattachments).create(va);
    await t.settle();
    const [got] = t.store.objects<VolumeAttachment>(Resources.volumeattachments);
    assert.equal(got?.status?.attached, true);
    assert.equal(got?.metadata.finalizers, undefined);
    assert.equal(t.driver.callsOf('ControllerPublishVolume').length, 0);
  });

  it('publishes with the CSINode node ID, records the publish context, and unpublishes on deletion', async () => {
    const t = await start({
      controllers: (d) => [new CsiAttacherController(d)],
      driver: { name: DRIVER, controllerCapabilities: ['CREATE_DELETE_VOLUME', 'PUBLISH_UNPUBLISH_VOLUME'] },
    });
    await t.client.resource(Resources.csinodes).create(csiNode('n1'));
    await t.client.resource(Resources.persistentvolumes).create(pv);
    t.driver.failNext('ControllerPublishVolume', grpc.status.INTERNAL, 'backend busy');
    await t.client.resource(Resources.volumeattachments).create(va);
    await t.settle();
    let [got] = t.store.objects<VolumeAttachment>(Resources.volumeattachments);
    assert.equal(got?.status?.attached, true);
    assert.deepEqual(got?.status?.attachmentMetadata, { devicePath: '/dev/fake/vol-1' });
    assert.equal(got?.status?.attachError, undefined, 'the retry clears the first attach error');
    assert.deepEqual(got?.metadata.finalizers, [FINALIZER]);
    assert.equal(got?.metadata.annotations?.['csi.alpha.kubernetes.io/node-id'], 'id-n1');
    const [req] = t.driver.callsOf('ControllerPublishVolume');
    assert.equal(req?.node_id, 'id-n1');
    assert.deepEqual(req?.volume_context, { a: 'b' });
    assert.deepEqual(req?.volume_capability, {
      mount: { fs_type: 'ext4', mount_flags: [], volume_mount_group: '' },
      access_mode: { mode: 'SINGLE_NODE_WRITER' },
      access_type: 'mount',
    });
    assert.ok(t.driver.published.has('vol-1@id-n1'));
    const [p] = t.store.objects<PersistentVolume>(Resources.persistentvolumes);
    assert.deepEqual(p?.metadata.finalizers, [FINALIZER]);

    t.driver.failNext('ControllerUnpublishVolume', grpc.status.INTERNAL, 'still mounted');
    await t.client.resource(Resources.volumeattachments).delete('csi-abc');
    await t.settle();
    [got] = t.store.objects<VolumeAttachment>(Resources.volumeattachments);
    assert.equal(got, undefined, 'the attachment is gone once unpublished');
    assert.equal(t.driver.callsOf('ControllerUnpublishVolume').length, 2);
    assert.equal(t.driver.published.size, 0);
  });

  it('leaves attachments alone when the CSIDriver switches the built-in logic off', async () => {
    const t = await start({
      controllers: (d) => [new CsiAttacherController(d)],
      driver: { name: DRIVER, controllerCapabilities: ['PUBLISH_UNPUBLISH_VOLUME'] },
    });
    await t.client.resource<CSIDriver>(Resources.csidrivers).create({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: DRIVER, annotations: { 'kvol.io/builtin-sidecars': 'false' } },
      spec: {},
    });
    await t.settle();
    await t.client.resource(Resources.persistentvolumes).create(pv);
    await t.client.resource(Resources.volumeattachments).create(va);
    await t.settle();
    const [got] = t.store.objects<VolumeAttachment>(Resources.volumeattachments);
    assert.equal(got?.status, undefined);
    assert.equal(t.driver.calls.length, 0);
  });
});

describe('CsiCapacityController', () => {
  const start = controllerEnvPerTest();
  it('publishes one object per segment and class, updates it, and removes it when the class goes', async () => {
    let available = 5 * 1024 ** 3;
    const t = await start({
      controllers: (d) => [new CsiCapacityController(d)],
      driver: {
        name: DRIVER,
        controllerCapabilities: ['CREATE_DELETE_VOLUME', 'GET_CAPACITY'],
        capacity: () => ({ available, max: 1024 ** 3 }),
      },
    });
    await t.client.resource<CSIDriver>(Resources.csidrivers).create({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: DRIVER },
      spec: { storageCapacity: true },
    });
    for (const [n, z] of [
      ['n1', 'z1'],
      ['n2', 'z2'],
      ['n3', 'z2'],
    ] as const) {
      await t.client.resource(Resources.nodes).create(node(n, z));
      await t.client.resource(Resources.csinodes).create(csiNode(n));
    }
    const sc: StorageClass = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'fast' },
      provisioner: DRIVER,
      parameters: { tier: 'gold' },
    };
    await t.client.resource(Resources.storageclasses).create(sc);
    await t.settle();
    const objs = (): CSIStorageCapacity[] =>
      t.store
        .objects<CSIStorageCapacity>(Resources.csistoragecapacities)
        .sort((a, b) => JSON.stringify(a.nodeTopology).localeCompare(JSON.stringify(b.nodeTopology)));
    let got = objs();
    assert.deepEqual(
      got.map((c) => [
        c.metadata.namespace,
        c.storageClassName,
        c.nodeTopology,
        c.capacity,
        c.maximumVolumeSize,
      ]),
      [
        ['kube-system', 'fast', { matchLabels: { 'topology.fake/zone': 'z1' } }, '5Gi', '1Gi'],
        ['kube-system', 'fast', { matchLabels: { 'topology.fake/zone': 'z2' } }, '5Gi', '1Gi'],
      ],
    );
    assert.ok(got.every((c) => c.metadata.name?.startsWith('csisc-')));
    assert.deepEqual(got[0]?.metadata.labels, {
      'csi.storage.k8s.io/drivername': DRIVER,
      'csi.storage.k8s.io/managed-by': 'external-provisioner',
    });
    const [req] = t.driver.callsOf('GetCapacity');
    assert.deepEqual(req?.parameters, { tier: 'gold' });

    available = 2 * 1024 ** 3;
    // A StorageClass update is one of the refresh triggers.
    await t.client
      .resource(Resources.storageclasses)
      .update({ ...sc, metadata: { name: 'fast', labels: { x: 'y' } } });
    await t.settle();
    got = objs();
    assert.deepEqual(
      got.map((c) => c.capacity),
      ['2Gi', '2Gi'],
    );

    await t.client.resource(Resources.storageclasses).delete('fast');
    await t.settle();
    assert.deepEqual(objs(), []);
  });

  it('polls GetCapacity again on a node change only when the labels of the driver topology keys or its CSINode entry changed', async () => {
    const t = await start({
      // No periodic refresh within the test: every GetCapacity call comes from an event.
      controllers: (d) => [new CsiCapacityController({ ...d, pollIntervalMs: 365 * 24 * 3600_000 })],
      driver: { name: DRIVER, controllerCapabilities: ['CREATE_DELETE_VOLUME', 'GET_CAPACITY'] },
    });
    await t.client.resource<CSIDriver>(Resources.csidrivers).create({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: DRIVER },
      spec: { storageCapacity: true },
    });
    await t.client.resource(Resources.nodes).create(node('n1', 'z1'));
    await t.client.resource(Resources.csinodes).create(csiNode('n1'));
    await t.client.resource<StorageClass>(Resources.storageclasses).create({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'fast' },
      provisioner: DRIVER,
    });
    await t.settle();
    const polls = (): number => t.driver.callsOf('GetCapacity').length;
    const before = polls();
    assert.ok(before > 0);
    const nodes = t.client.resource<Node>(Resources.nodes);
    // Heartbeats and labels the driver does not use.
    for (let i = 0; i < 3; i++) {
      const n = await nodes.get('n1');
      n.status = { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: `beat-${i}` }] };
      await nodes.updateStatus(n);
      await nodes.patch('n1', 'application/merge-patch+json', { metadata: { labels: { other: `v${i}` } } });
    }
    const csiNodes = t.client.resource<CSINode>(Resources.csinodes);
    await csiNodes.patch('n1', 'application/merge-patch+json', { metadata: { annotations: { a: 'b' } } });
    await t.settle();
    assert.equal(polls(), before, 'no GetCapacity for changes outside the driver topology');
    await nodes.patch('n1', 'application/merge-patch+json', {
      metadata: { labels: { 'topology.fake/zone': 'z9' } },
    });
    await t.settle();
    assert.ok(polls() > before, 'a new segment is polled');
    const segments = (): unknown[] =>
      t.store
        .objects<CSIStorageCapacity>(Resources.csistoragecapacities)
        .map((c) => c.nodeTopology?.matchLabels);
    assert.deepEqual(segments(), [{ 'topology.fake/zone': 'z9' }]);
    // The CSINode entry of the driver changes its topology keys: the segment goes.
    const cn = await csiNodes.get('n1');
    const entry = cn.spec.drivers[0];
    assert.ok(entry !== undefined);
    entry.topologyKeys = ['topology.fake/rack'];
    await csiNodes.update(cn);
    await t.settle();
    assert.deepEqual(segments(), []);
  });
});
