import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FakeClock } from '../../../component/index.ts';
import { requiresPermissionChange, setVolumeOwnership } from './index.ts';

const GID = 1234;
const mode = (p: string): number => statSync(p).mode & 0o7777;

describe('setVolumeOwnership', () => {
  let root = '';
  let vol = '';
  let outside = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kvol-ownership-'));
    vol = join(root, 'vol');
    outside = join(root, 'outside');
    mkdirSync(join(vol, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(vol, 'file'), 'x');
    writeFileSync(join(vol, 'sub', 'deeper', 'nested'), 'y');
    writeFileSync(join(vol, 'exec'), '#!/bin/sh');
    writeFileSync(outside, 'z');
    chmodSync(outside, 0o600);
    symlinkSync(outside, join(vol, 'link'));
    for (const d of [vol, join(vol, 'sub'), join(vol, 'sub', 'deeper')]) chmodSync(d, 0o700);
    chmodSync(join(vol, 'file'), 0o600);
    chmodSync(join(vol, 'sub', 'deeper', 'nested'), 0o400);
    chmodSync(join(vol, 'exec'), 0o700);
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('does nothing without an fsGroup', async () => {
    await setVolumeOwnership(vol, undefined, undefined, false);
    assert.equal(mode(join(vol, 'file')), 0o600);
    assert.equal(statSync(vol).gid, 0);
  });

  it('gives a read-write volume group rw on files and rwx plus setgid on directories', async () => {
    await setVolumeOwnership(vol, GID, undefined, false);
    assert.equal(mode(join(vol, 'file')), 0o660);
    assert.equal(mode(join(vol, 'exec')), 0o760);
    assert.equal(mode(join(vol, 'sub', 'deeper', 'nested')), 0o660);
    assert.equal(mode(vol), 0o2770);
    assert.equal(mode(join(vol, 'sub', 'deeper')), 0o2770);
    for (const p of [vol, join(vol, 'file'), join(vol, 'sub'), join(vol, 'sub', 'deeper', 'nested')]) {
      assert.equal(statSync(p).gid, GID, p);
    }
  });

  it('gives a read-only volume group read on files and r-x plus setgid on directories', async () => {
    await setVolumeOwnership(vol, GID, 'Always', true);
    assert.equal(mode(join(vol, 'file')), 0o640);
    assert.equal(mode(join(vol, 'sub', 'deeper', 'nested')), 0o440);
    assert.equal(mode(vol), 0o2750);
  });

  it('changes the group of a symlink itself but never chmods through it', async () => {
    await setVolumeOwnership(vol, GID, undefined, false);
    assert.equal(lstatSync(join(vol, 'link')).gid, GID);
    assert.equal(mode(outside), 0o600);
    assert.equal(statSync(outside).gid, 0);
  });

  it('skips the walk with OnRootMismatch when the root already matches', async () => {
    chownSync(vol, 0, GID);
    chmodSync(vol, 0o2770);
    await setVolumeOwnership(vol, GID, 'OnRootMismatch', false);
    assert.equal(mode(join(vol, 'file')), 0o600);
    assert.equal(statSync(join(vol, 'file')).gid, 0);
  });

  it('walks with OnRootMismatch when the root lacks setgid', async () => {
    chownSync(vol, 0, GID);
    chmodSync(vol, 0o770);
    await setVolumeOwnership(vol, GID, 'OnRootMismatch', false);
    assert.equal(mode(join(vol, 'file')), 0o660);
    assert.equal(mode(vol), 0o2770);
  });

  it('walks with OnRootMismatch when the root has another group', async () => {
    chmodSync(vol, 0o2770);
    await setVolumeOwnership(vol, GID, 'OnRootMismatch', false);
    assert.equal(statSync(join(vol, 'file')).gid, GID);
  });

  it('walks with Always even when the root matches', async () => {
    chownSync(vol, 0, GID);
    chmodSync(vol, 0o2770);
    await setVolumeOwnership(vol, GID, 'Always', false);
    assert.equal(mode(join(vol, 'file')), 0o660);
  });

  it('accepts a root whose bits are a superset of the required ones', async () => {
    chownSync(vol, 0, GID);
    chmodSync(vol, 0o2775);
    assert.equal(await requiresPermissionChange(vol, GID, false), false);
    chmodSync(vol, 0o2750);
    assert.equal(await requiresPermissionChange(vol, GID, false), true);
    assert.equal(await requiresPermissionChange(vol, GID, true), false);
    assert.equal(await requiresPermissionChange(join(root, 'missing'), GID, true), true);
  });

  it('reports a slow walk every progress period and stops reporting when done', async () => {
    const clock = new FakeClock();
    const slow: string[] = [];
    const p = setVolumeOwnership(vol, GID, undefined, false, { clock, onSlow: (m) => slow.push(m) });
    clock.step(60_000);
    clock.step(60_000);
    await p;
    assert.equal(slow.length, 2);
    assert.match(
      slow[0] ?? '',
      new RegExp(
        `^Setting volume ownership for ${vol} is taking longer than expected, consider using OnRootMismatch`,
      ),
    );
    assert.equal(clock.pending, 0);
  });

  it('fails when the volume directory does not exist', async () => {
    await assert.rejects(setVolumeOwnership(join(root, 'missing'), GID, undefined, false), {
      code: 'ENOENT',
    });
  });
});
