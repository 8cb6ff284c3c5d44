// The volume manager's reconciler (upstream pkg/kubelet/volumemanager/reconciler): compares the desired
// with the actual state of the world and starts operations to converge — unmount before mount (so a
// volume moving from a deleted pod to a new one is released first), then verify-attach / mount /
// remount, then unmount devices nobody uses. One operation per volume at a time, through the executor.
// Attachable volumes wait for the attach/detach controller (node.status.volumesAttached), or — when
// controllerAttachDetachEnabled is false (kubelet-managed attach) — are attached and, once no pod
// uses them and their device is unmounted, detached by the reconciler itself.
//
// Event-driven: reconcile() is one synchronous pass that only starts operations; the volume manager
// calls it when the DSW or ASW changed, an operation finished, or a backoff window expired, instead of
// upstream's 100 ms loop. A pass looks only at the volumes that may need action: those named by
// volumeChanged() (every DSW and ASW change and every finished operation names its volume) and those
// the previous pass left unsettled (an operation refused by its backoff or failing to start, a volume
// waiting to be attached or reported in use, an expansion pending, anything while unmounts are held
// back). A volume whose operation is running is set aside: the operation's end names it again. A full
// pass (every DSW and ASW volume) runs first, and again after requestFullPass() (the volume manager's
// safety-net timer, plugin changes), so the level-triggered behaviour stays.
//
// At start, reconstructVolumes() rebuilds the ASW from `<root>/pods/*/volumes/*/*` (filesystem) and
// `<root>/pods/*/volumeDevices/*/*` (block) after a restart: each volume found is added as uncertain,
// so the reconciler either sets it up (maps it) again — idempotent — when a pod still wants it, or
// tears it down (unmaps it) when none does.
//
// A mounted volume whose PV grew while its claim waits for the node (FileSystemResizePending or
// NodeResizePending) gets an online expansion (executor.expandInUseVolume).

import { lstat, readdir, readlink, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Node, Pod } from '../../../api/index.ts';
import { Counter, getOrCreate, logger, metricsRegistry } from '../../../component/index.ts';
import {
  BlockVolumePathHandler,
  EmptyNodeName,
  EmptyUniquePodName,
  isBlockVolumePlugin,
  isDeviceMountableVolumePlugin,
  isExponentialBackoffError,
  isNotExistError,
  isOperationAlreadyExistsError,
  type MountInterface,
  type OperationExecutor,
  type Spec,
  specName,
  unescapePluginName,
  type VolumeMode,
  VolumeMountState,
  type VolumePluginMgr,
  type VolumeToMount,
} from '../../../volume/index.ts';
import { type ActualStateOfWorld, deviceMayBeMounted, isVolumeNotAttachedError } from '../cache/asw.ts';
import { type DesiredStateOfWorld, desiredUniqueVolumeName } from '../cache/dsw.ts';
import { podVolumeDevicePaths, podVolumePaths } from '../orphans.ts';

const log = logger('volumemanager/reconciler');

/** Reconstruction metrics (upstream pkg/kubelet/volumemanager/metrics; no subsystem prefix). */
export const ReconstructionMetric = {
  operations: 'reconstruct_volume_operations_total',
  errors: 'reconstruct_volume_operations_errors_total',
  forceCleaned: 'force_cleaned_failed_volume_operations_total',
  forceCleanedErrors: 'force_cleaned_failed_volume_operation_errors_total',
} as const;

function counter(name: string, help: string): Counter {
  return getOrCreate(name, () => new Counter({ name, help, registers: [metricsRegistry] }));
}

const reconstructionCounters = () => ({
  operations: counter(
    ReconstructionMetric.operations,
    'The number of volumes that were attempted to be reconstructed from the operating system during kubelet startup. This includes both successful and failed reconstruction.',
  ),
  errors: counter(
    ReconstructionMetric.errors,
    'The number of volumes that failed reconstruction from the operating system during kubelet startup.',
  ),
  forceCleaned: counter(
    ReconstructionMetric.forceCleaned,
    'The number of volumes that were force cleaned after their reconstruction failed during kubelet startup. This includes both successful and failed cleanups.',
  ),
  forceCleanedErrors: counter(
    ReconstructionMetric.forceCleanedErrors,
    'The number of volumes that failed force cleanup after their reconstruction failed during kubelet startup.',
  ),
});

