// The volume manager (upstream pkg/kubelet/volumemanager/volume_manager.go): owns the desired and
// actual state of the world, the populator, the reconciler and the operation executor, and answers the
// pod lifecycle's questions (are this pod's volumes mounted? unmounted? which volumes are in use?).
//
// Event-driven: one pass (populate if asked, then reconcile, then orphan cleanup) runs whenever
// something changed — a pod event (podsChanged), a ConfigMap or Secret a pod uses changed, an operation
// finished, the DSW or ASW changed, a backoff window ended — with passes coalesced and never
// overlapping; a slow periodic pass (default 60 s) is only a safety net. A pass costs what changed:
// the reconciler looks only at the volumes named by DSW/ASW changes and finished operations (and
// those still unsettled); the first pass, the safety-net pass and a plugin change look at everything.
//
// Dynamic plugins (FlexVolume drivers): with a pluginProber, the plugins it finds are registered at
// start, before reconstruction, and refreshed before every populator pass (a probe is cheap when
// nothing changed); pluginsChanged() — called when the plugin directory changes — retries the pods
// whose volumes had no plugin yet.
//
// Metrics: while running, the volume manager feeds kubelet_volume_stats_* (PVC-backed volumes of its
// running pods, measured at most every volumeStatsMaxAgeMs) and volume_manager_total_volumes.

import { join } from 'node:path';
import type { Pod } from '../../api/index.ts';
import { type Node, Resources } from '../../api/index.ts';
import type { Client, EventRecorder } from '../../client/index.ts';
import { type Clock, logger, realClock, type Timer } from '../../component/index.ts';
import {
  type BlockVolumeMapper,
  type DynamicPluginProber,
  fullQualifiedPluginNameForVolume,
  type Mounter,
  type MountInterface,
  OperationExecutor,
  type ProbeEvent,
  refreshProbedPlugins,
  type VolumePlugin,
  VolumePluginMgr,
} from '../../volume/index.ts';
import { KubeletVolumeHost } from '../volumehost.ts';
import { ActualStateOfWorld } from './cache/asw.ts';
import { DesiredStateOfWorld } from './cache/dsw.ts';
import {
  defaultPodRetryPeriodMs,
  defaultSyncPeriodMs,
  podAttachAndMountTimeoutMs,
  timedOutWaitingMessage,
} from './constants.ts';
import {
  registerVolumeMetricsProvider,
  type VolumeStat,
  type VolumeStatSource,
  VolumeStatsCache,
} from './metrics.ts';
import { cleanupOrphanedPodDirs } from './orphans.ts';
import { getExpectedVolumes, uniquePodName } from './podvolumes.ts';
import {
  DesiredStateOfWorldPopulator,
  type PodManager,
  type PodStateProvider,
} from './populator/populator.ts';
import { Reconciler } from './reconciler/reconciler.ts';
import { persistentVolumeRef, ReferenceWatcher } from './refwatch.ts';

const log = logger('volumemanager');

export interface VolumeManagerOptions {
  client: Client;
  nodeName: string;
  /** The kubelet root dir (`/var/lib/kubelet` upstream). */
  rootDir: string;
  plugins: readonly VolumePlugin[];
  mounter: MountInterface;
  recorder: EventRecorder;
  podManager: PodManager;
  podStateProvider: PodStateProvider;
  clock?: Clock;
  /** Safety-net pass period; default 60 s. */
  syncPeriodMs?: number;
  /** Retry of pods whose volumes failed processing; default 1 s. */
  podRetryPeriodMs?: number;
  /** waitForAttachAndMount / waitForUnmount timeout; default 2 m 3 s. */
  waitTimeoutMs?: number;
  /** Node allocatable memory for tmpfs sizing; default the machine's memory. */
  nodeAllocatableMemory?: number;
  /** Called after a pass when getVolumesInUse() changed (the agent updates node.status.volumesInUse). */
  onVolumesInUseChanged?: (volumes: string[]) => void;
  /** Finds plugins at run time (the FlexVolume prober). */
  pluginProber?: DynamicPluginProber;
  /** Called after a pass that followed a probe which added, changed or removed plugins. */
  onPluginsChanged?: () => void;
  /**
   * An attach/detach controller attaches and detaches this node's volumes (default true, as the
   * kubelet's --enable-controller-attach-detach); false: the volume manager attaches and detaches.
   */
  controllerAttachDetachEnabled?: boolean;
  /** How old kubelet_volume_stats_* figures may be before a scrape measures again; default 5 s. */
  volumeStatsMaxAgeMs?: number;
}

