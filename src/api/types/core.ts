// core/v1 object types as their JSON travels on the wire (k8s.io/api/core/v1/types.go, Kubernetes 1.32):
// Namespace, Node, Pod, PersistentVolume, PersistentVolumeClaim, ConfigMap, Secret, Event and the
// structs they share. Field names are upstream's JSON names; optional fields are optional; timestamps
// and quantities are strings. Volume sources nobody in kvol implements (the legacy cloud ones) are typed
// loosely so objects that carry them still round-trip.
import type { KubeObject, LabelSelector, ObjectMeta } from '../meta.ts';

// ---------------------------------------------------------------------------------------------------
// Shared constants (string unions as `as const` objects)

export const PersistentVolumePhase = {
  Pending: 'Pending',
  Available: 'Available',
  Bound: 'Bound',
  Released: 'Released',
  Failed: 'Failed',
} as const;
export type PersistentVolumePhase = (typeof PersistentVolumePhase)[keyof typeof PersistentVolumePhase];

export const PersistentVolumeClaimPhase = {
  Pending: 'Pending',
  Bound: 'Bound',
  Lost: 'Lost',
} as const;
export type PersistentVolumeClaimPhase =
  (typeof PersistentVolumeClaimPhase)[keyof typeof PersistentVolumeClaimPhase];

export const PersistentVolumeAccessMode = {
  ReadWriteOnce: 'ReadWriteOnce',
  ReadOnlyMany: 'ReadOnlyMany',
  ReadWriteMany: 'ReadWriteMany',
  ReadWriteOncePod: 'ReadWriteOncePod',
} as const;
export type PersistentVolumeAccessMode =
  (typeof PersistentVolumeAccessMode)[keyof typeof PersistentVolumeAccessMode];

export const PersistentVolumeReclaimPolicy = {
  Recycle: 'Recycle',
  Delete: 'Delete',
  Retain: 'Retain',
} as const;
export type PersistentVolumeReclaimPolicy =
  (typeof PersistentVolumeReclaimPolicy)[keyof typeof PersistentVolumeReclaimPolicy];

export const PersistentVolumeMode = {
  Block: 'Block',
  Filesystem: 'Filesystem',
} as const;
export type PersistentVolumeMode = (typeof PersistentVolumeMode)[keyof typeof PersistentVolumeMode];

export const PersistentVolumeClaimConditionType = {
  Resizing: 'Resizing',
  FileSystemResizePending: 'FileSystemResizePending',
  ControllerResizeError: 'ControllerResizeError',
  NodeResizeError: 'NodeResizeError',
  ModifyVolumeError: 'ModifyVolumeError',
  ModifyingVolume: 'ModifyingVolume',
} as const;
export type PersistentVolumeClaimConditionType =
  (typeof PersistentVolumeClaimConditionType)[keyof typeof PersistentVolumeClaimConditionType];

export const ClaimResourceStatus = {
  ControllerResizeInProgress: 'ControllerResizeInProgress',
  ControllerResizeInfeasible: 'ControllerResizeInfeasible',
  NodeResizePending: 'NodeResizePending',
  NodeResizeInProgress: 'NodeResizeInProgress',
  NodeResizeInfeasible: 'NodeResizeInfeasible',
} as const;
export type ClaimResourceStatus = (typeof ClaimResourceStatus)[keyof typeof ClaimResourceStatus];

export const PersistentVolumeClaimModifyVolumeStatus = {
  Pending: 'Pending',
  InProgress: 'InProgress',
  Infeasible: 'Infeasible',
} as const;
export type PersistentVolumeClaimModifyVolumeStatus =
  (typeof PersistentVolumeClaimModifyVolumeStatus)[keyof typeof PersistentVolumeClaimModifyVolumeStatus];

export const HostPathType = {
  Unset: '',
  DirectoryOrCreate: 'DirectoryOrCreate',
  Directory: 'Directory',
  FileOrCreate: 'FileOrCreate',
  File: 'File',
  Socket: 'Socket',
  CharDevice: 'CharDevice',
  BlockDevice: 'BlockDevice',
} as const;
export type HostPathType = (typeof HostPathType)[keyof typeof HostPathType];

