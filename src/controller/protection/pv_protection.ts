// The PV protection controller (pkg/controller/volume/pvprotection): removes the `kubernetes.io/pv-protection`
// finalizer from a PersistentVolume being deleted once it is no longer bound, so a PV bound to a claim is not
// deleted under it. The finalizer itself is added by the API server's StorageObjectInUseProtection
// admission; unlike upstream we never add it here.
//
// "Bound" is upstream's isBeingUsed: status.phase is Bound, as the PV controller writes it. A PV whose claim
// went away becomes Released (or Available) through the PV controller, and that status update re-queues it.
//
// Concurrency: the workqueue hands a PV name to one worker at a time; different PVs are processed in
// parallel by `workers` workers. Each sync is safe to repeat.
import { type PersistentVolume, PersistentVolumePhase, Resources } from '../../api/index.ts';
import { type Client, runWorkers, type SharedIndexInformer, WorkQueue } from '../../client/index.ts';
import { logger, realClock } from '../../component/index.ts';
import { pvProtectionControllerName, pvProtectionFinalizer, pvProtectionQueueName } from './constants.ts';
import { isDeletionCandidate, removeFinalizer } from './finalizer.ts';
import type { ProtectionControllerOptions } from './pvc_protection.ts';

const log = logger(pvProtectionControllerName);

/** Whether the PV is bound to a claim (upstream's isBeingUsed: the phase the PV controller wrote). */
export function isPVBeingUsed(pv: PersistentVolume): boolean {
  return pv.status?.phase === PersistentVolumePhase.Bound;
}

export class PVProtectionController {
  /** PV names to check. Exposed for tests and debugging. */
  readonly queue: WorkQueue<string>;
  readonly #client: Client;
  readonly #volumes: SharedIndexInformer<PersistentVolume>;

  constructor(opts: ProtectionControllerOptions) {
    this.#client = opts.client;
    this.queue = new WorkQueue<string>({ name: pvProtectionQueueName, clock: opts.clock ?? realClock });
    this.#volumes = opts.informers.informerFor<PersistentVolume>(Resources.persistentvolumes);
    this.#volumes.addEventHandler({
      onAdd: (pv) => this.#volumeAddedUpdated(pv),
      onUpdate: (_old, pv) => this.#volumeAddedUpdated(pv),
    });
  }

  /** Waits for the PV cache, then runs `workers` workers until the signal aborts. */
  async run(signal: AbortSignal, workers = 1): Promise<void> {
    log.info('Starting controller', { controller: pvProtectionControllerName });
    try {
      if (!(await this.#volumes.waitForSync(signal))) return;
      await runWorkers(this.queue, workers, (name) => this.#sync(name, signal), signal);
    } finally {
      this.queue.shutDown();
      log.info('Shutting down controller', { controller: pvProtectionControllerName });
    }
  }

  async #sync(name: string, signal: AbortSignal): Promise<void> {
    log.v(4, 'Processing PV', { PV: name });
    const pv = this.#volumes.getByKey(name);
    if (pv === undefined) {
      log.v(4, 'PV not found, ignoring', { PV: name });
      return;
    }
    const outcome = await removeFinalizer(pv, {
      client: this.#client.resource<PersistentVolume>(Resources.persistentvolumes),
      finalizer: pvProtectionFinalizer,
      removable: async (v) => !isPVBeingUsed(v),
      signal,
    });
    if (outcome === 'removed') log.v(3, 'Removed protection finalizer from PV', { PV: name });
    else if (outcome === 'inUse') log.v(4, 'Keeping PV because it is being used', { PV: name });
  }

  #volumeAddedUpdated(pv: PersistentVolume): void {
    if (isDeletionCandidate(pv, pvProtectionFinalizer)) this.queue.add(pv.metadata.name ?? '');
  }
}
