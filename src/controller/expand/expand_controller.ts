// The expand controller (kube-controller-manager's `persistentvolume-expander`,
// pkg/controller/volume/expand): notices bound claims whose requested storage is larger than their
// status capacity and hands them to the component that can grow the volume. kvol has no in-tree
// expandable plugin, so every such claim goes to an external resizer: the controller records the
// Normal event ExternalExpanding "waiting for an external controller to expand this PVC" and, for a
// CSI volume, sets `volume.kubernetes.io/storage-resizer: <driver>` on the claim. (Upstream writes that
// annotation only for in-tree volumes migrated to CSI; external-resizer itself matches CSI volumes by
// the PV's driver, so the extra annotation only says who acts, and kvol's built-in resizer does not
// depend on it.) The resize itself is src/controller/csi/resizer.ts.
//
// Concurrency: the workqueue hands a claim key to one worker at a time; claims are handled in
// parallel by `workers` workers. A sync only reads caches, sends one idempotent patch and records an
// event, so repeating it is harmless.
import {
  isNotFound,
  type PersistentVolume,
  type PersistentVolumeClaim,
  PersistentVolumeClaimPhase,
  Quantity,
  Resources,
} from '../../api/index.ts';
import {
  type Client,
  type EventRecorder,
  EventTypeNormal,
  metaNamespaceKey,
  runWorkers,
  type SharedIndexInformer,
  type SharedInformerFactory,
  splitMetaNamespaceKey,
  WorkQueue,
} from '../../client/index.ts';
import { type Clock, logger, realClock } from '../../component/index.ts';
import type { CsiControllerContext } from '../csi/common.ts';
import {
  AnnStorageResizer,
  ExpandControllerName,
  ExpandEventSource,
  ExpandEvents,
  ExternalExpandingMessage,
} from './constants.ts';

const log = logger(ExpandControllerName);

export interface ExpandControllerOptions {
  client: Client;
  /** The caller starts the factory after constructing the controllers. */
  informers: SharedInformerFactory;
  /** Events are recorded on the claims; without one, events are only logged. */
  recorder?: EventRecorder;
  clock?: Clock;
  /** Unused: the expand controller needs no CSI driver; accepted so every controller takes one shape. */
  csi?: CsiControllerContext;
}

/** The storage quantity of a resource list; zero when absent or unparsable. */
export function storageOf(list: Record<string, string> | undefined): Quantity {
  const v = list?.['storage'];
  return (v === undefined ? undefined : Quantity.tryParse(v)) ?? Quantity.zero();
}

/** The claim's spec.resources.requests.storage. */
export function requestedStorage(claim: PersistentVolumeClaim): Quantity {
  return storageOf(claim.spec?.resources?.requests);
}

/** The claim's status.capacity.storage. */
export function capacityStorage(claim: PersistentVolumeClaim): Quantity {
  return storageOf(claim.status?.capacity);
}

export class ExpandController {
  /** Claim keys (`namespace/name`). Exposed for tests. */
  readonly queue: WorkQueue<string>;
  readonly #client: Client;
  readonly #recorder: EventRecorder | undefined;
  readonly #claims: SharedIndexInformer<PersistentVolumeClaim>;

  constructor(opts: ExpandControllerOptions) {
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.queue = new WorkQueue<string>({ name: ExpandEventSource, clock: opts.clock ?? realClock });
    this.#claims = opts.informers.informerFor<PersistentVolumeClaim>(Resources.persistentvolumeclaims);
    this.#claims.addEventHandler({
      onAdd: (claim) => this.#enqueue(claim),
      onUpdate: (old, claim) => {
        // Only a larger request (volume to grow) or a larger capacity (resize finished) matters.
        if (
          requestedStorage(claim).cmp(requestedStorage(old)) > 0 ||
          capacityStorage(claim).cmp(capacityStorage(old)) > 0
        ) {
          this.#enqueue(claim);
        }
      },
      onDelete: (claim) => this.#enqueue(claim),
    });
  }

  /** Waits for the claim cache, then runs `workers` workers until the signal aborts. */
  async run(signal: AbortSignal, workers = 1): Promise<void> {
    log.info('Starting controller', { controller: ExpandControllerName });
    try {
      if (!(await this.#claims.waitForSync(signal))) return;
      await runWorkers(this.queue, workers, (key) => this.#sync(key, signal), signal);
    } finally {
      this.queue.shutDown();
      log.info('Shutting down controller', { controller: ExpandControllerName });
    }
  }

  #enqueue(claim: PersistentVolumeClaim): void {
    if (claim.status?.phase === PersistentVolumeClaimPhase.Bound) this.queue.add(metaNamespaceKey(claim));
  }

  async #sync(key: string, signal: AbortSignal): Promise<void> {
    const claim = this.#claims.getByKey(key);
    if (claim === undefined) return;
    const volumeName = claim.spec?.volumeName ?? '';
    if (claim.status?.phase !== PersistentVolumeClaimPhase.Bound || volumeName === '') return;
    let pv: PersistentVolume;
    try {
      // A live read, as upstream: the PV cache may lag behind the claim's binding.
      pv = await this.#client
        .resource<PersistentVolume>(Resources.persistentvolumes)
        .get(volumeName, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const ref = pv.spec?.claimRef;
    if (ref === undefined || ref.namespace !== claim.metadata.namespace || ref.uid !== claim.metadata.uid) {
      throw new Error(`persistent Volume is not bound to PVC being updated : ${key}`);
    }
    if (requestedStorage(claim).cmp(capacityStorage(claim)) <= 0) return;

    const driver = pv.spec?.csi?.driver;
    if (driver !== undefined && claim.metadata.annotations?.[AnnStorageResizer] !== driver) {
      const { namespace, name } = splitMetaNamespaceKey(key);
      await this.#client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, namespace).patch(
        name,
        'application/merge-patch+json',
        { metadata: { annotations: { [AnnStorageResizer]: driver } } },
        {
          signal,
        },
      );
    }
    this.#recorder?.event(claim, EventTypeNormal, ExpandEvents.ExternalExpanding, ExternalExpandingMessage);
    log.info('Waiting for an external controller to expand the PVC', {
      pvcKey: key,
      pvcUID: claim.metadata.uid,
    });
  }
}
