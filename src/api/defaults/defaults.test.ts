// Tests for defaulting: each upstream default, applied to a concrete object.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  CSIDriver,
  CSIStorageCapacity,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Secret,
  StorageClass,
  VolumeAttachment,
} from '../types/index.ts';
import {
  defaultCSIDriver,
  defaultCSIStorageCapacity,
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultPod,
  defaultSecret,
  defaultStorageClass,
  defaultVolumeAttachment,
  imageTag,
  mergeSecretStringData,
  prepareNamespaceForCreate,
} from './index.ts';

const pv = (spec: PersistentVolume['spec'] = {}): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pv1' },
  spec,
});

const pvc = (spec: PersistentVolumeClaim['spec'] = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'claim', namespace: 'default' },
  spec,
});

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec },
});

describe('PersistentVolume defaults', () => {
  it('defaults a PersistentVolume reclaim policy to Retain', () => {
    const obj = pv({ hostPath: { path: '/tmp/x' } });
    defaultPersistentVolume(obj);
    assert.equal(obj.spec?.persistentVolumeReclaimPolicy, 'Retain');
  });

  it('keeps a reclaim policy that was set', () => {
    const obj = pv({ persistentVolumeReclaimPolicy: 'Delete' });
    defaultPersistentVolume(obj);
    assert.equal(obj.spec?.persistentVolumeReclaimPolicy, 'Delete');
  });

  it('defaults a PersistentVolume volumeMode to Filesystem', () => {
    const obj = pv();
    defaultPersistentVolume(obj);
    assert.equal(obj.spec?.volumeMode, 'Filesystem');
  });

  it('keeps a Block volumeMode', () => {
    const obj = pv({ volumeMode: 'Block' });
    defaultPersistentVolume(obj);
    assert.equal(obj.spec?.volumeMode, 'Block');
  });

  it('defaults a PersistentVolume status phase to Pending', () => {
    const obj = pv();
    defaultPersistentVolume(obj);
    assert.deepEqual(obj.status, { phase: 'Pending' });
  });

  it('keeps a phase that was set', () => {
    const obj = pv();
    obj.status = { phase: 'Bound' };
    defaultPersistentVolume(obj);
    assert.equal(obj.status.phase, 'Bound');
  });

  it('creates the spec when the JSON left it out', () => {
    const obj: PersistentVolume = { metadata: { name: 'x' } };
    defaultPersistentVolume(obj);
    assert.equal(obj.spec?.persistentVolumeReclaimPolicy, 'Retain');
  });

  it('defaults a hostPath type to the empty string', () => {
    const obj = pv({ hostPath: { path: '/data' } });
    defaultPersistentVolume(obj);
    assert.deepEqual(obj.spec?.hostPath, { path: '/data', type: '' });
  });

  it('defaults an iSCSI interface to default', () => {
    const obj = pv({
      iscsi: { targetPortal: '10.0.0.1:3260', iqn: 'iqn.2001-04.com.example:storage', lun: 0 },
    });
    defaultPersistentVolume(obj);
    assert.equal(obj.spec?.iscsi?.iscsiInterface, 'default');
  });

  it('writes capacity quantities in canonical form', () => {
    const obj = pv({ capacity: { storage: '1024Mi' } });
    defaultPersistentVolume(obj);
    assert.deepEqual(obj.spec?.capacity, { storage: '1Gi' });
  });

  it('rounds capacity up to milli scale', () => {
    const obj = pv({ capacity: { storage: '0.0001' } });
    defaultPersistentVolume(obj);
    assert.deepEqual(obj.spec?.capacity, { storage: '1m' });
  });

  it('leaves an unparsable capacity for validation to report', () => {
    const obj = pv({ capacity: { storage: 'lots' } });
    defaultPersistentVolume(obj);
    assert.deepEqual(obj.spec?.capacity, { storage: 'lots' });
  });
});

