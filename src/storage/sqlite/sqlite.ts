// The embedded SQLite store backend (`sqlite:///abs/path/kvol.db`), on kine's log model: every write
// appends one row to `log` (rev = the global revision), deletes append tombstones, and UNIQUE(key,
// prev_rev) guards compare-and-swap. A `current` table maps each live key to its newest row, so gets and
// lists at the current revision need no MAX(rev) GROUP BY scan; lists at an older revision and watch
// history read the log until compaction forgets them.
//
// Concurrency rule: ONE process owns the database. It takes SQLite's exclusive lock at open and holds it
// until close (a second kvol on the same data dir fails with StoreLockedError; the OS drops the lock if
// the process dies), so there is no polling for other writers and watchers are fed in-process.
// better-sqlite3 is synchronous, so all SQL runs on the event loop thread. Writes are group-committed:
// writes that arrive in the same tick queue up and commit together in one transaction (one fsync with
// synchronous=FULL); a write that fails its precondition fails alone and the rest of the batch commits.
// Revisions are assigned densely in queue order. A batch's events go to watchers right after the commit
// and before any of its promises resolve. Compaction runs in chunks between write batches.

import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import Database from 'better-sqlite3';
import {
  type Backend,
  CompactedError,
  ConflictError,
  FutureRevisionError,
  IncompatibleStoreError,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type StoreEvent,
  type Watcher,
  type WatchOptions,
} from '../backend.ts';
import { compareKeys, prefixEnd, StoreClosedError, WatchHub } from '../shared.ts';

/** The on-disk layout version this code reads and writes. */
export const SQLITE_SCHEMA_VERSION = '1';

/** The store's file could not be opened or created (missing directory, no permission, not a database). */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
  readonly path: string;
  constructor(path: string, reason: string, cause?: unknown) {
    super(`cannot open the store at ${path}: ${reason}`, cause === undefined ? undefined : { cause });
    this.path = path;
  }
}

/** Another process (or another open backend in this one) holds the store. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
  readonly path: string;
  constructor(path: string, cause?: unknown) {
    super(
      `the store at ${path} is in use by another kvol process (only one process may open a SQLite store; ` +
        'stop the other one or use another --data-dir)',
      cause === undefined ? undefined : { cause },
    );
    this.path = path;
  }
}

export const isStoreOpenError = (e: unknown): e is StoreOpenError => e instanceof StoreOpenError;
export const isStoreLocked = (e: unknown): e is StoreLockedError => e instanceof StoreLockedError;

export interface SqliteBackendOptions {
  /** Revisions forgotten per compaction transaction; writes can commit between chunks. Default 10,000. */
  readonly compactChunk?: number;
}

type WriteOp =
  | { readonly kind: 'create'; readonly key: string; readonly value: string }
  | { readonly kind: 'update'; readonly key: string; readonly value: string; readonly expected: number }
  | { readonly kind: 'delete'; readonly key: string; readonly expected: number | undefined };

interface PendingWrite {
  readonly op: WriteOp;
  readonly resolve: (kv: KeyValue) => void;
  readonly reject: (err: Error) => void;
}

type Outcome = { readonly kv: KeyValue; readonly event: StoreEvent } | { readonly err: Error };

interface LogRow {
  rev: number;
  key: string;
  created: number;
  deleted: number;
  create_rev: number;
  prev_rev: number;
  value: string;
  old_value: string | null;
}

/** The newest row of a key, without old_value (a write only needs the live value). */
type LatestRow = Pick<LogRow, 'rev' | 'key' | 'deleted' | 'create_rev' | 'value'>;

interface KvRow {
  key: string;
  value: string;
  create_rev: number;
  rev: number;
}

// A BLOB sorts after every TEXT value in SQLite, so it serves as "no upper bound" for key ranges.
const NO_END = Buffer.from([0xff]);

const SCHEMA = `
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE log (
  rev INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_rev INTEGER NOT NULL,
  prev_rev INTEGER NOT NULL,
  value TEXT NOT NULL,
  old_value TEXT
);
CREATE UNIQUE INDEX log_key_prev_rev ON log (key, prev_rev);
CREATE INDEX log_key_rev ON log (key, rev);
CREATE TABLE current (key TEXT PRIMARY KEY, rev INTEGER NOT NULL) WITHOUT ROWID;
`;

export class SqliteBackend implements Backend {
  readonly name = 'sqlite';
  readonly path: string;
  readonly #db: Database.Database;
  readonly #hub = new WatchHub();
  readonly #compactChunk: number;
  #revision: number;
  #compacted: number;
  #queue: PendingWrite[] = [];
  #flushScheduled = false;
  #closed = false;
  #compaction: Promise<void> = Promise.resolve();

