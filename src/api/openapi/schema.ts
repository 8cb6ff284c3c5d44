// Lookups over the component schemas: the schema of a served kind, $ref resolution, the apiserver's strict
// unknown-field detection (fieldValidation=Strict) and the patch metadata (merge keys, list and map types)
// that strategic merge patch and server-side apply need. All tables are built once, at first use.

import { coordinationV1Schemas } from './schemas/coordination.ts';
import { coreSchemas } from './schemas/core.ts';
import { metaSchemas } from './schemas/meta.ts';
import { snapshotV1Schemas } from './schemas/snapshot.ts';
import { storageV1Schemas } from './schemas/storage.ts';
import { storageV1beta1Schemas } from './schemas/storagev1beta1.ts';
import type { SchemaNode } from './types.ts';

const refPrefix = '#/components/schemas/';

/** Every component schema kvol publishes, by upstream name. */
export const allSchemas: Readonly<Record<string, SchemaNode>> = Object.freeze({
  ...metaSchemas,
  ...coreSchemas,
  ...storageV1Schemas,
  ...storageV1beta1Schemas,
  ...snapshotV1Schemas,
  ...coordinationV1Schemas,
});

let kindIndex: Map<string, string> | undefined;

function kinds(): Map<string, string> {
  if (kindIndex === undefined) {
    kindIndex = new Map();
    for (const [name, s] of Object.entries(allSchemas)) {
      for (const g of s['x-kubernetes-group-version-kind'] ?? []) {
        const apiVersion = g.group === '' ? g.version : `${g.group}/${g.version}`;
        kindIndex.set(`${apiVersion}/${g.kind}`, name);
      }
    }
  }
  return kindIndex;
}

/** The component name (`io.k8s.api.core.v1.Pod`) of the schema whose x-kubernetes-group-version-kind names this kind. */
export function kindSchemaName(apiVersion: string, kind: string): string | undefined {
  return kinds().get(`${apiVersion}/${kind}`);
}

/** The schema of a top-level kind, or undefined when kvol has none. */
export function kindSchema(apiVersion: string, kind: string): SchemaNode | undefined {
  const name = kindSchemaName(apiVersion, kind);
  return name === undefined ? undefined : allSchemas[name];
}

/** The component schema a `$ref` points at, or undefined for a dangling or foreign reference. */
export function schemaByRef(ref: string): SchemaNode | undefined {
  return ref.startsWith(refPrefix) ? allSchemas[ref.slice(refPrefix.length)] : undefined;
}

/**
 * Follows `$ref` and the single-`$ref` `allOf` wrapper upstream uses for described references, until a node
 * that holds its own type. A dangling reference resolves to the node itself.
 */
