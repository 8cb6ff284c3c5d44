// Nested pending operations (upstream pkg/volume/util/nestedpendingoperations) and the per-key
// exponential backoff (pkg/util/goroutinemap/exponentialbackoff).
//
// Concurrency rule: an operation is keyed by (volume, pod, node). A new operation is refused while a
// conflicting one is pending: same volume, and pod names equal or either empty, and node names equal
// or either empty. So an operation with an empty pod name (mount of an attachable or device-mountable
// volume, unmountDevice, verifyControllerAttached) serialises every operation on that volume, while
// per-pod operations (set-up of an emptyDir, a secret, ...) of different pods run in parallel. An empty
// volume name never conflicts.
//
// Backoff is tied to the operation name: after a failure the same key refuses an operation of the same
// name until 500 ms (doubling per failure up to 2 m 2 s) have passed; an operation of a different
// name (an unmount after failed mounts) runs at once and starts a fresh backoff. Success forgets the key.
import { type Clock, logger, realClock } from '../../../component/index.ts';

const log = logger('nestedpendingoperations');

export const EmptyUniqueVolumeName = '';
export const EmptyUniquePodName = '';
export const EmptyNodeName = '';

/** First delay after a failure (upstream initialDurationBeforeRetry). */
export const initialDurationBeforeRetryMs = 500;
/** Cap of the delay (upstream maxDurationBeforeRetry, 2 m 2 s). */
export const maxDurationBeforeRetryMs = 2 * 60_000 + 2_000;

export interface OperationKey {
  readonly volumeName: string;
  readonly podName: string;
  readonly nodeName: string;
}

function formatKey(k: OperationKey): string {
  return `{volumeName:${k.volumeName} podName:${k.podName} nodeName:${k.nodeName}}`;
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const m = Math.floor(ms / 60_000);
  const s = (ms % 60_000) / 1000;
  return m > 0 ? `${m}m${s}s` : `${s}s`;
}

/** Per-key retry gate (upstream exponentialbackoff.ExponentialBackoff). */
export class ExponentialBackoff {
  lastError: unknown = undefined;
  lastErrorTime = 0;
  durationBeforeRetryMs = 0;

  /** Throws an ExponentialBackoffError while inside the window after the last failure. */
  safeToRetry(operationName: string, now: number): void {
    if (this.durationBeforeRetryMs > 0 && now - this.lastErrorTime <= this.durationBeforeRetryMs) {
      throw new ExponentialBackoffError(operationName, this);
    }
  }

  update(err: unknown, now: number): void {
    this.durationBeforeRetryMs =
      this.durationBeforeRetryMs === 0
        ? initialDurationBeforeRetryMs
        : Math.min(2 * this.durationBeforeRetryMs, maxDurationBeforeRetryMs);
    this.lastError = err;
    this.lastErrorTime = now;
  }

  /** When the next retry is allowed (ms since the epoch). */
  get retryAt(): number {
    return this.lastErrorTime + this.durationBeforeRetryMs;
  }

  generateNoRetriesPermittedMsg(operationName: string): string {
    const err = this.lastError instanceof Error ? this.lastError.message : String(this.lastError);
    return (
      `Operation for ${JSON.stringify(operationName)} failed. No retries permitted until ` +
      `${new Date(this.retryAt + 1).toISOString()} (durationBeforeRetry ${formatDuration(this.durationBeforeRetryMs)}). Error: ${err}`
    );
  }
}

/** A conflicting operation is pending (upstream NewAlreadyExistsError). */
export class OperationAlreadyExistsError extends Error {
  override readonly name = 'OperationAlreadyExistsError';
  readonly key: OperationKey;
  constructor(key: OperationKey) {
    super(
      `Failed to create operation with name ${formatKey(key)}. An operation with that name is already executing.`,
    );
    this.key = key;
  }
}

