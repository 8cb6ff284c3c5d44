// Binding a pod to a node. Upstream the scheduler POSTs a Binding to pods/<name>/binding, and the
// apiserver sets spec.nodeName only if it is still empty and marks the pod PodScheduled=True. kvol's API
// serves that subresource too.
import { formatTime, isConflict, type Pod, type PodCondition, Resources } from '../api/index.ts';
import type { Client } from '../client/index.ts';
import { logger } from '../component/index.ts';

const _log = logger('scheduler');

/** Binds a pod to a node. Resolves once the binding is stored; rejects if it could not be. */
export interface PodBinder {
  bind(pod: Pod, nodeName: string, signal: AbortSignal): Promise<void>;
}

export class BindingConflictError extends Error {
  override readonly name = 'BindingConflictError';
  readonly nodeName: string;

  constructor(pod: Pod, nodeName: string) {
    super(
      `Operation cannot be fulfilled on pods/binding "${pod.metadata.name ?? ''}": pod ${pod.metadata.name ?? ''} is already assigned to node "${nodeName}"`,
    );
    this.nodeName = nodeName;
  }
}

export function isBindingConflictError(err: unknown): err is BindingConflictError {
  return err instanceof BindingConflictError;
}

/**
 * Returns the pod's conditions with `cond` set (lastTransitionTime kept when the status is unchanged),
 * or undefined when the pod already carries an identical condition.
 */
export function withPodCondition(pod: Pod, cond: PodCondition, now: number): PodCondition[] | undefined {
  const conds = pod.status?.conditions ?? [];
  const i = conds.findIndex((c) => c.type === cond.type);
  const old = i >= 0 ? conds[i] : undefined;
  if (
    old !== undefined &&
    old.status === cond.status &&
    (old.reason ?? '') === (cond.reason ?? '') &&
    (old.message ?? '') === (cond.message ?? '')
  ) {
    return undefined;
  }
  const next: PodCondition = {
    ...cond,
    lastProbeTime: null,
    lastTransitionTime:
      old !== undefined && old.status === cond.status
        ? (old.lastTransitionTime ?? formatTime(now))
        : formatTime(now),
  };
  const out = [...conds];
  if (i >= 0) out[i] = next;
  else out.push(next);
  return out;
}

/** Upstream's DefaultBinder: POST pods/{name}/binding; the API server sets PodScheduled=True. */
export class DefaultPodBinder implements PodBinder {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async bind(pod: Pod, nodeName: string, signal: AbortSignal): Promise<void> {
    const pods = this.#client.resource<Pod>(Resources.pods, pod.metadata.namespace);
    try {
      await pods.bindPod(pod.metadata.name ?? '', nodeName, { signal });
    } catch (err) {
      if (!isConflict(err)) throw err;
      // Already assigned (by us on a retried request, or by someone else): read who won.
      const current = await pods.get(pod.metadata.name ?? '', { signal });
      const assigned = current.spec?.nodeName ?? '';
      if (current.metadata.uid === pod.metadata.uid && assigned === nodeName) return;
      if (assigned !== '') throw new BindingConflictError(current, assigned);
      throw err;
    }
  }
}
