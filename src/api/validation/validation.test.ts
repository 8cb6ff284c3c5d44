// Tables of (object, expected aggregated message) per kind, most cases taken from upstream's
// validation_test.go files; the text is what `kubectl` prints after `is invalid:`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateMessage, type FieldError } from '../field.ts';
import type {
  ConfigMap,
  CSIDriver,
  Lease,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Secret,
  StorageClass,
  VolumeAttachment,
  VolumeSnapshot,
  VolumeSnapshotContent,
} from '../types/index.ts';
import * as v from './index.ts';

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const clone = <T>(x: T): T => structuredClone(x);
function check(errs: FieldError[], want: string | undefined, name: string): void {
  if (want === undefined)
    assert.deepEqual(
      errs.map((e) => e.message()),
      [],
      name,
    );
  else assert.equal(errs.length > 0 ? aggregateMessage(errs) : '<no error>', want, name);
}

const pv: PersistentVolume = {
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pv1', resourceVersion: '1' },
  spec: {
    capacity: { storage: '10Gi' },
    accessModes: ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: 'Retain',
    volumeMode: 'Filesystem',
    hostPath: { path: '/tmp/data', type: '' },
  },
};

describe('PersistentVolume validation', () => {
  const cases: [string, (p: PersistentVolume) => void, string | undefined][] = [
    ['a valid hostPath volume', () => {}, undefined],
    [
      'a bad name',
      (p) => {
        p.metadata.name = 'Bad_Name';
      },
      `metadata.name: Invalid value: "Bad_Name": ${subdomainMsg}`,
    ],
    [
      'a namespace on a cluster-scoped object',
      (p) => {
        p.metadata.namespace = 'default';
      },
      'metadata.namespace: Forbidden: not allowed on this type',
    ],
    [
      'missing access modes',
      (p) => {
        delete p.spec!.accessModes;
      },
      'spec.accessModes: Required value',
    ],
    [
      'an unsupported access mode',
      (p) => {
        p.spec!.accessModes = ['Foo' as 'ReadWriteOnce'];
      },
      'spec.accessModes: Unsupported value: "Foo": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    ],
    [
      'ReadWriteOncePod with another mode',
      (p) => {
        p.spec!.accessModes = ['ReadWriteOncePod', 'ReadWriteMany'];
      },
      'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
    ],
    [
      'a zero capacity',
      (p) => {
        p.spec!.capacity = { storage: '0' };
      },
      'spec.capacity[storage]: Invalid value: "0": must be greater than zero',
    ],
    [
      'no volume source',
      (p) => {
        delete p.spec!.hostPath;
      },
      'spec: Required value: must specify a volume type',
    ],
    [
      'two volume sources',
      (p) => {
        p.spec!.nfs = { server: 'srv', path: '/export' };
      },
      'spec.nfs: Forbidden: may not specify more than 1 volume type',
    ],
    [
      'an unsupported reclaim policy',
      (p) => {
        p.spec!.persistentVolumeReclaimPolicy = 'Keep' as 'Retain';
      },
      'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
    ],
    [
      'an unsupported hostPath type',
      (p) => {
        p.spec!.hostPath = { path: '/x', type: 'Foo' as 'File' };
      },
      'spec.hostPath.type: Unsupported value: "Foo": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
    ],
    [
      'a hostPath with backsteps',
      (p) => {
        p.spec!.hostPath = { path: '/a/../b' };
      },
      `spec.hostPath.path: Invalid value: "/a/../b": must not contain '..'`,
    ],
    [
      'Recycle of a hostPath /',
      (p) => {
        p.spec!.hostPath = { path: '/' };
        p.spec!.persistentVolumeReclaimPolicy = 'Recycle';
      },
      "spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'",
    ],
    [
      'a local volume without node affinity',
      (p) => {
        delete p.spec!.hostPath;
        p.spec!.local = { path: '/mnt/disk' };
      },
      'spec.nodeAffinity: Required value: Local volume requires node affinity',
    ],
    [
      'node affinity without terms',
      (p) => {
        p.spec!.nodeAffinity = { required: { nodeSelectorTerms: [] } };
      },
      'spec.nodeAffinity.required.nodeSelectorTerms: Required value: must have at least one node selector term',
    ],
    [
      'a csi volume without driver and handle',
      (p) => {
        delete p.spec!.hostPath;
        p.spec!.csi = { driver: '', volumeHandle: '' };
      },
      `[spec.csi.driver: Required value, spec.csi.driver: Invalid value: "": ${subdomainMsg}, spec.csi.volumeHandle: Required value]`,
    ],
    [
      'an unsupported volume mode',
      (p) => {
        p.spec!.volumeMode = 'Raw' as 'Block';
      },
      'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"',
    ],
    [
      'mount options annotation on hostPath',
      (p) => {
        p.metadata.annotations = { 'volume.beta.kubernetes.io/mount-options': 'ro' };
      },
      'metadata.annotations.volume.beta.kubernetes.io/mount-options: Forbidden: may not specify mount options for this volume type',
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(`reports ${name}`, () => {
      const p = clone(pv);
      mutate(p);
      check(v.validatePersistentVolume(p), want, name);
    });
  }

  it('forbids changing the volume source on update', () => {
    const n = clone(pv);
    n.spec!.hostPath = { path: '/tmp/other', type: '' };
    const errs = v.validatePersistentVolumeUpdate(n, pv);
    assert.equal(errs.length, 1);
    assert.match(
      errs[0]!.message(),
      /^spec\.persistentvolumesource: Forbidden: spec\.persistentvolumesource is immutable after creation\n/,
    );
  });

  it('allows capacity and claimRef changes on update but not volumeMode', () => {
    const n = clone(pv);
    n.spec!.capacity = { storage: '20Gi' };
    n.spec!.claimRef = { namespace: 'ns', name: 'c' };
    check(v.validatePersistentVolumeUpdate(n, pv), undefined, 'capacity');
    n.spec!.volumeMode = 'Block';
    check(
      v.validatePersistentVolumeUpdate(n, pv),
      'volumeMode: Invalid value: "Block": field is immutable',
      'volumeMode',
    );
  });
});

const pvc: PersistentVolumeClaim = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'claim', namespace: 'default', resourceVersion: '1' },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
    storageClassName: 'standard',
    volumeMode: 'Filesystem',
  },
};

