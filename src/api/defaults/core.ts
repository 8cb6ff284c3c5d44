// Defaulting of core/v1 kinds, in place, as the apiserver applies it when it decodes a request body:
// the SetDefaults_* functions of pkg/apis/core/v1/defaults.go walked over nested structs the way
// zz_generated.defaults.go does. Go's non-pointer structs always exist, so where upstream defaults a
// field of such a struct (`spec`, `status`), the struct is created here when the JSON left it out.
// Quantities in ResourceLists are rounded up to milli scale and written in canonical form, as
// SetDefaults_ResourceList and Quantity's JSON encoding together do; values that do not parse are left
// for validation to report.
import { Quantity } from '../quantity.ts';
import type {
  AzureDiskVolumeSource,
  Container,
  DownwardAPIVolumeFile,
  EnvVar,
  ISCSIPersistentVolumeSource,
  ISCSIVolumeSource,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeClaimSpec,
  PersistentVolumeSource,
  Pod,
  PodSpec,
  RBDPersistentVolumeSource,
  RBDVolumeSource,
  ResourceList,
  ScaleIOVolumeSource,
  Secret,
  Volume,
} from '../types/index.ts';
import { defaultPullPolicy, imageTag } from './image.ts';

/** v1.SecretVolumeSourceDefaultMode and friends: 0644. */
export const DefaultVolumeMode = 0o644;
export const TerminationMessagePathDefault = '/dev/termination-log';
export const DefaultSchedulerName = 'default-scheduler';
export const DefaultTerminationGracePeriodSeconds = 30;
/** One hour, the default lifetime of a projected service account token. */
export const DefaultServiceAccountTokenExpirationSeconds = 3600;
/** The label every named namespace carries (v1.LabelMetadataName). */
export const LabelMetadataName = 'kubernetes.io/metadata.name';

const milliScale = -3;

// ---------------------------------------------------------------------------------------------------
// Quantities

/** SetDefaults_ResourceList: every parsable value rounded up to milli scale, in canonical form. */
export function defaultResourceList(list: ResourceList | undefined): void {
  if (list === undefined || list === null) return;
  for (const [key, value] of Object.entries(list)) {
    if (typeof value !== 'string') continue;
    const q = Quantity.tryParse(value);
    if (q === undefined) continue;
    list[key] = q.roundUp(milliScale).quantity.toString();
  }
}

/** A single quantity field in canonical form (how resource.Quantity serialises), or unchanged if unparsable. */
export function canonicalQuantity(value: string): string {
  if (typeof value !== 'string') return value;
  const q = Quantity.tryParse(value);
  return q === undefined ? value : q.toString();
}

// ---------------------------------------------------------------------------------------------------
// Namespace

/** SetObjectDefaults_Namespace: the kubernetes.io/metadata.name label and status.phase Active. */
export function defaultNamespace(ns: Namespace): void {
  const name = ns.metadata.name;
  if (name !== undefined && name.length > 0) {
    ns.metadata.labels ??= {};
    ns.metadata.labels[LabelMetadataName] = name;
  }
  ns.status ??= {};
  if (ns.status.phase === undefined || (ns.status.phase as string) === '') ns.status.phase = 'Active';
}

/**
 * The namespace strategy's PrepareForCreate: status is reset to Active and the `kubernetes` finalizer is
 * added to spec.finalizers. Create only: the finalizer may later be removed through `finalize`, and
 * defaulting must not put it back.
 */
export function prepareNamespaceForCreate(ns: Namespace): void {
  ns.status = { phase: 'Active' };
  ns.spec ??= {};
  const finalizers = ns.spec.finalizers ?? [];
  if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
  ns.spec.finalizers = finalizers;
}

// ---------------------------------------------------------------------------------------------------
// Node

/** SetObjectDefaults_Node: allocatable copied from capacity when unset; quantities canonical. */
export function defaultNode(node: Node): void {
  node.status ??= {};
  const status = node.status;
  if ((status.allocatable === undefined || status.allocatable === null) && isRecord(status.capacity)) {
    status.allocatable = { ...status.capacity };
  }
  defaultResourceList(status.capacity);
  defaultResourceList(status.allocatable);
}

