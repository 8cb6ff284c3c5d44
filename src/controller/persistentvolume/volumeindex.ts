// Matching claims to volumes: upstream's helpers (pv_helpers.go: FindMatchingVolume, CheckAccessModes,
// CheckVolumeModeMismatches, IsVolumeBoundToClaim, class lookups) and the controller's private volume
// cache, indexed so that finding the best volume for a claim does not scan every volume.
//
// The index keeps, per storage class and access-mode set, the volumes that are free to be matched
// (phase Available, no claimRef, not being deleted) sorted by capacity, plus a map from claim key to the
// volumes pre-bound to that claim. findBestMatchForClaim then walks the access-mode sets in upstream's
// order (fewest extra modes first) and, within each, binary-searches the smallest volume that is large
// enough. The result is the one upstream's findMatchingVolume scan would return; ties between equally
// sized volumes (unspecified upstream) go to the lexically smallest name.
//
// Not thread-safe by itself; the controller mutates it only from its workers and operations, which run on
// the one JS thread.
import {
  labelSelectorAsSelector,
  type Node,
  type NodeSelectorRequirement,
  type NodeSelectorTerm,
  type PersistentVolume,
  type PersistentVolumeAccessMode,
  type PersistentVolumeClaim,
  parseQuantity,
} from '../../api/index.ts';
import { AnnBetaStorageClass } from './annotations.ts';

// ---- helpers (pv_helpers.go) -----------------------------------------------------------------------

/** GetPersistentVolumeClass: the legacy annotation wins over spec.storageClassName; none is "". */
export function getPersistentVolumeClass(pv: PersistentVolume): string {
  const ann = pv.metadata.annotations?.[AnnBetaStorageClass];
  if (ann !== undefined) return ann;
  return pv.spec?.storageClassName ?? '';
}

/** GetPersistentVolumeClaimClass: the legacy annotation wins; nil and "" both mean "". */
export function getPersistentVolumeClaimClass(claim: PersistentVolumeClaim): string {
  const ann = claim.metadata.annotations?.[AnnBetaStorageClass];
  if (ann !== undefined) return ann;
  return claim.spec?.storageClassName ?? '';
}

/** PersistentVolumeClaimHasClass: the user asked for a class (even ""). */
export function persistentVolumeClaimHasClass(claim: PersistentVolumeClaim): boolean {
  if (claim.metadata.annotations?.[AnnBetaStorageClass] !== undefined) return true;
  return claim.spec?.storageClassName !== undefined;
}

/** `namespace/name` of a claim. */
export function claimToClaimKey(claim: PersistentVolumeClaim): string {
  return `${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`;
}

/** `namespace/name` of a volume's claimRef. */
export function claimRefToClaimKey(pv: PersistentVolume): string {
  const ref = pv.spec?.claimRef;
  return `${ref?.namespace ?? ''}/${ref?.name ?? ''}`;
}

/** IsVolumeBoundToClaim: the claimRef names this claim, and its UID is empty or the claim's. */
export function isVolumeBoundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (ref === undefined) return false;
  if ((ref.name ?? '') !== claim.metadata.name || (ref.namespace ?? '') !== claim.metadata.namespace) {
    return false;
  }
  return ref.uid === undefined || ref.uid === '' || ref.uid === claim.metadata.uid;
}

/** CheckVolumeModeMismatches: unset means Filesystem on both sides. */
export function checkVolumeModeMismatches(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  return (claim.spec?.volumeMode ?? 'Filesystem') !== (pv.spec?.volumeMode ?? 'Filesystem');
}

/** CheckAccessModes: the volume offers every mode the claim asks for. */
export function checkAccessModes(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const have = new Set(pv.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m) => have.has(m));
}

const modeAbbrev: Readonly<Record<PersistentVolumeAccessMode, string>> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};
const modeOrder: readonly PersistentVolumeAccessMode[] = [
  'ReadWriteOnce',
  'ReadOnlyMany',
  'ReadWriteMany',
  'ReadWriteOncePod',
];

