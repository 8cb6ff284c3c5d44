// Field ownership (metadata.managedFields) and server-side apply, after kube-apiserver's fieldmanager
// (k8s.io/apimachinery/pkg/util/managedfields) and structured-merge-diff's merge.Updater:
// - every write records, for the writing manager, the fields it changed (Update entries keyed by
//   manager, apiVersion and subresource), taking them from other managers;
// - an apply merges the applied configuration into the live object, owns exactly the fields it names
//   (Apply entries keyed by manager and subresource), removes the fields it applied before and no
//   longer applies unless someone else owns them, and refuses with a conflict to change a field another
//   manager owns, unless forced (then the field changes hands). Equal values are shared ownership.
// Lists follow the schema (meta.ts listKindOf): keyed by `k:{...}`, sets by `v:...`, atomic as a whole.
// Pure functions: the clock's time comes in as `now`.
import type { ManagedFieldsEntry } from '../../api/index.ts';
import { formatTime } from '../../api/index.ts';
import { ApplyBadRequestError, type ApplyConflict, ApplyConflictError } from './errors.ts';
import { comparePathElements, FieldSet, type FieldSetPath, pathToString } from './fieldset.ts';
import { deepCopy, deepEqual, isJsonObject, type JsonObject, type JsonValue } from './json.ts';
import { type ListKind, listKindOf, type PatchMetaLookup } from './meta.ts';

/** Fields never recorded in managedFields (upstream's stripMetaManager). */
const stripSet = FieldSet.of([
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ['f:metadata', 'f:name'],
  ['f:metadata', 'f:namespace'],
  ['f:metadata', 'f:creationTimestamp'],
  ['f:metadata', 'f:selfLink'],
  ['f:metadata', 'f:uid'],
  ['f:metadata', 'f:clusterName'],
  ['f:metadata', 'f:generation'],
  ['f:metadata', 'f:managedFields'],
  ['f:metadata', 'f:resourceVersion'],
]);

/** Upstream's DefaultMaxUpdateManagers and the bucket name for older updates. */
export const maxUpdateManagers = 10;
export const ancientChangesManager = 'ancient-changes';
/** The manager that owns what an object had before its first apply. */
export const beforeFirstApplyManager = 'before-first-apply';
const fieldManagerMaxLength = 128;

/** Options shared by apply and update bookkeeping. */
export interface ManagedFieldsOptions {
  /** `status` when the write goes through the status subresource. */
  subresource?: string | undefined;
  /**
   * Fields the endpoint resets and nobody may own through it (the strategy's GetResetFields), as
   * field-name paths: `[['status']]` for a main resource, `[['spec'], ['metadata']]`-like for status.
   */
  ignoredFields?: readonly (readonly string[])[] | undefined;
}

interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource: string;
  time: string | undefined;
  set: FieldSet;
}

function identity(m: {
  manager: string;
  operation: string;
  apiVersion: string;
  subresource: string;
}): string {
  // BuildManagerIdentifier: appliers are one manager whatever the version they applied with.
  const id: Record<string, string> = { manager: m.manager, operation: m.operation };
  if (m.operation !== 'Apply' && m.apiVersion !== '') id['apiVersion'] = m.apiVersion;
  if (m.subresource !== '') id['subresource'] = m.subresource;
  return JSON.stringify(id);
}

/** printManager: `"kubectl-client-side-apply" using v1`, `"m" with subresource "status"`. */
function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource !== '') s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

function decodeManagers(entries: readonly ManagedFieldsEntry[] | undefined): Manager[] {
  const out = new Map<string, Manager>();
  for (const e of entries ?? []) {
    const m: Manager = {
      manager: e.manager ?? '',
      operation: e.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: e.apiVersion ?? '',
      subresource: e.subresource ?? '',
      time: e.time,
      set: FieldSet.fromFieldsV1(e.fieldsV1 ?? {}),
    };
    const id = identity(m);
    const prev = out.get(id);
    if (prev === undefined) out.set(id, m);
    else prev.set = prev.set.union(m.set);
  }
  return [...out.values()];
}

