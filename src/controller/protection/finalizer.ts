// Removing one protection finalizer from an object being deleted, without ever dropping a finalizer that
// another component added concurrently (pkg/controller/volume/protectionutil plus the removal step of both
// protection controllers).
//
// Upstream sends an Update of the whole object; we send a JSON merge patch that carries the remaining
// finalizers and metadata.resourceVersion as an optimistic-lock precondition, so a concurrent change makes
// the write fail with 409 Conflict instead of overwriting it. On a conflict we read the object afresh and
// decide again on that version, a bounded number of times (client-go's retry.RetryOnConflict). The write is
// idempotent: repeating it after a crash finds the finalizer gone (nothing to do) or the object deleted.
import { isConflict, isNotFound, type KubeObject } from '../../api/index.ts';
import type { ResourceClient } from '../../client/index.ts';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

/** Being deleted and still held by the finalizer (protectionutil.IsDeletionCandidate). */
export function isDeletionCandidate(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata.deletionTimestamp !== undefined && hasFinalizer(obj, finalizer);
}

/**
 * What removeFinalizer did: `removed` the finalizer; kept it because the object is `inUse`; found it
 * `notCandidate` (not being deleted, or the finalizer already gone); or found the object `gone`.
 */
export type RemoveOutcome = 'removed' | 'inUse' | 'notCandidate' | 'gone';

export interface RemoveFinalizerOptions<T extends KubeObject> {
  /** The client of the object's resource, bound to its namespace for namespaced resources. */
  client: ResourceClient<T>;
  finalizer: string;
  /**
   * Whether the finalizer may go, decided on the version at hand: first the one passed in, then each
   * version read again after a conflict.
   */
  removable(obj: T): Promise<boolean>;
  /** Writes tried before the last conflict is thrown; default 5 (client-go's retry.DefaultRetry). */
  maxAttempts?: number;
  signal?: AbortSignal;
}

/**
 * Removes the finalizer from `obj` when it is a deletion candidate and `removable` agrees. Throws the
 * last conflict after maxAttempts, and any other API error at once, for the caller to retry later.
 */
export async function removeFinalizer<T extends KubeObject>(
  obj: T,
  opts: RemoveFinalizerOptions<T>,
): Promise<RemoveOutcome> {
  const maxAttempts = opts.maxAttempts ?? 5;
  const name = obj.metadata.name ?? '';
  const callOpts = opts.signal === undefined ? {} : { signal: opts.signal };
  let cur = obj;
  for (let attempt = 1; ; attempt++) {
    if (!isDeletionCandidate(cur, opts.finalizer)) return 'notCandidate';
    if (!(await opts.removable(cur))) return 'inUse';
    const remaining = (cur.metadata.finalizers ?? []).filter((f) => f !== opts.finalizer);
    const patch = {
      metadata: {
        resourceVersion: cur.metadata.resourceVersion,
        finalizers: remaining.length > 0 ? remaining : null,
      },
    };
    try {
      await opts.client.patch(name, 'application/merge-patch+json', patch, callOpts);
      return 'removed';
    } catch (err) {
      if (isNotFound(err)) return 'gone';
      if (!isConflict(err) || attempt >= maxAttempts) throw err;
    }
    try {
      cur = await opts.client.get(name, callOpts);
    } catch (err) {
      if (isNotFound(err)) return 'gone';
      throw err;
    }
  }
}
