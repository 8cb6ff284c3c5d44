// CSIStorageCapacity publishing (external-provisioner --enable-capacity, central mode): for every
// registered driver whose built-in logic is on, whose CSIDriver says storageCapacity: true and which
// advertises GET_CAPACITY, one object per (topology segment, StorageClass of the driver) in one
// namespace, generateName `csisc-`, labelled `csi.storage.k8s.io/drivername` and
// `csi.storage.k8s.io/managed-by: external-provisioner`, nodeTopology = matchLabels of the segment,
// capacity and maximumVolumeSize from GetCapacity. Segments are the driver's CSINode topology keys
// read off the node labels. Objects no longer wanted (class or segment gone, capability or flag
// dropped) are deleted; the objects of drivers this process does not serve are left alone.
//
// Concurrency: one reconcile per driver at a time (workqueue key = driver name); drivers in
// parallel. Refreshed on StorageClass and CSIDriver changes, on changes of the segments a driver has
// (its CSINode entries and topology keys, the label values of those keys on the nodes), on driver
// registration, and every `pollIntervalMs` (upstream --capacity-poll-interval, 1 min) as a safety net.
import {
  type CSIDriver,
  type CSINode,
  type CSIStorageCapacity,
  deepCopy,
  isNotFound,
  type Node,
  Resources,
  type StorageClass,
} from '../../api/index.ts';
import { type Client, runWorkers, type SharedIndexInformer, WorkQueue } from '../../client/index.ts';
import { type Clock, logger, realClock, type Timer } from '../../component/index.ts';
import { type DriverCapabilityCache, ownCapabilities } from './capabilities.ts';
import { builtinClient, type CsiControllerContext } from './common.ts';
import { CapacityGenerateName, CapacityManagedBy, DriverNameLabel, ManagedByLabel } from './constants.ts';
import { type CsiControllerOptions, DefaultCsiTimeoutMs } from './options.ts';
import { driverSegments, segmentKey } from './topology.ts';
import { bytesToQuantity, quantityBytes } from './util.ts';

/** The capacity publisher's controller, logger and workqueue name. */
export const CapacityQueueName = 'csi-capacity';
const log = logger(CapacityQueueName);
/** The namespace kvol publishes CSIStorageCapacity objects in (upstream: the provisioner's NAMESPACE). */
export const DefaultCapacityNamespace = 'kube-system';
export const DefaultCapacityPollIntervalMs = 60_000;

export interface CsiCapacityControllerOptions extends CsiControllerOptions {
  /** Namespace of the objects; default kube-system. */
  readonly namespace?: string;
  /** Periodic refresh; default 60 s. */
  readonly pollIntervalMs?: number;
}

const itemKey = (segment: Record<string, string>, className: string): string =>
  `${segmentKey(segment)}|${className}`;

export class CsiCapacityController {
  readonly queue: WorkQueue<string>;
  readonly namespace: string;
  readonly #client: Client;
  readonly #csi: CsiControllerContext;
  readonly #clock: Clock;
  readonly #caps: DriverCapabilityCache;
  readonly #capsDone: () => void;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #capacities: SharedIndexInformer<CSIStorageCapacity>;
  readonly #classes: SharedIndexInformer<StorageClass>;
  readonly #csiNodes: SharedIndexInformer<CSINode>;
  readonly #nodes: SharedIndexInformer<Node>;
  readonly #csiDrivers: SharedIndexInformer<CSIDriver>;
  /** Objects created but perhaps not yet in the informer, per driver: item key -> name. */
  readonly #pending = new Map<string, Map<string, string>>();
  readonly #unsubscribe: () => void;
  #timer: Timer | undefined;

