// Strategic merge patch as k8s.io/apimachinery/pkg/util/strategicpatch applies it on the server
// (StrategicMergeMapPatch: MergeParallelList and IgnoreUnmatchedNulls on). Maps merge recursively,
// `null` deletes, lists follow the field's patchStrategy: `merge` lists of objects merge by
// patchMergeKey, `merge` lists of scalars are unions, other lists are replaced whole. Directives:
// `$patch: replace|delete` (maps and list items), `$retainKeys`, `$setElementOrder/<list>`,
// `$deleteFromPrimitiveList/<list>`. The ordering rules (patch order first, server-only items kept
// where the live list had them) are upstream's algorithms, ported step by step.
//
// Deliberate differences, because kvol stores plain JSON and never decodes into Go structs (which
// would drop them): values that land where the original had nothing are cleaned (nested nulls
// removed, directives applied instead of stored verbatim), and `$deleteFromPrimitiveList` for a list
// the object does not have is a no-op (upstream would store the deletion list as the list).
// A `$patch: delete` list item removes every entry with that key, duplicates included (upstream's
// deleteMatchingEntries; the one-entry-per-directive change, kubernetes PR #125932, is not merged).
import { PatchDecodeError, StrategicMergePatchError } from './errors.ts';
import {
  deepCopy,
  deepEqual,
  goFormat,
  goTypeName,
  isJsonObject,
  type JsonObject,
  type JsonValue,
} from './json.ts';
import { type PatchMetaLookup, patchStrategyOf } from './meta.ts';

const directiveMarker = '$patch';
const deleteDirective = 'delete';
const replaceDirective = 'replace';
const mergeDirective = 'merge';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

// mergepatch sentinel errors and their HTTP codes (interpretStrategicMergePatchError).
const errBadPatchFormatForPrimitiveList = (): StrategicMergePatchError =>
  new StrategicMergePatchError(400, 'invalid patch format of primitive list');
const errBadPatchFormatForRetainKeys = (): StrategicMergePatchError =>
  new StrategicMergePatchError(400, 'invalid patch format of retainKeys');
const errBadPatchFormatForSetElementOrderList = (): StrategicMergePatchError =>
  new StrategicMergePatchError(400, 'invalid patch format of setElementOrder list');
const errNoListOfLists = (): StrategicMergePatchError =>
  new StrategicMergePatchError(422, 'lists of lists are not supported');
// Plain Go errors: upstream answers 500 with their text.
const internal = (message: string): StrategicMergePatchError => new StrategicMergePatchError(500, message);
const errNoMergeKey = (m: unknown, key: string): StrategicMergePatchError =>
  internal(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
const errBadArgType = (expected: 'map' | 'slice', actual: unknown): StrategicMergePatchError =>
  internal(
    `expected a ${expected === 'map' ? 'map[string]interface {}' : '[]interface {}'}, but received a ${goTypeName(actual)}`,
  );
const errBadPatchType = (t: unknown, m: unknown): StrategicMergePatchError =>
  internal(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);

type Kind = string; // goTypeName of the list elements

/**
 * Applies a strategic merge patch (the decoded JSON body) to `original` and returns the result;
 * inputs are not modified. `meta` gives each field's patchStrategy and patchMergeKey.
 * Throws PatchDecodeError (400) when the patch is not an object, StrategicMergePatchError otherwise.
 */
export function applyStrategicMergePatch(
  original: unknown,
  patch: unknown,
  meta: PatchMetaLookup,
): JsonObject {
  if (!isJsonObject(patch)) {
    const t =
      patch === null
        ? 'null'
        : Array.isArray(patch)
          ? 'array'
          : typeof patch === 'boolean'
            ? 'bool'
            : typeof patch;
    if (patch === null) return isJsonObject(original) ? deepCopy(original) : {};
    throw new PatchDecodeError(`json: cannot unmarshal ${t} into Go value of type map[string]interface {}`);
  }
  const o = isJsonObject(original) ? deepCopy(original) : {};
  return new Merger(meta).mergeMap(o, deepCopy(patch), []);
}

/** Go's == on interface values holding decoded JSON (maps compared deeply instead of panicking). */
function goEq(a: unknown, b: unknown): boolean {
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  if (typeof a === 'object' || typeof b === 'object') return deepEqual(a, b);
  return a === b;
}

function sliceElementType(...slices: JsonValue[][]): Kind {
  let prev: Kind | undefined;
  for (const s of slices) {
    for (const v of s) {
      const cur = goTypeName(v);
      if (prev === undefined) {
        prev = cur;
        if (cur === '[]interface {}') throw errNoListOfLists();
      } else if (prev !== cur) {
        throw internal(`list element types are not identical: ${goFormat(slices)}`);
      }
    }
  }
  if (prev === undefined) throw internal('no elements in any of the given slices');
  return prev;
}

const mapKind: Kind = 'map[string]interface {}';

/** Clever-algorithm de-duplication of upstream, order effects included. */
function deduplicateScalars(s: JsonValue[]): JsonValue[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (goEq(s[i], s[j])) {
        s[j] = s[length]!;
        s = s.slice(0, length);
        length--;
        j--;
      }
    }
  }
  return s;
}

