// The operation executor (upstream operation_executor.go + operation_generator.go, kubelet side): builds
// mount, unmount, unmountDevice and verifyControllerAttached operations — and attach/detach for a node
// whose attach is kubelet-managed — from the plugins and runs them
// through NestedPendingOperations, reporting each outcome to the actual state of the world, recording
// events on the pod and the storage_operation_duration_seconds histogram.
//
// Raw block volumes (a PV with volumeMode Block used through container volumeDevices) are mapped
// instead of mounted (upstream GenerateMapVolumeFunc / GenerateUnmapVolumeFunc /
// GenerateUnmapDeviceFunc): setUpDevice once per node, mapPodDevice per pod, then the bind mount at
// `<globalMapPath>/<podUID>` and the pod's symlink (volumepathhandler.ts). Node expansion runs offline
// inside a mount (right after mountDevice, or after setUp) and online as its own volume_fs_resize
// operation (nodeexpand.ts).
//
// Crash safety of block volumes: the pod's symlink is the marker reconstruction finds after a
// restart, so it is created (pointing at the future per-pod bind mount) before setUpDevice and
// mapPodDevice run, and removed last on unmap, after unmapPodDevice.
//
// Concurrency rule: one operation per volume at a time for attachable or device-mountable volumes and
// for block volumes (their mounts run with an empty pod name); mounts of other volumes are keyed per
// pod, and unmounts are always keyed per pod, so different pods' set-ups of such volumes run in
// parallel.
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Node, Pod } from '../../../api/index.ts';
import { type Client, type EventRecorder, EventTypeNormal, EventTypeWarning } from '../../../client/index.ts';
import { type Clock, logger, realClock } from '../../../component/index.ts';
import {
  type AttachableVolumePlugin,
  isAttachableVolumePlugin,
  isBlockVolumePlugin,
  isDeviceMountableVolumePlugin,
  type VolumePlugin,
  type VolumePluginMgr,
} from '../../plugins.ts';
import {
  type BlockVolumeMapper,
  type BlockVolumeUnmapper,
  isTransientOperationFailure,
  isUncertainProgressError,
  type Mounter,
  type MounterArgs,
  type Spec,
  specName,
} from '../../volume.ts';
import type { MountInterface } from '../mount/index.ts';
import {
  FailedAttachVolume,
  FailedMapVolume,
  FailedMountVolume,
  SuccessfulAttachVolume,
  SuccessfulMountVolume,
} from './events.ts';
import { fullQualifiedPluginNameForVolume, observeOperation } from './metrics.ts';
import {
  EmptyNodeName,
  EmptyUniquePodName,
  type GeneratedOperation,
  NestedPendingOperations,
  type OperationKey,
} from './nestedpendingoperations.ts';
import {
  compareSizes,
  type NodeExpandOutcome,
  nodeExpandablePluginFor,
  nodeExpandVolume,
} from './nodeexpand.ts';
import {
  type ActualStateOfWorldUpdater,
  type AttachedVolume,
  DeviceMountState,
  generateError,
  generateVolumeMsg,
  isBlockVolumeSpec,
  type MarkVolumeOpts,
  type MountedVolume,
  type OperationError,
  OperationName,
  VolumeMountState,
  type VolumeToAttach,
  type VolumeToMount,
} from './types.ts';
import {
  BlockVolumePathHandler,
  mapBlockVolume,
  replaceSymlink,
  unmapBlockVolume,
} from './volumepathhandler.ts';

const log = logger('operationexecutor');

/** Builds an operation's error from the step that failed (generateError with the volume and details). */
type Fail = (prefix: string, err: unknown) => OperationError;

/** Passed to Attacher.waitForAttach inside a mount (upstream waitForAttachTimeout, 10 min). */
export const defaultWaitForAttachTimeoutMs = 10 * 60_000;

export interface OperationExecutorOptions {
  pluginMgr: VolumePluginMgr;
  recorder: EventRecorder;
  clock?: Clock;
  /** Reads this node from the API (verifyControllerAttachedVolume checks status.volumesAttached). */
  getNode?: () => Promise<Node>;
  waitForAttachTimeoutMs?: number;
  /** Called after every operation finished, after the ASW was updated (the reconciler wakes on it). */
  onOperationComplete?: (key: OperationKey, err: unknown) => void;
  /** Reads and updates claims for node expansion; without it no expansion runs. */
  client?: Client;
  /** Bind mounts of block volumes; default the plugin host's mounter. */
  mounter?: MountInterface;
}

/** Not an uncertain or transient failure: the operation is known to have left nothing behind. */
function isOperationFinishedError(err: unknown): boolean {
  return !isUncertainProgressError(err) && !isTransientOperationFailure(err);
}

function podDetails(v: VolumeToMount): string {
  return `(UniqueName: ${JSON.stringify(v.volumeName)}) pod ${JSON.stringify(v.pod.metadata.name ?? '')} (UID: ${JSON.stringify(v.pod.metadata.uid ?? '')})`;
}

function mountedDetails(v: MountedVolume): string {
  return `(UniqueName: ${JSON.stringify(v.volumeName)}) pod ${JSON.stringify(v.podName)} (UID: ${JSON.stringify(v.podUID)})`;
}

function attachedDetails(v: AttachedVolume): string {
  return `(UniqueName: ${JSON.stringify(v.volumeName)}) on node ${JSON.stringify(v.nodeName)}`;
}

/** The pod's mounter arguments: fsGroup and its change policy, the emptyDir size limit. */
export function mounterArgsFor(pod: Pod, v: Pick<VolumeToMount, 'desiredSizeLimit'>): MounterArgs {
  const sc = pod.spec?.securityContext;
  const args: { -readonly [K in keyof MounterArgs]: MounterArgs[K] } = {};
  if (sc?.fsGroup !== undefined) args.fsGroup = sc.fsGroup;
  if (sc?.fsGroupChangePolicy !== undefined) args.fsGroupChangePolicy = sc.fsGroupChangePolicy;
  if (sc?.runAsUser !== undefined) args.fsUser = sc.runAsUser;
  if (v.desiredSizeLimit !== undefined) args.desiredSize = v.desiredSizeLimit;
  return args;
}

