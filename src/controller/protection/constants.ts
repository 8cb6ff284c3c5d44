// Upstream names of the storage-object-in-use protection controllers, declared once: the finalizers
// (pkg/volume/util.PVCProtectionFinalizer / PVProtectionFinalizer), the controller names under which
// kube-controller-manager runs them, their workqueue names (the `name` label of workqueue_* metrics) and
// the pod index by claim (pkg/controller/volume/common.PodPVCIndex).

/** Put on every PVC at creation by the StorageObjectInUseProtection admission plugin. */
export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection';

/** Put on every PV at creation by the StorageObjectInUseProtection admission plugin. */
export const pvProtectionFinalizer = 'kubernetes.io/pv-protection';

export const pvcProtectionControllerName = 'persistentvolumeclaim-protection-controller';
export const pvProtectionControllerName = 'persistentvolume-protection-controller';

export const pvcProtectionQueueName = 'pvcprotection';
export const pvProtectionQueueName = 'pvprotection';

/** Pods indexed by the `namespace/name` keys of the claims they reference (common.PodPVCIndex). */
export const podPVCIndex = 'pod-pvc-index';
