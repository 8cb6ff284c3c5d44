// Defaulting of storage.k8s.io kinds, in place (pkg/apis/storage/v1/defaults.go and its generated
// nested defaults, with the feature gates of Kubernetes 1.32 at their defaults: CSIInlineVolume,
// CSIVolumeFSGroupPolicy and SELinuxMountReadWriteOncePod on).
import type { CSIDriver, CSIStorageCapacity, StorageClass, VolumeAttachment } from '../types/index.ts';
import { canonicalQuantity, defaultPersistentVolumeSource, defaultResourceList } from './core.ts';

/** SetDefaults_StorageClass: reclaimPolicy Delete, volumeBindingMode Immediate. */
export function defaultStorageClass(sc: StorageClass): void {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
}

/** SetDefaults_CSIDriver. */
export function defaultCSIDriver(d: CSIDriver): void {
  d.spec ??= {};
  const spec = d.spec;
  spec.attachRequired ??= true;
  spec.podInfoOnMount ??= false;
  spec.storageCapacity ??= false;
  spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
  if (
    spec.volumeLifecycleModes === undefined ||
    spec.volumeLifecycleModes === null ||
    spec.volumeLifecycleModes.length === 0
  ) {
    spec.volumeLifecycleModes = ['Persistent'];
  }
  spec.requiresRepublish ??= false;
  spec.seLinuxMount ??= false;
}

/**
 * SetObjectDefaults_VolumeAttachment: an inline volume spec gets its capacity canonical and the nested
 * volume source defaults; reclaim policy and volume mode are not defaulted there.
 */
export function defaultVolumeAttachment(va: VolumeAttachment): void {
  const inline = va.spec?.source?.inlineVolumeSpec;
  if (inline === undefined || inline === null) return;
  defaultResourceList(inline.capacity);
  defaultPersistentVolumeSource(inline);
}

/** No upstream defaults; the quantities are written in the canonical form resource.Quantity serialises to. */
export function defaultCSIStorageCapacity(c: CSIStorageCapacity): void {
  if (typeof c.capacity === 'string') c.capacity = canonicalQuantity(c.capacity);
  if (typeof c.maximumVolumeSize === 'string') c.maximumVolumeSize = canonicalQuantity(c.maximumVolumeSize);
}