describe('PersistentVolumeClaim defaults', () => {
  it('defaults a PersistentVolumeClaim status phase to Pending', () => {
    const obj = pvc({ accessModes: ['ReadWriteOnce'] });
    defaultPersistentVolumeClaim(obj);
    assert.deepEqual(obj.status, { phase: 'Pending' });
  });

  it('defaults a PersistentVolumeClaim volumeMode to Filesystem', () => {
    const obj = pvc();
    defaultPersistentVolumeClaim(obj);
    assert.equal(obj.spec?.volumeMode, 'Filesystem');
  });

  it('writes requested storage in canonical form', () => {
    const obj = pvc({ resources: { requests: { storage: '1000Mi' }, limits: { storage: '2048Mi' } } });
    defaultPersistentVolumeClaim(obj);
    assert.deepEqual(obj.spec?.resources, { requests: { storage: '1000Mi' }, limits: { storage: '2Gi' } });
  });

  it('writes status capacity and allocated resources in canonical form', () => {
    const obj = pvc();
    obj.status = {
      phase: 'Bound',
      capacity: { storage: '1048576Ki' },
      allocatedResources: { storage: '1024Mi' },
    };
    defaultPersistentVolumeClaim(obj);
    assert.deepEqual(obj.status.capacity, { storage: '1Gi' });
    assert.deepEqual(obj.status.allocatedResources, { storage: '1Gi' });
  });
});

describe('StorageClass defaults', () => {
  it('defaults a StorageClass reclaim policy to Delete and binding mode to Immediate', () => {
    const sc: StorageClass = { metadata: { name: 'fast' }, provisioner: 'hostpath.csi.k8s.io' };
    defaultStorageClass(sc);
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
  });

  it('keeps WaitForFirstConsumer and Retain when set', () => {
    const sc: StorageClass = {
      metadata: { name: 'local' },
      provisioner: 'kubernetes.io/no-provisioner',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
    };
    defaultStorageClass(sc);
    assert.equal(sc.reclaimPolicy, 'Retain');
    assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
  });
});

describe('CSIDriver defaults', () => {
  it('defaults every CSIDriver spec field', () => {
    const d: CSIDriver = { metadata: { name: 'hostpath.csi.k8s.io' }, spec: {} };
    defaultCSIDriver(d);
    assert.deepEqual(d.spec, {
      attachRequired: true,
      podInfoOnMount: false,
      storageCapacity: false,
      fsGroupPolicy: 'ReadWriteOnceWithFSType',
      volumeLifecycleModes: ['Persistent'],
      requiresRepublish: false,
      seLinuxMount: false,
    });
  });

  it('keeps explicit CSIDriver settings', () => {
    const d: CSIDriver = {
      metadata: { name: 'd' },
      spec: {
        attachRequired: false,
        podInfoOnMount: true,
        volumeLifecycleModes: ['Ephemeral'],
        fsGroupPolicy: 'File',
      },
    };
    defaultCSIDriver(d);
    assert.equal(d.spec.attachRequired, false);
    assert.equal(d.spec.podInfoOnMount, true);
    assert.deepEqual(d.spec.volumeLifecycleModes, ['Ephemeral']);
    assert.equal(d.spec.fsGroupPolicy, 'File');
  });

  it('defaults an empty volumeLifecycleModes list to Persistent', () => {
    const d: CSIDriver = { metadata: { name: 'd' }, spec: { volumeLifecycleModes: [] } };
    defaultCSIDriver(d);
    assert.deepEqual(d.spec.volumeLifecycleModes, ['Persistent']);
  });
});

