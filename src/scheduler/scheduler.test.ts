import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import {
  type CSIDriver,
  type CSINode,
  type CSIStorageCapacity,
  type KubeObject,
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  Resources,
  type ResourceType,
  type StorageClass,
} from '../api/index.ts';
import { InProcessClient, SharedInformerFactory } from '../client/index.ts';
import { FakeObjectStore, FakeRecorder } from '../client/testing/index.ts';
import { FakeClock, metricsRegistry } from '../component/index.ts';
import { AnnBindCompleted, AnnBoundByController, AnnSelectedNode } from './constants.ts';
import { Scheduler } from './index.ts';

// ---- fixtures ---------------------------------------------------------------------------------------

function node(
  name: string,
  opts: Partial<{
    labels: Record<string, string>;
    taints: NonNullable<Node['spec']>['taints'];
    unschedulable: boolean;
    ready: 'True' | 'False' | 'Unknown' | 'missing';
  }> = {},
): Node {
  const ready = opts.ready ?? 'True';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: {
      ...(opts.taints ? { taints: opts.taints } : {}),
      ...(opts.unschedulable ? { unschedulable: true } : {}),
    },
    status: { conditions: ready === 'missing' ? [] : [{ type: 'Ready', status: ready }] },
  };
}

function pod(
  name: string,
  spec: Partial<NonNullable<Pod['spec']>> = {},
  extra: Partial<Pod['metadata']> = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...extra },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
    status: { phase: 'Pending' },
  };
}

function claimPod(name: string, ...claims: string[]): Pod {
  return pod(name, { volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) });
}

function pvc(
  name: string,
  opts: Partial<{ class: string; size: string; volumeName: string; bound: boolean }> = {},
): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace: 'default',
      ...(opts.bound ? { annotations: { [AnnBindCompleted]: 'yes' } } : {}),
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: opts.size ?? '1Gi' } },
      storageClassName: opts.class ?? 'local',
      ...(opts.volumeName ? { volumeName: opts.volumeName } : {}),
    },
    status: { phase: opts.bound ? 'Bound' : 'Pending' },
  };
}

function pv(
  name: string,
  opts: Partial<{
    class: string;
    size: string;
    host: string;
    csi: { driver: string; handle: string };
    claim: string;
    phase: string;
  }> = {},
): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: opts.size ?? '1Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: opts.class ?? 'local',
      ...(opts.csi
        ? { csi: { driver: opts.csi.driver, volumeHandle: opts.csi.handle } }
        : { local: { path: `/mnt/${name}` } }),
      ...(opts.host
        ? {
            nodeAffinity: {
              required: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: 'kubernetes.io/hostname', operator: 'In', values: [opts.host] },
                    ],
                  },
                ],
              },
            },
          }
        : {}),
      ...(opts.claim
        ? { claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: opts.claim } }
        : {}),
    },
    status: { phase: (opts.phase ?? 'Available') as 'Available' },
  };
}

function sc(
  name: string,
  provisioner: string,
  mode: 'Immediate' | 'WaitForFirstConsumer',
  extra: Partial<StorageClass> = {},
): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner,
    volumeBindingMode: mode,
    ...extra,
  };
}

const localClass = sc('local', 'kubernetes.io/no-provisioner', 'WaitForFirstConsumer');
const csiClass = (extra: Partial<StorageClass> = {}): StorageClass =>
  sc('csi', 'hostpath.csi.k8s.io', 'WaitForFirstConsumer', extra);