function seconds(t: string | undefined): number {
  if (t === undefined) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Drops empty sets, strips meta fields, sorts as upstream's sortEncodedManagedFields, and encodes. */
function encodeManagers(managers: readonly Manager[]): ManagedFieldsEntry[] {
  const kept = managers
    .map((m) => ({ ...m, set: m.set.difference(stripSet) }))
    .filter((m) => !m.set.isEmpty());
  kept.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const ps = seconds(p.time);
    const qs = seconds(q.time);
    if (ps !== qs) return ps - qs;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    return p.subresource < q.subresource ? -1 : p.subresource > q.subresource ? 1 : 0;
  });
  return kept.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time !== undefined) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource !== '') e.subresource = m.subresource;
    return e;
  });
}

/** capManagersManager: beyond 10 Update entries the oldest merge into `ancient-changes` per version. */
function capUpdateManagers(managers: Manager[]): Manager[] {
  const updaters = managers.filter((m) => m.operation === 'Update');
  if (updaters.length <= maxUpdateManagers) return managers;
  updaters.sort((a, b) => {
    const d = seconds(a.time) - seconds(b.time);
    if (d !== 0) return d;
    const ia = identity(a);
    const ib = identity(b);
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  const removed = new Set<Manager>();
  const firstOfVersion = new Map<string, Manager>();
  const buckets = new Map<string, Manager>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > maxUpdateManagers; i++) {
    const m = updaters[i]!;
    const first = firstOfVersion.get(m.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(m.apiVersion, m);
      continue;
    }
    let bucket = buckets.get(m.apiVersion);
    if (bucket === undefined) {
      bucket = {
        manager: ancientChangesManager,
        operation: 'Update',
        apiVersion: m.apiVersion,
        subresource: '',
        time: first.time,
        set: first.set,
      };
      buckets.set(m.apiVersion, bucket);
      removed.add(first);
    }
    bucket.set = m.set.union(bucket.set);
    bucket.time = m.time;
    removed.add(m);
    length--;
  }
  const existing = managers.filter((m) => !removed.has(m));
  for (const b of buckets.values()) {
    const same = existing.find((m) => identity(m) === identity(b));
    if (same !== undefined) {
      same.set = same.set.union(b.set);
      same.time = b.time;
    } else existing.push(b);
  }
  return existing;
}

function ignoredSet(opts: ManagedFieldsOptions): FieldSet {
  return FieldSet.of((opts.ignoredFields ?? []).map((p) => p.map((n) => `f:${n}`)));
}

/** A copy without metadata.managedFields (the fieldmanager works on objects without them). */
function withoutManagedFields(obj: unknown): JsonObject {
  const o = isJsonObject(obj) ? deepCopy(obj) : {};
  const meta = o['metadata'];
  if (isJsonObject(meta)) delete meta['managedFields'];
  return o;
}

/**
 * A read-only view of `obj` without metadata.managedFields: only the top level and metadata are copied,
 * everything else is shared with `obj`, so the caller must not change it (the compare walks only read).
 */
function viewWithoutManagedFields(obj: unknown): JsonObject {
  if (!isJsonObject(obj)) return {};
  const meta = obj['metadata'];
  if (!isJsonObject(meta) || !Object.hasOwn(meta, 'managedFields')) return obj;
  const { managedFields: _mf, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/**
 * What an object "was" before its creation: the zero value of its type, approximated as empty
 * metadata, spec and status (non-pointer structs in Go), so that creating them does not record them.
 */
function zeroObjectLike(obj: JsonObject): JsonObject {
  const z: JsonObject = { metadata: {} };
  for (const k of ['spec', 'status']) if (isJsonObject(obj[k])) z[k] = {};
  return z;
}

// ---- walking objects with the schema ----

function itemElement(kind: ListKind, item: JsonValue, index: number): string {
  if (kind.kind === 'set') return `v:${JSON.stringify(item)}`;
  if (kind.kind === 'map' && isJsonObject(item)) {
    const key: Record<string, JsonValue> = {};
    for (const k of [...kind.keys].sort()) if (Object.hasOwn(item, k)) key[k] = item[k]!;
    if (Object.keys(key).length > 0) return `k:${JSON.stringify(key)}`;
  }
  return `i:${index}`;
}

class Walker {
  readonly #meta: PatchMetaLookup;

  constructor(meta: PatchMetaLookup) {
    this.#meta = meta;
  }

  #isAtomicMap(names: readonly string[]): boolean {
    return names.length > 0 && this.#meta.at(names)?.mapType === 'atomic';
  }

  #listKind(names: readonly string[]): ListKind {
    return listKindOf(this.#meta.at(names));
  }

  #items(list: JsonValue[], kind: ListKind): Map<string, JsonValue> {
    const m = new Map<string, JsonValue>();
    list.forEach((item, i) => {
      m.set(itemElement(kind, item, i), item);
    });
    return m;
  }

  /** typed.ToFieldSet: leaves, list items, atomic values, empty maps and nulls. */
  toFieldSet(obj: JsonValue): FieldSet {
    const set = new FieldSet();
    const walk = (v: JsonValue, names: readonly string[], path: FieldSetPath): void => {
      if (isJsonObject(v)) {
        if (this.#isAtomicMap(names)) {
          set.insert(path);
          return;
        }
        for (const [k, child] of Object.entries(v)) {
          const childPath = [...path, `f:${k}`];
          walk(child, [...names, k], childPath);
          if (child === null || (isJsonObject(child) && Object.keys(child).length === 0))
            set.insert(childPath);
        }
        return;
      }
      if (Array.isArray(v)) {
        const kind = this.#listKind(names);
        if (kind.kind === 'atomic') {
          set.insert(path);
          return;
        }
        v.forEach((item, i) => {
          const itemPath = [...path, itemElement(kind, item, i)];
          walk(item, names, itemPath);
          set.insert(itemPath);
        });
        return;
      }
      set.insert(path);
    };
    walk(obj, [], []);
    return set;
  }

  /** Every node of a value that appears or disappears, containers included (typed.Compare). */
  #markAll(v: JsonValue, names: readonly string[], path: FieldSetPath, into: FieldSet): void {
    into.insert(path);
    if (isJsonObject(v) && !this.#isAtomicMap(names)) {
      for (const [k, child] of Object.entries(v))
        this.#markAll(child, [...names, k], [...path, `f:${k}`], into);
    } else if (Array.isArray(v)) {
      const kind = this.#listKind(names);
      if (kind.kind === 'atomic') return;
      for (const [pe, item] of this.#items(v, kind)) this.#markAll(item, names, [...path, pe], into);
    }
  }

  compare(lhs: JsonValue, rhs: JsonValue): { added: FieldSet; modified: FieldSet; removed: FieldSet } {
    const out = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
    const walk = (
      l: JsonValue | undefined,
      r: JsonValue | undefined,
      names: readonly string[],
      path: FieldSetPath,
    ) => {
      if (l === undefined && r === undefined) return;
      if (l === undefined) {
        this.#markAll(r!, names, path, out.added);
        return;
      }
      if (r === undefined) {
        this.#markAll(l, names, path, out.removed);
        return;
      }
      // Equal values hold no change at any depth: skip the walk (most of an object is unchanged).
      if (deepEqual(l, r)) return;
      if (isJsonObject(l) && isJsonObject(r) && !this.#isAtomicMap(names)) {
        const keys = new Set([...Object.keys(l), ...Object.keys(r)]);
        for (const k of keys) walk(l[k], r[k], [...names, k], [...path, `f:${k}`]);
        return;
      }
      if (Array.isArray(l) && Array.isArray(r)) {
        const kind = this.#listKind(names);
        if (kind.kind !== 'atomic') {
          const li = this.#items(l, kind);
          const ri = this.#items(r, kind);
          for (const pe of new Set([...li.keys(), ...ri.keys()]))
            walk(li.get(pe), ri.get(pe), names, [...path, pe]);
          return;
        }
      }
      if (!deepEqual(l, r)) out.modified.insert(path);
    };
    walk(lhs, rhs, [], []);
    return out;
  }

  /** typed.Merge: the applied configuration over the live object. */
  merge(
    lhs: JsonValue | undefined,
    rhs: JsonValue | undefined,
    names: readonly string[],
  ): JsonValue | undefined {
    if (rhs === undefined) return lhs;
    if (lhs === undefined || lhs === null) return deepCopy(rhs);
    if (isJsonObject(lhs) && isJsonObject(rhs) && !this.#isAtomicMap(names)) {
      const out: JsonObject = { ...lhs };
      for (const [k, v] of Object.entries(rhs)) {
        const merged = this.merge(lhs[k], v, [...names, k]);
        if (merged === undefined || merged === null) delete out[k];
        else out[k] = merged;
      }
      return out;
    }
    if (Array.isArray(lhs) && Array.isArray(rhs)) {
      const kind = this.#listKind(names);
      if (kind.kind !== 'atomic') return this.#mergeList(lhs, rhs, kind, names);
    }
    return deepCopy(rhs);
  }

  /**
   * structured-merge-diff's visitListItems: items both sides have come in the config's order, live-only
   * items keep their place among them, config-only items come where the config puts them.
   */
  #mergeList(lhs: JsonValue[], rhs: JsonValue[], kind: ListKind, names: readonly string[]): JsonValue[] {
    const index = (list: JsonValue[]): { order: string[]; byPe: Map<string, JsonValue> } => {
      const order: string[] = [];
      const byPe = new Map<string, JsonValue>();
      list.forEach((item, i) => {
        const pe = itemElement(kind, item, i);
        if (byPe.has(pe)) return; // duplicates: upstream reports an error and skips them
        byPe.set(pe, item);
        order.push(pe);
      });
      return { order, byPe };
    };
    const l = index(lhs);
    const r = index(rhs);
    const shared = r.order.filter((pe) => l.byPe.has(pe));
    let nextShared = shared.shift();
    const out: JsonValue[] = [];
    const item = (pe: string, withRhs: boolean): void => {
      const lv = l.byPe.get(pe);
      const rv = withRhs ? r.byPe.get(pe) : undefined;
      const merged = kind.kind === 'set' ? (rv ?? lv) : this.merge(lv, rv, names);
      if (merged !== undefined) out.push(merged);
    };
    let li = 0;
    let ri = 0;
    while (li < l.order.length || ri < r.order.length) {
      if (li < l.order.length && ri < r.order.length) {
        const pe = l.order[li]!;
        if (pe === r.order[ri]) {
          item(pe, true);
          li++;
          ri++;
          nextShared = shared.shift();
          continue;
        }
        if (r.byPe.has(pe) && nextShared !== undefined && nextShared !== pe) {
          li++;
          continue;
        }
      }
      if (li < l.order.length) {
        const pe = l.order[li]!;
        if (!r.byPe.has(pe)) {
          item(pe, false);
          li++;
          continue;
        }
      }
      if (ri < r.order.length) {
        const pe = r.order[ri]!;
        item(pe, true);
        ri++;
        if (nextShared === pe) nextShared = shared.shift();
      } else {
        li++; // a shared item already emitted from the config side
      }
    }
    return out;
  }

  /**
   * Removes the subtree at `path` from `obj` in place; containers left empty by the removal go too,
   * unless `keep` owns them. Returns true when something was removed.
   */
  removePath(obj: JsonObject, path: FieldSetPath, keep: FieldSet): boolean {
    const walk = (v: JsonValue, names: readonly string[], i: number, prefix: FieldSetPath): boolean => {
      const pe = path[i]!;
      const last = i === path.length - 1;
      let removed = false;
      if (isJsonObject(v) && pe.startsWith('f:')) {
        const k = pe.slice(2);
        if (!Object.hasOwn(v, k)) return false;
        if (last) {
          delete v[k];
          return true;
        }
        const child = v[k]!;
        removed = walk(child, [...names, k], i + 1, [...prefix, pe]);
        if (removed && isEmptyContainer(child) && !keep.has([...prefix, pe])) delete v[k];
        return removed;
      }
      if (Array.isArray(v)) {
        const kind = this.#listKind(names);
        const idx = v.findIndex((item, j) => itemElement(kind, item, j) === pe);
        if (idx < 0) return false;
        if (last) {
          v.splice(idx, 1);
          return true;
        }
        return walk(v[idx]!, names, i + 1, [...prefix, pe]);
      }
      return false;
    };
    return path.length > 0 && walk(obj, [], 0, []);
  }
}

