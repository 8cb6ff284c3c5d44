// RealMounter specifics: flags reach the kernel, read-only really is read-only, the mount(8) fallback,
// and mount(8)-like errors. Real mounts under a temporary root, all undone in the after hook.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isMountError } from './errors.ts';
import type { MountInfo } from './mountinfo.ts';
import { RealMounter } from './real.ts';
import { makeTestRoot, removeTestRoot } from './testroot.ts';

describe('RealMounter', () => {
  let root = '';
  let n = 0;
  const m = new RealMounter();
  const dir = (label: string): string => {
    const d = join(root, `${label}-${n++}`);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const info = async (path: string): Promise<MountInfo> => {
    const mp = (await m.list()).findLast((x) => x.path === path);
    assert.ok(mp, `${path} not mounted`);
    return mp as MountInfo;
  };
  before(() => {
    root = makeTestRoot('mount-real');
  });
  after(async () => {
    await removeTestRoot(root);
    assert.equal(readFileSync('/proc/self/mounts', 'utf8').includes(root), false, 'mounts left behind');
  });

  it('passes flags to the kernel and the rest as tmpfs data', async () => {
    const t = dir('flags');
    await m.mount('tmpfs', t, {
      fstype: 'tmpfs',
      options: ['nosuid,nodev', 'noexec', 'size=64m', 'mode=0750'],
    });
    const mp = await info(t);
    for (const o of ['rw', 'nosuid', 'nodev', 'noexec']) assert.ok(mp.mountOptions.includes(o), o);
    assert.ok(mp.superOptions.includes('size=65536k'), mp.superOptions.join(','));
    assert.ok(mp.superOptions.includes('mode=750'), mp.superOptions.join(','));
    assert.equal(statSync(t).mode & 0o7777, 0o750);
  });

  it('names the filesystem type of a mount point and of a plain directory with statfs', async () => {
    const t = dir('fstype');
    const plain = dir('plain');
    await m.mount('tmpfs', t, { fstype: 'tmpfs' });
    assert.equal(await m.filesystemType(t), 'tmpfs');
    assert.equal(await m.filesystemType(plain), await m.filesystemType(root));
    assert.notEqual(await m.filesystemType(plain), 'hugetlbfs');
    await m.unmount(t);
    assert.equal(await m.filesystemType(t), await m.filesystemType(plain));
    await assert.rejects(m.filesystemType(join(root, 'missing')), { code: 'ENOENT' });
  });

  it('makes a read-only bind mount that refuses writes while the source stays writable', async () => {
    const src = dir('src');
    writeFileSync(join(src, 'f'), 'data');
    const t = dir('ro');
    await m.mount(src, t, { options: ['bind', 'ro'] });
    const mp = await info(t);
    assert.equal(mp.mountOptions[0], 'ro');
    assert.equal(readFileSync(join(t, 'f'), 'utf8'), 'data');
    assert.throws(() => writeFileSync(join(t, 'g'), 'x'), { code: 'EROFS' });
    writeFileSync(join(src, 'g'), 'x');
    assert.equal(readFileSync(join(t, 'g'), 'utf8'), 'x');
  });

  it('shows the subdirectory a bind mount comes from as the mount root', async () => {
    const fs = dir('fs');
    await m.mount('tmpfs', fs, { fstype: 'tmpfs' });
    mkdirSync(join(fs, 'sub dir'));
    const t = dir('sub');
    await m.mount(join(fs, 'sub dir'), t, { options: ['bind'] });
    const mp = await info(t);
    assert.equal(mp.root, '/sub dir');
    assert.equal(mp.type, 'tmpfs');
    assert.equal(await m.isLikelyNotMountPoint(t), false);
  });

  it('binds recursively with rbind', async () => {
    const src = dir('rsrc');
    const inner = join(src, 'inner');
    mkdirSync(inner);
    await m.mount('tmpfs', inner, { fstype: 'tmpfs' });
    writeFileSync(join(inner, 'x'), 'inner');
    const plain = dir('plainbind');
    await m.mount(src, plain, { options: ['bind'] });
    assert.throws(() => readFileSync(join(plain, 'inner', 'x')), { code: 'ENOENT' });
    const rec = dir('rbind');
    await m.mount(src, rec, { options: ['rbind'] });
    assert.equal(readFileSync(join(rec, 'inner', 'x'), 'utf8'), 'inner');
  });

  it('remounts a tmpfs read-only in place', async () => {
    const t = dir('remount');
    await m.mount('tmpfs', t, { fstype: 'tmpfs', options: ['size=1m'] });
    writeFileSync(join(t, 'f'), 'x');
    await m.mount('tmpfs', t, { fstype: 'tmpfs', options: ['remount', 'ro'] });
    assert.equal((await info(t)).mountOptions[0], 'ro');
    assert.throws(() => writeFileSync(join(t, 'f'), 'y'), { code: 'EROFS' });
    assert.equal((await m.list()).filter((x) => x.path === t).length, 1);
  });

  it('applies a propagation option after the mount', async () => {
    const t = dir('prop');
    await m.mount('tmpfs', t, { fstype: 'tmpfs', options: ['private'] });
    assert.equal(
      (await info(t)).optionalFields.some((f) => f.startsWith('shared:')),
      false,
    );
    const s = dir('shared');
    await m.mount('tmpfs', s, { fstype: 'tmpfs', options: ['shared'] });
    assert.ok((await info(s)).optionalFields.some((f) => f.startsWith('shared:')));
  });

  it('falls back to mount(8) for a type the kernel does not know and reports its message', async () => {
    const t = dir('nofs');
    await assert.rejects(m.mount('none', t, { fstype: 'kvolnosuchfs' }), (err: unknown) => {
      assert.ok(isMountError(err));
      assert.equal(err.syscall, 'mount(8)');
      assert.equal(err.code, 'ENODEV');
      assert.match(err.message, /unknown filesystem type 'kvolnosuchfs'/);
      return true;
    });
  });

  it('runs mount(8) for filesystems that need a helper', async () => {
    const t = dir('nfs');
    // No NFS server: the point is that mount(8) ran (its error), not mount(2)'s.
    await assert.rejects(
      m.mount('127.0.0.1:/nonexistent', t, {
        fstype: 'nfs',
        options: ['soft', 'timeo=1', 'retrans=0', 'retry=0'],
      }),
      (err: unknown) => isMountError(err) && err.syscall === 'mount(8)',
    );
  });

  it('reports a busy unmount as EBUSY "target is busy"', async () => {
    const t = dir('busy');
    await m.mount('tmpfs', t, { fstype: 'tmpfs' });
    const sub = join(t, 'inner');
    mkdirSync(sub);
    await m.mount('tmpfs', sub, { fstype: 'tmpfs' });
    await assert.rejects(m.unmount(t), { code: 'EBUSY', message: `umount: ${t}: target is busy.` });
    await m.unmount(sub);
    await m.unmount(t);
  });

  it('reports a missing unmount target as ENOENT', async () => {
    const t = join(root, 'gone');
    await assert.rejects(m.unmount(t), { code: 'ENOENT', errno: -2, syscall: 'umount2' });
  });

  it('reads the mount table from the configured file', async () => {
    const file = join(root, 'mountinfo');
    writeFileSync(file, '22 1 0:21 / /proc rw,relatime - proc proc rw\n');
    const mps = await new RealMounter({ mountInfoPath: file }).list();
    assert.deepEqual(
      mps.map((x) => [x.path, x.type]),
      [['/proc', 'proc']],
    );
  });
});