function deleteFromSlice(current: JsonValue[], toDelete: JsonValue[]): JsonValue[] {
  return current.filter((v) => !toDelete.some((d) => goEq(d, v)));
}

function mergeKeyOf(item: JsonValue, mergeKey: string): JsonValue | undefined {
  return isJsonObject(item) ? item[mergeKey] : undefined;
}

function indexIn(list: JsonValue[], val: JsonValue, mergeKey: string, kind: Kind): number {
  const key = (item: JsonValue): unknown => (kind === mapKind ? mergeKeyOf(item, mergeKey) : item);
  const want = key(val);
  return list.findIndex((v) => goEq(want, key(v)));
}

function findMapByKey(
  list: JsonValue[],
  key: string,
  value: JsonValue | undefined,
): { map: JsonObject; index: number } | undefined {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isJsonObject(v)) throw internal(`value for key ${i} is not a map.`);
    if (Object.hasOwn(v, key) && goEq(v[key], value)) return { map: v, index: i };
  }
  return undefined;
}

function validateMergeKeyInLists(mergeKey: string, ...lists: JsonValue[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isJsonObject(item)) throw errBadArgType('map', item);
      if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

function extractToDeleteItems(l: JsonValue[]): { nonDelete: JsonValue[]; toDelete: JsonValue[] } {
  const nonDelete: JsonValue[] = [];
  const toDelete: JsonValue[] = [];
  for (const v of l) {
    if (!isJsonObject(v)) throw errBadArgType('map', v);
    if (v[directiveMarker] === deleteDirective) toDelete.push(v);
    else nonDelete.push(v);
  }
  return { nonDelete, toDelete };
}

/** Go's sort.SliceStable (insertion sort) with upstream's less, which is true when either item is unknown. */
function normalizeSliceOrder(
  toSort: JsonValue[],
  order: JsonValue[],
  mergeKey: string,
  kind: Kind,
): JsonValue[] {
  let toDelete: JsonValue[] = [];
  let items = toSort;
  if (kind === mapKind) {
    validateMergeKeyInLists(mergeKey, items, order);
    const split = extractToDeleteItems(items);
    items = split.nonDelete;
    toDelete = split.toDelete;
  }
  items = [...items];
  const less = (a: JsonValue, b: JsonValue): boolean => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  for (let i = 1; i < items.length; i++) {
    for (let j = i; j > 0 && less(items[j]!, items[j - 1]!); j--) {
      const t = items[j]!;
      items[j] = items[j - 1]!;
      items[j - 1] = t;
    }
  }
  return [...items, ...toDelete];
}

function mergeSortedSlice(
  left: JsonValue[],
  right: JsonValue[],
  serverOrder: JsonValue[],
  mergeKey: string,
  kind: Kind,
): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) {
      out.push(right[j++]!);
    } else if (j >= right.length) {
      out.push(left[i++]!);
    } else {
      const li = indexIn(serverOrder, left[i]!, mergeKey, kind);
      const ri = indexIn(serverOrder, right[j]!, mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
      else out.push(right[j++]!);
    }
  }
  return out;
}