describe('VolumeAttachment and CSIStorageCapacity defaults', () => {
  it('defaults the sources of an inline volume spec but not its reclaim policy or mode', () => {
    const va: VolumeAttachment = {
      metadata: { name: 'csi-123' },
      spec: {
        attacher: 'd',
        nodeName: 'n1',
        source: { inlineVolumeSpec: { hostPath: { path: '/x' }, capacity: { storage: '1024Mi' } } },
      },
    };
    defaultVolumeAttachment(va);
    const inline = va.spec.source.inlineVolumeSpec;
    assert.equal(inline?.hostPath?.type, '');
    assert.deepEqual(inline?.capacity, { storage: '1Gi' });
    assert.equal(inline?.persistentVolumeReclaimPolicy, undefined);
    assert.equal(inline?.volumeMode, undefined);
  });

  it('writes CSIStorageCapacity quantities in canonical form', () => {
    const c: CSIStorageCapacity = {
      metadata: { name: 'c', namespace: 'kube-system' },
      storageClassName: 'fast',
      capacity: '2048Mi',
      maximumVolumeSize: '1000000000',
    };
    defaultCSIStorageCapacity(c);
    assert.equal(c.capacity, '2Gi');
    assert.equal(c.maximumVolumeSize, '1G');
  });
});

describe('Secret defaults', () => {
  it('defaults a Secret type to Opaque', () => {
    const s: Secret = { metadata: { name: 's', namespace: 'default' }, data: {} };
    defaultSecret(s);
    assert.equal(s.type, 'Opaque');
  });

  it('keeps a TLS secret type', () => {
    const s: Secret = { metadata: { name: 's' }, type: 'kubernetes.io/tls' };
    defaultSecret(s);
    assert.equal(s.type, 'kubernetes.io/tls');
  });

  it('merges stringData into data as base64, overwriting, and drops stringData', () => {
    const s: Secret = {
      metadata: { name: 's' },
      data: { a: Buffer.from('old').toString('base64'), b: 'Yg==' },
      stringData: { a: 'héllo' },
    };
    mergeSecretStringData(s);
    assert.deepEqual(s.data, { a: Buffer.from('héllo', 'utf8').toString('base64'), b: 'Yg==' });
    assert.equal('stringData' in s, false);
  });
});

describe('Namespace defaults', () => {
  it('defaults a Namespace status phase to Active and labels it with its name', () => {
    const ns: Namespace = { metadata: { name: 'team-a' } };
    defaultNamespace(ns);
    assert.equal(ns.status?.phase, 'Active');
    assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  });

  it('keeps a Terminating phase', () => {
    const ns: Namespace = { metadata: { name: 'x' }, status: { phase: 'Terminating' } };
    defaultNamespace(ns);
    assert.equal(ns.status?.phase, 'Terminating');
  });

  it('adds the kubernetes finalizer on create, once', () => {
    const ns: Namespace = { metadata: { name: 'x' }, spec: { finalizers: ['example.com/f'] } };
    prepareNamespaceForCreate(ns);
    prepareNamespaceForCreate(ns);
    assert.deepEqual(ns.spec?.finalizers, ['example.com/f', 'kubernetes']);
    assert.deepEqual(ns.status, { phase: 'Active' });
  });

  it('gives a namespace without spec the finalizers ["kubernetes"]', () => {
    const ns: Namespace = { metadata: { name: 'x' } };
    prepareNamespaceForCreate(ns);
    assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  });
});

describe('Node defaults', () => {
  it('copies capacity to allocatable when allocatable is unset, canonically', () => {
    const n: Node = { metadata: { name: 'n1' }, status: { capacity: { cpu: '4', memory: '8192Mi' } } };
    defaultNode(n);
    assert.deepEqual(n.status?.allocatable, { cpu: '4', memory: '8Gi' });
    assert.deepEqual(n.status?.capacity, { cpu: '4', memory: '8Gi' });
  });

  it('keeps an allocatable that was set', () => {
    const n: Node = {
      metadata: { name: 'n1' },
      status: { capacity: { cpu: '4' }, allocatable: { cpu: '3500m' } },
    };
    defaultNode(n);
    assert.deepEqual(n.status?.allocatable, { cpu: '3500m' });
  });
});

