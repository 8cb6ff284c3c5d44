// Tests of the built-in external-provisioner over a FakeObjectStore and a fake CSI driver on a unix
// socket: a table of scenarios, each from its initial objects to the expected PVs, driver calls and
// claim events once everything is idle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  type CSIDriver,
  type CSINode,
  type KubeObject,
  type Node,
  newInternalError,
  type PersistentVolume,
  type PersistentVolumeClaim,
  Resources,
  type ResourceType,
  type Secret,
  type StorageClass,
} from '../../api/index.ts';
import { BuiltinSidecarsAnnotation } from './common.ts';
import { CsiProvisionerController } from './provisioner.ts';
import {
  type ControllerEnv,
  controllerEnvPerTest,
  type FakeControllerDriverOptions,
} from './testing/index.ts';

const DRIVER = 'fake.csi.kvol.io';
type Env = ControllerEnv;

function sc(name: string, extra: Partial<StorageClass> = {}): StorageClass {
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
  extra: { ann?: Record<string, string>; spec?: PersistentVolumeClaim['spec'] } = {},
): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      annotations: { 'volume.kubernetes.io/storage-provisioner': DRIVER, ...(extra.ann ?? {}) },
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      storageClassName: 'fast',
      ...(extra.spec ?? {}),
    },
    status: { phase: 'Pending' },
  };
}

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

const csiDriverObj = (ann: Record<string, string> = {}): CSIDriver => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'CSIDriver',
  metadata: { name: DRIVER, annotations: ann },
  spec: {},
});

const topologySeed: [ResourceType, KubeObject[]][] = [
  [Resources.nodes, [node('n1', 'z1'), node('n2', 'z2')]],
  [Resources.csinodes, [csiNode('n1'), csiNode('n2')]],
];

interface Case {
  name: string;
  seed: [ResourceType, KubeObject[]][];
  driver?: Partial<FakeControllerDriverOptions>;
  register?: boolean;
  before?: (t: Env) => void;
  act?: (t: Env) => Promise<void>;
  check: (t: Env) => void | Promise<void>;
}

const pvs = (t: Env): PersistentVolume[] => t.store.objects<PersistentVolume>(Resources.persistentvolumes);
/** The store gives objects their own UIDs: the claim's volume name is `pvc-<that uid>`. */
const uidOf = (t: Env, name: string): string =>
  t.store
    .objects<PersistentVolumeClaim>(Resources.persistentvolumeclaims)
    .find((c) => c.metadata.name === name)?.metadata.uid ?? '';
const volName = (t: Env, name = 'data'): string => `pvc-${uidOf(t, name)}`;