interface World {
  nodes?: Node[];
  pods?: Pod[];
  pvs?: PersistentVolume[];
  pvcs?: PersistentVolumeClaim[];
  classes?: StorageClass[];
  csiNodes?: CSINode[];
  csiDrivers?: CSIDriver[];
  capacities?: CSIStorageCapacity[];
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 30; i++) await new Promise<void>((r) => setImmediate(r));
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function start(world: World, opts: { bindTimeoutMs?: number } = {}) {
  const clock = new FakeClock();
  const store = new FakeObjectStore({ clock });
  const seed = (rt: ResourceType, objs: KubeObject[] | undefined): void => {
    if (objs !== undefined && objs.length > 0) store.seed(rt, ...objs);
  };
  seed(Resources.nodes, world.nodes);
  seed(Resources.storageclasses, world.classes);
  seed(Resources.persistentvolumeclaims, world.pvcs);
  seed(Resources.persistentvolumes, world.pvs);
  seed(Resources.csinodes, world.csiNodes);
  seed(Resources.csidrivers, world.csiDrivers);
  seed(Resources.csistoragecapacities, world.capacities);
  seed(Resources.pods, world.pods);
  const client = new InProcessClient(store);
  const informers = new SharedInformerFactory(client, { clock });
  const recorder = new FakeRecorder();
  const scheduler = new Scheduler({
    client,
    informers,
    recorder,
    clock,
    bindTimeoutMs: opts.bindTimeoutMs ?? 60_000,
  });
  const ac = new AbortController();
  setMaxListeners(100, ac.signal);
  const running = scheduler.run(ac.signal);
  cleanups.push(async () => {
    ac.abort();
    await running;
    await informers.shutdown();
  });
  await settle();
  const get = <T extends KubeObject>(rt: ResourceType, name: string): T => {
    const o = store.object<T>(rt, rt.namespaced ? 'default' : undefined, name);
    assert.ok(o, `${rt.plural}/${name} exists`);
    return o;
  };
  return {
    clock,
    store,
    client,
    recorder,
    get,
    nodeOf: (name: string): string => get<Pod>(Resources.pods, name).spec?.nodeName ?? '',
    failures: (name: string): string[] =>
      recorder.recorded
        .filter((e) => e.reason === 'FailedScheduling' && e.object.metadata.name === name)
        .map((e) => e.message),
    condition: (name: string) =>
      (get<Pod>(Resources.pods, name).status?.conditions ?? []).find((c) => c.type === 'PodScheduled'),
    /** What the PV controller does once a PV points at a claim: finish the claim side. */
    async completeBinding(claimName: string, pvName: string): Promise<void> {
      const pvcs = client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default');
      const c = await pvcs.get(claimName);
      c.spec = { ...c.spec, volumeName: pvName };
      c.metadata.annotations = {
        ...(c.metadata.annotations ?? {}),
        [AnnBindCompleted]: 'yes',
        [AnnBoundByController]: 'yes',
      };
      const updated = await pvcs.update(c);
      updated.status = { phase: 'Bound' };
      await pvcs.updateStatus(updated);
      const pvs = client.resource<PersistentVolume>(Resources.persistentvolumes);
      const v = await pvs.get(pvName);
      v.status = { phase: 'Bound' };
      await pvs.updateStatus(v);
      await settle();
    },
  };
}

const notHelpful = (n: number): string =>
  `preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling..`;

// ---- node selection ---------------------------------------------------------------------------------

