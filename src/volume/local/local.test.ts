import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume, Pod } from '../../api/index.ts';
import { FakeRecorder } from '../../client/testing/index.ts';
import { FakeVolumeHost } from '../testing/index.ts';
import { makeTestRoot, parseMountInfo, RealMounter, removeTestRoot } from '../util/mount/index.ts';
import { specFromPersistentVolume, specFromVolume } from '../volume.ts';
import { LocalVolumePlugin } from './local.ts';

function pod(uid: string): Pod {
  return { metadata: { name: `p-${uid}`, namespace: 'ns', uid }, spec: { containers: [{ name: 'c' }] } };
}

function localPV(
  name: string,
  path: string,
  extra: Partial<PersistentVolume['spec']> = {},
): PersistentVolume {
  return {
    metadata: { name },
    spec: {
      local: { path },
      accessModes: ['ReadWriteOnce'],
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] },
          ],
        },
      },
      ...extra,
    },
  };
}

async function mountsUnder(root: string) {
  return parseMountInfo(await fs.readFile('/proc/self/mountinfo', 'utf8')).filter(
    (m) => m.path === root || m.path.startsWith(`${root}/`),
  );
}

describe('local volume plugin', () => {
  let root: string;
  let plugin: LocalVolumePlugin;
  let recorder: FakeRecorder;
  let data: string;

  before(async () => {
    root = makeTestRoot('local');
    recorder = new FakeRecorder();
    const host = new FakeVolumeHost({ rootDir: join(root, 'kubelet'), mounter: new RealMounter(), recorder });
    plugin = new LocalVolumePlugin();
    await host.initPlugins([plugin]);
    data = join(root, 'disks/vol1');
    await fs.mkdir(data, { recursive: true });
    await fs.writeFile(join(data, 'existing'), 'kept');
  });

  after(async () => {
    await removeTestRoot(root);
  });

  it('supports only PersistentVolumes with a local source', () => {
    assert.equal(plugin.canSupport(specFromPersistentVolume(localPV('pv1', data), false)), true);
    assert.equal(
      plugin.canSupport(
        specFromPersistentVolume({ metadata: { name: 'h' }, spec: { hostPath: { path: data } } }, false),
      ),
      false,
    );
    assert.equal(plugin.canSupport(specFromVolume({ name: 'v', emptyDir: {} })), false);
    assert.equal(plugin.getVolumeName(specFromPersistentVolume(localPV('pv1', data), false)), 'pv1');
    assert.deepEqual(plugin.getAccessModes(), ['ReadWriteOnce', 'ReadWriteOncePod']);
  });

  it('bind-mounts the local path at the pod volume dir once, and unmounts it keeping the data', async () => {
    const m = plugin.newMounter(specFromPersistentVolume(localPV('pv1', data), false), pod('u1'), {});
    const dir = join(root, 'kubelet/pods/u1/volumes/kubernetes.io~local-volume/pv1');
    assert.equal(m.getPath(), dir);
    assert.deepEqual(m.getAttributes(), { readOnly: false, managed: true, seLinuxRelabel: true });
    await m.setUp({});
    await m.setUp({});
    const mounts = (await mountsUnder(root)).filter((x) => x.path === dir);
    assert.equal(mounts.length, 1, 'mounted exactly once');
    assert.equal(await fs.readFile(join(dir, 'existing'), 'utf8'), 'kept');
    await fs.writeFile(join(dir, 'written'), 'through the bind');
    assert.equal(await fs.readFile(join(data, 'written'), 'utf8'), 'through the bind');

    const u = plugin.newUnmounter('pv1', 'u1');
    await u.tearDown();
    assert.deepEqual(await mountsUnder(join(root, 'kubelet')), []);
    await assert.rejects(fs.stat(dir), { code: 'ENOENT' });
    assert.equal(await fs.readFile(join(data, 'written'), 'utf8'), 'through the bind');
    await u.tearDown();
  });

  it('mounts read-only when the spec is read-only', async () => {
    const m = plugin.newMounter(specFromPersistentVolume(localPV('pv1', data), true), pod('u2'), {});
    assert.deepEqual(m.getAttributes(), { readOnly: true, managed: false, seLinuxRelabel: true });
    await m.setUp({});
    const mp = (await mountsUnder(root)).find((x) => x.path === m.getPath());
    assert.equal(mp?.opts[0], 'ro');
    await assert.rejects(fs.writeFile(join(m.getPath(), 'nope'), 'x'), { code: 'EROFS' });
    await plugin.newUnmounter('pv1', 'u2').tearDown();
    assert.deepEqual(await mountsUnder(join(root, 'kubelet')), []);
  });

  it('applies fsGroup for the first pod and warns a second pod asking for another group', async () => {
    const shared = join(root, 'disks/shared');
    await fs.mkdir(shared, { recursive: true });
    const spec = specFromPersistentVolume(localPV('pvs', shared), false);
    const first = plugin.newMounter(spec, pod('g1'), {});
    await first.setUp({ fsGroup: 2000 });
    assert.equal((await fs.stat(shared)).gid, 2000);
    recorder.clear();
    const second = plugin.newMounter(spec, pod('g2'), {});
    await second.setUp({ fsGroup: 3000 });
    assert.equal((await fs.stat(shared)).gid, 2000, 'a second pod does not take the volume over');
    assert.deepEqual(recorder.events, [
      'Warning AlreadyMountedVolume The requested fsGroup is 3000, but the volume pvs has GID 2000. The volume may not be shareable.',
    ]);
    await plugin.newUnmounter('pvs', 'g1').tearDown();
    await plugin.newUnmounter('pvs', 'g2').tearDown();
    assert.deepEqual(await mountsUnder(join(root, 'kubelet')), []);
  });

  it('refuses to mount block mode, block device paths, empty paths and paths with ..', async () => {
    assert.throws(
      () =>
        plugin.newMounter(
          specFromPersistentVolume(localPV('pvb', data, { volumeMode: 'Block' }), false),
          pod('b'),
          {},
        ),
      { message: 'local volume "pvb" has volumeMode Block: it is mapped (volumeDevices), not mounted' },
    );
    const dev = join(root, 'blockdev');
    execFileSync('mknod', [dev, 'b', '7', '0']);
    await assert.rejects(
      plugin.newMounter(specFromPersistentVolume(localPV('pvd', dev), false), pod('b'), {}).setUp({}),
      {
        message: `local volume "pvd": path ${dev} is a block device; formatting and mounting block devices is not supported by kvol's local plugin`,
      },
    );
    await assert.rejects(
      plugin.newMounter(specFromPersistentVolume(localPV('pve', ''), false), pod('b'), {}).setUp({}),
      {
        message: 'LocalVolume volume "pve" path is empty',
      },
    );
    await assert.rejects(
      plugin
        .newMounter(specFromPersistentVolume(localPV('pvx', '/tmp/../etc'), false), pod('b'), {})
        .setUp({}),
      { message: "invalid path: /tmp/../etc must not contain '..'" },
    );
    assert.deepEqual(await mountsUnder(join(root, 'kubelet')), []);
  });

  it('maps a block-mode local PV: global map path per PV, pod device dir, the device path itself', async () => {
    const dev = join(root, 'blockdev2');
    execFileSync('mknod', [dev, 'b', '7', '0']);
    const spec = specFromPersistentVolume(localPV('pvblk', dev, { volumeMode: 'Block' }), false);
    const mapper = plugin.newBlockVolumeMapper(spec, pod('m1'));
    assert.equal(
      await mapper.getGlobalMapPath(spec),
      join(root, 'kubelet/plugins/kubernetes.io/local-volume/volumeDevices/pvblk'),
    );
    assert.deepEqual(mapper.getPodDeviceMapPath(), [
      join(root, 'kubelet/pods/m1/volumeDevices/kubernetes.io~local-volume'),
      'pvblk',
    ]);
    assert.equal(mapper.setUpDevice, undefined);
    assert.equal(await mapper.mapPodDevice?.(), dev);
    const notBlock = specFromPersistentVolume(localPV('pvnb', data, { volumeMode: 'Block' }), false);
    await assert.rejects(
      plugin.newBlockVolumeMapper(notBlock, pod('m1')).mapPodDevice?.() ?? Promise.resolve(),
      {
        message: `local volume "pvnb": path ${data} is not a block device`,
      },
    );
    const unmapper = plugin.newBlockVolumeUnmapper('pvblk', 'm1');
    assert.deepEqual(unmapper.getPodDeviceMapPath(), mapper.getPodDeviceMapPath());
    const rebuilt = await plugin.constructBlockVolumeSpec('m1', 'pvblk', '/ignored');
    assert.equal(rebuilt.persistentVolume?.spec?.volumeMode, 'Block');
    assert.equal(await unmapper.getGlobalMapPath(rebuilt), await mapper.getGlobalMapPath(spec));
  });

  it('reconstructs a filesystem local PV spec named after the volume', async () => {
    const rv = await plugin.constructVolumeSpec(
      'pv1',
      '/var/lib/kubelet/pods/u/volumes/kubernetes.io~local-volume/pv1',
    );
    assert.equal(rv.spec.persistentVolume?.metadata.name, 'pv1');
    assert.deepEqual(rv.spec.persistentVolume?.spec?.local, { path: '' });
    assert.equal(plugin.canSupport(rv.spec), true);
  });
});
