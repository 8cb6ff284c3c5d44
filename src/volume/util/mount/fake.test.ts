import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cleanupMountPoint, isMountPoint } from './cleanup.ts';
import { FakeMounter } from './fake.ts';

describe('FakeMounter', () => {
  it('records every call in order, masking sensitive options', async () => {
    const m = new FakeMounter({ checkPaths: false });
    await m.mount('//srv/share', '/mnt/a', {
      fstype: 'cifs',
      options: ['ro'],
      sensitiveOptions: ['password=s3cret'],
    });
    await m.list();
    await m.unmount('/mnt/a');
    assert.deepEqual(m.calls, [
      { op: 'mount', target: '/mnt/a', source: '//srv/share', fstype: 'cifs', options: ['ro', '<masked>'] },
      { op: 'list', target: '' },
      { op: 'unmount', target: '/mnt/a' },
    ]);
    assert.equal(JSON.stringify(m.mountPoints).includes('s3cret'), false);
    m.resetLog();
    assert.equal(m.calls.length, 0);
  });

  it('names the type of the topmost mount at a path, or of the mount containing it', async () => {
    const m = new FakeMounter({ checkPaths: false });
    await m.mount('/dev/sda1', '/var', { fstype: 'ext4' });
    await m.mount('tmpfs', '/var/t', { fstype: 'tmpfs' });
    assert.equal(await m.filesystemType('/var/t'), 'tmpfs');
    assert.equal(await m.filesystemType('/var/t/sub'), 'tmpfs');
    assert.equal(await m.filesystemType('/var/x'), 'ext4');
    await m.unmount('/var/t');
    assert.equal(await m.filesystemType('/var/t'), 'ext4');
    assert.equal(await m.filesystemType('/elsewhere'), 'none');
  });

  it('fails an injected operation for one target only, the given number of times', async () => {
    const m = new FakeMounter({ checkPaths: false });
    m.injectError('mount', '/mnt/bad', new Error('boom'), 1);
    await assert.rejects(m.mount('tmpfs', '/mnt/bad', { fstype: 'tmpfs' }), /boom/);
    assert.equal(m.mountAt('/mnt/bad'), undefined);
    await m.mount('tmpfs', '/mnt/good', { fstype: 'tmpfs' });
    await m.mount('tmpfs', '/mnt/bad', { fstype: 'tmpfs' });
    assert.equal(m.callsOf('mount').length, 3);
  });

  it('fails an injected operation on every target until cleared', async () => {
    const m = new FakeMounter({ checkPaths: false, mountPoints: [] });
    await m.mount('tmpfs', '/mnt/x', { fstype: 'tmpfs' });
    m.injectError('unmount', undefined, Object.assign(new Error('busy'), { code: 'EBUSY' }));
    await assert.rejects(m.unmount('/mnt/x'), { code: 'EBUSY' });
    await assert.rejects(m.unmount('/mnt/x'), { code: 'EBUSY' });
    m.clearErrors();
    await m.unmount('/mnt/x');
  });

  it('remounts in place, changing the options of the top mount', async () => {
    const m = new FakeMounter({ checkPaths: false });
    await m.mount('tmpfs', '/mnt/r', { fstype: 'tmpfs', options: ['size=1m'] });
    await m.mount('tmpfs', '/mnt/r', { fstype: 'tmpfs', options: ['remount', 'ro'] });
    assert.deepEqual(m.mountAt('/mnt/r')?.opts, ['ro', 'size=1m']);
    assert.equal(m.mountPoints.length, 1);
  });

  it('refuses to remount something that is not mounted', async () => {
    const m = new FakeMounter({ checkPaths: false });
    await assert.rejects(m.mount('tmpfs', '/mnt/n', { options: ['remount'] }), { code: 'EINVAL' });
  });

  it('treats a preloaded table like mounts it made', async () => {
    const m = new FakeMounter({
      checkPaths: false,
      mountPoints: [
        {
          device: 'tmpfs',
          path: '/pre',
          type: 'tmpfs',
          opts: ['rw'],
          root: '/',
          major: 0,
          minor: 1,
          id: 1,
          parentId: 0,
        },
      ],
    });
    assert.equal(await m.isLikelyNotMountPoint('/pre'), false);
    await m.unmount('/pre');
    assert.equal(m.mountPoints.length, 0);
  });

  it('cleans up through an injected unmount failure on the second attempt', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kvol-fake-'));
    try {
      const t = join(root, 'c');
      mkdirSync(t);
      const m = new FakeMounter();
      await m.mount('tmpfs', t, { fstype: 'tmpfs' });
      m.injectError('unmount', t, new Error('transient'), 1);
      await assert.rejects(cleanupMountPoint(m, t, true), /transient/);
      assert.equal(await isMountPoint(m, t), true);
      await cleanupMountPoint(m, t, true);
      assert.equal(m.mountPoints.length, 0);
      assert.equal(existsSync(t), false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