  readonly #stmt: {
    latest: Database.Statement<[string], LatestRow>;
    insert: Database.Statement<[number, string, number, number, number, number, string, string | null]>;
    setCurrent: Database.Statement<[string, number]>;
    dropCurrent: Database.Statement<[string]>;
    listCurrent: Database.Statement<[string, string | Buffer, number], KvRow>;
    listAt: Database.Statement<[string, string | Buffer, number, number], KvRow>;
    history: Database.Statement<[number, string, string | Buffer], LogRow>;
    compactChunk: Database.Statement<[number, number, number, number]>;
    setMeta: Database.Statement<[string, string]>;
  };

  /** Use openSqliteBackend(); the constructor expects an opened, locked, schema-checked database. */
  constructor(path: string, db: Database.Database, opts: SqliteBackendOptions = {}) {
    this.path = path;
    this.#db = db;
    this.#compactChunk = opts.compactChunk ?? 10_000;
    this.#stmt = {
      latest: db.prepare(
        'SELECT rev, key, deleted, create_rev, value FROM log WHERE key = ? ORDER BY rev DESC LIMIT 1',
      ),
      insert: db.prepare(
        'INSERT INTO log (rev, key, created, deleted, create_rev, prev_rev, value, old_value) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      setCurrent: db.prepare(
        'INSERT INTO current (key, rev) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET rev = excluded.rev',
      ),
      dropCurrent: db.prepare('DELETE FROM current WHERE key = ?'),
      listCurrent: db.prepare(
        'SELECT l.key, l.value, l.create_rev, l.rev FROM current c JOIN log l ON l.rev = c.rev ' +
          'WHERE c.key >= ? AND c.key < ? ORDER BY c.key LIMIT ?',
      ),
      listAt: db.prepare(
        'SELECT l.key, l.value, l.create_rev, l.rev FROM log l JOIN ' +
          '(SELECT key, MAX(rev) AS r FROM log WHERE key >= ? AND key < ? AND rev <= ? GROUP BY key) m ' +
          'ON l.rev = m.r WHERE l.deleted = 0 ORDER BY l.key LIMIT ?',
      ),
      history: db.prepare('SELECT * FROM log WHERE rev > ? AND key >= ? AND key < ? ORDER BY rev'),
      // Superseded rows (the prev_rev of a row in the chunk) and tombstones in the chunk. Rows at or
      // below the chunk's start were handled by earlier chunks, so each chunk only looks at its own rows.
      compactChunk: db.prepare(
        'DELETE FROM log WHERE rev IN (' +
          'SELECT prev_rev FROM log WHERE rev > ? AND rev <= ? AND prev_rev != 0 ' +
          'UNION SELECT rev FROM log WHERE rev > ? AND rev <= ? AND deleted != 0)',
      ),
      setMeta: db.prepare(
        'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      ),
    };
    const meta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE name = ?');
    this.#compacted = Number(meta.get('compacted_rev')?.value ?? '0');
    const maxRev = db.prepare<[], { m: number | null }>('SELECT MAX(rev) AS m FROM log').get()?.m ?? 0;
    // Compaction may delete the newest row (a tombstone), so the compacted revision also bounds it.
    this.#revision = Math.max(maxRev, this.#compacted);
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.#enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.#enqueue({ kind: 'update', key, value, expected: expectedRevision });
  }

  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.#enqueue({ kind: 'delete', key, expected: expectedRevision });
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#check();
    const row = this.#stmt.latest.get(key);
    return row === undefined || row.deleted !== 0 ? undefined : liveKv(row);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#check();
    const current = this.#revision;
    const at = opts.revision !== undefined && opts.revision > 0 ? opts.revision : current;
    if (at < this.#compacted) throw new CompactedError(at, this.#compacted);
    if (at > current) throw new FutureRevisionError(at, current);
    const start =
      opts.startKey !== undefined && compareKeys(opts.startKey, prefix) > 0 ? opts.startKey : prefix;
    const end = prefixEnd(prefix) ?? NO_END;
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : 0;
    const sqlLimit = limit > 0 ? limit + 1 : -1;
    const rows =
      at === current
        ? this.#stmt.listCurrent.all(start, end, sqlLimit)
        : this.#stmt.listAt.all(start, end, at, sqlLimit);
    const more = limit > 0 && rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map(
      (r): KeyValue => ({ key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.rev }),
    );
    return { items, revision: at, more };
  }

  async currentRevision(): Promise<number> {
    this.#check();
    return this.#revision;
  }

  async compactedRevision(): Promise<number> {
    this.#check();
    return this.#compacted;
  }

  compact(revision: number): Promise<void> {
    const run = this.#compaction.then(() => this.#compact(revision));
    // The chain itself must never stay rejected, or every later compaction would fail with this error.
    this.#compaction = run.catch(() => undefined);
    return run;
  }

  async #compact(revision: number): Promise<void> {
    this.#check();
    if (revision > this.#revision) throw new FutureRevisionError(revision, this.#revision);
    const step = this.#db.transaction((lo: number, hi: number) => {
      this.#stmt.compactChunk.run(lo, hi, lo, hi);
      this.#stmt.setMeta.run('compacted_rev', String(hi));
    });
    while (this.#compacted < revision) {
      if (this.#closed) return;
      const lo = this.#compacted;
      const hi = Math.min(revision, lo + this.#compactChunk);
      step(lo, hi);
      this.#compacted = hi;
      if (hi < revision) await new Promise<void>((r) => setImmediate(r));
    }
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    this.#check();
    if (opts.afterRevision < this.#compacted) throw new CompactedError(opts.afterRevision, this.#compacted);
    // History and registration happen in one synchronous step: no commit can fall between them.
    const rows = this.#stmt.history.all(opts.afterRevision, prefix, prefixEnd(prefix) ?? NO_END);
    return this.#hub.add(prefix, rows.map(rowEvent), opts);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#flush(); // pending writes finish first
    this.#hub.closeAll(new StoreClosedError(this.name));
    this.#db.close();
  }

  #check(): void {
    if (this.#closed) throw new StoreClosedError(this.name);
  }

  #enqueue(op: WriteOp): Promise<KeyValue> {
    if (this.#closed) return Promise.reject(new StoreClosedError(this.name));
    return new Promise<KeyValue>((resolve, reject) => {
      this.#queue.push({ op, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // Runs after the current tick's microtasks, so every write issued in this tick joins the batch.
        // A commit blocks the thread, so writes that arrive "during" it queue up for the next batch.
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#queue;
    if (batch.length === 0 || !this.#db.open) return;
    this.#queue = [];
    const base = this.#revision;
    const outcomes: Outcome[] = [];
    try {
      this.#db.transaction(() => {
        for (const p of batch) outcomes.push(this.#apply(p.op));
      })();
    } catch (e) {
      // The transaction rolled back (I/O error, disk full): nothing in the batch is durable.
      this.#revision = base;
      const err = e instanceof Error ? e : new Error(String(e));
      for (const p of batch) p.reject(err);
      return;
    }
    const events: StoreEvent[] = [];
    for (const o of outcomes) if ('event' in o) events.push(o.event);
    this.#hub.publish(events);
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if ('kv' in o) p.resolve(o.kv);
      else p.reject(o.err);
    });
  }

  /** Checks one write's precondition against the state so far (this batch included) and appends it. */
  #apply(op: WriteOp): Outcome {
    const { key } = op;
    const latest = this.#stmt.latest.get(key);
    const cur = latest === undefined || latest.deleted !== 0 ? undefined : liveKv(latest);
    const prevRev = latest?.rev ?? 0;
    const rev = this.#revision + 1;
    if (op.kind === 'create') {
      if (cur !== undefined) return { err: new KeyExistsError(key) };
      this.#stmt.insert.run(rev, key, 1, 0, rev, prevRev, op.value, null);
      this.#stmt.setCurrent.run(key, rev);
      this.#revision = rev;
      const kv: KeyValue = { key, value: op.value, createRevision: rev, modRevision: rev };
      return { kv, event: { type: 'put', kv } };
    }
    if (cur === undefined) return { err: new KeyNotFoundError(key) };
    if (op.expected !== undefined && cur.modRevision !== op.expected)
      return { err: new ConflictError(key, cur) };
    if (op.kind === 'update') {
      this.#stmt.insert.run(rev, key, 0, 0, cur.createRevision, prevRev, op.value, cur.value);
      this.#stmt.setCurrent.run(key, rev);
      this.#revision = rev;
      const kv: KeyValue = { key, value: op.value, createRevision: cur.createRevision, modRevision: rev };
      return { kv, event: { type: 'put', kv, prevKv: cur } };
    }
    this.#stmt.insert.run(rev, key, 0, 1, cur.createRevision, prevRev, '', cur.value);
    this.#stmt.dropCurrent.run(key);
    this.#revision = rev;
    const kv: KeyValue = { ...cur, modRevision: rev };
    return { kv, event: { type: 'delete', kv, prevKv: cur } };
  }
}