// ---------------------------------------------------------------------------------------------------
// Pod

/** SetObjectDefaults_Pod. */
export function defaultPod(pod: Pod): void {
  pod.spec ??= {} as PodSpec;
  const spec = pod.spec;
  // SetDefaults_Pod: requests default to limits, per resource (containers and init containers only).
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const limits = c.resources?.limits;
    if (c.resources === undefined || limits === undefined || limits === null) continue;
    c.resources.requests ??= {};
    const requests = c.resources.requests;
    for (const [k, v] of Object.entries(limits)) {
      if (!(k in requests)) requests[k] = v;
    }
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork === true) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) {
        if (p.hostPort === undefined || p.hostPort === 0) p.hostPort = p.containerPort;
      }
    }
  }
  defaultPodSpec(spec);
  const status = pod.status;
  if (status !== undefined && status !== null) {
    for (const cs of [
      ...(status.initContainerStatuses ?? []),
      ...(status.containerStatuses ?? []),
      ...(status.ephemeralContainerStatuses ?? []),
    ]) {
      defaultResourceList(cs.allocatedResources);
      if (cs.resources !== undefined && cs.resources !== null) {
        defaultResourceList(cs.resources.limits);
        defaultResourceList(cs.resources.requests);
      }
    }
  }
}

/**
 * SetDefaults_PodSpec plus the nested defaults of its volumes and containers (the part of
 * SetObjectDefaults_Pod that pod templates share).
 */
export function defaultPodSpec(spec: PodSpec): void {
  if (spec.dnsPolicy === undefined || (spec.dnsPolicy as string) === '') spec.dnsPolicy = 'ClusterFirst';
  if (spec.restartPolicy === undefined || (spec.restartPolicy as string) === '')
    spec.restartPolicy = 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= DefaultTerminationGracePeriodSeconds;
  if (spec.schedulerName === undefined || spec.schedulerName === '')
    spec.schedulerName = DefaultSchedulerName;

  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  defaultResourceList(spec.overhead);
}

/** The volume source fields of v1.VolumeSource; a volume with none of them set becomes an emptyDir. */
export const volumeSourceFields = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
] as const;

