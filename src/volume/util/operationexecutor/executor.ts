// The operation executor (upstream operation_executor.go + operation_generator.go, kubelet side): builds
// mount, unmount, unmountDevice and verifyControllerAttached operations — and attach/detach for a node
// whose attach is kubelet-managed — from the plugins and runs them
// through NestedPendingOperations, reporting each outcome to the actual state of the world, recording
// events on the pod and the storage_operation_duration_seconds histogram.
//
// Concurrency rule: one operation per volume at a time for attachable or device-mountable volumes
// (their mounts run with an empty pod name); mounts of other volumes are keyed per pod, and unmounts
// are always keyed per pod, so different pods' set-ups of such volumes run in parallel.
import type { Node, Pod } from '../../../api/index.ts';
import { type EventRecorder, EventTypeNormal, EventTypeWarning } from '../../../client/index.ts';
import { type Clock, logger, realClock } from '../../../component/index.ts';
import {
  isAttachableVolumePlugin,
  isDeviceMountableVolumePlugin,
  type VolumePlugin,
  type VolumePluginMgr,
} from '../../plugins.ts';
import {
  isTransientOperationFailure,
  isUncertainProgressError,
  type MounterArgs,
  type Spec,
  specName,
} from '../../volume.ts';
import {
  FailedAttachVolume,
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
  type ActualStateOfWorldUpdater,
  type AttachedVolume,
  DeviceMountState,
  generateError,
  generateVolumeMsg,
  type MarkVolumeOpts,
  type MountedVolume,
  OperationName,
  VolumeMountState,
  type VolumeToAttach,
  type VolumeToMount,
} from './types.ts';

const log = logger('operationexecutor');

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

export class OperationExecutor {
  readonly #mgr: VolumePluginMgr;
  readonly #recorder: EventRecorder;
  readonly #getNode: (() => Promise<Node>) | undefined;
  readonly #waitForAttachTimeoutMs: number;
  readonly pendingOperations: NestedPendingOperations;

