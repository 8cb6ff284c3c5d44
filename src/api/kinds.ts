// What each served kind contributes to the generic registry: its defaulting (./defaults), its validation
// (./validation) and its field-selector labels (upstream's ToSelectableFields / GetAttrs, limited to the
// labels its field label conversion function accepts). This is the one table keyed by resource; the
// registry looks a kind up here and never switches over kinds itself.
import type { KindBehavior } from './behavior.ts';
import * as d from './defaults/index.ts';
import { formatTime, type KubeObject } from './meta.ts';
import { type ResourceName, Resources, type ResourceType } from './resources.ts';
import type {
  Event,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Secret,
} from './types/index.ts';
import * as v from './validation/index.ts';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** PodToSelectableFields (pkg/registry/core/pod/strategy.go). */
function podFieldLabels(pod: Pod): Record<string, string> {
  const spec = pod.spec;
  const status = pod.status;
  const podIP = status?.podIPs?.[0]?.ip ?? status?.podIP ?? '';
  return {
    'spec.nodeName': str(spec?.nodeName),
    'spec.restartPolicy': str(spec?.restartPolicy),
    'spec.schedulerName': str(spec?.schedulerName),
    'spec.serviceAccountName': str(spec?.serviceAccountName),
    'spec.hostNetwork': spec?.hostNetwork === true ? 'true' : 'false',
    'status.phase': str(status?.phase),
    'status.podIP': str(podIP),
    'status.nominatedNodeName': str(status?.nominatedNodeName),
  };
}

/** Event ToSelectableFields (pkg/registry/core/event/strategy.go); `source` falls back to reportingComponent. */
function eventFieldLabels(ev: Event): Record<string, string> {
  const io = ev.involvedObject ?? {};
  const source = str(ev.source?.component) || str(ev.reportingComponent);
  return {
    'involvedObject.kind': str(io.kind),
    'involvedObject.namespace': str(io.namespace),
    'involvedObject.name': str(io.name),
    'involvedObject.uid': str(io.uid),
    'involvedObject.apiVersion': str(io.apiVersion),
    'involvedObject.resourceVersion': str(io.resourceVersion),
    'involvedObject.fieldPath': str(io.fieldPath),
    reason: str(ev.reason),
    reportingComponent: str(ev.reportingComponent),
    source,
    type: str(ev.type),
  };
}

const secretFieldLabels = (s: Secret): Record<string, string> => ({ type: str(s.type) });
const namespaceFieldLabels = (ns: Namespace): Record<string, string> => ({
  'status.phase': str(ns.status?.phase),
});
const nodeFieldLabels = (n: Node): Record<string, string> => ({
  'spec.unschedulable': n.spec?.unschedulable === true ? 'true' : 'false',
});

/**
 * Per kind: defaulting, validation and field labels. Kinds whose upstream field label conversion accepts
 * only metadata.name/metadata.namespace (PVs, PVCs, ConfigMaps, every storage and snapshot kind, Leases)
 * have no fieldLabels.
 */
export const behaviors: Record<ResourceName, KindBehavior> = {
  namespaces: {
    default: d.defaultNamespace,
    validate: v.validateNamespace,
    validateUpdate: v.validateNamespaceUpdate,
    validateStatusUpdate: v.validateNamespaceStatusUpdate,
    fieldLabels: namespaceFieldLabels,
  },
  nodes: {
    default: d.defaultNode,
    validate: v.validateNode,
    validateUpdate: v.validateNodeUpdate,
    validateStatusUpdate: v.validateNodeStatusUpdate,
    fieldLabels: nodeFieldLabels,
  },
  pods: {
    default: d.defaultPod,
    validate: v.validatePod,
    validateUpdate: v.validatePodUpdate,
    validateStatusUpdate: v.validatePodStatusUpdate,
    fieldLabels: podFieldLabels,
  },
  persistentvolumes: {
    default: d.defaultPersistentVolume,
    validate: v.validatePersistentVolume,
    validateUpdate: v.validatePersistentVolumeUpdate,
    validateStatusUpdate: v.validatePersistentVolumeStatusUpdate,
  },
  persistentvolumeclaims: {
    default: d.defaultPersistentVolumeClaim,
    validate: v.validatePersistentVolumeClaim,
    validateUpdate: v.validatePersistentVolumeClaimUpdate,
    validateStatusUpdate: v.validatePersistentVolumeClaimStatusUpdate,
  },
  configmaps: { validate: v.validateConfigMap, validateUpdate: v.validateConfigMapUpdate },
  secrets: {
    // Defaulting plus what v1 -> internal conversion does on decode: stringData merged into data.
    default: (s: Secret) => {
      d.defaultSecret(s);
      d.mergeSecretStringData(s);
    },
    validate: v.validateSecret,
    validateUpdate: v.validateSecretUpdate,
    fieldLabels: secretFieldLabels,
  },
  events: { validate: v.validateEvent, validateUpdate: v.validateEventUpdate, fieldLabels: eventFieldLabels },
  storageclasses: {
    default: d.defaultStorageClass,
    validate: v.validateStorageClass,
    validateUpdate: v.validateStorageClassUpdate,
  },
  csidrivers: {
    default: d.defaultCSIDriver,
    validate: v.validateCSIDriver,
    validateUpdate: v.validateCSIDriverUpdate,
  },
  csinodes: { validate: v.validateCSINode, validateUpdate: v.validateCSINodeUpdate },
  volumeattachments: {
    default: d.defaultVolumeAttachment,
    validate: v.validateVolumeAttachment,
    validateUpdate: v.validateVolumeAttachmentUpdate,
    validateStatusUpdate: v.validateVolumeAttachmentStatusUpdate,
  },
  csistoragecapacities: {
    default: d.defaultCSIStorageCapacity,
    validate: v.validateCSIStorageCapacity,
    validateUpdate: v.validateCSIStorageCapacityUpdate,
  },
  volumeattributesclasses: {
    validate: v.validateVolumeAttributesClass,
    validateUpdate: v.validateVolumeAttributesClassUpdate,
  },
  volumesnapshots: {
    validate: v.validateVolumeSnapshot,
    validateUpdate: v.validateVolumeSnapshotUpdate,
    validateStatusUpdate: v.validateVolumeSnapshotStatusUpdate,
  },
  volumesnapshotcontents: {
    validate: v.validateVolumeSnapshotContent,
    validateUpdate: v.validateVolumeSnapshotContentUpdate,
    validateStatusUpdate: v.validateVolumeSnapshotContentStatusUpdate,
  },
  volumesnapshotclasses: {
    validate: v.validateVolumeSnapshotClass,
    validateUpdate: v.validateVolumeSnapshotClassUpdate,
  },
  leases: { validate: v.validateLease, validateUpdate: v.validateLeaseUpdate },
};