describe('PersistentVolumeClaim validation', () => {
  const cases: [string, (p: PersistentVolumeClaim) => void, string | undefined][] = [
    ['a valid claim', () => {}, undefined],
    [
      'missing access modes',
      (p) => {
        p.spec!.accessModes = [];
      },
      'spec.accessModes: Required value: at least 1 access mode is required',
    ],
    [
      'a missing storage request',
      (p) => {
        p.spec!.resources = { requests: {} };
      },
      'spec.resources[storage]: Required value',
    ],
    [
      'a zero storage request',
      (p) => {
        p.spec!.resources = { requests: { storage: '0' } };
      },
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
    ],
    [
      'a missing namespace',
      (p) => {
        delete p.metadata.namespace;
      },
      'metadata.namespace: Required value',
    ],
    [
      'a bad selector operator',
      (p) => {
        p.spec!.selector = { matchExpressions: [{ key: 'k', operator: 'Bad' as 'In', values: ['a'] }] };
      },
      'spec.selector.matchExpressions[0].operator: Invalid value: "Bad": not a valid selector operator',
    ],
    [
      'a data source of the core group that is not a claim',
      (p) => {
        p.spec!.dataSource = { kind: 'Pod', name: 'x' };
      },
      'spec.dataSource.kind: Invalid value: "Pod": must be \'PersistentVolumeClaim\' when referencing the default apiGroup',
    ],
    [
      'a data source differing from dataSourceRef',
      (p) => {
        p.spec!.dataSource = { kind: 'PersistentVolumeClaim', name: 'a' };
        p.spec!.dataSourceRef = { kind: 'PersistentVolumeClaim', name: 'b' };
      },
      'spec: Invalid value: spec.dataSource: must match dataSourceRef',
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(`reports ${name}`, () => {
      const p = clone(pvc);
      mutate(p);
      check(v.validatePersistentVolumeClaim(p), want, name);
    });
  }

  it('allows setting volumeName once and growing a bound claim', () => {
    const n = clone(pvc);
    n.spec!.volumeName = 'pv1';
    check(v.validatePersistentVolumeClaimUpdate(n, pvc), undefined, 'volumeName');
    const bound = clone(n);
    bound.status = { phase: 'Bound' };
    const grown = clone(bound);
    grown.spec!.resources = { requests: { storage: '2Gi' } };
    check(v.validatePersistentVolumeClaimUpdate(grown, bound), undefined, 'grow');
  });

  it('forbids shrinking and other spec changes', () => {
    const bound = clone(pvc);
    bound.status = { phase: 'Bound' };
    const shrunk = clone(bound);
    shrunk.spec!.resources = { requests: { storage: '512Mi' } };
    check(
      v.validatePersistentVolumeClaimUpdate(shrunk, bound),
      'spec.resources.requests.storage: Forbidden: field can not be less than previous value',
      'shrink',
    );
    const changed = clone(pvc);
    changed.spec!.accessModes = ['ReadWriteMany'];
    const errs = v.validatePersistentVolumeClaimUpdate(changed, pvc);
    assert.equal(errs.length, 1);
    assert.match(
      errs[0]!.message(),
      /^spec: Forbidden: spec is immutable after creation except resources\.requests and volumeAttributesClassName for bound claims\n/,
    );
  });
});

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', resourceVersion: '1' },
  spec: {
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'claim' } }],
    containers: [
      {
        name: 'c',
        image: 'busybox',
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePolicy: 'File',
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ],
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    terminationGracePeriodSeconds: 30,
  },
};

