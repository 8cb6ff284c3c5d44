// The actual state of world (upstream pkg/kubelet/volumemanager/cache/actual_state_of_world.go): the
// volumes attached to this node, their global (device) mount state and, per pod, whether the volume
// is mounted, possibly mounted (uncertain: a timed-out set-up, or reconstructed from disk after a
// restart) or not. Updated by the operations' outcomes; read by the reconciler and the volume manager.
// Block volumes live here too: their "device mount" is the global map path, their per-pod mount the
// mapping (with the BlockVolumeMapper instead of a Mounter); volumeMode tells them apart. The size a
// volume's filesystem was grown to is recorded for node expansion.
import {
  type ActualStateOfWorldUpdater,
  type AttachedVolume,
  type BlockVolumeMapper,
  compareSizes,
  DeviceMountState,
  isAttachableVolumePlugin,
  type MarkVolumeOpts,
  type MountedVolume,
  type Mounter,
  nodeExpandablePluginFor,
  type Spec,
  specName,
  type UniquePodName,
  type UniqueVolumeName,
  VolumeMountState,
  type VolumePluginMgr,
  volumeModeOf,
} from '../../../volume/index.ts';

/** The volume is not attached (or its attach is uncertain): verify the attach first. */
export class VolumeNotAttachedError extends Error {
  override readonly name = 'VolumeNotAttachedError';
  constructor(volumeName: string) {
    super(`volumeName ${JSON.stringify(volumeName)} does not exist in the list of attached volumes`);
  }
}

/** The volume is mounted for the pod but must be set up again (configMap, secret, ... content). */
export class RemountRequiredError extends Error {
  override readonly name = 'RemountRequiredError';
  constructor(volumeName: string, podName: string) {
    super(
      `volumeName ${JSON.stringify(volumeName)} is mounted to ${JSON.stringify(podName)} but should be remounted`,
    );
  }
}

export const isVolumeNotAttachedError = (e: unknown): e is VolumeNotAttachedError =>
  e instanceof VolumeNotAttachedError;
export const isRemountRequiredError = (e: unknown): e is RemountRequiredError =>
  e instanceof RemountRequiredError;

interface MountedPod {
  podName: UniquePodName;
  podUID: string;
  mounter: Mounter | undefined;
  blockVolumeMapper: BlockVolumeMapper | undefined;
  volumeSpec: Spec;
  outerVolumeSpecNames: readonly string[];
  remountRequired: boolean;
  volumeGIDValue: string;
  volumeMountState: MountState;
}

type MountState = (typeof VolumeMountState)[keyof typeof VolumeMountState];
type DeviceState = (typeof DeviceMountState)[keyof typeof DeviceMountState];

interface ActualVolume {
  volumeName: UniqueVolumeName;
  spec: Spec;
  pluginName: string;
  pluginIsAttachable: boolean;
  /** Reconstructed volumes start uncertain until the attach is verified. */
  attachUncertain: boolean;
  deviceMountState: DeviceState;
  devicePath: string;
  deviceMountPath: string;
  /** Block volumes: what setUpDevice returned. */
  deviceStagePath: string;
  /** The size the filesystem has (claim status capacity, or what node expansion grew it to). */
  persistentVolumeSize: string | undefined;
  mountedPods: Map<UniquePodName, MountedPod>;
}

export interface ActualStateOfWorldOptions {
  /** Called after every change, with the volume that changed (the reconciler looks at that one again). */
  onChange?: (volumeName: UniqueVolumeName) => void;
}

export class ActualStateOfWorld implements ActualStateOfWorldUpdater {
  readonly nodeName: string;
  readonly #mgr: VolumePluginMgr;
  readonly #volumes = new Map<UniqueVolumeName, ActualVolume>();
  /** The volumes each pod has in mountedPods, so per-pod queries do not scan every volume. */
  readonly #byPod = new Map<UniquePodName, Set<UniqueVolumeName>>();
  /** (volume, pod) pairs added by reconstruction and not yet mounted again. */
  readonly #foundDuringReconstruction = new Map<UniqueVolumeName, Set<UniquePodName>>();
  readonly #onChange: (volumeName: UniqueVolumeName) => void;

  constructor(nodeName: string, mgr: VolumePluginMgr, opts: ActualStateOfWorldOptions = {}) {
    this.nodeName = nodeName;
    this.#mgr = mgr;
    this.#onChange = opts.onChange ?? (() => {});
  }

