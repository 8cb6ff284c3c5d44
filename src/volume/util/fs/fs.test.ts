import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTestRoot, RealMounter, removeTestRoot } from '../mount/index.ts';
import { fsInfo, measureUsage } from './index.ts';

describe('measureUsage and fsInfo', () => {
  let root = '';
  let fs = '';
  const m = new RealMounter();
  before(async () => {
    root = makeTestRoot('fsutil');
    fs = join(root, 'fs');
    mkdirSync(fs);
    // A tmpfs of its own, so block and inode numbers are exact and nothing else writes to it.
    await m.mount('tmpfs', fs, { fstype: 'tmpfs', options: ['size=4m', 'nr_inodes=100'] });
  });
  after(async () => {
    await removeTestRoot(root);
  });

  it('counts allocated bytes and inodes like du, hard links once and symlinks unfollowed', async () => {
    const d = join(fs, 'du');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'a'), Buffer.alloc(10_000, 1));
    writeFileSync(join(d, 'sub', 'b'), Buffer.alloc(100_000, 2));
    linkSync(join(d, 'sub', 'b'), join(d, 'hardlink'));
    symlinkSync('/usr', join(d, 'symlink'));
    writeFileSync(join(d, 'empty'), '');
    const u = await measureUsage(d);
    // dirs d and sub, files a, b (once), empty, the symlink
    assert.equal(u.inodes, 6);
    const du = Number(execFileSync('du', ['-x', '-s', '-B1', d], { encoding: 'utf8' }).split('\t')[0]);
    assert.equal(u.bytes, du);
    assert.ok(u.bytes >= 110_000 && u.bytes < 200_000, String(u.bytes));
  });

  it('does not count a filesystem mounted inside the directory', async () => {
    const d = join(root, 'outer');
    mkdirSync(join(d, 'inner'), { recursive: true });
    writeFileSync(join(d, 'x'), Buffer.alloc(8192, 1));
    const without = await measureUsage(d);
    await m.mount('tmpfs', join(d, 'inner'), { fstype: 'tmpfs', options: ['size=1m'] });
    writeFileSync(join(d, 'inner', 'big'), Buffer.alloc(500_000, 1));
    const withMount = await measureUsage(d);
    assert.equal(withMount.inodes, without.inodes - 1);
    await m.unmount(join(d, 'inner'));
  });

  it('measures a single file', async () => {
    writeFileSync(join(fs, 'single'), Buffer.alloc(4096, 1));
    assert.deepEqual(await measureUsage(join(fs, 'single')), { bytes: 4096, inodes: 1 });
  });

  it('fails with ENOENT for a missing directory', async () => {
    await assert.rejects(measureUsage(join(root, 'missing')), { code: 'ENOENT' });
  });

  it('reports capacity, availability and inodes of the filesystem from statfs', async () => {
    const before = await fsInfo(fs);
    assert.equal(before.capacity, 4 * 1024 * 1024);
    assert.equal(before.inodes, 100);
    assert.equal(before.inodesUsed, before.inodes - before.inodesFree);
    writeFileSync(join(fs, 'mega'), Buffer.alloc(1024 * 1024, 1));
    const after = await fsInfo(fs);
    assert.equal(before.available - after.available, 1024 * 1024);
    assert.equal(after.usage - before.usage, 1024 * 1024);
    assert.equal(before.inodesFree - after.inodesFree, 1);
  });

  it('fails with ENOENT for a missing path in fsInfo', async () => {
    await assert.rejects(fsInfo(join(root, 'missing')), { code: 'ENOENT' });
  });
});
