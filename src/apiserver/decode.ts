// Decoding of request objects as kube-apiserver's serializer does it: apiVersion and kind filled in or
// checked against the endpoint, unknown fields reported per fieldValidation (Strict: 400, Warn: warning
// headers, Ignore: silent) and always dropped, since the typed decoder upstream cannot keep them.
import {
  type FieldValidation,
  type KubeObject,
  newBadRequest,
  type ResourceType,
  strictDecodingMessage,
  unknownFields,
} from '../api/index.ts';

export interface DecodeResult {
  readonly object: KubeObject;
  readonly warnings: string[];
}

export function decodeBody(rt: ResourceType, input: unknown, validation: FieldValidation): DecodeResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw newBadRequest(
      `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: the object must be a JSON object`,
    );
  }
  const obj = input as KubeObject;
  if (obj.apiVersion !== undefined && obj.apiVersion !== '' && obj.apiVersion !== rt.apiVersion) {
    throw newBadRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${rt.apiVersion})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== '' && obj.kind !== rt.kind) {
    throw newBadRequest(
      `the kind in the data (${String(obj.kind)}) does not match the expected kind (${rt.kind})`,
    );
  }
  obj.apiVersion = rt.apiVersion;
  obj.kind = rt.kind;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
    throw newBadRequest(
      `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: json: cannot unmarshal ${Array.isArray(obj.metadata) ? 'array' : typeof obj.metadata} into Go struct field ${rt.kind}.metadata of type v1.ObjectMeta`,
    );
  }
  const unknown = unknownFields(rt.apiVersion, rt.kind, obj);
  const warnings: string[] = [];
  if (unknown.length > 0) {
    if (validation === 'Strict') throw newBadRequest(strictDecodingMessage(rt.apiVersion, rt.kind, unknown));
    if (validation === 'Warn') for (const f of unknown) warnings.push(`unknown field "${f}"`);
    for (const f of unknown) prune(obj, f);
  }
  return { object: obj, warnings };
}

/** Deletes the field at a path like `spec.containers[0].foo` (the form unknownFields reports). */
export function prune(obj: unknown, path: string): void {
  const steps: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (m === null) {
      steps.push(part);
      continue;
    }
    if (m[1] !== '') steps.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) steps.push(Number(idx[1]));
  }
  let cur: unknown = obj;
  for (let i = 0; i < steps.length - 1; i++) {
    if (typeof cur !== 'object' || cur === null) return;
    cur = (cur as Record<string | number, unknown>)[steps[i]!];
  }
  const last = steps[steps.length - 1];
  if (last !== undefined && typeof cur === 'object' && cur !== null && !Array.isArray(cur)) {
    delete (cur as Record<string, unknown>)[String(last)];
  }
}
