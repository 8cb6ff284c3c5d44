// Runs the backend contract suite against the SQLite backend, plus what only a durable store has:
// reopening, schema versions, locking, bad paths, compaction on disk, and SIGKILL crash safety.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { isIncompatibleStore, openBackend } from '../index.ts';
import { runBackendContract } from '../testing/contract.ts';
import {
  isStoreLocked,
  isStoreOpenError,
  openSqliteBackend,
  SQLITE_SCHEMA_VERSION,
  SqliteBackend,
} from './sqlite.ts';

const root = mkdtempSync(join(tmpdir(), 'kvol-sqlite-'));
let n = 0;
const freshPath = (): string => join(root, `db${n++}`, 'kvol.db');

after(() => rmSync(root, { recursive: true, force: true }));

runBackendContract('sqlite', () => openSqliteBackend(freshPath()));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected the promise to reject');
}

describe('sqlite backend on disk', () => {
  test('openBackend opens a sqlite:/// URL and creates the directory', async () => {
    const path = freshPath();
    const b = await openBackend(`sqlite://${path}`);
    assert.ok(b instanceof SqliteBackend);
    assert.equal(b.name, 'sqlite');
    assert.ok(existsSync(path));
    await b.close();
  });

  test('a sqlite URL with a host instead of an absolute path is refused with a hint', async () => {
    const err = await rejection(openBackend('sqlite://data/kvol.db'));
    assert.ok(isStoreOpenError(err), String(err));
    assert.match(err.message, /three slashes/);
  });

  test('values, revisions and the compacted revision survive a reopen', async () => {
    const path = freshPath();
    const b1 = await openSqliteBackend(path);
    const a = await b1.create('/a', 'a1');
    await b1.update('/a', 'a2', a.modRevision);
    await b1.create('/b', 'b1');
    const d = await b1.delete('/b');
    await b1.compact(a.modRevision + 1);
    await b1.close();
    const b2 = await openSqliteBackend(path);
    assert.equal(await b2.currentRevision(), d.modRevision);
    assert.equal(await b2.compactedRevision(), a.modRevision + 1);
    assert.equal((await b2.get('/a'))?.value, 'a2');
    assert.equal(await b2.get('/b'), undefined);
    assert.deepEqual(
      (await b2.list('/', { revision: d.modRevision - 1 })).items.map((i) => i.value),
      ['a2', 'b1'],
    );
    assert.equal((await b2.create('/c', 'c')).modRevision, d.modRevision + 1);
    await b2.close();
  });

  test('a revision compacted away with a trailing deletion is not reused after a reopen', async () => {
    const path = freshPath();
    const b1 = await openSqliteBackend(path);
    await b1.create('/x', 'v');
    const d = await b1.delete('/x');
    await b1.compact(d.modRevision);
    await b1.close();
    const b2 = await openSqliteBackend(path);
    assert.equal(await b2.currentRevision(), d.modRevision);
    assert.equal((await b2.create('/x', 'v')).modRevision, d.modRevision + 1);
    await b2.close();
  });

  test('compaction deletes superseded rows and tombstones from the log but no current row', async () => {
    const path = freshPath();
    const b = await openSqliteBackend(path, { compactChunk: 3 });
    const a = await b.create('/a', '1');
    const a2 = await b.update('/a', '2', a.modRevision);
    await b.create('/b', '1');
    await b.delete('/b');
    const c = await b.create('/c', '1');
    const a3 = await b.update('/a', '3', a2.modRevision);
    await b.compact(c.modRevision);
    await b.close();
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT rev, key FROM log ORDER BY rev').all();
    db.close();
    // Kept: a@2 (still the state at the compacted revision, superseded only later), c@5, a@6.
    assert.deepEqual(rows, [
      { rev: a2.modRevision, key: '/a' },
      { rev: c.modRevision, key: '/c' },
      { rev: a3.modRevision, key: '/a' },
    ]);
  });

  test('a store with another schema version is refused with IncompatibleStoreError', async () => {
    const path = freshPath();
    await (await openSqliteBackend(path)).close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = '99' WHERE name = 'schema_version'").run();
    db.close();
    const err = await rejection(openSqliteBackend(path));
    assert.ok(isIncompatibleStore(err), String(err));
    assert.equal(err.found, '99');
    assert.equal(err.supported, SQLITE_SCHEMA_VERSION);
    assert.match(err.message, /--data-dir/);
  });

  test('a SQLite file that is not a kvol store is refused with IncompatibleStoreError', async () => {
    const path = freshPath();
    mkdirSync(join(path, '..'), { recursive: true });
    const db = new Database(path);
    db.exec('CREATE TABLE kine (id INTEGER PRIMARY KEY)');
    db.close();
    const err = await rejection(openSqliteBackend(path));
    assert.ok(isIncompatibleStore(err), String(err));
  });

  test('a file that is not a database is refused with a clear error', async () => {
    const path = freshPath();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'this is not a database, it is just long enough to have a header of sorts....');
    const err = await rejection(openSqliteBackend(path));
    assert.ok(isStoreOpenError(err), String(err));
    assert.match(err.message, new RegExp(path));
  });

  test('a path whose directory cannot be created is refused with a clear error', async () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, '');
    const err = await rejection(openSqliteBackend(join(file, 'sub', 'kvol.db')));
    assert.ok(isStoreOpenError(err), String(err));
    assert.match(err.message, /cannot open the store at .*plain-file.*not writable/);
  });

  test('a read-only directory is refused with a clear error', {
    skip: process.getuid?.() === 0 ? 'root may write anywhere' : false,
  }, async () => {
    const dir = join(root, 'readonly');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    const err = await rejection(openSqliteBackend(join(dir, 'kvol.db')));
    assert.ok(isStoreOpenError(err), String(err));
    chmodSync(dir, 0o700);
  });

  test('a second open of the same store fails while the first holds it, and works after close', async () => {
    const path = freshPath();
    const b1 = await openSqliteBackend(path);
    await b1.create('/x', 'v');
    const err = await rejection(openSqliteBackend(path));
    assert.ok(isStoreLocked(err), String(err));
    assert.match(err.message, /in use by another kvol process/);
    assert.equal((await b1.get('/x'))?.value, 'v', 'the first keeps working');
    await b1.close();
    const b2 = await openSqliteBackend(path);
    assert.equal((await b2.get('/x'))?.value, 'v');
    await b2.close();
  });

  test('a second process cannot open a store this process holds', async () => {
    const path = freshPath();
    const b = await openSqliteBackend(path);
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, path, 'second'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.notEqual(code, 0);
    assert.match(stderr, /in use by another kvol process/);
    await b.close();
  });
});