/**
 * Records a failed set-up in the ASW (upstream markVolumeErrorState): a final error on an uncertain
 * mount forgets the pod's mount; an uncertain error on an unmounted one makes it uncertain.
 */
function markVolumeErrorState(asw: ActualStateOfWorldUpdater, opts: MarkVolumeOpts, err: unknown): void {
  const state = asw.getVolumeMountState(opts.volumeName, opts.podName);
  if (isOperationFinishedError(err) && state === VolumeMountState.VolumeMountUncertain) {
    asw.markVolumeAsUnmounted(opts.podName, opts.volumeName);
  } else if (isUncertainProgressError(err) && state === VolumeMountState.VolumeNotMounted) {
    asw.markVolumeMountAsUncertain(asUncertain(opts));
  }
}

/** A mount's ASW entry in the uncertain state (set up or torn down only in part). */
function asUncertain(opts: MarkVolumeOpts): MarkVolumeOpts {
  return { ...opts, volumeMountState: VolumeMountState.VolumeMountUncertain };
}

/** The ASW entry of a pod's volume being set up: mounted with `user` (its mounter or block mapper). */
function mountOpts(
  v: VolumeToMount,
  user: { mounter: Mounter } | { blockVolumeMapper: BlockVolumeMapper },
): MarkVolumeOpts {
  return {
    podName: v.podName,
    podUID: v.pod.metadata.uid ?? v.podName,
    volumeName: v.volumeName,
    ...user,
    outerVolumeSpecNames: v.outerVolumeSpecNames,
    volumeGIDValue: v.volumeGIDValue,
    volumeSpec: v.volumeSpec,
    volumeMountState: VolumeMountState.VolumeMounted,
  };
}

/** The uncertain ASW entry of a pod's volume whose tear-down (unmount or unmap) is under way or failed. */
function uncertainTearDownOpts(v: MountedVolume): MarkVolumeOpts {
  return {
    podName: v.podName,
    podUID: v.podUID,
    volumeName: v.volumeName,
    outerVolumeSpecNames: v.outerVolumeSpecNames,
    volumeGIDValue: v.volumeGIDValue,
    volumeSpec: v.volumeSpec,
    volumeMountState: VolumeMountState.VolumeMountUncertain,
  };
}

/** The log line of a pod's volume torn down (`prefix`: UnmountVolume.TearDown or UnmapVolume). */
function tornDownMsg(prefix: string, v: MountedVolume, outer: string): string {
  return `${prefix} succeeded for volume ${JSON.stringify(v.volumeName)} (OuterVolumeSpecName: ${JSON.stringify(outer)}) pod ${JSON.stringify(v.podName)} (UID: ${JSON.stringify(v.podUID)}). InnerVolumeSpecName ${JSON.stringify(v.innerVolumeSpecName)}. PluginName ${JSON.stringify(v.pluginName)}, VolumeGIDValue ${JSON.stringify(v.volumeGIDValue)}`;
}

/** An eventRecorderFunc: on failure, a warning `reason` event with the error's message on each pod. */
function warnOnFailure(
  recorder: EventRecorder,
  pods: readonly Pod[],
  reason: string,
): (err: unknown) => void {
  return (err) => {
    if (err === undefined) return;
    const message = err instanceof Error ? err.message : String(err);
    for (const pod of pods) recorder.event(pod, EventTypeWarning, reason, message);
  };
}

/** The device counterpart of markVolumeErrorState (upstream markDeviceErrorState). */
function markDeviceErrorState(
  asw: ActualStateOfWorldUpdater,
  volumeName: string,
  devicePath: string,
  deviceMountPath: string,
  err: unknown,
): void {
  const state = asw.getDeviceMountState(volumeName);
  if (isOperationFinishedError(err) && state === DeviceMountState.DeviceMountUncertain) {
    asw.markDeviceAsUnmounted(volumeName);
  } else if (isUncertainProgressError(err) && state === DeviceMountState.DeviceNotMounted) {
    asw.markDeviceAsUncertain(volumeName, devicePath, deviceMountPath);
  }
}

/** Makes the pod's device entry exist (a link to the future per-pod bind mount) if nothing is there. */
async function ensureMapMarker(dir: string, name: string, target: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o750 });
  try {
    await lstat(join(dir, name));
  } catch {
    await replaceSymlink(target, join(dir, name));
  }
}

export class OperationExecutor {
  readonly #mgr: VolumePluginMgr;
  readonly #recorder: EventRecorder;
  readonly #getNode: (() => Promise<Node>) | undefined;
  readonly #waitForAttachTimeoutMs: number;
  readonly #client: Client | undefined;
  readonly #mounter: MountInterface | undefined;
  readonly pendingOperations: NestedPendingOperations;

  constructor(opts: OperationExecutorOptions) {
    this.#mgr = opts.pluginMgr;
    this.#recorder = opts.recorder;
    this.#getNode = opts.getNode;
    this.#client = opts.client;
    this.#mounter = opts.mounter;
    this.#waitForAttachTimeoutMs = opts.waitForAttachTimeoutMs ?? defaultWaitForAttachTimeoutMs;
    const o: { clock: Clock; onComplete?: (key: OperationKey, err: unknown) => void } = {
      clock: opts.clock ?? realClock,
    };
    if (opts.onOperationComplete !== undefined) o.onComplete = opts.onOperationComplete;
    this.pendingOperations = new NestedPendingOperations(o);
  }