describe('Scheduler node selection', () => {
  const cases: { name: string; nodes: Node[]; pods?: Pod[]; pod: Pod; want: string }[] = [
    {
      name: 'honours nodeSelector',
      nodes: [node('a', { labels: { zone: 'x' } }), node('b', { labels: { zone: 'y' } })],
      pod: pod('p', { nodeSelector: { zone: 'y' } }),
      want: 'b',
    },
    {
      name: 'honours required node affinity with In and NotIn',
      nodes: [
        node('a', { labels: { zone: 'x', disk: 'hdd' } }),
        node('b', { labels: { zone: 'x', disk: 'ssd' } }),
        node('c', { labels: { zone: 'y' } }),
      ],
      pod: pod('p', {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: 'zone', operator: 'In', values: ['x'] },
                    { key: 'disk', operator: 'NotIn', values: ['hdd'] },
                  ],
                },
              ],
            },
          },
        },
      }),
      want: 'b',
    },
    {
      name: 'honours Exists, DoesNotExist, Gt and Lt',
      nodes: [
        node('a', { labels: { gpu: '1', cores: '4' } }),
        node('b', { labels: { cores: '16' } }),
        node('c', { labels: { cores: '64' } }),
      ],
      pod: pod('p', {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: 'gpu', operator: 'DoesNotExist' },
                    { key: 'cores', operator: 'Exists' },
                    { key: 'cores', operator: 'Gt', values: ['8'] },
                    { key: 'cores', operator: 'Lt', values: ['32'] },
                  ],
                },
              ],
            },
          },
        },
      }),
      want: 'b',
    },
    {
      name: 'honours matchFields on metadata.name, terms ORed',
      nodes: [node('a'), node('b'), node('c')],
      pod: pod('p', {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'missing', operator: 'Exists' }] },
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] },
              ],
            },
          },
        },
      }),
      want: 'c',
    },
    {
      name: 'avoids NoSchedule and NoExecute taints but not PreferNoSchedule',
      nodes: [
        node('a', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }),
        node('b', { taints: [{ key: 'k', effect: 'NoExecute' }] }),
        node('c', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }),
      ],
      pod: pod('p'),
      want: 'c',
    },
    {
      name: 'uses a tainted node when the pod tolerates the taint',
      nodes: [
        node('a', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }),
        node('b', { ready: 'False' }),
      ],
      pod: pod('p', { tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }] }),
      want: 'a',
    },
    {
      name: 'skips unschedulable and not-ready nodes',
      nodes: [
        node('a', { unschedulable: true }),
        node('b', { ready: 'Unknown' }),
        node('c', { ready: 'missing' }),
        node('d'),
      ],
      pod: pod('p'),
      want: 'd',
    },
    {
      name: 'spreads to the node with the fewest pods',
      nodes: [node('a'), node('b'), node('c')],
      pods: [
        pod('x1', { nodeName: 'a' }),
        pod('x2', { nodeName: 'b' }),
        pod('x3', { nodeName: 'c' }),
        pod('x4', { nodeName: 'a' }),
      ],
      pod: pod('p'),
      want: 'b',
    },
    {
      name: 'breaks ties by node name',
      nodes: [node('c'), node('b')],
      pod: pod('p'),
      want: 'b',
    },
    {
      name: 'leaves pods of other schedulers alone',
      nodes: [node('a')],
      pod: pod('p', { schedulerName: 'other' }),
      want: '',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const w = await start({ nodes: c.nodes, pods: [...(c.pods ?? []), c.pod] });
      assert.equal(w.nodeOf('p'), c.want);
      if (c.want !== '') {
        assert.ok(
          w.recorder.events.includes(`Normal Scheduled Successfully assigned default/p to ${c.want}`),
        );
        assert.equal(w.condition('p')?.status, 'True');
      } else assert.deepEqual(w.recorder.events, []);
    });
  }
});

// ---- unschedulable messages -------------------------------------------------------------------------