/**
 * Kind-specific parts of the registry strategies' PrepareForCreate / PrepareForUpdate that are not
 * defaulting. Status clearing on create and status/spec preservation across subresources stay with the
 * generic registry. `now` is the clock's milliseconds (only used where upstream stamps a time).
 */
export interface PrepareHooks {
  /** PrepareForCreate: once on create, after the registry clears status and before `default`. */
  create?(obj: KubeObject, now: number): void;
  /** PrepareForUpdate of the main resource, before `default`. */
  update?(obj: KubeObject, old: KubeObject, now: number): void;
  /** PrepareForUpdate of the status subresource, before `default`. */
  statusUpdate?(obj: KubeObject, old: KubeObject, now: number): void;
}

export const prepare: Partial<Record<ResourceName, PrepareHooks>> = {
  // Status Active and the `kubernetes` finalizer; create only, so a finalizer removed later through
  // `finalize` is not put back.
  namespaces: { create: (obj) => d.prepareNamespaceForCreate(obj as Namespace) },
  // Pending since now; a later phase change through status stamps a new lastPhaseTransitionTime.
  persistentvolumes: {
    create: (obj, now) => d.preparePersistentVolumeForCreate(obj as PersistentVolume, formatTime(now)),
    statusUpdate: (obj, old, now) =>
      d.preparePersistentVolumeStatusUpdate(
        obj as PersistentVolume,
        old as PersistentVolume,
        formatTime(now),
      ),
  },
  // dataSource / dataSourceRef compatibility (KEP 1495).
  persistentvolumeclaims: {
    create: (obj) => d.preparePersistentVolumeClaimForCreate(obj as PersistentVolumeClaim),
    update: (obj, old) =>
      d.preparePersistentVolumeClaimForUpdate(obj as PersistentVolumeClaim, old as PersistentVolumeClaim),
  },
};

/**
 * Field labels each kind's conversion function accepts beyond metadata.name and metadata.namespace.
 * Anything else is refused with `field label not supported: <label>`. Pods also accept the legacy
 * `spec.host`, an alias of `spec.nodeName` (see fieldLabelAliases).
 */
export const supportedFieldLabels: Partial<Record<ResourceName, readonly string[]>> = {
  pods: Object.keys(podFieldLabels({ metadata: {} })),
  events: Object.keys(eventFieldLabels({ metadata: {}, involvedObject: {} })),
  secrets: ['type'],
  namespaces: ['status.phase'],
  nodes: ['spec.unschedulable'],
};

/** Legacy field-selector labels rewritten before matching. */
export const fieldLabelAliases: Partial<Record<ResourceName, Readonly<Record<string, string>>>> = {
  pods: { 'spec.host': 'spec.nodeName' },
};

export class UnknownKindError extends Error {
  override readonly name = 'UnknownKindError';
  readonly resource: string;

  constructor(resource: string) {
    super(`no behavior registered for resource ${resource}`);
    this.resource = resource;
  }
}

export function isUnknownKindError(err: unknown): err is UnknownKindError {
  return err instanceof UnknownKindError;
}

const byResource = new Map<ResourceType, KindBehavior>(
  (Object.keys(Resources) as ResourceName[]).map((name) => [Resources[name], behaviors[name]]),
);
const byGroupResource = new Map<string, KindBehavior>(
  (Object.keys(Resources) as ResourceName[]).map((name) => [
    `${Resources[name].group}/${Resources[name].plural}`,
    behaviors[name],
  ]),
);

/** The behavior of a served resource type. Throws UnknownKindError for a type kvol does not serve. */
export function behaviorFor(rt: ResourceType): KindBehavior {
  const b = byResource.get(rt) ?? byGroupResource.get(`${rt.group}/${rt.plural}`);
  if (b === undefined) throw new UnknownKindError(rt.group === '' ? rt.plural : `${rt.plural}.${rt.group}`);
  return b;
}