/** A pod's volumes did not all mount (upstream WaitForAttachAndMount's error). */
export class VolumeWaitError extends Error {
  override readonly name = 'VolumeWaitError';
  readonly unmountedVolumes: string[];
  readonly unattachedVolumes: string[];
  readonly volumesNotInDSW: string[];
  readonly timedOut: boolean;
  constructor(
    unmounted: string[],
    unattached: string[],
    notInDSW: string[],
    cause: string,
    timedOut: boolean,
  ) {
    super(
      `unmounted volumes=[${unmounted.join(' ')}], unattached volumes=[${unattached.join(' ')}], failed to process volumes=[${notInDSW.join(' ')}]: ${cause}`,
    );
    this.unmountedVolumes = unmounted;
    this.unattachedVolumes = unattached;
    this.volumesNotInDSW = notInDSW;
    this.timedOut = timedOut;
  }
}

export const isVolumeWaitError = (e: unknown): e is VolumeWaitError => e instanceof VolumeWaitError;

/** What a pod's containers get for one volume (upstream container.VolumeInfo). */
export interface VolumeInfo {
  mounter: Mounter | undefined;
  /** Block volumes (container volumeDevices): the mapper; the device is `dir/name` of getPodDeviceMapPath(). */
  blockVolumeMapper?: BlockVolumeMapper | undefined;
  readOnly: boolean;
  innerVolumeSpecName: string;
}

interface Waiter {
  check: () => boolean;
}