  // ---- mutators -------------------------------------------------------------------------------------

  markVolumeAsAttached(
    volumeName: UniqueVolumeName,
    spec: Spec,
    _nodeName: string,
    devicePath: string,
  ): void {
    this.#addVolume(volumeName, spec, devicePath, false);
  }

  /** Adds a reconstructed volume whose attach is not verified yet (upstream AddAttachUncertainReconstructedVolume). */
  addAttachUncertainReconstructedVolume(volumeName: UniqueVolumeName, spec: Spec, devicePath: string): void {
    this.#addVolume(volumeName, spec, devicePath, true);
  }

  markVolumeAsDetached(volumeName: UniqueVolumeName, _nodeName: string): void {
    const vol = this.#volumes.get(volumeName);
    if (vol === undefined) return;
    if (vol.mountedPods.size > 0) {
      throw new Error(
        `failed to DeleteVolume ${JSON.stringify(volumeName)}, it still has ${vol.mountedPods.size} mountedPods`,
      );
    }
    this.#volumes.delete(volumeName);
    this.#foundDuringReconstruction.delete(volumeName);
    this.#onChange(volumeName);
  }

  markVolumeAsMounted(opts: MarkVolumeOpts): void {
    this.#addPodToVolume({ ...opts, volumeMountState: VolumeMountState.VolumeMounted });
  }

  markVolumeMountAsUncertain(opts: MarkVolumeOpts): void {
    this.#addPodToVolume({ ...opts, volumeMountState: VolumeMountState.VolumeMountUncertain });
  }

  markVolumeAsUnmounted(podName: UniquePodName, volumeName: UniqueVolumeName): void {
    const vol = this.#volumes.get(volumeName);
    if (vol === undefined) {
      throw new Error(
        `no volume with the name ${JSON.stringify(volumeName)} exists in the list of attached volumes`,
      );
    }
    vol.mountedPods.delete(podName);
    this.#unindex(podName, volumeName);
    this.#foundDuringReconstruction.get(volumeName)?.delete(podName);
    this.#onChange(volumeName);
  }

  markDeviceAsMounted(volumeName: UniqueVolumeName, devicePath: string, deviceMountPath: string): void {
    this.#setDevice(volumeName, DeviceMountState.DeviceGloballyMounted, devicePath, deviceMountPath);
  }

  markDeviceAsUncertain(volumeName: UniqueVolumeName, devicePath: string, deviceMountPath: string): void {
    this.#setDevice(volumeName, DeviceMountState.DeviceMountUncertain, devicePath, deviceMountPath);
  }

  markDeviceAsUnmounted(volumeName: UniqueVolumeName): void {
    const vol = this.#volumes.get(volumeName);
    this.#setDevice(volumeName, DeviceMountState.DeviceNotMounted, vol?.devicePath ?? '', '');
    if (vol !== undefined) vol.deviceStagePath = '';
  }

  setDeviceStagePath(volumeName: UniqueVolumeName, stagePath: string): void {
    const vol = this.#volumes.get(volumeName);
    if (vol !== undefined) vol.deviceStagePath = stagePath;
  }

  getDeviceStagePath(volumeName: UniqueVolumeName): string {
    return this.#volumes.get(volumeName)?.deviceStagePath ?? '';
  }

  getDevicePath(volumeName: UniqueVolumeName): string {
    return this.#volumes.get(volumeName)?.devicePath ?? '';
  }

  markVolumeAsResized(volumeName: UniqueVolumeName, size: string): void {
    const vol = this.#volumes.get(volumeName);
    if (vol === undefined || vol.persistentVolumeSize === size) return;
    vol.persistentVolumeSize = size;
    this.#onChange(volumeName);
  }

  initializeClaimSize(volumeName: UniqueVolumeName, size: string): void {
    const vol = this.#volumes.get(volumeName);
    if (vol === undefined) return;
    if (vol.persistentVolumeSize !== undefined && compareSizes(vol.persistentVolumeSize, '0') !== 0) return;
    vol.persistentVolumeSize = size;
  }

  /** The recorded size, or undefined. */
  getClaimSize(volumeName: UniqueVolumeName): string | undefined {
    return this.#volumes.get(volumeName)?.persistentVolumeSize;
  }

