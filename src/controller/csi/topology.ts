// Topology for CreateVolume and the PV it yields (external-provisioner pkg/controller/topology.go with
// its defaults: --strict-topology=false, --immediate-topology=true): accessibility requirements from
// the class's allowedTopologies, the selected node's labels for the driver's CSINode topology keys, or
// every node's values of those keys; and the PV node affinity from the volume's accessible topology.
// Pure functions over informer caches.
import type { CSINode, Node, TopologySelectorTerm, VolumeNodeAffinity } from '../../api/index.ts';
import type { Topology } from '../../csi/index.ts';
import { CsiControllerError } from './util.ts';

/** Sorted (key, value) pairs, ANDed. */
type Term = [string, string][];

export interface TopologyRequirement {
  requisite: Topology[];
  preferred: Topology[];
}

/** The topology keys the driver registered on a node's CSINode (empty when none). */
export function topologyKeysOf(csiNode: CSINode | undefined, driver: string): string[] {
  return [...(csiNode?.spec.drivers.find((d) => d.name === driver)?.topologyKeys ?? [])];
}

function termOf(labels: Record<string, string> | undefined, keys: readonly string[]): Term | undefined {
  const t: Term = [];
  for (const k of keys) {
    const v = labels?.[k];
    if (v === undefined) return undefined;
    t.push([k, v]);
  }
  return sortTerm(t);
}

function sortTerm(t: Term): Term {
  return t.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareTerms(a: Term, b: Term): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) break;
    const c = cmp(x[0], y[0]) || cmp(x[1], y[1]);
    if (c !== 0) return c;
  }
  return 0;
}

/** Whether every pair of `t` is in `other`. */
function subset(t: Term, other: Term): boolean {
  return t.every(([k, v]) => other.some(([k2, v2]) => k === k2 && v === v2));
}

/** flatten: each allowedTopologies term distributed into one term per combination of values. */
function flatten(allowed: readonly TopologySelectorTerm[]): Term[] {
  const out: Term[] = [];
  for (const term of allowed) {
    let acc: Term[] = [[]];
    for (const expr of term.matchLabelExpressions ?? []) {
      const next: Term[] = [];
      for (const t of acc) for (const v of expr.values) next.push([...t, [expr.key, v]]);
      acc = next;
    }
    for (const t of acc) if (t.length > 0) out.push(sortTerm(t));
  }
  return out;
}

function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** getPVCNameHashAndIndexOffset: StatefulSet claims (`name-<n>`) spread by their ordinal. */
function nameHashAndIndex(pvcName: string): { hash: number; index: number } {
  const dash = pvcName.lastIndexOf('-');
  if (dash !== -1) {
    const suffix = pvcName.slice(dash + 1);
    if (/^[0-9]+$/.test(suffix) && Number(suffix) <= 0xffffffff) {
      return { hash: fnv32a(pvcName.slice(0, dash)), index: Number(suffix) };
    }
  }
  return { hash: fnv32a(pvcName), index: 0 };
}

const toTopology = (terms: Term[]): Topology[] => terms.map((t) => ({ segments: Object.fromEntries(t) }));

export interface AccessibilityInput {
  driver: string;
  pvcName: string;
  allowedTopologies: readonly TopologySelectorTerm[] | undefined;
  /** The selected node's name (WaitForFirstConsumer), or '' for immediate binding. */
  selectedNode: string;
  csiNodes: readonly CSINode[];
  nodes: readonly Node[];
}

/**
 * GenerateAccessibilityRequirements (non-strict, immediate topology on). Undefined means "no
 * requirement". Throws CsiControllerError when the topology cannot be known yet (driver not
 * registered on the selected node, labels missing): the caller retries.
 */
