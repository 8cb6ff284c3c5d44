import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import {
  accessModesAsString,
  canonicalQuantity,
  humanDuration,
  printedKinds,
  printTable,
  shortHumanDuration,
} from './index.ts';

const now = Date.parse('2026-01-01T12:00:00Z');
const ago = (ms: number): string => new Date(now - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

const meta = (name: string, extra: Partial<KubeObject['metadata']> = {}) => ({
  name,
  namespace: 'default',
  uid: `uid-${name}`,
  resourceVersion: '7',
  creationTimestamp: ago(5 * m),
  ...extra,
});

function cells(kind: string, obj: KubeObject): unknown[] {
  const t = printTable(kind, [obj], { now, includeObject: 'None' });
  assert.equal(t.rows.length, 1);
  const row = t.rows[0];
  assert.ok(row);
  assert.equal(row.cells.length, t.columnDefinitions.length);
  return row.cells;
}

function columnNames(kind: string): string[] {
  return printTable(kind, [], { now, includeObject: 'None' }).columnDefinitions.map((c) => c.name);
}

describe('humanDuration', () => {
  const cases: [number, string][] = [
    [-3 * s, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 20 * s, '3m20s'],
    [10 * m + 5 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [5 * h + 3 * m, '5h3m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [8 * d, '8d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [365 * 3 * d + 30 * d, '3y30d'],
    [365 * 9 * d, '9y'],
  ];
  for (const [ms, want] of cases) {
    it(`prints ${ms} ms as ${want}`, () => assert.equal(humanDuration(ms), want));
  }
  it('prints short durations with one unit', () => {
    assert.equal(shortHumanDuration(59 * s), '59s');
    assert.equal(shortHumanDuration(90 * m), '1h');
    assert.equal(shortHumanDuration(400 * d), '1y');
  });
});

describe('canonicalQuantity', () => {
  it('prints quantities in the canonical form of resource.Quantity', () => {
    const cases: [string, string][] = [
      ['1Gi', '1Gi'],
      ['1024Mi', '1Gi'],
      ['1.5Gi', '1536Mi'],
      ['1000', '1k'],
      ['0.5', '500m'],
      ['0.5Ki', '512'],
      ['1.5G', '1500M'],
      ['1e3', '1e3'],
      ['0', '0'],
    ];
    for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, input);
  });
  it('returns text that is not a quantity unchanged', () => assert.equal(canonicalQuantity('lots'), 'lots'));
});

describe('accessModesAsString', () => {
  it('abbreviates access modes in upstream order without duplicates', () => {
    assert.equal(
      accessModesAsString([
        'ReadWriteOncePod',
        'ReadWriteMany',
        'ReadWriteOnce',
        'ReadWriteOnce',
        'ReadOnlyMany',
      ]),
      'RWO,ROX,RWX,RWOP',
    );
    assert.equal(accessModesAsString([]), '');
  });
});

describe('printTable', () => {
  const pvc: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta('data', { labels: { app: 'x' } }),
    spec: {
      accessModes: ['ReadWriteOnce'],
      volumeName: 'pvc-1',
      storageClassName: 'standard',
      volumeMode: 'Filesystem',
    },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1024Mi' } },
  };

  it('returns PartialObjectMetadata row objects for includeObject=Metadata', () => {
    const t = printTable('PersistentVolumeClaim', [pvc], { now, includeObject: 'Metadata' });
    assert.deepEqual(t.rows[0]?.object, {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: pvc.metadata,
    });
  });

  it('returns the full object, with its type filled in, for includeObject=Object', () => {
    const { kind: _k, apiVersion: _a, ...bare } = pvc;
    const t = printTable('PersistentVolumeClaim', [bare as KubeObject], { now, includeObject: 'Object' });
    assert.deepEqual(t.rows[0]?.object, pvc);
  });

  it('leaves the row object out for includeObject=None', () => {
    const t = printTable('PersistentVolumeClaim', [pvc], { now, includeObject: 'None' });
    assert.equal('object' in (t.rows[0] ?? {}), false);
  });

  it('omits column definitions but keeps every cell when noHeaders is set', () => {
    const t = printTable('PersistentVolumeClaim', [pvc], { now, includeObject: 'None', noHeaders: true });
    assert.deepEqual(t.columnDefinitions, []);
    assert.equal(t.rows[0]?.cells.length, 9);
  });

  it('falls back to the default Name and Created At table for kinds without a printer', () => {
    const t = printTable('Widget', [{ metadata: { name: 'w', creationTimestamp: '2025-12-31T10:00:00Z' } }], {
      now,
      includeObject: 'None',
    });
    assert.deepEqual(
      t.columnDefinitions.map((c) => [c.name, c.type, c.format]),
      [
        ['Name', 'string', 'name'],
        ['Created At', 'date', ''],
      ],
    );
    assert.deepEqual(t.rows[0]?.cells, ['w', '2025-12-31T10:00:00Z']);
  });

  it('has a printer for every kind kvol prints specially', () => {
    for (const kind of [
      'PersistentVolumeClaim',
      'PersistentVolume',
      'StorageClass',
      'VolumeAttachment',
      'CSIDriver',
      'CSINode',
      'CSIStorageCapacity',
      'VolumeAttributesClass',
      'Pod',
      'Node',
      'Namespace',
      'Event',
      'ConfigMap',
      'Secret',
      'Lease',
      'VolumeSnapshot',
      'VolumeSnapshotContent',
      'VolumeSnapshotClass',
    ]) {
      assert.ok(printedKinds().includes(kind), kind);
    }
  });
});

describe('PersistentVolumeClaim table', () => {
  it('has the upstream columns with VolumeMode wide only', () => {
    const t = printTable('PersistentVolumeClaim', [], { now, includeObject: 'None' });
    assert.deepEqual(
      t.columnDefinitions.map((c) => `${c.name}:${c.priority}`),
      [
        'Name:0',
        'Status:0',
        'Volume:0',
        'Capacity:0',
        'Access Modes:0',
        'StorageClass:0',
        'VolumeAttributesClass:0',
        'Age:0',
        'VolumeMode:1',
      ],
    );
  });

  it('prints a bound claim with canonical capacity and abbreviated access modes', () => {
    const pvc: KubeObject = {
      metadata: meta('data'),
      spec: { volumeName: 'pvc-1', storageClassName: 'standard', volumeMode: 'Filesystem' },
      status: {
        phase: 'Bound',
        accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
        capacity: { storage: '1024Mi' },
      },
    };
    assert.deepEqual(cells('PersistentVolumeClaim', pvc), [
      'data',
      'Bound',
      'pvc-1',
      '1Gi',
      'RWO,ROX',
      'standard',
      '<unset>',
      '5m',
      'Filesystem',
    ]);
  });

  it('prints a pending claim without capacity or access modes', () => {
    const pvc: KubeObject = {
      metadata: meta('pending'),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Pending' },
    };
    assert.deepEqual(cells('PersistentVolumeClaim', pvc), [
      'pending',
      'Pending',
      '',
      '',
      '',
      '',
      '<unset>',
      '5m',
      '<unset>',
    ]);
  });

  it('shows Terminating and prefers the beta storage-class annotation', () => {
    const pvc: KubeObject = {
      metadata: meta('gone', {
        deletionTimestamp: ago(1 * m),
        annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' },
      }),
      spec: { storageClassName: 'new', volumeAttributesClassName: 'gold' },
      status: { phase: 'Bound' },
    };
    const c = cells('PersistentVolumeClaim', pvc);
    assert.equal(c[1], 'Terminating');
    assert.equal(c[5], 'old');
    assert.equal(c[6], 'gold');
  });
});

describe('PersistentVolume table', () => {
  it('prints capacity, modes, policy, claim and class', () => {
    const pv: KubeObject = {
      metadata: { name: 'pv-1', creationTimestamp: ago(5 * m) },
      spec: {
        capacity: { storage: '2Gi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: 'default', name: 'data' },
        storageClassName: 'standard',
        volumeMode: 'Block',
      },
      status: { phase: 'Bound' },
    };
    assert.deepEqual(cells('PersistentVolume', pv), [
      'pv-1',
      '2Gi',
      'RWO,RWX',
      'Retain',
      'Bound',
      'default/data',
      'standard',
      '<unset>',
      '',
      '5m',
      'Block',
    ]);
  });

  it('prints a missing capacity as the zero quantity and Terminating while deleting', () => {
    const pv: KubeObject = {
      metadata: meta('pv-2', { deletionTimestamp: ago(0) }),
      spec: {},
      status: { phase: 'Released', reason: 'Oops' },
    };
    const c = cells('PersistentVolume', pv);
    assert.equal(c[1], '0');
    assert.equal(c[4], 'Terminating');
    assert.equal(c[5], '');
    assert.equal(c[8], 'Oops');
  });
});

describe('StorageClass table', () => {
  it('marks the default class and fills in upstream defaults', () => {
    const sc: KubeObject = {
      metadata: meta('standard', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }),
      provisioner: 'kvol.io/hostpath',
    };
    assert.deepEqual(cells('StorageClass', sc), [
      'standard (default)',
      'kvol.io/hostpath',
      'Delete',
      'Immediate',
      false,
      '5m',
    ]);
  });

  it('honours the beta default annotation and explicit settings', () => {
    const sc: KubeObject = {
      metadata: meta('fast', { annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } }),
      provisioner: 'p',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    };
    assert.deepEqual(cells('StorageClass', sc), [
      'fast (default)',
      'p',
      'Retain',
      'WaitForFirstConsumer',
      true,
      '5m',
    ]);
  });

  it('does not mark a class whose annotation is not exactly "true"', () => {
    const sc: KubeObject = {
      metadata: meta('slow', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'True' } }),
      provisioner: 'p',
    };
    assert.equal(cells('StorageClass', sc)[0], 'slow');
  });
});

