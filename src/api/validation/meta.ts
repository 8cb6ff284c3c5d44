// ObjectMeta, labels, annotations, owner references, finalizers and label-selector validation
// (k8s.io/apimachinery/pkg/api/validation/objectmeta.go and apis/meta/v1/validation), plus the
// generic helpers every kind's validation uses (immutable fields, quantities, name functions).
import {
  FieldError,
  type FieldPath,
  forbidden,
  invalid,
  notSupported,
  omitValue,
  required,
  tooLong,
} from '../field.ts';
import type { LabelSelector, ObjectMeta, OwnerReference } from '../meta.ts';
import { Quantity } from '../quantity.ts';
import {
  byteLen,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
} from './strings.ts';

type P = FieldPath | string;
const str = (p: P): string => (typeof p === 'string' ? p : p.toString());
export const child = (p: P, ...names: string[]): string => {
  let s = str(p);
  for (const n of names) s = s === '' ? n : `${s}.${n}`;
  return s;
};
export const index = (p: P, i: number): string => `${str(p)}[${i}]`;
export const key = (p: P, k: string): string => `${str(p)}[${k}]`;

export const fieldImmutableErrorMsg = 'field is immutable';
export const isNegativeErrorMsg = 'must be greater than or equal to 0';
export const isNotPositiveErrorMsg = 'must be greater than zero';
export const totalAnnotationSizeLimitB = 256 * (1 << 10);

/** A name check: returns messages for `name` (prefix: it is a generateName prefix). */
export type ValidateNameFunc = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: ValidateNameFunc = (name, prefix) =>
  isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: ValidateNameFunc = (name, prefix) =>
  isDNS1123Label(prefix ? maskTrailingDash(name) : name);
/** path.ValidatePathSegmentName. */
export const validatePathSegmentName: ValidateNameFunc = (name, prefix) =>
  prefix
    ? name.includes('/') || name.includes('%')
      ? isValidPathSegmentName(name)
      : []
    : isValidPathSegmentName(name);
export const validateNamespaceName = nameIsDNSLabel;

/** Go's reflect/Semantic DeepEqual over JSON values, treating undefined and absent keys alike. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return a === b;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** Semantic equality where quantities compare by value ("1Gi" equals "1024Mi"). */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && a !== b) {
    const qa = Quantity.tryParse(a);
    const qb = Quantity.tryParse(b);
    return (
      qa !== undefined && qb !== undefined && qa.cmp(qb) === 0 && looksLikeQuantity(a) && looksLikeQuantity(b)
    );
  }
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return a === b;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
  return true;
}

const looksLikeQuantity = (s: string): boolean => /^[+-]?[0-9.]/.test(s);

/** ValidateImmutableField. */
export function validateImmutableField(newVal: unknown, oldVal: unknown, p: P): FieldError[] {
  return deepEqual(newVal, oldVal) ? [] : [invalid(p, newVal ?? null, fieldImmutableErrorMsg)];
}

/** ValidateNonnegativeField. */
export function validateNonnegativeField(value: number, p: P): FieldError[] {
  return value < 0 ? [invalid(p, value, isNegativeErrorMsg)] : [];
}

/** Parses a quantity field; a parse failure is reported as upstream's decoder would. */
export function parseQuantityField(value: unknown, p: P, errs: FieldError[]): Quantity | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Quantity.tryParse(String(value));
  if (typeof value !== 'string') {
    errs.push(invalid(p, value ?? null, 'must be a quantity'));
    return undefined;
  }
  const q = Quantity.tryParse(value);
  if (q === undefined) {
    try {
      Quantity.parse(value);
    } catch (err) {
      errs.push(invalid(p, value, err instanceof Error ? err.message : String(err)));
    }
  }
  return q;
}

/** ValidateNonnegativeQuantity. */
export function validateNonnegativeQuantity(q: Quantity, p: P): FieldError[] {
  return q.sign() < 0 ? [invalid(p, q.toString(), isNegativeErrorMsg)] : [];
}

/** ValidatePositiveQuantityValue. */
export function validatePositiveQuantityValue(q: Quantity, p: P): FieldError[] {
  return q.sign() <= 0 ? [invalid(p, q.toString(), isNotPositiveErrorMsg)] : [];
}

/** ValidateQualifiedName. */
export function validateQualifiedName(value: string, p: P): FieldError[] {
  return isQualifiedName(value).map((m) => invalid(p, value, m));
}

/** ValidateDNS1123Label. */
export function validateDNS1123Label(value: string, p: P): FieldError[] {
  return isDNS1123Label(value).map((m) => invalid(p, value, m));
}

/** ValidateDNS1123Subdomain. */
export function validateDNS1123Subdomain(value: string, p: P): FieldError[] {
  return isDNS1123Subdomain(value).map((m) => invalid(p, value, m));
}

/** metav1validation.ValidateLabelName. */
export function validateLabelName(name: string, p: P): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(p, name, m));
}

/** metav1validation.ValidateLabels. */
export function validateLabels(labels: Record<string, string> | undefined, p: P): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, p));
    for (const m of isValidLabelValue(String(v))) errs.push(invalid(p, v, m));
  }
  return errs;
}

/** ValidateAnnotations. */
export function validateAnnotations(annotations: Record<string, string> | undefined, p: P): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(p, k, m));
    total += byteLen(k) + byteLen(String(v));
  }
  if (total > totalAnnotationSizeLimitB) errs.push(tooLong(p, totalAnnotationSizeLimitB));
  return errs;
}

function parseGroupVersion(apiVersion: string): { group: string; version: string } | undefined {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0]! };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return undefined;
}