describe('Pod validation', () => {
  const cases: [string, (p: Pod) => void, string | undefined][] = [
    ['a valid pod', () => {}, undefined],
    [
      'a duplicate volume name',
      (p) => {
        p.spec!.volumes!.push({ name: 'data', emptyDir: {} });
      },
      'spec.volumes[1].name: Duplicate value: "data"',
    ],
    [
      'a mount of an unknown volume',
      (p) => {
        p.spec!.containers[0]!.volumeMounts = [{ name: 'x', mountPath: '/x' }];
      },
      'spec.containers[0].volumeMounts[0].name: Not found: "x"',
    ],
    [
      'a volume without source',
      (p) => {
        p.spec!.volumes = [{ name: 'data' }];
      },
      '[spec.volumes[0]: Required value: must specify a volume type, spec.containers[0].volumeMounts[0].name: Not found: "data"]',
    ],
    [
      'no containers',
      (p) => {
        p.spec!.containers = [];
      },
      'spec.containers: Required value',
    ],
    [
      'a missing image',
      (p) => {
        delete p.spec!.containers[0]!.image;
      },
      'spec.containers[0].image: Required value',
    ],
    [
      'a secret volume without name and a bad mode',
      (p) => {
        p.spec!.volumes = [{ name: 'data', secret: { defaultMode: 0o1000 } }];
      },
      '[spec.volumes[0].secret.secretName: Required value, spec.volumes[0].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive, spec.containers[0].volumeMounts[0].name: Not found: "data"]',
    ],
    [
      'a configMap item escaping its volume',
      (p) => {
        p.spec!.volumes = [{ name: 'data', configMap: { name: 'cm', items: [{ key: 'k', path: '../x' }] } }];
      },
      '[spec.volumes[0].configMap.items[0].path: Invalid value: "../x": must not contain \'..\', spec.containers[0].volumeMounts[0].name: Not found: "data"]',
    ],
    [
      'a duplicate mount path',
      (p) => {
        p.spec!.volumes!.push({ name: 'cache', emptyDir: {} });
        p.spec!.containers[0]!.volumeMounts!.push({ name: 'cache', mountPath: '/data' });
      },
      'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
    ],
    [
      'an absolute subPath',
      (p) => {
        p.spec!.containers[0]!.volumeMounts![0]!.subPath = '/abs';
      },
      'spec.containers[0].volumeMounts.subPath: Invalid value: "/abs": must be a relative path',
    ],
    [
      'a block device from an emptyDir',
      (p) => {
        p.spec!.volumes!.push({ name: 'scratch', emptyDir: {} });
        p.spec!.containers[0]!.volumeDevices = [{ name: 'scratch', devicePath: '/dev/xvda' }];
      },
      'spec.containers[0].volumeDevices[0].name: Invalid value: "scratch": can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode',
    ],
    [
      'an unsupported restart policy',
      (p) => {
        p.spec!.restartPolicy = 'Sometimes' as 'Always';
      },
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ],
    [
      'a toleration without key and operator',
      (p) => {
        p.spec!.tolerations = [{ value: 'x' }];
      },
      'spec.tolerations[0].operator: Invalid value: "": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(`reports ${name}`, () => {
      const p = clone(pod);
      mutate(p);
      check(v.validatePod(p), want, name);
    });
  }

  it('allows an image change and forbids other spec changes on update', () => {
    const n = clone(pod);
    n.spec!.containers[0]!.image = 'busybox:2';
    check(v.validatePodUpdate(n, pod), undefined, 'image');
    n.spec!.restartPolicy = 'Never';
    const errs = v.validatePodUpdate(n, pod);
    assert.equal(errs.length, 1);
    assert.ok(
      errs[0]!
        .message()
        .startsWith(
          'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
        ),
      errs[0]!.message(),
    );
  });

  it('forbids adding containers on update', () => {
    const n = clone(pod);
    n.spec!.containers.push({ ...n.spec!.containers[0]!, name: 'd' });
    check(
      v.validatePodUpdate(n, pod),
      'spec.containers: Forbidden: pod updates may not add or remove containers',
      'add',
    );
  });
});