describe('storage.k8s.io tables', () => {
  it('prints a VolumeAttachment with a boolean Attached cell', () => {
    const va: KubeObject = {
      metadata: meta('csi-123'),
      spec: { attacher: 'hostpath.csi.k8s.io', source: { persistentVolumeName: 'pv-1' }, nodeName: 'node-a' },
      status: { attached: true },
    };
    assert.deepEqual(cells('VolumeAttachment', va), [
      'csi-123',
      'hostpath.csi.k8s.io',
      'pv-1',
      'node-a',
      true,
      '5m',
    ]);
    assert.deepEqual(cells('VolumeAttachment', { metadata: meta('x'), spec: {} }), [
      'x',
      '',
      '',
      '',
      false,
      '5m',
    ]);
  });

  it('prints CSIDriver defaults and token audiences', () => {
    assert.deepEqual(cells('CSIDriver', { metadata: meta('d'), spec: {} }), [
      'd',
      true,
      false,
      false,
      '<unset>',
      false,
      '<none>',
      '5m',
    ]);
    const driver: KubeObject = {
      metadata: meta('e'),
      spec: {
        attachRequired: false,
        podInfoOnMount: true,
        storageCapacity: true,
        tokenRequests: [{ audience: 'a' }, { audience: 'b' }],
        requiresRepublish: true,
        volumeLifecycleModes: ['Persistent', 'Ephemeral'],
      },
    };
    assert.deepEqual(cells('CSIDriver', driver), [
      'e',
      false,
      true,
      true,
      'a,b',
      true,
      'Persistent,Ephemeral',
      '5m',
    ]);
  });

  it('counts CSINode drivers as an integer', () => {
    const node: KubeObject = { metadata: meta('n'), spec: { drivers: [{ name: 'a' }, { name: 'b' }] } };
    assert.deepEqual(cells('CSINode', node), ['n', 2, '5m']);
  });

  it('prints CSIStorageCapacity without an Age column', () => {
    assert.deepEqual(columnNames('CSIStorageCapacity'), ['Name', 'StorageClassName', 'Capacity']);
    assert.deepEqual(
      cells('CSIStorageCapacity', { metadata: meta('c'), storageClassName: 'sc', capacity: '2048Mi' }),
      ['c', 'sc', '2Gi'],
    );
    assert.deepEqual(cells('CSIStorageCapacity', { metadata: meta('c'), storageClassName: 'sc' }), [
      'c',
      'sc',
      '<unset>',
    ]);
  });

  it('prints VolumeAttributesClass with its driver and default marker', () => {
    const vac: KubeObject = {
      metadata: meta('gold', {
        annotations: { 'volumeattributesclass.alpha.kubernetes.io/is-default-class': 'true' },
      }),
      driverName: 'hostpath.csi.k8s.io',
    };
    assert.deepEqual(cells('VolumeAttributesClass', vac), ['gold (default)', 'hostpath.csi.k8s.io', '5m']);
  });
});