/** The key is inside its backoff window (upstream exponentialBackoffError). */
export class ExponentialBackoffError extends Error {
  override readonly name = 'ExponentialBackoffError';
  readonly retryAt: number;
  constructor(operationName: string, b: ExponentialBackoff) {
    super(b.generateNoRetriesPermittedMsg(operationName));
    this.retryAt = b.retryAt;
  }
}

export const isOperationAlreadyExistsError = (e: unknown): e is OperationAlreadyExistsError =>
  e instanceof OperationAlreadyExistsError;
export const isExponentialBackoffError = (e: unknown): e is ExponentialBackoffError =>
  e instanceof ExponentialBackoffError;

/** An operation ready to run (upstream GeneratedOperations). */
export interface GeneratedOperation {
  readonly operationName: string;
  /** Does the work; throws on failure (an OperationError carries the event and log messages). */
  readonly operationFunc: () => Promise<void>;
  /** Records an event about the outcome (called with the error, or undefined on success). */
  readonly eventRecorderFunc?: (err: unknown) => void;
  /** Called last with the outcome and the duration (metrics). */
  readonly completeFunc?: (err: unknown, durationMs: number) => void;
}

interface Operation {
  key: OperationKey;
  operationName: string;
  operationPending: boolean;
  expBackoff: ExponentialBackoff;
}

export interface NestedPendingOperationsOptions {
  /** Keep failed keys with a backoff (the kubelet and the attach/detach controller do). Default true. */
  exponentialBackOffOnError?: boolean;
  clock?: Clock;
  /** Called after every operation finished (success or failure), after the bookkeeping. */
  onComplete?: (key: OperationKey, err: unknown) => void;
}

export class NestedPendingOperations {
  /** Operations by volume name (a key matches only operations of its own volume), in start order. */
  readonly #ops = new Map<string, Operation[]>();
  readonly #backoffOnError: boolean;
  readonly #clock: Clock;
  readonly #onComplete: ((key: OperationKey, err: unknown) => void) | undefined;
  readonly #running = new Set<Promise<void>>();

  constructor(opts: NestedPendingOperationsOptions = {}) {
    this.#backoffOnError = opts.exponentialBackOffOnError ?? true;
    this.#clock = opts.clock ?? realClock;
    this.#onComplete = opts.onComplete;
  }