const repoRoot = resolve(import.meta.dirname, '../../..');
const childScript = join(import.meta.dirname, 'testdata', 'crash-child.ts');

interface Ack {
  key: string;
  rev: number;
  value: string | undefined;
}

/** Runs the writer child until it has acknowledged at least `minAcks` writes, then SIGKILLs it. */
function runAndKill(path: string, tag: string, minAcks: number): Promise<Ack[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, path, tag], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks: Ack[] = [];
    let buf = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child made only ${acks.length} acks in time; stderr: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? ''; // a line cut by the kill is not a complete acknowledgement
      for (const line of lines) {
        const [word, key, rev, value] = line.split(' ');
        if (word === 'ack' && key !== undefined && rev !== undefined)
          acks.push({ key, rev: Number(rev), value });
      }
      if (!killed && acks.length >= minAcks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    // 'close', not 'exit': acknowledgements still in the pipe when the child died count too.
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own (${String(signal)}): ${stderr}`));
      else resolvePromise(acks);
    });
  });
}

describe('sqlite backend crash safety', () => {
  test('a writer killed with SIGKILL mid-burst loses no acknowledged write and revisions keep increasing', async () => {
    const path = freshPath();
    let lastMax = 0;
    for (const round of ['one', 'two']) {
      const acks = await runAndKill(path, round, 1500);
      assert.ok(acks.length >= 1500);
      const b = await openSqliteBackend(path);
      const revs = acks.map((a) => a.rev);
      const maxAcked = Math.max(...revs);
      assert.equal(new Set(revs).size, revs.length, 'no revision was acknowledged twice');
      assert.ok(Math.min(...revs) > lastMax, 'the revisions of this run follow those of the last');
      for (const a of acks) {
        if (a.key === '/crash/counter') continue;
        const kv = await b.get(a.key);
        assert.ok(kv !== undefined, `acknowledged ${a.key}@${a.rev} is missing after the crash`);
        assert.equal(kv.createRevision, a.rev);
      }
      const counterAcks = acks.filter((a) => a.key === '/crash/counter');
      const counter = await b.get('/crash/counter');
      assert.ok(counter !== undefined);
      const lastCounter = counterAcks[counterAcks.length - 1];
      if (lastCounter !== undefined) {
        assert.ok(counter.modRevision >= lastCounter.rev);
        assert.ok(Number(counter.value) >= Number(lastCounter.value));
      }
      const cur = await b.currentRevision();
      assert.ok(cur >= maxAcked);
      const next = await b.create(`/crash/after-${round}`, 'v');
      assert.equal(next.modRevision, cur + 1);
      lastMax = next.modRevision;
      await b.close();
    }
  });
});