export const StorageMedium = {
  Default: '',
  Memory: 'Memory',
  HugePages: 'HugePages',
} as const;
/** `HugePages-<size>` is also accepted (e.g. `HugePages-2Mi`). */
export type StorageMedium = string;

export const MountPropagationMode = {
  None: 'None',
  HostToContainer: 'HostToContainer',
  Bidirectional: 'Bidirectional',
} as const;
export type MountPropagationMode = (typeof MountPropagationMode)[keyof typeof MountPropagationMode];

export const RecursiveReadOnlyMode = {
  Disabled: 'Disabled',
  IfPossible: 'IfPossible',
  Enabled: 'Enabled',
} as const;
export type RecursiveReadOnlyMode = (typeof RecursiveReadOnlyMode)[keyof typeof RecursiveReadOnlyMode];

export const PodPhase = {
  Pending: 'Pending',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Unknown: 'Unknown',
} as const;
export type PodPhase = (typeof PodPhase)[keyof typeof PodPhase];

export const PodConditionType = {
  ContainersReady: 'ContainersReady',
  Initialized: 'Initialized',
  Ready: 'Ready',
  PodScheduled: 'PodScheduled',
  DisruptionTarget: 'DisruptionTarget',
  PodReadyToStartContainers: 'PodReadyToStartContainers',
} as const;
export type PodConditionType = (typeof PodConditionType)[keyof typeof PodConditionType];

export const RestartPolicy = {
  Always: 'Always',
  OnFailure: 'OnFailure',
  Never: 'Never',
} as const;
export type RestartPolicy = (typeof RestartPolicy)[keyof typeof RestartPolicy];

export const ContainerRestartPolicy = {
  Always: 'Always',
} as const;
export type ContainerRestartPolicy = (typeof ContainerRestartPolicy)[keyof typeof ContainerRestartPolicy];

export const DNSPolicy = {
  ClusterFirstWithHostNet: 'ClusterFirstWithHostNet',
  ClusterFirst: 'ClusterFirst',
  Default: 'Default',
  None: 'None',
} as const;
export type DNSPolicy = (typeof DNSPolicy)[keyof typeof DNSPolicy];

export const PullPolicy = {
  Always: 'Always',
  Never: 'Never',
  IfNotPresent: 'IfNotPresent',
} as const;
export type PullPolicy = (typeof PullPolicy)[keyof typeof PullPolicy];

export const TerminationMessagePolicy = {
  File: 'File',
  FallbackToLogsOnError: 'FallbackToLogsOnError',
} as const;
export type TerminationMessagePolicy =
  (typeof TerminationMessagePolicy)[keyof typeof TerminationMessagePolicy];

export const Protocol = {
  TCP: 'TCP',
  UDP: 'UDP',
  SCTP: 'SCTP',
} as const;
export type Protocol = (typeof Protocol)[keyof typeof Protocol];

export const PodFSGroupChangePolicy = {
  OnRootMismatch: 'OnRootMismatch',
  Always: 'Always',
} as const;
export type PodFSGroupChangePolicy = (typeof PodFSGroupChangePolicy)[keyof typeof PodFSGroupChangePolicy];

export const SupplementalGroupsPolicy = {
  Merge: 'Merge',
  Strict: 'Strict',
} as const;
export type SupplementalGroupsPolicy =
  (typeof SupplementalGroupsPolicy)[keyof typeof SupplementalGroupsPolicy];

export const PodSELinuxChangePolicy = {
  Recursive: 'Recursive',
  MountOption: 'MountOption',
} as const;
export type PodSELinuxChangePolicy = (typeof PodSELinuxChangePolicy)[keyof typeof PodSELinuxChangePolicy];

export const NodeSelectorOperator = {
  In: 'In',
  NotIn: 'NotIn',
  Exists: 'Exists',
  DoesNotExist: 'DoesNotExist',
  Gt: 'Gt',
  Lt: 'Lt',
} as const;
export type NodeSelectorOperator = (typeof NodeSelectorOperator)[keyof typeof NodeSelectorOperator];

export const TaintEffect = {
  NoSchedule: 'NoSchedule',
  PreferNoSchedule: 'PreferNoSchedule',
  NoExecute: 'NoExecute',
} as const;
export type TaintEffect = (typeof TaintEffect)[keyof typeof TaintEffect];