function isEmptyContainer(v: JsonValue): boolean {
  return (isJsonObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
}

/**
 * The FieldsV1 JSON of every field `obj` sets (what an apply of `obj` owns), without the fields
 * upstream never records (apiVersion, kind, metadata.name, resourceVersion, ...).
 */
export function fieldsetFromObject(obj: unknown, meta: PatchMetaLookup): Record<string, unknown> {
  return new Walker(meta).toFieldSet(viewWithoutManagedFields(obj)).difference(stripSet).toFieldsV1();
}

/** The manager name of a write: the fieldManager parameter, else the user agent up to its first `/`. */
export function managerOrUserAgent(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager !== undefined && fieldManager !== '') return fieldManager;
  let out = '';
  for (const ch of (userAgent ?? '').split('/')[0] ?? '') {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > fieldManagerMaxLength) break;
    out += ch;
  }
  return out;
}

function timeText(now: number | string): string {
  return typeof now === 'number' ? formatTime(now) : now;
}

/** Input of updateManagedFields. */
export interface UpdateManagedFieldsInput extends ManagedFieldsOptions {
  /** The object before the write; undefined on create. */
  old: unknown;
  /** The object the write stores. */
  next: unknown;
  /** The field manager (managerOrUserAgent of the request). */
  manager: string;
  operation: 'Update';
  /** The endpoint's group/version (`v1`, `storage.k8s.io/v1`). */
  apiVersion: string;
  /** The write's time: milliseconds since the epoch, or an RFC 3339 timestamp. */
  now: number | string;
  meta: PatchMetaLookup;
}

