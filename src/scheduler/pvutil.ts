// The PV/PVC helpers the scheduler shares in meaning with the PV controller
// (k8s.io/component-helpers/storage/volume/pv_helpers.go): class lookup, delayed binding, node affinity,
// binding checks and FindMatchingVolume. kvol's scheduler may not import src/controller, so these live here.
import {
  deepCopy,
  type LabelSelectorParseError,
  labelSelectorAsSelector,
  type PersistentVolume,
  type PersistentVolumeClaim,
  parseQuantity,
  type Quantity,
  type Selector,
  type StorageClass,
} from '../api/index.ts';
import { AnnBetaStorageClass, AnnBindCompleted, AnnBoundByController } from './constants.ts';
import { nodeSelectorTermsMatch } from './nodes.ts';

const zero = parseQuantity('0');

function storageOf(list: Record<string, string> | undefined): Quantity {
  const s = list?.['storage'];
  if (s === undefined) return zero;
  try {
    return parseQuantity(s);
  } catch {
    return zero;
  }
}

/** The claim's storage request; 0 when unset. */
export function claimRequest(claim: PersistentVolumeClaim): Quantity {
  return storageOf(claim.spec?.resources?.requests);
}

export function volumeCapacity(pv: PersistentVolume): Quantity {
  return storageOf(pv.spec?.capacity);
}

/** GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName. */
export function claimClass(claim: PersistentVolumeClaim): string {
  const ann = claim.metadata.annotations?.[AnnBetaStorageClass];
  if (ann !== undefined) return ann;
  return claim.spec?.storageClassName ?? '';
}

/** GetPersistentVolumeClass. */
export function volumeClass(pv: PersistentVolume): string {
  const ann = pv.metadata.annotations?.[AnnBetaStorageClass];
  if (ann !== undefined) return ann;
  return pv.spec?.storageClassName ?? '';
}

export function claimKey(claim: PersistentVolumeClaim): string {
  return `${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`;
}

/** `volumeName` set and `bind-completed` present: the PV controller has finished. */
export function isClaimFullyBound(claim: PersistentVolumeClaim): boolean {
  return (
    (claim.spec?.volumeName ?? '') !== '' && claim.metadata.annotations?.[AnnBindCompleted] !== undefined
  );
}

export class DelayBindingError extends Error {
  override readonly name = 'DelayBindingError';
  readonly className: string;

  constructor(className: string) {
    super(`VolumeBindingMode not set for StorageClass "${className}"`);
    this.className = className;
  }
}

/** IsDelayBindingMode; throws DelayBindingError for a class without a volumeBindingMode. */
export function isDelayBindingMode(
  claim: PersistentVolumeClaim,
  getClass: (name: string) => StorageClass | undefined,
): boolean {
  const name = claimClass(claim);
  if (name === '') return false;
  const cls = getClass(name);
  if (cls === undefined) return false;
  if (cls.volumeBindingMode === undefined) throw new DelayBindingError(name);
  return cls.volumeBindingMode === 'WaitForFirstConsumer';
}

/** CheckNodeAffinity against a node's labels (the PV's matchFields see a nameless node, as upstream). */
export function checkVolumeNodeAffinity(
  pv: PersistentVolume,
  labels: Readonly<Record<string, string>>,
): boolean {
  const required = pv.spec?.nodeAffinity?.required;
  if (required === undefined) return true;
  return nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], labels, '');
}

/** IsVolumeBoundToClaim: claimRef names the claim, and its UID is empty or the claim's. */
export function isVolumeBoundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (ref === undefined || ref === null) return false;
  if (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  if ((ref.uid ?? '') !== '' && ref.uid !== claim.metadata.uid) return false;
  return true;
}

/** CheckAccessModes: every requested mode is offered by the PV. */
export function checkAccessModes(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const offered = new Set(pv.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m) => offered.has(m));
}

function volumeModeMismatch(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  return (claim.spec?.volumeMode ?? 'Filesystem') !== (pv.spec?.volumeMode ?? 'Filesystem');
}

