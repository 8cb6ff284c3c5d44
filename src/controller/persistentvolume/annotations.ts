// Annotation keys, finalizers and other names the persistentvolume controller shares with the rest of
// Kubernetes (k8s.io/component-helpers/storage/volume/pv_helpers.go and pkg/controller/volume/persistentvolume).
// Declared once here; every other module imports them.

/** On a PVC: binding finished at least once; from then on syncBoundClaim handles the claim. */
export const AnnBindCompleted = 'pv.kubernetes.io/bind-completed';
/** On a PV or PVC: the link to the other side was written by the controller, not pre-bound by a user. */
export const AnnBoundByController = 'pv.kubernetes.io/bound-by-controller';
/** On a PV: the plugin or external provisioner that created it. */
export const AnnDynamicallyProvisioned = 'pv.kubernetes.io/provisioned-by';
/** On a PVC: the provisioner expected to provision it (external provisioners act only on their name). */
export const AnnStorageProvisioner = 'volume.kubernetes.io/storage-provisioner';
/** Deprecated twin of AnnStorageProvisioner, still written with it. */
export const AnnBetaStorageProvisioner = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a PVC: the node the scheduler picked for a WaitForFirstConsumer claim. */
export const AnnSelectedNode = 'volume.kubernetes.io/selected-node';
/** On a PV or PVC: CSI driver that took over from a migrated in-tree plugin. kvol migrates nothing. */
export const AnnMigratedTo = 'pv.kubernetes.io/migrated-to';
/** Legacy class annotation, read where spec.storageClassName is unset. */
export const AnnBetaStorageClass = 'volume.beta.kubernetes.io/storage-class';
/** On a PV: the filesystem size to report on the claim after an offline block resize. */
export const AnnPreResizeCapacity = 'volume.alpha.kubernetes.io/pre-resize-capacity';
/** On a StorageClass: `"true"` marks the default class (beta key also honoured). */
export const AnnIsDefaultStorageClass = 'storageclass.kubernetes.io/is-default-class';
export const AnnBetaIsDefaultStorageClass = 'storageclass.beta.kubernetes.io/is-default-class';
/** On a PV made by the hostPath provisioner (util.VolumeDynamicallyCreatedByKey). */
export const AnnDynamicallyCreatedBy = 'kubernetes.io/createdby';

/** StorageClass.provisioner of classes without dynamic provisioning. */
export const NotSupportedProvisioner = 'kubernetes.io/no-provisioner';

/** Added by external-provisioner; removed by this controller from in-tree PVs. */
export const PVDeletionProtectionFinalizer = 'external-provisioner.volume.kubernetes.io/finalizer';
/** Keeps a dynamically provisioned in-tree PV with reclaim Delete until its storage is deleted. */
export const PVDeletionInTreeProtectionFinalizer = 'kubernetes.io/pv-controller';

/** In-tree plugin names start with this; others belong to external provisioners. */
export const InTreePluginPrefix = 'kubernetes.io/';

/** The component name events are recorded under. */
export const ControllerComponent = 'persistentvolume-controller';

/** Claim keys (`namespace/name`) and the PV name a claim's provisioned volume gets. */
export const ProvisionedVolumeNamePrefix = 'pvc-';
