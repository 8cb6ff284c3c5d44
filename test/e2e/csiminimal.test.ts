// kvol's CSI orchestration driving a driver it knows nothing about: `kvol up` plus the minimal driver
// (test/e2e/fixtures/minimal-driver.ts) started as a separate process that registers through
// <data-dir>/kubelet/plugins_registry like a third-party driver behind node-driver-registrar. It has
// no CSIDriver object (so attach is required and, lacking PUBLISH_UNPUBLISH_VOLUME, is done
// trivially by the built-in attacher), no staging, snapshots, expansion or stats. A claim is
// provisioned, a pod runs on it with the driver's bind mount at the pod's volume dir, the pod's
// deletion unpublishes and detaches, and the claim's deletion calls DeleteVolume.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  claim,
  cleanupDataDir,
  type MinimalDriverProcess,
  minimalDriver,
  mountsUnder,
  podOnClaim,
  startMinimalDriver,
  storageClass,
} from './fixtures/csi.ts';
import { eventually, Kvol } from './harness.ts';

const nodeName = 'kvol-csi-minimal-node';

describe('a minimal third-party CSI driver in kvol up', { timeout: 120_000 }, () => {
  const kvol = new Kvol();
  let driver: MinimalDriverProcess | undefined;
  const kubeletRoot = (): string => join(kvol.dataDir, 'kubelet');
  const jsonpath = (args: string[], path: string): Promise<string> =>
    kvol.ok(['get', ...args, '-o', `jsonpath=${path}`]);

  before(async () => {
    await kvol.start(['--node-name', nodeName]);
    await kvol.ok(['wait', `node/${nodeName}`, '--for=condition=Ready', '--timeout=60s']);
    driver = startMinimalDriver({
      stateDir: join(kvol.dataDir, 'minimal-driver'),
      kubeletRoot: kubeletRoot(),
      nodeId: nodeName,
    });
  });

  after(async () => {
    await driver?.stop();
    await kvol.interrupt();
    await cleanupDataDir(kvol.dataDir);
    await kvol.stop();
  });

  let pvName = '';
  let volumeId = '';
  let podUid = '';

  it('registers through plugins_registry: CSINode lists the driver with the node ID it reported', async () => {
    await eventually(
      async () =>
        (await kvol.kubectl(['get', 'csinode', nodeName, '-o', 'jsonpath={.spec.drivers[*].name}'])).stdout
          .split(' ')
          .includes(minimalDriver),
      30_000,
      `CSINode ${nodeName} to list ${minimalDriver}\n${driver?.output()}\n${kvol.output}`,
    );
    assert.equal(
      await jsonpath(['csinode', nodeName], `{.spec.drivers[?(@.name=="${minimalDriver}")].nodeID}`),
      nodeName,
    );
    assert.ok(
      driver?.calls().some((c) => c.method === 'NotifyRegistrationStatus' && c['plugin_registered'] === true),
      'the kubelet told the registrar that registration succeeded',
    );
    // No CSIDriver object: the defaults (attach required, no pod info) apply.
    const r = await kvol.kubectl(['get', 'csidriver', minimalDriver]);
    assert.notEqual(r.code, 0, 'nobody created a CSIDriver object for the minimal driver');
  });

  it('provisions a claim through CreateVolume and binds it to a CSI PV', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: `${storageClass('minimal', minimalDriver)}---\n${claim('data', 'minimal')}`,
    });
    await kvol.ok(['wait', 'pvc/data', '--for=jsonpath={.status.phase}=Bound', '--timeout=30s']);
    pvName = await jsonpath(['pvc', 'data'], '{.spec.volumeName}');
    const uid = await jsonpath(['pvc', 'data'], '{.metadata.uid}');
    assert.equal(pvName, `pvc-${uid}`);
    assert.equal(await jsonpath(['pv', pvName], '{.spec.csi.driver}'), minimalDriver);
    assert.equal(
      await jsonpath(['pv', pvName], '{.metadata.annotations.pv\\.kubernetes\\.io/provisioned-by}'),
      minimalDriver,
    );
    volumeId = await jsonpath(['pv', pvName], '{.spec.csi.volumeHandle}');
    const vols = driver!.volumes();
    assert.deepEqual(Object.keys(vols), [pvName], 'one volume, named after the claim');
    assert.equal(vols[pvName]!.id, volumeId);
    assert.ok(driver!.calls().some((c) => c.method === 'CreateVolume' && c['name'] === pvName));
  });

  it('runs a pod on it: attached trivially through a VolumeAttachment, published as a bind mount', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: podOnClaim('app', 'data', nodeName) });
    await kvol.ok(['wait', 'pod/app', '--for=condition=Ready', '--timeout=30s']);
    assert.equal(await jsonpath(['pod', 'app'], '{.status.phase}'), 'Running');
    podUid = await jsonpath(['pod', 'app'], '{.metadata.uid}');

    const vas = JSON.parse(await kvol.ok(['get', 'volumeattachments', '-o', 'json'])) as {
      items: Array<{
        spec: { attacher: string; nodeName: string; source: { persistentVolumeName?: string } };
        status?: { attached?: boolean };
      }>;
    };
    const mine = vas.items.filter((v) => v.spec.source.persistentVolumeName === pvName);
    assert.equal(mine.length, 1, 'one VolumeAttachment for the PV');
    assert.equal(mine[0]!.spec.attacher, minimalDriver);
    assert.equal(mine[0]!.spec.nodeName, nodeName);
    assert.equal(mine[0]!.status?.attached, true);

    const target = join(
      kvol.dataDir,
      'kubelet',
      'pods',
      podUid,
      'volumes',
      'kubernetes.io~csi',
      pvName,
      'mount',
    );
    const mounts = mountsUnder(join(kvol.dataDir, 'kubelet', 'pods', podUid));
    assert.deepEqual(
      mounts.map((m) => m.path),
      [target],
    );
    const backing = driver!.volumes()[pvName]!.path;
    const a = statSync(target);
    const b = statSync(backing);
    assert.deepEqual([a.dev, a.ino], [b.dev, b.ino], "the target is the driver's volume directory");
    writeFileSync(join(target, 'hello.txt'), 'written by the pod');
    assert.equal(readFileSync(join(backing, 'hello.txt'), 'utf8'), 'written by the pod');

    const calls = driver!.calls();
    const publish = calls.filter((c) => c.method === 'NodePublishVolume');
    assert.ok(publish.length >= 1);
    assert.equal(publish.at(-1)!['target_path'], target);
    assert.equal(publish.at(-1)!['staging_target_path'], '', 'no staging for a driver without STAGE_UNSTAGE');
    assert.ok(existsSync(join(target, '..', 'vol_data.json')), 'vol_data.json next to the target');
  });

  it('unpublishes and detaches when the pod is deleted', async () => {
    await kvol.ok(['delete', 'pod', 'app', '--timeout=30s']);
    const podDir = join(kvol.dataDir, 'kubelet', 'pods', podUid);
    await eventually(
      () => mountsUnder(podDir).length === 0 && !existsSync(podDir),
      30_000,
      'the pod dir to be unmounted and removed',
    );
    assert.ok(
      driver!.calls().some((c) => c.method === 'NodeUnpublishVolume' && c['volume_id'] === volumeId),
      'NodeUnpublishVolume was called',
    );
    await eventually(
      async () => (await kvol.ok(['get', 'volumeattachments', '-o', 'name'])).trim() === '',
      30_000,
      'the VolumeAttachment to be gone',
    );
    assert.equal(
      readFileSync(join(driver!.volumes()[pvName]!.path, 'hello.txt'), 'utf8'),
      'written by the pod',
      'the data stays with the volume',
    );
  });

  it('deletes the volume through DeleteVolume when the claim is deleted (reclaim Delete)', async () => {
    const backing = driver!.volumes()[pvName]!.path;
    await kvol.ok(['delete', 'pvc', 'data', '--timeout=30s']);
    await eventually(
      async () => (await kvol.kubectl(['get', 'pv', pvName])).code !== 0,
      30_000,
      'the PV to be deleted',
    );
    assert.ok(driver!.calls().some((c) => c.method === 'DeleteVolume' && c['volume_id'] === volumeId));
    assert.deepEqual(driver!.volumes(), {});
    assert.ok(!existsSync(backing), 'the backing directory is gone');
  });
});
