// The VolumeBinding plugin (pkg/scheduler/framework/plugins/volumebinding: volume_binding.go and
// binder.go). PreFilter sorts the pod's claims into bound, delayed (WaitForFirstConsumer, unbound) and
// immediate-unbound; Filter (FindPodVolumes) decides per node whether bound PVs are reachable and whether
// every delayed claim can get a static PV or be provisioned there; Reserve assumes the chosen PVs and
// claims in the assume caches; PreBind writes them (PV claimRef + bound-by-controller, claim
// selected-node) and waits, driven by informer events, until the PV controller has fully bound every
// claim; Unreserve reverts the assumptions.
//
// Concurrency: preFilter/filter/reserve/unreserve run in the scheduler's single scheduling cycle; preBind
// runs in binding cycles, several at once, each only awaiting API writes and informer changes.
import {
  type CSIDriver,
  type CSIStorageCapacity,
  deepCopy,
  type KubeObject,
  labelSelectorAsSelector,
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  parseQuantity,
  type Quantity,
  Resources,
  type StorageClass,
} from '../api/index.ts';
import type { Client, SharedIndexInformer } from '../client/index.ts';
import type { Clock } from '../component/index.ts';
import type { AssumeCache } from './assumecache.ts';
import {
  AnnSelectedNode,
  ErrReasonBindConflict,
  ErrReasonNodeConflict,
  ErrReasonNotEnoughSpace,
  ErrReasonPVNotExist,
  ErrReasonUnboundImmediate,
  NotSupportedProvisioner,
} from './constants.ts';
import { BinderCacheOp, type schedulerMetrics, VolumeStage } from './metrics.ts';
import { matchTopologySelectorTerms } from './nodes.ts';
import {
  checkVolumeNodeAffinity,
  claimClass,
  claimKey,
  claimRequest,
  findMatchingVolume,
  getBindVolumeToClaim,
  isClaimFullyBound,
  isDelayBindingMode,
  volumeClass,
} from './pvutil.ts';
import { errorStatus, type Status, success, unresolvable } from './status.ts';

export interface BindingInfo {
  pvc: PersistentVolumeClaim;
  pv: PersistentVolume;
}

/** Binding decisions for one pod on one node. */
export interface PodVolumes {
  staticBindings: BindingInfo[];
  dynamicProvisions: PersistentVolumeClaim[];
}

export interface PodVolumeClaims {
  boundClaims: PersistentVolumeClaim[];
  unboundClaimsDelayBinding: PersistentVolumeClaim[];
  unboundClaimsImmediate: PersistentVolumeClaim[];
}

/** The plugin's per-pod cycle state (stateData). */
export interface VolumeBindingState {
  skip: boolean;
  claims: PodVolumeClaims;
  podVolumesByNode: Map<string, PodVolumes>;
  allBound: boolean;
  /** The node Reserve assumed volumes for. */
  reservedNode?: string;
}

export class VolumeBindingError extends Error {
  override readonly name = 'VolumeBindingError';
}

export function isVolumeBindingError(err: unknown): err is VolumeBindingError {
  return err instanceof VolumeBindingError;
}

export interface VolumeBindingDeps {
  client: Client;
  clock: Clock;
  pvCache: AssumeCache<PersistentVolume>;
  pvcCache: AssumeCache<PersistentVolumeClaim>;
  classes: SharedIndexInformer<StorageClass>;
  csiDrivers: SharedIndexInformer<CSIDriver>;
  capacities: SharedIndexInformer<CSIStorageCapacity>;
  nodes: SharedIndexInformer<Node>;
  pods: SharedIndexInformer<Pod>;
  /** Resolves at the next PV, PVC, pod or node change (or rejects when the signal aborts). */
  nextChange: (signal: AbortSignal) => Promise<void>;
  bindTimeoutMs: number;
  metrics: ReturnType<typeof schedulerMetrics>;
}

