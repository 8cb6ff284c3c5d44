// Applies a PATCH body of any of the four types to the current object, using the kind's OpenAPI patch
// metadata for strategic merge and server-side apply. Errors come back as Status errors with upstream's
// codes (400 for undecodable bodies, 422 for patches that cannot apply, 409 for apply conflicts).
import { parse as parseYaml } from 'yaml';
import {
  type KubeObject,
  type ManagedFieldsEntry,
  newBadRequest,
  type PatchOptions,
  type PatchType,
  patchMetaAt,
  type ResourceType,
} from '../api/index.ts';
import type { Clock } from '../component/index.ts';
import { resetFields } from './managed.ts';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  type PatchMeta,
  type PatchMetaLookup,
  patchMetaFromFunction,
  serverSideApply,
  toStatusError,
} from './patch/index.ts';

export function isApplyPatch(t: PatchType): boolean {
  return t === 'application/apply-patch+yaml';
}

export interface PatchResult {
  object: KubeObject;
  /** Set by server-side apply, which computes ownership itself. */
  managedFields?: ManagedFieldsEntry[];
}

function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch (err) {
    throw newBadRequest(`error decoding patch: ${what}: ${(err as Error).message}`);
  }
}

/** One node of a kind's memo of patchMetaAt answers, by field path (a trie: field names may hold any text). */
interface MetaMemo {
  known: boolean;
  meta: PatchMeta | undefined;
  readonly children: Map<string, MetaMemo>;
}

/** Paths remembered per kind before the memo starts over (map keys such as label names are paths too). */
const metaMemoLimit = 20_000;

const metaMemos = new Map<string, { root: MetaMemo; size: number }>();

/**
 * The kind's patch metadata lookup. The schemas are static, so answers are remembered per path: the
 * managedFields walk asks for the same paths on every write.
 */
export function metaLookup(rt: ResourceType): PatchMetaLookup {
  const id = `${rt.apiVersion}/${rt.kind}`;
  let memo = metaMemos.get(id);
  if (memo === undefined) {
    memo = { root: { known: false, meta: undefined, children: new Map() }, size: 0 };
    metaMemos.set(id, memo);
  }
  const m = memo;
  return patchMetaFromFunction((path: readonly string[]) => {
    if (m.size > metaMemoLimit) {
      m.root = { known: false, meta: undefined, children: new Map() };
      m.size = 0;
    }
    let node = m.root;
    for (const seg of path) {
      let next = node.children.get(seg);
      if (next === undefined) {
        next = { known: false, meta: undefined, children: new Map() };
        node.children.set(seg, next);
        m.size++;
      }
      node = next;
    }
    if (!node.known) {
      node.meta = patchMetaAt(rt.apiVersion, rt.kind, path);
      node.known = true;
    }
    return node.meta;
  });
}

/** The patched object, a new one: `cur` (the cached object) is only read, as the patch functions never change their inputs. */
export function applyPatchBody(
  rt: ResourceType,
  cur: KubeObject | undefined,
  type: PatchType,
  body: string,
  opts: PatchOptions,
  clock: Clock,
  name: string,
  namespace: string | undefined,
): PatchResult {
  try {
    switch (type) {
      case 'application/merge-patch+json': {
        const p = parseJson(body, 'merge patch');
        return { object: applyMergePatch(cur, p) as KubeObject };
      }
      case 'application/json-patch+json': {
        const p = parseJson(body, 'json patch');
        if (!Array.isArray(p))
          throw newBadRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
        return { object: applyJsonPatch(cur, p) as KubeObject };
      }
      case 'application/strategic-merge-patch+json': {
        const p = parseJson(body, 'strategic merge patch');
        if (typeof p !== 'object' || p === null || Array.isArray(p)) {
          throw newBadRequest('error decoding patch: strategic merge patch must be a JSON object');
        }
        return { object: applyStrategicMergePatch(cur, p, metaLookup(rt)) as KubeObject };
      }
      case 'application/apply-patch+yaml': {
        let applied: unknown;
        try {
          applied = parseYaml(body, { version: '1.1' });
        } catch (err) {
          throw newBadRequest(`error decoding YAML: ${(err as Error).message}`);
        }
        if (typeof applied !== 'object' || applied === null || Array.isArray(applied)) {
          throw newBadRequest('error decoding YAML: the applied configuration must be an object');
        }
        const a = applied as KubeObject;
        a.metadata ??= {};
        if (a.metadata.name !== undefined && a.metadata.name !== name) {
          throw newBadRequest(
            `the name of the object (${a.metadata.name}) does not match the name on the URL (${name})`,
          );
        }
        a.metadata.name = name;
        if (rt.namespaced && namespace !== undefined) a.metadata.namespace ??= namespace;
        const r = serverSideApply({
          live: cur,
          applied: a,
          manager: opts.fieldManager ?? '',
          force: opts.force === true,
          apiVersion: rt.apiVersion,
          subresource: opts.subresource,
          meta: metaLookup(rt),
          ignoredFields: resetFields(rt, a, opts.subresource),
          now: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        });
        return { object: r.object as KubeObject, managedFields: r.managedFields };
      }
    }
  } catch (err) {
    throw toStatusError(err, rt, name);
  }
}
