// The objects a volume plugin hands out (upstream pkg/volume/volume.go): Spec, Mounter, Unmounter,
// Attacher, DeviceMounter and their arguments. Every operation here is idempotent: the volume manager
// calls it again after a crash, a remount request or an uncertain result, and it must converge.
import type { PersistentVolume, Pod, Volume as PodVolume } from '../api/index.ts';

/**
 * What is being mounted: exactly one of an inline pod volume or a PersistentVolume (upstream's
 * volume.Spec). `name()` is the pod volume name or the PV name.
 */
export interface Spec {
  readonly volume?: PodVolume;
  readonly persistentVolume?: PersistentVolume;
  readonly readOnly: boolean;
}

export function specName(spec: Spec): string {
  return spec.volume?.name ?? spec.persistentVolume?.metadata.name ?? '';
}

export function specFromVolume(volume: PodVolume): Spec {
  return { volume, readOnly: false };
}

export function specFromPersistentVolume(pv: PersistentVolume, readOnly: boolean): Spec {
  return { persistentVolume: pv, readOnly };
}

/** Attributes of a mounted volume (upstream volume.Attributes). */
export interface Attributes {
  readonly readOnly: boolean;
  /** The kubelet may change ownership and permissions (fsGroup). */
  readonly managed: boolean;
  /** The container runtime should relabel the volume for SELinux. */
  readonly seLinuxRelabel: boolean;
}

export type FSGroupChangePolicy = 'OnRootMismatch' | 'Always';

/** Arguments to SetUp (upstream MounterArgs). */
export interface MounterArgs {
  readonly fsUser?: number;
  readonly fsGroup?: number;
  readonly fsGroupChangePolicy?: FSGroupChangePolicy;
  /** Desired size (emptyDir sizeLimit, or the PV size for expansion), as a quantity string. */
  readonly desiredSize?: string;
  readonly seLinuxLabel?: string;
}

/** Usage figures of a mounted volume, for kubelet_volume_stats_* (upstream volume.Metrics). */
export interface Metrics {
  readonly used: number;
  readonly capacity: number;
  readonly available: number;
  readonly inodesUsed?: number;
  readonly inodes?: number;
  readonly inodesFree?: number;
  readonly abnormal?: boolean;
  readonly message?: string;
}

export interface Volume {
  /** The directory containers see (bind-mounted into them by the runtime). */
  getPath(): string;
  /** Usage of the volume, or undefined when the plugin cannot measure it. */
  getMetrics?(): Promise<Metrics | undefined>;
}

export interface Mounter extends Volume {
  /**
   * Sets the volume up at getPath(). Idempotent: called again for remounts (configMap/secret content
   * refresh) and after restarts; a volume already set up is refreshed or left as it is. Blocks until
   * done; throws on failure (an UncertainProgressError when the outcome is unknown).
   */
  setUp(args: MounterArgs): Promise<void>;
  /** setUp at another directory (wrapper plugins set up an emptyDir at their own path). */
  setUpAt(dir: string, args: MounterArgs): Promise<void>;
  getAttributes(): Attributes;
}

export interface Unmounter extends Volume {
  /** Tears the volume down at getPath(). Idempotent: a volume that is not there counts as torn down. */
  tearDown(): Promise<void>;
  tearDownAt(dir: string): Promise<void>;
}

/** Mounts a volume once per node at a global path (CSI NodeStage, local block devices). */
export interface DeviceMounter {
  getDeviceMountPath(spec: Spec): Promise<string>;
  /** Idempotent. */
  mountDevice(
    spec: Spec,
    devicePath: string,
    deviceMountPath: string,
    args: { fsGroup?: number; seLinuxLabel?: string },
  ): Promise<void>;
}

export interface DeviceUnmounter {
  /** Idempotent. */
  unmountDevice(deviceMountPath: string): Promise<void>;
}

/** Makes a volume available on a node before it is mounted (attach). */
export interface Attacher extends DeviceMounter {
  /** Attaches and returns the device path. Idempotent. */
  attach(spec: Spec, nodeName: string): Promise<string>;
  /** Waits until the device appears on this node; returns its path. */
  waitForAttach(spec: Spec, devicePath: string, pod: Pod, timeoutMs: number): Promise<string>;
  volumesAreAttached(specs: readonly Spec[], nodeName: string): Promise<Map<Spec, boolean>>;
}

export interface Detacher extends DeviceUnmounter {
  /** Idempotent: a volume that is not attached counts as detached. */
  detach(volumeName: string, nodeName: string): Promise<void>;
}

/** The outcome of an operation is unknown (timed out, interrupted): the volume may be mounted. */
export class UncertainProgressError extends Error {
  override readonly name = 'UncertainProgressError';
}

export function isUncertainProgressError(err: unknown): err is UncertainProgressError {
  return err instanceof UncertainProgressError;
}

/** A retryable failure that leaves nothing behind (upstream TransientOperationFailure). */
export class TransientOperationFailure extends Error {
  override readonly name = 'TransientOperationFailure';
}

export function isTransientOperationFailure(err: unknown): err is TransientOperationFailure {
  return err instanceof TransientOperationFailure;
}

// ---- raw block volumes (upstream BlockVolume, BlockVolumeMapper, CustomBlockVolumeMapper) ----

/** A raw block volume of one pod. */
export interface BlockVolume {
  /**
   * The node-wide map dir of the volume (upstream GetGlobalMapPath), e.g.
   * `<root>/plugins/kubernetes.io/csi/volumeDevices/<pv>/dev`; the device is bind-mounted at
   * `<globalMapPath>/<podUID>` for each pod using it.
   */
  getGlobalMapPath(spec: Spec): Promise<string>;
  /**
   * The pod's device dir and file name (upstream GetPodDeviceMapPath):
   * [`<root>/pods/<uid>/volumeDevices/<escaped plugin>`, `<volumeName>`]; the runtime exposes the
   * symlink `<dir>/<name>` -> device at the container's devicePath.
   */
  getPodDeviceMapPath(): [dir: string, name: string];
  getMetrics?(): Promise<Metrics | undefined>;
}

export interface BlockVolumeMapper extends BlockVolume {
  /**
   * Optional (upstream CustomBlockVolumeMapper.SetUpDevice): prepares the device once per node
   * (CSI NodeStage) and returns the staging path, or '' when there is none. Idempotent.
   */
  setUpDevice?(): Promise<string>;
  /**
   * Optional (upstream CustomBlockVolumeMapper.MapPodDevice): publishes the device for this pod (CSI
   * NodePublish) and returns the path of the device to map, or '' to keep the attach device path.
   * Idempotent.
   */
  mapPodDevice?(): Promise<string>;
}

export interface BlockVolumeUnmapper extends BlockVolume {
  /** Optional (upstream CustomBlockVolumeUnmapper.UnmapPodDevice): CSI NodeUnpublish. Idempotent. */
  unmapPodDevice?(): Promise<void>;
  /**
   * Optional (upstream CustomBlockVolumeUnmapper.TearDownDevice): undoes setUpDevice once no pod on the
   * node maps the volume (CSI NodeUnstage). Idempotent.
   */
  tearDownDevice?(globalMapPath: string, devicePath: string): Promise<void>;
}