/** The claim name a pod volume uses, and whether it is a generic ephemeral volume; undefined otherwise. */
export function podVolumeClaimName(
  pod: Pod,
  vol: NonNullable<NonNullable<Pod['spec']>['volumes']>[number],
): { name: string; ephemeral: boolean } | undefined {
  if (vol.persistentVolumeClaim !== undefined)
    return { name: vol.persistentVolumeClaim.claimName, ephemeral: false };
  if (vol.ephemeral !== undefined) return { name: `${pod.metadata.name ?? ''}-${vol.name}`, ephemeral: true };
  return undefined;
}

const timeoutMessage = 'timed out waiting for the condition';

export class VolumeBinding {
  readonly #d: VolumeBindingDeps;

  constructor(deps: VolumeBindingDeps) {
    this.#d = deps;
  }

  #class(name: string): StorageClass | undefined {
    return this.#d.classes.getByKey(name);
  }

  // ---- PreFilter -----------------------------------------------------------------------------------

  /** Returns the cycle state, or the status that rejects the pod on every node. */
  preFilter(pod: Pod): { status: Status; state?: VolumeBindingState } {
    const ns = pod.metadata.namespace ?? '';
    const claims: PodVolumeClaims = {
      boundClaims: [],
      unboundClaimsDelayBinding: [],
      unboundClaimsImmediate: [],
    };
    let hasPVC = false;
    for (const vol of pod.spec?.volumes ?? []) {
      const ref = podVolumeClaimName(pod, vol);
      if (ref === undefined) continue;
      hasPVC = true;
      const pvc = this.#d.pvcCache.get(`${ns}/${ref.name}`);
      if (pvc === undefined) {
        return {
          status: unresolvable(
            ref.ephemeral
              ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${ref.name}"`
              : `persistentvolumeclaim "${ref.name}" not found`,
          ),
        };
      }
      if (ref.ephemeral) {
        const owner = (pvc.metadata.ownerReferences ?? []).find((o) => o.controller === true);
        if (owner === undefined || owner.uid !== pod.metadata.uid) {
          return {
            status: unresolvable(
              `PVC ${ns}/${ref.name} was not created for pod ${ns}/${pod.metadata.name ?? ''} (pod is not owner)`,
            ),
          };
        }
      }
      if (pvc.status?.phase === 'Lost') {
        return {
          status: unresolvable(
            `persistentvolumeclaim "${ref.name}" bound to non-existent persistentvolume "${pvc.spec?.volumeName ?? ''}"`,
          ),
        };
      }
      if (pvc.metadata.deletionTimestamp !== undefined && pvc.metadata.deletionTimestamp !== null) {
        return { status: unresolvable(`persistentvolumeclaim "${ref.name}" is being deleted`) };
      }
      if (isClaimFullyBound(pvc)) {
        claims.boundClaims.push(pvc);
        continue;
      }
      let delay: boolean;
      try {
        delay = isDelayBindingMode(pvc, (n) => this.#class(n));
      } catch (err) {
        return { status: errorStatus(err instanceof Error ? err.message : String(err)) };
      }
      if (delay && (pvc.spec?.volumeName ?? '') === '') claims.unboundClaimsDelayBinding.push(pvc);
      else claims.unboundClaimsImmediate.push(pvc);
    }
    const state: VolumeBindingState = { skip: !hasPVC, claims, podVolumesByNode: new Map(), allBound: false };
    if (!hasPVC) return { status: { code: 'Skip', reasons: [] }, state };
    if (claims.unboundClaimsImmediate.length > 0) return { status: unresolvable(ErrReasonUnboundImmediate) };
    return { status: success, state };
  }

  // ---- Filter --------------------------------------------------------------------------------------

  filter(state: VolumeBindingState, node: Node): Status {
    if (state.skip) return success;
    let result: { podVolumes: PodVolumes; reasons: string[] };
    try {
      result = this.findPodVolumes(state.claims.boundClaims, state.claims.unboundClaimsDelayBinding, node);
    } catch (err) {
      this.#d.metrics.stageErrors.inc({ operation: VolumeStage.predicate });
      return errorStatus(err instanceof Error ? err.message : String(err));
    }
    if (result.reasons.length > 0) return unresolvable(...result.reasons);
    const name = node.metadata.name ?? '';
    if (!state.podVolumesByNode.has(name))
      this.#d.metrics.binderCacheRequests.inc({ operation: BinderCacheOp.add });
    state.podVolumesByNode.set(name, result.podVolumes);
    return success;
  }

  /** FindPodVolumes. Throws VolumeBindingError for conditions that are errors rather than reasons. */
  findPodVolumes(
    boundClaims: readonly PersistentVolumeClaim[],
    claimsToBind: readonly PersistentVolumeClaim[],
    node: Node,
  ): { podVolumes: PodVolumes; reasons: string[] } {
    const podVolumes: PodVolumes = { staticBindings: [], dynamicProvisions: [] };
    let boundSatisfied = true;
    let boundPVsFound = true;
    let unboundSatisfied = true;
    let sufficientStorage = true;
    const labels = node.metadata.labels ?? {};
    const nodeName = node.metadata.name ?? '';
    const reasons = (): string[] => {
      const r: string[] = [];
      if (!boundSatisfied) r.push(ErrReasonNodeConflict);
      if (!unboundSatisfied) r.push(ErrReasonBindConflict);
      if (!sufficientStorage) r.push(ErrReasonNotEnoughSpace);
      if (!boundPVsFound) r.push(ErrReasonPVNotExist);
      return r;
    };

    for (const pvc of boundClaims) {
      const pv = this.#d.pvCache.get(pvc.spec?.volumeName ?? '');
      if (pv === undefined) {
        boundPVsFound = false;
        break;
      }
      if (!checkVolumeNodeAffinity(pv, labels)) {
        boundSatisfied = false;
        break;
      }
    }

    if (claimsToBind.length > 0) {
      const toMatch: PersistentVolumeClaim[] = [];
      const toProvision: PersistentVolumeClaim[] = [];
      for (const claim of claimsToBind) {
        const selected = claim.metadata.annotations?.[AnnSelectedNode];
        if (selected !== undefined) {
          if (selected !== nodeName) {
            unboundSatisfied = false;
            return { podVolumes, reasons: reasons() };
          }
          toProvision.push(claim);
        } else toMatch.push(claim);
      }
      if (toMatch.length > 0) {
        // Smallest claims choose first, so they get the smallest PVs (byPVCSize; a stable sort).
        const sorted = [...toMatch].sort((a, b) => claimRequest(a).cmp(claimRequest(b)));
        const chosen = new Set<string>();
        for (const pvc of sorted) {
          const cls = claimClass(pvc);
          const pvs = this.#d.pvCache.list((pv) => volumeClass(pv) === cls);
          pvs.sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
          const pv = findMatchingVolume(pvc, pvs, { name: nodeName, labels }, chosen, true);
          if (pv === undefined) {
            unboundSatisfied = false;
            toProvision.push(pvc);
            continue;
          }
          chosen.add(pv.metadata.name ?? '');
          podVolumes.staticBindings.push({ pv, pvc });
        }
      }
      if (toProvision.length > 0) {
        const r = this.#checkVolumeProvisions(toProvision, node);
        unboundSatisfied = r.provisionSatisfied;
        sufficientStorage = r.sufficientStorage;
        podVolumes.dynamicProvisions = r.dynamicProvisions;
      }
    }
    return { podVolumes, reasons: reasons() };
  }

  #checkVolumeProvisions(
    claims: readonly PersistentVolumeClaim[],
    node: Node,
  ): { provisionSatisfied: boolean; sufficientStorage: boolean; dynamicProvisions: PersistentVolumeClaim[] } {
    const out: PersistentVolumeClaim[] = [];
    for (const claim of claims) {
      const className = claimClass(claim);
      if (className === '') throw new VolumeBindingError(`no class for claim "${claimKey(claim)}"`);
      const cls = this.#class(className);
      if (cls === undefined) throw new VolumeBindingError(`failed to find storage class "${className}"`);
      const provisioner = cls.provisioner ?? '';
      if (provisioner === '' || provisioner === NotSupportedProvisioner) {
        return { provisionSatisfied: false, sufficientStorage: true, dynamicProvisions: [] };
      }
      if (!matchTopologySelectorTerms(cls.allowedTopologies, node.metadata.labels ?? {})) {
        return { provisionSatisfied: false, sufficientStorage: true, dynamicProvisions: [] };
      }
      if (!this.#hasEnoughCapacity(provisioner, claim, cls, node)) {
        return { provisionSatisfied: true, sufficientStorage: false, dynamicProvisions: [] };
      }
      out.push(claim);
    }
    return { provisionSatisfied: true, sufficientStorage: true, dynamicProvisions: out };
  }

  /** hasEnoughCapacity: only for CSI drivers with storageCapacity: true. */
  #hasEnoughCapacity(
    provisioner: string,
    claim: PersistentVolumeClaim,
    cls: StorageClass,
    node: Node,
  ): boolean {
    const request = claim.spec?.resources?.requests?.['storage'];
    if (request === undefined) return true;
    const driver = this.#d.csiDrivers.getByKey(provisioner);
    if (driver === undefined || driver.spec?.storageCapacity !== true) return true;
    const size = claimRequest(claim);
    for (const cap of this.#d.capacities.list()) {
      if (cap.storageClassName !== cls.metadata.name) continue;
      const limitStr = cap.maximumVolumeSize ?? cap.capacity;
      if (limitStr === undefined) continue;
      let limit: Quantity;
      try {
        limit = parseQuantity(limitStr);
      } catch {
        continue;
      }
      if (limit.cmp(size) < 0) continue;
      if (cap.nodeTopology === undefined || cap.nodeTopology === null) continue;
      try {
        if (labelSelectorAsSelector(cap.nodeTopology).matches(node.metadata.labels ?? {})) return true;
      } catch {
        // An invalid selector grants no access.
      }
    }
    return false;
  }

  // ---- Reserve / Unreserve -------------------------------------------------------------------------

  /** AssumePodVolumes. Returns an Error status when an assumption fails (everything reverted). */
  reserve(state: VolumeBindingState, pod: Pod, nodeName: string): Status {
    if (state.skip) return success;
    const podVolumes = state.podVolumesByNode.get(nodeName);
    if (podVolumes === undefined) return errorStatus(`no volume binding decisions for node "${nodeName}"`);
    state.reservedNode = nodeName;
    if (this.#arePodVolumesBound(pod)) {
      state.allBound = true;
      return success;
    }
    const newBindings: BindingInfo[] = [];
    const newClaims: PersistentVolumeClaim[] = [];
    try {
      for (const b of podVolumes.staticBindings) {
        const { pv, dirty } = getBindVolumeToClaim(b.pv, b.pvc);
        if (dirty) this.#d.pvCache.assume(pv);
        newBindings.push({ pv, pvc: b.pvc });
      }
      for (const claim of podVolumes.dynamicProvisions) {
        const clone = deepCopy(claim);
        clone.metadata.annotations = { ...(clone.metadata.annotations ?? {}), [AnnSelectedNode]: nodeName };
        this.#d.pvcCache.assume(clone);
        newClaims.push(clone);
      }
    } catch (err) {
      for (const b of newBindings) this.#d.pvCache.restore(b.pv.metadata.name ?? '');
      for (const c of newClaims) this.#d.pvcCache.restore(claimKey(c));
      this.#d.metrics.stageErrors.inc({ operation: VolumeStage.assume });
      return errorStatus(err instanceof Error ? err.message : String(err));
    }
    podVolumes.staticBindings = newBindings;
    podVolumes.dynamicProvisions = newClaims;
    return success;
  }

  /** RevertAssumedPodVolumes, and drops the pod's per-node decisions. */
  unreserve(state: VolumeBindingState, nodeName: string): void {
    const podVolumes = state.podVolumesByNode.get(nodeName);
    if (podVolumes !== undefined) {
      for (const b of podVolumes.staticBindings) this.#d.pvCache.restore(b.pv.metadata.name ?? '');
      for (const c of podVolumes.dynamicProvisions) this.#d.pvcCache.restore(claimKey(c));
    }
    this.forget(state);
  }

  /** Drops the per-node decisions kept for the pod. */
  forget(state: VolumeBindingState): void {
    if (state.podVolumesByNode.size > 0)
      this.#d.metrics.binderCacheRequests.inc({ operation: BinderCacheOp.delete });
    state.podVolumesByNode.clear();
  }

  #arePodVolumesBound(pod: Pod): boolean {
    const ns = pod.metadata.namespace ?? '';
    for (const vol of pod.spec?.volumes ?? []) {
      const ref = podVolumeClaimName(pod, vol);
      if (ref === undefined) continue;
      const pvc = this.#d.pvcCache.get(`${ns}/${ref.name}`);
      if (pvc === undefined || !isClaimFullyBound(pvc)) return false;
    }
    return true;
  }

  // ---- PreBind -------------------------------------------------------------------------------------

  /**
   * BindPodVolumes: writes the assumed PVs and claims, then waits until the PV controller has bound
   * every claim. Rejects with VolumeBindingError (or the API's StatusError) on failure or timeout.
   */
  async preBind(state: VolumeBindingState, pod: Pod, nodeName: string, signal: AbortSignal): Promise<void> {
    if (state.skip || state.allBound) return;
    const podVolumes = state.podVolumesByNode.get(nodeName);
    if (podVolumes === undefined)
      throw new VolumeBindingError(`no volume binding decisions for node "${nodeName}"`);
    try {
      await this.#bindAPIUpdate(podVolumes, signal);
      await this.#waitForBindings(pod, nodeName, podVolumes, signal);
    } catch (err) {
      this.#d.metrics.stageErrors.inc({ operation: VolumeStage.bind });
      throw err;
    }
  }

  async #bindAPIUpdate(podVolumes: PodVolumes, signal: AbortSignal): Promise<void> {
    const pvs = this.#d.client.resource<PersistentVolume>(Resources.persistentvolumes);
    for (const b of podVolumes.staticBindings) {
      // No API rollback if a later write fails: the PV controller finishes or undoes the pre-binding.
      b.pv = await pvs.update(b.pv, { signal });
    }
    for (let i = 0; i < podVolumes.dynamicProvisions.length; i++) {
      const claim = podVolumes.dynamicProvisions[i]!;
      const pvcs = this.#d.client.resource<PersistentVolumeClaim>(
        Resources.persistentvolumeclaims,
        claim.metadata.namespace,
      );
      podVolumes.dynamicProvisions[i] = await pvcs.update(claim, { signal });
    }
  }

  async #waitForBindings(
    pod: Pod,
    nodeName: string,
    podVolumes: PodVolumes,
    signal: AbortSignal,
  ): Promise<void> {
    const deadline = this.#d.clock.now() + this.#d.bindTimeoutMs;
    for (;;) {
      let done: boolean;
      try {
        done = this.#checkBindings(pod, nodeName, podVolumes);
      } catch (err) {
        throw new VolumeBindingError(`binding volumes: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
      }
      if (done) return;
      const remaining = deadline - this.#d.clock.now();
      if (remaining <= 0) throw new VolumeBindingError(`binding volumes: ${timeoutMessage}`);
      const ac = new AbortController();
      const both = AbortSignal.any([signal, ac.signal]);
      try {
        await Promise.race([this.#d.nextChange(both), this.#d.clock.sleep(remaining, both)]);
      } finally {
        ac.abort();
      }
      if (signal.aborted) throw signal.reason;
    }
  }

  /** checkBindings: true when every claim is fully bound; throws when binding must be retried. */
  #checkBindings(pod: Pod, nodeName: string, podVolumes: PodVolumes): boolean {
    const node = this.#d.nodes.getByKey(nodeName);
    if (node === undefined)
      throw new VolumeBindingError(`failed to get node "${nodeName}": node "${nodeName}" not found`);
    const labels = node.metadata.labels ?? {};
    const podKey = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    if (this.#d.pods.getByKey(podKey) === undefined) {
      throw new VolumeBindingError(`pod does not exist any more: pod "${pod.metadata.name ?? ''}" not found`);
    }
    for (const b of podVolumes.staticBindings) {
      const pv = this.#d.pvCache.getAPI(b.pv.metadata.name ?? '');
      if (pv === undefined) {
        throw new VolumeBindingError(
          `failed to check binding: PersistentVolume "${b.pv.metadata.name ?? ''}" not found`,
        );
      }
      const pvc = this.#d.pvcCache.getAPI(claimKey(b.pvc));
      if (pvc === undefined) {
        throw new VolumeBindingError(
          `failed to check binding: PersistentVolumeClaim "${claimKey(b.pvc)}" not found`,
        );
      }
      if (olderThan(pv, b.pv)) return false;
      if (!checkVolumeNodeAffinity(pv, labels)) {
        throw new VolumeBindingError(
          `pv "${pv.metadata.name ?? ''}" node affinity doesn't match node "${nodeName}": no matching NodeSelectorTerms`,
        );
      }
      if (
        pv.spec?.claimRef === undefined ||
        pv.spec.claimRef === null ||
        (pv.spec.claimRef.uid ?? '') === ''
      ) {
        throw new VolumeBindingError(`ClaimRef got reset for pv "${pv.metadata.name ?? ''}"`);
      }
      if (!isClaimFullyBound(pvc)) return false;
    }
    for (const claim of podVolumes.dynamicProvisions) {
      const pvc = this.#d.pvcCache.getAPI(claimKey(claim));
      if (pvc === undefined) {
        throw new VolumeBindingError(
          `failed to check provisioning pvc: PersistentVolumeClaim "${claimKey(claim)}" not found`,
        );
      }
      if (olderThan(pvc, claim)) return false;
      const selected = pvc.metadata.annotations?.[AnnSelectedNode];
      if (pvc.metadata.annotations === undefined) {
        throw new VolumeBindingError(`selectedNode annotation reset for PVC "${pvc.metadata.name ?? ''}"`);
      }
      if (selected !== nodeName) {
        throw new VolumeBindingError(`provisioning failed for PVC "${pvc.metadata.name ?? ''}"`);
      }
      const volumeName = pvc.spec?.volumeName ?? '';
      if (volumeName !== '') {
        const pv = this.#d.pvCache.getAPI(volumeName);
        if (pv === undefined) return false;
        if (!checkVolumeNodeAffinity(pv, labels)) {
          throw new VolumeBindingError(
            `pv "${volumeName}" node affinity doesn't match node "${nodeName}": no matching NodeSelectorTerms`,
          );
        }
      }
      if (!isClaimFullyBound(pvc)) return false;
    }
    return true;
  }
}

function rv(o: KubeObject): bigint {
  const s = o.metadata.resourceVersion ?? '';
  return /^\d+$/.test(s) ? BigInt(s) : -1n;
}

/** The informer's object is older than the one we wrote: wait for the newer one to arrive. */
function olderThan(informerObj: KubeObject, written: KubeObject): boolean {
  return rv(written) > rv(informerObj);
}