/** SetDefaults_Volume and the defaults of whichever source the volume has. */
export function defaultVolume(v: Volume): void {
  const rec = v as unknown as Record<string, unknown>;
  if (volumeSourceFields.every((f) => rec[f] === undefined || rec[f] === null)) v.emptyDir = {};

  if (v.image !== undefined && v.image !== null) {
    if (v.image.pullPolicy === undefined || (v.image.pullPolicy as string) === '') {
      v.image.pullPolicy = imageTag(v.image.reference ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
    }
  }
  if (v.hostPath !== undefined && v.hostPath !== null) v.hostPath.type ??= '';
  if (v.emptyDir?.sizeLimit !== undefined) v.emptyDir.sizeLimit = canonicalQuantity(v.emptyDir.sizeLimit);
  if (v.secret !== undefined && v.secret !== null) v.secret.defaultMode ??= DefaultVolumeMode;
  if (v.configMap !== undefined && v.configMap !== null) v.configMap.defaultMode ??= DefaultVolumeMode;
  if (v.iscsi !== undefined && v.iscsi !== null) defaultISCSI(v.iscsi);
  if (v.rbd !== undefined && v.rbd !== null) defaultRBD(v.rbd);
  if (v.azureDisk !== undefined && v.azureDisk !== null) defaultAzureDisk(v.azureDisk);
  if (v.scaleIO !== undefined && v.scaleIO !== null) defaultScaleIO(v.scaleIO);
  if (v.downwardAPI !== undefined && v.downwardAPI !== null) {
    v.downwardAPI.defaultMode ??= DefaultVolumeMode;
    defaultDownwardAPIFiles(v.downwardAPI.items);
  }
  if (v.projected !== undefined && v.projected !== null) {
    v.projected.defaultMode ??= DefaultVolumeMode;
    for (const s of v.projected.sources ?? []) {
      if (s.downwardAPI !== undefined && s.downwardAPI !== null) defaultDownwardAPIFiles(s.downwardAPI.items);
      if (s.serviceAccountToken !== undefined && s.serviceAccountToken !== null) {
        s.serviceAccountToken.expirationSeconds ??= DefaultServiceAccountTokenExpirationSeconds;
      }
    }
  }
  const template = v.ephemeral?.volumeClaimTemplate;
  if (template !== undefined && template !== null) {
    template.spec ??= {};
    defaultPersistentVolumeClaimSpec(template.spec);
  }
}

function defaultDownwardAPIFiles(items: DownwardAPIVolumeFile[] | undefined): void {
  for (const item of items ?? []) {
    if (item.fieldRef !== undefined && item.fieldRef !== null) defaultObjectFieldSelector(item.fieldRef);
  }
}

/** SetDefaults_ObjectFieldSelector: apiVersion v1. */
function defaultObjectFieldSelector(sel: { apiVersion?: string }): void {
  if (sel.apiVersion === undefined || sel.apiVersion === '') sel.apiVersion = 'v1';
}

function defaultISCSI(s: ISCSIVolumeSource | ISCSIPersistentVolumeSource): void {
  if (s.iscsiInterface === undefined || s.iscsiInterface === '') s.iscsiInterface = 'default';
}

function defaultRBD(s: RBDVolumeSource | RBDPersistentVolumeSource): void {
  if (s.pool === undefined || s.pool === '') s.pool = 'rbd';
  if (s.user === undefined || s.user === '') s.user = 'admin';
  if (s.keyring === undefined || s.keyring === '') s.keyring = '/etc/ceph/keyring';
}

function defaultAzureDisk(s: AzureDiskVolumeSource): void {
  s.cachingMode ??= 'ReadWrite';
  s.kind ??= 'Shared';
  s.fsType ??= 'ext4';
  s.readOnly ??= false;
}

function defaultScaleIO(s: ScaleIOVolumeSource): void {
  if (s.storageMode === undefined || (s.storageMode as string) === '') s.storageMode = 'ThinProvisioned';
  if (s.fsType === undefined || s.fsType === '') s.fsType = 'xfs';
}

type Probe = Record<string, unknown>;

/** SetDefaults_Container plus the nested defaults of ports, env, resources, probes and lifecycle hooks. */
export function defaultContainer(c: Container): void {
  if (c.imagePullPolicy === undefined || (c.imagePullPolicy as string) === '') {
    c.imagePullPolicy = defaultPullPolicy(c.image ?? '');
  }
  if (c.terminationMessagePath === undefined || c.terminationMessagePath === '') {
    c.terminationMessagePath = TerminationMessagePathDefault;
  }
  if (c.terminationMessagePolicy === undefined || (c.terminationMessagePolicy as string) === '') {
    c.terminationMessagePolicy = 'File';
  }
  for (const p of c.ports ?? []) {
    if (p.protocol === undefined || (p.protocol as string) === '') p.protocol = 'TCP';
  }
  for (const e of c.env ?? []) defaultEnvVar(e);
  if (c.resources !== undefined && c.resources !== null) {
    defaultResourceList(c.resources.limits);
    defaultResourceList(c.resources.requests);
  }
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (isRecord(probe)) defaultProbe(probe);
  }
  if (isRecord(c.lifecycle)) {
    for (const hook of [c.lifecycle['postStart'], c.lifecycle['preStop']]) {
      if (isRecord(hook) && isRecord(hook['httpGet'])) defaultHTTPGet(hook['httpGet']);
    }
  }
}

function defaultEnvVar(e: EnvVar): void {
  const fieldRef = e.valueFrom?.fieldRef;
  if (fieldRef !== undefined && fieldRef !== null) defaultObjectFieldSelector(fieldRef);
}

/** SetDefaults_Probe, SetDefaults_HTTPGetAction and the gRPC service default. */
function defaultProbe(p: Probe): void {
  for (const [field, value] of [
    ['timeoutSeconds', 1],
    ['periodSeconds', 10],
    ['successThreshold', 1],
    ['failureThreshold', 3],
  ] as const) {
    if (p[field] === undefined || p[field] === null || p[field] === 0) p[field] = value;
  }
  if (isRecord(p['httpGet'])) defaultHTTPGet(p['httpGet']);
  if (isRecord(p['grpc']) && (p['grpc']['service'] === undefined || p['grpc']['service'] === null)) {
    p['grpc']['service'] = '';
  }
}