/**
 * Managed fields after an ordinary write (create, update, merge/JSON/strategic patch) by `manager`.
 * The fields this write added or changed become the manager's (its Update entry for this apiVersion
 * and subresource, with time `now`) and leave every other entry; removed fields leave every entry;
 * empty entries disappear; more than ten Update entries fold into `ancient-changes`. The entries come
 * from `next` when it carries some (a client editing managedFields; `[{}]` clears them) and the write
 * is not to a subresource, else from `old`. A write that changes nothing leaves them as they were.
 */
export function updateManagedFields(input: UpdateManagedFieldsInput): ManagedFieldsEntry[] {
  const { old, next, manager, apiVersion, now } = input;
  const w = new Walker(input.meta);
  const sub = input.subresource ?? '';
  const nextEntries = managedFieldsOf(next);
  const useNext = Array.isArray(nextEntries) && nextEntries.length > 0 && sub === '';
  let managers = decodeManagers(
    (useNext ? nextEntries : managedFieldsOf(old)) as ManagedFieldsEntry[] | undefined,
  );
  const newObj = viewWithoutManagedFields(next);
  const oldObj = old === undefined ? zeroObjectLike(newObj) : viewWithoutManagedFields(old);
  const ignored = ignoredSet(input);
  const cmp = w.compare(oldObj, newObj);
  const changed = cmp.added.union(cmp.modified).recursiveDifference(ignored);
  const removed = cmp.removed.recursiveDifference(ignored);
  for (const m of managers) m.set = m.set.difference(changed).difference(removed);
  const own = changed.difference(stripSet);
  if (!own.isEmpty()) {
    const me: Manager = {
      manager,
      operation: 'Update',
      apiVersion,
      subresource: sub,
      time: timeText(now),
      set: own,
    };
    const prev = managers.find((m) => identity(m) === identity(me));
    if (prev !== undefined) {
      prev.set = prev.set.union(own);
      prev.time = me.time;
    } else managers.push(me);
  }
  managers = capUpdateManagers(managers.filter((m) => !m.set.difference(stripSet).isEmpty()));
  return encodeManagers(managers);
}