  isOperationPending(volumeName: string, podName: string, nodeName: string): boolean {
    return this.pendingOperations.isOperationPending(volumeName, podName, nodeName);
  }

  isOperationSafeToRetry(
    volumeName: string,
    podName: string,
    nodeName: string,
    operationName: string,
  ): boolean {
    return this.pendingOperations.isOperationSafeToRetry(volumeName, podName, nodeName, operationName);
  }

  /** Resolves when no operation is running. */
  wait(): Promise<void> {
    return this.pendingOperations.wait();
  }

  /**
   * Mounts (sets up) a volume for a pod: waits for attach, mounts the device globally when the plugin
   * is device-mountable and the device is not mounted yet, then SetUp. Throws synchronously when an
   * operation for the volume is pending or backing off.
   */
  mountVolume(v: VolumeToMount, asw: ActualStateOfWorldUpdater, isRemount: boolean): void {
    const block = isBlockVolumeSpec(v.volumeSpec);
    const shared = v.pluginIsAttachable || v.pluginIsDeviceMountable || block;
    const podName = shared ? EmptyUniquePodName : v.podName;
    const op = block ? this.#generateMap(v, asw) : this.#generateMount(v, asw, isRemount);
    this.pendingOperations.run(v.volumeName, podName, EmptyNodeName, op);
  }

  /**
   * Tears a pod's volume down (TearDown, or unmap for a block volume) and marks it unmounted. Per
   * pod: pods run in parallel.
   */
  unmountVolume(v: MountedVolume, asw: ActualStateOfWorldUpdater): void {
    const op = isBlockVolumeSpec(v.volumeSpec) ? this.#generateUnmap(v, asw) : this.#generateUnmount(v, asw);
    this.pendingOperations.run(v.volumeName, v.podUID, EmptyNodeName, op);
  }

  /**
   * Unmounts a device-mountable volume's global mount (or tears a block volume's device down) once no
   * pod uses it.
   */
  unmountDevice(v: AttachedVolume, asw: ActualStateOfWorldUpdater): void {
    const op = isBlockVolumeSpec(v.volumeSpec)
      ? this.#generateUnmapDevice(v, asw)
      : this.#generateUnmountDevice(v, asw);
    this.pendingOperations.run(v.volumeName, EmptyUniquePodName, EmptyNodeName, op);
  }

  /**
   * Grows the filesystem of a mounted volume whose PV grew (online expansion, operation
   * volume_fs_resize); `currentSize` is the size the ASW recorded. One per volume at a time.
   */
  expandInUseVolume(v: VolumeToMount, asw: ActualStateOfWorldUpdater, currentSize: string): void {
    this.pendingOperations.run(
      v.volumeName,
      EmptyUniquePodName,
      EmptyNodeName,
      this.#generateExpandInUse(v, asw, currentSize),
    );
  }

  /**
   * Marks a volume attached: at once for non-attachable plugins; for attachable ones only once the
   * volume was reported in use and node.status.volumesAttached lists it.
   */
  verifyControllerAttachedVolume(v: VolumeToMount, nodeName: string, asw: ActualStateOfWorldUpdater): void {
    this.pendingOperations.run(
      v.volumeName,
      EmptyUniquePodName,
      EmptyNodeName,
      this.#generateVerifyControllerAttached(v, nodeName, asw),
    );
  }

  /**
   * Attaches a volume to this node (kubelet-managed attach, when no attach/detach controller manages
   * the node) and marks it attached with the device path the plugin returns. One per volume at a time.
   */
  attachVolume(v: VolumeToAttach, asw: ActualStateOfWorldUpdater): void {
    this.pendingOperations.run(v.volumeName, EmptyUniquePodName, EmptyNodeName, this.#generateAttach(v, asw));
  }

  /**
   * Detaches a volume no pod on this node uses any more (kubelet-managed detach) and forgets it. One
   * per volume at a time.
   */
  detachVolume(v: AttachedVolume, asw: ActualStateOfWorldUpdater): void {
    this.pendingOperations.run(v.volumeName, EmptyUniquePodName, EmptyNodeName, this.#generateDetach(v, asw));
  }

  #pluginFor(spec: Spec): VolumePlugin | undefined {
    try {
      return this.#mgr.findPluginBySpec(spec);
    } catch {
      return undefined;
    }
  }

  /** An operation recording its outcome in storage_operation_duration_seconds under `plugin`. */
  #operation(
    operationName: string,
    plugin: VolumePlugin | undefined,
    spec: Spec,
    operationFunc: () => Promise<void>,
    eventRecorderFunc?: (err: unknown) => void,
  ): GeneratedOperation {
    const name = plugin === undefined ? '' : fullQualifiedPluginNameForVolume(plugin.name, spec);
    return {
      operationName,
      operationFunc,
      ...(eventRecorderFunc === undefined ? {} : { eventRecorderFunc }),
      completeFunc: (err, durationMs) => observeOperation(name, operationName, err, durationMs),
    };
  }

