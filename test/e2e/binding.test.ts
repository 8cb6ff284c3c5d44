// Volume binding end to end with kubectl against `kvol up`: the PV controller, the protection
// controllers and the scheduler's volume binding, as a Kubernetes user sees them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { eventually, Kvol } from './harness.ts';

const pv = (name: string, size: string, cls: string, extra = ''): string => `apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${name}
spec:
  capacity:
    storage: ${size}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ${cls}
  hostPath:
    path: /tmp/kvol-e2e-${name}
${extra}`;

const pvc = (name: string, size: string, cls: string, extra = ''): string => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ${cls}
  resources:
    requests:
      storage: ${size}
${extra}`;

const node = (name: string): string => `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels:
    kubernetes.io/hostname: ${name}
status:
  conditions:
  - type: Ready
    status: "True"
    reason: KubeletReady
    message: kubelet is posting ready status
    lastHeartbeatTime: "2026-01-01T00:00:00Z"
    lastTransitionTime: "2026-01-01T00:00:00Z"
`;

const pod = (name: string, claim: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: app
    image: busybox
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: ${claim}
`;

describe('volume binding with kubectl', { timeout: 600_000 }, () => {
  const kvol = new Kvol();
  before(async () => {
    await kvol.start();
  });
  after(async () => {
    await kvol.stop();
  });

  const phase = (kind: string, name: string): Promise<string> =>
    kvol.ok(['get', kind, name, '-o', 'jsonpath={.status.phase}']);
  const waitPhase = async (kind: string, name: string, want: string): Promise<void> => {
    await kvol.ok(['wait', `${kind}/${name}`, `--for=jsonpath={.status.phase}=${want}`, '--timeout=60s']);
  };

  it('binds a claim to the smallest static volume of its class that fits', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: [
        pv('size-1g', '1Gi', 'manual'),
        pv('size-5g', '5Gi', 'manual'),
        pv('size-10g', '10Gi', 'manual'),
        pv('other-5g', '5Gi', 'other'),
      ].join('---\n'),
    });
    await waitPhase('pv', 'size-5g', 'Available');
    await kvol.ok(['apply', '-f', '-'], { input: pvc('sized', '3Gi', 'manual') });
    await waitPhase('pvc', 'sized', 'Bound');
    assert.equal(await kvol.ok(['get', 'pvc', 'sized', '-o', 'jsonpath={.spec.volumeName}']), 'size-5g');
    assert.equal(await phase('pv', 'size-5g'), 'Bound');
    assert.equal(await kvol.ok(['get', 'pv', 'size-5g', '-o', 'jsonpath={.spec.claimRef.name}']), 'sized');
    const table = await kvol.ok(['get', 'pvc', 'sized']);
    assert.match(table, /sized\s+Bound\s+size-5g\s+5Gi\s+RWO\s+manual\s+<unset>/);
    assert.equal(
      await kvol.ok([
        'get',
        'pvc',
        'sized',
        '-o',
        'jsonpath={.metadata.annotations.pv\\.kubernetes\\.io/bind-completed}',
      ]),
      'yes',
    );
  });

  it('binds a pre-bound pair', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: `${pv('pre-pv', '1Gi', 'manual', '  claimRef:\n    namespace: default\n    name: pre-claim\n')}---\n${pvc('pre-claim', '1Gi', 'manual', '  volumeName: pre-pv\n')}`,
    });
    await waitPhase('pvc', 'pre-claim', 'Bound');
    assert.equal(await phase('pv', 'pre-pv'), 'Bound');
  });

  it('keeps a claim Pending until a matching volume is created', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: pvc('late', '2Gi', 'late') });
    // A class that does not exist cannot provision, as upstream reports it.
    await eventually(
      async () =>
        /ProvisioningFailed.*storageclass\.storage\.k8s\.io "late" not found/.test(
          await kvol.ok(['describe', 'pvc', 'late']),
        ),
      30_000,
      'a ProvisioningFailed event',
    );
    assert.equal(await phase('pvc', 'late'), 'Pending');
    await kvol.ok(['apply', '-f', '-'], { input: pv('late-pv', '2Gi', 'late') });
    await waitPhase('pvc', 'late', 'Bound');
  });

  it('binds a WaitForFirstConsumer claim only once a pod using it is scheduled', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-wffc
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
${pv(
  'local-n1',
  '1Gi',
  'local-wffc',
  `  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - key: kubernetes.io/hostname
          operator: In
          values: [node-1]
`,
)}---
${node('node-1')}---
${node('node-2')}---
${pvc('wffc', '1Gi', 'local-wffc')}`,
    });
    await eventually(
      async () => /WaitForFirstConsumer/.test(await kvol.ok(['describe', 'pvc', 'wffc'])),
      30_000,
      'the WaitForFirstConsumer event',
    );
    assert.equal(await phase('pvc', 'wffc'), 'Pending');
    await kvol.ok(['apply', '-f', '-'], { input: pod('consumer', 'wffc') });
    await waitPhase('pvc', 'wffc', 'Bound');
    await eventually(
      async () => (await kvol.ok(['get', 'pod', 'consumer', '-o', 'jsonpath={.spec.nodeName}'])) === 'node-1',
      30_000,
      'the pod to be scheduled on node-1',
    );
    assert.equal(await kvol.ok(['get', 'pvc', 'wffc', '-o', 'jsonpath={.spec.volumeName}']), 'local-n1');
  });

  it('reports an unschedulable pod with upstream message', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: `${pvc('nowhere', '1Gi', 'local-wffc')}---\n${pod('stuck', 'nowhere')}`,
    });
    await eventually(
      async () =>
        /0\/(\d+) nodes are available: \1 node\(s\) didn't find available persistent volumes to bind/.test(
          await kvol.ok(['describe', 'pod', 'stuck']),
        ),
      30_000,
      'FailedScheduling with the volume binding reason',
    );
  });

  it('leaves a Retain volume Released when its claim is deleted', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: `${pv('keep-pv', '1Gi', 'keep')}---\n${pvc('keep', '1Gi', 'keep')}`,
    });
    await waitPhase('pvc', 'keep', 'Bound');
    await kvol.ok(['delete', 'pvc', 'keep', '--timeout=60s']);
    await waitPhase('pv', 'keep-pv', 'Released');
  });

  it('provisions a hostPath volume dynamically and removes it when a Delete claim goes', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: hostpath
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
---
${pvc('dynamic', '1Gi', 'hostpath')}`,
    });
    await waitPhase('pvc', 'dynamic', 'Bound');
    const pvName = await kvol.ok(['get', 'pvc', 'dynamic', '-o', 'jsonpath={.spec.volumeName}']);
    assert.match(pvName, /^pvc-[0-9a-f-]{36}$/);
    const path = await kvol.ok(['get', 'pv', pvName, '-o', 'jsonpath={.spec.hostPath.path}']);
    assert.ok(path.startsWith(kvol.dataDir), `provisioned under the data dir: ${path}`);
    assert.ok(existsSync(path));
    await kvol.ok(['delete', 'pvc', 'dynamic', '--timeout=60s']);
    await eventually(
      async () => (await kvol.kubectl(['get', 'pv', pvName])).code !== 0,
      30_000,
      'the PV to be deleted',
    );
    assert.ok(!existsSync(path), 'the backing directory is gone');
  });

  it('does not remove a claim used by a pod until the pod is gone', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: `${pv('used-pv', '1Gi', 'used')}---\n${pvc('used', '1Gi', 'used')}---\n${pod('user', 'used')}`,
    });
    await waitPhase('pvc', 'used', 'Bound');
    // Only a pod placed on a node protects its claim (upstream's pvc-protection rule).
    await eventually(
      async () => (await kvol.ok(['get', 'pod', 'user', '-o', 'jsonpath={.spec.nodeName}'])) !== '',
      30_000,
      'the pod to be scheduled',
    );
    const del = kvol.spawnKubectl(['delete', 'pvc', 'used', '--timeout=120s']);
    try {
      await eventually(
        async () =>
          (await kvol.ok(['get', 'pvc', 'used', '-o', 'jsonpath={.metadata.deletionTimestamp}'])) !== '',
        20_000,
        'the claim to be marked for deletion',
      );
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(del.proc.exitCode, null, 'kubectl delete waits while the pod uses the claim');
      assert.equal(await phase('pvc', 'used'), 'Bound');
      await kvol.ok(['delete', 'pod', 'user', '--grace-period=0', '--force']);
      await eventually(() => del.proc.exitCode !== null, 30_000, 'kubectl delete pvc to return');
      assert.equal(del.proc.exitCode, 0, del.output());
    } finally {
      await del.stop();
    }
  });
});