  constructor(opts: OperationExecutorOptions) {
    this.#mgr = opts.pluginMgr;
    this.#recorder = opts.recorder;
    this.#getNode = opts.getNode;
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
    const podName = !v.pluginIsAttachable && !v.pluginIsDeviceMountable ? v.podName : EmptyUniquePodName;
    this.pendingOperations.run(v.volumeName, podName, EmptyNodeName, this.#generateMount(v, asw, isRemount));
  }

  /** Tears a pod's volume down (TearDown) and marks it unmounted. Per pod: pods run in parallel. */
  unmountVolume(v: MountedVolume, asw: ActualStateOfWorldUpdater): void {
    this.pendingOperations.run(v.volumeName, v.podUID, EmptyNodeName, this.#generateUnmount(v, asw));
  }

  /** Unmounts a device-mountable volume's global mount once no pod uses it. */
  unmountDevice(v: AttachedVolume, asw: ActualStateOfWorldUpdater): void {
    this.pendingOperations.run(
      v.volumeName,
      EmptyUniquePodName,
      EmptyNodeName,
      this.#generateUnmountDevice(v, asw),
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

  #complete(plugin: VolumePlugin | undefined, spec: Spec | undefined, operation: string) {
    const name = plugin === undefined ? '' : fullQualifiedPluginNameForVolume(plugin.name, spec);
    return (err: unknown, durationMs: number): void => observeOperation(name, operation, err, durationMs);
  }

  #generateMount(v: VolumeToMount, asw: ActualStateOfWorldUpdater, isRemount: boolean): GeneratedOperation {
    const spec = v.volumeSpec;
    const name = specName(spec);
    const details = podDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, name, details);
    const plugin = this.#pluginFor(spec);
    const operationFunc = async (): Promise<void> => {
      let p: VolumePlugin;
      try {
        p = this.#mgr.findPluginBySpec(spec);
      } catch (err) {
        throw fail('MountVolume.FindPluginBySpec failed', err);
      }
      let mounter: ReturnType<VolumePlugin['newMounter']>;
      try {
        const outer = v.outerVolumeSpecNames[0];
        mounter = p.newMounter(spec, v.pod, outer === undefined ? {} : { outerVolumeName: outer });
      } catch (err) {
        throw fail('MountVolume.NewMounter initialization failed', err);
      }
      let devicePath = v.devicePath;
      if (isAttachableVolumePlugin(p) && p.canAttach(spec)) {
        try {
          devicePath = await p
            .newAttacher()
            .waitForAttach(spec, devicePath, v.pod, this.#waitForAttachTimeoutMs);
        } catch (err) {
          throw fail('MountVolume.WaitForAttach failed', err);
        }
      }
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
            const state = asw.getDeviceMountState(v.volumeName);
            if (isOperationFinishedError(err) && state === DeviceMountState.DeviceMountUncertain) {
              asw.markDeviceAsUnmounted(v.volumeName);
            } else if (isUncertainProgressError(err) && state === DeviceMountState.DeviceNotMounted) {
              asw.markDeviceAsUncertain(v.volumeName, devicePath, deviceMountPath);
            }
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
        }
      }
      const markOpts: MarkVolumeOpts = {
        podName: v.podName,
        podUID: v.pod.metadata.uid ?? v.podName,
        volumeName: v.volumeName,
        mounter,
        outerVolumeSpecNames: v.outerVolumeSpecNames,
        volumeGIDValue: v.volumeGIDValue,
        volumeSpec: spec,
        volumeMountState: VolumeMountState.VolumeMounted,
      };
      try {
        await mounter.setUp(mounterArgsFor(v.pod, v));
      } catch (err) {
        const state = asw.getVolumeMountState(v.volumeName, v.podName);
        if (isOperationFinishedError(err) && state === VolumeMountState.VolumeMountUncertain) {
          asw.markVolumeAsUnmounted(v.podName, v.volumeName);
        } else if (isUncertainProgressError(err) && state === VolumeMountState.VolumeNotMounted) {
          asw.markVolumeMountAsUncertain({
            ...markOpts,
            volumeMountState: VolumeMountState.VolumeMountUncertain,
          });
        }
        throw fail('MountVolume.SetUp failed', err);
      }
      const msg = generateVolumeMsg('MountVolume.SetUp succeeded', '', name, details);
      // Logged, not an event: upstream's kubelet records SuccessfulMountVolume only for MountDevice.
      log.v(isRemount ? 4 : 1, msg.detailed);
      try {
        asw.markVolumeAsMounted(markOpts);
      } catch (err) {
        throw fail('MountVolume.MarkVolumeAsMounted failed', err);
      }
    };
    return {
      operationName: OperationName.VolumeMount,
      operationFunc,
      eventRecorderFunc: (err) => {
        if (err === undefined) return;
        const message = err instanceof Error ? err.message : String(err);
        this.#recorder.event(v.pod, EventTypeWarning, FailedMountVolume, message);
      },
      completeFunc: this.#complete(plugin, spec, OperationName.VolumeMount),
    };
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
      let p: VolumePlugin;
      try {
        p = this.#mgr.findPluginByName(v.pluginName);
      } catch (err) {
        throw fail('UnmountVolume.FindPluginByName failed', err);
      }
      let unmounter: ReturnType<VolumePlugin['newUnmounter']>;
      try {
        unmounter = p.newUnmounter(v.innerVolumeSpecName, v.podUID);
      } catch (err) {
        throw fail('UnmountVolume.NewUnmounter failed', err);
      }
      try {
        await unmounter.tearDown();
      } catch (err) {
        asw.markVolumeMountAsUncertain({
          podName: v.podName,
          podUID: v.podUID,
          volumeName: v.volumeName,
          outerVolumeSpecNames: v.outerVolumeSpecNames,
          volumeGIDValue: v.volumeGIDValue,
          volumeSpec: v.volumeSpec,
          volumeMountState: VolumeMountState.VolumeMountUncertain,
        });
        throw fail('UnmountVolume.TearDown failed', err);
      }
      log.v(
        1,
        `UnmountVolume.TearDown succeeded for volume ${JSON.stringify(v.volumeName)} (OuterVolumeSpecName: ${JSON.stringify(outer)}) pod ${JSON.stringify(v.podName)} (UID: ${JSON.stringify(v.podUID)}). InnerVolumeSpecName ${JSON.stringify(v.innerVolumeSpecName)}. PluginName ${JSON.stringify(v.pluginName)}, VolumeGIDValue ${JSON.stringify(v.volumeGIDValue)}`,
      );
      try {
        asw.markVolumeAsUnmounted(v.podName, v.volumeName);
      } catch (err) {
        throw fail('UnmountVolume.MarkVolumeAsUnmounted failed', err);
      }
    };
    return {
      operationName: OperationName.VolumeUnmount,
      operationFunc,
      completeFunc: this.#complete(plugin, v.volumeSpec, OperationName.VolumeUnmount),
    };
  }

  #generateUnmountDevice(v: AttachedVolume, asw: ActualStateOfWorldUpdater): GeneratedOperation {
    const name = specName(v.volumeSpec);
    const details = attachedDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, name, details);
    const plugin = this.#pluginFor(v.volumeSpec);
    const operationFunc = async (): Promise<void> => {
      let p: VolumePlugin;
      try {
        p = this.#mgr.findPluginByName(v.pluginName);
      } catch (err) {
        throw fail('UnmountDevice.FindDeviceMountablePluginByName failed', err);
      }
      if (!isDeviceMountableVolumePlugin(p)) {
        throw fail(
          'UnmountDevice.FindDeviceMountablePluginByName failed',
          new Error('plugin is not device-mountable'),
        );
      }
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
    return {
      operationName: OperationName.UnmountDevice,
      operationFunc,
      completeFunc: this.#complete(plugin, v.volumeSpec, OperationName.UnmountDevice),
    };
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
    return {
      operationName: OperationName.VerifyControllerAttachedVolume,
      operationFunc,
      completeFunc: this.#complete(plugin, v.volumeSpec, OperationName.VerifyControllerAttachedVolume),
    };
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
    return {
      operationName: OperationName.VolumeAttach,
      operationFunc,
      eventRecorderFunc: (err) => {
        if (err === undefined) return;
        const message = err instanceof Error ? err.message : String(err);
        for (const pod of v.scheduledPods)
          this.#recorder.event(pod, EventTypeWarning, FailedAttachVolume, message);
      },
      completeFunc: this.#complete(plugin, v.volumeSpec, OperationName.VolumeAttach),
    };
  }

  #generateDetach(v: AttachedVolume, asw: ActualStateOfWorldUpdater): GeneratedOperation {
    const name = specName(v.volumeSpec);
    const details = attachedDetails(v);
    const fail = (prefix: string, err: unknown) => generateError(prefix, err, name, details);
    const plugin = this.#pluginFor(v.volumeSpec);
    const operationFunc = async (): Promise<void> => {
      let p: VolumePlugin;
      try {
        p = this.#mgr.findPluginByName(v.pluginName);
      } catch (err) {
        throw fail('DetachVolume.FindAttachablePluginByName failed', err);
      }
      if (!isAttachableVolumePlugin(p)) {
        throw fail('DetachVolume.FindAttachablePluginByName failed', new Error('plugin is not attachable'));
      }
      try {
        await p.newDetacher().detach(p.getVolumeName(v.volumeSpec), v.nodeName);
      } catch (err) {
        throw fail('DetachVolume.Detach failed', err);
      }
      log.info(generateVolumeMsg('DetachVolume.Detach succeeded', '', name, details).detailed);
      asw.markVolumeAsDetached(v.volumeName, v.nodeName);
    };
    return {
      operationName: OperationName.VolumeDetach,
      operationFunc,
      completeFunc: this.#complete(plugin, v.volumeSpec, OperationName.VolumeDetach),
    };
  }
}