  /**
   * The size the volume has now when it must be grown on the node to `desiredSize` (upstream
   * volumeNeedsExpansion): a size is recorded, the desired one is larger, and the plugin grows
   * filesystems on the node. Undefined otherwise.
   */
  volumeNeedsExpansion(volumeName: UniqueVolumeName, desiredSize: string | undefined): string | undefined {
    const vol = this.#volumes.get(volumeName);
    const current = vol?.persistentVolumeSize;
    if (vol === undefined || current === undefined || desiredSize === undefined) return undefined;
    if (compareSizes(desiredSize, '0') === 0 || compareSizes(desiredSize, current) <= 0) return undefined;
    try {
      return nodeExpandablePluginFor(this.#mgr.findPluginBySpec(vol.spec)) === undefined
        ? undefined
        : current;
    } catch {
      return undefined;
    }
  }

  /** Sets remountRequired on every volume of the pod whose plugin requires remount. */
  markRemountRequired(podName: UniquePodName): void {
    for (const vol of this.#podVolumes(podName)) {
      const pod = vol.mountedPods.get(podName);
      if (pod === undefined) continue;
      let requires = false;
      try {
        requires = this.#mgr.findPluginBySpec(pod.volumeSpec).requiresRemount(pod.volumeSpec);
      } catch {
        requires = false;
      }
      if (requires && !pod.remountRequired) {
        pod.remountRequired = true;
        this.#onChange(vol.volumeName);
      }
    }
  }

  // ---- queries -------------------------------------------------------------------------------------

  getDeviceMountState(volumeName: UniqueVolumeName): DeviceState {
    return this.#volumes.get(volumeName)?.deviceMountState ?? DeviceMountState.DeviceNotMounted;
  }

  getVolumeMountState(volumeName: UniqueVolumeName, podName: UniquePodName): MountState {
    return (
      this.#volumes.get(volumeName)?.mountedPods.get(podName)?.volumeMountState ??
      VolumeMountState.VolumeNotMounted
    );
  }

  /**
   * Whether the pod has the volume mounted. Throws VolumeNotAttachedError when the volume is not
   * (verified) attached; returns `{exists: true, remount: true}` when a remount is required. An
   * uncertain mount counts as not mounted, so it is set up again.
   */
  podExistsInVolume(
    podName: UniquePodName,
    volumeName: UniqueVolumeName,
  ): { exists: boolean; devicePath: string; remountRequired: boolean } {
    const vol = this.#volumes.get(volumeName);
    if (vol === undefined || vol.attachUncertain) throw new VolumeNotAttachedError(volumeName);
    const pod = vol.mountedPods.get(podName);
    if (pod === undefined) return { exists: false, devicePath: vol.devicePath, remountRequired: false };
    if (pod.volumeMountState === VolumeMountState.VolumeMountUncertain) {
      return { exists: false, devicePath: vol.devicePath, remountRequired: false };
    }
    return { exists: true, devicePath: vol.devicePath, remountRequired: pod.remountRequired };
  }

  /** True when the pod has the volume in any state (mounted or uncertain). */
  podHasVolume(podName: UniquePodName, volumeName: UniqueVolumeName): boolean {
    return this.#volumes.get(volumeName)?.mountedPods.has(podName) ?? false;
  }

  volumeExists(volumeName: UniqueVolumeName): boolean {
    return this.#volumes.has(volumeName);
  }

  /** True when the pod has a volume (in any state) whose spec has this name. */
  volumeExistsWithSpecName(podName: UniquePodName, volumeSpecName: string): boolean {
    for (const vol of this.#podVolumes(podName)) {
      const p = vol.mountedPods.get(podName);
      if (p !== undefined && specName(p.volumeSpec) === volumeSpecName) return true;
    }
    return false;
  }

  /** True while the (volume, pod) pair was reconstructed and not mounted again since. */
  isVolumeReconstructed(volumeName: UniqueVolumeName, podName: UniquePodName): boolean {
    return this.#foundDuringReconstruction.get(volumeName)?.has(podName) ?? false;
  }

  /** Mounted volumes only. */
  getMountedVolumes(): MountedVolume[] {
    return this.#collect((p) => p.volumeMountState === VolumeMountState.VolumeMounted);
  }

  /** Mounted and uncertain volumes (everything the reconciler may have to tear down). */
  getAllMountedVolumes(): MountedVolume[] {
    return this.#collect(
      (p) =>
        p.volumeMountState === VolumeMountState.VolumeMounted ||
        p.volumeMountState === VolumeMountState.VolumeMountUncertain,
    );
  }

