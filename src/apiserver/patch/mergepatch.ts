// JSON merge patch (RFC 7386) as kube-apiserver applies it with evanphx/json-patch v4's MergePatch:
// objects merge recursively, `null` deletes a member, anything else (arrays included) replaces. Where
// v4 differs from the RFC it is followed: nulls are pruned from values that land where nothing was
// before (also inside objects in arrays), and a `null` or scalar patch body is a bad request.
import { PatchDecodeError } from './errors.ts';
import { deepCopy, isJsonObject, type JsonObject, type JsonValue } from './json.ts';

/** evanphx's ErrBadJSONPatch text, which upstream returns as a 400. */
export const invalidJsonPatchMessage = 'Invalid JSON Patch';

/**
 * Applies `patch` to `target` and returns the result; neither input is modified.
 * Throws PatchDecodeError (400) when the patch is `null` or a scalar.
 */
export function applyMergePatch(target: unknown, patch: unknown): JsonValue {
  if (patch === null || patch === undefined || (!isJsonObject(patch) && !Array.isArray(patch))) {
    throw new PatchDecodeError(invalidJsonPatchMessage);
  }
  const p = deepCopy(patch) as JsonValue;
  if (!isJsonObject(target) || !isJsonObject(p)) {
    // Not two documents: the result is the patch itself, nulls pruned.
    return pruneNulls(p);
  }
  const doc = deepCopy(target);
  mergeDocs(doc, p);
  return doc;
}

function mergeDocs(doc: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = doc[k];
    if (cur === undefined || cur === null) {
      doc[k] = pruneNulls(v);
    } else {
      doc[k] = merge(cur, v);
    }
  }
}

function merge(cur: JsonValue, patch: JsonValue): JsonValue {
  if (!isJsonObject(cur)) return pruneNulls(patch);
  if (!isJsonObject(patch)) return patch;
  mergeDocs(cur, patch);
  return cur;
}

function pruneNulls(v: JsonValue): JsonValue {
  if (isJsonObject(v)) {
    for (const [k, child] of Object.entries(v)) {
      if (child === null) delete v[k];
      else pruneNulls(child);
    }
  } else if (Array.isArray(v)) {
    for (const item of v) if (item !== null) pruneNulls(item);
  }
  return v;
}
