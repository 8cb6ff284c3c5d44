// The PersistentVolume controller (pkg/controller/volume/persistentvolume: pv_controller.go and
// pv_controller_base.go): binds claims to volumes, provisions volumes for claims of a class, and
// reclaims (retains, deletes, recycles) volumes whose claims are gone. The branch structure follows
// upstream's syncClaim / syncVolume one to one so upstream's test tables map onto it.
//
// Concurrency: informers only enqueue keys. One worker syncs claims (syncClaim is not reentrant: two
// concurrent claim syncs could pick the same volume from the cache), volume workers sync volumes; they
// interleave only at awaits, as upstream's two goroutines do. Provision, delete and recycle run as named
// background operations (one per claim / volume at a time, exponential back-off after a failure).
// Every write goes through optimistic locking, and the controller keeps the latest version it wrote in
// its private caches so that stale informer copies never make it "repair" what it already changed.
import {
  deepCopy,
  isAlreadyExists,
  isConflict,
  isNotFound,
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type PersistentVolumeClaimPhase,
  type PersistentVolumePhase,
  type Pod,
  Resources,
  type StorageClass,
} from '../../api/index.ts';
import {
  type Client,
  type EventRecorder,
  type EventType,
  runWorkers,
  type SharedIndexInformer,
  type SharedInformerFactory,
  WorkQueue,
} from '../../client/index.ts';
import { type Clock, logger, realClock, type Timer } from '../../component/index.ts';
import {
  AnnBetaIsDefaultStorageClass,
  AnnBetaStorageProvisioner,
  AnnBindCompleted,
  AnnBoundByController,
  AnnDynamicallyProvisioned,
  AnnIsDefaultStorageClass,
  AnnMigratedTo,
  AnnPreResizeCapacity,
  AnnSelectedNode,
  AnnStorageProvisioner,
  InTreePluginPrefix,
  ProvisionedVolumeNamePrefix,
  PVDeletionInTreeProtectionFinalizer,
  PVDeletionProtectionFinalizer,
} from './annotations.ts';
import * as events from './events.ts';
import { HostPathProvisioner } from './hostpath.ts';
import { OperationTimestamps, recordRetroactiveStorageClass, registerCacheSource } from './metrics.ts';
import { OperationMap } from './operations.ts';
import {
  isDeletedVolumeInUse,
  isPluginSetupError,
  type ProvisionerPlugin,
  ProvisionerRegistry,
  type RecyclablePlugin,
  type VolumeOptions,
} from './plugins.ts';
import {
  checkAccessModes,
  checkVolumeModeMismatches,
  claimRefToClaimKey,
  claimToClaimKey,
  getPersistentVolumeClaimClass,
  getPersistentVolumeClass,
  isVolumeBoundToClaim,
  persistentVolumeClaimHasClass,
  storageBytes,
  VolumeIndex,
  volumeAttributesClassMatches,
} from './volumeindex.ts';

const log = logger('persistentvolume-controller');

export interface PersistentVolumeControllerOptions {
  client: Client;
  informers: SharedInformerFactory;
  /** Events are recorded as component `persistentvolume-controller`. */
  recorder: EventRecorder;
  clock?: Clock;
  /** In-tree provisioning plugins, registered by name. */
  provisioners?: ProvisionerPlugin[];
  /** When set, registers the hostPath test provisioner (`kubernetes.io/host-path`) rooted here. */
  hostPathRoot?: string;
  /** Re-syncs every claim and volume this often, as a safety net; default 15 s, 0 disables. */
  resyncPeriodMs?: number;
  /**
   * Claim workers. Upstream runs one, because two claims must not take the same volume; kvol can run
   * several because a worker marks the volume it picked as claimed in the controller's cache before its
   * first write (synchronously, so no other worker can pick it), and every write is conditional on the
   * volume's resourceVersion. Default 1.
   */
  claimWorkers?: number;
  /** Default true (EnableDynamicProvisioning). */
  enableDynamicProvisioning?: boolean;
  /** Attempts to save a provisioned PV (and to delete its storage when saving fails); default 5. */
  createProvisionedPVRetryCount?: number;
  /** Pause between those attempts; default 10 s. */
  createProvisionedPVIntervalMs?: number;
  /** The VolumeAttributesClass feature (GA in 1.34); default true. */
  volumeAttributesClassEnabled?: boolean;
}

/** A claim or volume key that failed to sync for a reason other than a version conflict. */
export class SyncError extends Error {
  override readonly name = 'SyncError';
}

function hasAnn(obj: { metadata: { annotations?: Record<string, string> } }, key: string): boolean {
  return obj.metadata.annotations?.[key] !== undefined;
}

function setAnn(
  obj: { metadata: { annotations?: Record<string, string> } },
  key: string,
  value: string,
): void {
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [key]: value };
}

function clone<T>(o: T): T {
  return deepCopy(o);
}

function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Parses a resourceVersion as upstream's storeObjectUpdate (int64); undefined when it is not a number. */
function parseRV(rv: string | undefined): bigint | undefined {
  if (rv === undefined || !/^\d+$/.test(rv)) return undefined;
  return BigInt(rv);
}

function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Failed' || phase === 'Succeeded';
}

/** Claim names a pod uses (PVC volumes and generic ephemeral volumes). */
function podClaimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const pvc = (v as { persistentVolumeClaim?: { claimName?: string } }).persistentVolumeClaim;
    if (pvc?.claimName !== undefined) out.push(pvc.claimName);
    if ((v as { ephemeral?: unknown }).ephemeral !== undefined)
      out.push(`${pod.metadata.name ?? ''}-${v.name}`);
  }
  return out;
}

export class PersistentVolumeController {
  readonly #client: Client;
  readonly #informers: SharedInformerFactory;
  readonly #recorder: EventRecorder;
  readonly #clock: Clock;
  readonly #plugins: ProvisionerRegistry;
  readonly #resyncPeriodMs: number;
  readonly #claimWorkers: number;
  readonly #enableDynamicProvisioning: boolean;
  readonly #createRetryCount: number;
  readonly #createIntervalMs: number;
  readonly #vacEnabled: boolean;

  readonly #volumeInformer: SharedIndexInformer<PersistentVolume>;
  readonly #claimInformer: SharedIndexInformer<PersistentVolumeClaim>;
  readonly #classInformer: SharedIndexInformer<StorageClass>;
  readonly #podInformer: SharedIndexInformer<Pod>;
  readonly #nodeInformer: SharedIndexInformer<Node>;

  /** Private caches holding the newest version seen or written. */
  readonly #volumes = new VolumeIndex();
  readonly #claims = new Map<string, PersistentVolumeClaim>();

  readonly #volumeQueue: WorkQueue<string>;
  readonly #claimQueue: WorkQueue<string>;
  readonly #operations: OperationMap;
  readonly #timestamps = new OperationTimestamps();
  #inFlight = 0;

  /**
   * Test hook: awaited before every background operation starts (upstream's wrapTestWithInjectedOperation),
   * so a test can change the world between scheduling and running an operation.
   */
  beforeOperation: ((name: string) => Promise<void> | void) | undefined;

  constructor(opts: PersistentVolumeControllerOptions) {
    this.#client = opts.client;
    this.#informers = opts.informers;
    this.#recorder = opts.recorder;
    this.#clock = opts.clock ?? realClock;
    const plugins = [...(opts.provisioners ?? [])];
    if (opts.hostPathRoot !== undefined) plugins.push(new HostPathProvisioner({ root: opts.hostPathRoot }));
    this.#plugins = new ProvisionerRegistry(plugins);
    this.#resyncPeriodMs = opts.resyncPeriodMs ?? 15_000;
    this.#claimWorkers = Math.max(1, opts.claimWorkers ?? 1);
    this.#enableDynamicProvisioning = opts.enableDynamicProvisioning ?? true;
    this.#createRetryCount = opts.createProvisionedPVRetryCount ?? 5;
    this.#createIntervalMs = opts.createProvisionedPVIntervalMs ?? 10_000;
    this.#vacEnabled = opts.volumeAttributesClassEnabled ?? true;

    this.#volumeQueue = new WorkQueue<string>({ name: 'volumes', clock: this.#clock });
    this.#claimQueue = new WorkQueue<string>({ name: 'claims', clock: this.#clock });
    this.#operations = new OperationMap(this.#clock, (name, err) =>
      log.v(3, 'Operation failed', { operation: name, err: errMsg(err) }),
    );