const cases: Case[] = [
  {
    name: 'provisions an Immediate claim: CreateVolume named pvc-<uid>, then a pre-bound PV with the csi source',
    seed: [
      [Resources.storageclasses, [sc('fast', { mountOptions: ['noatime'] })]],
      [Resources.persistentvolumeclaims, [pvc('data')]],
    ],
    driver: { pluginCapabilities: ['CONTROLLER_SERVICE'] },
    check: (t) => {
      const [req] = t.driver.callsOf('CreateVolume');
      assert.equal(req?.name, volName(t));
      assert.deepEqual(req?.capacity_range, { required_bytes: String(1024 ** 3), limit_bytes: '0' });
      assert.deepEqual(((req?.volume_capabilities ?? []) as unknown[])[0], {
        mount: { fs_type: '', mount_flags: ['noatime'], volume_mount_group: '' },
        access_mode: { mode: 'SINGLE_NODE_WRITER' },
        access_type: 'mount',
      });
      assert.equal(req?.accessibility_requirements, null);
      const [pv] = pvs(t);
      assert.equal(pv?.metadata.name, volName(t));
      assert.equal(pv?.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], DRIVER);
      assert.deepEqual(pv?.metadata.finalizers, ['external-provisioner.volume.kubernetes.io/finalizer']);
      assert.equal(pv?.spec?.csi?.driver, DRIVER);
      assert.equal(pv?.spec?.csi?.volumeHandle, `vol-${volName(t)}`);
      assert.equal(pv?.spec?.csi?.volumeAttributes?.fake, 'yes');
      assert.match(
        pv?.spec?.csi?.volumeAttributes?.['storage.kubernetes.io/csiProvisionerIdentity'] ?? '',
        /-fake\.csi\.kvol\.io$/,
      );
      assert.deepEqual(pv?.spec?.capacity, { storage: '1Gi' });
      assert.equal(pv?.spec?.persistentVolumeReclaimPolicy, 'Delete');
      assert.deepEqual(pv?.spec?.mountOptions, ['noatime']);
      assert.equal(pv?.spec?.storageClassName, 'fast');
      assert.equal(pv?.spec?.claimRef?.uid, uidOf(t, 'data'));
      assert.equal(pv?.spec?.nodeAffinity, undefined);
      assert.deepEqual(t.recorder.reasons(), ['Provisioning', 'ProvisioningSucceeded']);
      assert.equal(
        t.recorder.events[0],
        'Normal Provisioning External provisioner is provisioning volume for claim "default/data"',
      );
      assert.equal(
        t.recorder.events[1],
        `Normal ProvisioningSucceeded Successfully provisioned volume ${volName(t)}`,
      );
    },
  },
  {
    name: 'passes class parameters without the reserved keys, the fstype, and the provisioner secret resolved from templates',
    seed: [
      [
        Resources.storageclasses,
        [
          sc('fast', {
            parameters: {
              tier: 'gold',
              'csi.storage.k8s.io/fstype': 'xfs',
              'csi.storage.k8s.io/provisioner-secret-name': '${pvc.name}-creds',
              'csi.storage.k8s.io/provisioner-secret-namespace': '${pvc.namespace}',
              'csi.storage.k8s.io/node-publish-secret-name': 'np',
              'csi.storage.k8s.io/node-publish-secret-namespace': 'kube-system',
            },
          }),
        ],
      ],
      [
        Resources.secrets,
        [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'data-creds', namespace: 'default' },
            data: { password: Buffer.from('hunter2').toString('base64') },
          } as Secret,
        ],
      ],
      [
        Resources.persistentvolumeclaims,
        [
          pvc('data', {
            spec: {
              volumeMode: 'Filesystem',
              accessModes: ['ReadWriteMany'],
              resources: { requests: { storage: '1Gi' } },
              storageClassName: 'fast',
            },
          }),
        ],
      ],
    ],
    driver: { pluginCapabilities: ['CONTROLLER_SERVICE'] },
    check: (t) => {
      const [req] = t.driver.callsOf('CreateVolume');
      assert.deepEqual(req?.parameters, { tier: 'gold' });
      assert.deepEqual(req?.secrets, { password: 'hunter2' });
      const cap = (
        (req?.volume_capabilities ?? []) as { mount: { fs_type: string }; access_mode: { mode: string } }[]
      )[0];
      assert.equal(cap?.mount.fs_type, 'xfs');
      assert.equal(cap?.access_mode.mode, 'MULTI_NODE_MULTI_WRITER');
      const [pv] = pvs(t);
      assert.equal(pv?.spec?.csi?.fsType, 'xfs');
      assert.deepEqual(pv?.spec?.csi?.nodePublishSecretRef, { name: 'np', namespace: 'kube-system' });
      assert.equal(
        pv?.metadata.annotations?.['volume.kubernetes.io/provisioner-deletion-secret-name'],
        'data-creds',
      );
      assert.equal(
        pv?.metadata.annotations?.['volume.kubernetes.io/provisioner-deletion-secret-namespace'],
        'default',
      );
    },
  },
  {
    name: 'refuses an unknown reserved parameter with ProvisioningFailed and creates nothing',
    seed: [
      [Resources.storageclasses, [sc('fast', { parameters: { 'csi.storage.k8s.io/bogus': 'x' } })]],
      [Resources.persistentvolumeclaims, [pvc('data')]],
    ],
    check: (t) => {
      assert.equal(t.driver.callsOf('CreateVolume').length, 0);
      assert.equal(pvs(t).length, 0);
      assert.ok(
        t.recorder.events.some(
          (e) =>
            e ===
            'Warning ProvisioningFailed failed to provision volume with StorageClass "fast": failed to strip CSI Parameters of prefixed keys: found unknown parameter key "csi.storage.k8s.io/bogus" with reserved namespace csi.storage.k8s.io/',
        ),
        t.recorder.events.join('\n'),
      );
    },
  },
  {
    name: "waits for selected-node on a WaitForFirstConsumer claim, then asks for that node's zone first",
    seed: [
      ...topologySeed,
      [Resources.storageclasses, [sc('fast', { volumeBindingMode: 'WaitForFirstConsumer' })]],
      [Resources.persistentvolumeclaims, [pvc('data')]],
    ],
    act: async (t) => {
      assert.equal(t.driver.callsOf('CreateVolume').length, 0, 'no CreateVolume before a node is selected');
      const c = await t.client
        .resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default')
        .get('data');
      c.metadata.annotations = { ...c.metadata.annotations, 'volume.kubernetes.io/selected-node': 'n2' };
      await t.client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default').update(c);
    },
    check: (t) => {
      const [req] = t.driver.callsOf('CreateVolume');
      assert.deepEqual(req?.accessibility_requirements, {
        requisite: [
          { segments: { 'topology.fake/zone': 'z1' } },
          { segments: { 'topology.fake/zone': 'z2' } },
        ],
        preferred: [
          { segments: { 'topology.fake/zone': 'z2' } },
          { segments: { 'topology.fake/zone': 'z1' } },
        ],
      });
      const [pv] = pvs(t);
      assert.deepEqual(pv?.spec?.nodeAffinity, {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'topology.fake/zone', operator: 'In', values: ['z2'] }] },
          ],
        },
      });
    },
  },
  {
    name: 'limits the requisite topology to allowedTopologies',
    seed: [
      ...topologySeed,
      [
        Resources.storageclasses,
        [
          sc('fast', {
            allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.fake/zone', values: ['z1'] }] }],
          }),
        ],
      ],
      [Resources.persistentvolumeclaims, [pvc('data')]],
    ],
    check: (t) => {
      const [req] = t.driver.callsOf('CreateVolume');
      assert.deepEqual(req?.accessibility_requirements, {
        requisite: [{ segments: { 'topology.fake/zone': 'z1' } }],
        preferred: [{ segments: { 'topology.fake/zone': 'z1' } }],
      });
    },
  },
  {
    name: 'gives the node back to the scheduler when the driver is out of space there',
    seed: [
      ...topologySeed,
      [Resources.storageclasses, [sc('fast', { volumeBindingMode: 'WaitForFirstConsumer' })]],
      [
        Resources.persistentvolumeclaims,
        [pvc('data', { ann: { 'volume.kubernetes.io/selected-node': 'n1' } })],
      ],
    ],
    before: (t) => t.driver.failNext('CreateVolume', grpc.status.RESOURCE_EXHAUSTED, 'no space'),
    check: (t) => {
      const c = t.store.objects<PersistentVolumeClaim>(Resources.persistentvolumeclaims)[0];
      assert.equal(c?.metadata.annotations?.['volume.kubernetes.io/selected-node'], undefined);
      assert.equal(pvs(t).length, 0);
      assert.ok(t.recorder.reasons().includes('ProvisioningFailed'));
    },
  },
  {
    name: 'replays CreateVolume with the same name after the PV creation failed, leaving one volume',
    seed: [
      [Resources.storageclasses, [sc('fast')]],
      [Resources.persistentvolumeclaims, [pvc('data')]],
    ],
    driver: { pluginCapabilities: ['CONTROLLER_SERVICE'] },
    before: (t) => t.store.failNext('create', 'persistentvolumes', newInternalError('etcd hiccup')),
    check: (t) => {
      const names = t.driver.callsOf('CreateVolume').map((r) => r.name);
      assert.deepEqual(names, [volName(t), volName(t)]);
      assert.equal(t.driver.volumes.size, 1);
      assert.equal(pvs(t).length, 1);
    },
  },
  {
    name: 'provisions a claim again once the PV it had was deleted while the claim stayed unbound',
    seed: [
      [Resources.storageclasses, [sc('fast')]],
      [Resources.persistentvolumeclaims, [pvc('data')]],
    ],
    driver: { pluginCapabilities: ['CONTROLLER_SERVICE'] },
    act: async (t) => {
      assert.equal(pvs(t).length, 1);
      const pvClient = t.client.resource<PersistentVolume>(Resources.persistentvolumes);
      const pv = await pvClient.get(volName(t));
      await pvClient.patch(volName(t), 'application/merge-patch+json', {
        metadata: { finalizers: null, resourceVersion: pv.metadata.resourceVersion },
      });
      await pvClient.delete(volName(t));
      await t.settle();
      assert.equal(pvs(t).length, 0);
      // Any change of the claim makes the provisioner look at it again.
      const claims = t.client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default');
      await claims.patch('data', 'application/merge-patch+json', {
        metadata: { labels: { touched: 'yes' } },
      });
    },
    check: (t) => {
      assert.deepEqual(
        pvs(t).map((p) => p.metadata.name),
        [volName(t)],
      );
      assert.equal(t.driver.callsOf('CreateVolume').length, 2);
    },
  },
  {
    name: 'retries after the driver fails with UNAVAILABLE and converges on one volume',
    seed: [
      [Resources.storageclasses, [sc('fast')]],
      [Resources.persistentvolumeclaims, [pvc('data')]],
    ],
    driver: { pluginCapabilities: ['CONTROLLER_SERVICE'] },
    before: (t) => t.driver.failNext('CreateVolume', grpc.status.UNAVAILABLE, 'driver restarting'),
    check: (t) => {
      assert.equal(t.driver.callsOf('CreateVolume').length, 2);
      assert.equal(t.driver.volumes.size, 1);
      assert.equal(pvs(t).length, 1);
    },
  },
  {
    name: 'leaves claims alone when the CSIDriver switches the built-in logic off',
    seed: [
      [Resources.csidrivers, [csiDriverObj({ [BuiltinSidecarsAnnotation]: 'false' })]],
      [Resources.storageclasses, [sc('fast')]],
      [Resources.persistentvolumeclaims, [pvc('data')]],
    ],
    check: (t) => {
      assert.equal(t.driver.calls.length, 0);
      assert.equal(pvs(t).length, 0);
      assert.deepEqual(t.recorder.reasons(), []);
    },
  },
  {
    name: 'leaves claims alone for a driver that is not registered',
    register: false,
    seed: [
      [Resources.storageclasses, [sc('fast')]],
      [Resources.persistentvolumeclaims, [pvc('data')]],
    ],
    check: (t) => {
      assert.equal(t.driver.calls.length, 0);
      assert.equal(pvs(t).length, 0);
    },
  },
  {
    name: 'deletes a Released PV with reclaim Delete: DeleteVolume, then the PV, then the finalizer',
    seed: [
      [Resources.storageclasses, [sc('fast')]],
      [
        Resources.persistentvolumes,
        [
          {
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            metadata: {
              name: 'pvc-old',
              annotations: {
                'pv.kubernetes.io/provisioned-by': DRIVER,
                'volume.kubernetes.io/provisioner-deletion-secret-name': '',
                'volume.kubernetes.io/provisioner-deletion-secret-namespace': '',
              },
              finalizers: ['external-provisioner.volume.kubernetes.io/finalizer'],
            },
            spec: {
              capacity: { storage: '1Gi' },
              accessModes: ['ReadWriteOnce'],
              persistentVolumeReclaimPolicy: 'Delete',
              storageClassName: 'fast',
              claimRef: { namespace: 'default', name: 'gone', uid: 'uid-gone' },
              csi: { driver: DRIVER, volumeHandle: 'vol-old' },
            },
            status: { phase: 'Released' },
          } as PersistentVolume,
        ],
      ],
    ],
    check: (t) => {
      assert.deepEqual(
        t.driver.callsOf('DeleteVolume').map((r) => r.volume_id),
        ['vol-old'],
      );
      assert.equal(pvs(t).length, 0);
    },
  },
  {
    name: 'keeps a Bound PV and reports a failed DeleteVolume with VolumeFailedDelete',
    seed: [
      [Resources.storageclasses, [sc('fast')]],
      [
        Resources.persistentvolumes,
        ['Bound', 'Released'].map(
          (phase) =>
            ({
              apiVersion: 'v1',
              kind: 'PersistentVolume',
              metadata: {
                name: `pv-${phase}`,
                annotations: { 'pv.kubernetes.io/provisioned-by': DRIVER },
                finalizers: ['external-provisioner.volume.kubernetes.io/finalizer'],
              },
              spec: {
                persistentVolumeReclaimPolicy: 'Delete',
                claimRef: { namespace: 'default', name: 'c', uid: 'u' },
                csi: { driver: DRIVER, volumeHandle: `vol-${phase}` },
              },
              status: { phase },
            }) as PersistentVolume,
        ),
      ],
    ],
    before: (t) => t.driver.failNext('DeleteVolume', grpc.status.FAILED_PRECONDITION, 'volume has snapshots'),
    check: (t) => {
      assert.deepEqual(
        t.driver.callsOf('DeleteVolume').map((r) => r.volume_id),
        ['vol-Released', 'vol-Released'],
      );
      assert.deepEqual(
        pvs(t).map((p) => p.metadata.name),
        ['pv-Bound'],
      );
      assert.ok(
        t.recorder.events.some(
          (e) => e.startsWith('Warning VolumeFailedDelete') && e.includes('volume has snapshots'),
        ),
      );
    },
  },
];

describe('CsiProvisionerController', () => {
  const start = controllerEnvPerTest();
  for (const c of cases) {
    it(c.name, async () => {
      const t = await start({
        controllers: (d) => [new CsiProvisionerController(d)],
        driver: { name: DRIVER, ...(c.driver ?? {}) },
        ...(c.register !== undefined ? { register: c.register } : {}),
      });
      c.before?.(t);
      // Seed after the hooks so injected failures hit the first attempt.
      for (const [rt, objs] of c.seed)
        for (const o of objs) await t.client.resource(rt, o.metadata.namespace).create(o);
      await t.settle();
      if (c.act !== undefined) {
        await c.act(t);
        await t.settle();
      }
      await c.check(t);
    });
  }
});
