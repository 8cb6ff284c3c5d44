// The revisioned key-value contract every store backend implements (shaped like etcd v3 / kine).
//
// Revisions are one global, dense, strictly increasing integer sequence per backend: every create,
// update and delete gets the next revision, and that revision becomes the key's modRevision. Values are
// opaque strings (the apiserver stores JSON). A write's promise resolves only after the write is
// durable, and the backend's watchers have been handed the write's event before that promise resolves
// (so a reader who saw the acknowledgement and then starts a watch from an earlier revision sees it).

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** Revision of the write that created this incarnation of the key. */
  readonly createRevision: number;
  /** Revision of the last write to the key (for a delete event: the deletion's revision). */
  readonly modRevision: number;
}

export interface StoreEvent {
  readonly type: 'put' | 'delete';
  /** For puts, the new state. For deletes, the last value with modRevision = the deletion revision. */
  readonly kv: KeyValue;
  /** The state before this write, when there was one. */
  readonly prevKv?: KeyValue;
}

export interface ListOptions {
  /** At most this many items (0 or absent: all). */
  readonly limit?: number;
  /** Start at this key (inclusive); for continuing a paginated list. */
  readonly startKey?: string;
  /** Read the state as of this revision (0 or absent: current). Compacted revisions throw CompactedError. */
  readonly revision?: number;
}

export interface ListResult {
  readonly items: readonly KeyValue[];
  /** The revision the list reflects (the store's current revision when none was asked for). */
  readonly revision: number;
  /** True when more keys under the prefix follow the last returned one. */
  readonly more: boolean;
}

export interface Watcher {
  /** Stops delivery; idempotent. */
  close(): void;
}

export interface WatchOptions {
  /** Deliver every event with modRevision > afterRevision, in revision order, then live ones. */
  readonly afterRevision: number;
  /** Called with batches of events in revision order. Must not throw. */
  readonly onEvents: (events: readonly StoreEvent[]) => void;
  /** Called once if the backend ends the watch (closed backend, lost connection). */
  readonly onError?: (err: Error) => void;
}

export interface Backend {
  /** Backend name for metrics and messages (`sqlite`, `memory`, `etcd`). */
  readonly name: string;
  /** Creates the key. Throws KeyExistsError when it exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Replaces the value if the key's modRevision equals `expectedRevision`. Throws ConflictError or KeyNotFoundError. */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /**
   * Deletes the key, if given only when its modRevision equals `expectedRevision`. Returns the deleted
   * state with modRevision = the deletion revision. Throws KeyNotFoundError or ConflictError.
   */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys starting with `prefix`, in byte order of the key. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Current (latest) revision; 0 for an empty store. */
  currentRevision(): Promise<number>;
  /** Revisions at or below this one have been compacted away (0 if never). */
  compactedRevision(): Promise<number>;
  /** Forgets history at or below `revision` (superseded values and tombstones); current values stay. */
  compact(revision: number): Promise<void>;
  /** Watches keys under `prefix`. Throws CompactedError if afterRevision < compacted revision. */
  watch(prefix: string, opts: WatchOptions): Watcher;
  /** Flushes and releases everything; pending writes finish first. Idempotent. */
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  override readonly name = 'KeyExistsError';
  readonly key: string;
  constructor(key: string) {
    super(`key exists: ${key}`);
    this.key = key;
  }
}

export class KeyNotFoundError extends Error {
  override readonly name = 'KeyNotFoundError';
  readonly key: string;
  constructor(key: string) {
    super(`key not found: ${key}`);
    this.key = key;
  }
}

export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  readonly key: string;
  /** The state that won (undefined if the key is gone). */
  readonly current: KeyValue | undefined;
  constructor(key: string, current: KeyValue | undefined) {
    super(`revision conflict on ${key}`);
    this.key = key;
    this.current = current;
  }
}

export class CompactedError extends Error {
  override readonly name = 'CompactedError';
  readonly requested: number;
  readonly compacted: number;
  constructor(requested: number, compacted: number) {
    super(`revision ${requested} has been compacted (compacted revision ${compacted})`);
    this.requested = requested;
    this.compacted = compacted;
  }
}

/** The revision asked for is newer than the store's current revision. */
export class FutureRevisionError extends Error {
  override readonly name = 'FutureRevisionError';
  readonly requested: number;
  readonly current: number;
  constructor(requested: number, current: number) {
    super(`revision ${requested} is in the future (current revision ${current})`);
    this.requested = requested;
    this.current = current;
  }
}

/** The on-disk store was written by a version of kvol this one cannot read. */
export class IncompatibleStoreError extends Error {
  override readonly name = 'IncompatibleStoreError';
  readonly found: string;
  readonly supported: string;
  constructor(path: string, found: string, supported: string) {
    super(
      `the store at ${path} has schema version ${found}, this kvol reads version ${supported}; ` +
        'use the kvol release that wrote it, or start with a new --data-dir',
    );
    this.found = found;
    this.supported = supported;
  }
}

export const isKeyExists = (e: unknown): e is KeyExistsError => e instanceof KeyExistsError;
export const isKeyNotFound = (e: unknown): e is KeyNotFoundError => e instanceof KeyNotFoundError;
export const isConflict = (e: unknown): e is ConflictError => e instanceof ConflictError;
export const isCompacted = (e: unknown): e is CompactedError => e instanceof CompactedError;
export const isFutureRevision = (e: unknown): e is FutureRevisionError => e instanceof FutureRevisionError;
export const isIncompatibleStore = (e: unknown): e is IncompatibleStoreError =>
  e instanceof IncompatibleStoreError;

/** Backends registered by URL scheme (`sqlite://path`, `memory://`, `etcd://host:port,...`). */
export type BackendFactory = (url: URL) => Promise<Backend>;
const factories = new Map<string, BackendFactory>();

export function registerBackend(scheme: string, factory: BackendFactory): void {
  factories.set(scheme, factory);
}

export async function openBackend(url: string): Promise<Backend> {
  const u = new URL(url);
  const scheme = u.protocol.replace(/:$/, '');
  const f = factories.get(scheme);
  if (f === undefined) {
    throw new Error(`unknown store scheme "${scheme}" in ${url}; known: ${[...factories.keys()].join(', ')}`);
  }
  return f(u);
}