describe('Pod defaults', () => {
  it('defaults the pod spec fields that scheduling and volumes rely on', () => {
    const p = pod();
    defaultPod(p);
    assert.equal(p.spec?.restartPolicy, 'Always');
    assert.equal(p.spec?.dnsPolicy, 'ClusterFirst');
    assert.equal(p.spec?.schedulerName, 'default-scheduler');
    assert.equal(p.spec?.terminationGracePeriodSeconds, 30);
    assert.deepEqual(p.spec?.securityContext, {});
    assert.equal(p.spec?.enableServiceLinks, true);
  });

  it('keeps explicit pod spec settings', () => {
    const p = pod({ restartPolicy: 'Never', terminationGracePeriodSeconds: 0, enableServiceLinks: false });
    defaultPod(p);
    assert.equal(p.spec?.restartPolicy, 'Never');
    assert.equal(p.spec?.terminationGracePeriodSeconds, 0);
    assert.equal(p.spec?.enableServiceLinks, false);
  });

  it('defaults container termination message path and policy', () => {
    const p = pod();
    defaultPod(p);
    const c = p.spec?.containers[0];
    assert.equal(c?.terminationMessagePath, '/dev/termination-log');
    assert.equal(c?.terminationMessagePolicy, 'File');
  });

  it('defaults imagePullPolicy to Always for latest or untagged images and IfNotPresent otherwise', () => {
    const p = pod({
      containers: [
        { name: 'a', image: 'busybox' },
        { name: 'b', image: 'busybox:latest' },
        { name: 'c', image: 'busybox:1.36' },
        { name: 'd', image: `busybox@sha256:${'a'.repeat(64)}` },
        { name: 'e', image: 'registry.example.com:5000/team/app' },
        { name: 'f', image: 'registry.example.com:5000/team/app:v2' },
      ],
      initContainers: [{ name: 'i', image: 'alpine' }],
    });
    defaultPod(p);
    assert.deepEqual(
      p.spec?.containers.map((c) => c.imagePullPolicy),
      ['Always', 'Always', 'IfNotPresent', 'IfNotPresent', 'Always', 'IfNotPresent'],
    );
    assert.equal(p.spec?.initContainers?.[0]?.imagePullPolicy, 'Always');
  });

  it('treats an unparsable image as having no tag', () => {
    assert.equal(imageTag('Not A Valid Image'), '');
    assert.equal(imageTag(''), '');
  });

  it('defaults container port protocols to TCP and env fieldRef apiVersion to v1', () => {
    const p = pod({
      containers: [
        {
          name: 'c',
          image: 'x:1',
          ports: [{ containerPort: 80 }],
          env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        },
      ],
    });
    defaultPod(p);
    assert.equal(p.spec?.containers[0]?.ports?.[0]?.protocol, 'TCP');
    assert.deepEqual(p.spec?.containers[0]?.env?.[0]?.valueFrom?.fieldRef, {
      fieldPath: 'spec.nodeName',
      apiVersion: 'v1',
    });
  });

  it('sets container requests to limits where requests are missing, canonically', () => {
    const p = pod({
      containers: [
        {
          name: 'c',
          image: 'x:1',
          resources: { limits: { cpu: '0.5', memory: '1024Mi' }, requests: { cpu: '100m' } },
        },
      ],
    });
    defaultPod(p);
    assert.deepEqual(p.spec?.containers[0]?.resources, {
      limits: { cpu: '500m', memory: '1Gi' },
      requests: { cpu: '100m', memory: '1Gi' },
    });
  });

  it('defaults host ports to container ports on the host network', () => {
    const p = pod({
      hostNetwork: true,
      containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 8080 }] }],
    });
    defaultPod(p);
    assert.equal(p.spec?.containers[0]?.ports?.[0]?.hostPort, 8080);
  });

  it('defaults probe timings and HTTP path and scheme', () => {
    const p = pod({
      containers: [{ name: 'c', image: 'x:1', livenessProbe: { httpGet: { port: 8080 } } }],
    });
    defaultPod(p);
    assert.deepEqual(p.spec?.containers[0]?.livenessProbe, {
      httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });
});

