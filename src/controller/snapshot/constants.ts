// Names the snapshot controllers share with kubernetes-csi/external-snapshotter v8 (pkg/utils/util.go
// and the event reasons of pkg/common-controller and pkg/sidecar-controller): declared once here.

/** On a VolumeSnapshot: kept while the snapshot may be the source of a volume being restored. */
export const VolumeSnapshotAsSourceFinalizer =
  'snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection';
/** On a VolumeSnapshot bound to a content with deletion policy Delete, until the content is gone. */
export const VolumeSnapshotBoundFinalizer = 'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection';
/** On a VolumeSnapshotContent bound to a snapshot, until the sidecar deleted the backend snapshot. */
export const VolumeSnapshotContentFinalizer =
  'snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection';
/** On a PVC while a snapshot is being cut from it. */
export const PVCFinalizer = 'snapshot.storage.kubernetes.io/pvc-as-source-protection';

/** On a content whose snapshot is being deleted (value "yes"): the sidecar may delete it. */
export const AnnVolumeSnapshotBeingDeleted = 'snapshot.storage.kubernetes.io/volumesnapshot-being-deleted';
/** On a content while CreateSnapshot is in flight (value "yes"): deletion waits for the answer. */
export const AnnVolumeSnapshotBeingCreated = 'snapshot.storage.kubernetes.io/volumesnapshot-being-created';
/** On a content: the snapshotter secret, kept for DeleteSnapshot after the class may be gone. */
export const AnnDeletionSecretRefName = 'snapshot.storage.kubernetes.io/deletion-secret-name';
export const AnnDeletionSecretRefNamespace = 'snapshot.storage.kubernetes.io/deletion-secret-namespace';

/** The reserved VolumeSnapshotClass parameter prefix, stripped before CreateSnapshot. */
export const CsiParameterPrefix = 'csi.storage.k8s.io/';
export const PrefixedSnapshotterSecretNameKey = 'csi.storage.k8s.io/snapshotter-secret-name';
export const PrefixedSnapshotterSecretNamespaceKey = 'csi.storage.k8s.io/snapshotter-secret-namespace';
export const PrefixedSnapshotterListSecretNameKey = 'csi.storage.k8s.io/snapshotter-list-secret-name';
export const PrefixedSnapshotterListSecretNamespaceKey =
  'csi.storage.k8s.io/snapshotter-list-secret-namespace';

/** Dynamic contents are named `snapcontent-<snapshot UID>`; backend snapshots `snapshot-<snapshot UID>`. */
export const SnapshotContentNamePrefix = 'snapcontent-';
export const SnapshotNamePrefix = 'snapshot';

export const SnapshotControllerName = 'snapshot-controller';
export const SnapshotterName = 'csi-snapshotter';

/** Event reasons. */
export const SnapshotEvents = {
  // common controller, on the VolumeSnapshot
  CreatingSnapshot: 'CreatingSnapshot',
  SnapshotCreated: 'SnapshotCreated',
  SnapshotReady: 'SnapshotReady',
  SnapshotValidationError: 'SnapshotValidationError',
  SnapshotFinalizerError: 'SnapshotFinalizerError',
  SnapshotContentCreationFailed: 'SnapshotContentCreationFailed',
  CreateSnapshotContentFailed: 'CreateSnapshotContentFailed',
  SnapshotStatusUpdateFailed: 'SnapshotStatusUpdateFailed',
  SnapshotContentMissing: 'SnapshotContentMissing',
  SnapshotContentMismatch: 'SnapshotContentMismatch',
  SnapshotContentMisbound: 'SnapshotContentMisbound',
  SnapshotMisbound: 'SnapshotMisbound',
  SnapshotBindFailed: 'SnapshotBindFailed',
  SnapshotPVCSourceMissing: 'SnapshotPVCSourceMissing',
  SnapshotHandleSet: 'SnapshotHandleSet',
  SnapshotDeletePending: 'SnapshotDeletePending',
  SnapshotContentObjectDeleteError: 'SnapshotContentObjectDeleteError',
  ErrorPVCFinalizer: 'ErrorPVCFinalizer',
  SetDefaultSnapshotClassFailed: 'SetDefaultSnapshotClassFailed',
  GetSnapshotClassFailed: 'GetSnapshotClassFailed',
  // common controller, on the VolumeSnapshotContent
  ContentValidationError: 'ContentValidationError',
  // csi-snapshotter, on the VolumeSnapshotContent
  SnapshotCreationFailed: 'SnapshotCreationFailed',
  SnapshotContentCheckandUpdateFailed: 'SnapshotContentCheckandUpdateFailed',
  SnapshotDeleteError: 'SnapshotDeleteError',
} as const;

/** Prefix of the errors of failed API writes (controllerUpdateFailMsg). */
export const ControllerUpdateFailMsg = 'snapshot controller failed to update';
