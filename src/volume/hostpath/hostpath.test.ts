import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume, Pod } from '../../api/index.ts';
import { FakeVolumeHost } from '../testing/index.ts';
import { FakeMounter, makeTestRoot, removeTestRoot } from '../util/mount/index.ts';
import { specFromPersistentVolume, specFromVolume } from '../volume.ts';
import { HostPathPlugin } from './hostpath.ts';

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'uid1' },
  spec: { containers: [{ name: 'c' }] },
};

describe('hostPath plugin', () => {
  let root: string;
  let plugin: HostPathPlugin;
  let server: Server;
  let paths: Record<string, string>;

  before(async () => {
    root = makeTestRoot('hostpath');
    plugin = new HostPathPlugin();
    const host = new FakeVolumeHost({ rootDir: join(root, 'kubelet'), mounter: new FakeMounter() });
    await host.initPlugins([plugin]);
    paths = {
      dir: join(root, 'dir'),
      file: join(root, 'file'),
      socket: join(root, 'sock'),
      char: '/dev/null',
      block: join(root, 'blockdev'),
      missing: join(root, 'missing'),
    };
    await fs.mkdir(paths['dir']!);
    await fs.writeFile(paths['file']!, 'x');
    execFileSync('mknod', [paths['block']!, 'b', '7', '0']);
    server = createServer();
    await new Promise<void>((resolve) => server.listen(paths['socket']!, resolve));
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await removeTestRoot(root);
  });

  function setUp(path: string, type?: string): Promise<void> {
    const hp = type === undefined ? { path } : { path, type: type as 'Directory' };
    return plugin.newMounter(specFromVolume({ name: 'v', hostPath: hp }), pod, {}).setUp({});
  }

  const kinds = ['dir', 'file', 'socket', 'char', 'block'] as const;
  const types: { type: string; accepts: string; message: string }[] = [
    { type: 'Directory', accepts: 'dir', message: 'is not a directory' },
    { type: 'File', accepts: 'file', message: 'is not a file' },
    { type: 'Socket', accepts: 'socket', message: 'is not a socket file' },
    { type: 'CharDevice', accepts: 'char', message: 'is not a character device' },
    { type: 'BlockDevice', accepts: 'block', message: 'is not a block device' },
  ];
  for (const t of types) {
    for (const kind of [...kinds, 'missing']) {
      const ok = kind === t.accepts;
      it(`${ok ? 'accepts' : 'refuses'} a ${kind} path for type ${t.type}`, async () => {
        const p = paths[kind]!;
        if (ok) await setUp(p, t.type);
        else
          await assert.rejects(setUp(p, t.type), {
            message: `hostPath type check failed: ${p} ${t.message}`,
          });
      });
    }
  }

  it('creates a missing directory with mode 0755 and its parents for DirectoryOrCreate', async () => {
    const p = join(root, 'new/deep/dir');
    await setUp(p, 'DirectoryOrCreate');
    const st = await fs.stat(p);
    assert.ok(st.isDirectory());
    assert.equal(st.mode & 0o777, 0o755);
    await setUp(p, 'DirectoryOrCreate');
    await assert.rejects(setUp(paths['file']!, 'DirectoryOrCreate'), {
      message: `hostPath type check failed: ${paths['file']} is not a directory`,
    });
  });

  it('creates a missing empty file with mode 0644 for FileOrCreate, but not its parent', async () => {
    const p = join(root, 'created-file');
    await setUp(p, 'FileOrCreate');
    const st = await fs.stat(p);
    assert.ok(st.isFile());
    assert.equal(st.size, 0);
    assert.equal(st.mode & 0o777, 0o644);
    await setUp(p, 'FileOrCreate');
    await assert.rejects(setUp(paths['dir']!, 'FileOrCreate'), {
      message: `hostPath type check failed: ${paths['dir']} is not a file`,
    });
    const orphan = join(root, 'no-parent/file');
    await assert.rejects(setUp(orphan, 'FileOrCreate'), {
      message: `open ${orphan}: no such file or directory`,
    });
  });

  it('checks nothing when the type is unset or empty', async () => {
    await setUp(paths['missing']!);
    await setUp(paths['missing']!, '');
  });

  it('refuses an unknown type and a path with ..', async () => {
    await assert.rejects(setUp(paths['dir']!, 'Pipe'), { message: 'Pipe is an invalid volume type' });
    await assert.rejects(setUp('/tmp/../etc'), {
      message: "invalid HostPath `/tmp/../etc`: must not contain '..'",
    });
  });

  it('hands out the host path itself, unmanaged, and tears down as a no-op', async () => {
    const m = plugin.newMounter(specFromVolume({ name: 'v', hostPath: { path: paths['dir']! } }), pod, {});
    assert.equal(m.getPath(), paths['dir']);
    assert.deepEqual(m.getAttributes(), { readOnly: false, managed: false, seLinuxRelabel: false });
    await m.setUp({ fsGroup: 1234 });
    assert.notEqual((await fs.stat(paths['dir']!)).gid, 1234);
    await plugin.newUnmounter('v', 'uid1').tearDown();
    assert.ok((await fs.stat(paths['dir']!)).isDirectory());
    await assert.rejects(m.setUpAt('/x', {}), { message: 'SetUpAt() does not make sense for host paths' });
  });

  it('serves PersistentVolumes with ReadWriteOnce, honouring the read-only flag', () => {
    const pv: PersistentVolume = { metadata: { name: 'pv1' }, spec: { hostPath: { path: paths['dir']! } } };
    const spec = specFromPersistentVolume(pv, true);
    assert.equal(plugin.canSupport(spec), true);
    assert.equal(plugin.getVolumeName(spec), paths['dir']);
    assert.deepEqual(plugin.getAccessModes(), ['ReadWriteOnce']);
    assert.equal(plugin.newMounter(spec, pod, {}).getAttributes().readOnly, true);
    assert.equal(plugin.canSupport(specFromVolume({ name: 'e', emptyDir: {} })), false);
  });

  it('reconstructs a hostPath spec named after the volume', async () => {
    const rv = await plugin.constructVolumeSpec(
      'data',
      '/var/lib/kubelet/pods/u/volumes/kubernetes.io~host-path/data',
    );
    assert.deepEqual(rv.spec.volume, { name: 'data', hostPath: { path: 'data' } });
  });
});
