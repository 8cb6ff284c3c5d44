// Pods on PersistentVolumeClaims in `kvol up`, with real mounts: a claim bound to a static hostPath PV,
// a claim bound to a static local PV (node affinity to kvol's own node, WaitForFirstConsumer, so the
// scheduler places the pod), and a claim provisioned dynamically by the hostPath provisioner. Each pod
// becomes Running with its data where the volume says it is; the local volume is a bind mount of the
// backing directory at the pod volume dir, and deleting the pods unmounts it and keeps the data.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, Kvol, mountsUnder } from './harness.ts';

const nodeName = 'kvol-pvc-node';

const podOnClaim = (name: string, claim: string, node: string | undefined): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
${node === undefined ? '' : `  nodeName: ${node}\n`}  containers:
  - name: app
    image: busybox
    volumeMounts:
    - {name: data, mountPath: /data}
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: ${claim}
`;

const claim = (name: string, cls: string): string => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ${cls}
  resources:
    requests:
      storage: 1Gi
`;

describe('pods on persistent volume claims in kvol up', { timeout: 300_000 }, () => {
  const kvol = new Kvol();
  before(async () => {
    await kvol.start(['--node-name', nodeName]);
    await kvol.ok(['wait', `node/${nodeName}`, '--for=condition=Ready', '--timeout=60s']);
  });
  after(async () => {
    await kvol.stop();
  });

  const uidOf = (pod: string): Promise<string> =>
    kvol.ok(['get', 'pod', pod, '-o', 'jsonpath={.metadata.uid}']);
  const podDir = (uid: string): string => join(kvol.dataDir, 'kubelet', 'pods', uid);
  const waitRunning = async (pod: string): Promise<void> => {
    await kvol.ok(['wait', `pod/${pod}`, '--for=condition=Ready', '--timeout=90s']);
    assert.equal(await kvol.ok(['get', 'pod', pod, '-o', 'jsonpath={.status.phase}']), 'Running');
  };
  const deletePod = async (pod: string, uid: string): Promise<void> => {
    assert.match(await kvol.ok(['delete', 'pod', pod, '--timeout=60s']), new RegExp(`pod "${pod}" deleted`));
    await eventually(
      () => mountsUnder(podDir(uid)).length === 0 && !existsSync(podDir(uid)),
      30_000,
      `the directory of pod ${pod} to be unmounted and removed`,
    );
  };

  it('runs a pod on a claim bound to a static hostPath volume, with its data in the host directory', async () => {
    const hostDir = join(kvol.dataDir, 'static-hostpath');
    mkdirSync(hostDir);
    writeFileSync(join(hostDir, 'seed.txt'), 'from the host');
    await kvol.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: PersistentVolume
metadata:
  name: static-hostpath
spec:
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: static-hostpath
  hostPath:
    path: ${hostDir}
    type: Directory
---
${claim('hostpath-claim', 'static-hostpath')}---
${podOnClaim('on-hostpath', 'hostpath-claim', nodeName)}`,
    });
    await kvol.ok(['wait', 'pvc/hostpath-claim', '--for=jsonpath={.status.phase}=Bound', '--timeout=60s']);
    await waitRunning('on-hostpath');
    const uid = await uidOf('on-hostpath');
    // A hostPath volume is the host directory itself (upstream hostPathMounter.GetPath): nothing is
    // mounted for it and no directory is made for it under the pod.
    assert.deepEqual(mountsUnder(podDir(uid)), []);
    assert.ok(!existsSync(join(podDir(uid), 'volumes', 'kubernetes.io~host-path')));
    assert.equal(readFileSync(join(hostDir, 'seed.txt'), 'utf8'), 'from the host');
    await deletePod('on-hostpath', uid);
    assert.equal(readFileSync(join(hostDir, 'seed.txt'), 'utf8'), 'from the host', 'the data stays');
  });

  it('bind-mounts a static local volume at the pod volume dir; writes there land in the backing directory', async () => {
    const disk = join(kvol.dataDir, 'local-disk');
    mkdirSync(disk);
    writeFileSync(join(disk, 'seed.txt'), 'already on the disk');
    await kvol.ok(['apply', '-f', '-'], {
      input: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-storage
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local-pv
spec:
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: local-storage
  local:
    path: ${disk}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - key: kubernetes.io/hostname
          operator: In
          values: [${nodeName}]
---
${claim('local-claim', 'local-storage')}---
${podOnClaim('on-local', 'local-claim', undefined)}`,
    });
    await waitRunning('on-local');
    assert.equal(await kvol.ok(['get', 'pod', 'on-local', '-o', 'jsonpath={.spec.nodeName}']), nodeName);
    assert.equal(
      await kvol.ok(['get', 'pvc', 'local-claim', '-o', 'jsonpath={.spec.volumeName}']),
      'local-pv',
    );
    const uid = await uidOf('on-local');
    const vol = join(podDir(uid), 'volumes', 'kubernetes.io~local-volume', 'local-pv');

    // A bind mount: the pod volume dir is a mount point showing the backing directory itself.
    const mounts = mountsUnder(podDir(uid));
    assert.deepEqual(
      mounts.map((m) => m.path),
      [vol],
      'exactly one mount under the pod: the local volume',
    );
    // The mount's root within its filesystem is the backing directory (a bind, not a new filesystem).
    assert.ok(mounts[0]!.root.endsWith('/local-disk'), `mount root ${mounts[0]!.root}`);
    assert.match(mounts[0]!.options, /(^|,)rw(,|$)/);
    const a = statSync(vol);
    const b = statSync(disk);
    assert.deepEqual([a.dev, a.ino], [b.dev, b.ino], 'the pod volume dir is the backing directory');
    assert.equal(readFileSync(join(vol, 'seed.txt'), 'utf8'), 'already on the disk');

    writeFileSync(join(vol, 'written-by-pod.txt'), 'hello from the pod');
    assert.equal(readFileSync(join(disk, 'written-by-pod.txt'), 'utf8'), 'hello from the pod');

    await deletePod('on-local', uid);
    assert.deepEqual(readdirSync(disk).sort(), ['seed.txt', 'written-by-pod.txt'], 'the data stays');
    assert.deepEqual(mountsUnder(disk), [], 'nothing is mounted on the backing directory');
  });

  it('runs a pod on a dynamically provisioned hostPath claim', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: hostpath
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
---
${claim('dynamic-claim', 'hostpath')}---
${podOnClaim('on-dynamic', 'dynamic-claim', nodeName)}`,
    });
    await kvol.ok(['wait', 'pvc/dynamic-claim', '--for=jsonpath={.status.phase}=Bound', '--timeout=60s']);
    await waitRunning('on-dynamic');
    const pvName = await kvol.ok(['get', 'pvc', 'dynamic-claim', '-o', 'jsonpath={.spec.volumeName}']);
    const path = await kvol.ok(['get', 'pv', pvName, '-o', 'jsonpath={.spec.hostPath.path}']);
    assert.ok(path.startsWith(join(kvol.dataDir, 'hostpath-provisioner')), `provisioned at ${path}`);
    assert.ok(statSync(path).isDirectory());
    const uid = await uidOf('on-dynamic');
    assert.deepEqual(mountsUnder(podDir(uid)), []);
    await deletePod('on-dynamic', uid);
    // With the pod gone the claim can go, and the Delete policy removes the provisioned directory.
    await kvol.ok(['delete', 'pvc', 'dynamic-claim', '--timeout=60s']);
    await eventually(() => !existsSync(path), 30_000, 'the provisioned directory to be removed');
  });
});
