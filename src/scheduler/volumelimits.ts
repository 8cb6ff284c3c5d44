// NodeVolumeLimits for CSI (pkg/scheduler/framework/plugins/nodevolumelimits/csi.go): a node's CSINode
// says, per driver, how many volumes it can attach (`spec.drivers[].allocatable.count`). The filter
// counts the distinct volumes of each driver used by pods already on the node and the new pod's volumes
// not among them; exceeding a limit is Unschedulable ("node(s) exceed max volume count").
// In-tree volumes (no CSI migration in kvol) are not counted.
import type {
  CSINode,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  StorageClass,
} from '../api/index.ts';
import type { SharedIndexInformer } from '../client/index.ts';
import type { AssumeCache } from './assumecache.ts';
import { ErrReasonMaxVolumeCountExceeded } from './constants.ts';
import { claimClass } from './pvutil.ts';
import { type Status, success, unschedulable } from './status.ts';
import { podVolumeClaimName } from './volumebinding.ts';

export interface VolumeLimitsDeps {
  csiNodes: SharedIndexInformer<CSINode>;
  classes: SharedIndexInformer<StorageClass>;
  pvCache: AssumeCache<PersistentVolume>;
  pvcCache: AssumeCache<PersistentVolumeClaim>;
}

export class NodeVolumeLimits {
  readonly #d: VolumeLimitsDeps;

  constructor(deps: VolumeLimitsDeps) {
    this.#d = deps;
  }

  /** Unique volume name (`<driver>/<handle>`) to driver name, for the CSI volumes a pod uses. */
  csiVolumes(pod: Pod): Map<string, string> {
    const out = new Map<string, string>();
    const ns = pod.metadata.namespace ?? '';
    for (const vol of pod.spec?.volumes ?? []) {
      if (vol.csi !== undefined) {
        out.set(`${vol.csi.driver}/${ns}/${pod.metadata.name ?? ''}-${vol.name}`, vol.csi.driver);
        continue;
      }
      const ref = podVolumeClaimName(pod, vol);
      if (ref === undefined) continue;
      const pvc = this.#d.pvcCache.get(`${ns}/${ref.name}`);
      if (pvc === undefined) continue;
      const pvName = pvc.spec?.volumeName ?? '';
      if (pvName === '') {
        // Unbound: the class's provisioner will create one volume; a placeholder handle stands for it.
        const cls = this.#d.classes.getByKey(claimClass(pvc));
        if (cls === undefined || (cls.provisioner ?? '') === '') continue;
        out.set(`${cls.provisioner}/${ns}-${ref.name}`, cls.provisioner);
        continue;
      }
      const pv = this.#d.pvCache.get(pvName);
      const csi = pv?.spec?.csi;
      if (csi === undefined) continue;
      out.set(`${csi.driver}/${csi.volumeHandle}`, csi.driver);
    }
    return out;
  }

  filter(pod: Pod, node: Node, podsOnNode: readonly Pod[]): Status {
    const newVolumes = this.csiVolumes(pod);
    if (newVolumes.size === 0) return success;
    const csiNode = this.#d.csiNodes.getByKey(node.metadata.name ?? '');
    const limits = new Map<string, number>();
    for (const d of csiNode?.spec?.drivers ?? []) {
      if (d.allocatable?.count !== undefined && d.allocatable.count !== null)
        limits.set(d.name, d.allocatable.count);
    }
    if (limits.size === 0) return success;
    const attached = new Map<string, string>();
    for (const p of podsOnNode) for (const [k, v] of this.csiVolumes(p)) attached.set(k, v);
    const attachedCount = new Map<string, number>();
    for (const driver of attached.values()) attachedCount.set(driver, (attachedCount.get(driver) ?? 0) + 1);
    const newCount = new Map<string, number>();
    for (const [k, driver] of newVolumes) {
      if (attached.has(k)) continue;
      newCount.set(driver, (newCount.get(driver) ?? 0) + 1);
    }
    for (const [driver, n] of newCount) {
      const limit = limits.get(driver);
      if (limit !== undefined && (attachedCount.get(driver) ?? 0) + n > limit) {
        return unschedulable(ErrReasonMaxVolumeCountExceeded);
      }
    }
    return success;
  }
}