function managedFieldsOf(obj: unknown): unknown {
  if (!isJsonObject(obj)) return undefined;
  const meta = obj['metadata'];
  return isJsonObject(meta) ? meta['managedFields'] : undefined;
}

/** The outcome of a server-side apply. */
export interface ApplyResult {
  /** The object to store: live merged with the applied configuration, managedFields set. */
  object: JsonObject;
  /** The object's new managedFields (also set on `object`). */
  managedFields: ManagedFieldsEntry[];
  /** False when the apply changed nothing but ownership (the object equals the live one). */
  changed: boolean;
}

/** Input of serverSideApply. */
export interface ApplyInput extends ManagedFieldsOptions {
  /** The stored object; undefined when the apply creates it. */
  live: unknown;
  /** The decoded apply body. */
  applied: unknown;
  /** The fieldManager parameter (required by upstream for apply). */
  manager: string;
  /** The force parameter: take conflicting fields instead of failing. */
  force: boolean;
  /** The live object's managedFields; defaults to those on `live`. */
  managedFields?: readonly ManagedFieldsEntry[] | undefined;
  /** The endpoint's group/version (`v1`, `storage.k8s.io/v1`); an applied apiVersion that differs is a 400. */
  apiVersion?: string | undefined;
  meta: PatchMetaLookup;
  /** The write's time: milliseconds since the epoch, or an RFC 3339 timestamp. */
  now: number | string;
}

