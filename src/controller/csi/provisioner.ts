// The built-in external-provisioner: for every registered CSI driver whose built-in logic is on, it
// provisions the claims the PV controller handed to that driver (CreateVolume, then a PV pre-bound to
// the claim, which the PV controller binds), deletes the volumes of Released PVs with reclaim Delete
// (DeleteVolume, then the PV), and keeps `provisioner.storage.kubernetes.io/cloning-protection` on a
// clone's source claim only while clones of it are pending. Semantics, names, finalizers and event
// messages follow kubernetes-csi/external-provisioner v5 with sig-storage-lib-external-provisioner and
// their defaults (--strict-topology=false, --immediate-topology=true, --extra-create-metadata=false).
//
// Idempotency: the volume name `pvc-<claim UID>` is the key. A crash, an API failure or a driver kill
// anywhere between CreateVolume and the PV creation makes the next attempt call CreateVolume again
// with the same name (the driver returns the same volume) and then create the PV; an existing PV means
// done.
//
// No orphans: from the first CreateVolume until the PV exists (or the driver answered with a final
// error, so nothing was made) a claim is "in progress" (upstream's claimsInProgress, in memory). If it
// is deleted, or replaced by a claim of the same name with another UID, in that window, the volume made
// for it is deleted (CreateVolume replayed with the same name to learn its ID, then DeleteVolume)
// instead of getting a PV; if that DeleteVolume fails, the PV is created after all, as upstream always
// does, and the PV controller releases it to the normal reclaim path. That cleanup runs on its own
// queue (key: the old claim's UID), so a claim re-created with the same name is provisioned at once;
// it is given up, with a Warning naming the likely orphan `pvc-<uid>`, after a bounded number of
// attempts or when what the replay needs is gone (a source, a secret) or the driver was handed to its
// own sidecars. What is not covered, as upstream does not: the process dying after CreateVolume and the
// claim being deleted before it restarts, since nothing persisted names the volume then.
//
// Concurrency: one worker at a time per claim, per abandoned claim UID and per PV (workqueue keys);
// different keys are handled in parallel by `workers` workers per queue. Failures are retried with
// per-key backoff. A claim's in-progress record is only moved to the abandoned set by the sync of its
// own key, so a cleanup never overlaps the CreateVolume of the claim it cleans up after.
import {
  type CSIDriver,
  type CSINode,
  deepCopy,
  isAlreadyExists,
  isNotFound,
  type Node,
  type ObjectReference,
  type PersistentVolume,
  type PersistentVolumeClaim,
  Resources,
  type StorageClass,
  type VolumeAttachment,
  type VolumeSnapshot,
  type VolumeSnapshotContent,
} from '../../api/index.ts';
import {
  type Client,
  type EventRecorder,
  metaNamespaceKey,
  runWorkers,
  type SharedIndexInformer,
  WorkQueue,
} from '../../client/index.ts';
import { type Clock, logger, realClock } from '../../component/index.ts';
import {
  type CreateVolumeRequest,
  type CsiClient,
  isCsiError,
  isCsiNotFound,
  isCsiResourceExhausted,
  isFinalCsiError,
  type VolumeCapability,
} from '../../csi/index.ts';
import {
  AnnBetaStorageProvisioner,
  AnnDynamicallyProvisioned,
  AnnSelectedNode,
  AnnStorageProvisioner,
  getPersistentVolumeClaimClass,
  PVDeletionProtectionFinalizer,
} from '../persistentvolume/index.ts';
import { type DriverCapabilities, type DriverCapabilityCache, ownCapabilities } from './capabilities.ts';
import { builtinClient, builtinSidecarsEnabled, type CsiControllerContext } from './common.ts';
import {
  AnnAllowVolumeModeChange,
  AnnDeletionProvisionerSecretRefName,
  AnnDeletionProvisionerSecretRefNamespace,
  ControllerExpandSecretParams,
  ControllerPublishSecretParams,
  Events,
  NodeExpandSecretParams,
  NodePublishSecretParams,
  NodeStageSecretParams,
  PrefixedFsTypeKey,
  ProvisionerComponent,
  ProvisionerIdKey,
  ProvisionerSecretParams,
  PvcCloneFinalizer,
  PvcKind,
  SnapshotApiGroup,
  SnapshotKind,
  VolumeNamePrefix,
} from './constants.ts';
import { type CsiControllerOptions, DefaultCsiTimeoutMs, ownRecorder } from './options.ts';
import { generateAccessibilityRequirements, generateVolumeNodeAffinity } from './topology.ts';
import {
  bytesToQuantity,
  CsiControllerError,
  errMsg,
  getCredentials,
  getSecretReference,
  quantityBytes,
  removePrefixedParameters,
  toCsiAccessMode,
  volumeCapability,
} from './util.ts';

const log = logger('csi-provisioner');

export const ProvisionerClaimQueueName = 'csi-provisioner-claims';
export const ProvisionerVolumeQueueName = 'csi-provisioner-volumes';
export const ProvisionerAbandonedQueueName = 'csi-provisioner-abandoned';

/**
 * Attempts to clean up after a deleted or replaced claim before its volume is reported as orphaned (with
 * the queue's default backoff, some 5 s: a driver restart fits in).
 */
const abandonAttempts = 10;

/** Times external-provisioner's cleanupVolume tries DeleteVolume after an unusable CreateVolume. */
const deleteVolumeRetryCount = 5;

/** The driver a claim was handed to (GA annotation first, then the beta one), or ''. */
export function claimProvisioner(claim: PersistentVolumeClaim): string {
  const a = claim.metadata.annotations;
  return a?.[AnnStorageProvisioner] ?? a?.[AnnBetaStorageProvisioner] ?? '';
}

/** isProvisionerForVolume: the driver responsible for deleting a PV, or ''. */
export function volumeProvisioner(pv: PersistentVolume): string {
  const by = pv.metadata.annotations?.[AnnDynamicallyProvisioned];
  if (by !== undefined) return by;
  return pv.spec?.csi?.driver ?? '';
}

/** The deterministic name of the volume and PV of a claim (makeVolumeName with prefix "pvc"). */
export function provisionedVolumeName(claim: PersistentVolumeClaim): string {
  const uid = claim.metadata.uid ?? '';
  if (uid === '') throw new CsiControllerError('corrupted PVC object, it is missing UID');
  return `${VolumeNamePrefix}-${uid}`;
}

/**
 * Where a failed attempt leaves the claim (upstream ProvisioningState): `reschedule` gives the
 * selected node back to the scheduler; every other state retries with backoff.
 */
type FailureState = 'finished' | 'background' | 'reschedule';

class ProvisionFailure extends Error {
  override readonly name = 'ProvisionFailure';
  readonly state: FailureState;
  constructor(message: string, state: FailureState, options?: { cause?: unknown }) {
    super(message, options);
    this.state = state;
  }
}