/** ValidateOwnerReferences. */
export function validateOwnerReferences(refs: OwnerReference[] | undefined, p: P): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const gv = parseGroupVersion(ref.apiVersion ?? '') ?? { group: '', version: '' };
    if (gv.version === '')
      errs.push(invalid(child(p, 'apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
    if ((ref.kind ?? '') === '')
      errs.push(invalid(child(p, 'kind'), ref.kind ?? '', 'kind must not be empty'));
    if ((ref.name ?? '') === '')
      errs.push(invalid(child(p, 'name'), ref.name ?? '', 'name must not be empty'));
    if ((ref.uid ?? '') === '') errs.push(invalid(child(p, 'uid'), ref.uid ?? '', 'uid must not be empty'));
    if (gv.group === '' && gv.version === 'v1' && ref.kind === 'Event') {
      errs.push(invalid(p, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController !== '') {
        errs.push(
          invalid(
            p,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      } else {
        firstController = cur;
      }
    }
  }
  return errs;
}

/** ValidateFinalizers. */
export function validateFinalizers(finalizers: string[] | undefined, p: P): FieldError[] {
  const errs: FieldError[] = [];
  let orphan = false;
  let del = false;
  for (const f of finalizers ?? []) {
    for (const m of isQualifiedName(f)) errs.push(invalid(p, f, m));
    if (f === 'orphan') orphan = true;
    if (f === 'foregroundDeletion') del = true;
  }
  if (orphan && del)
    errs.push(invalid(p, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  return errs;
}

/** ValidateObjectMeta. */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  requiresNamespace: boolean,
  nameFn: ValidateNameFunc,
  p: P = 'metadata',
): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  const generateName = m.generateName ?? '';
  if (generateName !== '') {
    for (const msg of nameFn(generateName, true))
      errs.push(invalid(child(p, 'generateName'), generateName, msg));
  }
  const name = m.name ?? '';
  if (name === '') errs.push(required(child(p, 'name'), 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(invalid(child(p, 'name'), name, msg));
  const ns = m.namespace ?? '';
  if (requiresNamespace) {
    if (ns === '') errs.push(required(child(p, 'namespace')));
    else
      for (const msg of validateNamespaceName(ns, false)) errs.push(invalid(child(p, 'namespace'), ns, msg));
  } else if (ns !== '') {
    errs.push(forbidden(child(p, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegativeField(m.generation ?? 0, child(p, 'generation')));
  errs.push(...validateLabels(m.labels, child(p, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(p, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(p, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, child(p, 'finalizers')));
  return errs;
}

/** Go's %#v of a []string, as ValidateNoNewFinalizers prints it. */
export function goStringSlice(values: readonly string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

/** ValidateObjectMetaUpdate. */
export function validateObjectMetaUpdate(
  meta: ObjectMeta | undefined,
  old: ObjectMeta | undefined,
  p: P = 'metadata',
): FieldError[] {
  const m = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp !== undefined && o.deletionTimestamp !== null) {
    const before = new Set(o.finalizers ?? []);
    const extra = [...new Set((m.finalizers ?? []).filter((f) => !before.has(f)))].sort();
    if (extra.length > 0) {
      errs.push(
        forbidden(
          child(p, 'finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`,
        ),
      );
    }
  }
  if ((m.resourceVersion ?? '') === '') {
    errs.push(
      invalid(child(p, 'resourceVersion'), m.resourceVersion ?? '', 'must be specified for an update'),
    );
  }
  if ((m.generation ?? 0) < (o.generation ?? 0)) {
    errs.push(invalid(child(p, 'generation'), m.generation ?? 0, 'must not be decremented'));
  }
  errs.push(...validateImmutableField(m.name ?? '', o.name ?? '', child(p, 'name')));
  errs.push(...validateImmutableField(m.namespace ?? '', o.namespace ?? '', child(p, 'namespace')));
  errs.push(...validateImmutableField(m.uid ?? '', o.uid ?? '', child(p, 'uid')));
  errs.push(
    ...validateImmutableField(m.creationTimestamp, o.creationTimestamp, child(p, 'creationTimestamp')),
  );
  errs.push(
    ...validateImmutableField(m.deletionTimestamp, o.deletionTimestamp, child(p, 'deletionTimestamp')),
  );
  errs.push(
    ...validateImmutableField(
      m.deletionGracePeriodSeconds,
      o.deletionGracePeriodSeconds,
      child(p, 'deletionGracePeriodSeconds'),
    ),
  );
  errs.push(...validateLabels(m.labels, child(p, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(p, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(p, 'ownerReferences')));
  return errs;
}

export interface LabelSelectorValidationOptions {
  allowInvalidLabelValueInSelector?: boolean;
}

/** metav1validation.ValidateLabelSelector. */
export function validateLabelSelector(
  ps: LabelSelector | undefined | null,
  opts: LabelSelectorValidationOptions,
  p: P,
): FieldError[] {
  if (ps === undefined || ps === null) return [];
  const errs = validateLabels(ps.matchLabels, child(p, 'matchLabels'));
  (ps.matchExpressions ?? []).forEach((sr, i) => {
    const ep = index(child(p, 'matchExpressions'), i);
    const values = sr.values ?? [];
    switch (sr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          errs.push(required(child(ep, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0)
          errs.push(
            forbidden(
              child(ep, 'values'),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        break;
      default:
        errs.push(invalid(child(ep, 'operator'), sr.operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(sr.key ?? '', child(ep, 'key')));
    if (opts.allowInvalidLabelValueInSelector !== true) {
      values.forEach((v, vi) => {
        for (const m of isValidLabelValue(v)) errs.push(invalid(index(child(ep, 'values'), vi), v, m));
      });
    }
  });
  return errs;
}

/** Re-exported so kinds can build "Unsupported value" errors with the same helper. */
export { FieldError, notSupported, omitValue };