export function generateAccessibilityRequirements(
  input: AccessibilityInput,
): TopologyRequirement | undefined {
  const { driver, selectedNode } = input;
  let selectedTerm: Term | undefined;
  let keys: string[] = [];
  if (selectedNode !== '') {
    keys = topologyKeysOf(
      input.csiNodes.find((c) => c.metadata.name === selectedNode),
      driver,
    );
    if (keys.length === 0) throw new CsiControllerError(`no topology key found for node ${selectedNode}`);
    const node = input.nodes.find((n) => n.metadata.name === selectedNode);
    selectedTerm = termOf(node?.metadata.labels, keys);
    if (selectedTerm === undefined) {
      throw new CsiControllerError(
        `topology labels from selected node ${JSON.stringify(node?.metadata.labels ?? {})} does not match topology keys from CSINode ${JSON.stringify(keys)}`,
      );
    }
  }
  let requisite: Term[];
  if ((input.allowedTopologies ?? []).length > 0) {
    requisite = flatten(input.allowedTopologies ?? []);
  } else {
    if (selectedNode === '') {
      for (const c of input.csiNodes) {
        keys = topologyKeysOf(c, driver);
        if (keys.length > 0) break;
      }
      if (keys.length === 0) return undefined; // no node reported topology: no requirement
    }
    requisite = [];
    for (const n of input.nodes) {
      const t = termOf(n.metadata.labels, keys);
      if (t !== undefined) requisite.push(t);
    }
    if (requisite.length === 0) {
      throw new CsiControllerError(`topologyKeys ${JSON.stringify(keys)} were not found on any nodes`);
    }
  }
  if (requisite.length === 0) return undefined;
  requisite.sort(compareTerms);
  requisite = requisite.filter((t, i) => i === 0 || compareTerms(t, requisite[i - 1] ?? []) !== 0);

  let preferred: Term[] | undefined;
  if (selectedTerm === undefined) {
    const { hash, index } = nameHashAndIndex(input.pvcName);
    const i = Number((BigInt(hash) + BigInt(index)) % BigInt(requisite.length));
    preferred = [...requisite.slice(i), ...requisite.slice(0, i)];
  } else {
    const sel = selectedTerm;
    const i = requisite.findIndex((t) => subset(t, sel));
    if (i === -1) {
      throw new CsiControllerError(
        `topology ${JSON.stringify(Object.fromEntries(sel))} from selected node ${JSON.stringify(selectedNode)} is not in requisite: ${JSON.stringify(requisite.map((t) => Object.fromEntries(t)))}`,
      );
    }
    preferred = [...requisite.slice(i), ...requisite.slice(0, i)];
  }
  return { requisite: toTopology(requisite), preferred: toTopology(preferred) };
}

/** GenerateVolumeNodeAffinity: one node selector term per accessible segment. */
export function generateVolumeNodeAffinity(
  accessible: readonly { segments: Record<string, string> }[] | undefined,
): VolumeNodeAffinity | undefined {
  const terms = (accessible ?? [])
    .filter((t) => Object.keys(t.segments).length > 0)
    .map((t) => ({
      matchExpressions: Object.keys(t.segments)
        .sort()
        .map((k) => ({ key: k, operator: 'In' as const, values: [t.segments[k] ?? ''] })),
    }));
  if (terms.length === 0) return undefined;
  return { required: { nodeSelectorTerms: terms } };
}

/** The distinct topology segments of `driver` across the cluster (capacity publishing). */
export function driverSegments(
  driver: string,
  csiNodes: readonly CSINode[],
  nodes: readonly Node[],
): Record<string, string>[] {
  const byName = new Map(nodes.map((n) => [n.metadata.name ?? '', n]));
  const seen = new Map<string, Record<string, string>>();
  for (const c of csiNodes) {
    const keys = topologyKeysOf(c, driver);
    if (keys.length === 0) continue;
    const t = termOf(byName.get(c.metadata.name ?? '')?.metadata.labels, keys);
    if (t === undefined) continue;
    seen.set(JSON.stringify(t), Object.fromEntries(t));
  }
  return [...seen.entries()].sort(([a], [b]) => cmp(a, b)).map(([, s]) => s);
}

/** A stable key of a segment (sorted pairs). */
export function segmentKey(segment: Record<string, string> | undefined): string {
  return JSON.stringify(sortTerm(Object.entries(segment ?? {})));
}