  getMountedVolumesForPod(podName: UniquePodName): MountedVolume[] {
    return this.#collect(
      (p) => p.podName === podName && p.volumeMountState === VolumeMountState.VolumeMounted,
      this.#podVolumes(podName),
    );
  }

  getPossiblyMountedVolumesForPod(podName: UniquePodName): MountedVolume[] {
    return this.#collect(
      (p) =>
        p.podName === podName &&
        (p.volumeMountState === VolumeMountState.VolumeMounted ||
          p.volumeMountState === VolumeMountState.VolumeMountUncertain),
      this.#podVolumes(podName),
    );
  }

  getGloballyMountedVolumes(): AttachedVolume[] {
    return [...this.#volumes.values()]
      .filter((v) => v.deviceMountState === DeviceMountState.DeviceGloballyMounted)
      .map((v) => this.#attached(v));
  }

  getAttachedVolumes(): AttachedVolume[] {
    return [...this.#volumes.values()].map((v) => this.#attached(v));
  }

  getAttachedVolume(volumeName: UniqueVolumeName): AttachedVolume | undefined {
    const v = this.#volumes.get(volumeName);
    return v === undefined ? undefined : this.#attached(v);
  }

  /** The volume's mounted and uncertain pods, as getAllMountedVolumes gives them. */
  getAllMountedVolumesOf(volumeName: UniqueVolumeName): MountedVolume[] {
    const vol = this.#volumes.get(volumeName);
    if (vol === undefined || vol.mountedPods.size === 0) return [];
    return this.#collect(
      (p) =>
        p.volumeMountState === VolumeMountState.VolumeMounted ||
        p.volumeMountState === VolumeMountState.VolumeMountUncertain,
      [vol],
    );
  }

  /** The volume when it is attached and no pod has it mounted (as getUnmountedVolumes gives it). */
  getUnmountedVolume(volumeName: UniqueVolumeName): AttachedVolume | undefined {
    const vol = this.#volumes.get(volumeName);
    return vol === undefined || vol.mountedPods.size > 0 ? undefined : this.#attached(vol);
  }

  /** The names of every volume known here. */
  getVolumeNames(): UniqueVolumeName[] {
    return [...this.#volumes.keys()];
  }

  /** Attached volumes with no pod mounted (candidates for unmountDevice / forgetting). */
  getUnmountedVolumes(): AttachedVolume[] {
    return [...this.#volumes.values()].filter((v) => v.mountedPods.size === 0).map((v) => this.#attached(v));
  }

  /** The names of attachable volumes known here (for node.status.volumesInUse). */
  getAttachableVolumeNames(): UniqueVolumeName[] {
    return [...this.#volumes.values()].filter((v) => v.pluginIsAttachable).map((v) => v.volumeName);
  }

  // ---- internals -----------------------------------------------------------------------------------

  #addVolume(volumeName: UniqueVolumeName, spec: Spec, devicePath: string, attachUncertain: boolean): void {
    const plugin = this.#mgr.findPluginBySpec(spec);
    const vol = this.#volumes.get(volumeName);
    if (vol === undefined) {
      this.#volumes.set(volumeName, {
        volumeName,
        spec,
        pluginName: plugin.name,
        pluginIsAttachable: isAttachableVolumePlugin(plugin) && plugin.canAttach(spec),
        attachUncertain,
        deviceMountState: DeviceMountState.DeviceNotMounted,
        devicePath,
        deviceMountPath: '',
        deviceStagePath: '',
        persistentVolumeSize: undefined,
        mountedPods: new Map(),
      });
    } else {
      vol.devicePath = devicePath;
      if (!attachUncertain) vol.attachUncertain = false;
    }
    this.#onChange(volumeName);
  }

  #addPodToVolume(opts: MarkVolumeOpts): void {
    const vol = this.#volumes.get(opts.volumeName);
    if (vol === undefined) {
      throw new Error(
        `no volume with the name ${JSON.stringify(opts.volumeName)} exists in the list of attached volumes`,
      );
    }
    const old = vol.mountedPods.get(opts.podName);
    const pod: MountedPod = {
      podName: opts.podName,
      podUID: opts.podUID,
      mounter: opts.mounter ?? old?.mounter,
      blockVolumeMapper: opts.blockVolumeMapper ?? old?.blockVolumeMapper,
      volumeSpec: opts.volumeSpec,
      outerVolumeSpecNames: opts.outerVolumeSpecNames,
      remountRequired: false,
      volumeGIDValue: opts.volumeGIDValue,
      volumeMountState: opts.volumeMountState,
    };
    vol.mountedPods.set(opts.podName, pod);
    let vols = this.#byPod.get(opts.podName);
    if (vols === undefined) this.#byPod.set(opts.podName, (vols = new Set()));
    vols.add(opts.volumeName);
    if (opts.volumeMountState === VolumeMountState.VolumeMounted) {
      this.#foundDuringReconstruction.get(opts.volumeName)?.delete(opts.podName);
    }
    this.#onChange(opts.volumeName);
  }

  /** Records a reconstructed (volume, pod) pair (upstream foundDuringReconstruction). */
  markVolumeReconstructed(volumeName: UniqueVolumeName, podName: UniquePodName): void {
    let s = this.#foundDuringReconstruction.get(volumeName);
    if (s === undefined) {
      s = new Set();
      this.#foundDuringReconstruction.set(volumeName, s);
    }
    s.add(podName);
  }

  #setDevice(
    volumeName: UniqueVolumeName,
    state: DeviceState,
    devicePath: string,
    deviceMountPath: string,
  ): void {
    const vol = this.#volumes.get(volumeName);
    if (vol === undefined) {
      throw new Error(
        `no volume with the name ${JSON.stringify(volumeName)} exists in the list of attached volumes`,
      );
    }
    vol.deviceMountState = state;
    if (devicePath !== '') vol.devicePath = devicePath;
    vol.deviceMountPath = deviceMountPath;
    this.#onChange(volumeName);
  }

  #attached(v: ActualVolume): AttachedVolume {
    return {
      volumeName: v.volumeName,
      volumeSpec: v.spec,
      nodeName: this.nodeName,
      pluginName: v.pluginName,
      pluginIsAttachable: v.pluginIsAttachable,
      devicePath: v.devicePath,
      deviceMountPath: v.deviceMountPath,
      deviceMountState: v.deviceMountState,
      deviceStagePath: v.deviceStagePath,
      volumeMode: volumeModeOf(v.spec),
    };
  }

  #podVolumes(podName: UniquePodName): ActualVolume[] {
    const out: ActualVolume[] = [];
    for (const name of this.#byPod.get(podName) ?? []) {
      const vol = this.#volumes.get(name);
      if (vol !== undefined) out.push(vol);
    }
    return out;
  }

  #unindex(podName: UniquePodName, volumeName: UniqueVolumeName): void {
    const vols = this.#byPod.get(podName);
    if (vols?.delete(volumeName) === true && vols.size === 0) this.#byPod.delete(podName);
  }

  #collect(
    pred: (p: MountedPod) => boolean,
    volumes: Iterable<ActualVolume> = this.#volumes.values(),
  ): MountedVolume[] {
    const out: MountedVolume[] = [];
    for (const vol of volumes) {
      for (const p of vol.mountedPods.values()) {
        if (!pred(p)) continue;
        out.push({
          podName: p.podName,
          podUID: p.podUID,
          volumeName: vol.volumeName,
          innerVolumeSpecName: specName(p.volumeSpec),
          outerVolumeSpecNames: p.outerVolumeSpecNames,
          pluginName: vol.pluginName,
          mounter: p.mounter,
          blockVolumeMapper: p.blockVolumeMapper,
          volumeSpec: p.volumeSpec,
          volumeGIDValue: p.volumeGIDValue,
          deviceMountPath: vol.deviceMountPath,
          volumeMountState: p.volumeMountState,
          volumeMode: volumeModeOf(p.volumeSpec),
        });
      }
    }
    return out;
  }
}

/** Whether a device may be mounted: mounted or uncertain (upstream DeviceMayBeMounted). */
export function deviceMayBeMounted(v: AttachedVolume): boolean {
  return (
    v.deviceMountState === DeviceMountState.DeviceGloballyMounted ||
    v.deviceMountState === DeviceMountState.DeviceMountUncertain
  );
}
