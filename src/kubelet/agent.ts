// The node agent (the kubelet's storage side): registers its Node, renews its Lease, watches the pods
// bound to its node, runs the volume manager, and drives each pod's status — Pending while its volumes
// are set up (FailedMount events while that fails), Running once every volume is mounted and the
// container runtime says its containers run — and, on deletion, tears the volumes down and only then
// deletes the pod object (grace period 0), as the kubelet's status manager does.
//
// FlexVolume drivers are found at run time under the volume plugin dir (`<rootDir>/volume-plugins` by
// default); installing a driver retries at once the pods that waited for it. While kvol has no
// attach/detach controller the agent attaches and detaches attachable volumes itself (upstream's
// kubelet-managed attach, `--enable-controller-attach-detach=false`): the Node then carries no
// `volumes.kubernetes.io/controller-managed-attach-detach` annotation.
//
// CSI: the agent registers the `kubernetes.io/csi` plugin over its CSIDriverRegistry (filled by the
// plugin registration handler); a driver that registers or goes retries at once the volumes and pods
// that waited for it.
//
// Disk-backed emptyDir volumes with a sizeLimit are measured every eviction monitoring period (10 s);
// a pod over a limit is evicted as the kubelet's eviction manager does (see eviction.ts).
//
// Concurrency: one sync per pod at a time (a pod worker per pod, as upstream's podWorkers); a newer
// event for a pod that is waiting for its volumes aborts the wait when the pod starts terminating.

import { join } from 'node:path';
import {
  formatMicroTime,
  isAlreadyExists,
  isConflict,
  isNotFound,
  type KubeObject,
  type Lease,
  type Node,
  type Pod,
  type PodStatus,
  Resources,
} from '../api/index.ts';
import {
  type Client,
  type EventRecorder,
  EventTypeNormal,
  EventTypeWarning,
  metaNamespaceKey,
  Recorder,
  SharedIndexInformer,
} from '../client/index.ts';
import { type Clock, logger, realClock, type Timer } from '../component/index.ts';
import { CSIDriverRegistry } from '../csi/index.ts';
import {
  CSIPlugin,
  csiPluginName,
  FlexVolumeProber,
  type FlexVolumeProberOptions,
  type MountInterface,
  measureUsage,
  type VolumePlugin,
} from '../volume/index.ts';
import {
  ControllerManagedAttachAnnotation,
  defaultLeaseRenewIntervalMs,
  defaultNodeStatusReportFrequencyMs,
  defaultNodeStatusUpdateFrequencyMs,
  defaultPodWorkerBackoffMs,
  FailedMountVolume,
  kubeletComponent,
  NodeLeaseNamespace,
  NodeReady,
  nodeLeaseDurationSeconds,
  Starting,
} from './constants.ts';
import { CSIRegistrationHandler } from './csiregistration.ts';
import {
  defaultEvictionMonitoringPeriodMs,
  EvictedReason,
  emptyDirLimitViolation,
  isCriticalPod,
  sizeLimitedEmptyDirs,
} from './eviction.ts';
import {
  desiredNodeStatus,
  initialNode,
  type MachineInfo,
  machineStatus,
  nodeStatusChanged,
  readMachineInfo,
  stableJSON,
} from './nodestatus.ts';
import { PluginManager, PluginType } from './pluginmanager/index.ts';
import { failedPodStatus, pendingPodStatus, runningPodStatus } from './podstatus.ts';
import { type ContainerRuntime, NoopContainerRuntime } from './runtime.ts';
import { isPodTerminal, isVolumeWaitError, uniquePodName, VolumeManager } from './volumemanager/index.ts';

const log = logger('kubelet');