export interface ReconcilerOptions {
  nodeName: string;
  /** `<root>/pods` */
  podsDir: string;
  dsw: DesiredStateOfWorld;
  asw: ActualStateOfWorld;
  executor: OperationExecutor;
  pluginMgr: VolumePluginMgr;
  mounter: MountInterface;
  /** True once the populator has added the pods it knows (nothing is unmounted before that). */
  populatorHasAddedPods: () => boolean;
  /** Reads this node (devicePaths of reconstructed volumes from status.volumesAttached). */
  getNode?: () => Promise<Node>;
  /** The attach/detach controller attaches and detaches (default true, as the kubelet's flag). */
  controllerAttachDetachEnabled?: boolean;
}

/** A volume directory found under the pods dir (upstream podVolume). */
export interface PodVolume {
  podName: string;
  volumeSpecName: string;
  /** The plugin's per-pod volume dir (`.../volumes/<plugin>/<name>`): what constructVolumeSpec reads. */
  volumeDir: string;
  /** Where the volume is mounted (CSI mounts one level deeper, at `<volumeDir>/mount`). */
  volumePath: string;
  pluginName: string;
  volumeMode: VolumeMode;
}

/**
 * Every `<pods>/<uid>/volumes/<escaped plugin>/<name>` and `<pods>/<uid>/volumeDevices/<escaped
 * plugin>/<name>` (upstream getVolumesFromPodDir).
 */
export async function getVolumesFromPodDir(podsDir: string): Promise<PodVolume[]> {
  let uids: string[];
  try {
    uids = await readdir(podsDir);
  } catch {
    return [];
  }
  const out: PodVolume[] = [];
  for (const uid of uids) {
    for (const path of await podVolumePaths(podsDir, uid)) {
      const parts = path.split('/');
      const volumeSpecName = parts[parts.length - 1] ?? '';
      const pluginName = unescapePluginName(parts[parts.length - 2] ?? '');
      // CSI volumes are mounted one level deeper (`.../<name>/mount`).
      const volumePath = pluginName === 'kubernetes.io/csi' ? join(path, 'mount') : path;
      out.push({
        podName: uid,
        volumeSpecName,
        volumeDir: path,
        volumePath,
        pluginName,
        volumeMode: 'Filesystem',
      });
    }
    for (const path of await podVolumeDevicePaths(podsDir, uid)) {
      const parts = path.split('/');
      const volumeSpecName = parts[parts.length - 1] ?? '';
      if (volumeSpecName.includes('.tmp-')) continue;
      const pluginName = unescapePluginName(parts[parts.length - 2] ?? '');
      out.push({
        podName: uid,
        volumeSpecName,
        volumeDir: path,
        volumePath: path,
        pluginName,
        volumeMode: 'Block',
      });
    }
  }
  return out;
}

