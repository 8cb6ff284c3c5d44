// kvol's built-in external-resizer (kubernetes-csi/external-resizer, resize controller with
// RecoverVolumeExpansionFailure): grows the volumes of bound CSI claims whose request exceeds their
// status capacity, for every registered driver whose built-in switch is on.
//
// Per claim: status.allocatedResources.storage = the size being expanded to, allocatedResourceStatuses
// .storage = ControllerResizeInProgress and condition Resizing (event Resizing), then
// ControllerExpandVolume (or nothing, for a driver that only expands on the node: upstream's "trivial
// resizer"); the PV's spec.capacity takes the new size; then either FileSystemResizePending +
// NodeResizePending (event FileSystemResizeRequired; the node agent finishes) or status.capacity = the
// new size with the resize conditions cleared (event VolumeResizeSuccessful). A failure records
// VolumeResizeFailed and ControllerResizeError; an infeasible one (INVALID_ARGUMENT, OUT_OF_RANGE,
// NOT_FOUND) also ControllerResizeInfeasible and is retried only slowly, until the user changes the
// request. Claims are matched by their PV's CSI driver, as upstream's CanSupport does, so the
// storage-resizer annotation the expand controller writes is informative only.
//
// ControllerExpandVolume is idempotent in the CSI spec (expanding to a size already reached succeeds),
// so a sync repeated after a crash between the call and the status writes simply calls it again.
//
// Concurrency: the workqueue hands a claim key to one worker at a time (so one expansion per volume);
// different claims are expanded in parallel by `workers` workers. Every status write carries the
// claim's resourceVersion, so a write based on a stale claim fails with a conflict and is retried.
import {
  ClaimResourceStatus,
  ConditionStatus,
  type CSIDriver,
  formatTime,
  type PersistentVolume,
  type PersistentVolumeAccessMode,
  type PersistentVolumeClaim,
  type PersistentVolumeClaimCondition,
  PersistentVolumeClaimConditionType,
  PersistentVolumeClaimPhase,
  Quantity,
  Resources,
} from '../../api/index.ts';
import {
  type Client,
  type EventRecorder,
  EventTypeNormal,
  EventTypeWarning,
  metaNamespaceKey,
  runWorkers,
  type SharedIndexInformer,
  splitMetaNamespaceKey,
  WorkQueue,
} from '../../client/index.ts';
import { type Clock, logger, realClock } from '../../component/index.ts';
import {
  type CsiClient,
  isCsiError,
  isCsiInvalidArgument,
  isCsiNotFound,
  isCsiOutOfRange,
  isFinalCsiError,
  type VolumeCapability,
} from '../../csi/index.ts';
import {
  AnnStorageResizer,
  capacityStorage,
  ExpandEvents,
  FileSystemResizePendingMessage,
  requestedStorage,
  storageOf,
} from '../expand/index.ts';
import { type DriverCapabilities, type DriverCapabilityCache, ownCapabilities } from './capabilities.ts';
import { builtinClient, builtinSidecarsEnabled, type CsiControllerContext } from './common.ts';
import type { CsiControllerOptions } from './options.ts';
import { readSecret } from './util.ts';

/** The sidecar's name: logger and event source. */
export const ResizerName = 'external-resizer';
const log = logger(ResizerName);

/** The PVC condition types the resizer owns (external-resizer knownResizeConditions). */
const resizeConditionTypes: ReadonlySet<string> = new Set([
  PersistentVolumeClaimConditionType.Resizing,
  PersistentVolumeClaimConditionType.FileSystemResizePending,
  PersistentVolumeClaimConditionType.ControllerResizeError,
  PersistentVolumeClaimConditionType.NodeResizeError,
]);

// ---- helpers shared by CSI controllers ----