export const TolerationOperator = {
  Exists: 'Exists',
  Equal: 'Equal',
} as const;
export type TolerationOperator = (typeof TolerationOperator)[keyof typeof TolerationOperator];

export const ConditionStatus = {
  True: 'True',
  False: 'False',
  Unknown: 'Unknown',
} as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

export const NamespacePhase = {
  Active: 'Active',
  Terminating: 'Terminating',
} as const;
export type NamespacePhase = (typeof NamespacePhase)[keyof typeof NamespacePhase];

/** The finalizer the namespace controller owns (`FinalizerKubernetes`). */
export const FinalizerKubernetes = 'kubernetes';

export const NamespaceConditionType = {
  NamespaceDeletionDiscoveryFailure: 'NamespaceDeletionDiscoveryFailure',
  NamespaceDeletionContentFailure: 'NamespaceDeletionContentFailure',
  NamespaceDeletionGVParsingFailure: 'NamespaceDeletionGroupVersionParsingFailure',
  NamespaceContentRemaining: 'NamespaceContentRemaining',
  NamespaceFinalizersRemaining: 'NamespaceFinalizersRemaining',
} as const;
export type NamespaceConditionType = (typeof NamespaceConditionType)[keyof typeof NamespaceConditionType];

export const NodeConditionType = {
  Ready: 'Ready',
  MemoryPressure: 'MemoryPressure',
  DiskPressure: 'DiskPressure',
  PIDPressure: 'PIDPressure',
  NetworkUnavailable: 'NetworkUnavailable',
} as const;
export type NodeConditionType = (typeof NodeConditionType)[keyof typeof NodeConditionType];

export const NodeAddressType = {
  Hostname: 'Hostname',
  InternalIP: 'InternalIP',
  ExternalIP: 'ExternalIP',
  InternalDNS: 'InternalDNS',
  ExternalDNS: 'ExternalDNS',
} as const;
export type NodeAddressType = (typeof NodeAddressType)[keyof typeof NodeAddressType];

export const SecretType = {
  Opaque: 'Opaque',
  ServiceAccountToken: 'kubernetes.io/service-account-token',
  Dockercfg: 'kubernetes.io/dockercfg',
  DockerConfigJson: 'kubernetes.io/dockerconfigjson',
  BasicAuth: 'kubernetes.io/basic-auth',
  SSHAuth: 'kubernetes.io/ssh-auth',
  TLS: 'kubernetes.io/tls',
  BootstrapToken: 'bootstrap.kubernetes.io/token',
} as const;
/** Any string is a valid secret type; these are the ones with meaning. */
export type SecretType = string;

