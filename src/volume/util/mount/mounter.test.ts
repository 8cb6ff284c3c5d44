// The MountInterface contract, run against the real mounter (real tmpfs and bind mounts under a
// temporary root) and the fake.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanupMountPoint, isMountPoint } from './cleanup.ts';
import { isMountError, isNotMountedError } from './errors.ts';
import { FakeMounter } from './fake.ts';
import { RealMounter } from './real.ts';
import { makeTestRoot, removeTestRoot } from './testroot.ts';
import type { MountInterface } from './types.ts';

const implementations: [string, () => MountInterface][] = [
  ['RealMounter', () => new RealMounter()],
  ['FakeMounter', () => new FakeMounter()],
];

for (const [name, make] of implementations) {
  describe(`MountInterface contract: ${name}`, () => {
    let root = '';
    let m: MountInterface;
    let n = 0;
    const dir = (label: string): string => {
      const d = join(root, `${label}-${n++}`);
      mkdirSync(d, { recursive: true });
      return d;
    };
    before(() => {
      root = makeTestRoot('mount-contract');
      m = make();
    });
    after(async () => {
      await removeTestRoot(root);
    });

    it('mounts a tmpfs that list() then shows with its type and options', async () => {
      const t = dir('tmpfs');
      await m.mount('tmpfs', t, { fstype: 'tmpfs', options: ['size=1m', 'nosuid'] });
      const mp = (await m.list()).findLast((x) => x.path === t);
      assert.ok(mp, 'mount not listed');
      assert.equal(mp.type, 'tmpfs');
      assert.equal(mp.device, 'tmpfs');
      assert.ok(mp.opts.includes('nosuid'), `opts ${mp.opts.join(',')}`);
      assert.equal(await m.isLikelyNotMountPoint(t), false);
      assert.equal(await isMountPoint(m, t), true);
    });

    it('unmounts, after which the path is no longer a mount point', async () => {
      const t = dir('umount');
      await m.mount('tmpfs', t, { fstype: 'tmpfs' });
      await m.unmount(t);
      assert.equal(await m.isLikelyNotMountPoint(t), true);
      assert.equal(await isMountPoint(m, t), false);
      assert.equal(
        (await m.list()).some((x) => x.path === t),
        false,
      );
    });

    it('fails with EINVAL "not mounted" when unmounting a directory that is not mounted', async () => {
      const t = dir('notmounted');
      await assert.rejects(m.unmount(t), (err: unknown) => {
        assert.ok(isMountError(err));
        assert.equal(err.code, 'EINVAL');
        assert.equal(err.message, `umount: ${t}: not mounted.`);
        assert.ok(isNotMountedError(err));
        return true;
      });
    });

    it('fails with ENOENT when the mount target does not exist', async () => {
      const t = join(root, 'missing', 'target');
      await assert.rejects(m.mount('tmpfs', t, { fstype: 'tmpfs' }), (err: unknown) => {
        assert.ok(isMountError(err));
        assert.equal(err.code, 'ENOENT');
        assert.equal(err.errno, -2);
        assert.equal(err.message, `mount: ${t}: mount point does not exist.`);
        return true;
      });
      await assert.rejects(m.isLikelyNotMountPoint(t), { code: 'ENOENT' });
    });

    it('fails with ENOENT when a bind source does not exist', async () => {
      const t = dir('nosrc');
      const src = join(root, 'no-such-source');
      await assert.rejects(m.mount(src, t, { options: ['bind'] }), {
        code: 'ENOENT',
        message: `mount: ${t}: special device ${src} does not exist.`,
      });
    });

    it('finds a bind mount within one filesystem through the mount table', async () => {
      const src = dir('bindsrc');
      const t = dir('bind');
      await m.mount(src, t, { options: ['bind'] });
      assert.equal(await isMountPoint(m, t), true);
      await m.unmount(t);
      assert.equal(await isMountPoint(m, t), false);
    });

    it('makes a read-only bind mount with bind then a read-only remount', async () => {
      const src = dir('rosrc');
      const t = dir('robind');
      await m.mount(src, t, { options: ['bind', 'ro'] });
      const mp = (await m.list()).findLast((x) => x.path === t);
      assert.ok(mp);
      assert.equal(mp.opts[0], 'ro');
      await m.unmount(t);
    });

    it('stacks mounts on one target and unmounts the top one first', async () => {
      const t = dir('stack');
      await m.mount('tmpfs', t, { fstype: 'tmpfs', options: ['size=1m'] });
      await m.mount('tmpfs', t, { fstype: 'tmpfs', options: ['size=2m'] });
      assert.equal((await m.list()).filter((x) => x.path === t).length, 2);
      await m.unmount(t);
      assert.equal((await m.list()).filter((x) => x.path === t).length, 1);
      await m.unmount(t);
      assert.equal(await isMountPoint(m, t), false);
    });

    it('cleans up a mount point: unmounts, removes the directory, and can be repeated', async () => {
      const t = dir('cleanup');
      await m.mount('tmpfs', t, { fstype: 'tmpfs' });
      await cleanupMountPoint(m, t, false);
      assert.equal(
        (await m.list()).some((x) => x.path === t),
        false,
      );
      await assert.rejects(m.isLikelyNotMountPoint(t), { code: 'ENOENT' });
      await cleanupMountPoint(m, t, false);
      await cleanupMountPoint(m, t, true);
    });

    it('cleans up a bind mount when asked for the extensive check', async () => {
      const src = dir('cleanbindsrc');
      writeFileSync(join(src, 'keep'), 'x');
      const t = dir('cleanbind');
      await m.mount(src, t, { options: ['bind'] });
      await cleanupMountPoint(m, t, true);
      assert.equal(await isMountPoint(m, src), false);
      await assert.rejects(m.isLikelyNotMountPoint(t), { code: 'ENOENT' });
      await cleanupMountPoint(m, t, true);
    });

    it('cleans up a plain directory by removing it, and refuses a non-empty one', async () => {
      const t = dir('plain');
      await cleanupMountPoint(m, t, true);
      await assert.rejects(m.isLikelyNotMountPoint(t), { code: 'ENOENT' });
      const full = dir('full');
      writeFileSync(join(full, 'f'), 'x');
      await assert.rejects(cleanupMountPoint(m, full, true), { code: 'ENOTEMPTY' });
    });
  });
}