function defaultHTTPGet(h: Record<string, unknown>): void {
  if (h['path'] === undefined || h['path'] === '') h['path'] = '/';
  if (h['scheme'] === undefined || h['scheme'] === '') h['scheme'] = 'HTTP';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------------
// PersistentVolume and PersistentVolumeClaim

/** SetObjectDefaults_PersistentVolume. */
export function defaultPersistentVolume(pv: PersistentVolume): void {
  pv.status ??= {};
  const status = pv.status;
  if (status.phase === undefined || (status.phase as string) === '') status.phase = 'Pending';
  pv.spec ??= {};
  const spec = pv.spec;
  if (
    spec.persistentVolumeReclaimPolicy === undefined ||
    (spec.persistentVolumeReclaimPolicy as string) === ''
  ) {
    spec.persistentVolumeReclaimPolicy = 'Retain';
  }
  spec.volumeMode ??= 'Filesystem';
  defaultResourceList(spec.capacity);
  defaultPersistentVolumeSource(spec);
}

/**
 * The nested defaults of a PersistentVolumeSource (hostPath type, iSCSI interface, RBD, Azure disk,
 * ScaleIO). VolumeAttachment's inlineVolumeSpec gets these and nothing else.
 */
export function defaultPersistentVolumeSource(src: PersistentVolumeSource): void {
  if (src.hostPath !== undefined && src.hostPath !== null) src.hostPath.type ??= '';
  if (src.iscsi !== undefined && src.iscsi !== null) defaultISCSI(src.iscsi);
  if (src.rbd !== undefined && src.rbd !== null) defaultRBD(src.rbd);
  if (src.azureDisk !== undefined && src.azureDisk !== null) defaultAzureDisk(src.azureDisk);
  if (src.scaleIO !== undefined && src.scaleIO !== null) defaultScaleIO(src.scaleIO);
}

/** SetObjectDefaults_PersistentVolumeClaim. */
export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  pvc.status ??= {};
  const status = pvc.status;
  if (status.phase === undefined || (status.phase as string) === '') status.phase = 'Pending';
  pvc.spec ??= {};
  defaultPersistentVolumeClaimSpec(pvc.spec);
  defaultResourceList(status.capacity);
  defaultResourceList(status.allocatedResources);
}

/** SetDefaults_PersistentVolumeClaimSpec (volumeMode Filesystem) and its resource lists. */
export function defaultPersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec): void {
  spec.volumeMode ??= 'Filesystem';
  if (spec.resources !== undefined && spec.resources !== null) {
    defaultResourceList(spec.resources.limits);
    defaultResourceList(spec.resources.requests);
  }
}

// ---------------------------------------------------------------------------------------------------
// Secret

/** SetDefaults_Secret: type Opaque. */
export function defaultSecret(secret: Secret): void {
  if (secret.type === undefined || secret.type === '') secret.type = 'Opaque';
}

/**
 * What Convert_v1_Secret_To_core_Secret does on decode: stringData entries overwrite data (base64 of
 * their UTF-8 bytes) and stringData itself is never stored.
 */
export function mergeSecretStringData(secret: Secret): void {
  const stringData = secret.stringData;
  if (stringData !== undefined && stringData !== null && Object.keys(stringData).length > 0) {
    secret.data ??= {};
    for (const [k, v] of Object.entries(stringData)) {
      secret.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    }
  }
  delete secret.stringData;
}

// ---------------------------------------------------------------------------------------------------
// Strategy preparation beyond defaulting (PrepareForCreate / PrepareForUpdate of the registry
// strategies). Status clearing and status preservation are the generic registry's; these are only
// the kind-specific parts.

/**
 * The persistentvolume strategy's PrepareForCreate (PersistentVolumeLastPhaseTransitionTime is GA):
 * a new PV is Pending since `now` (an RFC 3339 metav1.Time string).
 */
