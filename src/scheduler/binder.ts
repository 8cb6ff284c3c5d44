// Binding a pod to a node. Upstream the scheduler POSTs a Binding to pods/<name>/binding, and the
// apiserver sets spec.nodeName only if it is still empty and marks the pod PodScheduled=True. kvol's API
// has no pods/binding subresource, so UpdatePodBinder emulates it: an optimistic-concurrency update of
// spec.nodeName (carrying the resourceVersion the scheduler saw, so a concurrent writer makes it fail
// with a Conflict; on Conflict the pod is re-read and the write retried only while nodeName is still
// empty), then a status patch setting PodScheduled=True.
import { formatTime, isConflict, isNotFound, type Pod, type PodCondition, Resources } from '../api/index.ts';
import type { Client } from '../client/index.ts';
import { type Clock, logger, realClock } from '../component/index.ts';
import { PodScheduledCondition } from './constants.ts';

const log = logger('scheduler');

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

export class UpdatePodBinder implements PodBinder {
  readonly #client: Client;
  readonly #clock: Clock;

  constructor(client: Client, clock: Clock = realClock) {
    this.#client = client;
    this.#clock = clock;
  }

  async bind(pod: Pod, nodeName: string, signal: AbortSignal): Promise<void> {
    const pods = this.#client.resource<Pod>(Resources.pods, pod.metadata.namespace);
    let current = pod;
    for (let attempt = 0; ; attempt++) {
      const assigned = current.spec?.nodeName ?? '';
      if (assigned !== '') {
        if (assigned === nodeName && attempt > 0) break;
        throw new BindingConflictError(current, assigned);
      }
      const next = structuredClone(current) as Pod;
      next.spec = { ...(next.spec ?? { containers: [] }), nodeName };
      try {
        current = await pods.update(next, { signal });
        break;
      } catch (err) {
        if (!isConflict(err) || attempt >= 4) throw err;
        current = await pods.get(pod.metadata.name ?? '', { signal });
        if (current.metadata.uid !== pod.metadata.uid) throw err;
      }
    }
    const conditions = withPodCondition(
      current,
      { type: PodScheduledCondition, status: 'True' },
      this.#clock.now(),
    );
    if (conditions === undefined) return;
    try {
      await pods.patch(
        pod.metadata.name ?? '',
        'application/strategic-merge-patch+json',
        { status: { conditions } },
        { subresource: 'status', signal },
      );
    } catch (err) {
      // The binding is stored; the condition is informative (the kubelet sets it as well).
      if (!isNotFound(err))
        log.warn('Failed to set PodScheduled on a bound pod', { pod: pod.metadata.name, err });
    }
  }
}
