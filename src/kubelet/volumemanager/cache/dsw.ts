// The desired state of world (upstream pkg/kubelet/volumemanager/cache/desired_state_of_world.go): the
// volumes that should be attached to this node and mounted for the pods that reference them, keyed
// by unique volume name, plus the errors met while processing each pod. Written by the populator, read
// by the reconciler; every change calls `onChange` so the reconciler can wake at once. Block volumes
// (volumeMode Block) are keyed per volume like device-mountable ones: their global map path is per
// volume, whichever plugin maps them. Each PVC-backed volume carries the PV size and the claim's
// expansion state the populator last saw, for node expansion.
import type { Pod } from '../../../api/index.ts';
import {
  isBlockVolumeSpec,
  type Spec,
  specName,
  type UniquePodName,
  type UniqueVolumeName,
  uniqueVolumeName,
  type VolumePlugin,
  type VolumePluginMgr,
  type VolumeToMount,
} from '../../../volume/index.ts';

interface PodToMount {
  podName: UniquePodName;
  pod: Pod;
  volumeSpec: Spec;
  outerVolumeSpecNames: string[];
  mountRequestTime: number;
}

interface DesiredVolume {
  volumeName: UniqueVolumeName;
  podsToMount: Map<UniquePodName, PodToMount>;
  pluginIsAttachable: boolean;
  pluginIsDeviceMountable: boolean;
  volumeGIDValue: string;
  reportedInUse: boolean;
  desiredSizeLimit: string | undefined;
  /** The PV capacity, for writable PVC-backed volumes (upstream persistentVolumeSize). */
  persistentVolumeSize: string | undefined;
  claimSize: string | undefined;
  nodeExpansionPending: boolean;
}

export interface DesiredStateOfWorldOptions {
  clock?: { now(): number };
  /**
   * Called after every change, with the volume that changed (the reconciler looks at that one again),
   * or without one when only a pod's errors changed.
   */
  onChange?: (volumeName?: UniqueVolumeName) => void;
}

export class DesiredStateOfWorld {
  readonly #mgr: VolumePluginMgr;
  readonly #volumes = new Map<UniqueVolumeName, DesiredVolume>();
  /** The volumes each pod is in, so per-pod queries do not scan every volume. */
  readonly #byPod = new Map<UniquePodName, Set<UniqueVolumeName>>();
  readonly #podErrors = new Map<UniquePodName, Set<string>>();
  readonly #now: () => number;
  readonly #onChange: (volumeName?: UniqueVolumeName) => void;

  constructor(mgr: VolumePluginMgr, opts: DesiredStateOfWorldOptions = {}) {
    this.#mgr = mgr;
    const clock = opts.clock;
    this.#now = clock === undefined ? Date.now : () => clock.now();
    this.#onChange = opts.onChange ?? (() => {});
  }

