// The shapes the operation executor and the kubelet's volume manager caches share (upstream
// operation_executor.go): what to mount, what is mounted, what is attached, the mount states and the
// ASW updater interface the operations report their outcome through.
import type { Pod } from '../../../api/index.ts';
import type { BlockVolumeMapper, Mounter, Spec } from '../../volume.ts';

/** `<plugin>/<volume>` or `<plugin>/<podUID>-<specName>` (see uniqueVolumeName). */
export type UniqueVolumeName = string;
/** The pod UID (upstream GetUniquePodName). */
export type UniquePodName = string;

export const VolumeMountState = {
  VolumeMounted: 'VolumeMounted',
  VolumeMountUncertain: 'VolumeMountUncertain',
  VolumeNotMounted: 'VolumeNotMounted',
} as const;
export type VolumeMountState = (typeof VolumeMountState)[keyof typeof VolumeMountState];

export const DeviceMountState = {
  DeviceGloballyMounted: 'DeviceGloballyMounted',
  DeviceMountUncertain: 'DeviceMountUncertain',
  DeviceNotMounted: 'DeviceNotMounted',
} as const;
export type DeviceMountState = (typeof DeviceMountState)[keyof typeof DeviceMountState];

/** Operation names, as the storage_operation_duration_seconds label carries them. */
export const OperationName = {
  VolumeMount: 'volume_mount',
  VolumeUnmount: 'volume_unmount',
  UnmountDevice: 'unmount_device',
  VerifyControllerAttachedVolume: 'verify_controller_attached_volume',
  VolumeAttach: 'volume_attach',
  VolumeDetach: 'volume_detach',
  MapVolume: 'map_volume',
  UnmapVolume: 'unmap_volume',
  UnmapDevice: 'unmap_device',
  VolumeFsResize: 'volume_fs_resize',
} as const;

export type VolumeMode = 'Filesystem' | 'Block';

/**
 * Block for a PersistentVolume with `volumeMode: Block` (used through container volumeDevices),
 * Filesystem otherwise (upstream CheckVolumeModeFilesystem).
 */
export function volumeModeOf(spec: Spec | undefined): VolumeMode {
  return spec?.persistentVolume?.spec?.volumeMode === 'Block' ? 'Block' : 'Filesystem';
}

export function isBlockVolumeSpec(spec: Spec | undefined): boolean {
  return volumeModeOf(spec) === 'Block';
}

/** A (pod, volume) the desired state wants mounted (upstream VolumeToMount). */
export interface VolumeToMount {
  readonly volumeName: UniqueVolumeName;
  readonly podName: UniquePodName;
  readonly volumeSpec: Spec;
  /** The pod-spec volume names referring to this volume (usually one). */
  readonly outerVolumeSpecNames: readonly string[];
  readonly pod: Pod;
  readonly pluginIsAttachable: boolean;
  readonly pluginIsDeviceMountable: boolean;
  /** The PV's `pv.beta.kubernetes.io/gid` annotation, or ''. */
  readonly volumeGIDValue: string;
  /** Filled in by the reconciler from the ASW before a mount. */
  devicePath: string;
  readonly reportedInUse: boolean;
  /** emptyDir size limit (quantity string), when set. */
  readonly desiredSizeLimit?: string;
  /**
   * The PV's capacity (quantity string) as the populator last saw it; set only for writable
   * PVC-backed volumes (upstream DesiredPersistentVolumeSize).
   */
  readonly desiredPersistentVolumeSize?: string;
  /** The claim's status.capacity.storage as the populator last saw it. */
  readonly claimSize?: string;
  /**
   * The claim asks the node to finish an expansion: condition FileSystemResizePending or
   * allocatedResourceStatuses.storage NodeResizePending.
   */
  readonly nodeExpansionPending?: boolean;
}

/** A volume to attach to a node, with the pods waiting for it (upstream VolumeToAttach). */
export interface VolumeToAttach {
  readonly volumeName: UniqueVolumeName;
  readonly volumeSpec: Spec;
  readonly nodeName: string;
  /** Pods that get the attach events. */
  readonly scheduledPods: readonly Pod[];
}

/** A volume the actual state knows to be attached (upstream AttachedVolume). */
export interface AttachedVolume {
  readonly volumeName: UniqueVolumeName;
  readonly volumeSpec: Spec;
  readonly nodeName: string;
  readonly pluginName: string;
  readonly pluginIsAttachable: boolean;
  readonly devicePath: string;
  readonly deviceMountPath: string;
  readonly deviceMountState: DeviceMountState;
  /** Block volumes: the path setUpDevice returned (CSI staging path), or ''. */
  readonly deviceStagePath: string;
  readonly volumeMode: VolumeMode;
}

