// Names the built-in provisioner, capacity publisher and attacher share with the upstream sidecars
// (kubernetes-csi/external-provisioner, sig-storage-lib-external-provisioner, external-attacher):
// annotations, finalizers, labels, reserved StorageClass parameter keys and event reasons, declared
// once. A driver handed back to its own sidecars finds exactly these on the objects kvol wrote.

// ---- external-provisioner ---------------------------------------------------------------------------

/** StorageClass parameters with this prefix are for the provisioner, not the driver. */
export const CsiParameterPrefix = 'csi.storage.k8s.io/';
export const PrefixedFsTypeKey = `${CsiParameterPrefix}fstype`;

/** One kind of secret a StorageClass can name, with its (optional) deprecated keys. */
export interface SecretParams {
  readonly name: string;
  readonly secretNameKey: string;
  readonly secretNamespaceKey: string;
  readonly deprecatedSecretNameKey?: string;
  readonly deprecatedSecretNamespaceKey?: string;
}

const secretParams = (name: string, kind: string, deprecated?: string): SecretParams => ({
  name,
  secretNameKey: `${CsiParameterPrefix}${kind}secret-name`,
  secretNamespaceKey: `${CsiParameterPrefix}${kind}secret-namespace`,
  ...(deprecated !== undefined
    ? {
        deprecatedSecretNameKey: `csi${deprecated}SecretName`,
        deprecatedSecretNamespaceKey: `csi${deprecated}SecretNamespace`,
      }
    : {}),
});

export const DefaultSecretParams = secretParams('Default', '');
export const ProvisionerSecretParams = secretParams('Provisioner', 'provisioner-', 'Provisioner');
export const ControllerPublishSecretParams = secretParams(
  'ControllerPublish',
  'controller-publish-',
  'ControllerPublish',
);
export const NodeStageSecretParams = secretParams('NodeStage', 'node-stage-', 'NodeStage');
export const NodePublishSecretParams = secretParams('NodePublish', 'node-publish-', 'NodePublish');
export const ControllerExpandSecretParams = secretParams('ControllerExpand', 'controller-expand-');
export const NodeExpandSecretParams = secretParams('NodeExpand', 'node-expand-');

/** The reserved keys removePrefixedParameters strips; any other `csi.storage.k8s.io/` key is an error. */
export const ReservedParameterKeys: ReadonlySet<string> = new Set([
  PrefixedFsTypeKey,
  ...[
    DefaultSecretParams,
    ProvisionerSecretParams,
    ControllerPublishSecretParams,
    NodeStageSecretParams,
    NodePublishSecretParams,
    ControllerExpandSecretParams,
    NodeExpandSecretParams,
  ].flatMap((p) => [p.secretNameKey, p.secretNamespaceKey]),
]);

/** volumeAttributes key naming the provisioner instance that made the volume. */
export const ProvisionerIdKey = 'storage.kubernetes.io/csiProvisionerIdentity';
/** PV annotations remembering the provisioner secret, read again at deletion. */
export const AnnDeletionProvisionerSecretRefName = 'volume.kubernetes.io/provisioner-deletion-secret-name';
export const AnnDeletionProvisionerSecretRefNamespace =
  'volume.kubernetes.io/provisioner-deletion-secret-namespace';
/** On a clone's source PVC while the clone is being provisioned. */
export const PvcCloneFinalizer = 'provisioner.storage.kubernetes.io/cloning-protection';
/** On a VolumeSnapshotContent: restoring into another volumeMode is allowed. */
export const AnnAllowVolumeModeChange = 'snapshot.storage.kubernetes.io/allow-volume-mode-change';

export const SnapshotKind = 'VolumeSnapshot';
export const SnapshotApiGroup = 'snapshot.storage.k8s.io';
export const PvcKind = 'PersistentVolumeClaim';

/** The PV name and CreateVolume name prefix (external-provisioner --volume-name-prefix default). */
export const VolumeNamePrefix = 'pvc';

/** Event source component of the provisioner and capacity publisher. */
export const ProvisionerComponent = 'external-provisioner';

// ---- capacity ---------------------------------------------------------------------------------------

export const DriverNameLabel = 'csi.storage.k8s.io/drivername';
export const ManagedByLabel = 'csi.storage.k8s.io/managed-by';
/** managed-by of centrally published objects (upstream's value without --node-deployment). */
export const CapacityManagedBy = 'external-provisioner';
export const CapacityGenerateName = 'csisc-';

// ---- external-attacher ------------------------------------------------------------------------------

/** VolumeAttachment annotation keeping the node ID for detach when the CSINode is gone. */
export const VaNodeIdAnnotation = 'csi.alpha.kubernetes.io/node-id';
export const AttacherComponent = 'external-attacher';

// ---- event reasons ----------------------------------------------------------------------------------

export const Events = {
  Provisioning: 'Provisioning',
  ProvisioningSucceeded: 'ProvisioningSucceeded',
  ProvisioningFailed: 'ProvisioningFailed',
  VolumeFailedDelete: 'VolumeFailedDelete',
} as const;
