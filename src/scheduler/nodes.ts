// Node-level predicates shared by the scheduler's filters and the volume binder: node selector terms
// (component-helpers/scheduling/corev1.MatchNodeSelectorTerms), taints and tolerations
// (v1helper.FindMatchingUntoleratedTaint), readiness and allowed topologies.
import {
  type LabelOperator,
  type Node,
  type NodeSelectorRequirement,
  type NodeSelectorTerm,
  newRequirement,
  type Pod,
  requirementMatches,
  type Taint,
  type Toleration,
  type TopologySelectorTerm,
} from '../api/index.ts';
import { TaintNodeNotReady, TaintNodeUnreachable } from './constants.ts';

const operators: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

/** One requirement against a label set; an invalid requirement never matches (upstream: a parse error). */
function expressionMatches(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const op = operators[r.operator];
  if (op === undefined) return false;
  try {
    return requirementMatches(newRequirement(r.key, op, r.values ?? []), labels);
  } catch {
    return false;
  }
}

/** matchFields supports only metadata.name with In/NotIn (nodeaffinity.nodeFieldSelectorKeys). */
function fieldMatches(r: NodeSelectorRequirement, nodeName: string): boolean {
  if (r.key !== 'metadata.name') return false;
  if (r.operator === 'In') return (r.values ?? []).length === 1 && r.values![0] === nodeName;
  if (r.operator === 'NotIn') return !(r.values ?? []).includes(nodeName);
  return false;
}

/** A term matches when all its expressions and fields do; an empty term matches nothing. */
export function nodeSelectorTermMatches(
  term: NodeSelectorTerm,
  labels: Readonly<Record<string, string>>,
  nodeName: string,
): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return exprs.every((e) => expressionMatches(e, labels)) && fields.every((f) => fieldMatches(f, nodeName));
}

/** Terms are ORed. */
export function nodeSelectorTermsMatch(
  terms: readonly NodeSelectorTerm[],
  labels: Readonly<Record<string, string>>,
  nodeName: string,
): boolean {
  return terms.some((t) => nodeSelectorTermMatches(t, labels, nodeName));
}

/** NodeAffinity's Filter: spec.nodeSelector and requiredDuringScheduling node affinity. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined) return true;
  return nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], labels, node.metadata.name ?? '');
}

/** Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if ((t.effect ?? '') !== '' && t.effect !== taint.effect) return false;
  if ((t.key ?? '') !== '' && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(
  tolerations: readonly Toleration[] | undefined,
  taint: Taint,
): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/**
 * The taints the scheduler sees on a node: its own, plus the NoSchedule taint the node lifecycle
 * controller would add when the node is not Ready (kvol runs no such controller): `not-ready` when
 * Ready is False, `unreachable` when it is Unknown or missing.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    const key = ready?.status === 'False' ? TaintNodeNotReady : TaintNodeUnreachable;
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) {
      taints.push({ key, effect: 'NoSchedule' });
    }
  }
  return taints;
}

/** The first NoSchedule/NoExecute taint no toleration tolerates, or undefined. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[] | undefined,
): Taint | undefined {
  return taints.find(
    (t) =>
      (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerationsTolerateTaint(tolerations, t),
  );
}

/** v1helper.MatchTopologySelectorTerms: no terms match everything; terms ORed, expressions ANDed. */
export function matchTopologySelectorTerms(
  terms: readonly TopologySelectorTerm[] | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (terms === undefined || terms.length === 0) return true;
  return terms.some((term) => {
    const exprs = term.matchLabelExpressions ?? [];
    if (exprs.length === 0) return false;
    return exprs.every((e) => Object.hasOwn(labels, e.key) && e.values.includes(labels[e.key]!));
  });
}