describe('Pod table', () => {
  const base = (status: Record<string, unknown>, spec: Record<string, unknown> = {}): KubeObject => ({
    metadata: meta('web'),
    spec: { containers: [{ name: 'app' }], ...spec },
    status,
  });

  it('has the upstream columns with four wide ones', () => {
    const t = printTable('Pod', [], { now, includeObject: 'None' });
    assert.deepEqual(
      t.columnDefinitions.map((c) => `${c.name}:${c.type}:${c.priority}`),
      [
        'Name:string:0',
        'Ready:string:0',
        'Status:string:0',
        'Restarts:string:0',
        'Age:string:0',
        'IP:string:1',
        'Node:string:1',
        'Nominated Node:string:1',
        'Readiness Gates:string:1',
      ],
    );
  });

  it('prints a pending unscheduled pod with <none> wide cells', () => {
    assert.deepEqual(cells('Pod', base({ phase: 'Pending' })), [
      'web',
      '0/1',
      'Pending',
      '0',
      '5m',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
  });

  it('shows the waiting reason of a container, such as ContainerCreating', () => {
    const pod = base(
      {
        phase: 'Pending',
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
        ],
      },
      { nodeName: 'node-a' },
    );
    const c = cells('Pod', pod);
    assert.equal(c[2], 'ContainerCreating');
    assert.equal(c[6], 'node-a');
  });

  it('prints a running ready pod with restarts and the time of the last restart', () => {
    const pod = base(
      {
        phase: 'Running',
        podIPs: [{ ip: '10.0.0.5' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          {
            name: 'app',
            ready: true,
            restartCount: 2,
            state: { running: { startedAt: ago(3 * m) } },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * m + 5 * s) } },
          },
        ],
      },
      { nodeName: 'node-a', readinessGates: [{ conditionType: 'example.com/gate' }] },
    );
    assert.deepEqual(cells('Pod', pod), [
      'web',
      '1/1',
      'Running',
      '2 (3m5s ago)',
      '5m',
      '10.0.0.5',
      'node-a',
      '<none>',
      '0/1',
    ]);
  });

  it('prints Completed and Error for terminated containers and marks the row completed', () => {
    const done = printTable(
      'Pod',
      [
        base({
          phase: 'Succeeded',
          containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        }),
      ],
      { now, includeObject: 'None' },
    ).rows[0];
    assert.equal(done?.cells[2], 'Completed');
    assert.equal(done?.conditions?.[0]?.reason, 'Succeeded');
    const failed = base({
      phase: 'Failed',
      containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 2, reason: 'Error' } } }],
    });
    assert.equal(cells('Pod', failed)[2], 'Error');
    const killed = base({
      phase: 'Failed',
      containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, signal: 9 } } }],
    });
    assert.equal(cells('Pod', killed)[2], 'Signal:9');
  });

  it('prints Terminating for a deleted pod that has not finished', () => {
    const pod: KubeObject = {
      ...base({ phase: 'Running' }),
      metadata: meta('web', { deletionTimestamp: ago(0) }),
    };
    assert.equal(cells('Pod', pod)[2], 'Terminating');
    const lost: KubeObject = {
      ...base({ phase: 'Running', reason: 'NodeLost' }),
      metadata: meta('web', { deletionTimestamp: ago(0) }),
    };
    assert.equal(cells('Pod', lost)[2], 'Unknown');
  });

  it('shows init container progress and failures', () => {
    const spec = { initContainers: [{ name: 'a' }, { name: 'b' }] };
    const running = base(
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'a', state: { terminated: { exitCode: 0 } } },
          { name: 'b', state: { running: {} } },
        ],
      },
      spec,
    );
    assert.equal(cells('Pod', running)[2], 'Init:1/2');
    const crashed = base(
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'a', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
      spec,
    );
    const c = cells('Pod', crashed);
    assert.equal(c[2], 'Init:CrashLoopBackOff');
    assert.equal(c[3], '3');
  });

  it('counts restartable init containers (sidecars) as containers', () => {
    const pod = base(
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [{ name: 'side', ready: true, started: true, state: { running: {} } }],
        containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }],
      },
      { initContainers: [{ name: 'side', restartPolicy: 'Always' }] },
    );
    assert.deepEqual(cells('Pod', pod).slice(1, 3), ['2/2', 'Running']);
  });

  it('shows SchedulingGated from the PodScheduled condition', () => {
    const pod = base({
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
    });
    assert.equal(cells('Pod', pod)[2], 'SchedulingGated');
  });
});