function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Whether err or one of its causes says a path does not exist. */
function causedByNotExist(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 8; depth++) {
    if (isNotExistError(e)) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

export class Reconciler {
  readonly #o: ReconcilerOptions;
  readonly #controllerAttachDetach: boolean;
  /** Volumes that could not be reconstructed; cleaned once if no pod wants them. */
  #volumesFailedReconstruction: PodVolume[] = [];
  #volumesNeedUpdateFromNodeStatus: string[] | undefined;
  #volumesNeedReportedInUse: string[] | undefined;
  #updatingFromNodeStatus = false;
  /** Pod UIDs whose volumes were torn down in this run (candidates for orphan dir cleanup). */
  readonly unmountedPods = new Set<string>();
  /** Volumes to look at in the next pass. */
  #dirty = new Set<string>();
  /** The next pass looks at every volume. */
  #full = true;

  constructor(opts: ReconcilerOptions) {
    this.#o = opts;
    this.#controllerAttachDetach = opts.controllerAttachDetachEnabled ?? true;
  }

  /** The volume's desired or actual state changed, or an operation on it ended: look at it again. */
  volumeChanged(volumeName: string): void {
    if (volumeName !== '') this.#dirty.add(volumeName);
  }

  /** The next pass looks at every volume of the DSW and the ASW. */
  requestFullPass(): void {
    this.#full = true;
  }

  /** One pass. Starts operations; never waits for them. */
  reconcile(): void {
    const { asw, dsw, executor } = this.#o;
    const readyToUnmount =
      this.#o.populatorHasAddedPods() && this.#volumesNeedUpdateFromNodeStatus === undefined;
    let names: Iterable<string> = this.#dirty;
    if (this.#full) {
      this.#full = false;
      names = new Set([...dsw.getVolumeNames(), ...asw.getVolumeNames(), ...this.#dirty]);
    }
    // Changes made while this pass runs (synchronously) are looked at in the next one.
    this.#dirty = new Set();
    const unsettled = new Set<string>();
    if (readyToUnmount) this.#unmountVolumes(names, unsettled);
    this.#mountOrAttachVolumes(names, unsettled);
    if (readyToUnmount) {
      this.#unmountDetachDevices(names, unsettled);
      this.#cleanOrphanVolumes();
    }
    for (const name of names) {
      // Unmounts held back: every volume is looked at again once they may run.
      if (!readyToUnmount) this.#dirty.add(name);
      // A running operation names its volume again when it ends.
      else if (unsettled.has(name) && !executor.isOperationPending(name, EmptyUniquePodName, EmptyNodeName))
        this.#dirty.add(name);
    }
    if (this.#volumesNeedUpdateFromNodeStatus !== undefined) this.#updateReconstructedFromNodeStatus();
    if (this.#volumesNeedReportedInUse !== undefined && this.#o.populatorHasAddedPods()) {
      this.#o.dsw.markVolumesReportedInUse(this.#volumesNeedReportedInUse);
      this.#volumesNeedReportedInUse = undefined;
    }
  }

  /** Whether reconstruction still waits for the node's status (unmounts are held back meanwhile). */
  get waitingForNodeStatus(): boolean {
    return this.#volumesNeedUpdateFromNodeStatus !== undefined;
  }

  #run(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // A pending operation or a backoff window is the normal reason to skip; both are retried when
      // the operation finishes or the window ends.
      if (!isOperationAlreadyExistsError(err) && !isExponentialBackoffError(err)) {
        log.error(`${what} failed to start`, err);
      }
    }
  }

  #unmountVolumes(names: Iterable<string>, unsettled: Set<string>): void {
    const { asw, dsw, executor } = this.#o;
    for (const name of names) {
      for (const mv of asw.getAllMountedVolumesOf(name)) {
        if (dsw.podExistsInVolume(mv.podName, mv.volumeName)) continue;
        unsettled.add(name);
        if (executor.isOperationPending(mv.volumeName, mv.podName, EmptyNodeName)) continue;
        log.v(2, 'operationExecutor.UnmountVolume started', {
          volumeName: mv.volumeName,
          podUID: mv.podUID,
        });
        this.unmountedPods.add(mv.podUID);
        this.#run('UnmountVolume', () => executor.unmountVolume(mv, asw));
      }
    }
  }

  #mountOrAttachVolumes(names: Iterable<string>, unsettled: Set<string>): void {
    const { asw, dsw, executor } = this.#o;
    for (const name of names) {
      for (const v of dsw.getVolumesToMountOf(name)) {
        if (v.nodeExpansionPending === true) unsettled.add(name);
        if (executor.isOperationPending(v.volumeName, EmptyUniquePodName, EmptyNodeName)) {
          unsettled.add(name);
          continue;
        }
        let state: ReturnType<ActualStateOfWorld['podExistsInVolume']>;
        try {
          state = asw.podExistsInVolume(v.podName, v.volumeName);
        } catch (err) {
          unsettled.add(name);
          if (isVolumeNotAttachedError(err)) this.#waitForVolumeAttach(v);
          continue;
        }
        v.devicePath = state.devicePath;
        if (!state.exists || state.remountRequired) {
          unsettled.add(name);
          const isRemount = state.remountRequired;
          this.#run('MountVolume', () => executor.mountVolume(v, asw, isRemount));
          continue;
        }
        if (v.nodeExpansionPending === true) {
          const currentSize = asw.volumeNeedsExpansion(v.volumeName, v.desiredPersistentVolumeSize);
          if (currentSize !== undefined) {
            log.v(4, 'Starting operationExecutor.ExpandInUseVolume', { volumeName: v.volumeName });
            this.#run('ExpandInUseVolume', () => executor.expandInUseVolume(v, asw, currentSize));
          }
        }
      }
    }
  }

  #waitForVolumeAttach(v: VolumeToMount): void {
    const { asw, executor, nodeName } = this.#o;
    if (this.#controllerAttachDetach || !v.pluginIsAttachable) {
      if (v.pluginIsAttachable && !v.reportedInUse) return;
      this.#run('VerifyControllerAttachedVolume', () =>
        executor.verifyControllerAttachedVolume(v, nodeName, asw),
      );
      return;
    }
    // Kubelet-managed attach: no attach/detach controller manages this node.
    log.v(5, 'Starting operationExecutor.AttachVolume', { volumeName: v.volumeName, pod: v.podName });
    this.#run('AttachVolume', () =>
      executor.attachVolume(
        { volumeName: v.volumeName, volumeSpec: v.volumeSpec, nodeName, scheduledPods: [v.pod] },
        asw,
      ),
    );
  }

  #unmountDetachDevices(names: Iterable<string>, unsettled: Set<string>): void {
    const { asw, dsw, executor, nodeName } = this.#o;
    for (const name of names) {
      const av = asw.getUnmountedVolume(name);
      if (av === undefined || dsw.volumeExists(av.volumeName)) continue;
      unsettled.add(name);
      if (executor.isOperationPending(av.volumeName, EmptyUniquePodName, EmptyNodeName)) continue;
      if (deviceMayBeMounted(av)) {
        this.#run('UnmountDevice', () => executor.unmountDevice(av, asw));
      } else if (this.#controllerAttachDetach || !av.pluginIsAttachable) {
        // Forget it: the attach/detach controller detaches once it leaves volumesInUse.
        this.#run('MarkVolumeAsDetached', () => asw.markVolumeAsDetached(av.volumeName, nodeName));
      } else {
        // Kubelet-managed detach.
        log.v(5, 'Starting operationExecutor.DetachVolume', { volumeName: av.volumeName });
        this.#run('DetachVolume', () => executor.detachVolume(av, asw));
      }
    }
  }

  #cleanOrphanVolumes(): void {
    if (this.#volumesFailedReconstruction.length === 0) return;
    const failed = this.#volumesFailedReconstruction;
    this.#volumesFailedReconstruction = [];
    for (const v of failed) {
      if (this.#o.dsw.volumeExistsWithSpecName(v.podName, v.volumeSpecName)) continue;
      const metrics = reconstructionCounters();
      metrics.forceCleaned.inc();
      void this.#cleanupMounts(v).then((cleaned) => {
        if (!cleaned) metrics.forceCleanedErrors.inc();
      });
    }
  }

  /**
   * Tears down a volume that could not be reconstructed, if its plugin is known; else unmounts it.
   * Resolves false when the mount could not be cleaned up.
   */
  async #cleanupMounts(v: PodVolume): Promise<boolean> {
    log.v(2, 'could not find volume information in desired state, clean up the mount points', {
      podName: v.podName,
      volumeSpecName: v.volumeSpecName,
    });
    if (v.volumeMode === 'Block') return this.#cleanupBlock(v);
    let cleaned = true;
    try {
      const plugin = this.#o.pluginMgr.findPluginByName(v.pluginName);
      await plugin.newUnmounter(v.volumeSpecName, v.podName).tearDown();
    } catch (err) {
      try {
        const mounted = (await this.#o.mounter.list()).some((m) => m.path === v.volumePath);
        if (mounted) await this.#o.mounter.unmount(v.volumePath);
      } catch (e) {
        cleaned = false;
        log.error('failed to clean up volume that could not be reconstructed', e, {
          path: v.volumePath,
          cause: errMsg(err),
        });
      }
    }
    this.unmountedPods.add(v.podName);
    return cleaned;
  }

  /**
   * A block volume that could not be reconstructed: its per-pod bind mount (when the plugin is known
   * and can say where) and the pod's symlink go; the plugin's own state cannot be undone without it.
   */
  async #cleanupBlock(v: PodVolume): Promise<boolean> {
    const h = new BlockVolumePathHandler(this.#o.mounter);
    try {
      const plugin = this.#o.pluginMgr.findPluginByName(v.pluginName);
      if (isBlockVolumePlugin(plugin)) {
        const unmapper = plugin.newBlockVolumeUnmapper(v.volumeSpecName, v.podName);
        const spec = await plugin.constructBlockVolumeSpec(v.podName, v.volumeSpecName, v.volumePath);
        await h.unmapDevice(await unmapper.getGlobalMapPath(spec), v.podName, true);
        await unmapper.unmapPodDevice?.();
      }
      const st = await lstat(v.volumePath).catch(() => undefined);
      if (st !== undefined && !st.isDirectory()) {
        const parts = v.volumePath.split('/');
        await h.unmapDevice(parts.slice(0, -1).join('/'), parts[parts.length - 1] ?? '', false);
      }
    } catch (err) {
      if (await this.#removeUnmappedMarker(v, err)) {
        this.unmountedPods.add(v.podName);
        return true;
      }
      log.error('failed to clean up block volume that could not be reconstructed', err, {
        path: v.volumePath,
      });
      this.#volumesFailedReconstruction.push(v);
      return false;
    }
    this.unmountedPods.add(v.podName);
    return true;
  }

  /**
   * The pod's volumeDevices marker is written before the plugin sets anything up; an agent killed in
   * between leaves a marker whose plugin data is missing. When the cleanup failed because that data
   * does not exist and nothing is mounted at the marker or under the per-pod map path it links to,
   * nothing was set up for the pod: the marker goes (if the orphan cleanup has not removed it already)
   * and the volume counts as cleaned. Returns whether it did so.
   */
  async #removeUnmappedMarker(v: PodVolume, err: unknown): Promise<boolean> {
    if (!causedByNotExist(err)) return false;
    try {
      const st = await lstat(v.volumePath).catch((e: unknown) => {
        if (isNotExistError(e)) return undefined;
        throw e;
      });
      if (st !== undefined) {
        if (!st.isSymbolicLink()) return false;
        const mapPath = resolve(dirname(v.volumePath), await readlink(v.volumePath));
        const target = await stat(v.volumePath).catch(() => undefined);
        // A link to a device is a finished map, not a marker.
        if (target?.isBlockDevice() === true) return false;
        const busy = (await this.#o.mounter.list()).find(
          (m) => m.path === v.volumePath || m.path === mapPath || m.path.startsWith(`${mapPath}/`),
        );
        if (busy !== undefined) return false;
        await rm(v.volumePath, { force: true });
      }
    } catch (e) {
      log.v(4, 'cannot remove block volume marker', { path: v.volumePath, err: errMsg(e) });
      return false;
    }
    log.info('cleaned up the block volume marker of a volume that was never set up', {
      podName: v.podName,
      volumeSpecName: v.volumeSpecName,
      path: v.volumePath,
    });
    return true;
  }

  #updateReconstructedFromNodeStatus(): void {
    const getNode = this.#o.getNode;
    const names = this.#volumesNeedUpdateFromNodeStatus ?? [];
    if (getNode === undefined) {
      this.#volumesNeedUpdateFromNodeStatus = undefined;
      return;
    }
    if (this.#updatingFromNodeStatus) return;
    this.#updatingFromNodeStatus = true;
    void getNode()
      .then((node) => {
        for (const name of names) {
          const av = this.#o.asw.getAttachedVolume(name);
          if (av === undefined) continue;
          const listed = node.status?.volumesAttached?.find((a) => a.name === name);
          // Listed: attached, with its device path. Not listed: attachable plugins stay uncertain
          // (verified again before a mount); others need no attach.
          if (listed !== undefined || !av.pluginIsAttachable) {
            this.#o.asw.markVolumeAsAttached(
              name,
              av.volumeSpec,
              this.#o.nodeName,
              listed?.devicePath ?? av.devicePath,
            );
          }
        }
        this.#volumesNeedUpdateFromNodeStatus = undefined;
      })
      .catch((err: unknown) => log.v(2, 'cannot read node status yet', { err: errMsg(err) }))
      .finally(() => {
        this.#updatingFromNodeStatus = false;
      });
  }

  /**
   * Rebuilds the ASW from the pod directories (upstream reconstructVolumes): every volume found that is
   * not in the ASW yet is added as attach-uncertain with an uncertain mount for its pod (and an
   * uncertain device mount for device-mountable plugins).
   */
  async reconstructVolumes(): Promise<void> {
    const { asw, pluginMgr } = this.#o;
    const found = await getVolumesFromPodDir(this.#o.podsDir);
    const names: string[] = [];
    const attachableNames: string[] = [];
    const deviceMountPaths = new Map<string, string>();
    for (const v of found) {
      if (asw.volumeExistsWithSpecName(v.podName, v.volumeSpecName)) continue;
      const metrics = reconstructionCounters();
      metrics.operations.inc();
      try {
        const plugin = pluginMgr.findPluginByName(v.pluginName);
        const block = v.volumeMode === 'Block';
        if (block && !isBlockVolumePlugin(plugin)) {
          throw new Error(`plugin ${plugin.name} does not support block volumes`);
        }
        const spec: Spec =
          block && isBlockVolumePlugin(plugin)
            ? await plugin.constructBlockVolumeSpec(v.podName, v.volumeSpecName, v.volumePath)
            : (await plugin.constructVolumeSpec(v.volumeSpecName, v.volumeDir)).spec;
        const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { uid: v.podName } };
        const name = desiredUniqueVolumeName(plugin, spec, v.podName, pluginMgr);
        const mapper =
          block && isBlockVolumePlugin(plugin) ? plugin.newBlockVolumeMapper(spec, pod) : undefined;
        const mounter =
          mapper === undefined
            ? plugin.newMounter(spec, pod, { outerVolumeName: v.volumeSpecName })
            : undefined;
        // Only attachable volumes wait for node.status.volumesAttached; the others need no attach.
        const attachable = pluginMgr.findAttachablePluginBySpec(spec) !== undefined;
        if (attachable) asw.addAttachUncertainReconstructedVolume(name, spec, '');
        else asw.markVolumeAsAttached(name, spec, this.#o.nodeName, '');
        asw.markVolumeMountAsUncertain({
          podName: v.podName,
          podUID: v.podName,
          volumeName: name,
          ...(mounter === undefined ? {} : { mounter }),
          ...(mapper === undefined ? {} : { blockVolumeMapper: mapper }),
          outerVolumeSpecNames: [v.volumeSpecName],
          volumeGIDValue: '',
          volumeSpec: spec,
          volumeMountState: VolumeMountState.VolumeMountUncertain,
        });
        asw.markVolumeReconstructed(name, v.podName);
        const dm = pluginMgr.findDeviceMountablePluginBySpec(spec);
        if (mapper !== undefined) {
          // Every block volume has its global map path as its "device mount".
          if (!deviceMountPaths.has(name)) {
            const path = await mapper.getGlobalMapPath(spec);
            deviceMountPaths.set(name, path);
            asw.markDeviceAsUncertain(name, '', path);
          }
        } else if (dm !== undefined && isDeviceMountableVolumePlugin(dm) && !deviceMountPaths.has(name)) {
          const path = await dm.newDeviceMounter().getDeviceMountPath(spec);
          deviceMountPaths.set(name, path);
          asw.markDeviceAsUncertain(name, '', path);
        }
        names.push(name);
        if (attachable) attachableNames.push(name);
        log.v(2, 'Volume reconstructed', { podUID: v.podName, volumeName: name, specName: specName(spec) });
      } catch (err) {
        metrics.errors.inc();
        log.info('Could not construct volume information', {
          podName: v.podName,
          volumeSpecName: v.volumeSpecName,
          err: errMsg(err),
        });
        this.#volumesFailedReconstruction.push(v);
      }
    }
    if (attachableNames.length > 0) {
      this.#volumesNeedReportedInUse = attachableNames;
      this.#volumesNeedUpdateFromNodeStatus = attachableNames;
    }
  }
}