  constructor(opts: CsiCapacityControllerOptions) {
    this.#client = opts.client;
    this.#csi = opts.csi;
    this.#clock = opts.clock ?? realClock;
    const caps = ownCapabilities(opts, opts.csi.drivers);
    this.#caps = caps.caps;
    this.#capsDone = caps.done;
    this.#timeoutMs = opts.csiTimeoutMs ?? DefaultCsiTimeoutMs;
    this.#pollMs = opts.pollIntervalMs ?? DefaultCapacityPollIntervalMs;
    this.namespace = opts.namespace ?? DefaultCapacityNamespace;
    this.queue = new WorkQueue<string>({ name: CapacityQueueName, clock: this.#clock });
    const inf = opts.informers;
    this.#capacities = inf.informerFor<CSIStorageCapacity>(Resources.csistoragecapacities, {
      namespace: this.namespace,
      labelSelector: `${ManagedByLabel}=${CapacityManagedBy}`,
    });
    this.#classes = inf.informerFor<StorageClass>(Resources.storageclasses);
    this.#csiNodes = inf.informerFor<CSINode>(Resources.csinodes);
    this.#nodes = inf.informerFor<Node>(Resources.nodes);
    this.#csiDrivers = inf.informerFor<CSIDriver>(Resources.csidrivers);
    this.#classes.addEventHandler({
      onAdd: (sc) => this.queue.add(sc.provisioner),
      onUpdate: (o, sc) => {
        this.queue.add(o.provisioner);
        this.queue.add(sc.provisioner);
      },
      onDelete: (sc) => this.queue.add(sc.provisioner),
    });
    // Only what makes a segment: node heartbeats and other labels would re-poll every segment x class.
    this.#csiNodes.addEventHandler({
      onAdd: (cn) => this.#addDrivers(cn.spec.drivers.map((d) => d.name)),
      onUpdate: (o, cn) => this.#addDrivers(changedCsiNodeDrivers(o, cn)),
      onDelete: (cn) => this.#addDrivers(cn.spec.drivers.map((d) => d.name)),
    });
    this.#nodes.addEventHandler({
      onAdd: (n) => this.#addDrivers(this.#driversOfNode(n, undefined)),
      onUpdate: (o, n) => this.#addDrivers(this.#driversOfNode(n, o)),
      onDelete: (n) => this.#addDrivers(this.#driversOfNode(n, undefined)),
    });
    this.#csiDrivers.addEventHandler({
      onAdd: (d) => this.queue.add(d.metadata.name ?? ''),
      onUpdate: (_o, d) => this.queue.add(d.metadata.name ?? ''),
      onDelete: (d) => this.queue.add(d.metadata.name ?? ''),
    });
    this.#capacities.addEventHandler({
      onAdd: (c) => this.#capacityChanged(c),
      onUpdate: (_o, c) => this.#capacityChanged(c),
      onDelete: (c) => this.#capacityChanged(c),
    });
    this.#unsubscribe = opts.csi.drivers.subscribe((name) => this.queue.add(name));
  }

  async run(signal: AbortSignal, workers = 1): Promise<void> {
    log.info('Starting controller', { controller: CapacityQueueName });
    try {
      const synced = await Promise.all(
        [this.#capacities, this.#classes, this.#csiNodes, this.#nodes, this.#csiDrivers].map((i) =>
          i.waitForSync(signal),
        ),
      );
      if (!synced.every((x) => x)) return;
      this.#enqueueAll();
      this.#schedulePoll(signal);
      await runWorkers(this.queue, workers, (d) => this.#sync(d, signal), signal);
    } finally {
      this.#timer?.cancel();
      this.queue.shutDown();
      this.#unsubscribe();
      this.#capsDone();
      log.info('Shutting down controller', { controller: CapacityQueueName });
    }
  }

  #schedulePoll(signal: AbortSignal): void {
    if (signal.aborted) return;
    this.#timer = this.#clock.setTimer(this.#pollMs, () => {
      this.#enqueueAll();
      this.#schedulePoll(signal);
    });
  }

  #addDrivers(drivers: Iterable<string>): void {
    for (const d of drivers) this.queue.add(d);
  }

  /**
   * The drivers on a node's CSINode whose segment the node change may move: all of them for an added or
   * deleted node, those with a topology key whose label value changed for an update.
   */
  #driversOfNode(node: Node, old: Node | undefined): string[] {
    const cn = this.#csiNodes.getByKey(node.metadata.name ?? '');
    if (cn === undefined) return [];
    const labels = node.metadata.labels ?? {};
    const before = old?.metadata.labels ?? {};
    return cn.spec.drivers
      .filter((d) => old === undefined || (d.topologyKeys ?? []).some((k) => labels[k] !== before[k]))
      .map((d) => d.name);
  }

  #enqueueAll(): void {
    const names = new Set(this.#csi.drivers.names());
    for (const c of this.#capacities.list()) {
      const d = c.metadata.labels?.[DriverNameLabel];
      if (d !== undefined) names.add(d);
    }
    for (const n of names) this.queue.add(n);
  }

  #capacityChanged(c: CSIStorageCapacity): void {
    const d = c.metadata.labels?.[DriverNameLabel];
    if (d === undefined) return;
    const pending = this.#pending.get(d);
    if (pending !== undefined) {
      for (const [k, name] of pending) if (name === c.metadata.name) pending.delete(k);
    }
    this.queue.add(d);
  }

  async #sync(driver: string, signal: AbortSignal): Promise<void> {
    if (driver === '') return;
    const client = builtinClient(this.#csi, driver);
    if (client === undefined) return; // not ours to publish (or to clean up)
    const existing = this.#capacities
      .list()
      .filter(
        (c) => c.metadata.labels?.[DriverNameLabel] === driver && c.metadata.namespace === this.namespace,
      );
    const wanted = new Map<string, { segment: Record<string, string>; sc: StorageClass }>();
    const csiDriver = this.#csi.csiDriver(driver);
    if (csiDriver?.spec.storageCapacity === true) {
      const caps = await this.#caps.get(driver, client, signal);
      if (caps.controller.has('GET_CAPACITY')) {
        const classes = this.#classes.list().filter((sc) => sc.provisioner === driver);
        for (const segment of driverSegments(driver, this.#csiNodes.list(), this.#nodes.list())) {
          for (const sc of classes) wanted.set(itemKey(segment, sc.metadata.name ?? ''), { segment, sc });
        }
      }
    }
    const pending = this.#pending.get(driver) ?? new Map<string, string>();
    this.#pending.set(driver, pending);
    const byKey = new Map<string, CSIStorageCapacity>();
    const capacities = this.#client.resource<CSIStorageCapacity>(
      Resources.csistoragecapacities,
      this.namespace,
    );
    for (const c of existing) {
      const k = itemKey(c.nodeTopology?.matchLabels ?? {}, c.storageClassName);
      if (!wanted.has(k) || byKey.has(k) || (c.nodeTopology?.matchExpressions?.length ?? 0) > 0) {
        // Obsolete, or a duplicate of one we keep.
        await deleteIgnoringNotFound(capacities, c.metadata.name ?? '', signal);
        continue;
      }
      byKey.set(k, c);
      pending.delete(k);
    }
    for (const [k, { segment, sc }] of wanted) {
      const res = await client.getCapacity(
        {
          parameters: { ...(sc.parameters ?? {}) },
          // Capacity is assumed to be independent of the capabilities; the spec wants some.
          volume_capabilities: [{ mount: {}, access_mode: { mode: 'UNKNOWN' } }],
          accessible_topology: { segments: segment },
        },
        { signal, timeoutMs: this.#timeoutMs },
      );
      const capacity = bytesToQuantity(res.available_capacity || '0');
      const max =
        res.maximum_volume_size !== null && res.maximum_volume_size !== undefined
          ? bytesToQuantity(res.maximum_volume_size.value || '0')
          : undefined;
      const cur = byKey.get(k);
      if (cur === undefined) {
        if (pending.has(k)) continue; // created a moment ago; the informer has not shown it yet
        const created = await capacities.create(
          {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'CSIStorageCapacity',
            metadata: {
              generateName: CapacityGenerateName,
              namespace: this.namespace,
              labels: { [DriverNameLabel]: driver, [ManagedByLabel]: CapacityManagedBy },
            },
            storageClassName: sc.metadata.name ?? '',
            nodeTopology: { matchLabels: { ...segment } },
            capacity,
            ...(max !== undefined ? { maximumVolumeSize: max } : {}),
          },
          { signal },
        );
        pending.set(k, created.metadata.name ?? '');
        log.v(5, 'Created CSIStorageCapacity', { name: created.metadata.name, driver, capacity });
      } else if (
        quantityBytes(cur.capacity) !== quantityBytes(capacity) ||
        (cur.maximumVolumeSize === undefined) !== (max === undefined) ||
        quantityBytes(cur.maximumVolumeSize) !== quantityBytes(max)
      ) {
        const next = deepCopy(cur);
        next.capacity = capacity;
        if (max !== undefined) next.maximumVolumeSize = max;
        else delete next.maximumVolumeSize;
        await capacities.update(next, { signal });
        log.v(5, 'Updated CSIStorageCapacity', { name: cur.metadata.name, driver, capacity });
      }
    }
    for (const k of [...pending.keys()]) if (!wanted.has(k)) pending.delete(k);
  }
}

/** The drivers added to, removed from, or with other topology keys in a CSINode. */
function changedCsiNodeDrivers(old: CSINode, cur: CSINode): string[] {
  const keys = (cn: CSINode): Map<string, string> =>
    new Map(cn.spec.drivers.map((d) => [d.name, JSON.stringify(d.topologyKeys ?? [])]));
  const a = keys(old);
  const b = keys(cur);
  const out: string[] = [];
  for (const [name, k] of a) if (b.get(name) !== k) out.push(name);
  for (const name of b.keys()) if (!a.has(name)) out.push(name);
  return out;
}

async function deleteIgnoringNotFound(
  capacities: ReturnType<Client['resource']>,
  name: string,
  signal: AbortSignal,
): Promise<void> {
  try {
    await capacities.delete(name, { signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