describe('Node table', () => {
  it('prints Ready, roles, version and wide details', () => {
    const node: KubeObject = {
      metadata: meta('node-a', {
        labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' },
      }),
      spec: {},
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '192.168.1.2' }],
        nodeInfo: {
          kubeletVersion: 'v1.32.0',
          osImage: 'Debian',
          kernelVersion: '6.1',
          containerRuntimeVersion: '',
        },
      },
    };
    assert.deepEqual(cells('Node', node), [
      'node-a',
      'Ready',
      'control-plane,worker',
      '5m',
      'v1.32.0',
      '192.168.1.2',
      '<none>',
      'Debian',
      '6.1',
      '<unknown>',
    ]);
  });

  it('prints NotReady, Unknown and SchedulingDisabled', () => {
    const notReady: KubeObject = {
      metadata: meta('n'),
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    };
    assert.equal(cells('Node', notReady)[1], 'NotReady,SchedulingDisabled');
    assert.equal(cells('Node', { metadata: meta('n'), status: {} })[1], 'Unknown');
    assert.equal(cells('Node', { metadata: meta('n') })[2], '<none>');
  });
});

describe('Namespace, ConfigMap, Secret and Lease tables', () => {
  it('prints a namespace phase', () => {
    assert.deepEqual(cells('Namespace', { metadata: meta('kube-system'), status: { phase: 'Active' } }), [
      'kube-system',
      'Active',
      '5m',
    ]);
  });

  it('counts ConfigMap data and binaryData keys', () => {
    assert.deepEqual(
      cells('ConfigMap', { metadata: meta('cm'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }),
      ['cm', 3, '5m'],
    );
    assert.deepEqual(columnNames('ConfigMap'), ['Name', 'Data', 'Age']);
  });

  it('prints a Secret type and key count', () => {
    assert.deepEqual(cells('Secret', { metadata: meta('s'), type: 'Opaque', data: { k: 'dg==' } }), [
      's',
      'Opaque',
      1,
      '5m',
    ]);
  });

  it('prints a Lease holder', () => {
    assert.deepEqual(cells('Lease', { metadata: meta('l'), spec: { holderIdentity: 'node-a' } }), [
      'l',
      'node-a',
      '5m',
    ]);
    assert.deepEqual(cells('Lease', { metadata: meta('l'), spec: {} }), ['l', '', '5m']);
  });
});

describe('Event table', () => {
  const ev: KubeObject = {
    metadata: meta('data.1'),
    involvedObject: { kind: 'PersistentVolumeClaim', name: 'data', fieldPath: '' },
    reason: 'ProvisioningSucceeded',
    message: 'Successfully provisioned volume pvc-1 \n',
    type: 'Normal',
    source: { component: 'persistentvolume-controller' },
    firstTimestamp: ago(10 * m),
    lastTimestamp: ago(2 * m),
    count: 3,
  };

  it('has Last Seen, Type, Reason, Object, Message and five wide columns', () => {
    const t = printTable('Event', [], { now, includeObject: 'None' });
    assert.deepEqual(
      t.columnDefinitions.map((c) => `${c.name}:${c.priority}`),
      [
        'Last Seen:0',
        'Type:0',
        'Reason:0',
        'Object:0',
        'Subobject:1',
        'Source:1',
        'Message:0',
        'First Seen:1',
        'Count:1',
        'Name:1',
      ],
    );
  });

  it('prints ages, the lower-cased object and the trimmed message', () => {
    assert.deepEqual(cells('Event', ev), [
      '2m',
      'Normal',
      'ProvisioningSucceeded',
      'persistentvolumeclaim/data',
      '',
      'persistentvolume-controller',
      'Successfully provisioned volume pvc-1',
      '10m',
      3,
      'data.1',
    ]);
  });

  it('uses eventTime and series for events recorded through events.k8s.io', () => {
    const { firstTimestamp: _f, lastTimestamp: _l, count: _c, source: _s, ...rest } = ev;
    const modern: KubeObject = {
      ...rest,
      eventTime: '2026-01-01T11:50:00.123456Z',
      series: { count: 7, lastObservedTime: '2026-01-01T11:59:00.000000Z' },
      reportingComponent: 'kvol-controller',
      reportingInstance: 'host-1',
    };
    const c = cells('Event', modern);
    assert.equal(c[0], '60s');
    assert.equal(c[5], 'kvol-controller, host-1');
    assert.equal(c[7], '9m59s');
    assert.equal(c[8], 7);
    const single: KubeObject = { ...rest, eventTime: '2026-01-01T11:50:00.000000Z' };
    assert.equal(cells('Event', single)[8], 1);
    assert.equal(cells('Event', single)[0], '10m');
  });
});

describe('snapshot CRD tables', () => {
  it('prints VolumeSnapshot columns from JSONPath with null for missing values', () => {
    assert.deepEqual(columnNames('VolumeSnapshot'), [
      'Name',
      'ReadyToUse',
      'SourcePVC',
      'SourceSnapshotContent',
      'RestoreSize',
      'SnapshotClass',
      'SnapshotContent',
      'CreationTime',
      'Age',
    ]);
    const vs: KubeObject = {
      metadata: meta('snap'),
      spec: { source: { persistentVolumeClaimName: 'data' }, volumeSnapshotClassName: 'csi' },
      status: {
        readyToUse: true,
        restoreSize: '1Gi',
        boundVolumeSnapshotContentName: 'snapcontent-1',
        creationTime: ago(4 * m),
      },
    };
    assert.deepEqual(cells('VolumeSnapshot', vs), [
      'snap',
      true,
      'data',
      null,
      '1Gi',
      'csi',
      'snapcontent-1',
      '4m',
      '5m',
    ]);
    assert.deepEqual(cells('VolumeSnapshot', { metadata: meta('new'), spec: { source: {} } }), [
      'new',
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      '5m',
    ]);
  });

  it('prints VolumeSnapshotContent restore size as an integer', () => {
    const vsc: KubeObject = {
      metadata: meta('snapcontent-1'),
      spec: {
        deletionPolicy: 'Delete',
        driver: 'hostpath.csi.k8s.io',
        volumeSnapshotRef: { name: 'snap', namespace: 'default' },
      },
      status: { readyToUse: false, restoreSize: 1073741824 },
    };
    assert.deepEqual(cells('VolumeSnapshotContent', vsc), [
      'snapcontent-1',
      false,
      1073741824,
      'Delete',
      'hostpath.csi.k8s.io',
      null,
      'snap',
      'default',
      '5m',
    ]);
  });

  it('prints VolumeSnapshotClass driver and deletion policy with the generated column description', () => {
    const t = printTable(
      'VolumeSnapshotClass',
      [{ metadata: meta('csi'), driver: 'd', deletionPolicy: 'Retain' }],
      {
        now,
        includeObject: 'None',
      },
    );
    assert.equal(
      t.columnDefinitions[1]?.description,
      'Custom resource definition column (in JSONPath format): .driver',
    );
    assert.equal(t.columnDefinitions[3]?.type, 'date');
    assert.deepEqual(t.rows[0]?.cells, ['csi', 'd', 'Retain', '5m']);
  });
});
