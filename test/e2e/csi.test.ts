// CSI end to end with the real kubectl against `kvol up` and its bundled driver hostpath.csi.kvol.io
// (run by kvol up as a child process that registers through <data-dir>/kubelet/plugins_registry).
// kvol's container runtime does nothing, so "the pod writes a file" means the test writes into the
// pod's volume dir, <data-dir>/kubelet/pods/<uid>/volumes/kubernetes.io~csi/<pv>/mount, which is
// exactly what the container would see. Covered: registration (CSINode, the CSIDriver object), dynamic
// provisioning, data surviving the pod, kubelet_volume_stats_*, snapshot and restore, clone,
// expansion, a raw block volume, an inline ephemeral volume, and reclaim Delete.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  claim,
  cleanupDataDir,
  hostpathBackingEntries,
  hostpathDriver,
  hostpathState,
  isMountPoint,
  loopDevicesUnder,
  mountsUnder,
  podOnClaim,
} from './fixtures/csi.ts';
import { eventually, Kvol, repoRoot } from './harness.ts';

const nodeName = 'kvol-csi-node';
const cls = 'csi-hostpath';
const content = 'written by the first pod';

describe('CSI end to end with the bundled hostpath driver', { timeout: 170_000 }, () => {
  const kvol = new Kvol();

  const get = (args: string[], path: string): Promise<string> =>
    kvol.ok(['get', ...args, '-o', `jsonpath=${path}`]);
  const podDir = (uid: string): string => join(kvol.dataDir, 'kubelet', 'pods', uid);
  const mountDir = (uid: string, vol: string): string =>
    join(podDir(uid), 'volumes', 'kubernetes.io~csi', vol, 'mount');
  const apply = (yaml: string): Promise<string> => kvol.ok(['apply', '-f', '-'], { input: yaml });
  const waitBound = (pvc: string): Promise<string> =>
    kvol.ok(['wait', `pvc/${pvc}`, '--for=jsonpath={.status.phase}=Bound', '--timeout=30s']);
  const pvOf = (pvc: string): Promise<string> => get(['pvc', pvc], '{.spec.volumeName}');
  const handleOf = (pv: string): Promise<string> => get(['pv', pv], '{.spec.csi.volumeHandle}');
  /** Starts a pod on the claim and returns its UID once it is Running. */
  const runPod = async (pod: string, pvc: string, opts: { block?: boolean } = {}): Promise<string> => {
    await apply(podOnClaim(pod, pvc, nodeName, opts));
    await kvol.ok(['wait', `pod/${pod}`, '--for=condition=Ready', '--timeout=30s']);
    assert.equal(await get(['pod', pod], '{.status.phase}'), 'Running');
    return get(['pod', pod], '{.metadata.uid}');
  };
  const deletePod = async (pod: string, uid: string): Promise<void> => {
    await kvol.ok(['delete', 'pod', pod, '--timeout=30s']);
    await eventually(
      () => mountsUnder(podDir(uid)).length === 0 && !existsSync(podDir(uid)),
      30_000,
      `the directory of pod ${pod} to be unmounted and removed`,
    );
  };
  const volumeRecord = (id: string) => hostpathState(kvol.dataDir).volumes.find((v) => v.id === id);
  const metrics = (): Promise<string> => kvol.ok(['get', '--raw', '/metrics']);
  /** Successful calls of `method` in a CSI histogram (the controllers record the sidecars' one). */
  const csiOps = async (method: string, metric = 'csi_operations_seconds'): Promise<number> => {
    const re = new RegExp(`^${metric}_count\\{([^}]*)\\} (\\S+)$`, 'gm');
    let n = 0;
    for (const m of (await metrics()).matchAll(re)) {
      const labels = m[1] ?? '';
      if (
        labels.includes(`driver_name="${hostpathDriver}"`) &&
        labels.includes(`method_name="${method}"`) &&
        labels.includes('grpc_status_code="OK"')
      ) {
        n += Number(m[2]);
      }
    }
    return n;
  };

  before(async () => {
    await kvol.start(['--node-name', nodeName]);
    await kvol.ok(['wait', `node/${nodeName}`, '--for=condition=Ready', '--timeout=60s']);
  });

  after(async () => {
    await kvol.interrupt();
    await cleanupDataDir(kvol.dataDir);
    await kvol.stop();
  });

  it('registers the bundled driver: CSINode lists it and kvol up created its CSIDriver object', async () => {
    await eventually(
      async () =>
        (await kvol.kubectl(['get', 'csinode', nodeName, '-o', 'jsonpath={.spec.drivers[*].name}'])).stdout
          .split(' ')
          .includes(hostpathDriver),
      30_000,
      `CSINode ${nodeName} to list ${hostpathDriver}\n${kvol.output}`,
    );
    assert.equal(
      await get(['csinode', nodeName], `{.spec.drivers[?(@.name=="${hostpathDriver}")].nodeID}`),
      nodeName,
    );
    const d = JSON.parse(await kvol.ok(['get', 'csidriver', hostpathDriver, '-o', 'json'])) as {
      spec: {
        attachRequired: boolean;
        podInfoOnMount: boolean;
        volumeLifecycleModes: string[];
        fsGroupPolicy: string;
      };
    };
    assert.equal(d.spec.attachRequired, false);
    assert.equal(d.spec.podInfoOnMount, true);
    assert.deepEqual([...d.spec.volumeLifecycleModes].sort(), ['Ephemeral', 'Persistent']);
    assert.equal(d.spec.fsGroupPolicy, 'File');
  });

  let dataPv = '';
  let dataHandle = '';
  let appUid = '';

  it('provisions a claim of a StorageClass for the driver and binds it to a CSI PV', async () => {
    await kvol.ok(['apply', '-f', join(repoRoot, 'deploy/csi-hostpath/storageclass.yaml')]);
    await apply(claim('data', cls));
    await waitBound('data');
    dataPv = await pvOf('data');
    assert.equal(dataPv, `pvc-${await get(['pvc', 'data'], '{.metadata.uid}')}`);
    assert.equal(await get(['pv', dataPv], '{.spec.csi.driver}'), hostpathDriver);
    assert.equal(
      await get(['pv', dataPv], '{.metadata.annotations.pv\\.kubernetes\\.io/provisioned-by}'),
      hostpathDriver,
    );
    assert.equal(await get(['pv', dataPv], '{.spec.persistentVolumeReclaimPolicy}'), 'Delete');
    dataHandle = await handleOf(dataPv);
    assert.notEqual(dataHandle, '');
    const rec = volumeRecord(dataHandle);
    assert.ok(rec !== undefined, "the driver's state records the volume");
    assert.equal(rec.name, dataPv, 'CreateVolume was named after the claim');
    assert.equal(rec.sizeBytes, 10 * 1024 * 1024);
    assert.equal(rec.accessType, 'mount');
    assert.ok(statSync(rec.path).isDirectory(), 'a filesystem volume is a directory of the driver');
    // What `kubectl describe pvc` shows: the PV controller's hand-off, then the provisioner's events.
    await eventually(
      async () => {
        const reasons = (
          await get(
            [
              'events',
              '--field-selector',
              'involvedObject.kind=PersistentVolumeClaim,involvedObject.name=data',
            ],
            '{.items[*].reason}',
          )
        ).split(' ');
        return ['ExternalProvisioning', 'Provisioning', 'ProvisioningSucceeded'].every((r) =>
          reasons.includes(r),
        );
      },
      10_000,
      'the claim to show ExternalProvisioning, Provisioning and ProvisioningSucceeded events',
    );
    const described = await kvol.ok(['describe', 'pvc', 'data']);
    assert.match(described, /Successfully provisioned volume pvc-/);
  });

  it('keeps a file the pod wrote when the pod is deleted and re-created', async () => {
    const first = await runPod('app', 'data');
    const target = mountDir(first, dataPv);
    assert.ok(isMountPoint(target), `${target} is a mount point`);
    writeFileSync(join(target, 'hello.txt'), content);
    await deletePod('app', first);
    appUid = await runPod('app', 'data');
    assert.notEqual(appUid, first);
    assert.equal(readFileSync(join(mountDir(appUid, dataPv), 'hello.txt'), 'utf8'), content);
  });

  it('reports kubelet_volume_stats_* for the claim on /metrics', async () => {
    const want = [
      'kubelet_volume_stats_capacity_bytes',
      'kubelet_volume_stats_used_bytes',
      'kubelet_volume_stats_available_bytes',
      'kubelet_volume_stats_inodes',
    ];
    const has = (text: string, name: string): boolean =>
      new RegExp(`^${name}\\{[^}]*persistentvolumeclaim="data"[^}]*\\} \\S+$`, 'm').test(text) &&
      new RegExp(`^${name}\\{[^}]*namespace="default"[^}]*\\} \\S+$`, 'm').test(text);
    let last = '';
    await eventually(
      async () => {
        last = await metrics();
        return want.every((n) => has(last, n));
      },
      30_000,
      'kubelet_volume_stats_* for pvc data',
    ).catch((err: unknown) => {
      throw new Error(
        `${String(err)}\n${last
          .split('\n')
          .filter((l) => l.includes('volume_stats'))
          .join('\n')}`,
      );
    });
  });

  it('takes a VolumeSnapshot and restores it into a new claim with the same content', async () => {
    // The class users apply from deploy/ is the default one: the snapshot names no class.
    await kvol.ok(['apply', '-f', join(repoRoot, 'deploy/csi-hostpath/volumesnapshotclass.yaml')]);
    await apply(`apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata:
  name: snap
spec:
  source:
    persistentVolumeClaimName: data
`);
    await kvol.ok([
      'wait',
      'volumesnapshot/snap',
      '--for=jsonpath={.status.readyToUse}=true',
      '--timeout=30s',
    ]);
    const contentName = await get(['volumesnapshot', 'snap'], '{.status.boundVolumeSnapshotContentName}');
    const snapHandle = await get(['volumesnapshotcontent', contentName], '{.status.snapshotHandle}');
    assert.notEqual(snapHandle, '');
    const snapRec = hostpathState(kvol.dataDir).snapshots.find((x) => x.id === snapHandle);
    assert.ok(snapRec !== undefined, "the driver's state records the snapshot");
    assert.equal(snapRec.sourceVolumeId, dataHandle);
    assert.equal(snapRec.ready, true);
    // Written after the snapshot: the restored volume must not see it.
    writeFileSync(join(mountDir(appUid, dataPv), 'after-snapshot.txt'), 'later');

    await apply(claim('restored', cls, { dataSource: { kind: 'VolumeSnapshot', name: 'snap' } }));
    await waitBound('restored');
    const pv = await pvOf('restored');
    const uid = await runPod('from-snapshot', 'restored');
    assert.equal(readFileSync(join(mountDir(uid, pv), 'hello.txt'), 'utf8'), content);
    assert.ok(!existsSync(join(mountDir(uid, pv), 'after-snapshot.txt')), 'the snapshot is a point in time');
    await deletePod('from-snapshot', uid);
  });

  it('clones a claim through a PersistentVolumeClaim dataSource', async () => {
    await apply(claim('clone', cls, { dataSource: { kind: 'PersistentVolumeClaim', name: 'data' } }));
    await waitBound('clone');
    const pv = await pvOf('clone');
    assert.notEqual(await handleOf(pv), dataHandle);
    const uid = await runPod('from-clone', 'clone');
    assert.equal(readFileSync(join(mountDir(uid, pv), 'hello.txt'), 'utf8'), content);
    writeFileSync(join(mountDir(uid, pv), 'clone-only.txt'), 'x');
    assert.ok(!existsSync(join(mountDir(appUid, dataPv), 'clone-only.txt')), 'the clone is a copy');
    await deletePod('from-clone', uid);
  });

  it('expands a claim in use and the new size is seen inside the mount', async () => {
    await kvol.ok([
      'patch',
      'pvc',
      'data',
      '--type=merge',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"20Mi"}}}}',
    ]);
    await kvol.ok(['wait', 'pvc/data', '--for=jsonpath={.status.capacity.storage}=20Mi', '--timeout=30s']);
    assert.equal(await get(['pv', dataPv], '{.spec.capacity.storage}'), '20Mi');
    assert.equal(
      await get(['pvc', 'data'], '{.status.conditions}'),
      '',
      'no Resizing/FileSystemResizePending left',
    );
    // The driver's filesystem volumes are bind-mounted directories with capacity accounting, not
    // filesystems of their own (src/csi/hostpath), so statfs inside the mount shows the host's
    // filesystem. The size the mount has is what NodeGetVolumeStats reports for the mount path —
    // kubelet_volume_stats_capacity_bytes — and the driver's record, which NodeExpandVolume updates.
    const want = 20 * 1024 * 1024;
    assert.equal(volumeRecord(dataHandle)?.sizeBytes, want);
    const re = /^kubelet_volume_stats_capacity_bytes\{([^}]*)\} (\S+)$/gm;
    let seen = '';
    await eventually(
      async () => {
        for (const m of (await metrics()).matchAll(re)) {
          if ((m[1] ?? '').includes('persistentvolumeclaim="data"')) seen = m[2] ?? '';
        }
        return Number(seen) === want;
      },
      30_000,
      'kubelet_volume_stats_capacity_bytes of pvc data to show the new size',
    ).catch((err: unknown) => {
      throw new Error(`${String(err)} (last seen ${seen})`);
    });
  });

  it('exposes a Block claim to its pod as a block device', async () => {
    await apply(claim('raw', cls, { block: true }));
    await waitBound('raw');
    const pv = await pvOf('raw');
    assert.equal(await get(['pv', pv], '{.spec.volumeMode}'), 'Block');
    const uid = await runPod('raw-user', 'raw', { block: true });
    const dev = join(podDir(uid), 'volumeDevices', 'kubernetes.io~csi', pv);
    assert.ok(statSync(dev).isBlockDevice(), `${dev} resolves to a block device`);
    // The device is usable: what is written at the start reads back.
    const fd = openSync(dev, 'r+');
    try {
      const block = Buffer.alloc(4096, 0x5a);
      writeSync(fd, block, 0, block.length, 0);
      const back = Buffer.alloc(4096);
      readSync(fd, back, 0, back.length, 0);
      assert.ok(back.equals(block));
    } finally {
      closeSync(fd);
    }
    assert.ok(loopDevicesUnder(kvol.dataDir).length >= 1, 'the driver backs it with a loop device');
    await deletePod('raw-user', uid);
    assert.ok(!existsSync(dev));
  });

  it('runs an inline ephemeral volume that lives and dies with its pod', async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: scratch-user
spec:
  nodeName: ${nodeName}
  containers:
  - name: app
    image: busybox
    volumeMounts:
    - {name: scratch, mountPath: /scratch}
  volumes:
  - name: scratch
    csi:
      driver: ${hostpathDriver}
`);
    await kvol.ok(['wait', 'pod/scratch-user', '--for=condition=Ready', '--timeout=30s']);
    const uid = await get(['pod', 'scratch-user'], '{.metadata.uid}');
    const target = mountDir(uid, 'scratch');
    assert.ok(isMountPoint(target), `${target} is mounted`);
    writeFileSync(join(target, 'tmp.txt'), 'ephemeral');
    // Upstream's inline volume handle: csi-<sha256(podUID + volume name)>.
    const handle = `csi-${createHash('sha256').update(`${uid}scratch`).digest('hex')}`;
    const rec = volumeRecord(handle);
    assert.ok(rec !== undefined, `the driver created the ephemeral volume ${handle}`);
    assert.equal(rec.ephemeral, true);
    assert.equal(readFileSync(join(rec.path, 'tmp.txt'), 'utf8'), 'ephemeral');
    await deletePod('scratch-user', uid);
    await eventually(() => volumeRecord(handle) === undefined, 10_000, 'the ephemeral volume to be deleted');
    assert.ok(!existsSync(rec.path), 'its directory is gone');
  });

  it('stands aside for a driver whose CSIDriver hands it to its own sidecars, and acts again when handed back', async () => {
    await kvol.ok(['annotate', 'csidriver', hostpathDriver, 'kvol.io/builtin-sidecars=false']);
    let handedBack = false;
    try {
      await apply(claim('external', cls));
      // The PV controller hands the claim to the driver's provisioner; kvol's built-in one is off.
      await eventually(
        async () =>
          (await get(
            ['pvc', 'external'],
            '{.metadata.annotations.volume\\.kubernetes\\.io/storage-provisioner}',
          )) === hostpathDriver,
        30_000,
        'the claim to be handed to the external provisioner',
      );
      const uid = await get(['pvc', 'external'], '{.metadata.uid}');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await get(['pvc', 'external'], '{.status.phase}'), 'Pending');
      assert.equal(
        hostpathState(kvol.dataDir).volumes.some((v) => v.name === `pvc-${uid}`),
        false,
        'no CreateVolume while the switch is off',
      );
      await kvol.ok(['annotate', 'csidriver', hostpathDriver, 'kvol.io/builtin-sidecars-']);
      handedBack = true;
      await waitBound('external');
    } finally {
      if (!handedBack)
        await kvol.kubectl(['annotate', 'csidriver', hostpathDriver, 'kvol.io/builtin-sidecars-']);
    }
    const pv = await pvOf('external');
    await kvol.ok(['delete', 'pvc', 'external', '--timeout=30s']);
    await eventually(
      async () => (await kvol.kubectl(['get', 'pv', pv])).code !== 0,
      30_000,
      'its PV to be gone',
    );
  });

  it('calls DeleteVolume on reclaim Delete and the backing directory is gone', async () => {
    await deletePod('app', appUid);
    await kvol.ok(['delete', 'volumesnapshot', 'snap', '--timeout=30s']);
    const before = await csiOps('/csi.v1.Controller/DeleteVolume', 'csi_sidecar_operations_seconds');
    const backing = volumeRecord(dataHandle)?.path ?? assert.fail('no record of the volume');
    assert.ok(existsSync(backing));
    await kvol.ok(['delete', 'pvc', 'data', '--timeout=30s']);
    await eventually(
      async () => (await kvol.kubectl(['get', 'pv', dataPv])).code !== 0,
      30_000,
      'the PV to be gone',
    );
    assert.ok(
      (await csiOps('/csi.v1.Controller/DeleteVolume', 'csi_sidecar_operations_seconds')) > before,
      'DeleteVolume succeeded',
    );
    assert.equal(volumeRecord(dataHandle), undefined, 'the driver forgot the volume');
    assert.ok(!existsSync(backing), 'the backing directory is gone');
    // The rest goes the same way: no volume, snapshot or loop device is left behind.
    await kvol.ok(['delete', 'pvc', 'restored', 'clone', 'raw', '--timeout=30s']);
    await eventually(
      async () => (await kvol.ok(['get', 'pv', '-o', 'name'])).trim() === '',
      30_000,
      'all PVs to be deleted',
    );
    await eventually(
      () => loopDevicesUnder(kvol.dataDir).length === 0,
      10_000,
      'loop devices to be detached',
    );
    assert.equal((await kvol.ok(['get', 'volumesnapshotcontents', '-o', 'name'])).trim(), '');
    const state = hostpathState(kvol.dataDir);
    assert.deepEqual([state.volumes, state.snapshots], [[], []]);
    assert.deepEqual(hostpathBackingEntries(kvol.dataDir), { volumes: [], snapshots: [] });
  });
});
