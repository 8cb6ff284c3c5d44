// How a field is patched and tracked: the struct tags of the Go types (patchStrategy, patchMergeKey) for
// strategic merge patch, and the OpenAPI list/map types (x-kubernetes-list-type, -list-map-keys,
// -map-type) for server-side apply. Lookups go by the field names from the object root, list items
// being transparent: a container's image is ['spec','containers','image'].

/** What the schema says about one field. */
export interface PatchMeta {
  /** `merge`, `replace`, `retainKeys` or a comma list such as `merge,retainKeys` (struct tag patchStrategy). */
  readonly patchStrategy?: string | undefined;
  /** Struct tag patchMergeKey: the key of merged lists of objects (`name`, `type`, `uid`). */
  readonly patchMergeKey?: string | undefined;
  /** x-kubernetes-list-type: `atomic`, `set` or `map`. */
  readonly listType?: string | undefined;
  /** x-kubernetes-list-map-keys, for listType `map`. */
  readonly listMapKeys?: readonly string[] | undefined;
  /** x-kubernetes-map-type: `atomic` makes an object one owned value in server-side apply. */
  readonly mapType?: string | undefined;
}

export interface PatchMetaLookup {
  /** The metadata of the field at `path` (field names from the root), or undefined when it has none. */
  at(path: readonly string[]): PatchMeta | undefined;
}

/** Adapts a plain function (for example the OpenAPI helper's `patchMetaAt` bound to a kind). */
export function patchMetaFromFunction(
  fn: (path: readonly string[]) => PatchMeta | undefined,
): PatchMetaLookup {
  return { at: fn };
}

/** A lookup that knows nothing: maps merge, lists are replaced (merge-patch-like behaviour). */
export const noPatchMeta: PatchMetaLookup = { at: () => undefined };

/** Splits `merge,retainKeys` into the list strategy and the retainKeys flag (extractRetainKeysPatchStrategy). */
export function patchStrategyOf(meta: PatchMeta | undefined): { strategy: string; retainKeys: boolean } {
  const parts = (meta?.patchStrategy ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const retainKeys = parts.includes('retainKeys');
  const rest = parts.filter((p) => p !== 'retainKeys');
  return { strategy: rest[0] ?? '', retainKeys };
}

/** How server-side apply treats a list: by keys, as a set of values, or as one atomic value. */
export type ListKind = { kind: 'map'; keys: readonly string[] } | { kind: 'set' } | { kind: 'atomic' };

/**
 * The list kind structured-merge-diff derives for a field: an explicit x-kubernetes-list-type wins;
 * otherwise patchStrategy merge gives a map keyed by patchMergeKey (or a set of scalars); all other
 * lists are atomic.
 */
export function listKindOf(meta: PatchMeta | undefined): ListKind {
  if (meta?.listType === 'atomic') return { kind: 'atomic' };
  if (meta?.listType === 'set') return { kind: 'set' };
  if (meta?.listType === 'map') {
    const keys = meta.listMapKeys ?? (meta.patchMergeKey !== undefined ? [meta.patchMergeKey] : []);
    return keys.length > 0 ? { kind: 'map', keys } : { kind: 'atomic' };
  }
  if (patchStrategyOf(meta).strategy === 'merge') {
    return meta?.patchMergeKey !== undefined && meta.patchMergeKey !== ''
      ? { kind: 'map', keys: [meta.patchMergeKey] }
      : { kind: 'set' };
  }
  return { kind: 'atomic' };
}