function liveKv(r: LatestRow): KeyValue {
  return { key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.rev };
}

/** The watch event a log row stands for; prevKv comes from the row itself, so it survives compaction. */
function rowEvent(r: LogRow): StoreEvent {
  const prevKv: KeyValue | undefined =
    r.created !== 0
      ? undefined
      : { key: r.key, value: r.old_value ?? '', createRevision: r.create_rev, modRevision: r.prev_rev };
  if (r.deleted !== 0) {
    const kv: KeyValue = {
      key: r.key,
      value: r.old_value ?? '',
      createRevision: r.create_rev,
      modRevision: r.rev,
    };
    return prevKv === undefined ? { type: 'delete', kv } : { type: 'delete', kv, prevKv };
  }
  const kv = liveKv(r);
  return prevKv === undefined ? { type: 'put', kv } : { type: 'put', kv, prevKv };
}

/** The database file path in a `sqlite:///abs/path/kvol.db` URL. */
export function sqlitePathFromUrl(url: URL): string {
  if (url.host !== '') {
    throw new StoreOpenError(
      url.href,
      `the path must be absolute: write sqlite:///${url.host}${url.pathname} (three slashes)`,
    );
  }
  const path = decodeURIComponent(url.pathname);
  if (!isAbsolute(path) || path.endsWith('/')) {
    throw new StoreOpenError(url.href, 'expected sqlite:///absolute/path/to/kvol.db');
  }
  return path;
}

