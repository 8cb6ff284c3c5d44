// snapshot.storage.k8s.io/v1 object types as the external-snapshotter v8 CRDs define them
// (client/apis/volumesnapshot/v1/types.go): VolumeSnapshot, VolumeSnapshotContent, VolumeSnapshotClass.
// Note the content status carries creationTime as Unix nanoseconds and restoreSize as bytes (numbers),
// while the VolumeSnapshot status carries a metav1.Time string and a quantity string.
import type { KubeObject } from '../meta.ts';
import type { ObjectReference, PersistentVolumeMode } from './core.ts';

export const DeletionPolicy = {
  Delete: 'Delete',
  Retain: 'Retain',
} as const;
export type DeletionPolicy = (typeof DeletionPolicy)[keyof typeof DeletionPolicy];

/** The annotation that marks the default VolumeSnapshotClass of a driver. */
export const IsDefaultSnapshotClassAnnotation = 'snapshot.storage.kubernetes.io/is-default-class';

export interface VolumeSnapshotError {
  time?: string;
  message?: string;
}

// ---------------------------------------------------------------------------------------------------
// VolumeSnapshot

export interface VolumeSnapshotSource {
  persistentVolumeClaimName?: string;
  volumeSnapshotContentName?: string;
}

export interface VolumeSnapshotSpec {
  source: VolumeSnapshotSource;
  volumeSnapshotClassName?: string;
}

export interface VolumeSnapshotStatus {
  boundVolumeSnapshotContentName?: string;
  creationTime?: string;
  readyToUse?: boolean;
  /** Quantity. */
  restoreSize?: string;
  error?: VolumeSnapshotError;
  volumeGroupSnapshotName?: string;
}

export interface VolumeSnapshot extends KubeObject {
  spec: VolumeSnapshotSpec;
  status?: VolumeSnapshotStatus;
}

// ---------------------------------------------------------------------------------------------------
// VolumeSnapshotContent

export interface VolumeSnapshotContentSource {
  volumeHandle?: string;
  snapshotHandle?: string;
}

export interface VolumeSnapshotContentSpec {
  volumeSnapshotRef: ObjectReference;
  deletionPolicy: DeletionPolicy;
  driver: string;
  volumeSnapshotClassName?: string;
  source: VolumeSnapshotContentSource;
  /** Upstream has no omitempty here, so an unset mode serialises as null. */
  sourceVolumeMode?: PersistentVolumeMode | null;
}

export interface VolumeSnapshotContentStatus {
  snapshotHandle?: string;
  /** Unix time in nanoseconds. */
  creationTime?: number;
  /** Bytes. */
  restoreSize?: number;
  readyToUse?: boolean;
  error?: VolumeSnapshotError;
  volumeGroupSnapshotHandle?: string;
}

export interface VolumeSnapshotContent extends KubeObject {
  spec: VolumeSnapshotContentSpec;
  status?: VolumeSnapshotContentStatus;
}

// ---------------------------------------------------------------------------------------------------
// VolumeSnapshotClass

export interface VolumeSnapshotClass extends KubeObject {
  driver: string;
  parameters?: Record<string, string>;
  deletionPolicy: DeletionPolicy;
}