function normalizeElementOrder(
  patch: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: JsonValue[],
  serverOrder: JsonValue[],
  mergeKey: string,
  kind: Kind,
): JsonValue[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function partitionPrimitives(
  original: JsonValue[],
  by: JsonValue[],
): { patch: JsonValue[]; serverOnly: JsonValue[] } {
  const patch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of original) {
    if (by.some((b) => goEq(b, v))) patch.push(v);
    else serverOnly.push(v);
  }
  return { patch, serverOnly };
}

function partitionMaps(
  original: JsonValue[],
  by: JsonValue[],
  mergeKey: string,
): { patch: JsonValue[]; serverOnly: JsonValue[] } {
  const patch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of original) {
    if (!isJsonObject(v)) throw errBadArgType('map', v);
    if (!Object.hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    if (findMapByKey(by, mergeKey, v[mergeKey]) !== undefined) patch.push(v);
    else serverOnly.push(v);
  }
  return { patch, serverOnly };
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === deleteFromPrimitiveListPrefix) throw errBadPatchFormatForPrimitiveList();
    throw errBadPatchFormatForSetElementOrderList();
  }
  return s.slice(slash + 1);
}

function mergeKeyValueEqual(left: JsonValue, right: JsonValue, mergeKey: string): boolean {
  if (mergeKey === '') return goEq(left, right);
  if (!isJsonObject(left)) throw errBadArgType('map', left);
  if (!isJsonObject(right)) throw errBadArgType('map', right);
  if (!Object.hasOwn(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return goEq(left[mergeKey], right[mergeKey]);
}

function validatePatchWithSetOrderList(
  patchList: JsonValue[],
  setOrderList: JsonValue[],
  mergeKey: string,
): void {
  if (setOrderList.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey !== '' ? extractToDeleteItems(patchList).nonDelete : patchList;
  let pi = 0;
  let si = 0;
  while (pi < nonDelete.length && si < setOrderList.length) {
    const item = nonDelete[pi]!;
    if (isJsonObject(item) && Object.hasOwn(item, directiveMarker)) {
      pi++;
      continue;
    }
    if (mergeKeyValueEqual(item, setOrderList[si]!, mergeKey)) pi++;
    si++;
  }
  if (pi < nonDelete.length && si >= setOrderList.length) {
    throw internal(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goFormat(setOrderList)}\n`,
    );
  }
}

class Merger {
  readonly #meta: PatchMetaLookup;

  constructor(meta: PatchMetaLookup) {
    this.#meta = meta;
  }

  #fieldMeta(path: readonly string[]): { strategy: string; mergeKey: string } {
    const m = this.#meta.at(path);
    return { strategy: patchStrategyOf(m).strategy, mergeKey: m?.patchMergeKey ?? '' };
  }

  mergeMap(original: JsonObject, patch: JsonObject, path: readonly string[]): JsonObject {
    if (Object.hasOwn(patch, directiveMarker))
      return this.#directiveInMap(patch[directiveMarker], patch, path);
    this.#applyRetainKeys(original, patch);
    this.#mergeSetElementOrder(original, patch, path);
    for (const key of Object.keys(patch)) {
      const patchV = patch[key]!;
      let k = key;
      let isDeleteList = false;
      if (key.startsWith(deleteFromPrimitiveListPrefix)) {
        k = extractKey(key, deleteFromPrimitiveListPrefix);
        isDeleteList = true;
      }
      if (patchV === null) {
        delete original[k];
        continue;
      }
      const fieldPath = [...path, k];
      if (!Object.hasOwn(original, k)) {
        if (!isDeleteList) original[k] = this.#clean(patchV, fieldPath);
        continue;
      }
      const origV = original[k]!;
      const origType = goTypeName(origV);
      if (origType !== goTypeName(patchV) && !(typeof origV === 'number' && typeof patchV === 'number')) {
        original[k] = this.#clean(patchV, fieldPath);
        continue;
      }
      const { strategy, mergeKey } = this.#fieldMeta(fieldPath);
      if (isJsonObject(origV) && isJsonObject(patchV)) {
        original[k] = strategy !== replaceDirective ? this.mergeMap(origV, patchV, fieldPath) : patchV;
      } else if (Array.isArray(origV) && Array.isArray(patchV)) {
        original[k] =
          strategy === mergeDirective
            ? this.#mergeSlice(origV, patchV, fieldPath, mergeKey, isDeleteList)
            : patchV;
      } else {
        original[k] = patchV;
      }
    }
    return original;
  }

  #directiveInMap(directive: JsonValue | undefined, patch: JsonObject, path: readonly string[]): JsonObject {
    if (directive === replaceDirective) {
      const rest = { ...patch };
      delete rest[directiveMarker];
      return this.mergeMap({}, rest, path);
    }
    if (directive === deleteDirective) return {};
    throw errBadPatchType(directive, patch);
  }

  #applyRetainKeys(original: JsonObject, patch: JsonObject): void {
    if (!Object.hasOwn(patch, retainKeysDirective)) return;
    const retain = patch[retainKeysDirective];
    delete patch[retainKeysDirective];
    if (!Array.isArray(retain)) throw errBadPatchFormatForRetainKeys();
    const keep = (k: string): boolean => retain.some((r) => goEq(r, k));
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix))
        continue;
      if (!keep(k)) throw errBadPatchFormatForRetainKeys();
    }
    for (const k of Object.keys(original)) if (!keep(k)) delete original[k];
  }

  #mergeSetElementOrder(original: JsonObject, patch: JsonObject, path: readonly string[]): void {
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(setElementOrderPrefix)) continue;
      const setOrder = patch[key];
      delete patch[key];
      if (!Array.isArray(setOrder)) throw errBadArgType('slice', setOrder);
      const originalKey = extractKey(key, setElementOrderPrefix);
      const foundOriginal = Object.hasOwn(original, originalKey);
      const foundPatch = Object.hasOwn(patch, originalKey);
      const origRaw = original[originalKey];
      const patchRaw = patch[originalKey];
      if (foundOriginal && !Array.isArray(origRaw)) throw errBadArgType('slice', origRaw);
      if (foundPatch && !Array.isArray(patchRaw)) throw errBadArgType('slice', patchRaw);
      const origList = foundOriginal ? (origRaw as JsonValue[]) : [];
      const patchList = foundPatch ? (patchRaw as JsonValue[]) : [];
      const fieldPath = [...path, originalKey];
      const { strategy, mergeKey } = this.#fieldMeta(fieldPath);
      validatePatchWithSetOrderList(patchList, setOrder, mergeKey);
      let merged: JsonValue[];
      if (foundOriginal && !foundPatch) merged = origList;
      else if (!foundOriginal && foundPatch) merged = this.#cleanList(patchList, fieldPath);
      else if (foundOriginal && foundPatch) {
        merged =
          strategy === mergeDirective
            ? this.#mergeSlice(origList, patchList, fieldPath, mergeKey, false)
            : patchList;
      } else continue;
      const parts =
        mergeKey === '' ? partitionPrimitives(merged, setOrder) : partitionMaps(merged, setOrder, mergeKey);
      const kind = sliceElementType(origList, patchList);
      original[originalKey] = normalizeElementOrder(
        parts.patch,
        parts.serverOnly,
        setOrder,
        origList,
        mergeKey,
        kind,
      );
      delete patch[originalKey];
    }
  }

  #mergeSlice(
    original: JsonValue[],
    patch: JsonValue[],
    path: readonly string[],
    mergeKey: string,
    isDeleteList: boolean,
  ): JsonValue[] {
    if (original.length === 0 && patch.length === 0) return original;
    const kind = sliceElementType(original, patch);
    let merged: JsonValue[];
    if (kind !== mapKind) {
      if (isDeleteList) return deleteFromSlice(original, patch);
      merged = deduplicateScalars([...original, ...patch]);
    } else {
      if (mergeKey === '') throw internal('cannot merge lists without merge key for type struct');
      const special = this.#withSpecialElements(original, patch, mergeKey, path);
      original = special.original;
      patch = special.patch;
      merged = this.#withoutSpecialElements([...original], patch, mergeKey, path);
    }
    const parts =
      mergeKey === '' ? partitionPrimitives(merged, patch) : partitionMaps(merged, patch, mergeKey);
    return normalizeElementOrder(parts.patch, parts.serverOnly, patch, original, mergeKey, kind);
  }

  #withSpecialElements(
    original: JsonValue[],
    patch: JsonValue[],
    mergeKey: string,
    path: readonly string[],
  ): { original: JsonValue[]; patch: JsonValue[] } {
    const plain: JsonValue[] = [];
    let replace = false;
    let orig = original;
    for (const v of patch) {
      const item = v as JsonObject;
      if (!Object.hasOwn(item, directiveMarker)) {
        plain.push(v);
        continue;
      }
      const directive = item[directiveMarker];
      if (directive === deleteDirective) {
        if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
        // deleteMatchingEntries: every entry with this key goes, duplicates included.
        for (
          let f = findMapByKey(orig, mergeKey, item[mergeKey]);
          f !== undefined;
          f = findMapByKey(orig, mergeKey, item[mergeKey])
        ) {
          orig = [...orig.slice(0, f.index), ...orig.slice(f.index + 1)];
        }
      } else if (directive === replaceDirective) {
        replace = true;
      } else if (directive === mergeDirective) {
        throw internal('merging lists cannot yet be specified in the patch');
      } else {
        throw errBadPatchType(directive, item);
      }
    }
    if (replace) return { original: plain.map((p) => this.#clean(p, path)), patch: [] };
    return { original: orig, patch: plain };
  }

  #withoutSpecialElements(
    original: JsonValue[],
    patch: JsonValue[],
    mergeKey: string,
    path: readonly string[],
  ): JsonValue[] {
    for (const v of patch) {
      const item = v as JsonObject;
      if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      const found = findMapByKey(original, mergeKey, item[mergeKey]);
      if (found !== undefined) original[found.index] = this.mergeMap(found.map, item, path);
      else original.push(this.mergeMap({}, item, path));
    }
    return original;
  }

  /** A patch value placed where the original had nothing: nulls dropped, directives applied. */
  #clean(v: JsonValue, path: readonly string[]): JsonValue {
    if (isJsonObject(v)) return this.mergeMap({}, v, path);
    if (Array.isArray(v)) return this.#cleanList(v, path);
    return v;
  }

  #cleanList(list: JsonValue[], path: readonly string[]): JsonValue[] {
    const { strategy, mergeKey } = this.#fieldMeta(path);
    if (strategy !== mergeDirective || mergeKey === '') return list;
    if (list.some((i) => isJsonObject(i) && i[directiveMarker] === replaceDirective)) {
      return list.filter((i) => !(isJsonObject(i) && Object.hasOwn(i, directiveMarker)));
    }
    return list
      .filter((i) => !(isJsonObject(i) && Object.hasOwn(i, directiveMarker)))
      .map((i) => (isJsonObject(i) ? this.mergeMap({}, i, path) : i));
  }
}
