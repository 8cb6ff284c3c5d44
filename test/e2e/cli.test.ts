// The kvol command's own behaviour: version, clear messages for a taken port, an unwritable data dir and
// a store from an incompatible version, a clean Ctrl-C, and kubectl's view of a bad token.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kvol, repoRoot } from './harness.ts';

const kvolBin = join(repoRoot, 'bin', 'kvol.js');

function runKvol(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [kvolBin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the kvol command', { timeout: 180_000 }, () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'kvol-cli-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('prints its version and the Kubernetes version it serves', () => {
    const r = runKvol(['version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^kvol \d+\.\d+\.\d+ \(serves Kubernetes API v1\.32\.\d+/);
  });

  it('says what to do when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = runKvol(['up', '--data-dir', tmp(), '--port', String(port)]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`kvol: port ${port} on 127\\.0\\.0\\.1 is already in use .*pass --port with a free port`),
      );
    } finally {
      blocker.close();
    }
  });

  it('says what to do when the data dir is not writable', () => {
    const file = join(tmp(), 'a-file');
    writeFileSync(file, '');
    const r = runKvol(['up', '--data-dir', join(file, 'sub'), '--port', '0']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /kvol: the data directory .*a-file\/sub is not writable \(ENOTDIR\); pass --data-dir/,
    );
  });

  it('refuses a store written by an incompatible version and leaves it untouched', () => {
    const dir = tmp();
    const db = new Database(join(dir, 'kvol.db'));
    db.exec(
      "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '999');",
    );
    db.close();
    const before = readFileSync(join(dir, 'kvol.db'));
    const r = runKvol(['up', '--data-dir', dir, '--port', '0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /kvol: .*schema version 999/);
    assert.ok(readFileSync(join(dir, 'kvol.db')).equals(before), 'the store file was not changed');
  });

  it('stops cleanly on Ctrl-C and keeps its data for the next start', async () => {
    const kvol = new Kvol(tmp());
    try {
      await kvol.start();
      await kvol.ok(['create', 'configmap', 'kept', '--from-literal=a=b']);
      assert.equal(await kvol.interrupt(), 0);
      await kvol.start();
      assert.equal(await kvol.ok(['get', 'cm', 'kept', '-o', 'jsonpath={.data.a}']), 'b');
    } finally {
      await kvol.stop();
    }
  });

  it('is refused by the server with a wrong token, as kubectl reports it', async () => {
    const kvol = new Kvol(tmp());
    try {
      await kvol.start();
      const r = await kvol.kubectl(['get', 'pvc', '--token', 'not-the-token']);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)/,
      );
    } finally {
      await kvol.stop();
    }
  });
});