/** GetAccessModesAsString: canonical order RWO, ROX, RWX, RWOP, comma separated, duplicates dropped. */
export function accessModesAsString(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  return modeOrder
    .filter((m) => set.has(m))
    .map((m) => modeAbbrev[m])
    .join(',');
}

function modesOfString(s: string): string[] {
  return s === '' ? [] : s.split(',');
}

/** Bytes of a `storage` quantity, rounded up as Quantity.Value(); absent or unparsable is 0. */
export function storageBytes(list: Readonly<Record<string, string>> | undefined): bigint {
  const s = list?.['storage'];
  if (s === undefined) return 0n;
  try {
    return parseQuantity(s).value();
  } catch {
    return 0n;
  }
}

function claimRequest(claim: PersistentVolumeClaim): bigint {
  return storageBytes(claim.spec?.resources?.requests);
}

/** The VolumeAttributesClass check of FindMatchingVolume / checkVolumeSatisfyClaim. */
export function volumeAttributesClassMatches(
  claim: PersistentVolumeClaim,
  pv: PersistentVolume,
  vacEnabled: boolean,
): boolean {
  const pvVAC = pv.spec?.volumeAttributesClassName ?? '';
  if (!vacEnabled) return pvVAC === '';
  return (claim.spec?.volumeAttributesClassName ?? '') === pvVAC;
}

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const a = Number.parseInt(value, 10);
      const b = Number.parseInt(values[0]!, 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return req.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) if (!requirementMatches(r, labels[r.key])) return false;
  for (const r of fields) {
    if (r.key !== 'metadata.name') return false;
    if (!requirementMatches(r, node.metadata.name)) return false;
  }
  return true;
}

/** CheckNodeAffinity: true when the volume has no required node affinity or one of its terms matches. */
export function checkNodeAffinity(pv: PersistentVolume, node: Node): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (terms === undefined) return true;
  return terms.some((t) => termMatches(t, node));
}

export interface MatchOptions {
  delayBinding: boolean;
  vacEnabled: boolean;
  /** The scheduler's path: check node affinity and access modes too. */
  node?: Node;
  excluded?: ReadonlySet<string>;
}

function selectorMatches(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const sel = claim.spec?.selector;
  if (sel === undefined) return true;
  try {
    return labelSelectorAsSelector(sel).matches(pv.metadata.labels ?? {});
  } catch {
    return false;
  }
}

/**
 * FindMatchingVolume over one list of volumes: a volume pre-bound to the claim wins at once; otherwise
 * the smallest Available volume of the claim's class that satisfies it (the first seen among equals).
 */
export function findMatchingVolume(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  opts: MatchOptions,
): PersistentVolume | undefined {
  const request = claimRequest(claim);
  const requestedClass = getPersistentVolumeClaimClass(claim);
  let smallest: PersistentVolume | undefined;
  let smallestSize = 0n;
  for (const pv of volumes) {
    if (opts.excluded?.has(pv.metadata.name ?? '') === true) continue;
    if (pv.spec?.claimRef !== undefined && !isVolumeBoundToClaim(pv, claim)) continue;
    const size = storageBytes(pv.spec?.capacity);
    if (size < request) continue;
    if (checkVolumeModeMismatches(claim, pv)) continue;
    if (pv.metadata.deletionTimestamp !== undefined) continue;
    if (!volumeAttributesClassMatches(claim, pv, opts.vacEnabled)) continue;
    const nodeOK = opts.node === undefined ? true : checkNodeAffinity(pv, opts.node);
    if (isVolumeBoundToClaim(pv, claim)) {
      // Pre-bound to this claim: it wins regardless of size, unless it cannot reach the node.
      return nodeOK ? pv : undefined;
    }
    if (opts.node === undefined && opts.delayBinding) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (!selectorMatches(claim, pv)) continue;
    if (getPersistentVolumeClass(pv) !== requestedClass) continue;
    if (!nodeOK) continue;
    if (opts.node !== undefined && !checkAccessModes(claim, pv)) continue;
    if (smallest === undefined || size < smallestSize) {
      smallest = pv;
      smallestSize = size;
    }
  }
  return smallest;
}