describe('StorageClass validation', () => {
  const sc: StorageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'fast', resourceVersion: '1' },
    provisioner: 'hostpath.csi.k8s.io',
    parameters: { a: 'b' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };

  it('accepts a valid class and rejects a missing provisioner and bad policy', () => {
    check(v.validateStorageClass(sc), undefined, 'valid');
    const bad = clone(sc);
    bad.provisioner = '';
    bad.reclaimPolicy = 'Recycle';
    check(
      v.validateStorageClass(bad),
      '[provisioner: Required value, reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"]',
      'bad',
    );
  });

  it('forbids changing parameters, provisioner, reclaimPolicy and binding mode', () => {
    const n = clone(sc);
    n.parameters = { a: 'c' };
    n.provisioner = 'other.csi.k8s.io';
    n.reclaimPolicy = 'Retain';
    n.volumeBindingMode = 'Immediate';
    check(
      v.validateStorageClassUpdate(n, sc),
      '[parameters: Forbidden: updates to parameters are forbidden., provisioner: Forbidden: updates to provisioner are forbidden., reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden., volumeBindingMode: Invalid value: "Immediate": field is immutable]',
      'update',
    );
  });

  it('reports duplicate topology values', () => {
    const n = clone(sc);
    n.allowedTopologies = [{ matchLabelExpressions: [{ key: 'zone', values: ['a', 'a'] }] }];
    check(
      v.validateStorageClass(n),
      'allowedTopologies[0].matchLabelExpressions[0].values[1]: Duplicate value: "a"',
      'dup',
    );
  });
});

describe('ConfigMap and Secret validation', () => {
  const cm: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm', namespace: 'default', resourceVersion: '1' },
    data: { 'a.txt': 'x' },
  };

  it('rejects bad keys and changes to immutable data', () => {
    const bad = clone(cm);
    bad.data = { 'a b': 'x' };
    check(
      v.validateConfigMap(bad),
      "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      'key',
    );
    const imm = clone(cm);
    imm.immutable = true;
    const changed = clone(imm);
    changed.data = { 'a.txt': 'y' };
    check(
      v.validateConfigMapUpdate(changed, imm),
      'data: Forbidden: field is immutable when `immutable` is set',
      'imm',
    );
  });

  it('requires the keys of a TLS secret and keeps the type immutable', () => {
    const s: Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default', resourceVersion: '1' },
      type: 'kubernetes.io/tls',
      data: {},
    };
    check(v.validateSecret(s), '[data[tls.crt]: Required value, data[tls.key]: Required value]', 'tls');
    const o: Secret = { ...clone(s), type: 'Opaque' };
    const n: Secret = { ...clone(s), type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } };
    check(
      v.validateSecretUpdate(n, o),
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
      'type',
    );
  });
});