/** The CSI access mode for a PV's access modes (csi-lib-utils accessmodes.ToCSIAccessMode). */
export function csiAccessMode(
  modes: readonly PersistentVolumeAccessMode[] | undefined,
  singleNodeMultiWriter: boolean,
): NonNullable<NonNullable<VolumeCapability['access_mode']>['mode']> {
  const m = new Set<string>(modes ?? []);
  if (m.has('ReadWriteMany')) return 'MULTI_NODE_MULTI_WRITER';
  if (m.has('ReadOnlyMany')) return 'MULTI_NODE_READER_ONLY';
  if (m.has('ReadWriteOnce'))
    return singleNodeMultiWriter ? 'SINGLE_NODE_MULTI_WRITER' : 'SINGLE_NODE_WRITER';
  if (m.has('ReadWriteOncePod'))
    return singleNodeMultiWriter ? 'SINGLE_NODE_SINGLE_WRITER' : 'SINGLE_NODE_WRITER';
  return 'UNKNOWN';
}

/** The volume capability of a CSI PV (external-resizer GetVolumeCapabilities). */
export function pvVolumeCapability(pv: PersistentVolume, singleNodeMultiWriter: boolean): VolumeCapability {
  const mode = csiAccessMode(pv.spec?.accessModes, singleNodeMultiWriter);
  if (pv.spec?.volumeMode === 'Block') return { block: {}, access_mode: { mode } };
  return {
    mount: { fs_type: pv.spec?.csi?.fsType ?? '', mount_flags: pv.spec?.mountOptions ?? [] },
    access_mode: { mode },
  };
}

// ---- the controller ----

/** Why a resize failed; `infeasible` when the driver said the size can never be reached. */
export class ResizeError extends Error {
  override readonly name = 'ResizeError';
  readonly infeasible: boolean;
  constructor(message: string, infeasible: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.infeasible = infeasible;
  }
}

export function isResizeError(err: unknown): err is ResizeError {
  return err instanceof ResizeError;
}

/** external-resizer IsResizeInfeasibleError. */
function isInfeasible(err: unknown): boolean {
  return isCsiInvalidArgument(err) || isCsiOutOfRange(err) || isCsiNotFound(err);
}

/** external-resizer IsFinalError: errors that are not gRPC statuses are not final. */
function isFinal(err: unknown): boolean {
  return isCsiError(err) && isFinalCsiError(err);
}

export interface CsiResizerOptions
  extends Pick<CsiControllerOptions, 'client' | 'informers' | 'clock' | 'capabilities'> {
  /** Where events go; without one the controller records none. */
  recorder?: EventRecorder;
  /** The drivers to act for; without it the controller does nothing. */
  csi?: CsiControllerContext;
  /** Deadline of one ControllerExpandVolume; default 120 s (the sidecar's --timeout is 10 s). */
  timeoutMs?: number;
  /** Retry delay after an infeasible error (upstream's slow set); default 5 min. */
  infeasibleRetryMs?: number;
}

type ResizeMode = 'controller' | 'node' | 'none';

export class CsiResizer {
  /** Claim keys. Exposed for tests. */
  readonly queue: WorkQueue<string>;
  readonly #client: Client;
  readonly #recorder: EventRecorder | undefined;
  readonly #csi: CsiControllerContext | undefined;
  readonly #caps: { caps: DriverCapabilityCache; done: () => void } | undefined;
  readonly #claims: SharedIndexInformer<PersistentVolumeClaim>;
  readonly #volumes: SharedIndexInformer<PersistentVolume>;
  readonly #timeoutMs: number;
  readonly #infeasibleRetryMs: number;
  readonly #clock: Clock;
  /** Claims whose last expansion ended in a final error (upstream finalErrorPVCs). */
  readonly #finalErrors = new Set<string>();

