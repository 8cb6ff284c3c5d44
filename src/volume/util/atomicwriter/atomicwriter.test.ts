import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { FakeClock } from '../../../component/index.ts';
import { setVolumeOwnership } from '../ownership/index.ts';
import { AtomicWriter, type FileProjection, isInvalidPathError, validatePath } from './index.ts';

const f = (data: string, mode = 0o644): FileProjection => ({ data: Buffer.from(data), mode });
const tsDirs = (dir: string): string[] => readdirSync(dir).filter((n) => /^\.\.\d{4}_/.test(n));

describe('AtomicWriter', () => {
  let root = '';
  let dir = '';
  let clock: FakeClock;
  let w: AtomicWriter;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kvol-atomic-'));
    dir = join(root, 'vol');
    mkdirSync(dir);
    clock = new FakeClock(Date.UTC(2024, 2, 1, 10, 20, 30));
    w = new AtomicWriter(dir, 'test', { clock });
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('lays out a timestamped dir, the ..data link and first-element links', async () => {
    await w.write({ a: f('A', 0o644), 'conf/b.yaml': f('B', 0o600), 'conf/deep/c': f('C', 0o400) });
    const data = readlinkSync(join(dir, '..data'));
    assert.match(data, /^\.\.2024_03_01_10_20_30\.\d+$/);
    assert.deepEqual(readdirSync(dir).sort(), ['..data', data, 'a', 'conf'].sort());
    assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
    assert.equal(readlinkSync(join(dir, 'conf')), '..data/conf');
    assert.equal(statSync(join(dir, data)).mode & 0o7777, 0o755);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'A');
    assert.equal(readFileSync(join(dir, 'conf', 'deep', 'c'), 'utf8'), 'C');
    assert.equal(statSync(join(dir, 'a')).mode & 0o7777, 0o644);
    assert.equal(statSync(join(dir, 'conf/b.yaml')).mode & 0o7777, 0o600);
    assert.equal(statSync(join(dir, 'conf/deep/c')).mode & 0o7777, 0o400);
    assert.equal(lstatSync(join(dir, data, 'conf')).isDirectory(), true);
  });

  it('writes a changed payload into a new dir, swaps ..data and removes the old dir', async () => {
    await w.write({ a: f('1') });
    const first = readlinkSync(join(dir, '..data'));
    clock.step(1000);
    await w.write({ a: f('2') });
    const second = readlinkSync(join(dir, '..data'));
    assert.notEqual(second, first);
    assert.match(second, /^\.\.2024_03_01_10_20_31\./);
    assert.deepEqual(tsDirs(dir), [second]);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '2');
    assert.equal(existsSync(join(dir, '..data_tmp')), false);
  });

  it('does nothing when content and modes are unchanged, not even touching mtimes', async () => {
    await w.write({ a: f('A'), 'n/b': f('B', 0o600) });
    const ts = readlinkSync(join(dir, '..data'));
    const paths = ['..data', 'a', 'n', `${ts}/a`, `${ts}/n/b`, ts];
    const mtimes = (): bigint[] => paths.map((p) => lstatSync(join(dir, p), { bigint: true }).mtimeNs);
    const before = mtimes();
    await new Promise((r) => setTimeout(r, 20));
    clock.step(5000);
    await w.write({ a: f('A'), 'n/b': f('B', 0o600) });
    assert.equal(readlinkSync(join(dir, '..data')), ts);
    assert.deepEqual(mtimes(), before);
    assert.deepEqual(tsDirs(dir), [ts]);
  });

  it('rewrites when only a mode changes', async () => {
    await w.write({ a: f('A', 0o644) });
    const ts = readlinkSync(join(dir, '..data'));
    await w.write({ a: f('A', 0o600) });
    assert.notEqual(readlinkSync(join(dir, '..data')), ts);
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o600);
  });

  it('removes the link of a key that left the payload', async () => {
    await w.write({ a: f('A'), b: f('B') });
    await w.write({ a: f('A') });
    assert.equal(existsSync(join(dir, 'b')), false);
    assert.throws(() => lstatSync(join(dir, 'b')), { code: 'ENOENT' });
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'A');
    assert.equal(tsDirs(dir).length, 1);
  });

  it('keeps the first-element link while nested paths under it change', async () => {
    await w.write({ 'x/y/z': f('Z'), 'x/w': f('W') });
    await w.write({ 'x/w': f('W') });
    assert.equal(readlinkSync(join(dir, 'x')), '..data/x');
    assert.equal(existsSync(join(dir, 'x', 'y')), false);
    assert.equal(readFileSync(join(dir, 'x', 'w'), 'utf8'), 'W');
  });

  it('removes a top-level directory link when none of its files remain', async () => {
    await w.write({ 'd/f': f('F') });
    await w.write({ g: f('G') });
    assert.deepEqual(
      readdirSync(dir).filter((n) => !n.startsWith('..')),
      ['g'],
    );
  });

  it('cleans paths before use', async () => {
    await w.write({ './a//b/': f('AB') });
    assert.equal(readFileSync(join(dir, 'a', 'b'), 'utf8'), 'AB');
    assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
  });

  it('puts back a file changed behind its back on the next write', async () => {
    await w.write({ a: f('A') });
    writeFileSync(join(dir, 'a'), 'tampered');
    await w.write({ a: f('A') });
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'A');
  });

  it('puts back a file whose mode was changed', async () => {
    await w.write({ a: f('A', 0o640) });
    chmodSync(join(dir, 'a'), 0o777);
    await w.write({ a: f('A', 0o640) });
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o640);
  });

  it('puts back a removed user-visible link without rewriting the data', async () => {
    await w.write({ a: f('A'), 'n/b': f('B') });
    const ts = readlinkSync(join(dir, '..data'));
    unlinkSync(join(dir, 'a'));
    unlinkSync(join(dir, 'n'));
    await w.write({ a: f('A'), 'n/b': f('B') });
    assert.equal(readlinkSync(join(dir, '..data')), ts);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'A');
    assert.equal(readFileSync(join(dir, 'n', 'b'), 'utf8'), 'B');
  });

  it('replaces a ..data_tmp left by a crash between symlink and rename', async () => {
    await w.write({ a: f('1') });
    writeFileSync(join(root, 'x'), '');
    const { symlinkSync } = await import('node:fs');
    symlinkSync('..stale', join(dir, '..data_tmp'));
    await w.write({ a: f('2') });
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '2');
    assert.equal(existsSync(join(dir, '..data_tmp')), false);
  });

  it('calls setPerms with the new dir before it becomes visible', async () => {
    await w.write({ a: f('1') });
    const old = readlinkSync(join(dir, '..data'));
    const seen: string[] = [];
    await w.write({ a: f('2') }, async (name) => {
      seen.push(name);
      assert.equal(readFileSync(join(dir, name, 'a'), 'utf8'), '2');
      assert.equal(readlinkSync(join(dir, '..data')), old);
    });
    assert.deepEqual(seen, [readlinkSync(join(dir, '..data'))]);
  });

  it('leaves the old version visible and no new dir behind when setPerms fails', async () => {
    await w.write({ a: f('1') });
    const old = readlinkSync(join(dir, '..data'));
    await assert.rejects(
      w.write({ a: f('2') }, async () => {
        throw new Error('chown failed');
      }),
      /chown failed/,
    );
    assert.equal(readlinkSync(join(dir, '..data')), old);
    assert.deepEqual(tsDirs(dir), [old]);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '1');
  });

  it('treats group bits added by fsGroup ownership as unchanged', async () => {
    const perms = async (): Promise<void> => setVolumeOwnership(dir, 1234, undefined, true);
    await w.write({ a: f('A', 0o400) }, perms);
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o440);
    const ts = readlinkSync(join(dir, '..data'));
    await w.write({ a: f('A', 0o400) }, perms);
    assert.equal(readlinkSync(join(dir, '..data')), ts);
  });

  it('sets the owner of files with fsUser', async () => {
    await w.write({ a: { data: Buffer.from('A'), mode: 0o600, fsUser: 4321 } });
    assert.equal(statSync(join(dir, 'a')).uid, 4321);
  });

  it('fails with ENOENT when the target directory does not exist', async () => {
    await assert.rejects(new AtomicWriter(join(root, 'nope'), 'test').write({ a: f('A') }), {
      code: 'ENOENT',
    });
  });

  it('touches nothing when one path of the payload is invalid', async () => {
    await assert.rejects(w.write({ a: f('A'), '../escape': f('E') }), isInvalidPathError);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('never lets a concurrent reader see a mix of old and new files', async () => {
    const size = 64 * 1024;
    const payload = (v: number): Record<string, FileProjection> => ({
      a: f(`${v}:`.padEnd(size, 'a')),
      'conf/b': f(`${v}:`.padEnd(size, 'b')),
      c: f(`${v}:`.padEnd(size, 'c')),
    });
    await w.write(payload(0));
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(readerSource, { eval: true, workerData: { dir, stop, size } });
    const result = new Promise<{ sets: number; mixed: string[]; torn: string[]; files: number }>(
      (resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      },
    );
    await new Promise<void>((r) => worker.once('online', () => r()));
    for (let v = 1; v <= 150; v++) await w.write(payload(v));
    Atomics.store(stop, 0, 1);
    const r = await result;
    await worker.terminate();
    assert.deepEqual(r.mixed, []);
    assert.deepEqual(r.torn, []);
    assert.ok(r.sets > 0 && r.files > 0, `reader made no progress: ${JSON.stringify(r)}`);
  });
});