/**
 * Server-side apply of `applied` by `manager` onto `live`.
 * Throws ApplyConflictError (409) when fields owned by others would change and `force` is false,
 * ApplyBadRequestError (400) for a body carrying managedFields or a different apiVersion.
 */
export function serverSideApply(input: ApplyInput): ApplyResult {
  const { live, applied, manager, force, meta, now } = input;
  const opts = input;
  if (!isJsonObject(applied)) {
    throw new ApplyBadRequestError('error decoding YAML: the applied configuration is not an object');
  }
  const appliedMeta = applied['metadata'];
  if (
    isJsonObject(appliedMeta) &&
    appliedMeta['managedFields'] !== undefined &&
    appliedMeta['managedFields'] !== null
  ) {
    throw new ApplyBadRequestError('metadata.managedFields must be nil');
  }
  const appliedVersion = typeof applied['apiVersion'] === 'string' ? applied['apiVersion'] : '';
  if (opts.apiVersion !== undefined && appliedVersion !== opts.apiVersion) {
    throw new ApplyBadRequestError(
      `Incorrect version specified in apply patch. Specified patch version: ${appliedVersion}, expected: ${opts.apiVersion}`,
    );
  }
  const w = new Walker(meta);
  const sub = opts.subresource ?? '';
  const time = timeText(now);
  const ignored = ignoredSet(opts);
  const liveObj = live === undefined ? undefined : withoutManagedFields(live);
  const base = liveObj ?? {};
  const liveEntries = input.managedFields ?? (managedFieldsOf(live) as ManagedFieldsEntry[] | undefined);
  let managers = decodeManagers(liveEntries);

  if (liveObj !== undefined && managers.length === 0) {
    // skipNonAppliedManager: what the object had before its first apply belongs to before-first-apply.
    const cmp = w.compare(zeroObjectLike(liveObj), liveObj);
    const set = cmp.added.union(cmp.modified).recursiveDifference(ignored).difference(stripSet);
    if (!set.isEmpty()) {
      managers.push({
        manager: beforeFirstApplyManager,
        operation: 'Update',
        apiVersion: appliedVersion,
        subresource: '',
        time,
        set,
      });
    }
  }

  const config = withoutManagedFields(applied);
  const configSet = w.toFieldSet(config).recursiveDifference(ignored).difference(stripSet);
  const me: Manager = {
    manager,
    operation: 'Apply',
    apiVersion: appliedVersion,
    subresource: sub,
    time,
    set: configSet,
  };
  const myId = identity(me);
  const previous = managers.find((m) => identity(m) === myId);
  const others = managers.filter((m) => m !== previous);
  const othersUnion = others.reduce((acc, m) => acc.union(m.set), new FieldSet());

  const merged = (w.merge(base, config, []) ?? {}) as JsonObject;
  if (previous !== undefined) {
    // Prune what this manager applied before and no longer applies, unless someone else owns it.
    const lastSet = previous.set.recursiveDifference(ignored);
    const keep = configSet.union(othersUnion);
    for (const p of w.toFieldSet(merged).paths()) {
      if (lastSet.has(p) && !keep.has(p)) w.removePath(merged, p, keep);
    }
  }

  const cmp = w.compare(base, merged);
  const changedSet = cmp.added.union(cmp.modified).recursiveDifference(ignored);
  const removedSet = cmp.removed.recursiveDifference(ignored);
  let conflicts: { m: Manager; set: FieldSet }[] = [];
  for (const m of others) {
    const c = m.set.intersection(changedSet);
    if (!c.isEmpty()) conflicts.push({ m, set: c });
  }
  if (conflicts.length > 0 && !force && manager.startsWith('kubectl') && liveObj !== undefined) {
    // lastAppliedManager: upgrading from client-side apply, kubectl may take the fields whose
    // last-applied value is still the live value.
    const allowed = allowedFromLastApplied(w, liveObj);
    conflicts = conflicts
      .map((c) => ({ m: c.m, set: c.set.difference(allowed) }))
      .filter((c) => !c.set.isEmpty());
  }
  if (conflicts.length > 0 && !force) {
    conflicts.sort((a, b) => (identity(a.m) < identity(b.m) ? -1 : identity(a.m) > identity(b.m) ? 1 : 0));
    const list: ApplyConflict[] = [];
    for (const c of conflicts) {
      for (const p of c.set.paths()) {
        list.push({ manager: c.m.manager, managerText: printManager(c.m), field: pathToString(p) });
      }
    }
    throw new ApplyConflictError(list);
  }
  for (const m of others) m.set = m.set.difference(changedSet).difference(removedSet);

  if (manager === 'kubectl') syncLastApplied(merged, config);
  const objectChanged = liveObj === undefined || !deepEqual(liveObj, merged);
  me.time = objectChanged || previous?.time === undefined ? time : previous.time;
  managers = [...others, me];
  managers = capUpdateManagers(managers.filter((m) => !m.set.difference(stripSet).isEmpty()));
  const managedFieldsOut = encodeManagers(managers);
  const object = merged;
  const objMeta = isJsonObject(object['metadata']) ? object['metadata'] : {};
  if (managedFieldsOut.length > 0) objMeta['managedFields'] = managedFieldsOut as unknown as JsonValue;
  else delete objMeta['managedFields'];
  object['metadata'] = objMeta;
  return { object, managedFields: managedFieldsOut, changed: objectChanged };
}

