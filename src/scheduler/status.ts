// The plugin result type (framework.Status) and the FitError message upstream builds from the per-node
// statuses: reasons counted over nodes, rendered `<count> <reason>`, sorted as strings, plus the
// DefaultPreemption post-filter message.
import {
  NoNodeAvailableMsg,
  PreemptionNotHelpful,
  PreemptionNoVictims,
  PreemptionPolicyNever,
} from './constants.ts';

export type StatusCode = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip';

/** A plugin's verdict. `reasons` are the user-facing strings; an Error carries its message as one reason. */
export interface Status {
  code: StatusCode;
  reasons: string[];
  plugin?: string;
}

export const success: Status = Object.freeze({ code: 'Success', reasons: [] }) as Status;

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

export function errorStatus(message: string): Status {
  return { code: 'Error', reasons: [message] };
}

export function isRejected(s: Status): boolean {
  return s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable';
}

export function statusMessage(s: Status): string {
  return s.reasons.join(', ');
}

/** A scheduling failure that is not a FitError: the message becomes the event and condition message. */
export class SchedulingError extends Error {
  override readonly name = 'SchedulingError';
  readonly unschedulable: boolean;

  constructor(message: string, opts: { unschedulable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.unschedulable = opts.unschedulable ?? false;
  }
}

export function isSchedulingError(err: unknown): err is SchedulingError {
  return err instanceof SchedulingError;
}

/** What findNodesThatFitPod learned: a PreFilter rejection, or each node's Filter status. */
export interface Diagnosis {
  numAllNodes: number;
  /** Set when PreFilter rejected the pod; every node then carries that status. */
  preFilterMsg: string;
  nodeToStatus: Map<string, Status>;
  postFilterMsg: string;
}

function histogram(statuses: Iterable<Status>): string[] {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  // Go's sort.Strings compares bytes; JS string comparison of these ASCII strings agrees.
  return [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** framework.FitError.Error(). */
export function fitErrorMessage(d: Diagnosis): string {
  let msg = `${NoNodeAvailableMsg(d.numAllNodes)}:`;
  if (d.preFilterMsg !== '') msg += ` ${d.preFilterMsg}.`;
  else {
    const sorted = histogram(d.nodeToStatus.values());
    if (sorted.length > 0) msg += ` ${sorted.join(', ')}.`;
  }
  if (d.postFilterMsg !== '') msg += ` ${d.postFilterMsg}.`;
  return msg;
}

/**
 * DefaultPreemption's PostFilter message. kvol does not preempt: nodes rejected as unresolvable are
 * "not helpful", and the others report that no victims were found (what upstream reports when no
 * lower-priority pod runs there, the usual case without PriorityClasses).
 */
export function preemptionMessage(
  preemptionPolicy: string | undefined,
  numAllNodes: number,
  nodeToStatus: Map<string, Status>,
): string {
  if (preemptionPolicy === 'Never') return `preemption: ${PreemptionPolicyNever}`;
  const inner = new Map<string, Status>();
  let i = 0;
  for (const [node, s] of nodeToStatus) {
    inner.set(
      node,
      s.code === 'Unschedulable' ? unresolvable(PreemptionNoVictims) : unresolvable(PreemptionNotHelpful),
    );
    i++;
  }
  // Nodes absent from the map (none in kvol) would count as unresolvable.
  for (; i < numAllNodes; i++) inner.set(`\u0000absent-${i}`, unresolvable(PreemptionNotHelpful));
  const d: Diagnosis = { numAllNodes, preFilterMsg: '', nodeToStatus: inner, postFilterMsg: '' };
  return `preemption: ${fitErrorMessage(d)}`;
}