/**
 * GetBindVolumeToClaim: a copy of the PV pointing at the claim, with bound-by-controller when the PV did
 * not already point at it. `dirty` says whether anything changed.
 */
export function getBindVolumeToClaim(
  pv: PersistentVolume,
  claim: PersistentVolumeClaim,
): { pv: PersistentVolume; dirty: boolean } {
  const setBoundByController = !isVolumeBoundToClaim(pv, claim);
  const clone = deepCopy(pv);
  clone.spec ??= {};
  let dirty = false;
  const ref = pv.spec?.claimRef;
  if (
    ref === undefined ||
    ref === null ||
    ref.name !== claim.metadata.name ||
    ref.namespace !== claim.metadata.namespace ||
    ref.uid !== claim.metadata.uid
  ) {
    const newRef: NonNullable<typeof clone.spec.claimRef> = {
      kind: 'PersistentVolumeClaim',
      namespace: claim.metadata.namespace ?? '',
      name: claim.metadata.name ?? '',
      apiVersion: 'v1',
    };
    if (claim.metadata.uid !== undefined) newRef.uid = claim.metadata.uid;
    if (claim.metadata.resourceVersion !== undefined) newRef.resourceVersion = claim.metadata.resourceVersion;
    clone.spec.claimRef = newRef;
    dirty = true;
  }
  if (setBoundByController && clone.metadata.annotations?.[AnnBoundByController] === undefined) {
    clone.metadata.annotations = { ...(clone.metadata.annotations ?? {}), [AnnBoundByController]: 'yes' };
    dirty = true;
  }
  return { pv: clone, dirty };
}

export class ClaimSelectorError extends Error {
  override readonly name = 'ClaimSelectorError';

  constructor(claim: PersistentVolumeClaim, cause: LabelSelectorParseError | unknown) {
    super(
      `error creating internal label selector for claim: ${claimKey(claim)}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

export interface MatchNode {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/**
 * FindMatchingVolume: the smallest PV that satisfies the claim, or the PV pre-bound to it. With a node
 * (the scheduler path) PV node affinity and access modes are checked too; without one and with
 * delayBinding only a pre-bound PV is returned. Throws ClaimSelectorError for an invalid claim selector.
 */
export function findMatchingVolume(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  node: MatchNode | undefined,
  excluded: ReadonlySet<string>,
  delayBinding: boolean,
): PersistentVolume | undefined {
  const requested = claimRequest(claim);
  const requestedClass = claimClass(claim);
  let selector: Selector | undefined;
  if (claim.spec?.selector !== undefined && claim.spec.selector !== null) {
    try {
      selector = labelSelectorAsSelector(claim.spec.selector);
    } catch (err) {
      throw new ClaimSelectorError(claim, err);
    }
  }
  let smallest: PersistentVolume | undefined;
  let smallestQty: Quantity | undefined;
  for (const pv of volumes) {
    if (excluded.has(pv.metadata.name ?? '')) continue;
    const ref = pv.spec?.claimRef;
    if (ref !== undefined && ref !== null && !isVolumeBoundToClaim(pv, claim)) continue;
    const qty = volumeCapacity(pv);
    if (qty.cmp(requested) < 0) continue;
    if (volumeModeMismatch(claim, pv)) continue;
    if (pv.metadata.deletionTimestamp !== undefined && pv.metadata.deletionTimestamp !== null) continue;
    const affinityOk = node === undefined || checkVolumeNodeAffinity(pv, node.labels);
    if (isVolumeBoundToClaim(pv, claim)) return affinityOk ? pv : undefined;
    if (node === undefined && delayBinding) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (selector !== undefined && !selector.matches(pv.metadata.labels)) continue;
    if (volumeClass(pv) !== requestedClass) continue;
    if (!affinityOk) continue;
    if (node !== undefined && !checkAccessModes(claim, pv)) continue;
    if (smallestQty === undefined || smallestQty.cmp(qty) > 0) {
      smallest = pv;
      smallestQty = qty;
    }
  }
  return smallest;
}