export function resolve(node: SchemaNode): SchemaNode {
  let n = node;
  for (let hops = 0; hops < 32; hops++) {
    const ref = n.$ref ?? (n.allOf?.length === 1 ? n.allOf[0]?.$ref : undefined);
    if (ref === undefined) return n;
    const target = schemaByRef(ref);
    if (target === undefined) return n;
    n = target;
  }
  return n;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walkUnknown(node: SchemaNode, value: unknown, path: string, out: string[]): void {
  const s = resolve(node);
  if (s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-int-or-string'] === true) return;
  if (Array.isArray(value)) {
    if (s.items === undefined) return;
    value.forEach((item, i) => {
      walkUnknown(s.items as SchemaNode, item, `${path}[${i}]`, out);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  const props = s.properties;
  if (props !== undefined) {
    for (const [key, v] of Object.entries(value)) {
      const child = props[key];
      const p = path === '' ? key : `${path}.${key}`;
      if (child === undefined) out.push(p);
      else walkUnknown(child, v, p, out);
    }
    return;
  }
  const ap = s.additionalProperties;
  if (ap !== undefined && typeof ap !== 'boolean') {
    for (const [key, v] of Object.entries(value))
      walkUnknown(ap, v, path === '' ? key : `${path}.${key}`, out);
  }
  // An object schema with neither properties nor additionalProperties (FieldsV1, Patch) is free-form.
}

/**
 * The fields of `obj` that the kind's schema does not declare, as the apiserver's strict decoding names them:
 * dotted from the root, list items by index (`spec.containers[0].foo`), in document order. Map values
 * (labels, annotations, data) are free-form keys and never reported. Empty when the kind has no schema.
 */
export function unknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  const schema = kindSchema(apiVersion, kind);
  if (schema === undefined) return [];
  const out: string[] = [];
  walkUnknown(schema, obj, '', out);
  return out;
}

/**
 * The message of the 400 BadRequest the apiserver returns for unknown fields under fieldValidation=Strict:
 * `PersistentVolumeClaim in version "v1" cannot be handled as a PersistentVolumeClaim: strict decoding error:
 * unknown field "spec.foo"` (k8s.io/apiserver handlers.transformDecodeError around runtime.StrictDecodingError).
 */
export function strictDecodingMessage(apiVersion: string, kind: string, fields: readonly string[]): string {
  const slash = apiVersion.lastIndexOf('/');
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const errs = fields.map((f) => `unknown field "${f}"`).join(', ');
  return `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${errs}`;
}

export interface PatchMeta {
  readonly patchStrategy?: string;
  readonly patchMergeKey?: string;
  readonly listType?: string;
  readonly listMapKeys?: readonly string[];
  readonly mapType?: string;
}

function metaOf(field: SchemaNode, resolved: SchemaNode): PatchMeta {
  const m: {
    patchStrategy?: string;
    patchMergeKey?: string;
    listType?: string;
    listMapKeys?: readonly string[];
    mapType?: string;
  } = {};
  const strategy = field['x-kubernetes-patch-strategy'];
  const key = field['x-kubernetes-patch-merge-key'];
  const listType = field['x-kubernetes-list-type'];
  const keys = field['x-kubernetes-list-map-keys'];
  const mapType = field['x-kubernetes-map-type'] ?? resolved['x-kubernetes-map-type'];
  if (strategy !== undefined) m.patchStrategy = strategy;
  if (key !== undefined) m.patchMergeKey = key;
  if (listType !== undefined) m.listType = listType;
  if (keys !== undefined) m.listMapKeys = keys;
  if (mapType !== undefined) m.mapType = mapType;
  return m;
}

/**
 * Patch metadata of the field at `path` below the kind's root, e.g. `['spec', 'containers']` gives
 * `{patchStrategy: 'merge', patchMergeKey: 'name', ...}`. List elements are addressed through the segment
 * `items` (`['spec', 'containers', 'items', 'env']`); map values through any key. Returns `{}` for a known
 * field without metadata and undefined when the path leaves the schema. The empty path describes the kind.
 */
export function patchMetaAt(
  apiVersion: string,
  kind: string,
  path: readonly string[],
): PatchMeta | undefined {
  const root = kindSchema(apiVersion, kind);
  if (root === undefined) return undefined;
  let field: SchemaNode = root;
  let current = resolve(root);
  for (const seg of path) {
    let next: SchemaNode | undefined;
    if (current.properties !== undefined) next = current.properties[seg];
    else if (seg === 'items' && current.items !== undefined) next = current.items;
    else if (typeof current.additionalProperties === 'object') next = current.additionalProperties;
    if (next === undefined && seg === 'items' && current.items !== undefined) next = current.items;
    if (next === undefined) return undefined;
    field = next;
    current = resolve(next);
  }
  return metaOf(field, current);
}

/** The schema node at `path` (same addressing as patchMetaAt), resolved, or undefined. */
export function schemaAt(apiVersion: string, kind: string, path: readonly string[]): SchemaNode | undefined {
  const root = kindSchema(apiVersion, kind);
  if (root === undefined) return undefined;
  let current = resolve(root);
  for (const seg of path) {
    let next: SchemaNode | undefined;
    if (current.properties !== undefined) next = current.properties[seg];
    else if (seg === 'items' && current.items !== undefined) next = current.items;
    else if (typeof current.additionalProperties === 'object') next = current.additionalProperties;
    if (next === undefined) return undefined;
    current = resolve(next);
  }
  return current;
}
