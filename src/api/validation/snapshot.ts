// Validation of snapshot.storage.k8s.io/v1 kinds as the external-snapshotter v8 CRDs enforce it:
// OpenAPI required/enum checks and the x-kubernetes-validations (CEL) rules, whose failures the
// apiserver prints as `<path>: Invalid value: "<type>": <message>`.
import { type FieldError, invalid, notSupported, required } from '../field.ts';
import type { VolumeSnapshot, VolumeSnapshotClass, VolumeSnapshotContent } from '../types/index.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';

type E = FieldError[];
const has = (v: unknown): boolean => v !== undefined && v !== null;
const deletionPolicies = ['Delete', 'Retain'];
const cel = (p: string, type: 'object' | 'string', message: string): FieldError => invalid(p, type, message);

function validateVolumeSnapshotSpec(vs: VolumeSnapshot): E {
  const errs: E = [];
  if (!has(vs.spec)) return [required('spec')];
  const src = vs.spec.source;
  if (!has(src)) errs.push(required('spec.source'));
  else {
    const pvc = has(src.persistentVolumeClaimName);
    const content = has(src.volumeSnapshotContentName);
    if (pvc === content) {
      errs.push(
        cel(
          'spec.source',
          'object',
          'exactly one of volumeSnapshotContentName and persistentVolumeClaimName must be set',
        ),
      );
    }
  }
  if (has(vs.spec.volumeSnapshotClassName) && vs.spec.volumeSnapshotClassName === '') {
    errs.push(
      cel(
        'spec.volumeSnapshotClassName',
        'string',
        'volumeSnapshotClassName must not be the empty string when set',
      ),
    );
  }
  return errs;
}

/** VolumeSnapshot create. */
export function validateVolumeSnapshot(vs: VolumeSnapshot): E {
  return [
    ...validateObjectMeta(vs.metadata, true, nameIsDNSSubdomain, 'metadata'),
    ...validateVolumeSnapshotSpec(vs),
  ];
}

/** VolumeSnapshot update: the source fields are immutable and may not be unset. */
export function validateVolumeSnapshotUpdate(vs: VolumeSnapshot, old: VolumeSnapshot): E {
  const errs = validateObjectMetaUpdate(vs.metadata, old.metadata, 'metadata');
  errs.push(...validateVolumeSnapshotSpec(vs));
  const src = vs.spec?.source ?? {};
  const osrc = old.spec?.source ?? {};
  for (const f of ['persistentVolumeClaimName', 'volumeSnapshotContentName'] as const) {
    if (has(osrc[f]) && !has(src[f])) errs.push(cel('spec.source', 'object', `${f} is required once set`));
    if (has(osrc[f]) && has(src[f]) && src[f] !== osrc[f])
      errs.push(cel(`spec.source.${f}`, 'string', `${f} is immutable`));
  }
  return errs;
}

/** VolumeSnapshot status update. */
export function validateVolumeSnapshotStatusUpdate(vs: VolumeSnapshot, old: VolumeSnapshot): E {
  return validateObjectMetaUpdate(vs.metadata, old.metadata, 'metadata');
}

function validateVolumeSnapshotContentSpec(c: VolumeSnapshotContent): E {
  if (!has(c.spec)) return [required('spec')];
  const errs: E = [];
  const s = c.spec;
  if (!has(s.deletionPolicy)) errs.push(required('spec.deletionPolicy'));
  else if (!deletionPolicies.includes(s.deletionPolicy))
    errs.push(notSupported('spec.deletionPolicy', s.deletionPolicy, deletionPolicies));
  if (!has(s.driver)) errs.push(required('spec.driver'));
  if (!has(s.source)) errs.push(required('spec.source'));
  else if (has(s.source.volumeHandle) === has(s.source.snapshotHandle)) {
    errs.push(cel('spec.source', 'object', 'exactly one of volumeHandle and snapshotHandle must be set'));
  }
  if (!has(s.volumeSnapshotRef)) errs.push(required('spec.volumeSnapshotRef'));
  else if (!has(s.volumeSnapshotRef.name) || !has(s.volumeSnapshotRef.namespace)) {
    errs.push(
      cel(
        'spec.volumeSnapshotRef',
        'object',
        'both spec.volumeSnapshotRef.name and spec.volumeSnapshotRef.namespace must be set',
      ),
    );
  }
  if (has(s.sourceVolumeMode) && s.sourceVolumeMode !== 'Block' && s.sourceVolumeMode !== 'Filesystem') {
    errs.push(notSupported('spec.sourceVolumeMode', s.sourceVolumeMode, ['Block', 'Filesystem']));
  }
  return errs;
}

/** VolumeSnapshotContent create. */
export function validateVolumeSnapshotContent(c: VolumeSnapshotContent): E {
  return [
    ...validateObjectMeta(c.metadata, false, nameIsDNSSubdomain, 'metadata'),
    ...validateVolumeSnapshotContentSpec(c),
  ];
}

/** VolumeSnapshotContent update: source handles and sourceVolumeMode are immutable once set. */
export function validateVolumeSnapshotContentUpdate(c: VolumeSnapshotContent, old: VolumeSnapshotContent): E {
  const errs = validateObjectMetaUpdate(c.metadata, old.metadata, 'metadata');
  errs.push(...validateVolumeSnapshotContentSpec(c));
  const src = c.spec?.source ?? {};
  const osrc = old.spec?.source ?? {};
  for (const f of ['volumeHandle', 'snapshotHandle'] as const) {
    if (has(osrc[f]) && !has(src[f])) errs.push(cel('spec.source', 'object', `${f} is required once set`));
    if (has(osrc[f]) && has(src[f]) && src[f] !== osrc[f])
      errs.push(cel(`spec.source.${f}`, 'string', `${f} is immutable`));
  }
  if (has(old.spec?.sourceVolumeMode)) {
    if (!has(c.spec?.sourceVolumeMode))
      errs.push(cel('spec', 'object', 'sourceVolumeMode is required once set'));
    else if (c.spec.sourceVolumeMode !== old.spec.sourceVolumeMode) {
      errs.push(cel('spec.sourceVolumeMode', 'string', 'sourceVolumeMode is immutable'));
    }
  }
  return errs;
}

/** VolumeSnapshotContent status update. */
export function validateVolumeSnapshotContentStatusUpdate(
  c: VolumeSnapshotContent,
  old: VolumeSnapshotContent,
): E {
  return validateObjectMetaUpdate(c.metadata, old.metadata, 'metadata');
}

function validateClassFields(c: VolumeSnapshotClass): E {
  const errs: E = [];
  if (!has(c.driver)) errs.push(required('driver'));
  if (!has(c.deletionPolicy)) errs.push(required('deletionPolicy'));
  else if (!deletionPolicies.includes(c.deletionPolicy))
    errs.push(notSupported('deletionPolicy', c.deletionPolicy, deletionPolicies));
  return errs;
}

/** VolumeSnapshotClass create. */
export function validateVolumeSnapshotClass(c: VolumeSnapshotClass): E {
  return [
    ...validateObjectMeta(c.metadata, false, nameIsDNSSubdomain, 'metadata'),
    ...validateClassFields(c),
  ];
}

/** VolumeSnapshotClass update. */
export function validateVolumeSnapshotClassUpdate(c: VolumeSnapshotClass, old: VolumeSnapshotClass): E {
  return [...validateObjectMetaUpdate(c.metadata, old.metadata, 'metadata'), ...validateClassFields(c)];
}