describe('Scheduler FailedScheduling messages', () => {
  const cases: { name: string; world: World; pod: Pod; want: string; reason?: string }[] = [
    {
      name: 'counts and sorts the reasons of every node',
      world: {
        nodes: [
          node('a', { taints: [{ key: 'key', value: 'value', effect: 'NoSchedule' }] }),
          node('b'),
          node('c'),
        ],
      },
      pod: pod('p', { nodeSelector: { zone: 'x' } }),
      want: `0/3 nodes are available: 1 node(s) had untolerated taint {key: value}, 2 node(s) didn't match Pod's node affinity/selector. ${notHelpful(3)}`,
    },
    {
      name: 'sorts equal counts as strings',
      world: {
        nodes: [node('a', { taints: [{ key: 'key', value: 'value', effect: 'NoSchedule' }] }), node('b')],
      },
      pod: pod('p', { nodeSelector: { zone: 'x' } }),
      want: `0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {key: value}. ${notHelpful(2)}`,
    },
    {
      name: 'reports unschedulable and not-ready nodes',
      world: { nodes: [node('a', { unschedulable: true }), node('b', { ready: 'False' })] },
      pod: pod('p'),
      want: `0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable. ${notHelpful(2)}`,
    },
    {
      name: 'says no nodes are available when there are none',
      world: {},
      pod: pod('p'),
      want: 'no nodes available to schedule pods',
    },
    {
      name: 'reports a missing claim from PreFilter',
      world: { nodes: [node('a'), node('b'), node('c')] },
      pod: claimPod('p', 'data'),
      want: `0/3 nodes are available: persistentvolumeclaim "data" not found. ${notHelpful(3)}`,
    },
    {
      name: 'reports a missing generic ephemeral claim',
      world: { nodes: [node('a')] },
      pod: pod('p', { volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }] }),
      want: `0/1 nodes are available: waiting for ephemeral volume controller to create the persistentvolumeclaim "p-scratch". ${notHelpful(1)}`,
    },
    {
      name: 'refuses a pod with an unbound claim of an Immediate class',
      world: {
        nodes: [node('a')],
        classes: [sc('fast', 'hostpath.csi.k8s.io', 'Immediate')],
        pvcs: [pvc('data', { class: 'fast' })],
      },
      pod: claimPod('p', 'data'),
      want: `0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. ${notHelpful(1)}`,
    },
    {
      name: 'reports WaitForFirstConsumer claims with neither a PV nor a provisioner',
      world: { nodes: [node('a'), node('b'), node('c')], classes: [localClass], pvcs: [pvc('data')] },
      pod: claimPod('p', 'data'),
      want: `0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind. ${notHelpful(3)}`,
    },
    {
      name: 'reports a bound PV whose node affinity matches no node',
      world: {
        nodes: [node('b'), node('c')],
        classes: [localClass],
        pvs: [pv('pv1', { host: 'a', claim: 'data', phase: 'Bound' })],
        pvcs: [pvc('data', { volumeName: 'pv1', bound: true })],
      },
      pod: claimPod('p', 'data'),
      want: `0/2 nodes are available: 2 node(s) had volume node affinity conflict. ${notHelpful(2)}`,
    },
    {
      name: 'reports a bound claim whose PV is gone',
      world: {
        nodes: [node('a')],
        classes: [localClass],
        pvcs: [pvc('data', { volumeName: 'gone', bound: true })],
      },
      pod: claimPod('p', 'data'),
      want: `0/1 nodes are available: 1 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s). ${notHelpful(1)}`,
    },
    {
      name: 'reports allowedTopologies that exclude every node',
      world: {
        nodes: [node('a', { labels: { zone: 'y' } }), node('b', { labels: { zone: 'z' } })],
        classes: [
          csiClass({ allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['x'] }] }] }),
        ],
        pvcs: [pvc('data', { class: 'csi' })],
      },
      pod: claimPod('p', 'data'),
      want: `0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. ${notHelpful(2)}`,
    },
    {
      name: 'reports insufficient CSIStorageCapacity',
      world: {
        nodes: [node('a', { labels: { zone: 'x' } }), node('b', { labels: { zone: 'y' } })],
        classes: [csiClass()],
        csiDrivers: [
          {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'CSIDriver',
            metadata: { name: 'hostpath.csi.k8s.io' },
            spec: { storageCapacity: true },
          },
        ],
        capacities: [
          {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'CSIStorageCapacity',
            metadata: { name: 'cap-x', namespace: 'default' },
            storageClassName: 'csi',
            nodeTopology: { matchLabels: { zone: 'x' } },
            capacity: '1Gi',
          },
        ],
        pvcs: [pvc('data', { class: 'csi', size: '5Gi' })],
      },
      pod: claimPod('p', 'data'),
      want: `0/2 nodes are available: 2 node(s) did not have enough free storage. ${notHelpful(2)}`,
    },
    {
      name: 'reports nodes over their CSI volume limit as resolvable by preemption',
      world: {
        nodes: [node('a')],
        classes: [csiClass()],
        csiNodes: [
          {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'CSINode',
            metadata: { name: 'a' },
            spec: { drivers: [{ name: 'hostpath.csi.k8s.io', nodeID: 'a', allocatable: { count: 1 } }] },
          },
        ],
        pvs: [
          pv('pv1', {
            class: 'csi',
            csi: { driver: 'hostpath.csi.k8s.io', handle: 'h1' },
            claim: 'c1',
            phase: 'Bound',
          }),
          pv('pv2', {
            class: 'csi',
            csi: { driver: 'hostpath.csi.k8s.io', handle: 'h2' },
            claim: 'c2',
            phase: 'Bound',
          }),
        ],
        pvcs: [
          pvc('c1', { class: 'csi', volumeName: 'pv1', bound: true }),
          pvc('c2', { class: 'csi', volumeName: 'pv2', bound: true }),
        ],
        pods: [{ ...claimPod('running', 'c1'), spec: { ...claimPod('running', 'c1').spec!, nodeName: 'a' } }],
      },
      pod: claimPod('p', 'c2'),
      want: '0/1 nodes are available: 1 node(s) exceed max volume count. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..',
    },
    {
      name: 'reports a class without volumeBindingMode as a scheduler error',
      world: {
        nodes: [node('a')],
        classes: [
          {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'StorageClass',
            metadata: { name: 'local' },
            provisioner: 'x',
          },
        ],
        pvcs: [pvc('data')],
      },
      pod: claimPod('p', 'data'),
      want: 'running PreFilter plugin "VolumeBinding": VolumeBindingMode not set for StorageClass "local"',
      reason: 'SchedulerError',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const w = await start({ ...c.world, pods: [...(c.world.pods ?? []), c.pod] });
      assert.equal(w.nodeOf('p'), '');
      assert.deepEqual(w.failures('p'), [c.want]);
      const cond = w.condition('p');
      assert.equal(cond?.status, 'False');
      assert.equal(cond?.reason, c.reason ?? 'Unschedulable');
      assert.equal(cond?.message, c.want);
    });
  }
});