/**
 * The reader: resolves ..data once and reads every file from that one version (a version set must
 * agree), and reads user-visible paths one by one (each must be a whole file of some version).
 */
const readerSource = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { dir, stop, size } = workerData;
const version = (buf) => buf.toString('latin1', 0, 12).split(':')[0];
let sets = 0, files = 0;
const mixed = [], torn = [];
while (Atomics.load(stop, 0) === 0) {
  try {
    const ts = path.join(dir, fs.readlinkSync(path.join(dir, '..data')));
    const got = ['a', 'conf/b', 'c'].map((p) => fs.readFileSync(path.join(ts, p)));
    const vs = got.map(version);
    if (new Set(vs).size !== 1) mixed.push(vs.join(','));
    sets++;
  } catch (e) {
    if (e.code !== 'ENOENT') throw e; // the old version was removed under us: try again
  }
  for (const p of ['a', 'conf/b', 'c']) {
    try {
      const b = fs.readFileSync(path.join(dir, p));
      const v = version(b);
      const fill = p === 'conf/b' ? 'b' : p;
      if (b.length !== size || b.toString('latin1', v.length + 1).replaceAll(fill, '') !== '') torn.push(p + '@' + v);
      files++;
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
  }
}
parentPort.postMessage({ sets, files, mixed: mixed.slice(0, 5), torn: torn.slice(0, 5) });
`;

describe('validatePath', () => {
  const long = (n: number): string => 'x'.repeat(n);
  const cases: [string, string, string | undefined][] = [
    ['a simple name', 'a', undefined],
    ['a nested path', 'a/b/c.txt', undefined],
    ['a dotfile', '.hidden', undefined],
    ['a later element starting with ..', 'a/..b', undefined],
    ['a lone dot-dot-ish first element of two dots only in a later place', 'a/b..', undefined],
    ['a 255-byte element', long(255), undefined],
    ['the empty path', '', 'invalid path: must not be empty: ""'],
    ['an absolute path', '/etc/passwd', 'invalid path: must be relative path: /etc/passwd'],
    ['a .. element', 'a/../b', "invalid path: must not contain '..': a/../b"],
    ['a leading ..', '../b', "invalid path: must not contain '..': ../b"],
    ['just ..', '..', "invalid path: must not contain '..': .."],
    ['a first element starting with ..', '..foo/bar', "invalid path: must not start with '..': ..foo/bar"],
    ['the data dir name', '..data', "invalid path: must not start with '..': ..data"],
    [
      'a 256-byte element',
      `a/${long(256)}`,
      'invalid path: filenames must be less than or equal to 255 characters',
    ],
    [
      'a path over 4096 bytes',
      Array.from({ length: 20 }, () => long(250)).join('/'),
      'invalid path: must be less than or equal to 4096 characters',
    ],
  ];
  for (const [name, p, msg] of cases) {
    it(msg === undefined ? `accepts ${name}` : `rejects ${name}`, () => {
      if (msg === undefined) validatePath(p);
      else
        assert.throws(
          () => validatePath(p),
          (err: unknown) => isInvalidPathError(err) && err.message === msg,
        );
    });
  }
});