/** A (pod, volume) the actual state knows to be mounted or possibly mounted (upstream MountedVolume). */
export interface MountedVolume {
  readonly podName: UniquePodName;
  readonly podUID: string;
  readonly volumeName: UniqueVolumeName;
  /** The spec name (pod volume name, or PV name). */
  readonly innerVolumeSpecName: string;
  readonly outerVolumeSpecNames: readonly string[];
  readonly pluginName: string;
  readonly mounter: Mounter | undefined;
  /** Block volumes: the mapper that mapped it (undefined for filesystem volumes). */
  readonly blockVolumeMapper: BlockVolumeMapper | undefined;
  readonly volumeSpec: Spec;
  readonly volumeGIDValue: string;
  /** The global mount path (filesystem) or global map path (block). */
  readonly deviceMountPath: string;
  readonly volumeMountState: VolumeMountState;
  readonly volumeMode: VolumeMode;
}

export interface MarkVolumeOpts {
  readonly podName: UniquePodName;
  readonly podUID: string;
  readonly volumeName: UniqueVolumeName;
  readonly mounter?: Mounter;
  readonly blockVolumeMapper?: BlockVolumeMapper;
  readonly outerVolumeSpecNames: readonly string[];
  readonly volumeGIDValue: string;
  readonly volumeSpec: Spec;
  readonly volumeMountState: VolumeMountState;
}

/**
 * How operations report outcomes to the actual state of the world (upstream
 * ActualStateOfWorldMounterUpdater + ActualStateOfWorldAttacherUpdater). Mutators throw when the
 * volume is unknown, with upstream's messages.
 */
export interface ActualStateOfWorldUpdater {
  markVolumeAsAttached(volumeName: UniqueVolumeName, spec: Spec, nodeName: string, devicePath: string): void;
  markVolumeAsDetached(volumeName: UniqueVolumeName, nodeName: string): void;
  markVolumeAsMounted(opts: MarkVolumeOpts): void;
  markVolumeMountAsUncertain(opts: MarkVolumeOpts): void;
  markVolumeAsUnmounted(podName: UniquePodName, volumeName: UniqueVolumeName): void;
  markDeviceAsMounted(volumeName: UniqueVolumeName, devicePath: string, deviceMountPath: string): void;
  markDeviceAsUncertain(volumeName: UniqueVolumeName, devicePath: string, deviceMountPath: string): void;
  markDeviceAsUnmounted(volumeName: UniqueVolumeName): void;
  getDeviceMountState(volumeName: UniqueVolumeName): DeviceMountState;
  getVolumeMountState(volumeName: UniqueVolumeName, podName: UniquePodName): VolumeMountState;
  /** Block volumes: records what setUpDevice returned (the staging path). */
  setDeviceStagePath(volumeName: UniqueVolumeName, stagePath: string): void;
  getDeviceStagePath(volumeName: UniqueVolumeName): string;
  /** The device path recorded for the volume, or ''. */
  getDevicePath(volumeName: UniqueVolumeName): string;
  /** The size the volume's filesystem was grown to (upstream MarkVolumeAsResized). */
  markVolumeAsResized(volumeName: UniqueVolumeName, size: string): void;
  /** Records the claim size when none is recorded yet (upstream InitializeClaimSize). */
  initializeClaimSize(volumeName: UniqueVolumeName, size: string): void;
}

/** An operation failure: `message` is the simple form events carry, `detailed` the one logs carry. */
export class OperationError extends Error {
  override readonly name = 'OperationError';
  readonly detailed: string;
  constructor(simple: string, detailed: string, options?: { cause?: unknown }) {
    super(simple, options);
    this.detailed = detailed;
  }
}

export const isOperationError = (e: unknown): e is OperationError => e instanceof OperationError;

function errSuffix(err: unknown): string {
  if (err === undefined || err === null) return '';
  return `: ${err instanceof Error ? err.message : String(err)}`;
}

/** `<prefix> for volume "<spec name>" <suffix>` and its detailed form (upstream generateVolumeMsg). */
export function generateVolumeMsg(
  prefix: string,
  suffix: string,
  volumeName: string,
  details: string,
): { simple: string; detailed: string } {
  return {
    simple: `${prefix} for volume ${JSON.stringify(volumeName)} ${suffix}`.trimEnd(),
    detailed: `${prefix} for volume ${JSON.stringify(volumeName)} ${details} ${suffix}`.trimEnd(),
  };
}

/** Builds an OperationError with upstream's message shapes; `err` (the cause) may be undefined. */
export function generateError(
  prefix: string,
  err: unknown,
  volumeName: string,
  details: string,
): OperationError {
  const m = generateVolumeMsg(prefix, errSuffix(err), volumeName, details);
  return new OperationError(m.simple, m.detailed, { cause: err });
}