  /**
   * Starts `op` for the key unless a conflicting operation is pending (throws
   * OperationAlreadyExistsError) or the key is backing off from a failure of the same operation name
   * (throws ExponentialBackoffError). The operation itself runs asynchronously.
   */
  run(volumeName: string, podName: string, nodeName: string, op: GeneratedOperation): void {
    const key: OperationKey = { volumeName, podName, nodeName };
    const prev = this.#find(key);
    if (prev !== undefined) {
      if (prev.operationPending) throw new OperationAlreadyExistsError(key);
      try {
        prev.expBackoff.safeToRetry(formatKey(key), this.#clock.now());
      } catch (err) {
        if (prev.operationName === op.operationName) throw err;
        prev.operationName = op.operationName;
        prev.expBackoff = new ExponentialBackoff();
      }
      prev.operationPending = true;
      prev.key = key;
    } else {
      let list = this.#ops.get(volumeName);
      if (list === undefined) {
        list = [];
        this.#ops.set(volumeName, list);
      }
      list.push({
        key,
        operationName: op.operationName,
        operationPending: true,
        expBackoff: new ExponentialBackoff(),
      });
    }
    const started = this.#clock.now();
    const p = (async () => {
      let err: unknown;
      try {
        await op.operationFunc();
      } catch (e) {
        err = e ?? new Error('operation failed');
      }
      try {
        op.eventRecorderFunc?.(err);
        op.completeFunc?.(err, this.#clock.now() - started);
      } catch (e) {
        log.error('operation completion hook failed', e, { operation: op.operationName });
      }
      this.#operationComplete(key, err);
    })();
    this.#running.add(p);
    void p.finally(() => this.#running.delete(p));
  }

  /** True when an operation matching the key (with upstream's wildcard rules) is running. */
  isOperationPending(volumeName: string, podName: string, nodeName: string): boolean {
    return this.#find({ volumeName, podName, nodeName })?.operationPending === true;
  }

  /** False while a matching operation is pending, or backing off from a failure of the same name. */
  isOperationSafeToRetry(
    volumeName: string,
    podName: string,
    nodeName: string,
    operationName: string,
  ): boolean {
    const prev = this.#find({ volumeName, podName, nodeName });
    if (prev === undefined) return true;
    if (prev.operationPending) return false;
    try {
      prev.expBackoff.safeToRetry(operationName, this.#clock.now());
    } catch {
      if (prev.operationName === operationName) return false;
    }
    return true;
  }

  /** The earliest time a backing-off key may run again, or undefined when none is backing off. */
  nextRetryAt(): number | undefined {
    let next: number | undefined;
    const now = this.#clock.now();
    for (const op of this.#all()) {
      if (op.operationPending || op.expBackoff.durationBeforeRetryMs === 0) continue;
      const at = op.expBackoff.retryAt;
      if (at < now) continue;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /**
   * Forgets the backoff of finished (failed) operations whose key matches, so they may run again at
   * once — e.g. when the plugin or driver they waited for appeared. Returns how many were reset.
   */
  resetBackoff(match: (key: OperationKey) => boolean): number {
    let n = 0;
    for (const [volume, list] of this.#ops) {
      for (let i = list.length - 1; i >= 0; i--) {
        const op = list[i]!;
        if (op.operationPending || !match(op.key)) continue;
        list.splice(i, 1);
        n++;
      }
      if (list.length === 0) this.#ops.delete(volume);
    }
    return n;
  }

  /** Resolves when no operation is running (upstream Wait). */
  async wait(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Number of operations running. */
  get pendingCount(): number {
    let n = 0;
    for (const op of this.#all()) if (op.operationPending) n++;
    return n;
  }

  *#all(): Iterable<Operation> {
    for (const list of this.#ops.values()) yield* list;
  }

  /**
   * The operation a key matches (upstream's wildcard rules: an empty pod or node name matches any): the
   * first pending one, else the one with exactly this key.
   */
  #find(key: OperationKey): Operation | undefined {
    if (key.volumeName === EmptyUniqueVolumeName) return undefined;
    const list = this.#ops.get(key.volumeName);
    if (list === undefined) return undefined;
    let exact: Operation | undefined;
    for (const op of list) {
      const prev = op.key;
      const podMatch =
        prev.podName === EmptyUniquePodName ||
        key.podName === EmptyUniquePodName ||
        prev.podName === key.podName;
      const nodeMatch =
        prev.nodeName === EmptyNodeName || key.nodeName === EmptyNodeName || prev.nodeName === key.nodeName;
      if (podMatch && nodeMatch) {
        if (op.operationPending) return op;
        if (prev.podName === key.podName && prev.nodeName === key.nodeName) exact = op;
      }
    }
    return exact;
  }

  #operationComplete(key: OperationKey, err: unknown): void {
    const list = this.#ops.get(key.volumeName);
    const i = list?.findIndex((o) => o.key.podName === key.podName && o.key.nodeName === key.nodeName) ?? -1;
    if (list !== undefined && i >= 0) {
      if (err === undefined || !this.#backoffOnError) {
        list.splice(i, 1);
        if (list.length === 0) this.#ops.delete(key.volumeName);
      } else {
        const op = list[i]!;
        op.expBackoff.update(err, this.#clock.now());
        op.operationPending = false;
      }
    }
    if (err !== undefined) {
      log.v(2, 'operation failed', {
        key: formatKey(key),
        err: err instanceof Error ? err.message : String(err),
      });
    }
    try {
      this.#onComplete?.(key, err);
    } catch (e) {
      log.error('onComplete hook failed', e);
    }
  }
}
