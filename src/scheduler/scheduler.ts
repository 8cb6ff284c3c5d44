// The scheduler: places pods that have no spec.nodeName and name `default-scheduler` (or no scheduler)
// on a node, honouring node readiness and spec.unschedulable, taints and tolerations, nodeSelector and
// required node affinity, CSI per-node volume limits and volume binding (WaitForFirstConsumer, static
// PVs, provisioning topology and capacity), then spreads pods by choosing the node with the fewest pods
// (ties: the first node by name). The framework is upstream's, reduced to the plugins kvol needs:
// PreFilter → Filter (per node, first failure wins) → Score → Reserve → PreBind → Bind, and on failure
// FailedScheduling with the FitError message and PodScheduled=False.
//
// Queueing (upstream's scheduling queue in small): a pod that did not fit waits in the unschedulable set
// until a node, PV, PVC, StorageClass, CSINode, CSIDriver or CSIStorageCapacity changes (or a pod using
// volumes leaves a node), then returns after its backoff (1 s doubling to 10 s per failed attempt); a
// pod that failed with an error goes straight to backoff. Every unschedulable pod is also retried after
// 5 minutes as a safety net.
//
// Concurrency: one scheduling cycle at a time (one worker), so two pods never see the same free PV;
// binding cycles (PreBind waits for the PV controller, then Bind) run concurrently in the background.
import {
  type CSIDriver,
  type CSINode,
  type CSIStorageCapacity,
  isNotFound,
  type KubeObject,
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  Resources,
  type StorageClass,
} from '../api/index.ts';
import {
  type Client,
  type EventRecorder,
  metaNamespaceKey,
  runWorkers,
  type SharedIndexInformer,
  type SharedInformerFactory,
  WorkQueue,
} from '../client/index.ts';
import { type Clock, logger, realClock } from '../component/index.ts';
import { AssumeCache } from './assumecache.ts';
import { DefaultPodBinder, type PodBinder, withPodCondition } from './binder.ts';
import {
  DefaultSchedulerName,
  ErrNoNodesAvailable,
  ErrReasonNodeAffinity,
  ErrReasonUnschedulable,
  EventReasonFailedScheduling,
  EventReasonScheduled,
  PluginDefaultBinder,
  PluginNodeVolumeLimits,
  PluginVolumeBinding,
  PodReasonSchedulerError,
  PodReasonUnschedulable,
  PodScheduledCondition,
  TaintNodeUnschedulable,
} from './constants.ts';
import { AttemptResult, schedulerMetrics } from './metrics.ts';
import {
  effectiveTaints,
  findUntoleratedTaint,
  podMatchesNodeSelectorAndAffinity,
  tolerationsTolerateTaint,
} from './nodes.ts';
import {
  type Diagnosis,
  fitErrorMessage,
  isRejected,
  preemptionMessage,
  type Status,
  statusMessage,
  success,
  unresolvable,
} from './status.ts';
import { VolumeBinding, type VolumeBindingState } from './volumebinding.ts';
import { NodeVolumeLimits } from './volumelimits.ts';

const log = logger('scheduler');

export interface SchedulerOptions {
  client: Client;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock?: Clock;
  /** How long PreBind waits for the PV controller to bind a pod's claims; default 600 s (bindTimeoutSeconds). */
  bindTimeoutMs?: number;
  /** How a pod is bound to its node; default DefaultPodBinder (see binder.ts). */
  binder?: PodBinder;
  /** Backoff of a pod after its first failed attempt; default 1 s (podInitialBackoffSeconds). */
  podInitialBackoffMs?: number;
  /** Backoff cap; default 10 s (podMaxBackoffSeconds). */
  podMaxBackoffMs?: number;
  /** An unschedulable pod is retried after this long even without a relevant change; default 5 min. */
  unschedulableFlushMs?: number;
  /** The profile name; pods naming another scheduler are left alone. Default `default-scheduler`. */
  schedulerName?: string;
}

/** A pod assumed on a node: binding in progress, or bound and not yet seen bound by the informer. */
interface Assumed {
  node: string;
  pod: Pod;
}

const maxEventMessage = 1024;

