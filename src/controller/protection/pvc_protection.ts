// The PVC protection controller (pkg/controller/volume/pvcprotection): removes the
// `kubernetes.io/pvc-protection` finalizer from a claim being deleted once no pod uses it, so a claim in use
// is not deleted under a running pod. The finalizer itself is added by the API server's
// StorageObjectInUseProtection admission; unlike upstream we never add it here.
//
// "Uses" is upstream's podUsesPVC: a pod scheduled to a node (spec.nodeName set) whose volumes reference the
// claim by persistentVolumeClaim.claimName, or by a generic ephemeral volume whose claim is
// `<pod>-<volume>` and controlled by the pod (unless the pod is shut down: deleted with grace period 0).
// As upstream, the pod's phase does not matter for a persistentVolumeClaim volume: a pod that finished
// (Succeeded/Failed) but still exists keeps the claim, because its volume may still be mounted; a pod being
// deleted keeps it too. Unscheduled pods do not, since no kubelet can have mounted the claim yet and the
// scheduler refuses claims being deleted.
//
// The check asks the pod informer's index by claim first; when that finds no user it makes a live LIST of
// the claim's namespace before removing the finalizer, because a pod created just now may not be in the
// cache yet. Pod events re-queue the claims of pods that were deleted, finished or are unscheduled.
//
// Concurrency: the workqueue hands a claim key to one worker at a time; different claims are processed in
// parallel by `workers` workers. Each sync is safe to repeat.
import {
  type ContainerStatus,
  type KubeObject,
  type PersistentVolumeClaim,
  type Pod,
  PodPhase,
  Resources,
} from '../../api/index.ts';
import {
  type Client,
  type IndexFunc,
  metaNamespaceKey,
  runWorkers,
  type SharedIndexInformer,
  type SharedInformerFactory,
  splitMetaNamespaceKey,
  WorkQueue,
} from '../../client/index.ts';
import { type Clock, logger, realClock } from '../../component/index.ts';
import {
  podPVCIndex,
  pvcProtectionControllerName,
  pvcProtectionFinalizer,
  pvcProtectionQueueName,
} from './constants.ts';
import { isDeletionCandidate, removeFinalizer } from './finalizer.ts';

const log = logger(pvcProtectionControllerName);

export interface ProtectionControllerOptions {
  client: Client;
  /** The caller starts the factory (informers.start) after constructing the controllers, as upstream. */
  informers: SharedInformerFactory;
  /** Drives the workqueue's delays and retry backoff; defaults to the real clock. */
  clock?: Clock;
}

/** The name of the claim created for a generic ephemeral volume (ephemeral.VolumeClaimName). */
export function ephemeralVolumeClaimName(pod: Pod, volumeName: string): string {
  return `${pod.metadata.name ?? ''}-${volumeName}`;
}

/** The `namespace/name` keys of every claim a pod references, ephemeral ones included (common.PodPVCIndexFunc). */
export const podPVCIndexFunc: IndexFunc<Pod> = (pod) => {
  const keys: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    let claimName = '';
    if (v.persistentVolumeClaim !== undefined) claimName = v.persistentVolumeClaim.claimName;
    else if (v.ephemeral !== undefined) claimName = ephemeralVolumeClaimName(pod, v.name);
    if (claimName !== '') keys.push(`${pod.metadata.namespace ?? ''}/${claimName}`);
  }
  return keys;
};

/** True when the pod's controller owner reference is the pod (ephemeral.VolumeIsForPod). */
function claimIsForPod(pod: Pod, claim: PersistentVolumeClaim): boolean {
  if (claim.metadata.namespace !== pod.metadata.namespace) return false;
  const owner = (claim.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  return owner !== undefined && owner.uid === pod.metadata.uid;
}

/**
 * The kubelet is done with the pod, or it was force-deleted: it has a deletionTimestamp and a zero
 * deletionGracePeriodSeconds. Only releases ephemeral claims, which breaks a cycle between a pod finalizer
 * waiting for the claim and the claim waiting for the pod.
 */
export function podIsShutDown(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionGracePeriodSeconds === 0;
}

function notRunning(statuses: readonly ContainerStatus[] | undefined): boolean {
  return (statuses ?? []).every((s) => s.state?.terminated !== undefined || s.state?.waiting !== undefined);
}

/** The pod finished, or is deleted with no container running (volumeutil.IsPodTerminated). */
export function isPodTerminated(pod: Pod): boolean {
  const st = pod.status ?? {};
  return (
    st.phase === PodPhase.Failed ||
    st.phase === PodPhase.Succeeded ||
    (pod.metadata.deletionTimestamp !== undefined &&
      notRunning(st.initContainerStatuses) &&
      notRunning(st.containerStatuses) &&
      notRunning(st.ephemeralContainerStatuses))
  );
}

/** Whether the pod keeps the claim from being deleted (upstream's podUsesPVC). */
export function podUsesPVC(pod: Pod, claim: PersistentVolumeClaim): boolean {
  if (pod.metadata.namespace !== claim.metadata.namespace) return false;
  if ((pod.spec?.nodeName ?? '') === '') return false;
  const claimName = claim.metadata.name ?? '';
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim !== undefined && v.persistentVolumeClaim.claimName === claimName) return true;
    if (
      v.ephemeral !== undefined &&
      !podIsShutDown(pod) &&
      ephemeralVolumeClaimName(pod, v.name) === claimName &&
      claimIsForPod(pod, claim)
    ) {
      return true;
    }
  }
  return false;
}