describe('Pod volume defaults', () => {
  const volumes = (p: Pod) => p.spec?.volumes ?? [];

  it('makes a volume without any source an emptyDir', () => {
    const p = pod({ volumes: [{ name: 'scratch' }] });
    defaultPod(p);
    assert.deepEqual(volumes(p)[0], { name: 'scratch', emptyDir: {} });
  });

  it('leaves a volume with a source alone apart from that source’s defaults', () => {
    const p = pod({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'claim' } }] });
    defaultPod(p);
    assert.deepEqual(volumes(p)[0], { name: 'data', persistentVolumeClaim: { claimName: 'claim' } });
  });

  it('defaults secret, configMap, downwardAPI and projected defaultMode to 420', () => {
    const p = pod({
      volumes: [
        { name: 's', secret: { secretName: 's' } },
        { name: 'c', configMap: { name: 'c' } },
        {
          name: 'd',
          downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
        },
        { name: 'p', projected: { sources: [{ configMap: { name: 'c' } }] } },
      ],
    });
    defaultPod(p);
    const v = volumes(p);
    assert.equal(v[0]?.secret?.defaultMode, 420);
    assert.equal(v[1]?.configMap?.defaultMode, 420);
    assert.equal(v[2]?.downwardAPI?.defaultMode, 420);
    assert.equal(v[2]?.downwardAPI?.items?.[0]?.fieldRef?.apiVersion, 'v1');
    assert.equal(v[3]?.projected?.defaultMode, 420);
  });

  it('keeps an explicit defaultMode of 0', () => {
    const p = pod({ volumes: [{ name: 's', secret: { secretName: 's', defaultMode: 0 } }] });
    defaultPod(p);
    assert.equal(volumes(p)[0]?.secret?.defaultMode, 0);
  });

  it('defaults projected service account token expiry to one hour and downward API apiVersion', () => {
    const p = pod({
      volumes: [
        {
          name: 'p',
          projected: {
            sources: [
              { serviceAccountToken: { path: 'token' } },
              { downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } },
            ],
          },
        },
      ],
    });
    defaultPod(p);
    const sources = volumes(p)[0]?.projected?.sources;
    assert.equal(sources?.[0]?.serviceAccountToken?.expirationSeconds, 3600);
    assert.equal(sources?.[1]?.downwardAPI?.items?.[0]?.fieldRef?.apiVersion, 'v1');
  });

  it('defaults a hostPath volume type to the empty string', () => {
    const p = pod({ volumes: [{ name: 'h', hostPath: { path: '/var/log' } }] });
    defaultPod(p);
    assert.equal(volumes(p)[0]?.hostPath?.type, '');
  });

  it('defaults an iSCSI volume interface to default', () => {
    const p = pod({ volumes: [{ name: 'i', iscsi: { targetPortal: '1.2.3.4', iqn: 'iqn.x', lun: 1 } }] });
    defaultPod(p);
    assert.equal(volumes(p)[0]?.iscsi?.iscsiInterface, 'default');
  });

  it('writes an emptyDir size limit in canonical form', () => {
    const p = pod({ volumes: [{ name: 'e', emptyDir: { medium: 'Memory', sizeLimit: '1024Mi' } }] });
    defaultPod(p);
    assert.deepEqual(volumes(p)[0]?.emptyDir, { medium: 'Memory', sizeLimit: '1Gi' });
  });

  it('defaults the claim template of an ephemeral volume', () => {
    const p = pod({
      volumes: [
        {
          name: 'eph',
          ephemeral: {
            volumeClaimTemplate: {
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } },
            },
          },
        },
      ],
    });
    defaultPod(p);
    const spec = volumes(p)[0]?.ephemeral?.volumeClaimTemplate?.spec;
    assert.equal(spec?.volumeMode, 'Filesystem');
    assert.deepEqual(spec?.resources?.requests, { storage: '1Gi' });
  });

  it('defaults an image volume pull policy from its tag', () => {
    const p = pod({
      volumes: [
        { name: 'a', image: { reference: 'quay.io/org/artifact:v1' } },
        { name: 'b', image: { reference: 'quay.io/org/artifact' } },
      ],
    });
    defaultPod(p);
    assert.equal(volumes(p)[0]?.image?.pullPolicy, 'IfNotPresent');
    assert.equal(volumes(p)[1]?.image?.pullPolicy, 'Always');
  });
});