export function preparePersistentVolumeForCreate(pv: PersistentVolume, now: string): void {
  pv.status ??= {};
  pv.status.phase = 'Pending';
  pv.status.lastPhaseTransitionTime = now;
}

/**
 * The persistentvolume status strategy's PrepareForUpdate: when the phase stays, an unset
 * lastPhaseTransitionTime keeps the old one; when the phase changes and the client did not set a new
 * time (unset, or the same as before), it becomes `now`.
 */
export function preparePersistentVolumeStatusUpdate(
  pv: PersistentVolume,
  old: PersistentVolume,
  now: string,
): void {
  pv.status ??= {};
  const phase = pv.status.phase ?? '';
  const oldPhase = old.status?.phase ?? '';
  const time = pv.status.lastPhaseTransitionTime;
  const oldTime = old.status?.lastPhaseTransitionTime;
  if (phase === oldPhase && (time === undefined || time === null)) {
    if (oldTime !== undefined && oldTime !== null) pv.status.lastPhaseTransitionTime = oldTime;
  } else if (phase !== oldPhase && (time === undefined || time === null || time === oldTime)) {
    pv.status.lastPhaseTransitionTime = now;
  }
}

const isPvcOrSnapshot = (ds: { kind?: string; apiGroup?: string } | undefined): boolean => {
  if (ds === undefined || ds === null) return false;
  const group = ds.apiGroup ?? '';
  return (
    (ds.kind === 'PersistentVolumeClaim' && group === '') ||
    (ds.kind === 'VolumeSnapshot' && group === 'snapshot.storage.k8s.io')
  );
};

/**
 * EnforceDataSourceBackwardsCompatibility (pkg/api/persistentvolumeclaim): on create, or on an update
 * of a claim that had no data source, a dataSource other than a PVC or a VolumeSnapshot is silently
 * dropped unless dataSourceRef is set.
 */
export function enforceDataSourceBackwardsCompatibility(
  spec: PersistentVolumeClaimSpec,
  oldSpec: PersistentVolumeClaimSpec | undefined,
): void {
  if (oldSpec !== undefined && (oldSpec.dataSource != null || oldSpec.dataSourceRef != null)) return;
  if (spec.dataSourceRef != null) return;
  if (!isPvcOrSnapshot(spec.dataSource)) delete spec.dataSource;
}

/**
 * NormalizeDataSources (AnyVolumeDataSource is on in 1.32): on create, dataSource and dataSourceRef are
 * made to name the same object when only one is given (not for a cross-namespace dataSourceRef).
 */
export function normalizeDataSources(spec: PersistentVolumeClaimSpec): void {
  const ds = spec.dataSource;
  const ref = spec.dataSourceRef;
  if (ds != null && ref == null) {
    spec.dataSourceRef = { kind: ds.kind, name: ds.name };
    if (ds.apiGroup !== undefined) spec.dataSourceRef.apiGroup = ds.apiGroup;
  } else if (ref != null && ds == null) {
    if (ref.namespace === undefined || ref.namespace === null || ref.namespace === '') {
      spec.dataSource = { kind: ref.kind, name: ref.name };
      if (ref.apiGroup !== undefined) spec.dataSource.apiGroup = ref.apiGroup;
    }
  }
}

/** The persistentvolumeclaim strategy's PrepareForCreate (data source compatibility and normalisation). */
export function preparePersistentVolumeClaimForCreate(pvc: PersistentVolumeClaim): void {
  if (pvc.spec === undefined || pvc.spec === null) return;
  enforceDataSourceBackwardsCompatibility(pvc.spec, undefined);
  normalizeDataSources(pvc.spec);
}

/** The persistentvolumeclaim strategy's PrepareForUpdate (compatibility only; no normalisation). */
export function preparePersistentVolumeClaimForUpdate(
  pvc: PersistentVolumeClaim,
  old: PersistentVolumeClaim,
): void {
  if (pvc.spec === undefined || pvc.spec === null) return;
  enforceDataSourceBackwardsCompatibility(pvc.spec, old.spec ?? {});
}