  /** The plugin for `spec` inside an operation; `prefix` names the step in the error. */
  #findPluginBySpec(spec: Spec, fail: Fail, prefix: string): VolumePlugin {
    try {
      return this.#mgr.findPluginBySpec(spec);
    } catch (err) {
      throw fail(prefix, err);
    }
  }

  /** The plugin named `name` inside an operation; `prefix` names the step in the error. */
  #findPluginByName(name: string, fail: Fail, prefix: string): VolumePlugin {
    try {
      return this.#mgr.findPluginByName(name);
    } catch (err) {
      throw fail(prefix, err);
    }
  }

  /** #findPluginByName, of the kind `is` accepts (else an error with `prefix` saying `notKind`). */
  #findPluginOfKind<P extends VolumePlugin>(
    name: string,
    fail: Fail,
    prefix: string,
    is: (p: VolumePlugin) => p is P,
    notKind: string,
  ): P {
    const p = this.#findPluginByName(name, fail, prefix);
    if (!is(p)) throw fail(prefix, new Error(notKind));
    return p;
  }

  /** Waits for the device of an attachable volume inside a mount or map; resolves to its path. */
  async #waitForAttach(
    p: AttachableVolumePlugin,
    v: VolumeToMount,
    fail: Fail,
    prefix: string,
  ): Promise<string> {
    try {
      return await p
        .newAttacher()
        .waitForAttach(v.volumeSpec, v.devicePath, v.pod, this.#waitForAttachTimeoutMs);
    } catch (err) {
      throw fail(prefix, err);
    }
  }

  #generateMount(v: VolumeToMount, asw: ActualStateOfWorldUpdater, isRemount: boolean): GeneratedOperation {
    const spec = v.volumeSpec;
    const name = specName(spec);
    const details = podDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, name, details);
    const plugin = this.#pluginFor(spec);
    const operationFunc = async (): Promise<void> => {
      const p = this.#findPluginBySpec(spec, fail, 'MountVolume.FindPluginBySpec failed');
      let mounter: ReturnType<VolumePlugin['newMounter']>;
      try {
        const outer = v.outerVolumeSpecNames[0];
        mounter = p.newMounter(spec, v.pod, outer === undefined ? {} : { outerVolumeName: outer });
      } catch (err) {
        throw fail('MountVolume.NewMounter initialization failed', err);
      }
      let devicePath = v.devicePath;
      if (isAttachableVolumePlugin(p) && p.canAttach(spec)) {
        devicePath = await this.#waitForAttach(p, v, fail, 'MountVolume.WaitForAttach failed');
      }
      let resizeDone = false;
      let resizedTo: string | undefined;
      if (isDeviceMountableVolumePlugin(p) && p.canDeviceMount(spec)) {
        const deviceMounter = p.newDeviceMounter();
        let deviceMountPath: string;
        try {
          deviceMountPath = await deviceMounter.getDeviceMountPath(spec);
        } catch (err) {
          throw fail('MountVolume.GetDeviceMountPath failed', err);
        }
        if (asw.getDeviceMountState(v.volumeName) !== DeviceMountState.DeviceGloballyMounted) {
          const sc = v.pod.spec?.securityContext;
          try {
            await deviceMounter.mountDevice(
              spec,
              devicePath,
              deviceMountPath,
              sc?.fsGroup === undefined ? {} : { fsGroup: sc.fsGroup },
            );
          } catch (err) {
            markDeviceErrorState(asw, v.volumeName, devicePath, deviceMountPath, err);
            throw fail('MountVolume.MountDevice failed', err);
          }
          asw.markDeviceAsMounted(v.volumeName, devicePath, deviceMountPath);
          const msg = generateVolumeMsg(
            'MountVolume.MountDevice succeeded',
            `device mount path ${JSON.stringify(deviceMountPath)}`,
            name,
            details,
          );
          log.v(2, msg.detailed);
          this.#recorder.event(v.pod, EventTypeNormal, SuccessfulMountVolume, msg.simple);
          // Offline expansion right after staging (upstream: deprecated there, but still done).
          let outcome: NodeExpandOutcome;
          try {
            outcome = await this.#expandDuringMount(v, p, { devicePath, deviceMountPath });
          } catch (err) {
            throw fail('MountVolume.MountDevice failed while expanding volume', err);
          }
          resizeDone = outcome.kind !== 'notDone';
          if (outcome.kind === 'done') resizedTo = outcome.size;
        }
      }
      const markOpts = mountOpts(v, { mounter });
      try {
        await mounter.setUp(mounterArgsFor(v.pod, v));
      } catch (err) {
        markVolumeErrorState(asw, markOpts, err);
        throw fail('MountVolume.SetUp failed', err);
      }
      const msg = generateVolumeMsg('MountVolume.SetUp succeeded', '', name, details);
      // Logged, not an event: upstream's kubelet records SuccessfulMountVolume only for MountDevice.
      log.v(isRemount ? 4 : 1, msg.detailed);
      // Not done after staging (no device mount, or the plugin needs the published path): now.
      if (!resizeDone) {
        let outcome: NodeExpandOutcome;
        try {
          outcome = await this.#expandDuringMount(v, p, { devicePath, deviceMountPath: mounter.getPath() });
        } catch (err) {
          // Set up but not grown: uncertain, so the pod does not start and a deleted pod is torn down.
          asw.markVolumeMountAsUncertain(asUncertain(markOpts));
          throw fail('MountVolume.Setup failed while expanding volume', err);
        }
        if (outcome.kind === 'done') resizedTo = outcome.size;
      }
      try {
        asw.markVolumeAsMounted(markOpts);
        this.#recordSize(v, asw, resizedTo);
      } catch (err) {
        throw fail('MountVolume.MarkVolumeAsMounted failed', err);
      }
    };
    return this.#operation(
      OperationName.VolumeMount,
      plugin,
      spec,
      operationFunc,
      warnOnFailure(this.#recorder, [v.pod], FailedMountVolume),
    );
  }

  // ---- node expansion ------------------------------------------------------------------------------

  /**
   * Offline expansion inside a mount or map: grows the filesystem when the desired state saw the claim
   * waiting for the node (no API call otherwise). `notDone` asks for another try after SetUp.
   */
  async #expandDuringMount(
    v: VolumeToMount,
    p: VolumePlugin,
    paths: { devicePath: string; deviceMountPath: string },
  ): Promise<NodeExpandOutcome> {
    const ne = nodeExpandablePluginFor(p);
    if (ne === undefined || this.#client === undefined || v.volumeSpec.persistentVolume === undefined) {
      return { kind: 'notNeeded', size: undefined };
    }
    if (v.nodeExpansionPending !== true || compareSizes(v.claimSize, v.desiredPersistentVolumeSize) >= 0) {
      return { kind: 'notNeeded', size: undefined };
    }
    return nodeExpandVolume(
      {
        client: this.#client,
        recorder: this.#recorder,
        plugin: ne,
        spec: v.volumeSpec,
        podRef: v.pod,
        volumeName: specName(v.volumeSpec),
        devicePath: paths.devicePath,
        deviceMountPath: paths.deviceMountPath,
        ...(v.claimSize === undefined ? {} : { oldSize: v.claimSize }),
      },
      { requirePending: false },
    );
  }

  /** After a mount: the size the filesystem has (grown now, or the claim's when first known). */
  #recordSize(v: VolumeToMount, asw: ActualStateOfWorldUpdater, resizedTo: string | undefined): void {
    if (resizedTo !== undefined) asw.markVolumeAsResized(v.volumeName, resizedTo);
    else if (v.claimSize !== undefined) asw.initializeClaimSize(v.volumeName, v.claimSize);
  }

  #generateExpandInUse(
    v: VolumeToMount,
    asw: ActualStateOfWorldUpdater,
    currentSize: string,
  ): GeneratedOperation {
    const spec = v.volumeSpec;
    const name = specName(spec);
    const details = podDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, name, details);
    const plugin = this.#pluginFor(spec);
    const operationFunc = async (): Promise<void> => {
      const p = this.#findPluginBySpec(spec, fail, 'NodeExpandVolume.FindPluginBySpec failed');
      const ne = nodeExpandablePluginFor(p);
      if (ne === undefined) {
        throw fail(
          'NodeExpandVolume.FindPluginBySpec failed',
          new Error('plugin does not expand on the node'),
        );
      }
      const newSize = v.desiredPersistentVolumeSize;
      if (currentSize === '' || newSize === undefined || newSize === '') {
        throw fail(
          'NodeExpandvolume.expansion failed',
          new Error('current or new size of the volume is not set'),
        );
      }
      if (this.#client === undefined) {
        throw fail('NodeExpandVolume.NodeExpandVolume failed', new Error('no API client'));
      }
      // As upstream: a filesystem volume is grown at the pod's mount path (the plugin finds its
      // staging path itself), a block volume through the mapped device.
      let devicePath = v.devicePath;
      let deviceMountPath = '';
      if (isBlockVolumeSpec(spec)) {
        devicePath = asw.getDevicePath(v.volumeName) || devicePath;
      } else {
        try {
          deviceMountPath = p.newMounter(spec, v.pod, {}).getPath();
        } catch (err) {
          throw fail('NodeExpandVolume.NewMounter initialization failed', err);
        }
      }
      let outcome: NodeExpandOutcome;
      try {
        outcome = await nodeExpandVolume(
          {
            client: this.#client,
            recorder: this.#recorder,
            plugin: ne,
            spec,
            podRef: v.pod,
            volumeName: name,
            devicePath,
            deviceMountPath,
            oldSize: currentSize,
          },
          { requirePending: true, newSize },
        );
      } catch (err) {
        throw fail('NodeExpandVolume.NodeExpandVolume failed', err);
      }
      if (outcome.kind === 'notDone') {
        throw fail(
          'NodeExpandVolume.NodeExpandVolume failed to resize volume',
          new Error('volume resizing failed for unknown reason'),
        );
      }
      // Grown now, grown before (the claim says so), or nothing to grow (no claim, read-only): the
      // desired size is reached as far as this node can tell.
      asw.markVolumeAsResized(
        v.volumeName,
        outcome.kind === 'done' ? outcome.size : (outcome.size ?? newSize),
      );
      if (outcome.kind === 'done')
        log.info(`NodeExpandVolume succeeded for volume ${JSON.stringify(name)} ${details}`);
    };
    return this.#operation(OperationName.VolumeFsResize, plugin, spec, operationFunc);
  }

  // ---- raw block volumes ---------------------------------------------------------------------------

  #blockPaths(): BlockVolumePathHandler {
    const mounter = this.#mounter ?? this.#mgr.host?.getMounter();
    if (mounter === undefined) throw new Error('no mounter for block volumes');
    return new BlockVolumePathHandler(mounter);
  }

  #generateMap(v: VolumeToMount, asw: ActualStateOfWorldUpdater): GeneratedOperation {
    const spec = v.volumeSpec;
    const name = specName(spec);
    const details = podDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, name, details);
    const plugin = this.#pluginFor(spec);
    const operationFunc = async (): Promise<void> => {
      const p = this.#findPluginBySpec(spec, fail, 'MapVolume.FindMapperPluginBySpec failed');
      if (!isBlockVolumePlugin(p)) {
        throw fail(
          'MapVolume.FindMapperPluginBySpec failed to find BlockVolumeMapper plugin. Volume plugin is nil.',
          undefined,
        );
      }
      let mapper: BlockVolumeMapper;
      try {
        mapper = p.newBlockVolumeMapper(spec, v.pod);
      } catch (err) {
        throw fail('MapVolume.NewBlockVolumeMapper initialization failed', err);
      }
      const podUID = v.pod.metadata.uid ?? v.podName;
      let globalMapPath: string;
      try {
        globalMapPath = await mapper.getGlobalMapPath(spec);
      } catch (err) {
        throw fail('MapVolume.GetGlobalMapPath failed', err);
      }
      const [podMapDir, mapName] = mapper.getPodDeviceMapPath();
      let devicePath = v.devicePath;
      if (isAttachableVolumePlugin(p) && p.canAttach(spec)) {
        devicePath = await this.#waitForAttach(p, v, fail, 'MapVolume.WaitForAttach failed');
      }
      const h = this.#blockPaths();
      // The marker reconstruction finds, before anything is set up on the node.
      try {
        await ensureMapMarker(podMapDir, mapName, join(globalMapPath, podUID));
      } catch (err) {
        throw fail('MapVolume.MapBlockVolume failed', err);
      }
      let stagePath = '';
      if (asw.getDeviceMountState(v.volumeName) !== DeviceMountState.DeviceGloballyMounted) {
        if (mapper.setUpDevice !== undefined) {
          try {
            stagePath = await mapper.setUpDevice();
          } catch (err) {
            markDeviceErrorState(asw, v.volumeName, devicePath, globalMapPath, err);
            throw fail('MapVolume.SetUpDevice failed', err);
          }
        }
        try {
          asw.markDeviceAsMounted(v.volumeName, devicePath, globalMapPath);
          asw.setDeviceStagePath(v.volumeName, stagePath);
        } catch (err) {
          throw fail('MapVolume.MarkDeviceAsMounted failed', err);
        }
      } else {
        stagePath = asw.getDeviceStagePath(v.volumeName);
      }
      const markOpts = mountOpts(v, { blockVolumeMapper: mapper });
      let pluginDevicePath = '';
      if (mapper.mapPodDevice !== undefined) {
        try {
          pluginDevicePath = await mapper.mapPodDevice();
        } catch (err) {
          await this.#undoFinalMapFailure(h, asw, markOpts, err, globalMapPath, podMapDir, mapName);
          throw fail('MapVolume.MapPodDevice failed', err);
        }
      }
      // From here the device may be mapped for the pod: any failure leaves the mount uncertain, so it
      // is unmapped when the pod goes.
      try {
        if (pluginDevicePath !== '') devicePath = pluginDevicePath;
        if (devicePath === '')
          throw fail('MapVolume failed', new Error('device path of the volume is empty'));
        try {
          devicePath = await realpath(devicePath);
        } catch (err) {
          throw fail('MapVolume.EvalHostSymlinks failed', err);
        }
        if (asw.getDevicePath(v.volumeName) !== devicePath) {
          asw.markDeviceAsMounted(v.volumeName, devicePath, globalMapPath);
        }
        try {
          await mapBlockVolume(h, devicePath, globalMapPath, podMapDir, mapName, podUID);
        } catch (err) {
          throw fail('MapVolume.MapBlockVolume failed', err);
        }
        for (const suffix of [
          `globalMapPath ${JSON.stringify(globalMapPath)}`,
          `volumeMapPath ${JSON.stringify(podMapDir)}`,
        ]) {
          const msg = generateVolumeMsg('MapVolume.MapPodDevice succeeded', suffix, name, details);
          this.#recorder.event(v.pod, EventTypeNormal, SuccessfulMountVolume, msg.simple);
          log.v(1, msg.detailed);
        }
        let outcome: NodeExpandOutcome;
        try {
          outcome = await this.#expandDuringMount(v, p, { devicePath, deviceMountPath: '' });
        } catch (err) {
          throw fail('MapVolume.MarkVolumeAsMounted failed while expanding volume', err);
        }
        try {
          asw.markVolumeAsMounted(markOpts);
          this.#recordSize(v, asw, outcome.kind === 'done' ? outcome.size : undefined);
        } catch (err) {
          throw fail('MapVolume.MarkVolumeAsMounted failed', err);
        }
      } catch (err) {
        asw.markVolumeMountAsUncertain(asUncertain(markOpts));
        throw err;
      }
    };
    return this.#operation(
      OperationName.MapVolume,
      plugin,
      spec,
      operationFunc,
      warnOnFailure(this.#recorder, [v.pod], FailedMapVolume),
    );
  }

  /**
   * mapPodDevice failed. A final failure of a mount that was uncertain (reconstructed, or an earlier
   * timeout) means the pod does not have the device: whatever an earlier try mapped is removed before
   * the mount is forgotten; if that removal fails the mount stays uncertain.
   */
  async #undoFinalMapFailure(
    h: BlockVolumePathHandler,
    asw: ActualStateOfWorldUpdater,
    opts: MarkVolumeOpts,
    err: unknown,
    globalMapPath: string,
    podMapDir: string,
    mapName: string,
  ): Promise<void> {
    const uncertain =
      asw.getVolumeMountState(opts.volumeName, opts.podName) === VolumeMountState.VolumeMountUncertain;
    if (isOperationFinishedError(err) && uncertain) {
      try {
        await unmapBlockVolume(h, globalMapPath, podMapDir, mapName, opts.podUID);
      } catch (cleanupErr) {
        log.error('MapVolume: cleanup after a failed MapPodDevice failed', cleanupErr, {
          volume: opts.volumeName,
        });
        return;
      }
    }
    markVolumeErrorState(asw, opts, err);
  }

  #generateUnmap(v: MountedVolume, asw: ActualStateOfWorldUpdater): GeneratedOperation {
    const outer = v.outerVolumeSpecNames[0] ?? v.innerVolumeSpecName;
    const details = mountedDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, outer, details);
    const plugin = this.#pluginFor(v.volumeSpec);
    const operationFunc = async (): Promise<void> => {
      const p = this.#findPluginOfKind(
        v.pluginName,
        fail,
        'UnmapVolume.FindMapperPluginByName failed',
        isBlockVolumePlugin,
        'plugin does not map block volumes',
      );
      let unmapper: BlockVolumeUnmapper;
      try {
        unmapper = p.newBlockVolumeUnmapper(v.innerVolumeSpecName, v.podUID);
      } catch (err) {
        throw fail('UnmapVolume.NewUnmapper failed', err);
      }
      const [podMapDir, mapName] = unmapper.getPodDeviceMapPath();
      let globalUnmapPath = v.deviceMountPath;
      if (globalUnmapPath === '') {
        try {
          globalUnmapPath = await unmapper.getGlobalMapPath(v.volumeSpec);
        } catch (err) {
          throw fail('UnmapVolume.GetGlobalMapPath failed', err);
        }
      }
      // Uncertain until everything below succeeded, so a failure is retried.
      try {
        asw.markVolumeMountAsUncertain({
          ...uncertainTearDownOpts(v),
          ...(v.blockVolumeMapper === undefined ? {} : { blockVolumeMapper: v.blockVolumeMapper }),
        });
      } catch (err) {
        throw fail('UnmapVolume.MarkDeviceAsUncertain failed', err);
      }
      const h = this.#blockPaths();
      try {
        // The per-pod bind mount first; the pod's symlink (reconstruction's marker) only once the
        // plugin unmapped too.
        if (globalUnmapPath !== '') await h.unmapDevice(globalUnmapPath, v.podUID, true);
      } catch (err) {
        throw fail('UnmapVolume.UnmapBlockVolume failed', err);
      }
      if (unmapper.unmapPodDevice !== undefined) {
        try {
          await unmapper.unmapPodDevice();
        } catch (err) {
          throw fail('UnmapVolume.UnmapPodDevice failed', err);
        }
      }
      try {
        await h.unmapDevice(podMapDir, mapName, false);
      } catch (err) {
        throw fail('UnmapVolume.UnmapBlockVolume failed', err);
      }
      log.v(1, tornDownMsg('UnmapVolume', v, outer));
      try {
        asw.markVolumeAsUnmounted(v.podName, v.volumeName);
      } catch (err) {
        throw fail('UnmapVolume.MarkVolumeAsUnmounted failed', err);
      }
    };
    return this.#operation(OperationName.UnmapVolume, plugin, v.volumeSpec, operationFunc);
  }

  #generateUnmapDevice(v: AttachedVolume, asw: ActualStateOfWorldUpdater): GeneratedOperation {
    const name = specName(v.volumeSpec);
    const details = attachedDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, name, details);
    const plugin = this.#pluginFor(v.volumeSpec);
    const operationFunc = async (): Promise<void> => {
      const p = this.#findPluginOfKind(
        v.pluginName,
        fail,
        'UnmapDevice.FindMapperPluginByName failed',
        isBlockVolumePlugin,
        'plugin does not map block volumes',
      );
      let unmapper: BlockVolumeUnmapper;
      try {
        unmapper = p.newBlockVolumeUnmapper(name, '');
      } catch (err) {
        throw fail('UnmapDevice.NewBlockVolumeUnmapper initialization failed', err);
      }
      let globalMapPath = v.deviceMountPath;
      if (globalMapPath === '') {
        try {
          globalMapPath = await unmapper.getGlobalMapPath(v.volumeSpec);
        } catch (err) {
          throw fail('UnmapDevice.GetGlobalMapPath failed', err);
        }
      }
      const h = this.#blockPaths();
      let refs: string[];
      try {
        refs = await h.getDeviceBindMountRefs(v.devicePath, globalMapPath);
      } catch (err) {
        throw fail('UnmapDevice.GetDeviceBindMountRefs check failed', err);
      }
      if (refs.length > 0) {
        throw fail(
          'UnmapDevice failed',
          new Error(
            `the device ${JSON.stringify(globalMapPath)} is still referenced from other Pods [${refs.join(' ')}]`,
          ),
        );
      }
      try {
        asw.markDeviceAsUncertain(v.volumeName, v.devicePath, globalMapPath);
      } catch (err) {
        throw fail('UnmapDevice.MarkDeviceAsUncertain failed', err);
      }
      if (unmapper.tearDownDevice !== undefined) {
        try {
          await unmapper.tearDownDevice(globalMapPath, v.devicePath);
        } catch (err) {
          throw fail('UnmapDevice.TearDownDevice failed', err);
        }
      }
      try {
        await h.removeMapPath(globalMapPath);
      } catch (err) {
        throw fail('UnmapDevice.RemoveMapPath failed', err);
      }
      log.v(1, generateVolumeMsg('UnmapDevice succeeded', '', name, details).detailed);
      asw.markDeviceAsUnmounted(v.volumeName);
    };
    return this.#operation(OperationName.UnmapDevice, plugin, v.volumeSpec, operationFunc);
  }

  #generateUnmount(v: MountedVolume, asw: ActualStateOfWorldUpdater): GeneratedOperation {
    const outer = v.outerVolumeSpecNames[0] ?? v.innerVolumeSpecName;
    const details = mountedDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, outer, details);
    let plugin: VolumePlugin | undefined;
    try {
      plugin = this.#mgr.findPluginByName(v.pluginName);
    } catch {
      plugin = undefined;
    }
    const operationFunc = async (): Promise<void> => {
      const p = this.#findPluginByName(v.pluginName, fail, 'UnmountVolume.FindPluginByName failed');
      let unmounter: ReturnType<VolumePlugin['newUnmounter']>;
      try {
        unmounter = p.newUnmounter(v.innerVolumeSpecName, v.podUID);
      } catch (err) {
        throw fail('UnmountVolume.NewUnmounter failed', err);
      }
      try {
        await unmounter.tearDown();
      } catch (err) {
        asw.markVolumeMountAsUncertain(uncertainTearDownOpts(v));
        throw fail('UnmountVolume.TearDown failed', err);
      }
      log.v(1, tornDownMsg('UnmountVolume.TearDown', v, outer));
      try {
        asw.markVolumeAsUnmounted(v.podName, v.volumeName);
      } catch (err) {
        throw fail('UnmountVolume.MarkVolumeAsUnmounted failed', err);
      }
    };
    return this.#operation(OperationName.VolumeUnmount, plugin, v.volumeSpec, operationFunc);
  }

  #generateUnmountDevice(v: AttachedVolume, asw: ActualStateOfWorldUpdater): GeneratedOperation {
    const name = specName(v.volumeSpec);
    const details = attachedDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, name, details);
    const plugin = this.#pluginFor(v.volumeSpec);
    const operationFunc = async (): Promise<void> => {
      const p = this.#findPluginOfKind(
        v.pluginName,
        fail,
        'UnmountDevice.FindDeviceMountablePluginByName failed',
        isDeviceMountableVolumePlugin,
        'plugin is not device-mountable',
      );
      let refs: string[];
      try {
        refs = await p.getDeviceMountRefs(v.deviceMountPath);
      } catch (err) {
        throw fail('GetDeviceMountRefs check failed', err);
      }
      if (refs.length > 0) {
        throw fail(
          'GetDeviceMountRefs check failed',
          new Error('the device is in use when it was no longer expected to be in use'),
        );
      }
      try {
        await p.newDeviceUnmounter().unmountDevice(v.deviceMountPath);
      } catch (err) {
        asw.markDeviceAsUncertain(v.volumeName, v.devicePath, v.deviceMountPath);
        throw fail('UnmountDevice failed', err);
      }
      log.v(1, `UnmountDevice succeeded for volume ${JSON.stringify(name)} ${details}`);
      asw.markDeviceAsUnmounted(v.volumeName);
    };
    return this.#operation(OperationName.UnmountDevice, plugin, v.volumeSpec, operationFunc);
  }

  #generateVerifyControllerAttached(
    v: VolumeToMount,
    nodeName: string,
    asw: ActualStateOfWorldUpdater,
  ): GeneratedOperation {
    const name = specName(v.volumeSpec);
    const details = podDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, name, details);
    const plugin = this.#pluginFor(v.volumeSpec);
    const operationFunc = async (): Promise<void> => {
      if (!v.pluginIsAttachable) {
        try {
          asw.markVolumeAsAttached(v.volumeName, v.volumeSpec, nodeName, '');
        } catch (err) {
          throw fail('VerifyControllerAttachedVolume.MarkVolumeAsAttachedByUniqueVolumeName failed', err);
        }
        return;
      }
      if (!v.reportedInUse) {
        throw fail(
          "Volume has not been added to the list of VolumesInUse in the node's volume status",
          undefined,
        );
      }
      if (this.#getNode === undefined) {
        throw fail(
          'VerifyControllerAttachedVolume failed fetching node from API server',
          new Error('no API client'),
        );
      }
      let node: Node;
      try {
        node = await this.#getNode();
      } catch (err) {
        throw fail('VerifyControllerAttachedVolume failed fetching node from API server', err);
      }
      const attached = node.status?.volumesAttached?.find((a) => a.name === v.volumeName);
      if (attached === undefined) throw fail('Volume not attached according to node status', undefined);
      try {
        asw.markVolumeAsAttached(v.volumeName, v.volumeSpec, nodeName, attached.devicePath);
      } catch (err) {
        throw fail('VerifyControllerAttachedVolume.MarkVolumeAsAttached failed', err);
      }
    };
    return this.#operation(OperationName.VerifyControllerAttachedVolume, plugin, v.volumeSpec, operationFunc);
  }

  #generateAttach(v: VolumeToAttach, asw: ActualStateOfWorldUpdater): GeneratedOperation {
    const name = specName(v.volumeSpec);
    const details = `(UniqueName: ${JSON.stringify(v.volumeName)}) from node ${JSON.stringify(v.nodeName)}`;
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, name, details);
    const plugin = this.#pluginFor(v.volumeSpec);
    const operationFunc = async (): Promise<void> => {
      let p: ReturnType<VolumePluginMgr['findAttachablePluginBySpec']>;
      try {
        p = this.#mgr.findAttachablePluginBySpec(v.volumeSpec);
      } catch (err) {
        throw fail('AttachVolume.FindAttachablePluginBySpec failed', err);
      }
      if (p === undefined) throw fail('AttachVolume.FindAttachablePluginBySpec failed', undefined);
      let devicePath: string;
      try {
        devicePath = await p.newAttacher().attach(v.volumeSpec, v.nodeName);
      } catch (err) {
        throw fail('AttachVolume.Attach failed', err);
      }
      const msg = generateVolumeMsg('AttachVolume.Attach succeeded', '', name, details);
      for (const pod of v.scheduledPods)
        this.#recorder.event(pod, EventTypeNormal, SuccessfulAttachVolume, msg.simple);
      log.info(msg.detailed);
      try {
        asw.markVolumeAsAttached(v.volumeName, v.volumeSpec, v.nodeName, devicePath);
      } catch (err) {
        throw fail('AttachVolume.MarkVolumeAsAttached failed', err);
      }
    };
    return this.#operation(
      OperationName.VolumeAttach,
      plugin,
      v.volumeSpec,
      operationFunc,
      warnOnFailure(this.#recorder, v.scheduledPods, FailedAttachVolume),
    );
  }

  #generateDetach(v: AttachedVolume, asw: ActualStateOfWorldUpdater): GeneratedOperation {
    const name = specName(v.volumeSpec);
    const details = attachedDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, name, details);
    const plugin = this.#pluginFor(v.volumeSpec);
    const operationFunc = async (): Promise<void> => {
      const p = this.#findPluginOfKind(
        v.pluginName,
        fail,
        'DetachVolume.FindAttachablePluginByName failed',
        isAttachableVolumePlugin,
        'plugin is not attachable',
      );
      try {
        await p.newDetacher().detach(p.getVolumeName(v.volumeSpec), v.nodeName);
      } catch (err) {
        throw fail('DetachVolume.Detach failed', err);
      }
      log.info(generateVolumeMsg('DetachVolume.Detach succeeded', '', name, details).detailed);
      asw.markVolumeAsDetached(v.volumeName, v.nodeName);
    };
    return this.#operation(OperationName.VolumeDetach, plugin, v.volumeSpec, operationFunc);
  }
}
