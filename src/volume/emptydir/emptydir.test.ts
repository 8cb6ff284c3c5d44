import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../api/index.ts';
import { FakeRecorder } from '../../client/testing/index.ts';
import { FakeVolumeHost } from '../testing/index.ts';
import {
  FakeMounter,
  makeTestRoot,
  parseMountInfo,
  RealMounter,
  removeTestRoot,
} from '../util/mount/index.ts';
import { specFromPersistentVolume, specFromVolume } from '../volume.ts';
import {
  calculateEmptyDirMemorySize,
  EmptyDirPlugin,
  emptyDirPluginName,
  getPageSizeMountOption,
  tmpfsMountOptions,
} from './emptydir.ts';

const Mi = 1024n * 1024n;

function pod(uid: string, extra: Partial<Pod> = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid },
    spec: { containers: [{ name: 'c' }] },
    ...extra,
  };
}

function podWithLimits(...memory: (string | undefined)[]): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: {
      containers: memory.map((m, i) => ({
        name: `c${i}`,
        ...(m === undefined ? {} : { resources: { limits: { memory: m } } }),
      })),
    },
  };
}

async function setup(root: string, mounter = new FakeMounter()) {
  const host = new FakeVolumeHost({ rootDir: root, mounter, nodeAllocatableMemory: Number(1024n * Mi) });
  const plugin = new EmptyDirPlugin();
  assert.deepEqual(await host.initPlugins([plugin]), []);
  return { host, plugin, mounter };
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

describe('emptyDir plugin', () => {
  let root: string;
  before(() => {
    root = makeTestRoot('emptydir');
  });
  after(async () => {
    await removeTestRoot(root);
  });

  it('supports only specs with an emptyDir source', async () => {
    const { plugin } = await setup(join(root, 'cansupport'));
    assert.equal(plugin.canSupport(specFromVolume({ name: 'v', emptyDir: {} })), true);
    assert.equal(plugin.canSupport(specFromVolume({ name: 'v', hostPath: { path: '/x' } })), false);
    assert.equal(
      plugin.canSupport(
        specFromPersistentVolume({ metadata: { name: 'pv' }, spec: { hostPath: { path: '/x' } } }, false),
      ),
      false,
    );
    assert.equal(plugin.name, 'kubernetes.io/empty-dir');
    assert.equal(plugin.getVolumeName(specFromVolume({ name: 'cache', emptyDir: {} })), 'cache');
    assert.equal(plugin.requiresRemount(specFromVolume({ name: 'v', emptyDir: {} })), false);
  });

  it('sets up a disk directory with mode 0777 and a readiness marker, as the kubelet lays them out', async () => {
    const r = join(root, 'disk');
    const { plugin, mounter } = await setup(r);
    const m = plugin.newMounter(specFromVolume({ name: 'cache', emptyDir: {} }), pod('uid1'), {});
    const dir = join(r, 'pods/uid1/volumes/kubernetes.io~empty-dir/cache');
    assert.equal(m.getPath(), dir);
    assert.deepEqual(m.getAttributes(), { readOnly: false, managed: true, seLinuxRelabel: true });
    await m.setUp({});
    const st = await fs.stat(dir);
    assert.ok(st.isDirectory());
    assert.equal(st.mode & 0o7777, 0o777);
    const ready = await fs.stat(join(r, 'pods/uid1/plugins/kubernetes.io~empty-dir/cache/ready'));
    assert.ok(ready.isFile());
    assert.equal(mounter.callsOf('mount').length, 0);
  });

  it('sets up again without touching the content when the volume is ready', async () => {
    const r = join(root, 'idempotent');
    const { plugin, mounter } = await setup(r);
    const m = plugin.newMounter(specFromVolume({ name: 'cache', emptyDir: {} }), pod('uid1'), {});
    await m.setUp({});
    await fs.writeFile(join(m.getPath(), 'data'), 'kept');
    await m.setUp({});
    assert.equal(await fs.readFile(join(m.getPath(), 'data'), 'utf8'), 'kept');
    assert.equal(mounter.callsOf('mount').length, 0);
  });

  it('recreates a volume directory removed by hand although the marker is there', async () => {
    const r = join(root, 'removed');
    const { plugin } = await setup(r);
    const m = plugin.newMounter(specFromVolume({ name: 'cache', emptyDir: {} }), pod('uid1'), {});
    await m.setUp({});
    await fs.rm(m.getPath(), { recursive: true });
    await m.setUp({});
    assert.ok((await fs.stat(m.getPath())).isDirectory());
    assert.ok(await exists(join(r, 'pods/uid1/plugins/kubernetes.io~empty-dir/cache/ready')));
  });

  it('tears down: marker and directory gone, and a second tearDown succeeds', async () => {
    const r = join(root, 'teardown');
    const { plugin } = await setup(r);
    const m = plugin.newMounter(specFromVolume({ name: 'cache', emptyDir: {} }), pod('uid1'), {});
    await m.setUp({});
    await fs.mkdir(join(m.getPath(), 'sub'));
    await fs.writeFile(join(m.getPath(), 'sub/f'), 'x');
    const u = plugin.newUnmounter('cache', 'uid1');
    assert.equal(u.getPath(), m.getPath());
    await u.tearDown();
    assert.equal(await exists(m.getPath()), false);
    assert.equal(await exists(join(r, 'pods/uid1/plugins/kubernetes.io~empty-dir/cache')), false);
    await u.tearDown();
  });

  it('mounts a tmpfs sized by sizeLimit for medium Memory, once, and unmounts it at teardown', async () => {
    const r = join(root, 'memory-fake');
    const { plugin, mounter } = await setup(r);
    const spec = specFromVolume({ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
    const m = plugin.newMounter(spec, pod('uid1'), {});
    await m.setUp({});
    await m.setUp({});
    const mounts = mounter.callsOf('mount');
    assert.equal(mounts.length, 1);
    assert.equal(mounts[0]?.source, 'tmpfs');
    assert.equal(mounts[0]?.fstype, 'tmpfs');
    assert.equal(mounts[0]?.target, m.getPath());
    assert.deepEqual(mounts[0]?.options, tmpfsMountOptions(64n * Mi));
    assert.ok(mounts[0]?.options?.includes(`size=${64n * Mi}`));

    await plugin.newUnmounter('mem', 'uid1').tearDown();
    assert.equal(mounter.callsOf('unmount').length, 1);
    assert.equal(mounter.mountAt(m.getPath()), undefined);
    assert.equal(await exists(m.getPath()), false);
  });

  it('refuses an unknown medium with upstream message and leaves no readiness marker', async () => {
    const r = join(root, 'unknown');
    const { plugin } = await setup(r);
    const m = plugin.newMounter(
      specFromVolume({ name: 'v', emptyDir: { medium: 'Floppy' } }),
      pod('uid1'),
      {},
    );
    await assert.rejects(m.setUp({}), { message: 'unknown storage medium "Floppy"' });
    assert.equal(await exists(join(r, 'pods/uid1/plugins/kubernetes.io~empty-dir/v/ready')), false);
  });

  it('mounts hugetlbfs with the page size the pod requests, and refuses several sizes', async () => {
    const r = join(root, 'hugepages');
    const { plugin, mounter } = await setup(r);
    const p = pod('uid1', {
      spec: { containers: [{ name: 'c', resources: { requests: { 'hugepages-2Mi': '4Mi' } } }] },
    });
    await plugin
      .newMounter(specFromVolume({ name: 'h', emptyDir: { medium: 'HugePages' } }), p, {})
      .setUp({});
    const call = mounter.callsOf('mount')[0];
    assert.equal(call?.fstype, 'hugetlbfs');
    assert.equal(call?.source, 'nodev');
    assert.deepEqual(call?.options, ['pagesize=2Mi']);

    const two = pod('uid2', {
      spec: {
        containers: [
          { name: 'a', resources: { requests: { 'hugepages-2Mi': '4Mi' } } },
          { name: 'b', resources: { requests: { 'hugepages-1Gi': '1Gi' } } },
        ],
      },
    });
    assert.throws(() => getPageSizeMountOption('HugePages', two), {
      message: "medium: HugePages can't be used if container requests multiple huge page sizes",
    });
    assert.equal(getPageSizeMountOption('HugePages-1Gi', two), 'pagesize=1Gi');
    assert.throws(() => getPageSizeMountOption('HugePages', pod('u3')), {
      message:
        'medium HugePages: hugePages storage requested, but there is no resource request for huge pages',
    });
  });

  it('gives the volume to the pod fsGroup with the setgid bit', async () => {
    const r = join(root, 'fsgroup');
    const { plugin } = await setup(r);
    const m = plugin.newMounter(specFromVolume({ name: 'g', emptyDir: {} }), pod('uid1'), {});
    await m.setUp({ fsGroup: 4321 });
    const st = await fs.stat(m.getPath());
    assert.equal(st.gid, 4321);
    assert.equal(st.mode & 0o2000, 0o2000);
  });

  it('reconstructs a bare emptyDir spec from a volume directory', async () => {
    const { plugin } = await setup(join(root, 'reconstruct'));
    const rv = await plugin.constructVolumeSpec(
      'cache',
      '/var/lib/kubelet/pods/u/volumes/kubernetes.io~empty-dir/cache',
    );
    assert.deepEqual(rv.spec.volume, { name: 'cache', emptyDir: {} });
    assert.equal(plugin.canSupport(rv.spec), true);
  });

  it('puts the readiness marker of a wrapped volume under wrapped_<name>', async () => {
    const r = join(root, 'wrapped');
    const { host } = await setup(r);
    const dir = join(r, 'pods/uid1/volumes/kubernetes.io~secret/s');
    await host.newWrapperMounter('s', '', pod('uid1')).setUpAt(dir, {});
    assert.ok(await exists(join(r, `pods/uid1/plugins/kubernetes.io~empty-dir/wrapped_s/ready`)));
    assert.ok((await fs.stat(dir)).isDirectory());
    await host.newWrapperUnmounter('s', 'uid1').tearDownAt(dir);
    assert.equal(await exists(dir), false);
    assert.equal(await exists(join(r, `pods/uid1/plugins/kubernetes.io~empty-dir/wrapped_s`)), false);
  });

  it('reports du-style metrics for a set-up volume', async () => {
    const r = join(root, 'metrics');
    const { plugin } = await setup(r);
    const m = plugin.newMounter(specFromVolume({ name: 'cache', emptyDir: {} }), pod('uid1'), {});
    await m.setUp({});
    await fs.writeFile(join(m.getPath(), 'f'), Buffer.alloc(64 * 1024, 1));
    const metrics = await m.getMetrics?.();
    assert.ok(metrics !== undefined);
    assert.ok(metrics.used >= 64 * 1024, `used ${metrics.used}`);
    assert.ok(metrics.capacity > 0);
    assert.equal(metrics.inodesUsed, 2);
  });
});

describe('calculateEmptyDirMemorySize', () => {
  const node = 1024n * Mi;
  const cases: { name: string; pod: Pod; sizeLimit?: string; want: bigint }[] = [
    { name: 'uses node allocatable when nothing is smaller', pod: podWithLimits(undefined), want: node },
    {
      name: 'uses the pod memory limit when every container has one',
      pod: podWithLimits('100Mi', '28Mi'),
      want: 128n * Mi,
    },
    {
      name: 'ignores the pod limit when a container has none',
      pod: podWithLimits('100Mi', undefined),
      want: node,
    },
    {
      name: 'uses sizeLimit when below the pod limit',
      pod: podWithLimits('256Mi'),
      sizeLimit: '64Mi',
      want: 64n * Mi,
    },
    {
      name: 'keeps the pod limit when sizeLimit is above it',
      pod: podWithLimits('256Mi'),
      sizeLimit: '512Mi',
      want: 256n * Mi,
    },
    { name: 'ignores a pod limit above node allocatable', pod: podWithLimits('4Gi'), want: node },
    { name: 'ignores a zero sizeLimit', pod: podWithLimits(undefined), sizeLimit: '0', want: node },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(calculateEmptyDirMemorySize(node, c.sizeLimit, c.pod), c.want);
    });
  }
});

describe('emptyDir with real mounts', () => {
  let root: string;
  before(() => {
    root = makeTestRoot('emptydir-real');
  });
  after(async () => {
    await removeTestRoot(root);
  });

  it('mounts medium Memory as a sized tmpfs and leaves nothing mounted after teardown', async () => {
    const host = new FakeVolumeHost({
      rootDir: root,
      mounter: new RealMounter(),
      nodeAllocatableMemory: Number(1024n * Mi),
      recorder: new FakeRecorder(),
    });
    const plugin = new EmptyDirPlugin();
    await host.initPlugins([plugin]);
    const m = plugin.newMounter(
      specFromVolume({ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }),
      pod('real1'),
      {},
    );
    await m.setUp({});
    await m.setUp({});
    const table = parseMountInfo(await fs.readFile('/proc/self/mountinfo', 'utf8')).filter(
      (x) => x.path === m.getPath(),
    );
    assert.equal(table.length, 1, 'mounted exactly once');
    assert.equal(table[0]?.type, 'tmpfs');
    assert.ok(table[0]?.opts.includes('size=16384k'), table[0]?.opts.join(','));
    assert.equal((await fs.stat(m.getPath())).mode & 0o777, 0o777);
    await fs.writeFile(join(m.getPath(), 'f'), 'in memory');

    await plugin.newUnmounter('mem', 'real1').tearDown();
    const left = parseMountInfo(await fs.readFile('/proc/self/mountinfo', 'utf8')).filter((x) =>
      x.path.startsWith(root),
    );
    assert.deepEqual(left, []);
    assert.equal(await exists(m.getPath()), false);
    assert.equal(emptyDirPluginName, 'kubernetes.io/empty-dir');
  });
});