  constructor(opts: CsiResizerOptions) {
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#csi = opts.csi;
    this.#caps = opts.csi === undefined ? undefined : ownCapabilities(opts, opts.csi.drivers);
    this.#timeoutMs = opts.timeoutMs ?? 120_000;
    this.#infeasibleRetryMs = opts.infeasibleRetryMs ?? 300_000;
    this.#clock = opts.clock ?? realClock;
    this.queue = new WorkQueue<string>({ name: 'csi-resizer-pvc', clock: this.#clock });
    this.#claims = opts.informers.informerFor<PersistentVolumeClaim>(Resources.persistentvolumeclaims);
    this.#volumes = opts.informers.informerFor<PersistentVolume>(Resources.persistentvolumes);
    // A CSIDriver that appears or changes (its kvol.io/builtin-sidecars switch) may hand claims to us.
    opts.informers.informerFor<CSIDriver>(Resources.csidrivers).addEventHandler({
      onAdd: () => this.#requeueAll(),
      onUpdate: (old, d) => {
        if (builtinSidecarsEnabled(old) !== builtinSidecarsEnabled(d)) this.#requeueAll();
      },
    });
    this.#claims.addEventHandler({
      onAdd: (claim) => this.queue.add(metaNamespaceKey(claim)),
      onUpdate: (old, claim) => {
        if (
          requestedStorage(claim).cmp(requestedStorage(old)) !== 0 ||
          claim.metadata.annotations?.[AnnStorageResizer] !== old.metadata.annotations?.[AnnStorageResizer] ||
          capacityStorage(claim).cmp(capacityStorage(old)) > 0 ||
          claim.metadata.resourceVersion === old.metadata.resourceVersion
        ) {
          this.queue.add(metaNamespaceKey(claim));
        }
      },
      onDelete: (claim) => {
        const key = metaNamespaceKey(claim);
        this.queue.forget(key);
        this.#finalErrors.delete(key);
      },
    });
  }

  #requeueAll(): void {
    for (const c of this.#claims.list()) this.queue.add(metaNamespaceKey(c));
  }