    this.#volumeInformer = opts.informers.informerFor<PersistentVolume>(Resources.persistentvolumes);
    this.#claimInformer = opts.informers.informerFor<PersistentVolumeClaim>(Resources.persistentvolumeclaims);
    this.#classInformer = opts.informers.informerFor<StorageClass>(Resources.storageclasses);
    this.#podInformer = opts.informers.informerFor<Pod>(Resources.pods);
    this.#nodeInformer = opts.informers.informerFor<Node>(Resources.nodes);

    // Claims that name a volume (spec.volumeName) and are not bound yet, by volume name: when that
    // volume appears or changes, they are synced at once instead of at the next resync.
    const waitingFor = new Map<string, Set<string>>();
    const waitingOn = new Map<string, string>();
    // Unbound claims that name no volume, by storage class: a volume of that class becoming free is
    // offered to them at once (upstream waits for the next resync).
    const pendingByClass = new Map<string, Set<string>>();
    const pendingClassOf = new Map<string, string>();
    const trackClaim = (c: PersistentVolumeClaim, gone: boolean): void => {
      const key = claimToClaimKey(c);
      const prev = waitingOn.get(key);
      if (prev !== undefined) {
        waitingOn.delete(key);
        const keys = waitingFor.get(prev);
        if (keys?.delete(key) === true && keys.size === 0) waitingFor.delete(prev);
      }
      const prevClass = pendingClassOf.get(key);
      if (prevClass !== undefined) {
        pendingClassOf.delete(key);
        const keys = pendingByClass.get(prevClass);
        if (keys?.delete(key) === true && keys.size === 0) pendingByClass.delete(prevClass);
      }
      const vol = c.spec?.volumeName ?? '';
      if (gone || c.status?.phase === 'Bound') return;
      if (vol === '') {
        const cls = c.spec?.storageClassName ?? '';
        pendingClassOf.set(key, cls);
        let keys = pendingByClass.get(cls);
        if (keys === undefined) pendingByClass.set(cls, (keys = new Set()));
        keys.add(key);
        return;
      }
      waitingOn.set(key, vol);
      let keys = waitingFor.get(vol);
      if (keys === undefined) waitingFor.set(vol, (keys = new Set()));
      keys.add(key);
    };
    const volumeDeleted = (pv: PersistentVolume): void => this.#volumeQueue.add(pv.metadata.name ?? '');
    const volumeKey = (pv: PersistentVolume): void => {
      const name = pv.metadata.name ?? '';
      this.#volumeQueue.add(name);
      // Claim syncs read the controller's volume cache: make the new version visible to them first
      // (storeObjectUpdate keeps whichever version is newer, so the volume worker is unaffected).
      this.#storeVolumeUpdate(pv);
      // A volume pre-bound to a claim, or named by waiting claims, lets those claims progress now.
      const ref = pv.spec?.claimRef;
      if (ref?.name !== undefined && ref.name !== '')
        this.#claimQueue.add(`${ref.namespace ?? ''}/${ref.name}`);
      for (const key of waitingFor.get(name) ?? []) this.#claimQueue.add(key);
      if (ref === undefined && pv.metadata.deletionTimestamp === undefined) {
        for (const key of pendingByClass.get(pv.spec?.storageClassName ?? '') ?? [])
          this.#claimQueue.add(key);
      }
    };
    const claimKey = (c: PersistentVolumeClaim): void => {
      trackClaim(c, false);
      this.#claimQueue.add(claimToClaimKey(c));
    };
    const claimGone = (c: PersistentVolumeClaim): void => {
      trackClaim(c, true);
      this.#claimQueue.add(claimToClaimKey(c));
    };
    this.#volumeInformer.addEventHandler({
      onAdd: volumeKey,
      onUpdate: (_o, n) => volumeKey(n),
      onDelete: volumeDeleted,
    });
    this.#claimInformer.addEventHandler({
      onAdd: claimKey,
      onUpdate: (_o, n) => claimKey(n),
      onDelete: claimGone,
    });
    // A new default class may assign itself to class-less claims; a class appearing may let claims
    // provision: re-sync the pending claims.
    this.#classInformer.addEventHandler({
      onAdd: (_c, initial) => {
        if (!initial) this.#enqueuePendingClaims();
      },
      onUpdate: () => this.#enqueuePendingClaims(),
    });
  }

  // ---- running -------------------------------------------------------------------------------------

  /**
   * Starts the informers (idempotent), waits for their caches, fills the private caches and runs the
   * workers until the signal aborts; then stops the workers and waits for running operations.
   * `workers` applies to the volume queue; claims always use one worker, as upstream.
   */
  async run(signal: AbortSignal, workers = 1): Promise<void> {
    this.#informers.start(signal);
    const informers = [
      this.#volumeInformer,
      this.#claimInformer,
      this.#classInformer,
      this.#podInformer,
      this.#nodeInformer,
    ] as const;
    const synced = await Promise.all(informers.map((i) => i.waitForSync(signal)));
    if (!synced.every((s) => s)) return;
    this.initializeCaches();
    const unregister = registerCacheSource({
      volumes: () => this.#volumes.list(),
      claims: () => [...this.#claims.values()],
      pluginName: (pv) => this.#pluginNameForMetrics(pv),
    });
    let timer: Timer | undefined;
    const scheduleResync = (): void => {
      if (this.#resyncPeriodMs <= 0 || signal.aborted) return;
      timer = this.#clock.setTimer(this.#resyncPeriodMs, () => {
        this.resync();
        scheduleResync();
      });
    };
    scheduleResync();
    log.info('Starting persistent volume controller');
    try {
      await Promise.all([
        runWorkers(this.#volumeQueue, workers, (k) => this.#counted(() => this.#volumeWorker(k)), signal),
        runWorkers(
          this.#claimQueue,
          this.#claimWorkers,
          (k) => this.#counted(() => this.#claimWorker(k)),
          signal,
        ),
      ]);
    } finally {
      timer?.cancel();
      await this.#operations.idle();
      unregister();
      log.info('Shutting down persistent volume controller');
    }
  }

  async #counted(fn: () => Promise<void>): Promise<void> {
    this.#inFlight++;
    try {
      await fn();
    } finally {
      this.#inFlight--;
    }
  }

  /** True when no key is queued or being synced and no background operation runs. */
  isIdle(): boolean {
    return (
      this.#volumeQueue.len() === 0 &&
      this.#claimQueue.len() === 0 &&
      this.#inFlight === 0 &&
      this.#operations.runningCount === 0
    );
  }

  /** True when no background operation (provision, delete, recycle) runs. */
  isIdleOperations(): boolean {
    return this.#operations.runningCount === 0;
  }

  /** Resolves when every background operation running now has finished. */
  async waitForOperations(): Promise<void> {
    await this.#operations.idle();
  }

  /** Copies every PV and PVC from the informers into the private caches (initializeCaches). */
  initializeCaches(): void {
    for (const pv of this.#volumeInformer.list()) this.#storeVolumeUpdate(pv);
    for (const c of this.#claimInformer.list()) this.#storeClaimUpdate(c);
  }

  /** Enqueues every claim and volume (the periodic resync). */
  resync(): void {
    for (const c of this.#claimInformer.list()) this.#claimQueue.add(claimToClaimKey(c));
    for (const pv of this.#volumeInformer.list()) this.#volumeQueue.add(pv.metadata.name ?? '');
  }

  #enqueuePendingClaims(): void {
    for (const c of this.#claimInformer.list()) {
      if (c.status?.phase !== 'Bound') this.#claimQueue.add(claimToClaimKey(c));
    }
  }

  // ---- test access to the private caches -----------------------------------------------------------

  /** The cached volume (newest version seen or written). */
  cachedVolume(name: string): PersistentVolume | undefined {
    return this.#volumes.get(name);
  }

  cachedClaim(key: string): PersistentVolumeClaim | undefined {
    return this.#claims.get(key);
  }

  /** Puts an object into the private cache unconditionally (tests preload caches as upstream's do). */
  cacheVolume(pv: PersistentVolume): void {
    this.#volumes.set(pv);
  }

  cacheClaim(claim: PersistentVolumeClaim): void {
    this.#claims.set(claimToClaimKey(claim), claim);
  }

  forgetVolume(name: string): void {
    this.#volumes.delete(name);
  }

  forgetClaim(key: string): void {
    this.#claims.delete(key);
  }

  // ---- workers (pv_controller_base.go) -------------------------------------------------------------

  async #volumeWorker(name: string): Promise<void> {
    const pv = this.#volumeInformer.getByKey(name);
    if (pv !== undefined) {
      await this.#updateVolume(pv);
      return;
    }
    const cached = this.#volumes.get(name);
    if (cached === undefined) return; // the delete was already processed
    this.#deleteVolume(cached);
  }

  async #claimWorker(key: string): Promise<void> {
    const claim = this.#claimInformer.getByKey(key);
    if (claim !== undefined) {
      await this.#updateClaim(claim);
      return;
    }
    const cached = this.#claims.get(key);
    if (cached === undefined) return;
    this.#deleteClaim(cached);
  }

  async #updateVolume(pv: PersistentVolume): Promise<void> {
    if (!this.#storeVolumeUpdate(pv)) return;
    try {
      await this.syncVolume(pv);
    } catch (err) {
      if (isConflict(err)) {
        log.v(3, 'Could not sync volume', { volumeName: pv.metadata.name, err: errMsg(err) });
        return;
      }
      throw err;
    }
  }

  async #updateClaim(claim: PersistentVolumeClaim): Promise<void> {
    if (!this.#storeClaimUpdate(claim)) return;
    try {
      await this.syncClaim(claim);
    } catch (err) {
      if (isConflict(err)) {
        log.v(3, 'Could not sync claim', { PVC: claimToClaimKey(claim), err: errMsg(err) });
        return;
      }
      throw err;
    }
  }

  #deleteVolume(pv: PersistentVolume): void {
    const name = pv.metadata.name ?? '';
    this.#volumes.delete(name);
    log.v(4, 'Volume deleted', { volumeName: name });
    this.#timestamps.recordSuccess(name, this.#clock.now());
    if (pv.spec?.claimRef === undefined) return;
    // Sync the claim at once so that it becomes Lost without waiting for a resync.
    this.#claimQueue.add(claimRefToClaimKey(pv));
  }

  #deleteClaim(claim: PersistentVolumeClaim): void {
    const key = claimToClaimKey(claim);
    this.#claims.delete(key);
    log.v(4, 'Claim deleted', { PVC: key });
    this.#timestamps.delete(key);
    const volumeName = claim.spec?.volumeName ?? '';
    if (volumeName === '') return;
    // Sync the volume at once so that it is released (and reclaimed) promptly.
    this.#volumeQueue.add(volumeName);
  }

  /** storeObjectUpdate: true when obj is new or not older than the cached version. */
  #storeVolumeUpdate(pv: PersistentVolume): boolean {
    const old = this.#volumes.get(pv.metadata.name ?? '');
    if (old !== undefined && !this.#notOlder(old.metadata.resourceVersion, pv.metadata.resourceVersion)) {
      return false;
    }
    this.#volumes.set(pv);
    return true;
  }

  #storeClaimUpdate(claim: PersistentVolumeClaim): boolean {
    const key = claimToClaimKey(claim);
    const old = this.#claims.get(key);
    if (old !== undefined && !this.#notOlder(old.metadata.resourceVersion, claim.metadata.resourceVersion)) {
      return false;
    }
    this.#claims.set(key, claim);
    return true;
  }

  #notOlder(oldRV: string | undefined, newRV: string | undefined): boolean {
    const o = parseRV(oldRV);
    const n = parseRV(newRV);
    if (o === undefined || n === undefined) return true;
    return o <= n;
  }

  // ---- syncClaim (pv_controller.go) ----------------------------------------------------------------

  /** Reconciles one claim. Errors mean "retry later"; the caller logs or requeues. */
  async syncClaim(claim: PersistentVolumeClaim): Promise<void> {
    log.v(4, 'Synchronizing PersistentVolumeClaim', { PVC: claimToClaimKey(claim) });
    if (!hasAnn(claim, AnnBindCompleted)) await this.#syncUnboundClaim(claim);
    else await this.#syncBoundClaim(claim);
  }

  async #syncUnboundClaim(claim: PersistentVolumeClaim): Promise<void> {
    const volumeName = claim.spec?.volumeName ?? '';
    if (volumeName === '') {
      // [Unit test set 1] The user did not ask for a specific PV.
      const delayBinding = this.#isDelayBindingMode(claim);
      let volume: PersistentVolume | undefined;
      try {
        volume = this.#volumes.findBestMatchForClaim(claim, delayBinding, this.#vacEnabled);
      } catch (err) {
        throw new SyncError(`error finding PV for claim "${claimToClaimKey(claim)}": ${errMsg(err)}`, {
          cause: err,
        });
      }
      if (volume === undefined) {
        // No PV could be found: assign the default class, wait for the first consumer, provision, or
        // report. The claim stays Pending and is retried on the next sync.
        let assigned: boolean;
        try {
          assigned = await this.#assignDefaultStorageClass(claim);
        } catch (err) {
          recordRetroactiveStorageClass(false);
          throw new SyncError(
            `can't update PersistentVolumeClaim["${claimToClaimKey(claim)}"]: ${errMsg(err)}`,
            {
              cause: err,
            },
          );
        }
        if (assigned) {
          recordRetroactiveStorageClass(true);
          return; // the update event syncs the claim again
        }
        if (delayBinding && !hasAnn(claim, AnnSelectedNode)) {
          this.#emitEventForUnboundDelayBindingClaim(claim);
        } else if (getPersistentVolumeClaimClass(claim) !== '') {
          this.#provisionClaim(claim);
          return;
        } else {
          this.#recorder.event(
            claim,
            'Normal',
            events.FailedBinding,
            'no persistent volumes available for this claim and no storage class is set',
          );
        }
        await this.#updateClaimStatus(claim, 'Pending', undefined);
        return;
      }
      // Found a volume: bind it (a pre-bound volume, or the smallest that fits).
      await this.#bind(volume, claim);
      this.#timestamps.recordSuccess(claimToClaimKey(claim), this.#clock.now());
      return;
    }

    // [Unit test set 2] The user asked for a specific PV.
    const volume = this.#volumes.get(volumeName);
    if (volume === undefined) {
      // The PV does not exist (yet): stay Pending and retry later.
      await this.#updateClaimStatus(claim, 'Pending', undefined);
      return;
    }
    if (volume.spec?.claimRef === undefined) {
      // The PV is not claimed: bind it if it satisfies the claim (the selector is not checked here).
      const reason = this.#checkVolumeSatisfyClaim(volume, claim);
      if (reason !== undefined) {
        this.#recorder.event(
          claim,
          'Warning',
          events.VolumeMismatch,
          `Cannot bind to requested volume "${volumeName}": ${reason}`,
        );
        await this.#updateClaimStatus(claim, 'Pending', undefined);
        return;
      }
      await this.#bind(volume, claim);
      return;
    }
    if (isVolumeBoundToClaim(volume, claim)) {
      // The PV is pre-bound to this claim: finish the binding.
      await this.#bind(volume, claim);
      return;
    }
    // The PV is claimed by someone else.
    const msg = `volume "${volumeName}" already bound to a different claim.`;
    if (!hasAnn(claim, AnnBoundByController)) {
      // The user asked for an occupied PV: retry later.
      await this.#updateClaimStatusWithEvent(
        claim,
        'Pending',
        undefined,
        'Warning',
        events.FailedBinding,
        msg,
      );
      return;
    }
    // Should never happen: someone removed bind-completed from a claim the controller bound.
    this.#recorder.event(claim, 'Warning', events.FailedBinding, msg);
    throw new SyncError(
      `invalid binding of claim "${claimToClaimKey(claim)}" to volume "${volumeName}": volume already claimed by "${claimRefToClaimKey(volume)}"`,
    );
  }

  async #syncBoundClaim(claim: PersistentVolumeClaim): Promise<void> {
    // [Unit test set 3]
    const volumeName = claim.spec?.volumeName ?? '';
    if (volumeName === '') {
      await this.#updateClaimStatusWithEvent(
        claim,
        'Lost',
        undefined,
        'Warning',
        events.ClaimLost,
        'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
      );
      return;
    }
    const volume = this.#volumes.get(volumeName);
    if (volume === undefined) {
      await this.#updateClaimStatusWithEvent(
        claim,
        'Lost',
        undefined,
        'Warning',
        events.ClaimLost,
        'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
      );
      return;
    }
    if (volume.spec?.claimRef === undefined) {
      // The volume came unbound, or the cache has not seen our binding yet; bind again either way.
      await this.#bind(volume, claim);
      return;
    }
    if (volume.spec.claimRef.uid === claim.metadata.uid) {
      // All is well; bind fixes any phase left behind.
      await this.#bind(volume, claim);
      return;
    }
    await this.#updateClaimStatusWithEvent(
      claim,
      'Lost',
      undefined,
      'Warning',
      events.ClaimMisbound,
      'Two claims are bound to the same volume, this one is bound incorrectly',
    );
  }

  /** IsDelayBindingMode: the claim's class exists and binds WaitForFirstConsumer. */
  #isDelayBindingMode(claim: PersistentVolumeClaim): boolean {
    const cls = getPersistentVolumeClaimClass(claim);
    if (cls === '') return false;
    const sc = this.#classInformer.getByKey(cls);
    if (sc === undefined) return false;
    if (sc.volumeBindingMode === undefined) {
      throw new SyncError(`VolumeBindingMode not set for StorageClass "${cls}"`);
    }
    return sc.volumeBindingMode === 'WaitForFirstConsumer';
  }

  /** The default StorageClass: the newest marked default (ties by name), or undefined. */
  #defaultClass(): StorageClass | undefined {
    let best: StorageClass | undefined;
    for (const sc of this.#classInformer.list()) {
      const a = sc.metadata.annotations ?? {};
      if (a[AnnIsDefaultStorageClass] !== 'true' && a[AnnBetaIsDefaultStorageClass] !== 'true') continue;
      if (best === undefined) {
        best = sc;
        continue;
      }
      const t = sc.metadata.creationTimestamp ?? '';
      const bt = best.metadata.creationTimestamp ?? '';
      if (t > bt || (t === bt && (sc.metadata.name ?? '') < (best.metadata.name ?? ''))) best = sc;
    }
    return best;
  }

  /** Retroactive default class: a claim that names no class gets the default one. */
  async #assignDefaultStorageClass(claim: PersistentVolumeClaim): Promise<boolean> {
    if (persistentVolumeClaimHasClass(claim)) return false;
    const sc = this.#defaultClass();
    if (sc === undefined) return false;
    const c = clone(claim);
    c.spec = { ...(c.spec ?? {}), storageClassName: sc.metadata.name ?? '' };
    const updated = await this.#claimClient(c).update(c);
    this.#storeClaimUpdate(updated);
    log.v(4, 'Assigned default StorageClass to claim', {
      PVC: claimToClaimKey(claim),
      class: sc.metadata.name,
    });
    return true;
  }

  #emitEventForUnboundDelayBindingClaim(claim: PersistentVolumeClaim): void {
    let reason = events.WaitForFirstConsumer;
    let message = 'waiting for first consumer to be created before binding';
    const pods = this.#findNonScheduledPodsByPVC(claim);
    if (pods.length > 0) {
      reason = events.WaitForPodScheduled;
      message =
        pods.length > 1
          ? `waiting for pods ${pods.join(',')} to be scheduled`
          : `waiting for pod ${pods[0]!} to be scheduled`;
    }
    this.#recorder.event(claim, 'Normal', reason, message);
  }

  /** Pods in the claim's namespace that use it and are neither terminated nor scheduled. */
  #findNonScheduledPodsByPVC(claim: PersistentVolumeClaim): string[] {
    const out: string[] = [];
    for (const pod of this.#podsUsingClaim(claim.metadata.namespace ?? '', claim.metadata.name ?? '')) {
      if (isPodTerminated(pod)) continue;
      if ((pod.spec?.nodeName ?? '') === '') out.push(pod.metadata.name ?? '');
    }
    return out.sort();
  }

  #podsUsingClaim(namespace: string, name: string): Pod[] {
    return this.#podInformer
      .byIndex('namespace', namespace)
      .filter((p) => podClaimNames(p).includes(name))
      .sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  }

  /** checkVolumeSatisfyClaim: undefined when the volume satisfies the claim, else the reason. */
  #checkVolumeSatisfyClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
    if (volume.metadata.deletionTimestamp !== undefined) {
      return `the volume is marked for deletion "${volume.metadata.name ?? ''}"`;
    }
    if (storageBytes(volume.spec?.capacity) < storageBytes(claim.spec?.resources?.requests)) {
      return 'requested PV is too small';
    }
    if (getPersistentVolumeClass(volume) !== getPersistentVolumeClaimClass(claim)) {
      return 'storageClassName does not match';
    }
    if (!volumeAttributesClassMatches(claim, volume, this.#vacEnabled)) {
      return 'volumeAttributesClassName does not match';
    }
    if (checkVolumeModeMismatches(claim, volume)) return 'incompatible volumeMode';
    if (!checkAccessModes(claim, volume)) return 'incompatible accessMode';
    return undefined;
  }

  // ---- syncVolume ----------------------------------------------------------------------------------

  /** Reconciles one volume. Errors mean "retry later". */
  async syncVolume(volume: PersistentVolume): Promise<void> {
    log.v(4, 'Synchronizing PersistentVolume', { volumeName: volume.metadata.name });
    volume = await this.#updateVolumeFinalizers(volume);

    // [Unit test set 4]
    const ref = volume.spec?.claimRef;
    if (ref === undefined) {
      // The volume is unused.
      await this.#updateVolumePhase(volume, 'Available', '');
      return;
    }
    if ((ref.uid ?? '') === '') {
      // Reserved for a claim that has not been bound to it yet; the claim's sync handles it.
      await this.#updateVolumePhase(volume, 'Available', '');
      return;
    }
    const claimKey = claimRefToClaimKey(volume);
    let claim = this.#claims.get(claimKey);
    if (claim === undefined && volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed') {
      // The claim may be too new for our cache (made by an external provisioner or the scheduler):
      // look in the informer, then ask the API server, before releasing the volume.
      claim =
        this.#claimInformer.getByKey(claimKey) ?? (await this.#getClaimFromServer(ref.namespace, ref.name));
    }
    if (claim !== undefined && claim.metadata.uid !== ref.uid) {
      // The cached claim may be older than the volume's claimRef: ask the API server.
      const fresh = await this.#getClaimFromServer(ref.namespace, ref.name);
      claim = fresh !== undefined && fresh.metadata.uid === ref.uid ? fresh : undefined;
    }

    if (claim === undefined) {
      // The claim is gone: release the volume (keep Failed so the user sees it) and reclaim it.
      if (volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed') {
        log.v(2, 'Volume is released and reclaim policy will be executed', {
          volumeName: volume.metadata.name,
          reclaimPolicy: volume.spec?.persistentVolumeReclaimPolicy,
        });
        volume = await this.#updateVolumePhase(volume, 'Released', '');
      }
      await this.#reclaimVolume(volume);
      return;
    }
    const claimVolumeName = claim.spec?.volumeName ?? '';
    if (claimVolumeName === '') {
      if (checkVolumeModeMismatches(claim, volume)) {
        // syncClaim would never pick this volume: say why, on both objects.
        this.#recorder.event(
          volume,
          'Warning',
          events.VolumeMismatch,
          `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata.name ?? ''}" due to incompatible volumeMode.`,
        );
        this.#recorder.event(
          claim,
          'Warning',
          events.VolumeMismatch,
          `Cannot bind PersistentVolume "${volume.metadata.name ?? ''}" to requested PersistentVolumeClaim due to incompatible volumeMode.`,
        );
        return;
      }
      // The binding is not complete (or the user pre-bound the volume): let the claim's sync finish it soon.
      this.#claimQueue.add(claimToClaimKey(claim));
      return;
    }
    if (claimVolumeName === volume.metadata.name) {
      // Bound properly; fix the phase if needed.
      await this.#updateVolumePhase(volume, 'Bound', '');
      return;
    }
    // The claim is bound to another volume.
    if (
      hasAnn(volume, AnnDynamicallyProvisioned) &&
      volume.spec?.persistentVolumeReclaimPolicy === 'Delete'
    ) {
      // Provisioned for this claim, which got another volume: delete it.
      if (volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed') {
        volume = await this.#updateVolumePhase(volume, 'Released', '');
      }
      await this.#reclaimVolume(volume);
      return;
    }
    // Bound by the controller (we lost a race: undo it) or pre-bound by the user (clear only the UID).
    await this.#unbindVolume(volume);
  }

  async #getClaimFromServer(
    namespace: string | undefined,
    name: string | undefined,
  ): Promise<PersistentVolumeClaim | undefined> {
    try {
      return await this.#client
        .resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, namespace ?? '')
        .get(name ?? '');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * modifyDeletionFinalizers (HonorPVReclaimPolicy): in-tree provisioned PVs with reclaim Delete carry
   * kubernetes.io/pv-controller, Retain/Recycle ones do not, and the external provisioner's finalizer
   * never stays on an in-tree PV. kvol migrates no plugin, so the migration branch never applies.
   */
  async #updateVolumeFinalizers(volume: PersistentVolume): Promise<PersistentVolume> {
    const provisioner = volume.metadata.annotations?.[AnnDynamicallyProvisioned];
    if (provisioner === undefined) return volume;
    if (hasAnn(volume, AnnMigratedTo)) return volume;
    if (!provisioner.startsWith(InTreePluginPrefix)) return volume;
    let fins = [...(volume.metadata.finalizers ?? [])];
    let modified = false;
    const policy = volume.spec?.persistentVolumeReclaimPolicy;
    if (policy === 'Delete' && !fins.includes(PVDeletionInTreeProtectionFinalizer)) {
      fins.push(PVDeletionInTreeProtectionFinalizer);
      modified = true;
    } else if (
      (policy === 'Retain' || policy === 'Recycle') &&
      fins.includes(PVDeletionInTreeProtectionFinalizer)
    ) {
      fins = fins.filter((f) => f !== PVDeletionInTreeProtectionFinalizer);
      modified = true;
    }
    if (fins.includes(PVDeletionProtectionFinalizer)) {
      fins = fins.filter((f) => f !== PVDeletionProtectionFinalizer);
      modified = true;
    }
    if (!modified) return volume;
    const c = clone(volume);
    c.metadata.finalizers = fins;
    const updated = await this.#volumeClient().update(c);
    this.#storeVolumeUpdate(updated);
    return updated;
  }

  // ---- writes --------------------------------------------------------------------------------------

  #volumeClient() {
    return this.#client.resource<PersistentVolume>(Resources.persistentvolumes);
  }

  #claimClient(claim: PersistentVolumeClaim) {
    return this.#client.resource<PersistentVolumeClaim>(
      Resources.persistentvolumeclaims,
      claim.metadata.namespace ?? '',
    );
  }

  /** updateClaimStatus: phase, and accessModes/capacity/VAC from the volume (cleared without one). */
  async #updateClaimStatus(
    claim: PersistentVolumeClaim,
    phase: PersistentVolumeClaimPhase,
    volume: PersistentVolume | undefined,
  ): Promise<PersistentVolumeClaim> {
    let dirty = false;
    const c = clone(claim);
    const status = { ...(c.status ?? {}) };
    if (claim.status?.phase !== phase) {
      status.phase = phase;
      dirty = true;
    }
    if (volume === undefined) {
      if (status.accessModes !== undefined) {
        delete status.accessModes;
        dirty = true;
      }
      if (status.capacity !== undefined) {
        delete status.capacity;
        dirty = true;
      }
      if (status.currentVolumeAttributesClassName !== undefined) {
        delete status.currentVolumeAttributesClassName;
        dirty = true;
      }
    } else {
      const modes = volume.spec?.accessModes;
      if (JSON.stringify(claim.status?.accessModes) !== JSON.stringify(modes)) {
        if (modes === undefined) delete status.accessModes;
        else status.accessModes = [...modes];
        dirty = true;
      }
      // Capacity only on the transition into Bound: a later difference may be intentional.
      if (claim.status?.phase !== phase) {
        const volumeCap = volume.spec?.capacity?.['storage'];
        if (volumeCap === undefined) {
          throw new SyncError(
            `PersistentVolume "${volume.metadata.name ?? ''}" is without a storage capacity`,
          );
        }
        const preResize = volume.metadata.annotations?.[AnnPreResizeCapacity];
        const want = preResize ?? volumeCap;
        const claimCap = claim.status?.capacity?.['storage'];
        if (
          claimCap === undefined ||
          storageBytes({ storage: want }) !== storageBytes({ storage: claimCap })
        ) {
          status.capacity =
            preResize !== undefined
              ? { ...(status.capacity ?? {}), storage: preResize }
              : { ...(volume.spec?.capacity ?? {}) };
          dirty = true;
        }
      }
      if (this.#vacEnabled) {
        const vac = volume.spec?.volumeAttributesClassName;
        if (claim.status?.currentVolumeAttributesClassName !== vac) {
          if (vac === undefined) delete status.currentVolumeAttributesClassName;
          else status.currentVolumeAttributesClassName = vac;
          dirty = true;
        }
      }
    }
    if (!dirty) return claim;
    c.status = status;
    const updated = await this.#claimClient(c).updateStatus(c);
    this.#storeClaimUpdate(updated);
    return updated;
  }

  /** updateClaimStatusWithEvent: writes and emits only when the phase changes. */
  async #updateClaimStatusWithEvent(
    claim: PersistentVolumeClaim,
    phase: PersistentVolumeClaimPhase,
    volume: PersistentVolume | undefined,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<PersistentVolumeClaim> {
    if (claim.status?.phase === phase) return claim;
    const updated = await this.#updateClaimStatus(claim, phase, volume);
    this.#recorder.event(updated, type, reason, message);
    return updated;
  }

  /** updateVolumePhase: writes only when the phase changes; sets or clears status.message. */
  async #updateVolumePhase(
    volume: PersistentVolume,
    phase: PersistentVolumePhase,
    message: string,
  ): Promise<PersistentVolume> {
    if (volume.status?.phase === phase) return volume;
    const c = clone(volume);
    c.status = { ...(c.status ?? {}), phase };
    if (message === '') delete c.status.message;
    else c.status.message = message;
    const updated = await this.#volumeClient().updateStatus(c);
    this.#storeVolumeUpdate(updated);
    return updated;
  }

  async #updateVolumePhaseWithEvent(
    volume: PersistentVolume,
    phase: PersistentVolumePhase,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<PersistentVolume> {
    if (volume.status?.phase === phase) return volume;
    const updated = await this.#updateVolumePhase(volume, phase, message);
    this.#recorder.event(updated, type, reason, message);
    return updated;
  }

  /**
   * bind, in upstream's order so a crash between any two writes converges: the volume's claimRef, the
   * volume's phase, the claim's volumeName and annotations, the claim's status. Each step re-reads
   * nothing and is skipped when already done; the first error stops and the next sync finishes the job.
   */
  async #bind(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    log.v(4, 'Binding volume to claim', { volumeName: volume.metadata.name, PVC: claimToClaimKey(claim) });
    volume = await this.#bindVolumeToClaim(volume, claim);
    volume = await this.#updateVolumePhase(volume, 'Bound', '');
    claim = await this.#bindClaimToVolume(claim, volume);
    await this.#updateClaimStatus(claim, 'Bound', volume);
  }

  /** GetBindVolumeToClaim + Update: claimRef to this claim, bound-by-controller unless pre-bound. */
  async #bindVolumeToClaim(
    volume: PersistentVolume,
    claim: PersistentVolumeClaim,
  ): Promise<PersistentVolume> {
    let dirty = false;
    const shouldSetBoundByController = !isVolumeBoundToClaim(volume, claim);
    const c = clone(volume);
    const ref = volume.spec?.claimRef;
    if (
      ref === undefined ||
      ref.name !== claim.metadata.name ||
      ref.namespace !== claim.metadata.namespace ||
      (ref.uid ?? '') !== (claim.metadata.uid ?? '')
    ) {
      c.spec = { ...(c.spec ?? {}), claimRef: claimReference(claim) };
      dirty = true;
    }
    if (shouldSetBoundByController && !hasAnn(c, AnnBoundByController)) {
      setAnn(c, AnnBoundByController, 'yes');
      dirty = true;
    }
    if (!dirty) return volume;
    // Reserve the volume for this claim in the cache before the first await, so that a concurrent
    // claim worker does not pick it; undone if the write fails.
    const name = volume.metadata.name ?? '';
    const before = this.#volumes.get(name);
    this.#volumes.set(c);
    let updated: PersistentVolume;
    try {
      updated = await this.#volumeClient().update(c);
    } catch (err) {
      if (this.#volumes.get(name) === c && before !== undefined) this.#volumes.set(before);
      throw err;
    }
    this.#storeVolumeUpdate(updated);
    return updated;
  }

  /** bindClaimToVolume: volumeName (+ bound-by-controller when we set it) and bind-completed. */
  async #bindClaimToVolume(
    claim: PersistentVolumeClaim,
    volume: PersistentVolume,
  ): Promise<PersistentVolumeClaim> {
    let dirty = false;
    const c = clone(claim);
    if (volume.metadata.name !== claim.spec?.volumeName) {
      c.spec = { ...(c.spec ?? {}), volumeName: volume.metadata.name ?? '' };
      if (!hasAnn(c, AnnBoundByController)) setAnn(c, AnnBoundByController, 'yes');
      dirty = true;
    }
    if (!hasAnn(c, AnnBindCompleted)) {
      setAnn(c, AnnBindCompleted, 'yes');
      dirty = true;
    }
    if (!dirty) return claim;
    const updated = await this.#claimClient(c).update(c);
    this.#storeClaimUpdate(updated);
    return updated;
  }

  /** unbindVolume: drop a controller-made claimRef, or only the UID of a user's pre-binding; Available. */
  async #unbindVolume(volume: PersistentVolume): Promise<void> {
    const c = clone(volume);
    if (hasAnn(volume, AnnBoundByController)) {
      if (c.spec !== undefined) delete c.spec.claimRef;
      const anns = { ...(c.metadata.annotations ?? {}) };
      delete anns[AnnBoundByController];
      if (Object.keys(anns).length === 0) delete c.metadata.annotations;
      else c.metadata.annotations = anns;
    } else if (c.spec?.claimRef !== undefined) {
      delete c.spec.claimRef.uid;
    }
    const updated = await this.#volumeClient().update(c);
    this.#storeVolumeUpdate(updated);
    await this.#updateVolumePhase(updated, 'Available', '');
  }

  // ---- reclaim -------------------------------------------------------------------------------------

  async #reclaimVolume(volume: PersistentVolume): Promise<void> {
    if ((volume.metadata.annotations?.[AnnMigratedTo] ?? '') !== '') return; // the external provisioner acts
    const name = volume.metadata.name ?? '';
    const uid = volume.metadata.uid ?? '';
    switch (volume.spec?.persistentVolumeReclaimPolicy) {
      case 'Retain':
        log.v(4, 'ReclaimVolume: policy is Retain, nothing to do', { PV: name });
        return;
      case 'Recycle':
        log.v(4, 'ReclaimVolume: policy is Recycle', { PV: name });
        this.#schedule(
          `recycle-${name}[${uid}]`,
          () => this.#recycleVolumeOperation(volume),
          () => this.#volumeQueue.add(name),
        );
        return;
      case 'Delete':
        log.v(4, 'ReclaimVolume: policy is Delete', { PV: name });
        this.#timestamps.addIfNotExist(
          name,
          this.#provisionerNameFromVolume(volume),
          'delete',
          this.#clock.now(),
        );
        this.#schedule(
          `delete-${name}[${uid}]`,
          async () => {
            try {
              await this.#deleteVolumeOperation(volume);
            } catch (err) {
              this.#timestamps.recordError(name);
              throw err;
            }
          },
          () => this.#volumeQueue.add(name),
        );
        return;
      default:
        await this.#updateVolumePhaseWithEvent(
          volume,
          'Failed',
          'Warning',
          events.VolumeUnknownReclaimPolicy,
          'Volume has unrecognized PersistentVolumeReclaimPolicy',
        );
    }
  }

  /**
   * scheduleOperation. After a failure the object is synced again once the back-off expires, so a
   * retry does not have to wait for the periodic resync.
   */
  #schedule(name: string, fn: () => Promise<void>, retry: () => void): void {
    const wait = this.#operations.run(
      name,
      async () => {
        await this.beforeOperation?.(name);
        await fn();
      },
      (backoffMs) => this.#clock.setTimer(backoffMs, retry),
    );
    if (wait > 0) log.v(4, 'Operation is backing off, skipping', { operation: name, retryAfterMs: wait });
  }

  /** isVolumeReleased: the volume has a claim UID and that claim is gone or bound elsewhere. */
  /** The volume as the API has it now, if it still needs reclaiming (upstream re-reads before acting). */
  async #rereadReleased(name: string, what: string): Promise<PersistentVolume | undefined> {
    let current: PersistentVolume;
    try {
      current = await this.#volumeClient().get(name);
    } catch (err) {
      log.v(3, 'Error reading persistent volume', { PV: name, err: errMsg(err) });
      return undefined;
    }
    if (!this.#isVolumeReleased(current)) {
      log.v(3, `Volume no longer needs ${what}, skipping`, { PV: name });
      return undefined;
    }
    return current;
  }

  #isVolumeReleased(volume: PersistentVolume): boolean {
    const ref = volume.spec?.claimRef;
    if (ref === undefined) return false;
    if ((ref.uid ?? '') === '') return false; // pre-bound by the user, binding not finished
    const claim = this.#claims.get(claimRefToClaimKey(volume));
    if (claim !== undefined && claim.metadata.uid === ref.uid) {
      const vn = claim.spec?.volumeName ?? '';
      return vn !== '' && vn !== volume.metadata.name;
    }
    return true;
  }

  /** isVolumeUsed: `ns/name` of non-terminated pods using the volume's claim. */
  #podsUsingVolume(volume: PersistentVolume): string[] {
    const ref = volume.spec?.claimRef;
    if (ref === undefined) return [];
    return this.#podsUsingClaim(ref.namespace ?? '', ref.name ?? '')
      .filter((p) => !isPodTerminated(p))
      .map((p) => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`);
  }

  async #recycleVolumeOperation(volume: PersistentVolume): Promise<void> {
    const name = volume.metadata.name ?? '';
    // Another operation may have changed the volume meanwhile: read it now.
    const current = await this.#rereadReleased(name, 'recycling');
    if (current === undefined) return;
    const pods = this.#podsUsingVolume(current);
    // A cached claim of the same name is a new claim (the volume is released), whose pods these are.
    const claimCached = this.#claims.has(claimRefToClaimKey(volume));
    if (pods.length > 0 && !claimCached) {
      const msg = `Volume is used by pods: ${pods.join(',')}`;
      log.v(3, "Can't recycle volume", { PV: name, msg });
      this.#recorder.event(volume, 'Normal', events.VolumeFailedRecycle, msg);
      return;
    }
    volume = current;
    let plugin: RecyclablePlugin;
    try {
      plugin = this.#plugins.recyclerBySpec(volume);
    } catch {
      await this.#updateVolumePhaseWithEvent(
        volume,
        'Failed',
        'Warning',
        events.VolumeFailedRecycle,
        'No recycler plugin found for the volume!',
      ).catch((err: unknown) => log.v(4, 'Failed to mark volume as failed', { PV: name, err: errMsg(err) }));
      return;
    }
    try {
      await plugin.recycle(volume, (type, message) =>
        this.#recorder.event(volume, type, events.RecyclerPod, `Recycler pod: ${message}`),
      );
    } catch (err) {
      await this.#updateVolumePhaseWithEvent(
        volume,
        'Failed',
        'Warning',
        events.VolumeFailedRecycle,
        `Recycle failed: ${errMsg(err)}`,
      ).catch((e: unknown) => log.v(4, 'Failed to mark volume as failed', { PV: name, err: errMsg(e) }));
      return;
    }
    log.v(2, 'Volume recycled', { PV: name });
    this.#recorder.event(volume, 'Normal', events.VolumeRecycled, 'Volume recycled');
    try {
      await this.#unbindVolume(volume);
    } catch (err) {
      // The next sync recycles it again.
      log.v(3, 'Failed to make recycled volume available, controller will recycle the volume again', {
        PV: name,
        err: errMsg(err),
      });
    }
  }

  /** deleteVolumeOperation: delete the storage, then the PV object. Rejects to trigger back-off. */
  async #deleteVolumeOperation(volume: PersistentVolume): Promise<void> {
    const name = volume.metadata.name ?? '';
    const current = await this.#rereadReleased(name, 'deletion');
    if (current === undefined) return;
    let deleted: boolean;
    try {
      deleted = await this.#doDeleteVolume(volume);
    } catch (err) {
      log.v(3, 'Deletion of volume failed', { volumeName: name, err: errMsg(err) });
      if (isDeletedVolumeInUse(err)) {
        // The plugin needs more time: not a failure of the volume.
        this.#recorder.event(volume, 'Normal', events.VolumeDelete, errMsg(err));
      } else {
        await this.#updateVolumePhaseWithEvent(
          volume,
          'Failed',
          'Warning',
          events.VolumeFailedDelete,
          errMsg(err),
        );
      }
      throw err;
    }
    if (!deleted) return; // an external deleter does it
    try {
      await this.#volumeClient().delete(name);
    } catch (err) {
      // The next sync tries again.
      if (!isNotFound(err))
        log.v(3, 'Failed to delete volume from database', { volumeName: name, err: errMsg(err) });
    }
  }

  /** findDeletablePlugin: undefined means an external deleter is responsible. */
  #findDeletablePlugin(volume: PersistentVolume): ProvisionerPlugin | undefined {
    const name = volume.metadata.name ?? '';
    const provisionedBy = volume.metadata.annotations?.[AnnDynamicallyProvisioned] ?? '';
    if (provisionedBy !== '') {
      try {
        return this.#plugins.byName(provisionedBy);
      } catch (err) {
        if (!provisionedBy.startsWith(InTreePluginPrefix)) return undefined;
        throw err;
      }
    }
    if (hasAnn(volume, AnnMigratedTo)) return undefined;
    if (volume.spec?.csi !== undefined) return undefined;
    try {
      return this.#plugins.bySpec(volume);
    } catch (err) {
      throw new SyncError(`error getting deleter volume plugin for volume "${name}": ${errMsg(err)}`, {
        cause: err,
      });
    }
  }

  /** doDeleteVolume: true when the storage was deleted by an in-tree plugin, false for external deleters. */
  async #doDeleteVolume(volume: PersistentVolume): Promise<boolean> {
    const name = volume.metadata.name ?? '';
    const plugin = this.#findDeletablePlugin(volume);
    if (plugin === undefined) {
      log.v(3, 'External deleter for volume requested, ignoring', { volumeName: name });
      return false;
    }
    try {
      await plugin.delete(volume);
    } catch (err) {
      if (isPluginSetupError(err)) {
        throw new SyncError(`failed to create deleter for volume "${name}": ${errMsg(err)}`, { cause: err });
      }
      throw err;
    }
    log.v(2, 'Volume deleted', { volumeName: name });
    await this.#removeDeletionProtectionFinalizer(volume);
    return true;
  }

  async #removeDeletionProtectionFinalizer(volume: PersistentVolume): Promise<void> {
    let current: PersistentVolume;
    try {
      current = await this.#volumeClient().get(volume.metadata.name ?? '');
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const fins = current.metadata.finalizers ?? [];
    if (!fins.includes(PVDeletionInTreeProtectionFinalizer)) return;
    const c = clone(current);
    c.metadata.finalizers = fins.filter((f) => f !== PVDeletionInTreeProtectionFinalizer);
    const updated = await this.#volumeClient().update(c);
    if (updated.metadata.deletionTimestamp === undefined) this.#storeVolumeUpdate(updated);
  }

  // ---- provisioning --------------------------------------------------------------------------------

  /** provisionClaim: starts the provisioning operation for the claim's class (in-tree or external). */
  #provisionClaim(claim: PersistentVolumeClaim): void {
    if (!this.#enableDynamicProvisioning) return;
    const key = claimToClaimKey(claim);
    log.v(4, 'provisionClaim: started', { PVC: key });
    let found: { plugin: ProvisionerPlugin | undefined; storageClass: StorageClass };
    try {
      found = this.#findProvisionablePlugin(claim);
    } catch (err) {
      // Retried on every sync of the claim.
      this.#recorder.event(claim, 'Warning', events.ProvisioningFailed, errMsg(err));
      log.v(2, 'Error finding provisioning plugin for claim', { PVC: key, err: errMsg(err) });
      return;
    }
    const { plugin, storageClass } = found;
    this.#schedule(
      `provision-${key}[${claim.metadata.uid ?? ''}]`,
      async () => {
        this.#timestamps.addIfNotExist(
          key,
          plugin?.name ?? storageClass.provisioner,
          'provision',
          this.#clock.now(),
        );
        try {
          if (plugin === undefined) await this.#provisionClaimOperationExternal(claim, storageClass);
          else await this.#provisionClaimOperation(claim, plugin, storageClass);
        } catch (err) {
          this.#timestamps.recordError(key);
          throw err;
        }
      },
      () => this.#claimQueue.add(key),
    );
  }

  /** findProvisionablePlugin: plugin undefined means an external provisioner. */
  #findProvisionablePlugin(claim: PersistentVolumeClaim): {
    plugin: ProvisionerPlugin | undefined;
    storageClass: StorageClass;
  } {
    const cls = getPersistentVolumeClaimClass(claim);
    const storageClass = this.#classInformer.getByKey(cls);
    if (storageClass === undefined) throw new SyncError(`storageclass.storage.k8s.io "${cls}" not found`);
    try {
      return { plugin: this.#plugins.byName(storageClass.provisioner), storageClass };
    } catch (err) {
      if (!storageClass.provisioner.startsWith(InTreePluginPrefix))
        return { plugin: undefined, storageClass };
      throw err;
    }
  }

  /** setClaimProvisioner: both provisioner annotations, unless the GA one already names it. */
  async #setClaimProvisioner(
    claim: PersistentVolumeClaim,
    provisioner: string,
  ): Promise<PersistentVolumeClaim> {
    if (claim.metadata.annotations?.[AnnStorageProvisioner] === provisioner) return claim;
    const c = clone(claim);
    setAnn(c, AnnBetaStorageProvisioner, provisioner);
    setAnn(c, AnnStorageProvisioner, provisioner);
    const updated = await this.#claimClient(c).update(c);
    this.#storeClaimUpdate(updated);
    return updated;
  }

  async #provisionClaimOperationExternal(
    claim: PersistentVolumeClaim,
    storageClass: StorageClass,
  ): Promise<void> {
    const provisioner = storageClass.provisioner;
    try {
      claim = await this.#setClaimProvisioner(claim, provisioner);
    } catch (err) {
      this.#recorder.event(claim, 'Warning', events.ProvisioningFailed, `Error saving claim: ${errMsg(err)}`);
      throw err;
    }
    const msg =
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' ` +
      'or manually by the system administrator. If volume creation is delayed, please verify that ' +
      'the provisioner is running and correctly registered.';
    this.#recorder.event(claim, 'Normal', events.ExternalProvisioning, msg);
  }

  async #provisionClaimOperation(
    claim: PersistentVolumeClaim,
    plugin: ProvisionerPlugin,
    storageClass: StorageClass,
  ): Promise<void> {
    const key = claimToClaimKey(claim);
    const claimClass = getPersistentVolumeClaimClass(claim);
    if (claim.spec?.dataSource !== undefined && plugin.name !== 'kubernetes.io/csi') {
      const strerr = `plugin "${plugin.name}" is not a CSI plugin. Only CSI plugin can provision a claim with a datasource`;
      this.#recorder.event(claim, 'Warning', events.ProvisioningFailed, strerr);
      throw new SyncError(strerr);
    }
    claim = await this.#setClaimProvisioner(claim, storageClass.provisioner);

    // A previous attempt may have finished: the PV name is deterministic.
    const pvName = ProvisionedVolumeNamePrefix + (claim.metadata.uid ?? '');
    try {
      await this.#volumeClient().get(pvName);
      log.v(4, 'provisionClaimOperation: volume already exists, skipping', { PVC: key });
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const claimRef = claimReference(claim);
    const options: VolumeOptions = {
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
      mountOptions: [...(storageClass.mountOptions ?? [])],
      pvName,
      pvc: claim,
      parameters: { ...(storageClass.parameters ?? {}) },
    };
    if (storageClass.allowedTopologies !== undefined)
      options.allowedTopologies = storageClass.allowedTopologies;
    if (!plugin.supportsMountOptions() && options.mountOptions.length > 0) {
      this.#recorder.event(
        claim,
        'Warning',
        events.ProvisioningFailed,
        `Mount options are not supported by the provisioner but StorageClass "${storageClass.metadata.name ?? ''}" has mount options [${options.mountOptions.join(' ')}]`,
      );
      throw new SyncError(`provisioner "${plugin.name}" doesn't support mount options`);
    }
    const nodeName = claim.metadata.annotations?.[AnnSelectedNode];
    if (nodeName !== undefined) {
      const node = this.#nodeInformer.getByKey(nodeName);
      if (node === undefined) {
        const e = `node "${nodeName}" not found`;
        this.#recorder.event(claim, 'Warning', events.ProvisioningFailed, `Failed to get target node: ${e}`);
        throw new SyncError(e);
      }
      options.selectedNode = node;
    }

    let volume: PersistentVolume;
    try {
      volume = await plugin.provision(options);
    } catch (err) {
      if (isPluginSetupError(err)) {
        this.#recorder.event(
          claim,
          'Warning',
          events.ProvisioningFailed,
          `Failed to create provisioner: ${errMsg(err)}`,
        );
        throw err;
      }
      // Only a real provisioning failure sends the claim back to the scheduler.
      await this.#rescheduleProvisioning(claim);
      this.#recorder.event(
        claim,
        'Warning',
        events.ProvisioningFailed,
        `Failed to provision volume with StorageClass "${storageClass.metadata.name ?? ''}": ${errMsg(err)}`,
      );
      throw err;
    }
    log.v(3, 'Volume for claim created', { PVC: key, volumeName: volume.metadata.name });

    volume = clone(volume);
    if ((volume.metadata.name ?? '') === '') volume.metadata.name = pvName;
    volume.spec = { ...(volume.spec ?? {}), claimRef, storageClassName: claimClass };
    volume.status = { ...(volume.status ?? {}), phase: 'Bound' };
    setAnn(volume, AnnBoundByController, 'yes');
    setAnn(volume, AnnDynamicallyProvisioned, plugin.name);
    if (volume.spec.persistentVolumeReclaimPolicy === 'Delete') {
      volume.metadata.finalizers = [PVDeletionInTreeProtectionFinalizer];
    }

    let saveErr: unknown;
    for (let i = 0; i < this.#createRetryCount; i++) {
      try {
        const created = await this.#volumeClient().create(volume);
        // The create dropped the status: write Bound through the status subresource, as the server
        // ignores status on create. A crash in between leaves phase Pending, which syncVolume fixes.
        this.#storeVolumeUpdate(created);
        saveErr = undefined;
        try {
          const withStatus = clone(created);
          withStatus.status = { ...(created.status ?? {}), phase: 'Bound' };
          if (created.status?.phase !== 'Bound')
            this.#storeVolumeUpdate(await this.#volumeClient().updateStatus(withStatus));
        } catch (err) {
          log.v(4, 'provisionClaimOperation: cannot set phase of new volume', {
            volumeName: volume.metadata.name,
            err: errMsg(err),
          });
        }
        break;
      } catch (err) {
        if (isAlreadyExists(err)) {
          log.v(3, 'Volume for claim already exists, reusing', {
            PVC: key,
            volumeName: volume.metadata.name,
          });
          saveErr = undefined;
          break;
        }
        saveErr = err;
        log.v(3, 'Failed to save volume for claim', {
          PVC: key,
          volumeName: volume.metadata.name,
          err: errMsg(err),
        });
        if (i < this.#createRetryCount - 1) await this.#clock.sleep(this.#createIntervalMs);
      }
    }

    if (saveErr !== undefined) {
      // The storage exists but no PV describes it: delete the storage.
      this.#recorder.event(
        claim,
        'Warning',
        events.ProvisioningFailed,
        `Error creating provisioned PV object for claim ${key}: ${errMsg(saveErr)}. Deleting the volume.`,
      );
      let deleteErr: unknown;
      for (let i = 0; i < this.#createRetryCount; i++) {
        let deleted = false;
        try {
          deleted = await this.#doDeleteVolume(volume);
          deleteErr = undefined;
        } catch (err) {
          deleteErr = err;
        }
        if (deleteErr === undefined && deleted) break;
        if (deleteErr === undefined && !deleted) {
          // Unreachable for a plugin that provisions: it must also delete.
          log.error('Error finding internal deleter for volume plugin', undefined, { plugin: plugin.name });
          break;
        }
        // Upstream gives up after the first failed Delete (doDeleteVolume reports deleted=false with the
        // error, which lands in its "unreachable" branch); we retry as its comments intend.
        log.v(3, 'Failed to delete volume', { volumeName: volume.metadata.name, err: errMsg(deleteErr) });
        if (i < this.#createRetryCount - 1) await this.#clock.sleep(this.#createIntervalMs);
      }
      if (deleteErr !== undefined) {
        this.#recorder.event(
          claim,
          'Warning',
          events.ProvisioningCleanupFailed,
          `Error cleaning provisioned volume for claim ${key}: ${errMsg(deleteErr)}. Please delete manually.`,
        );
      }
      return;
    }
    log.v(2, 'Volume provisioned for claim', { PVC: key, volumeName: volume.metadata.name });
    this.#recorder.event(
      claim,
      'Normal',
      events.ProvisioningSucceeded,
      `Successfully provisioned volume ${volume.metadata.name ?? ''} using ${plugin.name}`,
    );
  }

  /** rescheduleProvisioning: drop selected-node so the scheduler picks again. */
  async #rescheduleProvisioning(claim: PersistentVolumeClaim): Promise<void> {
    if (!hasAnn(claim, AnnSelectedNode)) return;
    const c = clone(claim);
    const anns = { ...(c.metadata.annotations ?? {}) };
    delete anns[AnnSelectedNode];
    c.metadata.annotations = anns;
    try {
      this.#storeClaimUpdate(await this.#claimClient(c).update(c));
    } catch (err) {
      log.v(4, "Failed to delete annotation 'volume.kubernetes.io/selected-node'", {
        PVC: claimToClaimKey(claim),
        err: errMsg(err),
      });
    }
  }

  // ---- metrics helpers -----------------------------------------------------------------------------

  #provisionerNameFromVolume(volume: PersistentVolume): string {
    const p = volume.metadata.annotations?.[AnnDynamicallyProvisioned];
    if (p !== undefined && p !== '') return p;
    return this.#pluginNameForMetrics(volume);
  }

  #pluginNameForMetrics(pv: PersistentVolume): string {
    if (pv.spec?.csi !== undefined) return `kubernetes.io/csi:${pv.spec.csi.driver}`;
    try {
      return this.#plugins.bySpec(pv).name;
    } catch {
      return 'N/A';
    }
  }
}

/** reference.GetReference for a claim. */
function claimReference(
  claim: PersistentVolumeClaim,
): NonNullable<NonNullable<PersistentVolume['spec']>['claimRef']> {
  const ref: NonNullable<NonNullable<PersistentVolume['spec']>['claimRef']> = {
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata.namespace ?? '',
    name: claim.metadata.name ?? '',
    uid: claim.metadata.uid ?? '',
    apiVersion: 'v1',
  };
  if (claim.metadata.resourceVersion !== undefined) ref.resourceVersion = claim.metadata.resourceVersion;
  return ref;
}