export class VolumeManager {
  readonly pluginMgr = new VolumePluginMgr();
  readonly dsw: DesiredStateOfWorld;
  readonly asw: ActualStateOfWorld;
  readonly executor: OperationExecutor;
  readonly populator: DesiredStateOfWorldPopulator;
  readonly reconciler: Reconciler;
  readonly host: KubeletVolumeHost;
  readonly #o: VolumeManagerOptions;
  readonly #clock: Clock;
  readonly #refs: ReferenceWatcher;
  readonly #waiters = new Set<Waiter>();
  readonly #stats: VolumeStatsCache;
  #started = false;
  #stopped = false;
  #running = false;
  #again = false;
  #populateRequested = true;
  #fullCleanupRequested = true;
  #backoffTimer: { at: number; timer: Timer } | undefined;
  #retryTimer: Timer | undefined;
  #passes = 0;
  #lastVolumesInUse = '';
  #idleWaiters: (() => void)[] = [];
  /** The prober, wrapped to notice when a probe changed the plugins. */
  readonly #prober: DynamicPluginProber | undefined;
  #pluginsChangedByProbe = false;
  #markStarted!: () => void;
  readonly #startedPromise = new Promise<void>((r) => {
    this.#markStarted = r;
  });

  constructor(opts: VolumeManagerOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
    // Every change names its volume, so the reconciler's next pass looks at that volume.
    const changed = (volumeName?: string): void => {
      if (volumeName !== undefined) this.reconciler.volumeChanged(volumeName);
      this.#kick();
    };
    this.dsw = new DesiredStateOfWorld(this.pluginMgr, { clock: this.#clock, onChange: changed });
    this.asw = new ActualStateOfWorld(opts.nodeName, this.pluginMgr, { onChange: changed });
    const getNode = (): Promise<Node> => opts.client.resource<Node>(Resources.nodes).get(opts.nodeName);
    this.executor = new OperationExecutor({
      pluginMgr: this.pluginMgr,
      recorder: opts.recorder,
      clock: this.#clock,
      getNode,
      onOperationComplete: (key) => changed(key.volumeName),
      client: opts.client,
      mounter: opts.mounter,
    });
    this.populator = new DesiredStateOfWorldPopulator({
      client: opts.client,
      dsw: this.dsw,
      asw: this.asw,
      podManager: opts.podManager,
      podStateProvider: opts.podStateProvider,
      onClaimResolved: (uid, _ns, _claim, pvName) => this.#refs.addRef(uid, persistentVolumeRef(pvName)),
    });
    this.reconciler = new Reconciler({
      nodeName: opts.nodeName,
      podsDir: join(opts.rootDir, 'pods'),
      dsw: this.dsw,
      asw: this.asw,
      executor: this.executor,
      pluginMgr: this.pluginMgr,
      mounter: opts.mounter,
      populatorHasAddedPods: () => this.populator.hasAddedPods(),
      getNode,
      ...(opts.controllerAttachDetachEnabled === undefined
        ? {}
        : { controllerAttachDetachEnabled: opts.controllerAttachDetachEnabled }),
    });
    this.host = new KubeletVolumeHost({
      rootDir: opts.rootDir,
      nodeName: opts.nodeName,
      client: opts.client,
      mounter: opts.mounter,
      recorder: opts.recorder,
      clock: this.#clock,
      pluginMgr: this.pluginMgr,
      ...(opts.nodeAllocatableMemory === undefined
        ? {}
        : { nodeAllocatableMemory: opts.nodeAllocatableMemory }),
    });
    const prober = opts.pluginProber;
    this.#prober =
      prober === undefined
        ? undefined
        : {
            init: () => prober.init(),
            probe: async (): Promise<ProbeEvent[]> => {
              const events = await prober.probe();
              if (events.length > 0) this.#pluginsChangedByProbe = true;
              return events;
            },
          };
    this.#refs = new ReferenceWatcher({
      client: opts.client,
      clock: this.#clock,
      onChange: (uids) => {
        for (const uid of uids) this.populator.reprocessPod(uid);
        this.#requestPopulate();
      },
    });
    this.#stats = new VolumeStatsCache({
      list: () => this.#volumeStatSources(),
      clock: this.#clock,
      ...(opts.volumeStatsMaxAgeMs === undefined ? {} : { maxAgeMs: opts.volumeStatsMaxAgeMs }),
    });
  }

  /** The PVC-backed volumes mounted for running pods, one per claim (kubelet_volume_stats_*). */
  #volumeStatSources(): VolumeStatSource[] {
    const out: VolumeStatSource[] = [];
    const seen = new Set<string>();
    for (const [uid, pod] of this.dsw.getPods()) {
      if (this.#o.podStateProvider.shouldPodContainersBeTerminating(uid)) continue;
      const ns = pod.metadata.namespace ?? 'default';
      const claims = new Map<string, string>();
      for (const v of pod.spec?.volumes ?? []) {
        const claim =
          v.persistentVolumeClaim?.claimName ??
          (v.ephemeral === undefined ? undefined : `${pod.metadata.name ?? ''}-${v.name}`);
        if (claim !== undefined) claims.set(v.name, claim);
      }
      if (claims.size === 0) continue;
      for (const mv of this.asw.getMountedVolumesForPod(uid)) {
        const vol = mv.mounter ?? mv.blockVolumeMapper;
        const getMetrics = vol?.getMetrics?.bind(vol);
        if (getMetrics === undefined) continue;
        for (const outer of mv.outerVolumeSpecNames) {
          const claim = claims.get(outer);
          if (claim === undefined || seen.has(`${ns}/${claim}`)) continue;
          seen.add(`${ns}/${claim}`);
          out.push({ namespace: ns, persistentVolumeClaim: claim, getMetrics });
        }
      }
    }
    return out;
  }

  /** kubelet_volume_stats_* figures (cached; measured again when older than volumeStatsMaxAgeMs). */
  volumeStats(): Promise<VolumeStat[]> {
    return this.#stats.snapshot();
  }

  /** volume_manager_total_volumes: volumes per plugin in the desired and the actual state. */
  totalVolumes(): { desired: Map<string, number>; actual: Map<string, number> } {
    const desired = new Map<string, number>();
    const actual = new Map<string, number>();
    for (const mv of this.asw.getMountedVolumes()) {
      const name = fullQualifiedPluginNameForVolume(mv.pluginName, mv.volumeSpec) || 'N/A';
      actual.set(name, (actual.get(name) ?? 0) + 1);
    }
    for (const v of this.dsw.getVolumesToMount()) {
      let name = 'N/A';
      try {
        name = fullQualifiedPluginNameForVolume(
          this.pluginMgr.findPluginBySpec(v.volumeSpec).name,
          v.volumeSpec,
        );
      } catch {
        name = 'N/A';
      }
      desired.set(name, (desired.get(name) ?? 0) + 1);
    }
    return { desired, actual };
  }

  /**
   * Initialises the plugins, reconstructs the actual state from disk, and runs passes until the signal
   * aborts. Call it once the pod source has synced (so the first pass knows every pod); resolves after
   * the running operations finished.
   */
  async run(signal: AbortSignal): Promise<void> {
    const errors = await this.pluginMgr.initPlugins(this.#o.plugins, this.host);
    for (const e of errors) log.error('volume plugin failed to initialise', e);
    if (this.#prober !== undefined) {
      try {
        await this.#prober.init();
      } catch (err) {
        log.error('Error initializing dynamic plugin prober', err);
      }
      // Before reconstruction: volumes of dynamic plugins are found on disk too.
      await this.#refreshPlugins();
      this.#pluginsChangedByProbe = false;
    }
    await this.reconciler.reconstructVolumes();
    this.#refs.start(signal);
    const unregisterMetrics = registerVolumeMetricsProvider(this);
    this.#started = true;
    this.#markStarted();
    this.podsChanged();
    const period = this.#o.syncPeriodMs ?? defaultSyncPeriodMs;
    let syncTimer: Timer | undefined;
    const schedule = (): void => {
      syncTimer = this.#clock.setTimer(period, () => {
        this.#populateRequested = true;
        this.populator.requestFullPass();
        this.reconciler.requestFullPass();
        this.#fullCleanupRequested = true;
        this.#kick();
        schedule();
      });
    };
    schedule();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.#stopped = true;
    unregisterMetrics();
    syncTimer?.cancel();
    this.#backoffTimer?.timer.cancel();
    this.#retryTimer?.cancel();
    for (const w of [...this.#waiters]) w.check();
    while (this.#running) await new Promise<void>((r) => this.#idleWaiters.push(r));
    await this.executor.wait();
  }

  /**
   * The pod source changed (a pod added, updated or deleted, or its containers stopped): update watches
   * and populate. With the pod's UID only that pod is looked at; without, every pod.
   */
  podsChanged(podUID?: string): void {
    if (podUID !== undefined) {
      const pod = this.#o.podManager.getPodByUID(podUID);
      if (pod !== undefined && !this.#o.podStateProvider.shouldPodContainersBeTerminating(podUID)) {
        this.#refs.addPod(pod);
      } else {
        this.#refs.removePod(podUID);
      }
      this.populator.podChanged(podUID);
      this.#requestPopulate();
      return;
    }
    const pods = this.#o.podManager.getPods();
    const live = new Set<string>();
    for (const pod of pods) {
      const uid = uniquePodName(pod);
      if (this.#o.podStateProvider.shouldPodContainersBeTerminating(uid)) continue;
      live.add(uid);
      this.#refs.addPod(pod);
    }
    for (const uid of this.#refs.pods()) if (!live.has(uid)) this.#refs.removePod(uid);
    this.populator.requestFullPass();
    this.#requestPopulate();
  }

  /**
   * The dynamic plugins may have changed (a driver installed, replaced or removed): probe again, and
   * process again the pods whose volumes failed (a missing plugin among the reasons). With a plugin
   * name (a CSI driver registered or went: `kubernetes.io/csi`), the failed operations on that
   * plugin's volumes may also run again at once instead of after their backoff.
   */
  pluginsChanged(pluginName?: string): void {
    if (pluginName !== undefined) {
      const prefix = `${pluginName}/`;
      this.executor.pendingOperations.resetBackoff((k) => k.volumeName.startsWith(prefix));
    }
    for (const uid of this.populator.failedPods()) this.populator.reprocessPod(uid);
    this.populator.requestFullPass();
    this.reconciler.requestFullPass();
    this.#requestPopulate();
  }

  /**
   * Resolves once every volume the pod's containers use is mounted; rejects at once with the pod's
   * processing errors, or with a VolumeWaitError after the timeout. Also asks for the pod's
   * remount-requiring volumes to be refreshed (upstream ReprocessPod on every pod sync).
   */
  waitForAttachAndMount(pod: Pod, signal?: AbortSignal): Promise<void> {
    const expected = getExpectedVolumes(pod);
    if (expected.length === 0) return Promise.resolve();
    const podName = uniquePodName(pod);
    this.populator.reprocessPod(podName);
    this.#requestPopulate();
    return this.#wait(
      signal,
      (finish) => {
        const errors = this.dsw.popPodErrors(podName);
        if (errors.length > 0) {
          const unmounted = this.#unmountedVolumes(podName, expected);
          if (unmounted.length === 0) return finish();
          return finish(
            new VolumeWaitError(
              unmounted,
              this.#unattachedVolumes(podName),
              this.#volumesNotInDSW(podName, expected),
              errors.join('; '),
              false,
            ),
          );
        }
        if (this.#unmountedVolumes(podName, expected).length === 0) return finish();
        return false;
      },
      () =>
        new VolumeWaitError(
          this.#unmountedVolumes(podName, expected),
          this.#unattachedVolumes(podName),
          this.#volumesNotInDSW(podName, expected),
          timedOutWaitingMessage,
          true,
        ),
    );
  }

  /** Resolves once no volume of the pod is mounted or possibly mounted. */
  waitForUnmount(pod: Pod, signal?: AbortSignal): Promise<void> {
    const podName = uniquePodName(pod);
    this.#kick();
    const mounted = (): string[] =>
      this.asw
        .getPossiblyMountedVolumesForPod(podName)
        .flatMap((v) => v.outerVolumeSpecNames)
        .sort();
    return this.#wait(
      signal,
      (finish) => (mounted().length === 0 ? finish() : false),
      () => new Error(`mounted volumes=[${mounted().join(' ')}]: ${timedOutWaitingMessage}`),
    );
  }

  /** The pod's mounted volumes by pod-spec volume name (uncertain mounts are not included). */
  getMountedVolumesForPod(podUID: string): Map<string, VolumeInfo> {
    const out = new Map<string, VolumeInfo>();
    for (const v of this.asw.getMountedVolumesForPod(podUID)) {
      const info: VolumeInfo = {
        mounter: v.mounter,
        blockVolumeMapper: v.blockVolumeMapper,
        readOnly: v.mounter?.getAttributes().readOnly ?? v.volumeSpec.readOnly,
        innerVolumeSpecName: v.innerVolumeSpecName,
      };
      for (const outer of v.outerVolumeSpecNames) out.set(outer, info);
    }
    return out;
  }

  /** Mounted or uncertain volumes of the pod (upstream GetPossiblyMountedVolumesForPod). */
  getPossiblyMountedVolumesForPod(podUID: string): Map<string, VolumeInfo> {
    const out = new Map<string, VolumeInfo>();
    for (const v of this.asw.getPossiblyMountedVolumesForPod(podUID)) {
      for (const outer of v.outerVolumeSpecNames) {
        out.set(outer, {
          mounter: v.mounter,
          blockVolumeMapper: v.blockVolumeMapper,
          readOnly: v.volumeSpec.readOnly,
          innerVolumeSpecName: v.innerVolumeSpecName,
        });
      }
    }
    return out;
  }

  /** Sorted attachable volumes the DSW or ASW know (node.status.volumesInUse). */
  getVolumesInUse(): string[] {
    return [
      ...new Set([...this.dsw.getAttachableVolumeNames(), ...this.asw.getAttachableVolumeNames()]),
    ].sort();
  }

  /** After node.status.volumesInUse was written: lets attachable volumes proceed to mount. */
  markVolumesAsReportedInUse(names: readonly string[]): void {
    this.dsw.markVolumesReportedInUse(names);
  }

  /** Resolves when no pass and no operation is running and nothing asked for another pass (tests). */
  async waitIdle(): Promise<void> {
    await this.#startedPromise;
    for (;;) {
      await this.executor.wait();
      if (!this.#running && !this.#again && this.executor.pendingOperations.pendingCount === 0) {
        await new Promise<void>((r) => setImmediate(r));
        if (!this.#running && !this.#again && this.executor.pendingOperations.pendingCount === 0) return;
      }
      await new Promise<void>((r) => {
        this.#idleWaiters.push(r);
        setImmediate(r);
      });
    }
  }

  /** Number of passes run (tests and benchmarks). */
  get passes(): number {
    return this.#passes;
  }

  #wait(
    signal: AbortSignal | undefined,
    check: (finish: (err?: Error) => true) => boolean,
    timeoutError: () => Error,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: Error): true => {
        if (done) return true;
        done = true;
        this.#waiters.delete(waiter);
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        if (err === undefined) resolve();
        else reject(err);
        return true;
      };
      const waiter: Waiter = {
        check: () => (this.#stopped ? finish(new Error('volume manager stopped')) : check(finish)),
      };
      const onAbort = (): void => {
        finish(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const timer = this.#clock.setTimer(this.#o.waitTimeoutMs ?? podAttachAndMountTimeoutMs, () => {
        if (!check(finish)) finish(timeoutError());
      });
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
      // Checked at the end of every pass; a pass is asked for by the caller.
      if (!this.#running && this.#started) waiter.check();
    });
  }

  #unmountedVolumes(podName: string, expected: readonly string[]): string[] {
    const mounted = new Set(this.asw.getMountedVolumesForPod(podName).flatMap((v) => v.outerVolumeSpecNames));
    return expected.filter((n) => !mounted.has(n));
  }

  #unattachedVolumes(podName: string): string[] {
    return this.dsw
      .getVolumesToMountForPod(podName)
      .filter((v) => v.pluginIsAttachable && !this.asw.volumeExists(v.volumeName))
      .flatMap((v) => v.outerVolumeSpecNames)
      .sort();
  }

  #volumesNotInDSW(podName: string, expected: readonly string[]): string[] {
    const inDSW = new Set(this.dsw.getVolumesToMountForPod(podName).flatMap((v) => v.outerVolumeSpecNames));
    return expected.filter((n) => !inDSW.has(n)).sort();
  }

  #requestPopulate(): void {
    this.#populateRequested = true;
    this.#kick();
  }

  #kick(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    // A macrotask, not a microtask: operations finishing together share one pass.
    setImmediate(() => {
      void this.#loop();
    });
  }

  async #loop(): Promise<void> {
    try {
      do {
        this.#again = false;
        this.#passes++;
        if (this.#populateRequested) {
          this.#populateRequested = false;
          await this.#refreshPlugins();
          try {
            await this.populator.populate();
          } catch (err) {
            log.error('populator pass failed', err);
          }
          this.#scheduleFailedPodRetry();
        }
        this.reconciler.reconcile();
        this.#scheduleBackoffWake();
        await this.#cleanupOrphans();
        for (const w of [...this.#waiters]) w.check();
        this.#notifyVolumesInUse();
        if (this.#pluginsChangedByProbe) {
          this.#pluginsChangedByProbe = false;
          this.#o.onPluginsChanged?.();
        }
        // Let I/O (API requests, finished mounts) in before the next pass, which then covers them all.
        if (this.#again) await new Promise<void>((r) => setImmediate(r));
      } while (this.#again && !this.#stopped);
    } finally {
      this.#running = false;
      for (const r of this.#idleWaiters.splice(0)) r();
    }
  }

  async #refreshPlugins(): Promise<void> {
    if (this.#prober === undefined) return;
    try {
      await refreshProbedPlugins(this.pluginMgr, this.#prober);
    } catch (err) {
      log.error('Error dynamically probing plugins', err);
    }
  }

  #notifyVolumesInUse(): void {
    const cb = this.#o.onVolumesInUseChanged;
    if (cb === undefined) return;
    const now = this.getVolumesInUse();
    const key = now.join('\n');
    if (key === this.#lastVolumesInUse) return;
    this.#lastVolumesInUse = key;
    cb(now);
  }

  #scheduleFailedPodRetry(): void {
    if (this.#retryTimer !== undefined) return;
    const failed = this.populator.failedPods();
    if (failed.length === 0) return;
    this.#retryTimer = this.#clock.setTimer(this.#o.podRetryPeriodMs ?? defaultPodRetryPeriodMs, () => {
      this.#retryTimer = undefined;
      for (const uid of this.populator.failedPods()) this.populator.reprocessPod(uid);
      this.#requestPopulate();
    });
  }

  /** Wakes the reconciler when the earliest backoff window ends. */
  #scheduleBackoffWake(): void {
    const at = this.executor.pendingOperations.nextRetryAt();
    if (at === undefined) return;
    if (this.#backoffTimer !== undefined && this.#backoffTimer.at <= at) return;
    this.#backoffTimer?.timer.cancel();
    const timer = this.#clock.setTimer(at - this.#clock.now() + 1, () => {
      this.#backoffTimer = undefined;
      this.#kick();
    });
    this.#backoffTimer = { at, timer };
  }

  #isPodActive(uid: string): boolean {
    if (this.dsw.hasPod(uid)) return true;
    if (this.asw.getPossiblyMountedVolumesForPod(uid).length > 0) return true;
    const pod = this.#o.podManager.getPodByUID(uid);
    return pod !== undefined && !this.#o.podStateProvider.shouldPodRuntimeBeRemoved(uid);
  }

  async #cleanupOrphans(): Promise<void> {
    if (!this.populator.hasAddedPods() || this.reconciler.waitingForNodeStatus) return;
    const full = this.#fullCleanupRequested;
    const only = [...this.reconciler.unmountedPods].filter((uid) => !this.#isPodActive(uid));
    if (!full && only.length === 0) return;
    this.#fullCleanupRequested = false;
    for (const uid of only) this.reconciler.unmountedPods.delete(uid);
    try {
      await cleanupOrphanedPodDirs({
        podsDir: join(this.#o.rootDir, 'pods'),
        mounter: this.#o.mounter,
        isActive: (uid) => this.#isPodActive(uid) || this.#hasPendingOps(uid),
        ...(full ? {} : { only }),
      });
    } catch (err) {
      log.error('orphaned pod dir cleanup failed', err);
    }
  }

  #hasPendingOps(uid: string): boolean {
    return this.asw.getPossiblyMountedVolumesForPod(uid).length > 0;
  }
}