/** Cleaning up after an abandoned claim cannot succeed by retrying. */
class AbandonGiveUp extends Error {
  override readonly name = 'AbandonGiveUp';
}

/** Whether an API NotFound is in the error's cause chain (an object the operation needs is gone). */
function notFoundCause(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e !== undefined && i < 10; i++) {
    if (isNotFound(e)) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

/** A claim that needs no more work from us, for a reason worth a log line only. */
class Ignored extends Error {
  override readonly name = 'Ignored';
}

export class CsiProvisionerController {
  readonly claimQueue: WorkQueue<string>;
  readonly volumeQueue: WorkQueue<string>;
  /** UIDs of claims deleted or replaced while in progress, whose volume is to be cleaned up. */
  readonly abandonedQueue: WorkQueue<string>;
  readonly #client: Client;
  readonly #csi: CsiControllerContext;
  readonly #clock: Clock;
  readonly #recorder: EventRecorder;
  readonly #recorderDone: () => void;
  readonly #caps: DriverCapabilityCache;
  readonly #capsDone: () => void;
  readonly #timeoutMs: number;
  readonly #claims: SharedIndexInformer<PersistentVolumeClaim>;
  readonly #volumes: SharedIndexInformer<PersistentVolume>;
  readonly #classes: SharedIndexInformer<StorageClass>;
  readonly #csiNodes: SharedIndexInformer<CSINode>;
  readonly #nodes: SharedIndexInformer<Node>;
  readonly #csiDrivers: SharedIndexInformer<CSIDriver>;
  readonly #attachments: SharedIndexInformer<VolumeAttachment>;
  /** Provisioner identity per driver (upstream: `<start ms>-<rand>-<driver>`), stamped into volumeAttributes. */
  readonly #identities = new Map<string, string>();
  /** PVs this process created that the informer may not show yet (dropped when the informer sees them go). */
  readonly #created = new Set<string>();
  /** Claims (by key) whose volume may exist in the driver while no PV records it yet. */
  readonly #inProgress = new Map<string, PersistentVolumeClaim>();
  /** Claims taken out of #inProgress because they were deleted or replaced, by UID. */
  readonly #abandoned = new Map<string, PersistentVolumeClaim>();
  readonly #unsubscribe: () => void;

  constructor(opts: CsiControllerOptions) {
    this.#client = opts.client;
    this.#csi = opts.csi;
    this.#clock = opts.clock ?? realClock;
    const rec = ownRecorder(opts, ProvisionerComponent);
    this.#recorder = rec.recorder;
    this.#recorderDone = rec.done;
    const caps = ownCapabilities(opts, opts.csi.drivers);
    this.#caps = caps.caps;
    this.#capsDone = caps.done;
    this.#timeoutMs = opts.csiTimeoutMs ?? DefaultCsiTimeoutMs;
    this.claimQueue = new WorkQueue<string>({ name: ProvisionerClaimQueueName, clock: this.#clock });
    this.volumeQueue = new WorkQueue<string>({ name: ProvisionerVolumeQueueName, clock: this.#clock });
    this.abandonedQueue = new WorkQueue<string>({ name: ProvisionerAbandonedQueueName, clock: this.#clock });
    const inf = opts.informers;
    this.#claims = inf.informerFor<PersistentVolumeClaim>(Resources.persistentvolumeclaims);
    this.#volumes = inf.informerFor<PersistentVolume>(Resources.persistentvolumes);
    this.#classes = inf.informerFor<StorageClass>(Resources.storageclasses);
    this.#csiNodes = inf.informerFor<CSINode>(Resources.csinodes);
    this.#nodes = inf.informerFor<Node>(Resources.nodes);
    this.#csiDrivers = inf.informerFor<CSIDriver>(Resources.csidrivers);
    this.#attachments = inf.informerFor<VolumeAttachment>(Resources.volumeattachments);
    this.#claims.addEventHandler({
      onAdd: (c) => this.#claimChanged(c),
      onUpdate: (_o, c) => this.#claimChanged(c),
      onDelete: (c) => this.#claimDeleted(c),
    });
    this.#volumes.addEventHandler({
      onAdd: (v) => this.#volumeChanged(v),
      onUpdate: (_o, v) => this.#volumeChanged(v),
      // The informer shows what is left of it from now on.
      onDelete: (v) => this.#created.delete(v.metadata.name ?? ''),
    });
    this.#classes.addEventHandler({
      onAdd: (sc) => this.#requeueDriver(sc.provisioner),
      onUpdate: (_o, sc) => this.#requeueDriver(sc.provisioner),
    });
    this.#csiDrivers.addEventHandler({
      onAdd: (d) => this.#requeueDriver(d.metadata.name ?? ''),
      onUpdate: (_o, d) => this.#requeueDriver(d.metadata.name ?? ''),
      onDelete: (d) => this.#requeueDriver(d.metadata.name ?? ''),
    });
    this.#unsubscribe = opts.csi.drivers.subscribe((name) => this.#requeueDriver(name));
  }

  /** Waits for the caches, then runs `workers` workers per queue until the signal aborts. */
  async run(signal: AbortSignal, workers = 1): Promise<void> {
    log.info('Starting controller', { controller: ProvisionerComponent });
    try {
      const synced = await Promise.all(
        [
          this.#claims,
          this.#volumes,
          this.#classes,
          this.#csiNodes,
          this.#nodes,
          this.#csiDrivers,
          this.#attachments,
        ].map((i) => i.waitForSync(signal)),
      );
      if (!synced.every((x) => x)) return;
      await Promise.all([
        runWorkers(this.claimQueue, workers, (k) => this.#syncClaim(k, signal), signal),
        runWorkers(this.volumeQueue, workers, (k) => this.#syncVolume(k, signal), signal),
        runWorkers(this.abandonedQueue, workers, (uid) => this.#syncAbandoned(uid, signal), signal),
      ]);
    } finally {
      this.claimQueue.shutDown();
      this.volumeQueue.shutDown();
      this.abandonedQueue.shutDown();
      this.#unsubscribe();
      this.#capsDone();
      this.#recorderDone();
      log.info('Shutting down controller', { controller: ProvisionerComponent });
    }
  }

  // ---- event handlers ----------------------------------------------------------------------------

  #claimChanged(claim: PersistentVolumeClaim): void {
    if (claimProvisioner(claim) !== '' || claim.metadata.finalizers?.includes(PvcCloneFinalizer) === true) {
      this.claimQueue.add(metaNamespaceKey(claim));
    }
    const src = cloneSource(claim);
    if (src !== undefined) this.claimQueue.add(`${claim.metadata.namespace ?? ''}/${src}`);
  }

  #claimDeleted(claim: PersistentVolumeClaim): void {
    const key = metaNamespaceKey(claim);
    if (this.#inProgress.has(key)) this.claimQueue.add(key);
    const src = cloneSource(claim);
    if (src !== undefined) this.claimQueue.add(`${claim.metadata.namespace ?? ''}/${src}`);
  }

  #volumeChanged(pv: PersistentVolume): void {
    if (volumeProvisioner(pv) !== '') this.volumeQueue.add(pv.metadata.name ?? '');
  }

  /** A driver registered, went away or changed its switch, or a class of it changed: look again. */
  #requeueDriver(driver: string): void {
    for (const c of this.#claims.list()) {
      if (claimProvisioner(c) === driver && (c.spec?.volumeName ?? '') === '')
        this.claimQueue.add(metaNamespaceKey(c));
    }
    for (const v of this.#volumes.list()) {
      if (volumeProvisioner(v) === driver) this.volumeQueue.add(v.metadata.name ?? '');
    }
  }

  // ---- claims ------------------------------------------------------------------------------------

  async #syncClaim(key: string, signal: AbortSignal): Promise<void> {
    const claim = this.#claims.getByKey(key);
    const stale = this.#inProgress.get(key);
    if (stale !== undefined && (claim === undefined || claim.metadata.uid !== stale.metadata.uid)) {
      // Cleaned up on its own key: whatever that needs must not hold up the claim now of this name.
      const uid = stale.metadata.uid ?? '';
      this.#inProgress.delete(key);
      this.#abandoned.set(uid, stale);
      this.abandonedQueue.add(uid);
    }
    if (claim === undefined) return;
    if (claim.metadata.finalizers?.includes(PvcCloneFinalizer) === true) {
      await this.#syncCloneProtection(claim, signal);
    }
    if (claim.metadata.deletionTimestamp !== undefined) return;
    const driver = claimProvisioner(claim);
    if (driver === '' || (claim.spec?.volumeName ?? '') !== '') return;
    const client = builtinClient(this.#csi, driver);
    if (client === undefined) return; // not registered here, or served by the driver's own sidecars
    const className = getPersistentVolumeClaimClass(claim);
    const sc = this.#classes.getByKey(className);
    if (sc === undefined) throw new CsiControllerError(`storageClass ${JSON.stringify(className)} not found`);
    if (sc.provisioner !== driver) {
      log.v(4, 'Unknown provisioner requested in claim StorageClass', {
        PVC: key,
        provisioner: sc.provisioner,
      });
      return;
    }
    const selectedNode = claim.metadata.annotations?.[AnnSelectedNode] ?? '';
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && selectedNode === '') return;
    const caps = await this.#caps.get(driver, client, signal);
    if (!caps.controller.has('CREATE_DELETE_VOLUME')) {
      log.v(4, 'Driver cannot create volumes, leaving claim alone', { PVC: key, driver });
      return;
    }
    const pvName = provisionedVolumeName(claim);
    if (this.#hasPV(pvName)) {
      log.v(4, 'PersistentVolume already exists, skipping', { PVC: key, PV: pvName });
      this.#inProgress.delete(key);
      return;
    }
    let node: Node | undefined;
    if (selectedNode !== '') {
      try {
        node = await this.#node(selectedNode, signal);
      } catch (err) {
        if (!isNotFound(err)) {
          const msg = `failed to get target node: ${errMsg(err)}`;
          this.#recorder.event(claim, 'Warning', Events.ProvisioningFailed, msg);
          throw new CsiControllerError(msg, { cause: err });
        }
        // The node is gone: give the claim back to the scheduler.
        await this.#failed(claim, new ProvisionFailure(errMsg(err), 'reschedule', { cause: err }));
        return;
      }
    }
    this.#recorder.event(
      claim,
      'Normal',
      Events.Provisioning,
      `External provisioner is provisioning volume for claim "${key}"`,
    );
    let pv: PersistentVolume;
    try {
      pv = await this.#provision(claim, sc, client, caps, node, signal);
    } catch (err) {
      if (err instanceof Ignored) {
        log.v(4, 'Volume provision ignored', { PVC: key, reason: err.message });
        return;
      }
      await this.#failed(
        claim,
        err instanceof ProvisionFailure ? err : new ProvisionFailure(errMsg(err), 'finished', { cause: err }),
        className,
      );
      return;
    }
    const now = this.#claims.getByKey(key);
    if ((now === undefined || now.metadata.uid !== claim.metadata.uid) && !this.#hasPV(pvName)) {
      // The claim went away while its volume was being made: nobody will use the volume.
      await this.#discard(claim, pv, client, signal);
      this.#inProgress.delete(key);
      if (now !== undefined) this.claimQueue.add(key);
      return;
    }
    await this.#savePV(claim, pv, signal);
    this.#inProgress.delete(key);
    this.#recorder.event(
      claim,
      'Normal',
      Events.ProvisioningSucceeded,
      `Successfully provisioned volume ${pvName}`,
    );
    log.v(2, 'Provisioned volume', { PVC: key, PV: pvName, volumeHandle: pv.spec?.csi?.volumeHandle });
  }

  /** A PV of this name exists (or this process created it and the informer lags). */
  #hasPV(pvName: string): boolean {
    return this.#volumes.getByKey(pvName) !== undefined || this.#created.has(pvName);
  }

  /** StoreVolume: creates the PV; an existing one is ours from an earlier attempt. */
  async #savePV(claim: PersistentVolumeClaim, pv: PersistentVolume, signal: AbortSignal): Promise<void> {
    const pvName = pv.metadata.name ?? '';
    try {
      await this.#client.resource<PersistentVolume>(Resources.persistentvolumes).create(pv, { signal });
    } catch (err) {
      if (!isAlreadyExists(err)) {
        // The volume exists in the driver; the retry calls CreateVolume with the same name again.
        throw new CsiControllerError(`error saving volume ${pvName}: ${errMsg(err)}`, { cause: err });
      }
      log.v(2, 'Persistentvolume already exists, reusing', { PV: pvName });
    }
    this.#created.add(pvName);
    log.v(4, 'Saved PersistentVolume', { PVC: metaNamespaceKey(claim), PV: pvName });
  }

  /**
   * Deletes the volume made for a claim that no longer exists. When DeleteVolume fails the PV is
   * created after all, so that the volume stays on record and the reclaim path deletes it later.
   */
  async #discard(
    claim: PersistentVolumeClaim,
    pv: PersistentVolume,
    client: CsiClient,
    signal: AbortSignal,
  ): Promise<void> {
    const key = metaNamespaceKey(claim);
    const handle = pv.spec?.csi?.volumeHandle ?? '';
    const secrets = await this.#deletionSecrets(pv, signal);
    const err = await this.#cleanupVolume(client, handle, secrets, signal);
    if (err === undefined) {
      log.info('Deleted the volume of a claim deleted during provisioning', {
        PVC: key,
        UID: claim.metadata.uid,
        volumeHandle: handle,
      });
      return;
    }
    log.warn('Cannot delete the volume of a claim deleted during provisioning, saving its PV', {
      PVC: key,
      volumeHandle: handle,
      err: errMsg(err),
    });
    await this.#savePV(claim, pv, signal);
  }

  /** Cleans up after one abandoned claim; gives up after `abandonAttempts` or on a lasting cause. */
  async #syncAbandoned(uid: string, signal: AbortSignal): Promise<void> {
    const stale = this.#abandoned.get(uid);
    if (stale === undefined) return;
    try {
      await this.#abandon(stale, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const attempt = this.abandonedQueue.numRequeues(uid) + 1;
      if (!(err instanceof AbandonGiveUp) && !notFoundCause(err) && attempt < abandonAttempts) throw err;
      this.#abandoned.delete(uid);
      const key = metaNamespaceKey(stale);
      const msg = `giving up cleaning up after claim ${key} (UID ${uid}) deleted while its volume was being provisioned: volume ${VolumeNamePrefix}-${uid} may be orphaned in driver ${claimProvisioner(stale)}: ${errMsg(err)}`;
      log.warn('Volume of a deleted claim may be orphaned', {
        PVC: key,
        UID: uid,
        volumeName: `${VolumeNamePrefix}-${uid}`,
        attempts: attempt,
        err: errMsg(err),
      });
      this.#recorder.event(stale, 'Warning', Events.ProvisioningFailed, msg);
      return;
    }
    this.#abandoned.delete(uid);
  }

  /**
   * A claim in progress was deleted or replaced: replay CreateVolume for it (same name, so the driver
   * answers with the volume it made, if any) and discard the result. Throws to be retried.
   */
  async #abandon(stale: PersistentVolumeClaim, signal: AbortSignal): Promise<void> {
    const key = metaNamespaceKey(stale);
    const pvName = provisionedVolumeName(stale);
    // Its PV exists after all: the PV controller releases it and the reclaim policy decides.
    if (this.#hasPV(pvName)) return;
    const driver = claimProvisioner(stale);
    if (!builtinSidecarsEnabled(this.#csi.csiDriver(driver))) {
      throw new AbandonGiveUp(`driver ${driver} is served by its own sidecars now`);
    }
    const client = builtinClient(this.#csi, driver);
    if (client === undefined) {
      throw new CsiControllerError(
        `cannot clean up after deleted claim ${key}: driver ${driver} is not available to the built-in provisioner`,
      );
    }
    const className = getPersistentVolumeClaimClass(stale);
    const sc = this.#classes.getByKey(className);
    if (sc === undefined || sc.provisioner !== driver) {
      log.warn('StorageClass of a deleted claim is gone, its volume may be orphaned', {
        PVC: key,
        storageClass: className,
        volumeName: pvName,
      });
      return;
    }
    const caps = await this.#caps.get(driver, client, signal);
    let node: Node | undefined;
    const selectedNode = stale.metadata.annotations?.[AnnSelectedNode] ?? '';
    if (selectedNode !== '') {
      try {
        node = await this.#node(selectedNode, signal);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    let pv: PersistentVolume;
    try {
      pv = await this.#provision(stale, sc, client, caps, node, signal, { abandoned: true });
    } catch (err) {
      // A final answer: the driver made nothing for this name.
      if (err instanceof Ignored || (err instanceof ProvisionFailure && err.state !== 'background')) return;
      throw err;
    }
    await this.#discard(stale, pv, client, signal);
  }

  /** provisionVolumeErrorHandling: ProvisioningFailed, then either reschedule or retry with backoff. */
  async #failed(claim: PersistentVolumeClaim, failure: ProvisionFailure, className?: string): Promise<void> {
    const msg =
      className === undefined
        ? failure.message
        : `failed to provision volume with StorageClass ${JSON.stringify(className)}: ${failure.message}`;
    this.#recorder.event(claim, 'Warning', Events.ProvisioningFailed, msg);
    if (failure.state === 'reschedule' && claim.metadata.annotations?.[AnnSelectedNode] !== undefined) {
      // The scheduler picks a node again once selected-node is gone.
      const c = deepCopy(claim);
      delete c.metadata.annotations?.[AnnSelectedNode];
      try {
        await this.#client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims).update(c);
        log.v(2, 'Volume rescheduled', { PVC: metaNamespaceKey(claim), err: failure.message });
        return;
      } catch (err) {
        throw new CsiControllerError(
          `delete annotation 'annSelectedNode' for PersistentVolumeClaim "${metaNamespaceKey(claim)}": ${errMsg(err)}`,
          { cause: err },
        );
      }
    }
    throw failure;
  }

  async #node(name: string, signal: AbortSignal): Promise<Node> {
    const cached = this.#nodes.getByKey(name);
    if (cached !== undefined) return cached;
    return await this.#client.resource<Node>(Resources.nodes).get(name, { signal });
  }

  /** prepareProvision + Provision: CreateVolume and the PV to create. */
  async #provision(
    claim: PersistentVolumeClaim,
    sc: StorageClass,
    client: CsiClient,
    caps: DriverCapabilities,
    node: Node | undefined,
    signal: AbortSignal,
    opts: { abandoned?: boolean } = {},
  ): Promise<PersistentVolume> {
    const driver = sc.provisioner;
    const ds = claim.spec?.dataSource;
    let snapshot = false;
    let clone = false;
    if (ds !== undefined) {
      if (ds.name === '') {
        throw new ProvisionFailure(
          `the PVC source not found for PVC ${claim.metadata.name ?? ''}`,
          'finished',
        );
      }
      if (ds.kind === SnapshotKind) {
        if ((ds.apiGroup ?? '') !== SnapshotApiGroup) {
          throw new ProvisionFailure(
            `the PVC source does not belong to the right APIGroup. Expected ${SnapshotApiGroup}, Got ${ds.apiGroup ?? ''}`,
            'finished',
          );
        }
        snapshot = true;
      } else if (ds.kind === PvcKind && (ds.apiGroup ?? '') === '') {
        clone = true;
      } else {
        this.#recorder.event(
          claim,
          'Normal',
          Events.Provisioning,
          'Assuming an external populator will provision the volume',
        );
        throw new Ignored(
          `data source (${ds.kind}) is not handled by the provisioner, assuming an external populator will provision it`,
        );
      }
    }
    checkDriverCapabilities(caps, snapshot, clone);
    if (claim.spec?.selector !== undefined)
      throw new ProvisionFailure('claim Selector is not supported', 'finished');
    const pvName = provisionedVolumeName(claim);

    let fsType = '';
    let fsTypes = 0;
    for (const [k, v] of Object.entries(sc.parameters ?? {})) {
      if (k.toLowerCase() === 'fstype' || k === PrefixedFsTypeKey) {
        fsType = v;
        fsTypes++;
      }
    }
    if (fsTypes > 1) {
      throw new ProvisionFailure(
        `fstype specified in parameters with both "fstype" and "${PrefixedFsTypeKey}" keys`,
        'finished',
      );
    }
    const requested = quantityBytes(claim.spec?.resources?.requests?.storage);
    const limit = claim.spec?.resources?.limits?.storage;
    const block = claim.spec?.volumeMode === 'Block';
    const snmw = caps.controller.has('SINGLE_NODE_MULTI_WRITER');
    const volumeCaps: VolumeCapability[] = (claim.spec?.accessModes ?? []).map((m) =>
      volumeCapability(block, toCsiAccessMode([m], snmw), fsType, sc.mountOptions),
    );
    const req: CreateVolumeRequest = {
      name: pvName,
      capacity_range: {
        required_bytes: requested.toString(),
        ...(limit !== undefined ? { limit_bytes: quantityBytes(limit).toString() } : {}),
      },
      volume_capabilities: volumeCaps,
    };
    if (snapshot || clone) {
      try {
        req.volume_content_source = snapshot
          ? await this.#snapshotSource(claim, sc, signal)
          : await this.#pvcSource(claim, sc, signal);
      } catch (err) {
        throw new ProvisionFailure(
          `error getting handle for DataSource Type ${ds?.kind ?? ''} by Name ${ds?.name ?? ''}: ${errMsg(err)}`,
          'background',
          { cause: err },
        );
      }
    }
    if (clone) await this.#setCloneFinalizer(claim, signal);
    const topology = caps.plugin.has('VOLUME_ACCESSIBILITY_CONSTRAINTS');
    if (topology) {
      try {
        const r = generateAccessibilityRequirements({
          driver,
          pvcName: claim.metadata.name ?? '',
          allowedTopologies: sc.allowedTopologies,
          selectedNode: node?.metadata.name ?? '',
          csiNodes: this.#csiNodes.list(),
          nodes:
            node !== undefined && this.#nodes.getByKey(node.metadata.name ?? '') === undefined
              ? [...this.#nodes.list(), node]
              : this.#nodes.list(),
        });
        if (r !== undefined) req.accessibility_requirements = r;
      } catch (err) {
        throw new ProvisionFailure(
          `error generating accessibility requirements: ${errMsg(err)}`,
          'background',
          {
            cause: err,
          },
        );
      }
    }
    const provisionerRef = getSecretReference(ProvisionerSecretParams, sc.parameters, pvName, {
      metadata: { name: claim.metadata.name ?? '', namespace: claim.metadata.namespace ?? '' },
    });
    const secrets = await getCredentials(this.#client, provisionerRef, signal);
    if (secrets !== undefined) req.secrets = secrets;
    const refs = {
      controllerPublishSecretRef: getSecretReference(
        ControllerPublishSecretParams,
        sc.parameters,
        pvName,
        claim,
      ),
      nodeStageSecretRef: getSecretReference(NodeStageSecretParams, sc.parameters, pvName, claim),
      nodePublishSecretRef: getSecretReference(NodePublishSecretParams, sc.parameters, pvName, claim),
      controllerExpandSecretRef: getSecretReference(
        ControllerExpandSecretParams,
        sc.parameters,
        pvName,
        claim,
      ),
      nodeExpandSecretRef: getSecretReference(NodeExpandSecretParams, sc.parameters, pvName, claim),
    };
    try {
      req.parameters = removePrefixedParameters(sc.parameters);
    } catch (err) {
      throw new ProvisionFailure(
        `failed to strip CSI Parameters of prefixed keys: ${errMsg(err)}`,
        'finished',
      );
    }

    let rep: Awaited<ReturnType<CsiClient['createVolume']>>;
    const key = metaNamespaceKey(claim);
    // (An abandoned claim's replay is tracked in #abandoned; the key may be a new claim's now.)
    if (opts.abandoned !== true && !this.#inProgress.has(key)) this.#inProgress.set(key, claim);
    try {
      rep = await client.createVolume(req, { signal, timeoutMs: this.#timeoutMs });
    } catch (err) {
      // checkError: only "out of resources" on a node the scheduler picked is worth another node.
      const mayReschedule = topology && node !== undefined;
      let state: FailureState = 'background';
      if (isCsiError(err)) {
        if (isCsiResourceExhausted(err)) state = mayReschedule ? 'reschedule' : 'finished';
        else if (isFinalCsiError(err)) state = 'finished';
      }
      // A final answer means the driver made nothing; otherwise it may still be making the volume.
      if (state !== 'background' && this.#inProgress.get(key)?.metadata.uid === claim.metadata.uid)
        this.#inProgress.delete(key);
      throw new ProvisionFailure(errMsg(err), state, { cause: err });
    }
    const vol = rep.volume;
    if (vol === null || vol === undefined)
      throw new ProvisionFailure('CreateVolume returned no volume', 'background');
    let capacity = BigInt(vol.capacity_bytes || '0');
    if (capacity === 0n) {
      capacity = requested;
    } else if (capacity < requested) {
      let msg = `created volume capacity ${capacity} less than requested capacity ${requested}`;
      const cleanupErr = await this.#cleanupVolume(client, vol.volume_id, secrets, signal);
      if (cleanupErr !== undefined)
        msg += `. Cleanup of volume ${pvName} failed, volume is orphaned: ${errMsg(cleanupErr)}`;
      throw new ProvisionFailure(msg, 'background');
    }
    if (ds !== undefined && (vol.content_source === null || vol.content_source === undefined)) {
      let msg = 'volume content source missing';
      const cleanupErr = await this.#cleanupVolume(client, vol.volume_id, secrets, signal);
      if (cleanupErr !== undefined)
        msg += `. cleanup of volume ${pvName} failed, volume is orphaned: ${errMsg(cleanupErr)}`;
      throw new ProvisionFailure(msg, 'background');
    }

    const volumeAttributes: Record<string, string> = { [ProvisionerIdKey]: this.#identity(driver) };
    for (const [k, v] of Object.entries(vol.volume_context ?? {})) volumeAttributes[k] = v;
    const csi: NonNullable<PersistentVolume['spec']>['csi'] = {
      driver,
      volumeHandle: vol.volume_id,
      volumeAttributes,
    };
    if (!block) csi.fsType = fsType;
    for (const [k, ref] of Object.entries(refs)) {
      if (ref !== undefined) (csi as unknown as Record<string, unknown>)[k] = ref;
    }
    const claimRef: ObjectReference = {
      kind: 'PersistentVolumeClaim',
      namespace: claim.metadata.namespace ?? '',
      name: claim.metadata.name ?? '',
      uid: claim.metadata.uid ?? '',
      apiVersion: 'v1',
      resourceVersion: claim.metadata.resourceVersion ?? '',
    };
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name: pvName,
        annotations: {
          [AnnDeletionProvisionerSecretRefName]: provisionerRef?.name ?? '',
          [AnnDeletionProvisionerSecretRefNamespace]: provisionerRef?.namespace ?? '',
          [AnnDynamicallyProvisioned]: driver,
        },
        finalizers: [PVDeletionProtectionFinalizer],
      },
      spec: {
        accessModes: [...(claim.spec?.accessModes ?? [])],
        capacity: { storage: bytesToQuantity(capacity) },
        csi,
        claimRef,
        storageClassName: getPersistentVolumeClaimClass(claim),
        ...(sc.mountOptions !== undefined ? { mountOptions: [...sc.mountOptions] } : {}),
        ...(sc.reclaimPolicy !== undefined ? { persistentVolumeReclaimPolicy: sc.reclaimPolicy } : {}),
        ...(claim.spec?.volumeMode !== undefined ? { volumeMode: claim.spec.volumeMode } : {}),
      },
    };
    if (topology) {
      const affinity = generateVolumeNodeAffinity(vol.accessible_topology);
      if (affinity !== undefined && pv.spec !== undefined) pv.spec.nodeAffinity = affinity;
    }
    return pv;
  }

  #identity(driver: string): string {
    let id = this.#identities.get(driver);
    if (id === undefined) {
      id = `${this.#clock.now()}-${Math.floor(Math.random() * 10000)}-${driver}`;
      this.#identities.set(driver, id);
    }
    return id;
  }

  async #cleanupVolume(
    client: CsiClient,
    volumeId: string,
    secrets: Record<string, string> | undefined,
    signal: AbortSignal,
  ): Promise<unknown> {
    let last: unknown;
    for (let i = 0; i < deleteVolumeRetryCount; i++) {
      try {
        await client.deleteVolume(
          { volume_id: volumeId, ...(secrets !== undefined ? { secrets } : {}) },
          { signal, timeoutMs: this.#timeoutMs },
        );
        return undefined;
      } catch (err) {
        last = err;
      }
    }
    return last;
  }

  /** getSnapshotSource: the snapshot must be bound, ready and made by this driver, and not larger than asked. */
  async #snapshotSource(
    claim: PersistentVolumeClaim,
    sc: StorageClass,
    signal: AbortSignal,
  ): Promise<NonNullable<CreateVolumeRequest['volume_content_source']>> {
    const name = claim.spec?.dataSource?.name ?? '';
    const notBound = `snapshot ${name} not bound`;
    let snap: VolumeSnapshot;
    try {
      snap = await this.#client
        .resource<VolumeSnapshot>(Resources.volumesnapshots, claim.metadata.namespace ?? '')
        .get(name, { signal });
    } catch (err) {
      throw new CsiControllerError(`error getting snapshot ${name} from api server: ${errMsg(err)}`, {
        cause: err,
      });
    }
    if (snap.metadata.deletionTimestamp !== undefined) {
      throw new CsiControllerError(`snapshot ${name} is currently being deleted`);
    }
    const contentName = snap.status?.boundVolumeSnapshotContentName;
    if (contentName === undefined || contentName === '') throw new CsiControllerError(notBound);
    let content: VolumeSnapshotContent;
    try {
      content = await this.#client
        .resource<VolumeSnapshotContent>(Resources.volumesnapshotcontents)
        .get(contentName, { signal });
    } catch {
      throw new CsiControllerError(notBound);
    }
    const ref = content.spec.volumeSnapshotRef;
    if (
      ref.uid !== snap.metadata.uid ||
      ref.namespace !== snap.metadata.namespace ||
      ref.name !== snap.metadata.name
    ) {
      throw new CsiControllerError(notBound);
    }
    if (content.spec.driver !== sc.provisioner) throw new CsiControllerError(notBound);
    if (snap.status?.readyToUse !== true) throw new CsiControllerError(`snapshot ${name} is not Ready`);
    const handle = content.status?.snapshotHandle;
    if (handle === undefined || handle === '')
      throw new CsiControllerError(`snapshot handle ${name} is not available`);
    const restore = snap.status?.restoreSize;
    if (restore !== undefined) {
      if (claim.spec?.resources?.requests?.storage === undefined) {
        throw new CsiControllerError(
          `error getting capacity for PVC ${claim.metadata.name ?? ''} when creating snapshot ${name}`,
        );
      }
      const size = quantityBytes(claim.spec.resources.requests.storage);
      const restoreBytes = quantityBytes(restore);
      if (size < restoreBytes) {
        throw new CsiControllerError(
          `requested volume size ${size} is less than the size ${restoreBytes} for the source snapshot ${name}`,
        );
      }
    }
    // --prevent-volume-mode-conversion (on by default since v4).
    const srcMode = content.spec.sourceVolumeMode;
    const mode = claim.spec?.volumeMode;
    if (srcMode !== undefined && srcMode !== null && mode !== undefined && srcMode !== mode) {
      const allow = content.metadata.annotations?.[AnnAllowVolumeModeChange];
      const who = `${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`;
      if (allow === undefined) {
        throw new CsiControllerError(
          `requested volume ${who} modifies the mode of the source volume but does not have permission to do so. ${AnnAllowVolumeModeChange} annotation is not present on snapshotcontent ${contentName}`,
        );
      }
      if (!['true', '1', 't', 'T', 'TRUE', 'True'].includes(allow)) {
        throw new CsiControllerError(
          `requested volume ${who} modifies the mode of the source volume but does not have permission to do so. ${AnnAllowVolumeModeChange} is set to false on snapshotcontent ${contentName}`,
        );
      }
    }
    return { snapshot: { snapshot_id: handle } };
  }

  /** getPVCSource: the source claim must be bound to a PV of this driver, same mode, not larger. */
  async #pvcSource(
    claim: PersistentVolumeClaim,
    sc: StorageClass,
    signal: AbortSignal,
  ): Promise<NonNullable<CreateVolumeRequest['volume_content_source']>> {
    const ns = claim.metadata.namespace ?? '';
    const name = claim.spec?.dataSource?.name ?? '';
    const src = this.#claims.getByKey(`${ns}/${name}`);
    if (src === undefined) {
      throw new CsiControllerError(
        `error getting PVC ${name} (namespace "${ns}") from api server: persistentvolumeclaim "${name}" not found`,
      );
    }
    if (src.status?.phase !== 'Bound') {
      throw new CsiControllerError(
        `the PVC DataSource ${name} must have a status of Bound.  Got ${JSON.stringify(src.status ?? {})}`,
      );
    }
    if (src.metadata.deletionTimestamp !== undefined) {
      throw new CsiControllerError(`the PVC DataSource ${name} is currently being deleted`);
    }
    if (src.spec?.storageClassName === undefined) {
      throw new CsiControllerError(`the source PVC (${name}) storageclass cannot be empty`);
    }
    if (claim.spec?.storageClassName === undefined) {
      throw new CsiControllerError(
        `the requested PVC (${claim.metadata.name ?? ''}) storageclass cannot be empty`,
      );
    }
    const requested = quantityBytes(claim.spec.resources?.requests?.storage);
    const srcSize = quantityBytes(src.spec.resources?.requests?.storage);
    if (requested < srcSize) {
      throw new CsiControllerError(
        `error, new PVC request must be greater than or equal in size to the specified PVC data source, requested ${requested} but source is ${srcSize}`,
      );
    }
    const volumeName = src.spec.volumeName ?? '';
    if (volumeName === '') throw new CsiControllerError(`volume name is empty in source PVC ${name}`);
    const invalid = new CsiControllerError('claim in dataSource not bound or invalid');
    let pv: PersistentVolume;
    try {
      pv = await this.#client
        .resource<PersistentVolume>(Resources.persistentvolumes)
        .get(volumeName, { signal });
    } catch {
      throw invalid;
    }
    const c = pv.spec?.csi;
    const ref = pv.spec?.claimRef;
    if (c === undefined || c.driver !== sc.provisioner || ref === undefined) throw invalid;
    if (
      ref.uid !== src.metadata.uid ||
      ref.namespace !== src.metadata.namespace ||
      ref.name !== src.metadata.name
    ) {
      throw invalid;
    }
    if (pv.status?.phase !== 'Bound') throw invalid;
    const wantBlock = claim.spec.volumeMode === 'Block';
    const srcBlock = pv.spec?.volumeMode === 'Block';
    if (!wantBlock && srcBlock) {
      throw new CsiControllerError(
        'the source PVC and destination PVCs must have the same volume mode for cloning.  Source is Block, but new PVC requested Filesystem',
      );
    }
    if (wantBlock && !srcBlock) {
      throw new CsiControllerError(
        'the source PVC and destination PVCs must have the same volume mode for cloning.  Source is Filesystem, but new PVC requested Block',
      );
    }
    return { volume: { volume_id: c.volumeHandle } };
  }

  async #setCloneFinalizer(claim: PersistentVolumeClaim, signal: AbortSignal): Promise<void> {
    const ns = claim.metadata.namespace ?? '';
    const name = claim.spec?.dataSource?.name ?? '';
    const src = this.#claims.getByKey(`${ns}/${name}`);
    if (src === undefined)
      throw new ProvisionFailure(`persistentvolumeclaim "${name}" not found`, 'background');
    if (src.metadata.finalizers?.includes(PvcCloneFinalizer) === true) return;
    try {
      await this.#client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, ns).patch(
        name,
        'application/merge-patch+json',
        {
          metadata: {
            finalizers: [...(src.metadata.finalizers ?? []), PvcCloneFinalizer],
            resourceVersion: src.metadata.resourceVersion,
          },
        },
        { signal },
      );
    } catch (err) {
      throw new ProvisionFailure(errMsg(err), 'background', { cause: err });
    }
  }

  /** CloningProtectionController: drop the finalizer once no pending claim clones this one. */
  async #syncCloneProtection(claim: PersistentVolumeClaim, signal: AbortSignal): Promise<void> {
    const ns = claim.metadata.namespace ?? '';
    const name = claim.metadata.name ?? '';
    const pending = this.#claims
      .list()
      .some(
        (c) =>
          c.metadata.namespace === ns &&
          cloneSource(c) === name &&
          c.status?.phase !== 'Bound' &&
          c.metadata.deletionTimestamp === undefined,
      );
    if (pending) return;
    const finalizers = (claim.metadata.finalizers ?? []).filter((f) => f !== PvcCloneFinalizer);
    await this.#client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, ns).patch(
      name,
      'application/merge-patch+json',
      {
        metadata: {
          finalizers: finalizers.length > 0 ? finalizers : null,
          resourceVersion: claim.metadata.resourceVersion,
        },
      },
      { signal },
    );
    log.v(3, 'Removed cloning protection finalizer', { PVC: `${ns}/${name}` });
  }

  // ---- volumes -----------------------------------------------------------------------------------

  async #syncVolume(name: string, signal: AbortSignal): Promise<void> {
    let pv = this.#volumes.getByKey(name);
    if (pv === undefined) {
      this.#created.delete(name);
      return;
    }
    const driver = volumeProvisioner(pv);
    if (driver === '') return;
    const client = builtinClient(this.#csi, driver);
    if (client === undefined) return;
    pv = await this.#handleProtectionFinalizer(pv, signal);
    if (!shouldDelete(pv)) return;
    await this.#deleteVolumeOperation(pv, driver, client, signal);
  }

  /** handleProtectionFinalizer: Delete-policy PVs keep the finalizer while bound; others lose it. */
  async #handleProtectionFinalizer(pv: PersistentVolume, signal: AbortSignal): Promise<PersistentVolume> {
    const policy = pv.spec?.persistentVolumeReclaimPolicy;
    const fins = pv.metadata.finalizers ?? [];
    let next: string[] | undefined;
    if (
      policy === 'Delete' &&
      pv.metadata.deletionTimestamp === undefined &&
      pv.status?.phase === 'Bound' &&
      !fins.includes(PVDeletionProtectionFinalizer)
    ) {
      next = [...fins, PVDeletionProtectionFinalizer];
    } else if (
      (policy === 'Retain' || policy === 'Recycle') &&
      fins.includes(PVDeletionProtectionFinalizer)
    ) {
      next = fins.filter((f) => f !== PVDeletionProtectionFinalizer);
    }
    if (next === undefined) return pv;
    return await this.#patchFinalizers(pv, next, signal);
  }

  async #patchFinalizers(
    pv: PersistentVolume,
    finalizers: string[],
    signal: AbortSignal,
  ): Promise<PersistentVolume> {
    return await this.#client
      .resource<PersistentVolume>(Resources.persistentvolumes)
      .patch(
        pv.metadata.name ?? '',
        'application/merge-patch+json',
        { metadata: { finalizers: finalizers.length > 0 ? finalizers : null } },
        { signal },
      );
  }

  async #deleteVolumeOperation(
    pv: PersistentVolume,
    driver: string,
    client: CsiClient,
    signal: AbortSignal,
  ): Promise<void> {
    const name = pv.metadata.name ?? '';
    try {
      await this.#deleteBackingVolume(pv, driver, client, signal);
    } catch (err) {
      if (err instanceof Ignored) {
        log.v(4, 'Volume deletion ignored', { PV: name, reason: err.message });
        return;
      }
      this.#recorder.event(pv, 'Warning', Events.VolumeFailedDelete, errMsg(err));
      throw err;
    }
    log.v(4, 'Volume deleted', { PV: name });
    const pvs = this.#client.resource<PersistentVolume>(Resources.persistentvolumes);
    try {
      await pvs.delete(name, { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return;
    }
    let current: PersistentVolume;
    try {
      current = await pvs.get(name, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const fins = current.metadata.finalizers ?? [];
    if (!fins.includes(PVDeletionProtectionFinalizer)) return;
    try {
      await this.#patchFinalizers(
        current,
        fins.filter((f) => f !== PVDeletionProtectionFinalizer),
        signal,
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    log.v(4, 'PersistentVolume deleted succeeded', { PV: name });
  }

  /** csiProvisioner.Delete: DeleteVolume with the provisioner secret; a volume the driver no longer has is gone. */
  async #deleteBackingVolume(
    pv: PersistentVolume,
    driver: string,
    client: CsiClient,
    signal: AbortSignal,
  ): Promise<void> {
    const csi = pv.spec?.csi;
    if (csi === undefined) throw new CsiControllerError('invalid CSI PV');
    const caps = await this.#caps.get(driver, client, signal);
    if (!caps.plugin.has('CONTROLLER_SERVICE')) {
      throw new CsiControllerError(
        'CSI driver does not support dynamic provisioning: plugin CONTROLLER_SERVICE capability is not reported',
      );
    }
    if (!caps.controller.has('CREATE_DELETE_VOLUME')) {
      throw new CsiControllerError(
        'CSI driver does not support dynamic provisioning: controller CREATE_DELETE_VOLUME capability is not reported',
      );
    }
    const secrets = await this.#deletionSecrets(pv, signal);
    if (caps.controller.has('PUBLISH_UNPUBLISH_VOLUME')) {
      const va = this.#attachments
        .list()
        .find((a) => a.spec.source.persistentVolumeName === pv.metadata.name);
      if (va !== undefined) {
        throw new CsiControllerError(
          `persistentvolume ${pv.metadata.name ?? ''} is still attached to node ${va.spec.nodeName}`,
        );
      }
    }
    try {
      await client.deleteVolume(
        { volume_id: csi.volumeHandle, ...(secrets !== undefined ? { secrets } : {}) },
        { signal, timeoutMs: this.#timeoutMs },
      );
    } catch (err) {
      // The spec makes DeleteVolume of an unknown volume succeed; treat a driver's NOT_FOUND the same.
      if (!isCsiNotFound(err)) throw err;
    }
  }

  async #deletionSecrets(
    pv: PersistentVolume,
    signal: AbortSignal,
  ): Promise<Record<string, string> | undefined> {
    const ann = pv.metadata.annotations ?? {};
    if (
      Object.hasOwn(ann, AnnDeletionProvisionerSecretRefName) &&
      Object.hasOwn(ann, AnnDeletionProvisionerSecretRefNamespace)
    ) {
      const name = ann[AnnDeletionProvisionerSecretRefName] ?? '';
      const namespace = ann[AnnDeletionProvisionerSecretRefNamespace] ?? '';
      if (name === '' || namespace === '') return undefined;
      try {
        return await getCredentials(this.#client, { name, namespace }, signal);
      } catch (err) {
        // Continue with deletion, as the secret may have already been deleted.
        log.warn('failed to get credentials for volume', { PV: pv.metadata.name, err: errMsg(err) });
        return undefined;
      }
    }
    const className = pv.spec?.storageClassName ?? '';
    if (className === '') return undefined;
    const sc = this.#classes.getByKey(className);
    if (sc === undefined) {
      log.warn('failed to get storageclass, proceeding to delete without secrets', {
        storageClass: className,
      });
      return undefined;
    }
    let ref: ReturnType<typeof getSecretReference>;
    try {
      ref = getSecretReference(ProvisionerSecretParams, sc.parameters, pv.metadata.name ?? '', {
        metadata: { name: pv.spec?.claimRef?.name ?? '', namespace: pv.spec?.claimRef?.namespace ?? '' },
      });
    } catch (err) {
      throw new CsiControllerError(
        `failed to get secretreference for volume ${pv.metadata.name ?? ''}: ${errMsg(err)}`,
      );
    }
    try {
      return await getCredentials(this.#client, ref, signal);
    } catch (err) {
      log.warn('Failed to get credentials for volume', { PV: pv.metadata.name, err: errMsg(err) });
      return undefined;
    }
  }
}

/** The claim this claim clones, if it is a pending clone source reference. */
function cloneSource(claim: PersistentVolumeClaim): string | undefined {
  const ds = claim.spec?.dataSource;
  if (ds === undefined || ds.kind !== PvcKind || (ds.apiGroup ?? '') !== '') return undefined;
  return ds.name;
}

/** shouldDelete (finalizer mode): a Released PV with reclaim Delete whose deletion is still ours. */
function shouldDelete(pv: PersistentVolume): boolean {
  if (
    pv.metadata.deletionTimestamp !== undefined &&
    !(pv.metadata.finalizers ?? []).includes(PVDeletionProtectionFinalizer)
  ) {
    return false;
  }
  return pv.status?.phase === 'Released' && pv.spec?.persistentVolumeReclaimPolicy === 'Delete';
}

/** checkDriverCapabilities with upstream's messages. */
function checkDriverCapabilities(caps: DriverCapabilities, snapshot: boolean, clone: boolean): void {
  if (!caps.plugin.has('CONTROLLER_SERVICE')) {
    throw new ProvisionFailure(
      'CSI driver does not support dynamic provisioning: plugin CONTROLLER_SERVICE capability is not reported',
      'finished',
    );
  }
  if (!caps.controller.has('CREATE_DELETE_VOLUME')) {
    throw new ProvisionFailure(
      'CSI driver does not support dynamic provisioning: controller CREATE_DELETE_VOLUME capability is not reported',
      'finished',
    );
  }
  if (snapshot && !caps.controller.has('CREATE_DELETE_SNAPSHOT')) {
    throw new ProvisionFailure(
      'CSI driver does not support snapshot restore: controller CREATE_DELETE_SNAPSHOT capability is not reported',
      'finished',
    );
  }
  if (clone && !caps.controller.has('CLONE_VOLUME')) {
    throw new ProvisionFailure(
      'CSI driver does not support clone operations: controller CLONE_VOLUME capability is not reported',
      'finished',
    );
  }
}