// ---- volume binding ---------------------------------------------------------------------------------

describe('Scheduler volume binding', () => {
  it('schedules a pod with a bound local PV onto the PV node', async () => {
    const w = await start({
      nodes: [node('a'), node('b')],
      classes: [localClass],
      pvs: [pv('pv1', { host: 'b', claim: 'data', phase: 'Bound' })],
      pvcs: [pvc('data', { volumeName: 'pv1', bound: true })],
      pods: [claimPod('p', 'data')],
    });
    assert.equal(w.nodeOf('p'), 'b');
  });

  it('pre-binds the smallest matching static PV and binds the pod once the PV controller finished', async () => {
    const w = await start({
      nodes: [node('a'), node('b')],
      classes: [localClass],
      pvs: [
        pv('big', { host: 'b', size: '10Gi' }),
        pv('small', { host: 'b', size: '2Gi' }),
        pv('tiny', { host: 'b', size: '500Mi' }),
        pv('other-class', { host: 'a', class: 'csi' }),
      ],
      pvcs: [pvc('data', { size: '1Gi' })],
      pods: [claimPod('p', 'data')],
    });
    const claim = w.get<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'data');
    const small = w.get<PersistentVolume>(Resources.persistentvolumes, 'small');
    assert.equal(small.spec?.claimRef?.name, 'data');
    assert.equal(small.spec?.claimRef?.uid, claim.metadata.uid);
    assert.equal(small.metadata.annotations?.[AnnBoundByController], 'yes');
    for (const other of ['big', 'tiny', 'other-class']) {
      assert.equal(w.get<PersistentVolume>(Resources.persistentvolumes, other).spec?.claimRef, undefined);
    }
    assert.equal(w.nodeOf('p'), '', 'the pod waits for the claim to be bound');
    assert.deepEqual(w.recorder.events, []);
    await w.completeBinding('data', 'small');
    assert.equal(w.nodeOf('p'), 'b');
    assert.deepEqual(w.recorder.events, ['Normal Scheduled Successfully assigned default/p to b']);
  });

  it('asks for provisioning on the chosen node when no PV matches', async () => {
    const w = await start({
      nodes: [node('a', { labels: { zone: 'y' } }), node('b', { labels: { zone: 'x' } })],
      classes: [
        csiClass({ allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['x'] }] }] }),
      ],
      pvcs: [pvc('data', { class: 'csi' })],
      pods: [claimPod('p', 'data')],
    });
    const claim = w.get<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'data');
    assert.equal(claim.metadata.annotations?.[AnnSelectedNode], 'b');
    assert.equal(w.nodeOf('p'), '');
    // The provisioner creates a PV pre-bound to the claim; the PV controller binds it.
    await w.client.resource<PersistentVolume>(Resources.persistentvolumes).create(
      pv(`pvc-${claim.metadata.uid}`, {
        class: 'csi',
        host: 'b',
        claim: 'data',
        phase: 'Bound',
        csi: { driver: 'hostpath.csi.k8s.io', handle: 'v1' },
      }),
    );
    await w.completeBinding('data', `pvc-${claim.metadata.uid}`);
    assert.equal(w.nodeOf('p'), 'b');
  });

  it('provisions where CSIStorageCapacity has room', async () => {
    const cap = (name: string, zone: string, size: string): CSIStorageCapacity => ({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIStorageCapacity',
      metadata: { name, namespace: 'default' },
      storageClassName: 'csi',
      nodeTopology: { matchLabels: { zone } },
      capacity: size,
    });
    const w = await start({
      nodes: [node('a', { labels: { zone: 'x' } }), node('b', { labels: { zone: 'y' } })],
      classes: [csiClass()],
      csiDrivers: [
        {
          apiVersion: 'storage.k8s.io/v1',
          kind: 'CSIDriver',
          metadata: { name: 'hostpath.csi.k8s.io' },
          spec: { storageCapacity: true },
        },
      ],
      capacities: [cap('cx', 'x', '1Gi'), cap('cy', 'y', '10Gi')],
      pvcs: [pvc('data', { class: 'csi', size: '5Gi' })],
      pods: [claimPod('p', 'data')],
    });
    assert.equal(
      w.get<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'data').metadata.annotations?.[
        AnnSelectedNode
      ],
      'b',
    );
  });

  it('gives one PV to only one of two competing pods', async () => {
    const w = await start({
      nodes: [node('a')],
      classes: [localClass],
      pvs: [pv('pv1', { host: 'a' })],
      pvcs: [pvc('c1'), pvc('c2')],
      pods: [claimPod('p1', 'c1'), claimPod('p2', 'c2')],
    });
    assert.equal(w.get<PersistentVolume>(Resources.persistentvolumes, 'pv1').spec?.claimRef?.name, 'c1');
    assert.deepEqual(w.failures('p2'), [
      `0/1 nodes are available: 1 node(s) didn't find available persistent volumes to bind. ${notHelpful(1)}`,
    ]);
    await w.completeBinding('c1', 'pv1');
    assert.equal(w.nodeOf('p1'), 'a');
    assert.equal(w.nodeOf('p2'), '');
  });

  it('counts CSI volumes against the node limit and picks another node', async () => {
    const w = await start({
      nodes: [node('a'), node('b')],
      classes: [csiClass()],
      csiNodes: [
        {
          apiVersion: 'storage.k8s.io/v1',
          kind: 'CSINode',
          metadata: { name: 'a' },
          spec: { drivers: [{ name: 'hostpath.csi.k8s.io', nodeID: 'a', allocatable: { count: 1 } }] },
        },
      ],
      pvs: [
        pv('pv1', {
          class: 'csi',
          csi: { driver: 'hostpath.csi.k8s.io', handle: 'h1' },
          claim: 'c1',
          phase: 'Bound',
        }),
        pv('pv2', {
          class: 'csi',
          csi: { driver: 'hostpath.csi.k8s.io', handle: 'h2' },
          claim: 'c2',
          phase: 'Bound',
        }),
      ],
      pvcs: [
        pvc('c1', { class: 'csi', volumeName: 'pv1', bound: true }),
        pvc('c2', { class: 'csi', volumeName: 'pv2', bound: true }),
      ],
      pods: [
        { ...claimPod('on-a', 'c1'), spec: { ...claimPod('on-a', 'c1').spec!, nodeName: 'a' } },
        pod('b1', { nodeName: 'b' }),
        pod('b2', { nodeName: 'b' }),
        claimPod('p', 'c2'),
      ],
    });
    assert.equal(w.nodeOf('p'), 'b', 'a has fewer pods but no CSI volume slot left');
  });

  it('retries an unschedulable pod when a matching PV appears, after its backoff', async () => {
    const w = await start({
      nodes: [node('a')],
      classes: [localClass],
      pvcs: [pvc('data')],
      pods: [claimPod('p', 'data')],
    });
    assert.equal(w.failures('p').length, 1);
    // No relevant change: no new attempt, however long we wait (short of the 5 minute flush).
    w.clock.step(60_000);
    await settle();
    assert.equal(w.failures('p').length, 1);
    await w.client.resource<PersistentVolume>(Resources.persistentvolumes).create(pv('pv1', { host: 'a' }));
    await settle();
    w.clock.step(1000);
    await settle();
    assert.equal(w.get<PersistentVolume>(Resources.persistentvolumes, 'pv1').spec?.claimRef?.name, 'data');
    await w.completeBinding('data', 'pv1');
    assert.equal(w.nodeOf('p'), 'a');
  });

  it('gives up waiting for the PV controller after the bind timeout and retries', async () => {
    const before = await stageErrors('bind');
    const w = await start(
      {
        nodes: [node('a')],
        classes: [localClass],
        pvs: [pv('pv1', { host: 'a' })],
        pvcs: [pvc('data')],
        pods: [claimPod('p', 'data')],
      },
      { bindTimeoutMs: 30_000 },
    );
    assert.equal(w.get<PersistentVolume>(Resources.persistentvolumes, 'pv1').spec?.claimRef?.name, 'data');
    w.clock.step(30_000);
    await settle();
    assert.deepEqual(w.failures('p'), [
      'running PreBind plugin "VolumeBinding": binding volumes: timed out waiting for the condition',
    ]);
    assert.equal(w.condition('p')?.reason, 'SchedulerError');
    assert.equal((await stageErrors('bind')) - before, 1);
    // After the backoff the pod is tried again; the PV pre-bound to its claim is chosen again.
    w.clock.step(1000);
    await settle();
    await w.completeBinding('data', 'pv1');
    assert.equal(w.nodeOf('p'), 'a');
  });

  it('fails PreBind when provisioning was given up (selected-node removed)', async () => {
    const w = await start({
      nodes: [node('a')],
      classes: [csiClass()],
      pvcs: [pvc('data', { class: 'csi' })],
      pods: [claimPod('p', 'data')],
    });
    const pvcs = w.client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default');
    const c = await pvcs.get('data');
    assert.equal(c.metadata.annotations?.[AnnSelectedNode], 'a');
    delete c.metadata.annotations![AnnSelectedNode];
    await pvcs.update(c);
    await settle();
    assert.deepEqual(w.failures('p'), [
      'running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "data"',
    ]);
  });
});