/** truncateMessage: events carry at most 1024 characters. */
function truncate(msg: string): string {
  if (msg.length <= maxEventMessage) return msg;
  const suffix = ' ...';
  return msg.slice(0, maxEventMessage - suffix.length) + suffix;
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** What about a node can change whether a pod fits (queueing-hint style filter for node updates). */
function nodeSchedulingView(n: Node): string {
  const ready = (n.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status ?? '';
  return JSON.stringify([
    n.metadata.labels ?? {},
    n.spec?.taints ?? [],
    n.spec?.unschedulable ?? false,
    ready,
  ]);
}

/** What about a pending pod can change whether it fits: anything but its status. */
function podSchedulingView(p: Pod): string {
  return JSON.stringify([p.spec ?? {}, p.metadata.labels ?? {}, p.metadata.annotations ?? {}]);
}

export class Scheduler {
  readonly #client: Client;
  readonly #informers: SharedInformerFactory;
  readonly #recorder: EventRecorder;
  readonly #clock: Clock;
  readonly #binder: PodBinder;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #flushMs: number;
  readonly #name: string;
  readonly #metrics = schedulerMetrics();

  readonly #pods: SharedIndexInformer<Pod>;
  readonly #nodes: SharedIndexInformer<Node>;
  readonly #volumeBinding: VolumeBinding;
  readonly #volumeLimits: NodeVolumeLimits;

  readonly #queue: WorkQueue<string>;
  /** Pods waiting for a relevant cluster change. */
  readonly #unschedulable = new Set<string>();
  /** Failed attempts and the time of the last one, per pod, for backoff. */
  readonly #attempts = new Map<string, { count: number; last: number }>();
  readonly #assumed = new Map<string, Assumed>();
  readonly #bindings = new Set<Promise<void>>();
  readonly #changeWaiters = new Set<() => void>();
  #signal: AbortSignal = new AbortController().signal;

  constructor(opts: SchedulerOptions) {
    this.#client = opts.client;
    this.#informers = opts.informers;
    this.#recorder = opts.recorder;
    this.#clock = opts.clock ?? realClock;
    this.#binder = opts.binder ?? new DefaultPodBinder(opts.client);
    this.#initialBackoffMs = opts.podInitialBackoffMs ?? 1000;
    this.#maxBackoffMs = opts.podMaxBackoffMs ?? 10_000;
    this.#flushMs = opts.unschedulableFlushMs ?? 5 * 60_000;
    this.#name = opts.schedulerName ?? DefaultSchedulerName;
    this.#queue = new WorkQueue<string>({ clock: this.#clock });

    const inf = opts.informers;
    this.#pods = inf.informerFor<Pod>(Resources.pods);
    this.#nodes = inf.informerFor<Node>(Resources.nodes);
    const pvs = inf.informerFor<PersistentVolume>(Resources.persistentvolumes);
    const pvcs = inf.informerFor<PersistentVolumeClaim>(Resources.persistentvolumeclaims);
    const classes = inf.informerFor<StorageClass>(Resources.storageclasses);
    const csiNodes = inf.informerFor<CSINode>(Resources.csinodes);
    const csiDrivers = inf.informerFor<CSIDriver>(Resources.csidrivers);
    const capacities = inf.informerFor<CSIStorageCapacity>(Resources.csistoragecapacities);

    const pvCache = new AssumeCache(pvs, 'PersistentVolume');
    const pvcCache = new AssumeCache(pvcs, 'PersistentVolumeClaim');
    this.#volumeBinding = new VolumeBinding({
      client: opts.client,
      clock: this.#clock,
      pvCache,
      pvcCache,
      classes,
      csiDrivers,
      capacities,
      nodes: this.#nodes,
      pods: this.#pods,
      nextChange: (signal) => this.#nextChange(signal),
      bindTimeoutMs: opts.bindTimeoutMs ?? 600_000,
      metrics: this.#metrics,
    });
    this.#volumeLimits = new NodeVolumeLimits({ csiNodes, classes, pvCache, pvcCache });

    this.#pods.addEventHandler({
      onAdd: (p) => this.#podAdded(p),
      onUpdate: (o, n) => this.#podUpdated(o, n),
      onDelete: (p) => this.#podDeleted(p),
    });
    this.#nodes.addEventHandler({
      onAdd: () => this.#clusterChanged(),
      onUpdate: (o, n) => {
        this.#notifyChange();
        if (nodeSchedulingView(o) !== nodeSchedulingView(n)) this.#moveAllToActive();
      },
      onDelete: () => this.#notifyChange(),
    });
    for (const i of [
      pvs,
      pvcs,
      classes,
      csiNodes,
      csiDrivers,
      capacities,
    ] as SharedIndexInformer<KubeObject>[]) {
      i.addEventHandler({
        onAdd: () => this.#clusterChanged(),
        onUpdate: (o, n) => {
          if (o !== n) this.#clusterChanged();
        },
        onDelete: () => this.#notifyChange(),
      });
    }
  }

  /** Runs until the signal aborts: starts the informers it needs, then schedules pods one at a time. */
  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    this.#informers.start(signal);
    if (!(await this.#informers.waitForCacheSync(signal))) return;
    log.info('Scheduler started', { profile: this.#name });
    await runWorkers(this.#queue, 1, (key) => this.#scheduleOne(key), signal);
    await Promise.allSettled([...this.#bindings]);
  }

  // ---- event handlers ------------------------------------------------------------------------------

  #responsible(p: Pod): boolean {
    return (
      (p.spec?.schedulerName ?? DefaultSchedulerName) === this.#name &&
      (p.spec?.nodeName ?? '') === '' &&
      (p.metadata.deletionTimestamp ?? null) === null &&
      !isTerminal(p)
    );
  }

  #podAdded(p: Pod): void {
    this.#notifyChange();
    if (this.#responsible(p)) this.#queue.add(metaNamespaceKey(p));
  }

  #podUpdated(o: Pod, n: Pod): void {
    this.#notifyChange();
    const key = metaNamespaceKey(n);
    if ((n.spec?.nodeName ?? '') !== '') {
      this.#unschedulable.delete(key);
      this.#attempts.delete(key);
      if (this.#assumed.get(key)?.node === n.spec?.nodeName && !this.#isBinding(key))
        this.#assumed.delete(key);
      // A pod finishing on a node frees its volume slots.
      if (isTerminal(n) && !isTerminal(o) && (n.spec?.volumes ?? []).length > 0) this.#moveAllToActive();
      return;
    }
    if (!this.#responsible(n) || this.#assumed.has(key)) return;
    if (podSchedulingView(o) === podSchedulingView(n) && this.#responsible(o)) return;
    this.#unschedulable.delete(key);
    this.#activate(key);
  }

  #podDeleted(p: Pod): void {
    this.#notifyChange();
    const key = metaNamespaceKey(p);
    this.#unschedulable.delete(key);
    this.#attempts.delete(key);
    if (!this.#isBinding(key)) this.#assumed.delete(key);
    if ((p.spec?.nodeName ?? '') !== '' && (p.spec?.volumes ?? []).length > 0) this.#moveAllToActive();
  }

  #clusterChanged(): void {
    this.#notifyChange();
    this.#moveAllToActive();
  }

  readonly #bindingKeys = new Set<string>();

  #isBinding(key: string): boolean {
    return this.#bindingKeys.has(key);
  }

  #notifyChange(): void {
    const waiters = [...this.#changeWaiters];
    this.#changeWaiters.clear();
    for (const w of waiters) w();
  }

  #nextChange(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.#changeWaiters.delete(w);
        reject(signal.reason);
      };
      const w = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#changeWaiters.add(w);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---- queueing ------------------------------------------------------------------------------------

  #backoffMs(key: string): number {
    const a = this.#attempts.get(key);
    if (a === undefined || a.count === 0) return 0;
    const d = Math.min(this.#maxBackoffMs, this.#initialBackoffMs * 2 ** (a.count - 1));
    return Math.max(0, a.last + d - this.#clock.now());
  }

  /** Queues the pod once its backoff has expired. */
  #activate(key: string): void {
    const wait = this.#backoffMs(key);
    if (wait > 0) this.#queue.addAfter(key, wait);
    else this.#queue.add(key);
  }

  #moveAllToActive(): void {
    const keys = [...this.#unschedulable];
    this.#unschedulable.clear();
    for (const key of keys) this.#activate(key);
  }

  // ---- the scheduling cycle ------------------------------------------------------------------------

  /** Never throws: every failure is handled here (so the workqueue's own retry never kicks in). */
  async #scheduleOne(key: string): Promise<void> {
    const pod = this.#pods.getByKey(key);
    if (pod === undefined || !this.#responsible(pod) || this.#assumed.has(key)) return;
    if ((pod.spec?.schedulingGates ?? []).length > 0) return;
    this.#unschedulable.delete(key);
    try {
      await this.#schedulingCycle(key, pod);
    } catch (err) {
      log.error('Scheduling cycle failed', err, { pod: key });
      await this.#fail(key, pod, false, errMessage(err));
    }
  }

  async #schedulingCycle(key: string, pod: Pod): Promise<void> {
    const nodes = [...this.#nodes.list()].sort((a, b) => cmp(a.metadata.name ?? '', b.metadata.name ?? ''));
    if (nodes.length === 0) {
      await this.#fail(key, pod, true, ErrNoNodesAvailable);
      return;
    }
    // PreFilter
    const pre = this.#volumeBinding.preFilter(pod);
    if (pre.status.code === 'Error') {
      await this.#fail(
        key,
        pod,
        false,
        `running PreFilter plugin "${PluginVolumeBinding}": ${statusMessage(pre.status)}`,
      );
      return;
    }
    if (isRejected(pre.status) || pre.state === undefined) {
      const nodeToStatus = new Map(nodes.map((n) => [n.metadata.name ?? '', pre.status] as const));
      await this.#fitError(key, pod, {
        numAllNodes: nodes.length,
        preFilterMsg: statusMessage(pre.status),
        nodeToStatus,
        postFilterMsg: '',
      });
      return;
    }
    const vbState = pre.state;
    // Filter
    const podsByNode = this.#podsByNode(key);
    const nodeToStatus = new Map<string, Status>();
    const feasible: Node[] = [];
    for (const node of nodes) {
      const name = node.metadata.name ?? '';
      const s = this.#filter(pod, node, vbState, podsByNode.get(name) ?? []);
      if (s.code === 'Error') {
        this.#volumeBinding.forget(vbState);
        await this.#fail(key, pod, false, `running "${s.plugin ?? ''}" filter plugin: ${statusMessage(s)}`);
        return;
      }
      if (isRejected(s)) nodeToStatus.set(name, s);
      else feasible.push(node);
    }
    if (feasible.length === 0) {
      this.#volumeBinding.forget(vbState);
      await this.#fitError(key, pod, {
        numAllNodes: nodes.length,
        preFilterMsg: '',
        nodeToStatus,
        postFilterMsg: '',
      });
      return;
    }
    // Score: fewest pods; ties go to the first node by name.
    let best = feasible[0]!;
    let bestCount = podsByNode.get(best.metadata.name ?? '')?.length ?? 0;
    for (const n of feasible.slice(1)) {
      const c = podsByNode.get(n.metadata.name ?? '')?.length ?? 0;
      if (c < bestCount) {
        best = n;
        bestCount = c;
      }
    }
    const nodeName = best.metadata.name ?? '';
    // Reserve
    const reserved = this.#volumeBinding.reserve(vbState, pod, nodeName);
    if (reserved.code !== 'Success') {
      this.#volumeBinding.unreserve(vbState, nodeName);
      await this.#fail(
        key,
        pod,
        false,
        `running Reserve plugin "${PluginVolumeBinding}": ${statusMessage(reserved)}`,
      );
      return;
    }
    this.#assumed.set(key, { node: nodeName, pod });
    this.#bindingKeys.add(key);
    const p = this.#bindingCycle(key, pod, nodeName, vbState).finally(() => {
      this.#bindings.delete(p);
    });
    this.#bindings.add(p);
  }

  /** Filter plugins in upstream's order; the first rejection decides the node's status. */
  #filter(pod: Pod, node: Node, vbState: VolumeBindingState, podsOnNode: readonly Pod[]): Status {
    const tolerations = pod.spec?.tolerations;
    // NodeUnschedulable
    if (
      node.spec?.unschedulable === true &&
      !tolerationsTolerateTaint(tolerations, { key: TaintNodeUnschedulable, effect: 'NoSchedule' })
    ) {
      return unresolvable(ErrReasonUnschedulable);
    }
    // TaintToleration
    const taint = findUntoleratedTaint(effectiveTaints(node), tolerations);
    if (taint !== undefined)
      return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    // NodeAffinity
    if (!podMatchesNodeSelectorAndAffinity(pod, node)) return unresolvable(ErrReasonNodeAffinity);
    // NodeVolumeLimits
    const limits = this.#volumeLimits.filter(pod, node, podsOnNode);
    if (limits.code !== 'Success') return { ...limits, plugin: PluginNodeVolumeLimits };
    // VolumeBinding
    const vb = this.#volumeBinding.filter(vbState, node);
    if (vb.code !== 'Success') return { ...vb, plugin: PluginVolumeBinding };
    return success;
  }

  /** Pods on each node: assigned non-terminal pods, plus pods assumed there. */
  #podsByNode(exclude: string): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>();
    const add = (node: string, p: Pod): void => {
      const list = out.get(node);
      if (list === undefined) out.set(node, [p]);
      else list.push(p);
    };
    for (const p of this.#pods.list()) {
      const node = p.spec?.nodeName ?? '';
      if (node === '' || isTerminal(p)) continue;
      if (metaNamespaceKey(p) === exclude) continue;
      add(node, p);
    }
    for (const [key, a] of this.#assumed) {
      if (key === exclude) continue;
      const p = this.#pods.getByKey(key);
      if (p !== undefined && (p.spec?.nodeName ?? '') !== '') continue; // already counted
      add(a.node, a.pod);
    }
    return out;
  }

  // ---- the binding cycle ---------------------------------------------------------------------------

  async #bindingCycle(key: string, pod: Pod, nodeName: string, vbState: VolumeBindingState): Promise<void> {
    const signal = this.#signal;
    const undo = (): void => {
      this.#bindingKeys.delete(key);
      this.#assumed.delete(key);
      this.#volumeBinding.unreserve(vbState, nodeName);
    };
    try {
      await this.#volumeBinding.preBind(vbState, pod, nodeName, signal);
    } catch (err) {
      undo();
      if (signal.aborted) return;
      await this.#fail(
        key,
        pod,
        false,
        `running PreBind plugin "${PluginVolumeBinding}": ${errMessage(err)}`,
      );
      return;
    }
    try {
      await this.#binder.bind(pod, nodeName, signal);
    } catch (err) {
      undo();
      if (signal.aborted) return;
      await this.#fail(key, pod, false, `running Bind plugin "${PluginDefaultBinder}": ${errMessage(err)}`);
      return;
    }
    this.#bindingKeys.delete(key);
    // Stays assumed until the informer shows the pod bound, so spreading and limits count it.
    const seen = this.#pods.getByKey(key);
    if (seen === undefined || (seen.spec?.nodeName ?? '') !== '') this.#assumed.delete(key);
    this.#volumeBinding.forget(vbState);
    this.#attempts.delete(key);
    this.#metrics.attempts.inc({ result: AttemptResult.scheduled, profile: this.#name });
    this.#recorder.eventf(
      pod,
      'Normal',
      EventReasonScheduled,
      'Successfully assigned %v/%v to %v',
      pod.metadata.namespace ?? '',
      pod.metadata.name ?? '',
      nodeName,
    );
  }

  // ---- failures ------------------------------------------------------------------------------------

  async #fitError(key: string, pod: Pod, d: Diagnosis): Promise<void> {
    d.postFilterMsg = preemptionMessage(pod.spec?.preemptionPolicy, d.numAllNodes, d.nodeToStatus);
    await this.#fail(key, pod, true, fitErrorMessage(d));
  }

  /**
   * handleSchedulingFailure: requeue (unschedulable: wait for a cluster change; error: backoff), emit
   * FailedScheduling and set PodScheduled=False. The queue state is recorded before any await so events
   * arriving meanwhile see it.
   */
  async #fail(key: string, pod: Pod, isUnschedulable: boolean, message: string): Promise<void> {
    this.#metrics.attempts.inc({
      result: isUnschedulable ? AttemptResult.unschedulable : AttemptResult.error,
      profile: this.#name,
    });
    const prev = this.#attempts.get(key);
    this.#attempts.set(key, { count: (prev?.count ?? 0) + 1, last: this.#clock.now() });
    const current = this.#pods.getByKey(key);
    if (current === undefined || current.metadata.uid !== pod.metadata.uid || !this.#responsible(current))
      return;
    if (isUnschedulable) {
      this.#unschedulable.add(key);
      this.#queue.addAfter(key, this.#flushMs);
    } else {
      this.#queue.addAfter(key, this.#backoffMs(key));
    }
    const msg = truncate(message);
    log.v(2, 'Unable to schedule pod', { pod: key, err: msg });
    this.#recorder.event(current, 'Warning', EventReasonFailedScheduling, msg);
    const conditions = withPodCondition(
      current,
      {
        type: PodScheduledCondition,
        status: 'False',
        reason: isUnschedulable ? PodReasonUnschedulable : PodReasonSchedulerError,
        message: msg,
      },
      this.#clock.now(),
    );
    if (conditions === undefined) return;
    try {
      await this.#client
        .resource<Pod>(Resources.pods, pod.metadata.namespace)
        .patch(
          pod.metadata.name ?? '',
          'application/strategic-merge-patch+json',
          { status: { conditions } },
          { subresource: 'status', signal: this.#signal },
        );
    } catch (err) {
      if (!isNotFound(err) && !this.#signal.aborted) {
        log.warn('Failed to update the PodScheduled condition', { pod: key, err });
      }
    }
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
