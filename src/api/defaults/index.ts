// Defaulting of every kind kvol serves, mutating objects in place as the apiserver does on decode.
// Kinds without upstream defaults (ConfigMap, Event, CSINode, VolumeAttributesClass, the snapshot
// CRDs, Lease) have no function here.
export {
  canonicalQuantity,
  DefaultSchedulerName,
  DefaultServiceAccountTokenExpirationSeconds,
  DefaultTerminationGracePeriodSeconds,
  DefaultVolumeMode,
  defaultContainer,
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultPersistentVolumeClaimSpec,
  defaultPersistentVolumeSource,
  defaultPod,
  defaultPodSpec,
  defaultResourceList,
  defaultSecret,
  defaultVolume,
  enforceDataSourceBackwardsCompatibility,
  LabelMetadataName,
  mergeSecretStringData,
  normalizeDataSources,
  prepareNamespaceForCreate,
  preparePersistentVolumeClaimForCreate,
  preparePersistentVolumeClaimForUpdate,
  preparePersistentVolumeForCreate,
  preparePersistentVolumeStatusUpdate,
  TerminationMessagePathDefault,
  volumeSourceFields,
} from './core.ts';
export { defaultPullPolicy, imageTag } from './image.ts';
export {
  defaultCSIDriver,
  defaultCSIStorageCapacity,
  defaultStorageClass,
  defaultVolumeAttachment,
} from './storage.ts';