async function stageErrors(operation: string): Promise<number> {
  const m = metricsRegistry.getSingleMetric('scheduler_volume_scheduling_stage_error_total');
  if (m === undefined) return 0;
  const v = (await m.get()).values.find((x) => x.labels['operation'] === operation);
  return v?.value ?? 0;
}

// ---- storage capacity (hasEnoughCapacity) ----------------------------------------------------------

describe('Scheduler storage capacity', () => {
  const driver = (storageCapacity?: boolean): CSIDriver => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name: 'hostpath.csi.k8s.io' },
    spec: storageCapacity === undefined ? {} : { storageCapacity },
  });
  const cap = (
    name: string,
    o: {
      class?: string;
      zone?: string;
      topology?: CSIStorageCapacity['nodeTopology'] | null;
      capacity?: string;
      max?: string;
    },
  ): CSIStorageCapacity => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIStorageCapacity',
    metadata: { name, namespace: 'kube-system' },
    storageClassName: o.class ?? 'csi',
    ...(o.topology === null ? {} : { nodeTopology: o.topology ?? { matchLabels: { zone: o.zone ?? 'x' } } }),
    ...(o.capacity !== undefined ? { capacity: o.capacity } : {}),
    ...(o.max !== undefined ? { maximumVolumeSize: o.max } : {}),
  });
  const noSpace = `0/2 nodes are available: 2 node(s) did not have enough free storage. ${notHelpful(2)}`;
  const cases: {
    name: string;
    drivers: CSIDriver[];
    capacities: CSIStorageCapacity[];
    size: string;
    /** The node chosen for provisioning, or the FailedScheduling message. */
    want: string;
  }[] = [
    {
      name: 'prefers maximumVolumeSize over capacity',
      drivers: [driver(true)],
      capacities: [
        cap('cx', { zone: 'x', capacity: '10Gi', max: '2Gi' }),
        cap('cy', { zone: 'y', capacity: '5Gi' }),
      ],
      size: '5Gi',
      want: 'b',
    },
    {
      name: 'uses capacity when maximumVolumeSize is unset, and an exact fit is enough',
      drivers: [driver(true)],
      capacities: [cap('cx', { zone: 'x', capacity: '5Gi' })],
      size: '5Gi',
      want: 'a',
    },
    {
      name: 'does not check capacity when the provisioner has no CSIDriver object',
      drivers: [],
      capacities: [],
      size: '5Gi',
      want: 'a',
    },
    {
      name: 'does not check capacity when the CSIDriver has storageCapacity false',
      drivers: [driver(false)],
      capacities: [],
      size: '5Gi',
      want: 'a',
    },
    {
      name: 'does not check capacity when the CSIDriver leaves storageCapacity unset',
      drivers: [driver()],
      capacities: [],
      size: '5Gi',
      want: 'a',
    },
    {
      name: 'ignores capacity published for another storage class',
      drivers: [driver(true)],
      capacities: [cap('cx', { class: 'other', zone: 'x', capacity: '10Gi' })],
      size: '5Gi',
      want: noSpace,
    },
    {
      name: 'grants no node access through a capacity without nodeTopology',
      drivers: [driver(true)],
      capacities: [cap('cx', { topology: null, capacity: '10Gi' })],
      size: '5Gi',
      want: noSpace,
    },
    {
      name: 'ignores a capacity with neither capacity nor maximumVolumeSize',
      drivers: [driver(true)],
      capacities: [cap('cx', { zone: 'x' })],
      size: '1Gi',
      want: noSpace,
    },
    {
      name: 'matches nodeTopology selectors with matchExpressions',
      drivers: [driver(true)],
      capacities: [
        cap('cxy', {
          topology: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['x'] }] },
          capacity: '10Gi',
        }),
      ],
      size: '5Gi',
      want: 'b',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const w = await start({
        nodes: [node('a', { labels: { zone: 'x' } }), node('b', { labels: { zone: 'y' } })],
        classes: [csiClass()],
        csiDrivers: c.drivers,
        capacities: c.capacities,
        pvcs: [pvc('data', { class: 'csi', size: c.size })],
        pods: [claimPod('p', 'data')],
      });
      const selected = w.get<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'data').metadata
        .annotations?.[AnnSelectedNode];
      if (c.want.length === 1) {
        assert.equal(selected, c.want);
        assert.deepEqual(w.failures('p'), []);
      } else {
        assert.equal(selected, undefined);
        assert.deepEqual(w.failures('p'), [c.want]);
      }
    });
  }

  for (const how of ['added', 'updated'] as const) {
    it(`retries an unschedulable pod when a CSIStorageCapacity is ${how}, after its backoff`, async () => {
      const w = await start({
        nodes: [node('a', { labels: { zone: 'x' } }), node('b', { labels: { zone: 'y' } })],
        classes: [csiClass()],
        csiDrivers: [driver(true)],
        capacities: [cap('cx', { zone: 'x', capacity: '1Gi' })],
        pvcs: [pvc('data', { class: 'csi', size: '5Gi' })],
        pods: [claimPod('p', 'data')],
      });
      assert.deepEqual(w.failures('p'), [noSpace]);
      const caps = w.client.resource<CSIStorageCapacity>(Resources.csistoragecapacities, 'kube-system');
      if (how === 'added') {
        await caps.create(cap('cy', { zone: 'y', capacity: '10Gi' }));
      } else {
        const cx = await caps.get('cx');
        cx.capacity = '10Gi';
        await caps.update(cx);
      }
      await settle();
      w.clock.step(1000);
      await settle();
      assert.equal(
        w.get<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'data').metadata.annotations?.[
          AnnSelectedNode
        ],
        how === 'added' ? 'b' : 'a',
      );
      assert.equal(w.failures('p').length, 1);
    });
  }
});