/** kubectl's client-side apply annotation. */
export const lastAppliedConfigAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

function lastAppliedOf(obj: JsonObject): string | undefined {
  const meta = obj['metadata'];
  const ann = isJsonObject(meta) ? meta['annotations'] : undefined;
  const v = isJsonObject(ann) ? ann[lastAppliedConfigAnnotation] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Fields of the last-applied configuration whose value is still the live one. */
function allowedFromLastApplied(w: Walker, live: JsonObject): FieldSet {
  const text = lastAppliedOf(live);
  if (text === undefined) return new FieldSet();
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return new FieldSet();
  }
  if (!isJsonObject(last)) return new FieldSet();
  const cmp = w.compare(last, live);
  return w.toFieldSet(last).difference(cmp.modified).difference(cmp.removed);
}

/**
 * lastAppliedUpdater: a server-side apply by `kubectl` keeps an existing last-applied annotation in
 * step with what it applied (encoded as Go's unstructured encoder does: sorted keys, trailing newline).
 */
function syncLastApplied(obj: JsonObject, config: JsonObject): void {
  if (lastAppliedOf(obj) === undefined) return;
  const c = deepCopy(config);
  const cmeta = c['metadata'];
  if (isJsonObject(cmeta) && isJsonObject(cmeta['annotations'])) {
    delete cmeta['annotations'][lastAppliedConfigAnnotation];
  }
  const meta = obj['metadata'] as JsonObject;
  const ann = meta['annotations'] as JsonObject;
  ann[lastAppliedConfigAnnotation] = `${goJsonMarshal(c)}\n`;
}

/** encoding/json.Marshal of a decoded value: map keys sorted, HTML characters escaped. */
export function goJsonMarshal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') {
    return JSON.stringify(v).replace(
      /[<>&\u2028\u2029]/g,
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    return String(v).replace(/e([+-])(\d)$/, 'e$1' + '0$2');
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goJsonMarshal).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${goJsonMarshal(k)}:${goJsonMarshal(o[k])}`)
    .join(',')}}`;
}

/** Sorting helper exported for tests and callers that print paths. */
export function sortPaths(paths: FieldSetPath[]): FieldSetPath[] {
  return [...paths].sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = comparePathElements(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  });
}
