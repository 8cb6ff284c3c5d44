// Validation of storage.k8s.io kinds as pkg/apis/storage/validation/validation.go (v1.32):
// StorageClass, CSIDriver, CSINode, VolumeAttachment, CSIStorageCapacity, VolumeAttributesClass.
import { duplicate, type FieldError, forbidden, invalid, notSupported, required, tooLong } from '../field.ts';
import type {
  CSIDriver,
  CSINode,
  CSIStorageCapacity,
  StorageClass,
  TopologySelectorTerm,
  VolumeAttachment,
  VolumeAttributesClass,
  VolumeError,
} from '../types/index.ts';
import {
  validateClassName,
  validateCSIDriverName,
  validateNodeName,
  validatePersistentVolumeName,
  validatePersistentVolumeSpec,
} from './core.ts';
import {
  child,
  deepEqual,
  index,
  nameIsDNSSubdomain,
  parseQuantityField,
  validateImmutableField,
  validateLabelName,
  validateLabelSelector,
  validateNonnegativeField,
  validateNonnegativeQuantity,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from './meta.ts';
import { byteLen, inclusiveRangeError } from './strings.ts';

type E = FieldError[];
const present = (v: unknown): boolean => v !== undefined && v !== null;

const maxProvisionerParameterSize = 256 * (1 << 10);
const maxProvisionerParameterLen = 512;
const maxAttachedVolumeMetadataSize = 256 * (1 << 10);
const maxVolumeErrorMessageSize = 1024;
const csiNodeIDMaxLength = 192;

function validateProvisioner(provisioner: string, p: string): E {
  if (provisioner.length === 0) return [required(p)];
  return validateQualifiedName(provisioner.toLowerCase(), p);
}

function validateParameters(params: Record<string, string> | undefined, allowEmpty: boolean, p: string): E {
  const errs: E = [];
  const entries = Object.entries(params ?? {});
  if (entries.length > maxProvisionerParameterLen) return [tooLong(p, maxProvisionerParameterLen)];
  let total = 0;
  for (const [k, v] of entries) {
    if (k.length < 1) errs.push(invalid(p, k, 'field can not be empty.'));
    total += byteLen(k) + byteLen(String(v));
  }
  if (total > maxProvisionerParameterSize) errs.push(tooLong(p, maxProvisionerParameterSize));
  if (!allowEmpty && entries.length === 0) errs.push(required(p, 'must contain at least one key/value pair'));
  return errs;
}

function validateTopologySelectorTerm(
  term: TopologySelectorTerm,
  p: string,
): { map: Map<string, Set<string>>; errs: E } {
  const errs: E = [];
  const map = new Map<string, Set<string>>();
  const ep = child(p, 'matchLabelExpressions');
  (term.matchLabelExpressions ?? []).forEach((req, i) => {
    const ip = index(ep, i);
    const vp = child(ip, 'values');
    const values = new Set<string>();
    if ((req.values ?? []).length === 0) errs.push(required(vp));
    (req.values ?? []).forEach((v, j) => {
      if (values.has(v)) errs.push(duplicate(index(vp, j), v));
      values.add(v);
    });
    errs.push(...validateLabelName(req.key ?? '', child(ip, 'key')));
    if (map.has(req.key)) errs.push(duplicate(child(ip, 'key'), req.key));
    map.set(req.key, values);
  });
  return { map, errs };
}

const sameTopology = (a: Map<string, Set<string>>, b: Map<string, Set<string>>): boolean =>
  a.size === b.size &&
  [...a].every(([k, v]) => b.has(k) && b.get(k)!.size === v.size && [...v].every((x) => b.get(k)!.has(x)));

function validateAllowedTopologies(terms: TopologySelectorTerm[] | undefined, p: string): E {
  const errs: E = [];
  const seen: Map<string, Set<string>>[] = [];
  (terms ?? []).forEach((term, i) => {
    const r = validateTopologySelectorTerm(term, index(p, i));
    errs.push(...r.errs);
    for (const t of seen)
      if (sameTopology(r.map, t)) errs.push(duplicate(child(index(p, i), 'matchLabelExpressions'), ''));
    seen.push(r.map);
  });
  return errs;
}

/** ValidateStorageClass. */
export function validateStorageClass(sc: StorageClass): E {
  const errs = validateObjectMeta(sc.metadata, false, validateClassName, 'metadata');
  errs.push(...validateProvisioner(sc.provisioner ?? '', 'provisioner'));
  errs.push(...validateParameters(sc.parameters, true, 'parameters'));
  const policy = sc.reclaimPolicy ?? '';
  if (policy !== '' && policy !== 'Delete' && policy !== 'Retain') {
    errs.push(notSupported('reclaimPolicy', policy, ['Delete', 'Retain']));
  }
  if (!present(sc.volumeBindingMode)) errs.push(required('volumeBindingMode'));
  else if (sc.volumeBindingMode !== 'Immediate' && sc.volumeBindingMode !== 'WaitForFirstConsumer') {
    errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  }
  errs.push(...validateAllowedTopologies(sc.allowedTopologies, 'allowedTopologies'));
  return errs;
}

/** ValidateStorageClassUpdate. */
export function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): E {
  const errs = validateObjectMetaUpdate(sc.metadata, old.metadata, 'metadata');
  if (
    !deepEqual(old.parameters ?? {}, sc.parameters ?? {}) &&
    !(old.parameters === undefined && sc.parameters === undefined)
  ) {
    errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  }
  if (sc.provisioner !== old.provisioner)
    errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if ((sc.reclaimPolicy ?? '') !== (old.reclaimPolicy ?? '')) {
    errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  }
  errs.push(...validateImmutableField(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}

function validateCSIDriverSpec(spec: CSIDriver['spec'] | undefined, p: string): E {
  const s = spec ?? {};
  const errs: E = [];
  if (!present(s.attachRequired)) errs.push(required(child(p, 'attachedRequired')));
  if (!present(s.podInfoOnMount)) errs.push(required(child(p, 'podInfoOnMount')));
  if (!present(s.storageCapacity)) errs.push(required(child(p, 'storageCapacity')));
  const fsgp = ['File', 'None', 'ReadWriteOnceWithFSType'];
  if (present(s.fsGroupPolicy) && !fsgp.includes(s.fsGroupPolicy!)) {
    errs.push(notSupported(child(p, 'fsGroupPolicy'), s.fsGroupPolicy, fsgp));
  }
  const audiences = new Set<string>();
  (s.tokenRequests ?? []).forEach((tr, i) => {
    const tp = index(child(p, 'tokenRequests'), i);
    const aud = tr.audience ?? '';
    if (audiences.has(aud)) {
      errs.push(duplicate(child(tp, 'audience'), aud));
      return;
    }
    audiences.add(aud);
    if (!present(tr.expirationSeconds)) return;
    const exp = tr.expirationSeconds!;
    if (exp < 600)
      errs.push(
        invalid(child(tp, 'expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'),
      );
    if (exp > 2 ** 32)
      errs.push(
        invalid(child(tp, 'expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'),
      );
  });
  for (const mode of s.volumeLifecycleModes ?? []) {
    if (mode !== 'Persistent' && mode !== 'Ephemeral') {
      errs.push(notSupported(child(p, 'volumeLifecycleModes'), mode, ['Persistent', 'Ephemeral']));
    }
  }
  if (!present(s.seLinuxMount)) errs.push(required(child(p, 'seLinuxMount')));
  return errs;
}

/** ValidateCSIDriver. */
export function validateCSIDriver(d: CSIDriver): E {
  return [
    ...validateObjectMeta(d.metadata, false, nameIsDNSSubdomain, 'metadata'),
    ...validateCSIDriverSpec(d.spec, 'spec'),
  ];
}

/** ValidateCSIDriverUpdate: attachRequired and volumeLifecycleModes are immutable; the rest may change. */
export function validateCSIDriverUpdate(d: CSIDriver, old: CSIDriver): E {
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata, 'metadata');
  errs.push(...validateCSIDriverSpec(d.spec, 'spec'));
  errs.push(
    ...validateImmutableField(d.spec?.attachRequired, old.spec?.attachRequired, 'spec.attachedRequired'),
  );
  errs.push(
    ...validateImmutableField(
      d.spec?.volumeLifecycleModes,
      old.spec?.volumeLifecycleModes,
      'spec.volumeLifecycleModes',
    ),
  );
  return errs;
}

/** ValidateCSINode. */
export function validateCSINode(n: CSINode): E {
  const errs = validateObjectMeta(n.metadata, false, validateNodeName, 'metadata');
  const names = new Set<string>();
  (n.spec?.drivers ?? []).forEach((d, i) => {
    const dp = index('spec.drivers', i);
    errs.push(...validateCSIDriverName(d.name ?? '', child(dp, 'name')));
    const id = d.nodeID ?? '';
    if (id.length === 0) errs.push(required(child(dp, 'nodeID')));
    if (byteLen(id) > csiNodeIDMaxLength) {
      errs.push(invalid(child(dp, 'nodeID'), id, `must be ${csiNodeIDMaxLength} characters or less`));
    }
    if (present(d.allocatable?.count))
      errs.push(...validateNonnegativeField(d.allocatable!.count!, child(dp, 'allocatable', 'count')));
    if (names.has(d.name)) errs.push(duplicate(child(dp, 'name'), d.name));
    names.add(d.name);
    const keys = new Set<string>();
    for (const k of d.topologyKeys ?? []) {
      if (k.length === 0) errs.push(required(dp, k));
      if (keys.has(k)) errs.push(duplicate(dp, k));
      keys.add(k);
      errs.push(...validateQualifiedName(k, dp));
    }
  });
  return errs;
}

/** ValidateCSINodeUpdate: an existing driver entry may not change. */
export function validateCSINodeUpdate(n: CSINode, old: CSINode): E {
  const errs = validateObjectMetaUpdate(n.metadata, old.metadata, 'metadata');
  errs.push(...validateCSINode(n));
  for (const od of old.spec?.drivers ?? []) {
    for (const nd of n.spec?.drivers ?? []) {
      if (od.name === nd.name) errs.push(...validateImmutableField(nd, od, 'spec.drivers'));
    }
  }
  return errs;
}

function validateVolumeError(e: VolumeError | undefined, p: string): E {
  if (!present(e)) return [];
  const errs: E = [];
  if (byteLen(e!.message ?? '') > maxVolumeErrorMessageSize)
    errs.push(tooLong(child(p, 'message'), maxAttachedVolumeMetadataSize));
  if (present(e!.errorCode) && e!.errorCode! < 0) {
    errs.push(invalid(child(p, 'errorCode'), e!.errorCode, inclusiveRangeError(0, 2147483647)));
  }
  return errs;
}

function validateVolumeAttachmentStatus(va: VolumeAttachment): E {
  const errs: E = [];
  let size = 0;
  for (const [k, v] of Object.entries(va.status?.attachmentMetadata ?? {}))
    size += byteLen(k) + byteLen(String(v));
  if (size > maxAttachedVolumeMetadataSize)
    errs.push(tooLong('status.attachmentMetadata', maxAttachedVolumeMetadataSize));
  errs.push(...validateVolumeError(va.status?.attachError, 'status.attachError'));
  errs.push(...validateVolumeError(va.status?.detachError, 'status.detachError'));
  return errs;
}

/** ValidateVolumeAttachment plus ValidateVolumeAttachmentV1 (storage.k8s.io/v1 is the only served version). */
export function validateVolumeAttachment(va: VolumeAttachment): E {
  const errs = validateObjectMeta(va.metadata, false, validateClassName, 'metadata');
  const spec = va.spec ?? ({} as VolumeAttachment['spec']);
  if ((spec.attacher ?? '') === '') errs.push(required('spec.attacher'));
  const src = spec.source ?? {};
  const hasPV = present(src.persistentVolumeName);
  const hasInline = present(src.inlineVolumeSpec);
  if (!hasPV && !hasInline) {
    errs.push(
      required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'),
    );
  } else if (hasPV && hasInline) {
    errs.push(
      forbidden('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'),
    );
  } else if (hasPV) {
    if (src.persistentVolumeName === '') {
      errs.push(required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
    }
  } else {
    errs.push(...validatePersistentVolumeSpec(src.inlineVolumeSpec, true, 'spec.source.inlineVolumeSpec'));
  }
  for (const m of validateNodeName(spec.nodeName ?? '', false))
    errs.push(invalid('spec.nodeName', spec.nodeName ?? '', m));
  errs.push(...validateVolumeAttachmentStatus(va));
  errs.push(...validateCSIDriverName(spec.attacher ?? '', 'spec.attacher'));
  if (hasPV) {
    for (const m of validatePersistentVolumeName(src.persistentVolumeName!, false)) {
      errs.push(invalid('spec.source.persistentVolumeName', src.persistentVolumeName, m));
    }
  }
  return errs;
}

/** ValidateVolumeAttachmentUpdate: the spec is read-only. */
export function validateVolumeAttachmentUpdate(va: VolumeAttachment, old: VolumeAttachment): E {
  const errs = validateObjectMetaUpdate(va.metadata, old.metadata, 'metadata');
  errs.push(...validateVolumeAttachment(va));
  if (!deepEqual(old.spec, va.spec)) errs.push(invalid('spec', va.spec ?? null, 'field is immutable'));
  return errs;
}

/** Status updates of a VolumeAttachment (the strategy keeps the spec). */
export function validateVolumeAttachmentStatusUpdate(va: VolumeAttachment, old: VolumeAttachment): E {
  return validateVolumeAttachmentUpdate(va, old);
}

/** ValidateCSIStorageCapacity. */
export function validateCSIStorageCapacity(c: CSIStorageCapacity): E {
  const errs = validateObjectMeta(c.metadata, true, nameIsDNSSubdomain, 'metadata');
  errs.push(...validateLabelSelector(c.nodeTopology, {}, 'nodeTopology'));
  for (const m of validateClassName(c.storageClassName ?? '', false)) {
    errs.push(invalid('storageClassName', c.storageClassName ?? '', m));
  }
  if (present(c.capacity)) {
    const q = parseQuantityField(c.capacity, 'capacity', errs);
    if (q !== undefined) errs.push(...validateNonnegativeQuantity(q, 'capacity'));
  }
  if (present(c.maximumVolumeSize)) parseQuantityField(c.maximumVolumeSize, 'maximumVolumeSize', errs);
  return errs;
}

/** ValidateCSIStorageCapacityUpdate. */
export function validateCSIStorageCapacityUpdate(c: CSIStorageCapacity, old: CSIStorageCapacity): E {
  const errs = validateObjectMetaUpdate(c.metadata, old.metadata, 'metadata');
  if (!deepEqual(c.nodeTopology, old.nodeTopology))
    errs.push(invalid('nodeTopology', c.nodeTopology ?? null, 'field is immutable'));
  if (c.storageClassName !== old.storageClassName)
    errs.push(invalid('storageClassName', c.storageClassName, 'field is immutable'));
  return errs;
}

/** ValidateVolumeAttributesClass. */
export function validateVolumeAttributesClass(v: VolumeAttributesClass): E {
  return [
    ...validateObjectMeta(v.metadata, false, validateClassName, 'metadata'),
    ...validateProvisioner(v.driverName ?? '', 'driverName'),
    ...validateParameters(v.parameters, false, 'parameters'),
  ];
}

/** ValidateVolumeAttributesClassUpdate. */
export function validateVolumeAttributesClassUpdate(v: VolumeAttributesClass, old: VolumeAttributesClass): E {
  const errs = validateObjectMetaUpdate(v.metadata, old.metadata, 'metadata');
  if (v.driverName !== old.driverName)
    errs.push(forbidden('driverName', 'updates to driverName are forbidden.'));
  if (!deepEqual(old.parameters, v.parameters))
    errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  errs.push(...validateVolumeAttributesClass(v));
  return errs;
}