  /**
   * Adds (or refreshes) the pod in the volume's list of pods, adding the volume when new. Returns the
   * unique volume name: plugin-level for attachable or device-mountable volumes (shared by pods), per
   * pod otherwise. Throws with upstream's message when no single plugin supports the spec.
   */
  addPodToVolume(
    podName: UniquePodName,
    pod: Pod,
    volumeSpec: Spec,
    outerVolumeSpecName: string,
    volumeGIDValue: string,
  ): UniqueVolumeName {
    let plugin: ReturnType<VolumePluginMgr['findPluginBySpec']>;
    try {
      plugin = this.#mgr.findPluginBySpec(volumeSpec);
    } catch (err) {
      throw new Error(
        `failed to get Plugin from volumeSpec for volume ${JSON.stringify(specName(volumeSpec))} err=${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const attachable = this.#mgr.findAttachablePluginBySpec(volumeSpec) !== undefined;
    const deviceMountable = this.#mgr.findDeviceMountablePluginBySpec(volumeSpec) !== undefined;
    const volumeName = desiredUniqueVolumeName(plugin, volumeSpec, podName, this.#mgr);
    let vol = this.#volumes.get(volumeName);
    if (vol === undefined) {
      vol = {
        volumeName,
        podsToMount: new Map(),
        pluginIsAttachable: attachable,
        pluginIsDeviceMountable: deviceMountable,
        volumeGIDValue,
        reportedInUse: false,
        desiredSizeLimit: sizeLimitOf(volumeSpec),
        persistentVolumeSize: undefined,
        claimSize: undefined,
        nodeExpansionPending: false,
      };
      this.#volumes.set(volumeName, vol);
    }
    const old = vol.podsToMount.get(podName);
    const mountRequestTime =
      old !== undefined && !plugin.requiresRemount(volumeSpec) ? old.mountRequestTime : this.#now();
    const outer = old?.outerVolumeSpecNames ?? [];
    vol.podsToMount.set(podName, {
      podName,
      pod,
      volumeSpec,
      outerVolumeSpecNames: outer.includes(outerVolumeSpecName) ? outer : [...outer, outerVolumeSpecName],
      mountRequestTime,
    });
    let vols = this.#byPod.get(podName);
    if (vols === undefined) this.#byPod.set(podName, (vols = new Set()));
    vols.add(volumeName);
    this.#onChange(volumeName);
    return volumeName;
  }

  /**
   * Records the PV's capacity and the claim's state (upstream UpdatePersistentVolumeSize): the
   * reconciler grows a mounted volume whose PV grew while the claim waits for the node.
   */
  updatePersistentVolumeSize(
    volumeName: UniqueVolumeName,
    pvSize: string | undefined,
    claimSize: string | undefined,
    nodeExpansionPending: boolean,
  ): void {
    const vol = this.#volumes.get(volumeName);
    if (vol === undefined) return;
    if (
      vol.persistentVolumeSize === pvSize &&
      vol.claimSize === claimSize &&
      vol.nodeExpansionPending === nodeExpansionPending
    ) {
      return;
    }
    vol.persistentVolumeSize = pvSize;
    vol.claimSize = claimSize;
    vol.nodeExpansionPending = nodeExpansionPending;
    this.#onChange(volumeName);
  }

  /** Removes the pod from the volume; the volume goes when no pod is left. */
  deletePodFromVolume(podName: UniquePodName, volumeName: UniqueVolumeName): void {
    const vol = this.#volumes.get(volumeName);
    if (vol === undefined || !vol.podsToMount.delete(podName)) return;
    if (vol.podsToMount.size === 0) this.#volumes.delete(volumeName);
    const vols = this.#byPod.get(podName);
    if (vols?.delete(volumeName) === true && vols.size === 0) this.#byPod.delete(podName);
    this.#onChange(volumeName);
  }

  /** Sets reportedInUse for the listed volumes and clears it for the others. */
  markVolumesReportedInUse(reported: readonly UniqueVolumeName[]): void {
    const set = new Set(reported);
    for (const vol of this.#volumes.values()) {
      const r = set.has(vol.volumeName);
      if (vol.reportedInUse === r) continue;
      vol.reportedInUse = r;
      this.#onChange(vol.volumeName);
    }
  }

  volumeExists(volumeName: UniqueVolumeName): boolean {
    return this.#volumes.has(volumeName);
  }

  podExistsInVolume(podName: UniquePodName, volumeName: UniqueVolumeName): boolean {
    return this.#volumes.get(volumeName)?.podsToMount.has(podName) ?? false;
  }

  /** True when the pod wants a volume whose spec has this name (used by reconstruction). */
  volumeExistsWithSpecName(podName: UniquePodName, volumeSpecName: string): boolean {
    for (const name of this.#byPod.get(podName) ?? []) {
      const p = this.#volumes.get(name)?.podsToMount.get(podName);
      if (p !== undefined && specName(p.volumeSpec) === volumeSpecName) return true;
    }
    return false;
  }

  /** The pods with at least one volume, by pod name (UID). */
  getPods(): Map<UniquePodName, Pod> {
    const out = new Map<UniquePodName, Pod>();
    for (const [podName, names] of this.#byPod) {
      for (const name of names) {
        const p = this.#volumes.get(name)?.podsToMount.get(podName);
        if (p === undefined) continue;
        out.set(podName, p.pod);
        break;
      }
    }
    return out;
  }

  /** One entry per (pod, volume). */
  getVolumesToMount(): VolumeToMount[] {
    const out: VolumeToMount[] = [];
    for (const vol of this.#volumes.values()) {
      for (const p of vol.podsToMount.values()) out.push(volumeToMount(vol, p));
    }
    return out;
  }

  /** The volumes of one pod, as getVolumesToMount gives them. */
  getVolumesToMountForPod(podName: UniquePodName): VolumeToMount[] {
    const out: VolumeToMount[] = [];
    for (const name of this.#byPod.get(podName) ?? []) {
      const vol = this.#volumes.get(name);
      const p = vol?.podsToMount.get(podName);
      if (vol !== undefined && p !== undefined) out.push(volumeToMount(vol, p));
    }
    return out;
  }

  /** One volume's pods, as getVolumesToMount gives them. */
  getVolumesToMountOf(volumeName: UniqueVolumeName): VolumeToMount[] {
    const vol = this.#volumes.get(volumeName);
    if (vol === undefined) return [];
    return [...vol.podsToMount.values()].map((p) => volumeToMount(vol, p));
  }

  /** The names of the volumes the pod is in. */
  getVolumeNamesForPod(podName: UniquePodName): UniqueVolumeName[] {
    return [...(this.#byPod.get(podName) ?? [])];
  }

  /** True when the pod has at least one volume. */
  hasPod(podName: UniquePodName): boolean {
    return this.#byPod.has(podName);
  }

  /** The names of every desired volume. */
  getVolumeNames(): UniqueVolumeName[] {
    return [...this.#volumes.keys()];
  }

  /** The attachable volumes (for node.status.volumesInUse). */
  getAttachableVolumeNames(): UniqueVolumeName[] {
    return [...this.#volumes.values()].filter((v) => v.pluginIsAttachable).map((v) => v.volumeName);
  }

  /** Adds an error to the pod; the set keeps at most one copy of each message. */
  addErrorToPod(podName: UniquePodName, message: string): void {
    let errs = this.#podErrors.get(podName);
    if (errs === undefined) {
      errs = new Set();
      this.#podErrors.set(podName, errs);
    }
    if (errs.size < 10) errs.add(message);
    this.#onChange(undefined);
  }

  /** Returns and clears the pod's errors, sorted. */
  popPodErrors(podName: UniquePodName): string[] {
    const errs = this.#podErrors.get(podName);
    if (errs === undefined) return [];
    this.#podErrors.delete(podName);
    return [...errs].sort();
  }

  /** The pod's errors, without clearing them. */
  peekPodErrors(podName: UniquePodName): string[] {
    return [...(this.#podErrors.get(podName) ?? [])].sort();
  }
}

function volumeToMount(vol: DesiredVolume, p: PodToMount): VolumeToMount {
  return {
    volumeName: vol.volumeName,
    podName: p.podName,
    volumeSpec: p.volumeSpec,
    outerVolumeSpecNames: p.outerVolumeSpecNames,
    pod: p.pod,
    pluginIsAttachable: vol.pluginIsAttachable,
    pluginIsDeviceMountable: vol.pluginIsDeviceMountable,
    volumeGIDValue: vol.volumeGIDValue,
    devicePath: '',
    reportedInUse: vol.reportedInUse,
    ...(vol.desiredSizeLimit === undefined ? {} : { desiredSizeLimit: vol.desiredSizeLimit }),
    ...(vol.persistentVolumeSize === undefined
      ? {}
      : { desiredPersistentVolumeSize: vol.persistentVolumeSize }),
    ...(vol.claimSize === undefined ? {} : { claimSize: vol.claimSize }),
    nodeExpansionPending: vol.nodeExpansionPending,
  };
}

/**
 * The unique name the volume manager keys a volume by: uniqueVolumeName, except that block volumes
 * are always per volume (reconstruction uses the same function).
 */
export function desiredUniqueVolumeName(
  plugin: VolumePlugin,
  spec: Spec,
  podName: UniquePodName,
  mgr: VolumePluginMgr,
): UniqueVolumeName {
  if (isBlockVolumeSpec(spec)) return `${plugin.name}/${plugin.getVolumeName(spec)}`;
  return uniqueVolumeName(plugin, spec, podName, mgr);
}

/** emptyDir sizeLimit, when set and positive (upstream also folds in the pod's ephemeral-storage limit). */
function sizeLimitOf(spec: Spec): string | undefined {
  const limit = spec.volume?.emptyDir?.sizeLimit;
  if (limit === undefined || limit === '' || /^0+(\.0*)?[a-zA-Z]*$/.test(limit)) return undefined;
  return limit;
}