/**
 * allPossibleMatchingAccessModes: of the given access-mode set strings, those containing every mode the
 * claim asks for, fewest modes first (then by string, for determinism).
 */
export function allPossibleMatchingAccessModes(
  claim: PersistentVolumeClaim,
  modeStrings: Iterable<string>,
): string[] {
  const wanted = claim.spec?.accessModes ?? [];
  const out: string[] = [];
  for (const s of modeStrings) {
    const have = new Set(modesOfString(s));
    if (wanted.every((m) => have.has(modeAbbrev[m] ?? m))) out.push(s);
  }
  return out.sort((a, b) => {
    const d = modesOfString(a).length - modesOfString(b).length;
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * Upstream's findBestMatchForClaim as a plain scan over every volume: the reference the index is tested
 * against, and what the index must agree with.
 */
export function findBestMatchByScan(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  opts: MatchOptions,
): PersistentVolume | undefined {
  const groups = new Map<string, PersistentVolume[]>();
  const sorted = [...volumes].sort((a, b) => cmpStr(a.metadata.name ?? '', b.metadata.name ?? ''));
  for (const pv of sorted) {
    const k = accessModesAsString(pv.spec?.accessModes);
    let g = groups.get(k);
    if (g === undefined) {
      g = [];
      groups.set(k, g);
    }
    g.push(pv);
  }
  for (const k of allPossibleMatchingAccessModes(claim, groups.keys())) {
    const found = findMatchingVolume(claim, groups.get(k) ?? [], opts);
    if (found !== undefined) return found;
  }
  return undefined;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- the index ---------------------------------------------------------------------------------------

interface Entry {
  name: string;
  size: bigint;
  pv: PersistentVolume;
}

function cmpEntry(a: Entry, b: Entry): number {
  if (a.size !== b.size) return a.size < b.size ? -1 : 1;
  return cmpStr(a.name, b.name);
}

/** First index whose entry is not below `key`. */
function lowerBound(arr: readonly Entry[], key: Entry): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmpEntry(arr[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose capacity is at least `size`. */
function lowerBoundSize(arr: readonly Entry[], size: bigint): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]!.size < size) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A free volume can be matched by class: Available, no claimRef, not being deleted. */
function isFree(pv: PersistentVolume): boolean {
  return (
    pv.status?.phase === 'Available' &&
    pv.spec?.claimRef === undefined &&
    pv.metadata.deletionTimestamp === undefined
  );
}

/**
 * The controller's private volume cache (persistentVolumeOrderedIndex): every volume by name, the free
 * ones by class and access modes sorted by capacity, the pre-bound ones by claim key.
 */
export class VolumeIndex {
  readonly #byName = new Map<string, PersistentVolume>();
  /** class -> access-mode string -> free volumes sorted by (capacity, name). */
  readonly #free = new Map<string, Map<string, Entry[]>>();
  /** claim key -> names of volumes whose claimRef names that claim. */
  readonly #preBound = new Map<string, Set<string>>();

  get(name: string): PersistentVolume | undefined {
    return this.#byName.get(name);
  }

  list(): PersistentVolume[] {
    return [...this.#byName.values()];
  }

  get size(): number {
    return this.#byName.size;
  }

  set(pv: PersistentVolume): void {
    const name = pv.metadata.name ?? '';
    this.delete(name);
    this.#byName.set(name, pv);
    if (isFree(pv)) {
      const cls = getPersistentVolumeClass(pv);
      let byModes = this.#free.get(cls);
      if (byModes === undefined) {
        byModes = new Map();
        this.#free.set(cls, byModes);
      }
      const modes = accessModesAsString(pv.spec?.accessModes);
      let arr = byModes.get(modes);
      if (arr === undefined) {
        arr = [];
        byModes.set(modes, arr);
      }
      const e: Entry = { name, size: storageBytes(pv.spec?.capacity), pv };
      arr.splice(lowerBound(arr, e), 0, e);
    }
    if (pv.spec?.claimRef !== undefined) {
      const key = claimRefToClaimKey(pv);
      let set = this.#preBound.get(key);
      if (set === undefined) {
        set = new Set();
        this.#preBound.set(key, set);
      }
      set.add(name);
    }
  }

  delete(name: string): PersistentVolume | undefined {
    const old = this.#byName.get(name);
    if (old === undefined) return undefined;
    this.#byName.delete(name);
    if (isFree(old)) {
      const cls = getPersistentVolumeClass(old);
      const modes = accessModesAsString(old.spec?.accessModes);
      const byModes = this.#free.get(cls);
      const arr = byModes?.get(modes);
      if (arr !== undefined) {
        const e: Entry = { name, size: storageBytes(old.spec?.capacity), pv: old };
        const i = lowerBound(arr, e);
        if (arr[i]?.name === name) arr.splice(i, 1);
        if (arr.length === 0) byModes!.delete(modes);
        if (byModes!.size === 0) this.#free.delete(cls);
      }
    }
    if (old.spec?.claimRef !== undefined) {
      const key = claimRefToClaimKey(old);
      const set = this.#preBound.get(key);
      set?.delete(name);
      if (set?.size === 0) this.#preBound.delete(key);
    }
    return old;
  }

  clear(): void {
    this.#byName.clear();
    this.#free.clear();
    this.#preBound.clear();
  }

  /**
   * findBestMatchForClaim (controller path, no node): the same volume upstream's scan returns, found
   * through the index.
   */
  findBestMatchForClaim(
    claim: PersistentVolumeClaim,
    delayBinding: boolean,
    vacEnabled: boolean,
  ): PersistentVolume | undefined {
    const request = claimRequest(claim);
    const cls = getPersistentVolumeClaimClass(claim);
    const free = delayBinding ? undefined : this.#free.get(cls);
    const preBound: { pv: PersistentVolume; modes: string }[] = [];
    for (const name of [...(this.#preBound.get(claimToClaimKey(claim)) ?? [])].sort(cmpStr)) {
      const pv = this.#byName.get(name);
      if (pv === undefined || !isVolumeBoundToClaim(pv, claim)) continue;
      if (storageBytes(pv.spec?.capacity) < request) continue;
      if (checkVolumeModeMismatches(claim, pv)) continue;
      if (pv.metadata.deletionTimestamp !== undefined) continue;
      if (!volumeAttributesClassMatches(claim, pv, vacEnabled)) continue;
      preBound.push({ pv, modes: accessModesAsString(pv.spec?.accessModes) });
    }
    const groups = new Set<string>(free?.keys() ?? []);
    for (const p of preBound) groups.add(p.modes);
    const sel = claim.spec?.selector;
    const selector = sel === undefined ? undefined : safeSelector(sel);
    for (const modes of allPossibleMatchingAccessModes(claim, groups)) {
      const pre = preBound.find((p) => p.modes === modes);
      if (pre !== undefined) return pre.pv;
      const arr = free?.get(modes);
      if (arr === undefined) continue;
      for (let i = lowerBoundSize(arr, request); i < arr.length; i++) {
        const pv = arr[i]!.pv;
        if (checkVolumeModeMismatches(claim, pv)) continue;
        if (!volumeAttributesClassMatches(claim, pv, vacEnabled)) continue;
        if (selector === null) break;
        if (selector !== undefined && !selector.matches(pv.metadata.labels ?? {})) continue;
        return pv;
      }
    }
    return undefined;
  }
}

/** A parsed selector; null when it cannot parse (then nothing matches, as upstream's error path). */
function safeSelector(
  sel: NonNullable<NonNullable<PersistentVolumeClaim['spec']>['selector']>,
): ReturnType<typeof labelSelectorAsSelector> | null {
  try {
    return labelSelectorAsSelector(sel);
  } catch {
    return null;
  }
}