describe('ObjectMeta update validation', () => {
  it('forbids new finalizers on an object being deleted and renames', () => {
    const old = clone(pvc);
    old.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    old.metadata.finalizers = ['kubernetes.io/pvc-protection'];
    const n = clone(old);
    n.metadata.finalizers = ['kubernetes.io/pvc-protection', 'example.com/x'];
    check(
      v.validateObjectMetaUpdate(n.metadata, old.metadata),
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}',
      'finalizers',
    );
    const renamed = clone(pvc);
    renamed.metadata.name = 'other';
    check(
      v.validateObjectMetaUpdate(renamed.metadata, pvc.metadata),
      'metadata.name: Invalid value: "other": field is immutable',
      'name',
    );
  });

  it('validates label keys and values and the namespace as a DNS label', () => {
    check(
      v.validateObjectMeta({ name: 'x', namespace: 'a.b', labels: { k: 'v v' } }, true, v.nameIsDNSSubdomain),
      "[metadata.namespace: Invalid value: \"a.b\": must not contain dots, metadata.labels: Invalid value: \"v v\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')]",
      'labels',
    );
  });
});

describe('storage.k8s.io validation', () => {
  it('requires the CSIDriver booleans that defaulting sets', () => {
    const d: CSIDriver = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: 'hostpath.csi.k8s.io' },
      spec: {},
    };
    check(
      v.validateCSIDriver(d),
      '[spec.attachedRequired: Required value, spec.podInfoOnMount: Required value, spec.storageCapacity: Required value, spec.seLinuxMount: Required value]',
      'csidriver',
    );
  });

  it('requires exactly one VolumeAttachment source and keeps the spec immutable', () => {
    const va: VolumeAttachment = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'VolumeAttachment',
      metadata: { name: 'va', resourceVersion: '1' },
      spec: { attacher: 'hostpath.csi.k8s.io', nodeName: 'node1', source: {} },
    };
    check(
      v.validateVolumeAttachment(va),
      'spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName',
      'source',
    );
    const ok = clone(va);
    ok.spec.source = { persistentVolumeName: 'pv1' };
    check(v.validateVolumeAttachment(ok), undefined, 'ok');
    const moved = clone(ok);
    moved.spec.nodeName = 'node2';
    const errs = v.validateVolumeAttachmentUpdate(moved, ok);
    assert.equal(errs.length, 1);
    assert.match(errs[0]!.message(), /^spec: Invalid value: .*: field is immutable$/);
  });
});

describe('snapshot.storage.k8s.io validation', () => {
  it('requires exactly one snapshot source', () => {
    const vs: VolumeSnapshot = {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: { name: 'snap', namespace: 'default', resourceVersion: '1' },
      spec: { source: { persistentVolumeClaimName: 'a', volumeSnapshotContentName: 'b' } },
    };
    check(
      v.validateVolumeSnapshot(vs),
      'spec.source: Invalid value: "object": exactly one of volumeSnapshotContentName and persistentVolumeClaimName must be set',
      'both',
    );
    const ok = clone(vs);
    delete ok.spec.source.volumeSnapshotContentName;
    const changed = clone(ok);
    changed.spec.source.persistentVolumeClaimName = 'c';
    check(
      v.validateVolumeSnapshotUpdate(changed, ok),
      'spec.source.persistentVolumeClaimName: Invalid value: "string": persistentVolumeClaimName is immutable',
      'immutable',
    );
  });

  it('checks content deletion policy and references', () => {
    const c: VolumeSnapshotContent = {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotContent',
      metadata: { name: 'content' },
      spec: {
        deletionPolicy: 'Keep' as 'Delete',
        driver: 'hostpath.csi.k8s.io',
        source: { volumeHandle: 'v' },
        volumeSnapshotRef: { name: 'snap' },
      },
    };
    check(
      v.validateVolumeSnapshotContent(c),
      '[spec.deletionPolicy: Unsupported value: "Keep": supported values: "Delete", "Retain", spec.volumeSnapshotRef: Invalid value: "object": both spec.volumeSnapshotRef.name and spec.volumeSnapshotRef.namespace must be set]',
      'content',
    );
  });
});

describe('Lease validation', () => {
  it('rejects a non-positive duration', () => {
    const l: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', namespace: 'kube-node-lease' },
      spec: { leaseDurationSeconds: 0 },
    };
    check(v.validateLease(l), 'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0', 'lease');
  });
});