/** Adds an index unless one of that name is there already (common.AddIndexerIfNotPresent). */
export function addIndexerIfNotPresent<T extends KubeObject>(
  informer: SharedIndexInformer<T>,
  name: string,
  fn: IndexFunc<T>,
): void {
  try {
    informer.store.indexKeys(name, '');
    return;
  } catch {
    // No such index yet.
  }
  informer.addIndexers({ [name]: fn });
}

export class PVCProtectionController {
  /** Claim keys (`namespace/name`) to check. Exposed for tests and debugging. */
  readonly queue: WorkQueue<string>;
  readonly #client: Client;
  readonly #claims: SharedIndexInformer<PersistentVolumeClaim>;
  readonly #pods: SharedIndexInformer<Pod>;

  constructor(opts: ProtectionControllerOptions) {
    this.#client = opts.client;
    this.queue = new WorkQueue<string>({ name: pvcProtectionQueueName, clock: opts.clock ?? realClock });
    this.#claims = opts.informers.informerFor<PersistentVolumeClaim>(Resources.persistentvolumeclaims);
    this.#pods = opts.informers.informerFor<Pod>(Resources.pods);
    addIndexerIfNotPresent(this.#pods, podPVCIndex, podPVCIndexFunc);
    this.#claims.addEventHandler({
      onAdd: (claim) => this.#claimAddedUpdated(claim),
      onUpdate: (_old, claim) => this.#claimAddedUpdated(claim),
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#podAddedDeletedUpdated(undefined, pod, false),
      onUpdate: (old, pod) => this.#podAddedDeletedUpdated(old, pod, false),
      onDelete: (pod) => this.#podAddedDeletedUpdated(undefined, pod, true),
    });
  }

  /** Waits for the claim and pod caches, then runs `workers` workers until the signal aborts. */
  async run(signal: AbortSignal, workers = 1): Promise<void> {
    log.info('Starting controller', { controller: pvcProtectionControllerName });
    try {
      const synced = (await this.#claims.waitForSync(signal)) && (await this.#pods.waitForSync(signal));
      if (!synced) return;
      await runWorkers(this.queue, workers, (key) => this.#sync(key, signal), signal);
    } finally {
      this.queue.shutDown();
      log.info('Shutting down controller', { controller: pvcProtectionControllerName });
    }
  }

  async #sync(key: string, signal: AbortSignal): Promise<void> {
    log.v(4, 'Processing PVC', { PVC: key });
    const claim = this.#claims.getByKey(key);
    if (claim === undefined) {
      log.v(4, 'PVC not found, ignoring', { PVC: key });
      return;
    }
    if (!isDeletionCandidate(claim, pvcProtectionFinalizer)) return;
    const { namespace } = splitMetaNamespaceKey(key);
    // One live list per sync, shared by the re-decisions after conflicts (upstream's LazyLivePodList).
    let live: Promise<Pod[]> | undefined;
    const livePods = (): Promise<Pod[]> => {
      live ??= this.#client
        .resource<Pod>(Resources.pods, namespace)
        .list({ signal })
        .then((l) => l.items);
      return live;
    };
    const outcome = await removeFinalizer(claim, {
      client: this.#client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, namespace),
      finalizer: pvcProtectionFinalizer,
      removable: async (c) => !(await this.#isBeingUsed(c, livePods)),
      signal,
    });
    if (outcome === 'removed') log.v(3, 'Removed protection finalizer from PVC', { PVC: key });
    else if (outcome === 'inUse') log.v(2, 'Keeping PVC because it is being used', { PVC: key });
  }

  async #isBeingUsed(claim: PersistentVolumeClaim, livePods: () => Promise<Pod[]>): Promise<boolean> {
    const key = metaNamespaceKey(claim);
    if (this.#pods.byIndex(podPVCIndex, key).some((pod) => podUsesPVC(pod, claim))) return true;
    log.v(4, "No Pod using PVC was found in the Informer's cache", { PVC: key });
    // The cache may not have a pod created a moment ago: only a live list makes the removal safe.
    if ((await livePods()).some((pod) => podUsesPVC(pod, claim))) return true;
    log.v(2, 'PVC is unused', { PVC: key });
    return false;
  }

  #claimAddedUpdated(claim: PersistentVolumeClaim): void {
    if (isDeletionCandidate(claim, pvcProtectionFinalizer)) this.queue.add(metaNamespaceKey(claim));
  }

  #podAddedDeletedUpdated(old: Pod | undefined, pod: Pod, deleted: boolean): void {
    this.#enqueueClaims(pod, deleted);
    // An update can hide the deletion of a pod and the creation of another of the same name: the old one
    // may have been what blocked a claim the new one does not use.
    if (old !== undefined && old.metadata.uid !== pod.metadata.uid) this.#enqueueClaims(old, true);
  }

  #enqueueClaims(pod: Pod, deleted: boolean): void {
    // Only pods that can no longer block a claim are interesting.
    if (!deleted && !isPodTerminated(pod) && (pod.spec?.nodeName ?? '') !== '') return;
    for (const key of podPVCIndexFunc(pod)) this.queue.add(key);
  }
}