/**
 * Opens (creating if needed, with its directory) the SQLite store at `path`, takes its exclusive lock and
 * checks the schema version. Throws StoreOpenError, StoreLockedError or IncompatibleStoreError.
 */
export async function openSqliteBackend(
  target: string | URL,
  opts: SqliteBackendOptions = {},
): Promise<SqliteBackend> {
  const path = typeof target === 'string' ? target : sqlitePathFromUrl(target);
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new StoreOpenError(
      path,
      `its directory ${dir} cannot be created or is not writable (${errText(e)})`,
      e,
    );
  }
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === true) {
      throw new Error('it is a directory');
    }
  } catch (e) {
    throw new StoreOpenError(path, errText(e), e);
  }
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: 0 });
  } catch (e) {
    throw new StoreOpenError(path, `${errText(e)}; check that the directory exists and is writable`, e);
  }
  try {
    // Exclusive locking before WAL: the lock is held until close and the WAL index lives in heap memory
    // (no -shm file), which is right for a single owning process.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    // Refuse a foreign or newer store before anything writes to the file (the WAL switch rewrites its
    // header), so a store we cannot read is left exactly as it was.
    checkSchema(db, path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  } catch (e) {
    if (e instanceof IncompatibleStoreError) {
      db.close();
      throw e;
    }
    db.close();
    if (sqliteCode(e) === 'SQLITE_BUSY' || sqliteCode(e) === 'SQLITE_LOCKED')
      throw new StoreLockedError(path, e);
    if (sqliteCode(e) === 'SQLITE_NOTADB')
      throw new StoreOpenError(path, 'the file is not a SQLite database', e);
    throw new StoreOpenError(path, errText(e), e);
  }
  try {
    ensureSchema(db, path);
  } catch (e) {
    db.close();
    if (e instanceof IncompatibleStoreError) throw e;
    throw new StoreOpenError(path, errText(e), e);
  }
  return new SqliteBackend(path, db, opts);
}

/** Throws IncompatibleStoreError for a store of another schema version or a foreign database. */
function checkSchema(db: Database.Database, path: string): void {
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()
    .map((r) => r.name);
  if (tables.includes('meta')) {
    const v = db
      .prepare<[], { value: string }>("SELECT value FROM meta WHERE name = 'schema_version'")
      .get()?.value;
    if (v !== SQLITE_SCHEMA_VERSION)
      throw new IncompatibleStoreError(path, v ?? 'unknown', SQLITE_SCHEMA_VERSION);
  } else if (tables.length > 0) {
    throw new IncompatibleStoreError(path, 'none (not a kvol store)', SQLITE_SCHEMA_VERSION);
  }
}

function ensureSchema(db: Database.Database, path: string): void {
  checkSchema(db, path);
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (exists !== undefined) return;
  db.transaction(() => {
    db.exec(SCHEMA);
    db.prepare("INSERT INTO meta (name, value) VALUES ('schema_version', ?), ('compacted_rev', '0')").run(
      SQLITE_SCHEMA_VERSION,
    );
  })();
}

function sqliteCode(e: unknown): string | undefined {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