export interface NodeAgentOptions {
  client: Client;
  nodeName: string;
  /** The kubelet root dir (pods/, plugins/ ...). */
  rootDir: string;
  plugins: readonly VolumePlugin[];
  mounter: MountInterface;
  clock?: Clock;
  /** Default: a Recorder writing Events with source component `kubelet`, host nodeName. */
  recorder?: EventRecorder;
  /** Default: NoopContainerRuntime (kvol runs no containers yet). */
  runtime?: ContainerRuntime;
  /** Default: read from this machine. */
  machineInfo?: MachineInfo;
  /** Lease renewal; default 10 s. */
  leaseRenewIntervalMs?: number;
  /** Node status computation; default 10 s. */
  nodeStatusUpdateFrequencyMs?: number;
  /** Unchanged node status is still written this often; default 5 min. */
  nodeStatusReportFrequencyMs?: number;
  /** Retry of a pod whose sync failed; default 10 s. */
  podWorkerBackoffMs?: number;
  /** waitForAttachAndMount / waitForUnmount timeout; default 2 m 3 s. */
  volumeWaitTimeoutMs?: number;
  /** Volume manager safety-net period; default 60 s. */
  volumeSyncPeriodMs?: number;
  /** FlexVolume drivers (`<vendor>~<driver>/<driver>`); default `<rootDir>/volume-plugins`. */
  volumePluginDir?: string;
  /** Timeout of each FlexVolume driver call; default the plugin's (2 min). */
  flexVolumeCallTimeoutMs?: number;
  /** SIGTERM-to-SIGKILL grace of a timed-out driver; default the plugin's (10 s). */
  flexVolumeKillGraceMs?: number;
  /**
   * An attach/detach controller attaches this node's volumes (default true, upstream's default);
   * false: the agent attaches and detaches them and the node is not annotated as controller-managed.
   */
  enableControllerAttachDetach?: boolean;
  /** How often emptyDir sizeLimits are checked; default 10 s; 0 turns the check off. */
  evictionMonitoringPeriodMs?: number;
  /** Bytes used under a directory; default measureUsage (du). */
  measureVolumeUsage?: (path: string) => Promise<number>;
  /**
   * Watch `<rootDir>/plugins_registry` and register CSI drivers announced there (default true);
   * false: no plugin manager runs.
   */
  enablePluginRegistration?: boolean;
  /** The registry CSI drivers are recorded in; default a new one (see NodeAgent.csiDrivers). */
  csiDrivers?: CSIDriverRegistry;
}

interface PodWorker {
  running: boolean;
  dirty: boolean;
  abort: AbortController | undefined;
  retry: Timer | undefined;
}

function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Pod changes the agent acts on: spec, labels, annotations, deletion (not its own status writes). */
function podSyncRelevant(oldPod: Pod, newPod: Pod): boolean {
  const pick = (p: Pod): unknown => ({
    spec: p.spec,
    labels: p.metadata.labels,
    annotations: p.metadata.annotations,
    deletionTimestamp: p.metadata.deletionTimestamp,
    phase: isPodTerminal(p),
  });
  return stableJSON(pick(oldPod)) !== stableJSON(pick(newPod));
}

/** The pod informer's index by metadata.uid. */
const podUIDIndex = 'uid';

export class NodeAgent {
  readonly volumeManager: VolumeManager;
  readonly flexVolumeProber: FlexVolumeProber;
  /** CSI drivers registered on this node through the plugin manager. */
  readonly csiDrivers: CSIDriverRegistry;
  /** Undefined when enablePluginRegistration is false. */
  readonly pluginManager: PluginManager | undefined;
  /** Stops listening to the CSI driver registry. */
  #unsubscribeDrivers: (() => void) | undefined;
  /** The kubernetes.io/csi plugin this agent made (closed on shutdown), if it made one. */
  readonly #csiPlugin: CSIPlugin | undefined;
  readonly #csiRegistration: CSIRegistrationHandler;
  readonly #o: NodeAgentOptions;
  /** Pods this agent evicted, by UID, with the message; they are stopped like terminal pods. */
  readonly #evicted = new Map<string, string>();
  readonly #clock: Clock;
  readonly #recorder: EventRecorder;
  readonly #ownRecorder: Recorder | undefined;
  readonly #runtime: ContainerRuntime;
  readonly #machine: MachineInfo;
  readonly #pods: SharedIndexInformer<Pod>;
  readonly #workers = new Map<string, PodWorker>();
  #node: Node | undefined;
  #lastStatusReport = 0;
  #statusUpdating: Promise<void> | undefined;
  #statusAgain = false;
  #signal: AbortSignal | undefined;