export const EventType = {
  Normal: 'Normal',
  Warning: 'Warning',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Well-known resource names in a ResourceList (upstream's ResourceCPU, ResourceStorage, ...). */
export const CoreResourceName = {
  CPU: 'cpu',
  Memory: 'memory',
  Storage: 'storage',
  EphemeralStorage: 'ephemeral-storage',
  Pods: 'pods',
} as const;

/** Resource name to quantity string (`{"storage": "1Gi"}`). */
export type ResourceList = Record<string, string>;

// ---------------------------------------------------------------------------------------------------
// References

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface LocalObjectReference {
  name?: string;
}

export interface TypedLocalObjectReference {
  apiGroup?: string;
  kind: string;
  name: string;
}

export interface TypedObjectReference {
  apiGroup?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface SecretReference {
  name?: string;
  namespace?: string;
}

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

// ---------------------------------------------------------------------------------------------------
// Node selection, taints, tolerations, affinity

export interface NodeSelectorRequirement {
  key: string;
  operator: NodeSelectorOperator;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeSelector {
  nodeSelectorTerms: NodeSelectorTerm[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  topologyKey: string;
  namespaceSelector?: LabelSelector;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

export interface PodAntiAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAntiAffinity;
}

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: TolerationOperator;
  value?: string;
  effect?: TaintEffect | '';
  tolerationSeconds?: number;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector?: LabelSelector;
  minDomains?: number;
  nodeAffinityPolicy?: 'Honor' | 'Ignore';
  nodeTaintsPolicy?: 'Honor' | 'Ignore';
  matchLabelKeys?: string[];
}

// ---------------------------------------------------------------------------------------------------
// Resources

export interface ResourceClaim {
  name: string;
  request?: string;
}

export interface ResourceRequirements {
  limits?: ResourceList;
  requests?: ResourceList;
  claims?: ResourceClaim[];
}

export interface VolumeResourceRequirements {
  limits?: ResourceList;
  requests?: ResourceList;
}

// ---------------------------------------------------------------------------------------------------
// Volume sources (pod volumes and persistent volume sources)

export interface HostPathVolumeSource {
  path: string;
  type?: HostPathType;
}

export interface EmptyDirVolumeSource {
  medium?: StorageMedium;
  sizeLimit?: string;
}

export interface SecretVolumeSource {
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface ConfigMapVolumeSource {
  name?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface ObjectFieldSelector {
  apiVersion?: string;
  fieldPath: string;
}

export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: string;
}

export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  mode?: number;
}

export interface DownwardAPIVolumeSource {
  items?: DownwardAPIVolumeFile[];
  defaultMode?: number;
}

export interface DownwardAPIProjection {
  items?: DownwardAPIVolumeFile[];
}

export interface SecretProjection {
  name?: string;
  items?: KeyToPath[];
  optional?: boolean;
}

export interface ConfigMapProjection {
  name?: string;
  items?: KeyToPath[];
  optional?: boolean;
}

export interface ServiceAccountTokenProjection {
  audience?: string;
  expirationSeconds?: number;
  path: string;
}

export interface ClusterTrustBundleProjection {
  name?: string;
  signerName?: string;
  labelSelector?: LabelSelector;
  optional?: boolean;
  path: string;
}

export interface VolumeProjection {
  secret?: SecretProjection;
  downwardAPI?: DownwardAPIProjection;
  configMap?: ConfigMapProjection;
  serviceAccountToken?: ServiceAccountTokenProjection;
  clusterTrustBundle?: ClusterTrustBundleProjection;
}

export interface ProjectedVolumeSource {
  sources?: VolumeProjection[];
  defaultMode?: number;
}

export interface PersistentVolumeClaimVolumeSource {
  claimName: string;
  readOnly?: boolean;
}

export interface PersistentVolumeClaimTemplate {
  metadata?: ObjectMeta;
  spec: PersistentVolumeClaimSpec;
}

export interface EphemeralVolumeSource {
  volumeClaimTemplate?: PersistentVolumeClaimTemplate;
}

export interface CSIVolumeSource {
  driver: string;
  readOnly?: boolean;
  fsType?: string;
  volumeAttributes?: Record<string, string>;
  nodePublishSecretRef?: LocalObjectReference;
}

export interface CSIPersistentVolumeSource {
  driver: string;
  volumeHandle: string;
  readOnly?: boolean;
  fsType?: string;
  volumeAttributes?: Record<string, string>;
  controllerPublishSecretRef?: SecretReference;
  nodeStageSecretRef?: SecretReference;
  nodePublishSecretRef?: SecretReference;
  controllerExpandSecretRef?: SecretReference;
  nodeExpandSecretRef?: SecretReference;
}

export interface FlexVolumeSource {
  driver: string;
  fsType?: string;
  secretRef?: LocalObjectReference;
  readOnly?: boolean;
  options?: Record<string, string>;
}

export interface FlexPersistentVolumeSource {
  driver: string;
  fsType?: string;
  secretRef?: SecretReference;
  readOnly?: boolean;
  options?: Record<string, string>;
}

export interface GitRepoVolumeSource {
  repository: string;
  revision?: string;
  directory?: string;
}

export interface NFSVolumeSource {
  server: string;
  path: string;
  readOnly?: boolean;
}

export interface ISCSIVolumeSource {
  targetPortal: string;
  iqn: string;
  lun: number;
  iscsiInterface?: string;
  fsType?: string;
  readOnly?: boolean;
  portals?: string[];
  chapAuthDiscovery?: boolean;
  chapAuthSession?: boolean;
  secretRef?: LocalObjectReference;
  initiatorName?: string;
}

export interface ISCSIPersistentVolumeSource {
  targetPortal: string;
  iqn: string;
  lun: number;
  iscsiInterface?: string;
  fsType?: string;
  readOnly?: boolean;
  portals?: string[];
  chapAuthDiscovery?: boolean;
  chapAuthSession?: boolean;
  secretRef?: SecretReference;
  initiatorName?: string;
}

export interface FCVolumeSource {
  targetWWNs?: string[];
  lun?: number;
  fsType?: string;
  readOnly?: boolean;
  wwids?: string[];
}

export interface LocalVolumeSource {
  path: string;
  fsType?: string;
}

export interface ImageVolumeSource {
  reference?: string;
  pullPolicy?: PullPolicy;
}

export interface RBDVolumeSource {
  monitors: string[];
  image: string;
  fsType?: string;
  pool?: string;
  user?: string;
  keyring?: string;
  secretRef?: LocalObjectReference;
  readOnly?: boolean;
}

export interface RBDPersistentVolumeSource {
  monitors: string[];
  image: string;
  fsType?: string;
  pool?: string;
  user?: string;
  keyring?: string;
  secretRef?: SecretReference;
  readOnly?: boolean;
}

export interface AzureDiskVolumeSource {
  diskName: string;
  diskURI: string;
  cachingMode?: 'None' | 'ReadOnly' | 'ReadWrite';
  fsType?: string;
  readOnly?: boolean;
  kind?: 'Shared' | 'Dedicated' | 'Managed';
}

export interface ScaleIOVolumeSource {
  gateway: string;
  system: string;
  secretRef?: LocalObjectReference | SecretReference;
  sslEnabled?: boolean;
  protectionDomain?: string;
  storagePool?: string;
  storageMode?: 'ThickProvisioned' | 'ThinProvisioned';
  volumeName?: string;
  fsType?: string;
  readOnly?: boolean;
}

/**
 * Legacy in-tree cloud and network sources (awsElasticBlockStore, gcePersistentDisk, cinder, cephfs,
 * flocker, azureFile, vsphereVolume, quobyte, photonPersistentDisk, portworxVolume, storageos,
 * glusterfs). kvol carries them but implements none, so they are typed loosely.
 */
export type LegacyVolumeSource = Record<string, unknown>;

/** The sources a pod volume and a PV share by name. */
interface CommonVolumeSources {
  hostPath?: HostPathVolumeSource;
  nfs?: NFSVolumeSource;
  fc?: FCVolumeSource;
  azureDisk?: AzureDiskVolumeSource;
  awsElasticBlockStore?: LegacyVolumeSource;
  gcePersistentDisk?: LegacyVolumeSource;
  glusterfs?: LegacyVolumeSource;
  cinder?: LegacyVolumeSource;
  cephfs?: LegacyVolumeSource;
  flocker?: LegacyVolumeSource;
  azureFile?: LegacyVolumeSource;
  vsphereVolume?: LegacyVolumeSource;
  quobyte?: LegacyVolumeSource;
  photonPersistentDisk?: LegacyVolumeSource;
  portworxVolume?: LegacyVolumeSource;
  storageos?: LegacyVolumeSource;
}

export interface VolumeSource extends CommonVolumeSources {
  emptyDir?: EmptyDirVolumeSource;
  secret?: SecretVolumeSource;
  configMap?: ConfigMapVolumeSource;
  downwardAPI?: DownwardAPIVolumeSource;
  projected?: ProjectedVolumeSource;
  persistentVolumeClaim?: PersistentVolumeClaimVolumeSource;
  ephemeral?: EphemeralVolumeSource;
  csi?: CSIVolumeSource;
  flexVolume?: FlexVolumeSource;
  gitRepo?: GitRepoVolumeSource;
  iscsi?: ISCSIVolumeSource;
  rbd?: RBDVolumeSource;
  scaleIO?: ScaleIOVolumeSource;
  image?: ImageVolumeSource;
}

export interface Volume extends VolumeSource {
  name: string;
}

export interface PersistentVolumeSource extends CommonVolumeSources {
  local?: LocalVolumeSource;
  csi?: CSIPersistentVolumeSource;
  flexVolume?: FlexPersistentVolumeSource;
  iscsi?: ISCSIPersistentVolumeSource;
  rbd?: RBDPersistentVolumeSource;
  scaleIO?: ScaleIOVolumeSource;
}

// ---------------------------------------------------------------------------------------------------
// Containers

export interface VolumeMount {
  name: string;
  readOnly?: boolean;
  recursiveReadOnly?: RecursiveReadOnlyMode;
  mountPath: string;
  subPath?: string;
  mountPropagation?: MountPropagationMode;
  subPathExpr?: string;
}

export interface VolumeDevice {
  name: string;
  devicePath: string;
}

export interface ContainerPort {
  name?: string;
  hostPort?: number;
  containerPort: number;
  protocol?: Protocol;
  hostIP?: string;
}

export interface ConfigMapKeySelector {
  name?: string;
  key: string;
  optional?: boolean;
}

export interface SecretKeySelector {
  name?: string;
  key: string;
  optional?: boolean;
}

export interface EnvVarSource {
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  configMapKeyRef?: ConfigMapKeySelector;
  secretKeyRef?: SecretKeySelector;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: EnvVarSource;
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: LocalObjectReference & { optional?: boolean };
  secretRef?: LocalObjectReference & { optional?: boolean };
}

export interface SELinuxOptions {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}

export interface SeccompProfile {
  type: 'Unconfined' | 'RuntimeDefault' | 'Localhost';
  localhostProfile?: string;
}

export interface AppArmorProfile {
  type: 'Unconfined' | 'RuntimeDefault' | 'Localhost';
  localhostProfile?: string;
}

export interface WindowsSecurityContextOptions {
  gmsaCredentialSpecName?: string;
  gmsaCredentialSpec?: string;
  runAsUserName?: string;
  hostProcess?: boolean;
}

export interface Capabilities {
  add?: string[];
  drop?: string[];
}

export interface SecurityContext {
  capabilities?: Capabilities;
  privileged?: boolean;
  seLinuxOptions?: SELinuxOptions;
  windowsOptions?: WindowsSecurityContextOptions;
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  procMount?: 'Default' | 'Unmasked';
  seccompProfile?: SeccompProfile;
  appArmorProfile?: AppArmorProfile;
}

/** Probes and lifecycle handlers are carried, not acted on; typed loosely. */
export type Probe = Record<string, unknown>;
export type Lifecycle = Record<string, unknown>;

export interface ContainerResizePolicy {
  resourceName: string;
  restartPolicy: 'NotRequired' | 'RestartContainer';
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: ContainerPort[];
  envFrom?: EnvFromSource[];
  env?: EnvVar[];
  resources?: ResourceRequirements;
  resizePolicy?: ContainerResizePolicy[];
  restartPolicy?: ContainerRestartPolicy;
  volumeMounts?: VolumeMount[];
  volumeDevices?: VolumeDevice[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: Lifecycle;
  terminationMessagePath?: string;
  terminationMessagePolicy?: TerminationMessagePolicy;
  imagePullPolicy?: PullPolicy;
  securityContext?: SecurityContext;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

/** Ephemeral containers share Container's fields plus the container they target. */
export interface EphemeralContainer extends Container {
  targetContainerName?: string;
}

// ---------------------------------------------------------------------------------------------------
// Pod

export interface Sysctl {
  name: string;
  value: string;
}

export interface PodSecurityContext {
  seLinuxOptions?: SELinuxOptions;
  windowsOptions?: WindowsSecurityContextOptions;
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  supplementalGroupsPolicy?: SupplementalGroupsPolicy;
  fsGroup?: number;
  sysctls?: Sysctl[];
  fsGroupChangePolicy?: PodFSGroupChangePolicy;
  seccompProfile?: SeccompProfile;
  appArmorProfile?: AppArmorProfile;
  seLinuxChangePolicy?: PodSELinuxChangePolicy;
}

export interface HostAlias {
  ip: string;
  hostnames?: string[];
}

export interface PodDNSConfigOption {
  name?: string;
  value?: string;
}

export interface PodDNSConfig {
  nameservers?: string[];
  searches?: string[];
  options?: PodDNSConfigOption[];
}

export interface PodReadinessGate {
  conditionType: string;
}

export interface PodSchedulingGate {
  name: string;
}

export interface PodResourceClaim {
  name: string;
  resourceClaimName?: string;
  resourceClaimTemplateName?: string;
}

export interface PodOS {
  name: 'linux' | 'windows';
}

export interface PodSpec {
  volumes?: Volume[];
  initContainers?: Container[];
  containers: Container[];
  ephemeralContainers?: EphemeralContainer[];
  restartPolicy?: RestartPolicy;
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  dnsPolicy?: DNSPolicy;
  nodeSelector?: Record<string, string>;
  serviceAccountName?: string;
  /** Deprecated alias of serviceAccountName. */
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  nodeName?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  shareProcessNamespace?: boolean;
  securityContext?: PodSecurityContext;
  imagePullSecrets?: LocalObjectReference[];
  hostname?: string;
  subdomain?: string;
  affinity?: Affinity;
  schedulerName?: string;
  tolerations?: Toleration[];
  hostAliases?: HostAlias[];
  priorityClassName?: string;
  priority?: number;
  dnsConfig?: PodDNSConfig;
  readinessGates?: PodReadinessGate[];
  runtimeClassName?: string;
  enableServiceLinks?: boolean;
  preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
  overhead?: ResourceList;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  setHostnameAsFQDN?: boolean;
  os?: PodOS;
  hostUsers?: boolean;
  schedulingGates?: PodSchedulingGate[];
  resourceClaims?: PodResourceClaim[];
  resources?: ResourceRequirements;
}

export interface PodCondition {
  type: string;
  status: ConditionStatus;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
}

export interface ContainerStateWaiting {
  reason?: string;
  message?: string;
}

export interface ContainerStateRunning {
  startedAt?: string;
}

export interface ContainerStateTerminated {
  exitCode: number;
  signal?: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
}

export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: ContainerStateRunning;
  terminated?: ContainerStateTerminated;
}

export interface VolumeMountStatus {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  recursiveReadOnly?: RecursiveReadOnlyMode;
}

export interface ContainerStatus {
  name: string;
  state?: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started?: boolean;
  allocatedResources?: ResourceList;
  resources?: ResourceRequirements;
  volumeMounts?: VolumeMountStatus[];
}

export interface PodIP {
  ip: string;
}

export interface HostIP {
  ip: string;
}

export interface PodStatus {
  phase?: PodPhase;
  conditions?: PodCondition[];
  message?: string;
  reason?: string;
  nominatedNodeName?: string;
  hostIP?: string;
  hostIPs?: HostIP[];
  podIP?: string;
  podIPs?: PodIP[];
  startTime?: string;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
  ephemeralContainerStatuses?: ContainerStatus[];
  qosClass?: 'Guaranteed' | 'Burstable' | 'BestEffort';
  resize?: string;
}

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: PodStatus;
}

// ---------------------------------------------------------------------------------------------------
// Namespace

export interface NamespaceSpec {
  finalizers?: string[];
}

export interface NamespaceCondition {
  type: string;
  status: ConditionStatus;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface NamespaceStatus {
  phase?: NamespacePhase;
  conditions?: NamespaceCondition[];
}

export interface Namespace extends KubeObject {
  spec?: NamespaceSpec;
  status?: NamespaceStatus;
}

// ---------------------------------------------------------------------------------------------------
// Node

export interface NodeConfigSource {
  configMap?: {
    namespace: string;
    name: string;
    uid?: string;
    resourceVersion?: string;
    kubeletConfigKey: string;
  };
}

export interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
  unschedulable?: boolean;
  taints?: Taint[];
  configSource?: NodeConfigSource;
  externalID?: string;
}

export interface NodeCondition {
  type: string;
  status: ConditionStatus;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface NodeAddress {
  type: NodeAddressType;
  address: string;
}

export interface NodeDaemonEndpoints {
  kubeletEndpoint?: { Port: number };
}

export interface NodeSystemInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion: string;
  operatingSystem: string;
  architecture: string;
  swap?: { capacity?: number };
}

export interface ContainerImage {
  names?: string[];
  sizeBytes?: number;
}

export interface AttachedVolume {
  /** `kubernetes.io/csi/<driver>^<volumeHandle>` and the like. */
  name: string;
  devicePath: string;
}

export interface NodeRuntimeHandler {
  name?: string;
  features?: { recursiveReadOnlyMounts?: boolean; userNamespaces?: boolean };
}

export interface NodeFeatures {
  supplementalGroupsPolicy?: boolean;
}

export interface NodeStatus {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  /** Deprecated; always empty upstream. */
  phase?: 'Pending' | 'Running' | 'Terminated';
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  daemonEndpoints?: NodeDaemonEndpoints;
  nodeInfo?: NodeSystemInfo;
  images?: ContainerImage[];
  volumesInUse?: string[];
  volumesAttached?: AttachedVolume[];
  config?: Record<string, unknown>;
  runtimeHandlers?: NodeRuntimeHandler[];
  features?: NodeFeatures;
}

export interface Node extends KubeObject {
  spec?: NodeSpec;
  status?: NodeStatus;
}

// ---------------------------------------------------------------------------------------------------
// PersistentVolume

export interface VolumeNodeAffinity {
  required?: NodeSelector;
}

export interface PersistentVolumeSpec extends PersistentVolumeSource {
  capacity?: ResourceList;
  accessModes?: PersistentVolumeAccessMode[];
  claimRef?: ObjectReference;
  persistentVolumeReclaimPolicy?: PersistentVolumeReclaimPolicy;
  storageClassName?: string;
  mountOptions?: string[];
  volumeMode?: PersistentVolumeMode;
  nodeAffinity?: VolumeNodeAffinity;
  volumeAttributesClassName?: string;
}

export interface PersistentVolumeStatus {
  phase?: PersistentVolumePhase;
  message?: string;
  reason?: string;
  lastPhaseTransitionTime?: string;
}

export interface PersistentVolume extends KubeObject {
  spec?: PersistentVolumeSpec;
  status?: PersistentVolumeStatus;
}

// ---------------------------------------------------------------------------------------------------
// PersistentVolumeClaim

export interface PersistentVolumeClaimSpec {
  accessModes?: PersistentVolumeAccessMode[];
  selector?: LabelSelector;
  resources?: VolumeResourceRequirements;
  volumeName?: string;
  storageClassName?: string;
  volumeMode?: PersistentVolumeMode;
  dataSource?: TypedLocalObjectReference;
  dataSourceRef?: TypedObjectReference;
  volumeAttributesClassName?: string;
}

export interface PersistentVolumeClaimCondition {
  type: PersistentVolumeClaimConditionType | string;
  status: ConditionStatus;
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ModifyVolumeStatus {
  targetVolumeAttributesClassName?: string;
  status: PersistentVolumeClaimModifyVolumeStatus;
}

export interface PersistentVolumeClaimStatus {
  phase?: PersistentVolumeClaimPhase;
  accessModes?: PersistentVolumeAccessMode[];
  capacity?: ResourceList;
  conditions?: PersistentVolumeClaimCondition[];
  allocatedResources?: ResourceList;
  allocatedResourceStatuses?: Record<string, ClaimResourceStatus>;
  currentVolumeAttributesClassName?: string;
  modifyVolumeStatus?: ModifyVolumeStatus;
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: PersistentVolumeClaimSpec;
  status?: PersistentVolumeClaimStatus;
}

// ---------------------------------------------------------------------------------------------------
// ConfigMap, Secret

export interface ConfigMap extends KubeObject {
  immutable?: boolean;
  data?: Record<string, string>;
  /** Values are base64 on the wire. */
  binaryData?: Record<string, string>;
}

export interface Secret extends KubeObject {
  immutable?: boolean;
  /** Values are base64 on the wire. */
  data?: Record<string, string>;
  /** Write-only convenience; merged into data on write and never returned. */
  stringData?: Record<string, string>;
  type?: SecretType;
}

// ---------------------------------------------------------------------------------------------------
// Event (core/v1)

export interface EventSource {
  component?: string;
  host?: string;
}

export interface EventSeries {
  count?: number;
  /** MicroTime. */
  lastObservedTime?: string;
}

export interface Event extends KubeObject {
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  source?: EventSource;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
  type?: EventType | string;
  /** MicroTime. */
  eventTime?: string | null;
  series?: EventSeries;
  action?: string;
  related?: ObjectReference;
  reportingComponent?: string;
  reportingInstance?: string;
}