  /** Waits for the claim and volume caches, then runs `workers` workers until the signal aborts. */
  async run(signal: AbortSignal, workers = 1): Promise<void> {
    log.info('Starting external resizer', { controller: ResizerName });
    // A driver that registers (again) may unblock claims that were waiting for it.
    const unsubscribe = this.#csi?.drivers.subscribe((_driver, info) => {
      // (The capability cache forgets what it knew of the driver: it may have restarted with others.)
      if (info === undefined) return;
      this.#requeueAll();
    });
    try {
      const synced = (await this.#claims.waitForSync(signal)) && (await this.#volumes.waitForSync(signal));
      if (!synced) return;
      await runWorkers(this.queue, workers, (key) => this.#sync(key, signal), signal);
    } finally {
      unsubscribe?.();
      this.#caps?.done();
      this.queue.shutDown();
      log.info('Shutting down external resizer', { controller: ResizerName });
    }
  }

  async #sync(key: string, signal: AbortSignal): Promise<void> {
    if (this.#csi === undefined || this.#caps === undefined) return;
    const claim = this.#claims.getByKey(key);
    if (claim === undefined) return;
    const volumeName = claim.spec?.volumeName ?? '';
    if (volumeName === '' || claim.status?.phase !== PersistentVolumeClaimPhase.Bound) return;
    if (requestedStorage(claim).cmp(capacityStorage(claim)) <= 0) return;
    const pv = this.#volumes.getByKey(volumeName);
    const driver = pv?.spec?.csi?.driver;
    if (pv === undefined || driver === undefined) return;
    const csi = builtinClient(this.#csi, driver);
    if (csi === undefined) return;
    const ref = pv.spec?.claimRef;
    if (ref === undefined || ref.namespace !== claim.metadata.namespace || ref.uid !== claim.metadata.uid) {
      log.v(4, 'Persistent volume is not bound to PVC being updated', { PVC: key });
      return;
    }
    const caps = await this.#caps.caps.get(driver, csi, signal);
    let mode: ResizeMode = 'none';
    if (caps.controller.has('EXPAND_VOLUME')) mode = 'controller';
    else if (caps.node.has('EXPAND_VOLUME')) mode = 'node';
    if (mode === 'none') {
      log.v(4, 'CSI driver neither supports controller resize nor node resize', { PVC: key, driver });
      return;
    }
    await this.#expandAndRecover(key, claim, pv, driver, csi, caps, mode, signal);
  }

  /** external-resizer expandAndRecover: picks the size to expand to, then expands. */
  async #expandAndRecover(
    key: string,
    claimIn: PersistentVolumeClaim,
    pv: PersistentVolume,
    driver: string,
    csi: CsiClient,
    caps: DriverCapabilities,
    mode: ResizeMode,
    signal: AbortSignal,
  ): Promise<void> {
    let claim = claimIn;
    const specSize = requestedStorage(claim);
    const pvSize = storageOf(pv.spec?.capacity);
    const resizeStatus = claim.status?.allocatedResourceStatuses?.['storage'];
    const allocatedRaw = claim.status?.allocatedResources?.['storage'];
    const allocated = allocatedRaw === undefined ? undefined : Quantity.tryParse(allocatedRaw);
    let newSize = specSize;

    if (pvSize.cmp(specSize) < 0) {
      // The volume is smaller than requested: let an expansion in flight finish first.
      switch (resizeStatus) {
        case ClaimResourceStatus.NodeResizeInfeasible:
          if (allocated !== undefined) newSize = allocated;
          break;
        case ClaimResourceStatus.NodeResizePending:
        case ClaimResourceStatus.NodeResizeInProgress:
          if (allocated !== undefined) newSize = allocated;
          if (pvSize.cmp(newSize) >= 0) return;
          break;
        case ClaimResourceStatus.ControllerResizeInProgress:
          // After an uncertain error the previous size must be reached (or fail) first.
          if (!this.#finalErrors.has(key) && allocated !== undefined) newSize = allocated;
          break;
        default:
          newSize = specSize;
      }
    } else {
      // Already expanded: either waiting on the node, or our status writes were lost.
      switch (resizeStatus) {
        case ClaimResourceStatus.NodeResizeInProgress:
        case ClaimResourceStatus.NodeResizePending:
          return;
        case ClaimResourceStatus.NodeResizeInfeasible:
          newSize = mode === 'controller' && allocated !== undefined ? allocated : specSize;
          break;
        case ClaimResourceStatus.ControllerResizeInProgress:
        case ClaimResourceStatus.ControllerResizeInfeasible:
          if (allocated !== undefined) newSize = allocated;
          break;
        default:
          if (resizeStatus === undefined && allocated !== undefined) newSize = allocated;
          else if (hasCondition(claim, PersistentVolumeClaimConditionType.FileSystemResizePending)) return;
          else newSize = specSize;
      }
    }

    // Re-expanding to the size recorded already: keep the status as it is.
    let updateStatus = true;
    if (allocated !== undefined && allocated.cmp(newSize) === 0) {
      if (resizeStatus === ClaimResourceStatus.ControllerResizeInfeasible) {
        // Upstream's slow set: an infeasible size is retried only rarely, until the request changes.
        log.v(4, 'skipping volume expansion, because expansion previously failed with infeasible error', {
          PVC: key,
        });
        this.queue.addAfter(key, this.#infeasibleRetryMs);
        return;
      }
      updateStatus = false;
    }

    claim = await this.#markControllerResizeInProgress(claim, newSize, updateStatus, signal);
    this.#recorder?.event(
      claim,
      EventTypeNormal,
      ExpandEvents.Resizing,
      `External resizer is resizing volume ${pv.metadata.name ?? ''}`,
    );

    let updatedSize: Quantity;
    let nodeExpansionRequired: boolean;
    try {
      ({ updatedSize, nodeExpansionRequired } = await this.#resize(pv, newSize, csi, caps, mode, signal));
    } catch (err) {
      const message = `resize volume "${pv.metadata.name ?? ''}" by resizer "${driver}" failed: ${errorText(err)}`;
      this.#recorder?.event(claim, EventTypeWarning, ExpandEvents.VolumeResizeFailed, message);
      if (isFinal(err)) {
        this.#finalErrors.add(key);
        const infeasible = isInfeasible(err);
        await this.#markControllerExpansionFailed(claim, err, infeasible, signal);
        if (infeasible) {
          this.queue.addAfter(key, this.#infeasibleRetryMs);
          return;
        }
      } else {
        this.#finalErrors.delete(key);
      }
      throw new ResizeError(message, false, { cause: err });
    }
    this.#finalErrors.delete(key);

    await this.#client
      .resource<PersistentVolume>(Resources.persistentvolumes)
      .patch(
        pv.metadata.name ?? '',
        'application/merge-patch+json',
        { spec: { capacity: { storage: updatedSize.toString() } } },
        { signal },
      );
    if (nodeExpansionRequired) {
      await this.#markForPendingNodeExpansion(claim, signal);
      this.#recorder?.event(
        claim,
        EventTypeNormal,
        ExpandEvents.FileSystemResizeRequired,
        'Require file system resize of volume on node',
      );
      return;
    }
    await this.#markOverallExpansionAsFinished(claim, updatedSize, signal);
    this.#recorder?.event(
      claim,
      EventTypeNormal,
      ExpandEvents.VolumeResizeSuccessful,
      'Resize volume succeeded',
    );
  }

  /** ControllerExpandVolume, or for a node-only driver nothing at all (the trivial resizer). */
  async #resize(
    pv: PersistentVolume,
    newSize: Quantity,
    csi: CsiClient,
    caps: DriverCapabilities,
    mode: ResizeMode,
    signal: AbortSignal,
  ): Promise<{ updatedSize: Quantity; nodeExpansionRequired: boolean }> {
    if (mode === 'node') return { updatedSize: newSize, nodeExpansionRequired: true };
    const source = pv.spec?.csi;
    if (source === undefined || source.volumeHandle === '') throw new Error('empty volume handle');
    const secrets = await readSecret(this.#client, source.controllerExpandSecretRef, signal);
    const res = await csi.controllerExpandVolume(
      {
        volume_id: source.volumeHandle,
        capacity_range: { required_bytes: newSize.value().toString() },
        ...(secrets !== undefined ? { secrets } : {}),
        volume_capability: pvVolumeCapability(pv, caps.controller.has('SINGLE_NODE_MULTI_WRITER')),
      },
      { signal, timeoutMs: this.#timeoutMs },
    );
    const bytes = BigInt(res.capacity_bytes === '' ? '0' : res.capacity_bytes);
    // A driver that reports no capacity reached at least the requested size (the call succeeded).
    const updatedSize = bytes > 0n ? Quantity.fromValue(bytes, 'BinarySI') : newSize;
    return { updatedSize, nodeExpansionRequired: res.node_expansion_required };
  }

  async #patchClaimStatus(
    claim: PersistentVolumeClaim,
    status: Record<string, unknown>,
    checkVersion: boolean,
    signal: AbortSignal,
  ): Promise<PersistentVolumeClaim> {
    const { namespace, name } = splitMetaNamespaceKey(metaNamespaceKey(claim));
    const body = {
      ...(checkVersion ? { metadata: { resourceVersion: claim.metadata.resourceVersion } } : {}),
      status,
    };
    return this.#client
      .resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, namespace)
      .patch(name, 'application/merge-patch+json', body, { signal, subresource: 'status' });
  }

  #condition(type: string, message?: string): PersistentVolumeClaimCondition {
    return {
      type,
      status: ConditionStatus.True,
      lastTransitionTime: formatTime(this.#now()),
      ...(message !== undefined ? { message } : {}),
    };
  }

  #now(): number {
    return this.#clock.now();
  }

  async #markControllerResizeInProgress(
    claim: PersistentVolumeClaim,
    newSize: Quantity,
    updateStatus: boolean,
    signal: AbortSignal,
  ): Promise<PersistentVolumeClaim> {
    const status: Record<string, unknown> = {
      conditions: mergeResizeConditions(
        claim.status?.conditions,
        [this.#condition(PersistentVolumeClaimConditionType.Resizing)],
        !updateStatus,
      ),
      allocatedResources: { storage: newSize.toString() },
    };
    if (updateStatus)
      status['allocatedResourceStatuses'] = { storage: ClaimResourceStatus.ControllerResizeInProgress };
    return this.#patchClaimStatus(claim, status, true, signal);
  }

  async #markForPendingNodeExpansion(claim: PersistentVolumeClaim, signal: AbortSignal): Promise<void> {
    await this.#patchClaimStatus(
      claim,
      {
        conditions: mergeResizeConditions(
          claim.status?.conditions,
          [
            this.#condition(
              PersistentVolumeClaimConditionType.FileSystemResizePending,
              FileSystemResizePendingMessage,
            ),
          ],
          true,
        ),
        allocatedResourceStatuses: { storage: ClaimResourceStatus.NodeResizePending },
      },
      true,
      signal,
    );
  }

  async #markControllerExpansionFailed(
    claim: PersistentVolumeClaim,
    err: unknown,
    infeasible: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const status: Record<string, unknown> = {
      conditions: mergeResizeConditions(
        claim.status?.conditions,
        [
          this.#condition(
            PersistentVolumeClaimConditionType.ControllerResizeError,
            `failed to expand pvc with ${errorText(err)}`,
          ),
        ],
        true,
      ),
    };
    if (infeasible)
      status['allocatedResourceStatuses'] = { storage: ClaimResourceStatus.ControllerResizeInfeasible };
    // No version check, as upstream: the failure must be recorded even on a slightly older claim.
    await this.#patchClaimStatus(claim, status, false, signal);
  }

  async #markOverallExpansionAsFinished(
    claim: PersistentVolumeClaim,
    size: Quantity,
    signal: AbortSignal,
  ): Promise<void> {
    const conditions = mergeResizeConditions(claim.status?.conditions, [], false);
    await this.#patchClaimStatus(
      claim,
      {
        capacity: { storage: size.toString() },
        conditions: conditions.length > 0 ? conditions : null,
        // Upstream drops the map once storage was its only entry.
        allocatedResourceStatuses: Object.keys(claim.status?.allocatedResourceStatuses ?? {}).some(
          (k) => k !== 'storage',
        )
          ? { storage: null }
          : null,
      },
      true,
      signal,
    );
  }
}

function hasCondition(claim: PersistentVolumeClaim, type: string): boolean {
  return (claim.status?.conditions ?? []).some((c) => c.type === type && c.status === ConditionStatus.True);
}

/**
 * external-resizer MergeResizeConditionsOfPVC: non-resize conditions stay; a resize condition is replaced
 * by the new one of its type, kept when `keepOld`, dropped otherwise; new ones are appended.
 */
export function mergeResizeConditions(
  old: readonly PersistentVolumeClaimCondition[] | undefined,
  added: readonly PersistentVolumeClaimCondition[],
  keepOld: boolean,
): PersistentVolumeClaimCondition[] {
  const pending = new Map(added.map((c) => [c.type, c]));
  const out: PersistentVolumeClaimCondition[] = [];
  for (const c of old ?? []) {
    if (!resizeConditionTypes.has(c.type)) {
      out.push(c);
      continue;
    }
    const replacement = pending.get(c.type);
    if (replacement !== undefined) {
      out.push(replacement);
      pending.delete(c.type);
    } else if (keepOld) {
      out.push(c);
    }
  }
  out.push(...pending.values());
  return out;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