  constructor(opts: NodeAgentOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
    if (opts.recorder === undefined) {
      this.#ownRecorder = new Recorder({
        client: opts.client,
        source: { component: kubeletComponent, host: opts.nodeName },
        clock: this.#clock,
      });
      this.#recorder = this.#ownRecorder;
    } else {
      this.#recorder = opts.recorder;
    }
    this.#runtime = opts.runtime ?? new NoopContainerRuntime(this.#clock);
    this.#machine = opts.machineInfo ?? readMachineInfo(opts.rootDir);
    this.#pods = new SharedIndexInformer<Pod>(opts.client.resource<Pod>(Resources.pods), {
      fieldSelector: `spec.nodeName=${opts.nodeName}`,
      clock: this.#clock,
      name: 'kubelet-pods',
      indexers: { [podUIDIndex]: (p) => (p.metadata.uid === undefined ? [] : [p.metadata.uid]) },
    });
    const terminating = (uid: string): boolean => {
      const pod = this.#podByUID(uid);
      return (
        pod === undefined ||
        pod.metadata.deletionTimestamp != null ||
        isPodTerminal(pod) ||
        this.#evicted.has(uid)
      );
    };
    const flexOpts: FlexVolumeProberOptions = {
      pluginDir: opts.volumePluginDir ?? join(opts.rootDir, 'volume-plugins'),
      ...(opts.flexVolumeCallTimeoutMs === undefined ? {} : { callTimeoutMs: opts.flexVolumeCallTimeoutMs }),
      ...(opts.flexVolumeKillGraceMs === undefined ? {} : { killGraceMs: opts.flexVolumeKillGraceMs }),
    };
    this.flexVolumeProber = new FlexVolumeProber(flexOpts);
    this.csiDrivers = opts.csiDrivers ?? new CSIDriverRegistry();
    this.#csiRegistration = new CSIRegistrationHandler({
      client: opts.client,
      nodeName: opts.nodeName,
      drivers: this.csiDrivers,
    });
    if (opts.enablePluginRegistration ?? true) {
      this.pluginManager = new PluginManager({ root: opts.rootDir, clock: this.#clock });
      this.pluginManager.addHandler(PluginType.csi, this.#csiRegistration);
    } else {
      this.pluginManager = undefined;
    }
    // The caller may bring its own kubernetes.io/csi plugin (tests); otherwise one over csiDrivers.
    this.#csiPlugin = opts.plugins.some((p) => p.name === csiPluginName)
      ? undefined
      : new CSIPlugin({ drivers: this.csiDrivers });
    const plugins = this.#csiPlugin === undefined ? opts.plugins : [...opts.plugins, this.#csiPlugin];
    this.volumeManager = new VolumeManager({
      client: opts.client,
      nodeName: opts.nodeName,
      rootDir: opts.rootDir,
      plugins,
      mounter: opts.mounter,
      recorder: this.#recorder,
      clock: this.#clock,
      nodeAllocatableMemory: Math.max(0, this.#machine.memoryBytes - 100 * 1024 * 1024),
      podManager: {
        getPods: () => this.#pods.list(),
        getPodByUID: (uid) => this.#podByUID(uid),
      },
      podStateProvider: {
        shouldPodContainersBeTerminating: terminating,
        shouldPodRuntimeBeRemoved: (uid) => terminating(uid) && !this.#runtime.podHasRunningContainers(uid),
      },
      onVolumesInUseChanged: () => this.#requestNodeStatusUpdate(),
      pluginProber: this.flexVolumeProber,
      onPluginsChanged: () => this.#retryWaitingPods(),
      controllerAttachDetachEnabled: opts.enableControllerAttachDetach ?? true,
      ...(opts.volumeWaitTimeoutMs === undefined ? {} : { waitTimeoutMs: opts.volumeWaitTimeoutMs }),
      ...(opts.volumeSyncPeriodMs === undefined ? {} : { syncPeriodMs: opts.volumeSyncPeriodMs }),
    });
  }

  /**
   * Registers the node, then runs the lease, the node status loop, the pod informer, the volume
   * manager and the pod workers until the signal aborts.
   */
  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    await this.#registerNode(signal);
    const timers: Timer[] = [];
    const every = (ms: number, fn: () => Promise<void>): void => {
      const tick = (): void => {
        void fn()
          .catch((err: unknown) => {
            if (!signal.aborted) log.warn('periodic task failed', { err: errMsg(err) });
          })
          .finally(() => {
            if (!signal.aborted) timers.push(this.#clock.setTimer(ms, tick));
          });
      };
      tick();
    };
    every(this.#o.leaseRenewIntervalMs ?? defaultLeaseRenewIntervalMs, () => this.renewLease());
    every(this.#o.nodeStatusUpdateFrequencyMs ?? defaultNodeStatusUpdateFrequencyMs, () =>
      this.updateNodeStatus(),
    );
    const evictionPeriod = this.#o.evictionMonitoringPeriodMs ?? defaultEvictionMonitoringPeriodMs;
    if (evictionPeriod > 0) every(evictionPeriod, () => this.synchronizeEviction());
    // A driver installed, replaced or removed: probe again and retry the pods that failed.
    this.flexVolumeProber.watch(() => this.volumeManager.pluginsChanged());
    // A CSI driver registered or went: its volumes' operations and the pods waiting for them retry now.
    this.#unsubscribeDrivers = this.csiDrivers.subscribe(() => {
      this.volumeManager.pluginsChanged(csiPluginName);
      this.#retryWaitingPods();
    });
    // After node registration: the CSINode a driver registration creates is owned by the Node.
    try {
      await this.pluginManager?.start();
    } catch (err) {
      log.error('failed to start the plugin manager', err, { root: this.#o.rootDir });
    }
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#podEvent(pod),
      onUpdate: (oldPod, newPod) => {
        if (podSyncRelevant(oldPod, newPod)) this.#podEvent(newPod);
      },
      onDelete: (pod) => this.#podEvent(pod),
    });
    this.#pods.start(signal);
    if (!(await this.#pods.waitForSync(signal))) {
      await this.pluginManager?.stop();
      return;
    }
    const vm = this.volumeManager.run(signal);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    for (const t of timers) t.cancel();
    this.flexVolumeProber.close();
    this.#unsubscribeDrivers?.();
    await this.pluginManager?.stop();
    await this.#csiRegistration.settled();
    for (const w of this.#workers.values()) {
      w.retry?.cancel();
      w.abort?.abort();
    }
    await vm;
    this.#csiPlugin?.close();
    this.#pods.stop();
    await this.#pods.stopped();
    this.#ownRecorder?.shutdown();
  }

  /** The cached pod with this UID (an index lookup: called per volume in every volume manager pass). */
  #podByUID(uid: string): Pod | undefined {
    return this.#pods.byIndex(podUIDIndex, uid)[0];
  }

  // ---- node registration, lease and status -------------------------------------------------------

  async #registerNode(signal: AbortSignal): Promise<void> {
    const nodes = this.#o.client.resource<Node>(Resources.nodes);
    const controllerManaged = this.#o.enableControllerAttachDetach ?? true;
    const want = initialNode(this.#o.nodeName, this.#machine, controllerManaged);
    for (let attempt = 0; ; attempt++) {
      try {
        let node: Node;
        try {
          node = await nodes.create(want, { signal });
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          node = await nodes.get(this.#o.nodeName, { signal });
          const labels = { ...node.metadata.labels, ...want.metadata.labels };
          const annotations: Record<string, string> = {
            ...node.metadata.annotations,
            ...want.metadata.annotations,
          };
          // Upstream reconcileCMADAnnotationWithExistingNode: the annotation goes when the kubelet
          // attaches and detaches itself.
          if (!controllerManaged) delete annotations[ControllerManagedAttachAnnotation];
          if (
            stableJSON(labels) !== stableJSON(node.metadata.labels) ||
            stableJSON(annotations) !== stableJSON(node.metadata.annotations)
          ) {
            node = await nodes.update(
              { ...node, metadata: { ...node.metadata, labels, annotations } },
              { signal },
            );
          }
        }
        this.#node = node;
        this.#recorder.event(this.#nodeRef(), EventTypeNormal, Starting, 'Starting kubelet.');
        log.info('Successfully registered node', { node: this.#o.nodeName });
        return;
      } catch (err) {
        if (signal.aborted) throw err;
        log.warn('Unable to register node with API server', { node: this.#o.nodeName, err: errMsg(err) });
        await this.#clock.sleep(Math.min(7000, 100 * 2 ** attempt), signal);
      }
    }
  }

  #nodeRef(): KubeObject {
    return { apiVersion: 'v1', kind: 'Node', metadata: { name: this.#o.nodeName, uid: this.#o.nodeName } };
  }

  /** Creates or renews `kube-node-lease/<node>` (renewTime now, 40 s duration, owned by the Node). */
  async renewLease(): Promise<void> {
    const leases = this.#o.client.resource<Lease>(Resources.leases, NodeLeaseNamespace);
    const now = formatMicroTime(this.#clock.now());
    try {
      const lease = await leases.get(this.#o.nodeName);
      await leases.update({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: this.#o.nodeName,
          leaseDurationSeconds: nodeLeaseDurationSeconds,
          renewTime: now,
        },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.#o.nodeName, namespace: NodeLeaseNamespace },
        spec: {
          holderIdentity: this.#o.nodeName,
          leaseDurationSeconds: nodeLeaseDurationSeconds,
          renewTime: now,
        },
      };
      const uid = this.#node?.metadata.uid;
      if (uid !== undefined) {
        lease.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: this.#o.nodeName, uid }];
      }
      await leases.create(lease);
    }
  }

  #requestNodeStatusUpdate(): void {
    void this.updateNodeStatus().catch((err: unknown) =>
      log.warn('node status update failed', { err: errMsg(err) }),
    );
  }

  /**
   * Writes node status when it changed (volumesInUse, conditions, machine facts) or when the report
   * period passed; then tells the volume manager which volumes were reported in use. Coalesced.
   */
  async updateNodeStatus(): Promise<void> {
    if (this.#statusUpdating !== undefined) {
      this.#statusAgain = true;
      return this.#statusUpdating;
    }
    this.#statusUpdating = (async () => {
      try {
        do {
          this.#statusAgain = false;
          await this.#updateNodeStatusOnce();
        } while (this.#statusAgain);
      } finally {
        this.#statusUpdating = undefined;
      }
    })();
    return this.#statusUpdating;
  }

  async #updateNodeStatusOnce(): Promise<void> {
    const nodes = this.#o.client.resource<Node>(Resources.nodes);
    const machine = machineStatus(this.#o.nodeName, this.#machine);
    for (let attempt = 0; attempt < 5; attempt++) {
      const node = await nodes.get(this.#o.nodeName);
      const inUse = this.volumeManager.getVolumesInUse();
      const now = this.#clock.now();
      const status = desiredNodeStatus(node.status, machine, inUse, now);
      const period = this.#o.nodeStatusReportFrequencyMs ?? defaultNodeStatusReportFrequencyMs;
      if (!nodeStatusChanged(node.status, status) && now - this.#lastStatusReport < period) {
        this.volumeManager.markVolumesAsReportedInUse(node.status?.volumesInUse ?? []);
        return;
      }
      const wasReady = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      try {
        const updated = await nodes.updateStatus({ ...node, status });
        this.#node = updated;
        this.#lastStatusReport = now;
        if (!wasReady)
          this.#recorder.event(
            this.#nodeRef(),
            EventTypeNormal,
            NodeReady,
            `Node ${this.#o.nodeName} status is now: NodeReady`,
          );
        this.volumeManager.markVolumesAsReportedInUse(updated.status?.volumesInUse ?? []);
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }

  // ---- pods ---------------------------------------------------------------------------------------

  #podEvent(pod: Pod): void {
    const uid = uniquePodName(pod);
    this.volumeManager.podsChanged(uid);
    const w = this.#workers.get(uid);
    const stillThere = this.#podByUID(uid) !== undefined;
    if (w?.running === true && (pod.metadata.deletionTimestamp != null || !stillThere)) w.abort?.abort();
    this.#schedule(uid, metaNamespaceKey(pod));
  }

  #schedule(uid: string, key: string): void {
    let w = this.#workers.get(uid);
    if (w === undefined) {
      w = { running: false, dirty: false, abort: undefined, retry: undefined };
      this.#workers.set(uid, w);
    }
    w.retry?.cancel();
    w.retry = undefined;
    if (w.running) {
      w.dirty = true;
      return;
    }
    w.running = true;
    const worker = w;
    void (async () => {
      let failed = false;
      do {
        worker.dirty = false;
        worker.abort = new AbortController();
        try {
          failed = !(await this.#syncPod(uid, key, worker.abort.signal));
        } catch (err) {
          failed = true;
          log.warn('pod sync failed', { pod: key, err: errMsg(err) });
        }
      } while (worker.dirty && this.#signal?.aborted !== true);
      worker.running = false;
      worker.abort = undefined;
      if (this.#podByUID(uid) === undefined && !failed) {
        this.#workers.delete(uid);
        this.#evicted.delete(uid);
        return;
      }
      if (failed && this.#signal?.aborted !== true) {
        worker.retry = this.#clock.setTimer(this.#o.podWorkerBackoffMs ?? defaultPodWorkerBackoffMs, () => {
          worker.retry = undefined;
          this.#schedule(uid, key);
        });
      }
    })();
  }

  /** One sync of one pod. Returns false when it should be retried after the backoff. */
  async #syncPod(uid: string, key: string, signal: AbortSignal): Promise<boolean> {
    const pod = this.#pods.getByKey(key);
    if (pod === undefined || pod.metadata.uid !== uid) {
      // Gone from the API: make sure its containers are stopped; the volume manager unmounts.
      const last: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { uid } };
      await this.#runtime.killPod(last);
      this.volumeManager.podsChanged(uid);
      return true;
    }
    const hostIP = this.#machine.internalIP;
    const evicted = this.#evicted.get(uid);
    if (evicted !== undefined && !isPodTerminal(pod)) {
      // Upstream killPodFunc: stop the containers, then the status says Failed/Evicted.
      await this.#runtime.killPod(pod);
      await this.#writeStatus(pod, failedPodStatus(pod, hostIP, EvictedReason, evicted, this.#clock.now()));
    }
    if (pod.metadata.deletionTimestamp != null || isPodTerminal(pod) || evicted !== undefined) {
      return this.#syncTerminatingPod(pod);
    }
    // The Pending status goes out while the volumes are set up (upstream's status manager writes
    // asynchronously too); the Running status waits for it so the two never arrive out of order.
    const pendingWrite =
      pod.status?.startTime == null
        ? this.#writeStatus(pod, pendingPodStatus(pod, hostIP, this.#clock.now())).catch((err: unknown) => {
            log.warn('Failed to write the pod Pending status', { pod: key, err: errMsg(err) });
          })
        : Promise.resolve();
    try {
      await this.volumeManager.waitForAttachAndMount(pod, signal);
      await pendingWrite;
    } catch (err) {
      await pendingWrite;
      if (signal.aborted) return true;
      if (isVolumeWaitError(err)) {
        this.#recorder.event(
          pod,
          EventTypeWarning,
          FailedMountVolume,
          `Unable to attach or mount volumes: ${err.message}`,
        );
        log.warn('Unable to attach or mount volumes for pod; skipping pod', { pod: key, err: err.message });
        return false;
      }
      throw err;
    }
    const containers = await this.#runtime.syncPod(pod, this.volumeManager.getMountedVolumesForPod(uid));
    const current = this.#pods.getByKey(key) ?? pod;
    await this.#writeStatus(current, runningPodStatus(current, hostIP, containers, this.#clock.now()));
    return true;
  }

  async #syncTerminatingPod(pod: Pod): Promise<boolean> {
    await this.#runtime.killPod(pod);
    this.volumeManager.podsChanged(uniquePodName(pod));
    try {
      await this.volumeManager.waitForUnmount(pod, this.#signal);
    } catch (err) {
      log.warn('pod volumes not yet unmounted', { pod: metaNamespaceKey(pod), err: errMsg(err) });
      return false;
    }
    if (pod.metadata.deletionTimestamp == null) return true;
    try {
      await this.#o.client
        .resource<Pod>(Resources.pods, pod.metadata.namespace)
        .delete(pod.metadata.name ?? '', {
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid ?? '' },
        });
      log.v(2, 'Pod fully terminated and removed from etcd', { pod: metaNamespaceKey(pod) });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
    return true;
  }

  /** Pods whose sync failed and waits for its backoff are synced now (a volume plugin appeared). */
  #retryWaitingPods(): void {
    for (const [uid, w] of this.#workers) {
      if (w.retry === undefined || w.running) continue;
      const pod = this.#podByUID(uid);
      if (pod !== undefined) this.#schedule(uid, metaNamespaceKey(pod));
    }
  }

  /**
   * One eviction monitoring pass (upstream localStorageEviction, emptyDir part): measures the mounted
   * disk-backed emptyDir volumes with a sizeLimit and evicts the pods over a limit.
   */
  async synchronizeEviction(): Promise<void> {
    const measure = this.#o.measureVolumeUsage ?? (async (p: string) => (await measureUsage(p)).bytes);
    for (const pod of this.#pods.list()) {
      const uid = uniquePodName(pod);
      if (this.#evicted.has(uid) || pod.metadata.deletionTimestamp != null || isPodTerminal(pod)) continue;
      if (sizeLimitedEmptyDirs(pod).size === 0) continue;
      const message = await emptyDirLimitViolation(
        pod,
        this.volumeManager.getMountedVolumesForPod(uid),
        measure,
      );
      if (message !== undefined) this.#evictPod(pod, message);
    }
  }

  /** Upstream evictPod: never a critical pod; the event first, then the pod is stopped as Failed. */
  #evictPod(pod: Pod, message: string): void {
    const key = metaNamespaceKey(pod);
    if (isCriticalPod(pod)) {
      log.error('Eviction manager: cannot evict a critical pod', undefined, { pod: key });
      return;
    }
    const uid = uniquePodName(pod);
    this.#recorder.event(pod, EventTypeWarning, EvictedReason, message);
    log.info('Evicting pod', { pod: key, podUID: uid, message });
    this.#evicted.set(uid, message);
    this.volumeManager.podsChanged(uid);
    this.#workers.get(uid)?.abort?.abort();
    this.#schedule(uid, key);
  }

  async #writeStatus(pod: Pod, status: PodStatus): Promise<void> {
    if (stableJSON(pod.status) === stableJSON(status)) return;
    const pods = this.#o.client.resource<Pod>(Resources.pods, pod.metadata.namespace);
    let cur = pod;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await pods.updateStatus({ ...cur, status });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        cur = await pods.get(pod.metadata.name ?? '');
        if (cur.metadata.uid !== pod.metadata.uid) return;
      }
    }
  }
}
