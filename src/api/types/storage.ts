// storage.k8s.io object types as their JSON travels on the wire (k8s.io/api/storage/v1 and v1beta1,
// Kubernetes 1.32): StorageClass, CSIDriver, CSINode, VolumeAttachment, CSIStorageCapacity and
// VolumeAttributesClass. These are top-level-field kinds (no spec) except CSIDriver, CSINode and
// VolumeAttachment.
import type { KubeObject, LabelSelector } from '../meta.ts';
import type { PersistentVolumeReclaimPolicy, PersistentVolumeSpec } from './core.ts';

export const VolumeBindingMode = {
  Immediate: 'Immediate',
  WaitForFirstConsumer: 'WaitForFirstConsumer',
} as const;
export type VolumeBindingMode = (typeof VolumeBindingMode)[keyof typeof VolumeBindingMode];

export const VolumeLifecycleMode = {
  Persistent: 'Persistent',
  Ephemeral: 'Ephemeral',
} as const;
export type VolumeLifecycleMode = (typeof VolumeLifecycleMode)[keyof typeof VolumeLifecycleMode];

export const FSGroupPolicy = {
  ReadWriteOnceWithFSType: 'ReadWriteOnceWithFSType',
  File: 'File',
  None: 'None',
} as const;
export type FSGroupPolicy = (typeof FSGroupPolicy)[keyof typeof FSGroupPolicy];

/** The annotation that marks the default StorageClass (and its beta predecessor). */
export const IsDefaultStorageClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
export const BetaIsDefaultStorageClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';

// ---------------------------------------------------------------------------------------------------
// StorageClass

export interface TopologySelectorLabelRequirement {
  key: string;
  values: string[];
}

export interface TopologySelectorTerm {
  matchLabelExpressions?: TopologySelectorLabelRequirement[];
}

export interface StorageClass extends KubeObject {
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: PersistentVolumeReclaimPolicy;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: VolumeBindingMode;
  allowedTopologies?: TopologySelectorTerm[];
}

// ---------------------------------------------------------------------------------------------------
// CSIDriver

export interface TokenRequest {
  audience: string;
  expirationSeconds?: number;
}

export interface CSIDriverSpec {
  attachRequired?: boolean;
  podInfoOnMount?: boolean;
  volumeLifecycleModes?: VolumeLifecycleMode[];
  storageCapacity?: boolean;
  fsGroupPolicy?: FSGroupPolicy;
  tokenRequests?: TokenRequest[];
  requiresRepublish?: boolean;
  seLinuxMount?: boolean;
}

export interface CSIDriver extends KubeObject {
  spec: CSIDriverSpec;
}

// ---------------------------------------------------------------------------------------------------
// CSINode

export interface VolumeNodeResources {
  count?: number;
}

export interface CSINodeDriver {
  name: string;
  nodeID: string;
  topologyKeys?: string[] | null;
  allocatable?: VolumeNodeResources;
}

export interface CSINodeSpec {
  drivers: CSINodeDriver[];
}

export interface CSINode extends KubeObject {
  spec: CSINodeSpec;
}

// ---------------------------------------------------------------------------------------------------
// VolumeAttachment

export interface VolumeAttachmentSource {
  persistentVolumeName?: string;
  inlineVolumeSpec?: PersistentVolumeSpec;
}

export interface VolumeAttachmentSpec {
  attacher: string;
  source: VolumeAttachmentSource;
  nodeName: string;
}

export interface VolumeError {
  time?: string;
  message?: string;
  errorCode?: number;
}

export interface VolumeAttachmentStatus {
  attached: boolean;
  attachmentMetadata?: Record<string, string>;
  attachError?: VolumeError;
  detachError?: VolumeError;
}

export interface VolumeAttachment extends KubeObject {
  spec: VolumeAttachmentSpec;
  status?: VolumeAttachmentStatus;
}

// ---------------------------------------------------------------------------------------------------
// CSIStorageCapacity

export interface CSIStorageCapacity extends KubeObject {
  nodeTopology?: LabelSelector;
  storageClassName: string;
  /** Quantity. */
  capacity?: string;
  /** Quantity. */
  maximumVolumeSize?: string;
}

// ---------------------------------------------------------------------------------------------------
// VolumeAttributesClass (storage.k8s.io/v1beta1 in 1.32)

export interface VolumeAttributesClass extends KubeObject {
  driverName: string;
  parameters?: Record<string, string>;
}
