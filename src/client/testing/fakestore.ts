// FakeObjectStore: an in-memory ObjectStore for unit tests of controllers, informers and the event
// recorder. It keeps the semantics controllers depend on (one resourceVersion counter, AlreadyExists and
// optimistic-lock Conflicts, generation, the status subresource, finalizers holding a deletion with
// deletionTimestamp, watch from a resourceVersion with history and 410 after compaction, label and field
// selectors, paginated lists), records every call and lets a test inject failures.
//
// Deliberate simplifications, good enough for the logic it tests: no validation or defaulting;
// strategic-merge and apply patches are applied as JSON merge patches; list resourceVersion/
// resourceVersionMatch are ignored (lists are always current, continue pages read current state); delete
// propagation policies add no finalizers. Watch events are delivered synchronously from the write that
// caused them.
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import {
  type Binding,
  type DeleteOptions,
  type DeleteResult,
  formatTime,
  type GetOptions,
  type KubeList,
  type KubeObject,
  type ListOptions,
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newGone,
  newInvalid,
  newNotFound,
  newRequestInvalid,
  type ObjectStore,
  optimisticLockMessage,
  type PatchOptions,
  type PatchType,
  type RequestContext,
  Resources,
  type ResourceType,
  required,
  type Scope,
  type Status,
  successStatus,
  type WatchEvent,
  type WatchOptions,
  type WriteOptions,
} from '../../api/index.ts';
import { type Clock, realClock } from '../../component/index.ts';
import { fieldMatcher, labelMatcher } from './selectors.ts';

export type FakeVerb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'watch' | 'bindPod';

/** One recorded call. `resource` is the plural name (`persistentvolumeclaims`). */
export interface FakeCall {
  verb: FakeVerb;
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: 'status' | undefined;
  /** The object sent on create/update (a copy). */
  object?: KubeObject;
  patchType?: PatchType;
  patch?: string;
  /** The options of list and watch calls (a copy). */
  options?: ListOptions | WatchOptions;
  user: string | undefined;
}

interface Injected {
  verb: FakeVerb | '*';
  resource: string;
  error: unknown;
}

interface HistoryEntry {
  rv: number;
  bucket: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  /** The object before a MODIFIED, for selector transitions. */
  old?: KubeObject;
}

interface Watcher {
  bucket: string;
  namespace: string | undefined;
  matches: (obj: KubeObject) => boolean;
  bookmarks: boolean;
  sink: (ev: WatchEvent<KubeObject | Status>) => void;
  end: () => void;
}

export interface FakeObjectStoreOptions {
  clock?: Clock;
  /** How many change events the watch history keeps (older ones are compacted); default 10000. */
  historyLimit?: number;
}

const nameChars = 'bcdfghjklmnpqrstvwxz2456789';

function bucketOf(rt: ResourceType): string {
  return `${rt.group}/${rt.plural}`;
}

function keyOf(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

export class FakeObjectStore implements ObjectStore {
  /** Every call, in order. Tests may clear it. */
  calls: FakeCall[] = [];
  readonly #clock: Clock;
  readonly #historyLimit: number;
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #watchers = new Set<Watcher>();
  readonly #injected: Injected[] = [];
  #history: HistoryEntry[] = [];
  #rv = 1;
  /** Watches from resourceVersions below this get 410. */
  #oldest = 1;

  constructor(opts: FakeObjectStoreOptions = {}) {
    this.#clock = opts.clock ?? realClock;
    this.#historyLimit = opts.historyLimit ?? 10000;
  }

  // ---- test helpers ------------------------------------------------------------------------------

  /** The next call of `verb` on `resource` (plural name, or '*') throws `error` instead of running. */
  failNext(verb: FakeVerb | '*', resource: string, error: unknown): void {
    this.#injected.push({ verb, resource, error });
  }

  /** Stores objects as if created, without recording calls. Returns the stored copies. */
  seed(rt: ResourceType, ...objs: KubeObject[]): KubeObject[] {
    return objs.map((o) =>
      structuredClone(this.#create(rt, o.metadata.namespace, structuredClone(o), false)),
    );
  }

  /** Copies of the stored objects of a resource, optionally of one namespace, sorted by key. */
  objects<T extends KubeObject = KubeObject>(rt: ResourceType, namespace?: string): T[] {
    return [...this.#bucket(rt).entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o) as T);
  }

  /** A copy of one stored object, or undefined. */
  object<T extends KubeObject = KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
  ): T | undefined {
    const o = this.#bucket(rt).get(keyOf(rt.namespaced ? namespace : undefined, name));
    return o === undefined ? undefined : (structuredClone(o) as T);
  }

  /** The current resourceVersion counter. */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  /** Forgets watch history up to and including `rv` (default: all), so older watches get 410 Expired. */
  compact(rv = this.#rv): void {
    this.#history = this.#history.filter((h) => h.rv > rv);
    this.#oldest = Math.max(this.#oldest, rv + 1);
  }

  /** Number of open watches. */
  get watchCount(): number {
    return this.#watchers.size;
  }

  /** Ends every open watch as a server timeout would. */
  closeWatches(): void {
    for (const w of [...this.#watchers]) w.end();
  }

  /** Sends an ERROR event carrying `status` to every open watch, then ends them. */
  failWatches(status: Status): void {
    for (const w of [...this.#watchers]) {
      w.sink({ type: 'ERROR', object: structuredClone(status) });
      w.end();
    }
  }

  /** Sends a BOOKMARK with the current resourceVersion to watches that allowed bookmarks. */
  bookmark(rt: ResourceType): void {
    for (const w of [...this.#watchers]) {
      if (w.bucket !== bucketOf(rt) || !w.bookmarks) continue;
      w.sink({
        type: 'BOOKMARK',
        object: { apiVersion: rt.apiVersion, kind: rt.kind, metadata: { resourceVersion: String(this.#rv) } },
      });
    }
  }

  // ---- ObjectStore -------------------------------------------------------------------------------

  async get(ctx: RequestContext, scope: Scope, name: string, opts: GetOptions = {}): Promise<KubeObject> {
    this.#record(ctx, 'get', scope, name, { subresource: opts.subresource });
    const rt = scope.resource;
    const o = this.#bucket(rt).get(keyOf(this.#ns(scope), name));
    if (o === undefined) throw newNotFound(rt.group, rt.plural, name);
    return structuredClone(o);
  }

  async list(ctx: RequestContext, scope: Scope, opts: ListOptions = {}): Promise<KubeList> {
    this.#record(ctx, 'list', scope, undefined, { options: opts });
    const rt = scope.resource;
    const matches = this.#matcher(opts.labelSelector, opts.fieldSelector);
    let entries = [...this.#bucket(rt).entries()]
      .filter(
        ([, o]) =>
          scope.namespace === undefined || !rt.namespaced || o.metadata.namespace === scope.namespace,
      )
      .filter(([, o]) => matches(o))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let rv = String(this.#rv);
    if (opts.continue !== undefined && opts.continue !== '') {
      const token = decodeContinue(opts.continue);
      rv = token.rv;
      entries = entries.filter(([k]) => k > token.start);
    }
    const list: KubeList = {
      apiVersion: rt.apiVersion,
      kind: rt.listKind,
      metadata: { resourceVersion: rv },
      items: [],
    };
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : entries.length;
    const page = entries.slice(0, limit);
    list.items = page.map(([, o]) => structuredClone(o));
    if (page.length < entries.length) {
      list.metadata.continue = encodeContinue(rv, page[page.length - 1]![0]);
      list.metadata.remainingItemCount = entries.length - page.length;
    }
    return list;
  }

  async create(
    ctx: RequestContext,
    scope: Scope,
    obj: KubeObject,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    this.#record(ctx, 'create', scope, obj.metadata.name, { object: obj, subresource: opts.subresource });
    const rt = scope.resource;
    if (rt.namespaced) {
      const ns = obj.metadata.namespace;
      if (ns !== undefined && ns !== '' && scope.namespace !== undefined && ns !== scope.namespace) {
        throw newBadRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
    }
    if (obj.metadata.resourceVersion !== undefined && obj.metadata.resourceVersion !== '') {
      throw newBadRequest('resourceVersion should not be set on objects to be created');
    }
    return structuredClone(
      this.#create(rt, scope.namespace ?? obj.metadata.namespace, structuredClone(obj), opts.dryRun === true),
    );
  }

  async update(
    ctx: RequestContext,
    scope: Scope,
    obj: KubeObject,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    this.#record(ctx, 'update', scope, obj.metadata.name, { object: obj, subresource: opts.subresource });
    const name = obj.metadata.name ?? '';
    return structuredClone(this.#update(scope, name, structuredClone(obj), opts));
  }

  async patch(
    ctx: RequestContext,
    scope: Scope,
    name: string,
    type: PatchType,
    patch: string,
    opts: PatchOptions = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    this.#record(ctx, 'patch', scope, name, { subresource: opts.subresource, patchType: type, patch });
    const rt = scope.resource;
    const ns = this.#ns(scope);
    const existing = this.#bucket(rt).get(keyOf(ns, name));
    let body: unknown;
    try {
      body = type === 'application/apply-patch+yaml' ? parseYaml(patch) : JSON.parse(patch);
    } catch (err) {
      throw newBadRequest(`error decoding patch: ${String(err)}`);
    }
    if (existing === undefined) {
      if (type !== 'application/apply-patch+yaml') throw newNotFound(rt.group, rt.plural, name);
      const obj = body as KubeObject;
      obj.metadata = { ...(obj.metadata ?? {}), name };
      const created = this.#create(rt, ns, obj, opts.dryRun === true);
      return { object: structuredClone(created), created: true };
    }
    let next: unknown;
    if (type === 'application/json-patch+json') next = applyJsonPatch(structuredClone(existing), body);
    else next = mergePatch(structuredClone(existing), body);
    const obj = next as KubeObject;
    if (obj.metadata?.name !== name)
      throw newBadRequest('the name of the object cannot be changed by a patch');
    return { object: structuredClone(this.#update(scope, name, obj, opts)), created: false };
  }

  async bindPod(
    ctx: RequestContext,
    namespace: string,
    name: string,
    binding: Binding,
    opts: WriteOptions = {},
  ): Promise<Status> {
    const scope: Scope = { resource: Resources.pods, namespace };
    this.#record(ctx, 'bindPod', scope, name, { object: binding as unknown as KubeObject });
    const key = keyOf(namespace, name);
    const existing = this.#bucket(Resources.pods).get(key);
    if (existing === undefined) throw newNotFound('', 'pods', name);
    const spec = (existing['spec'] ?? {}) as { nodeName?: string };
    if (existing.metadata.deletionTimestamp !== undefined) {
      throw newConflict(
        '',
        'pods/binding',
        name,
        `pod ${name} is being deleted, cannot be assigned to a host`,
      );
    }
    if (spec.nodeName !== undefined && spec.nodeName !== '') {
      throw newConflict(
        '',
        'pods/binding',
        name,
        `pod ${name} is already assigned to node "${spec.nodeName}"`,
      );
    }
    const next = structuredClone(existing);
    (next['spec'] as { nodeName?: string }).nodeName = binding.target.name;
    const status = (next['status'] ??= {}) as { conditions?: { type: string; status: string }[] };
    status.conditions = [
      ...(status.conditions ?? []).filter((c) => c.type !== 'PodScheduled'),
      { type: 'PodScheduled', status: 'True' },
    ];
    if (opts.dryRun !== true) this.#store(Resources.pods, key, next, 'MODIFIED', existing);
    return successStatus();
  }

  async delete(
    ctx: RequestContext,
    scope: Scope,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<DeleteResult> {
    this.#record(ctx, 'delete', scope, name, {});
    const rt = scope.resource;
    const ns = this.#ns(scope);
    const key = keyOf(ns, name);
    const bucket = this.#bucket(rt);
    const existing = bucket.get(key);
    if (existing === undefined) throw newNotFound(rt.group, rt.plural, name);
    const pre = opts.preconditions;
    if (pre?.uid !== undefined && pre.uid !== existing.metadata.uid) {
      throw newConflict(
        rt.group,
        rt.plural,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`,
      );
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw newConflict(
        rt.group,
        rt.plural,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ''}`,
      );
    }
    const dry = opts.dryRun === true;
    if ((existing.metadata.finalizers ?? []).length > 0) {
      if (existing.metadata.deletionTimestamp !== undefined)
        return { object: structuredClone(existing), deleted: false };
      const next = structuredClone(existing);
      next.metadata.deletionTimestamp = formatTime(this.#clock.now());
      next.metadata.deletionGracePeriodSeconds = 0;
      if (dry) return { object: next, deleted: false };
      this.#store(rt, key, next, 'MODIFIED', existing);
      return { object: structuredClone(next), deleted: false };
    }
    if (dry) return { object: structuredClone(existing), deleted: true };
    const gone = this.#remove(rt, key, existing);
    return { object: structuredClone(gone), deleted: true };
  }

  async watch(
    ctx: RequestContext,
    scope: Scope,
    opts: WatchOptions,
    sink: (ev: WatchEvent<KubeObject | Status>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.#record(ctx, 'watch', scope, undefined, { options: opts });
    const rt = scope.resource;
    const bucket = bucketOf(rt);
    const namespace = rt.namespaced ? scope.namespace : undefined;
    const selected = this.#matcher(opts.labelSelector, opts.fieldSelector);
    const matches = (o: KubeObject): boolean =>
      (namespace === undefined || o.metadata.namespace === namespace) && selected(o);
    const rvText = opts.resourceVersion ?? '';
    const backlog: WatchEvent<KubeObject>[] = [];
    if (rvText === '' || rvText === '0') {
      for (const o of this.objects(rt)) if (matches(o)) backlog.push({ type: 'ADDED', object: o });
    } else {
      const rv = Number(rvText);
      if (!Number.isInteger(rv)) throw newBadRequest(`invalid resource version: ${rvText}`);
      if (rv + 1 < this.#oldest) throw newGone(`too old resource version: ${rv} (${this.#oldest - 1})`);
      for (const h of this.#history) {
        if (h.rv <= rv || h.bucket !== bucket) continue;
        const ev = transition(h, matches);
        if (ev !== undefined) backlog.push(ev);
      }
    }
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      let timer: { cancel(): void } | undefined;
      const w: Watcher = {
        bucket,
        namespace,
        matches,
        bookmarks: opts.allowWatchBookmarks === true,
        sink: (ev) => {
          try {
            sink(ev);
          } catch {
            // A consumer's failure must not break the writer that triggered the event.
          }
        },
        end: () => {
          this.#watchers.delete(w);
          signal.removeEventListener('abort', w.end);
          timer?.cancel();
          resolve();
        },
      };
      this.#watchers.add(w);
      signal.addEventListener('abort', w.end, { once: true });
      if (opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0) {
        timer = this.#clock.setTimer(opts.timeoutSeconds * 1000, w.end);
      }
      for (const ev of backlog) {
        if (!this.#watchers.has(w)) break;
        w.sink(ev);
      }
    });
  }

  // ---- internals ---------------------------------------------------------------------------------

  #record(
    ctx: RequestContext,
    verb: FakeVerb,
    scope: Scope,
    name: string | undefined,
    extra: {
      object?: KubeObject;
      subresource?: 'status' | undefined;
      patchType?: PatchType;
      patch?: string;
      options?: ListOptions | WatchOptions;
    },
  ): void {
    const call: FakeCall = {
      verb,
      resource: scope.resource.plural,
      namespace: scope.namespace,
      name,
      subresource: extra.subresource,
      user: ctx.user,
    };
    if (extra.object !== undefined) call.object = structuredClone(extra.object);
    if (extra.patchType !== undefined) call.patchType = extra.patchType;
    if (extra.patch !== undefined) call.patch = extra.patch;
    if (extra.options !== undefined) call.options = { ...extra.options };
    this.calls.push(call);
    const i = this.#injected.findIndex(
      (f) =>
        (f.verb === '*' || f.verb === verb) && (f.resource === '*' || f.resource === scope.resource.plural),
    );
    if (i >= 0) {
      const [f] = this.#injected.splice(i, 1);
      throw f!.error;
    }
  }

  #ns(scope: Scope): string | undefined {
    if (!scope.resource.namespaced) return undefined;
    if (scope.namespace === undefined || scope.namespace === '') {
      throw newBadRequest(`a namespace is required for ${scope.resource.plural}`);
    }
    return scope.namespace;
  }

  #bucket(rt: ResourceType): Map<string, KubeObject> {
    const b = bucketOf(rt);
    let m = this.#objects.get(b);
    if (m === undefined) {
      m = new Map();
      this.#objects.set(b, m);
    }
    return m;
  }

  #matcher(label: string | undefined, field: string | undefined): (o: KubeObject) => boolean {
    const l = labelMatcher(label);
    const f = fieldMatcher(field);
    return (o) => l(o.metadata.labels) && f(o);
  }

  #create(rt: ResourceType, namespace: string | undefined, obj: KubeObject, dryRun: boolean): KubeObject {
    const meta = obj.metadata ?? {};
    obj.metadata = meta;
    if (
      (meta.name === undefined || meta.name === '') &&
      meta.generateName !== undefined &&
      meta.generateName !== ''
    ) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += nameChars[Math.floor(Math.random() * nameChars.length)];
      meta.name = meta.generateName + suffix;
    }
    if (meta.name === undefined || meta.name === '') {
      throw newInvalid(rt.group, rt.kind, '', [
        required('metadata.name', 'name or generateName is required'),
      ]);
    }
    if (rt.namespaced) {
      if (namespace === undefined || namespace === '') {
        throw newInvalid(rt.group, rt.kind, meta.name, [required('metadata.namespace')]);
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    const key = keyOf(meta.namespace, meta.name);
    const bucket = this.#bucket(rt);
    if (bucket.has(key)) throw newAlreadyExists(rt.group, rt.plural, meta.name);
    obj.apiVersion = rt.apiVersion;
    obj.kind = rt.kind;
    meta.uid = randomUUID();
    meta.creationTimestamp = formatTime(this.#clock.now());
    meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (dryRun) return obj;
    this.#store(rt, key, obj, 'ADDED', undefined);
    return obj;
  }

  #update(scope: Scope, name: string, obj: KubeObject, opts: WriteOptions): KubeObject {
    const rt = scope.resource;
    const ns = this.#ns(scope);
    if (name === '') throw newBadRequest('resource name may not be empty');
    if (rt.namespaced && obj.metadata.namespace !== undefined && obj.metadata.namespace !== ns) {
      throw newBadRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const key = keyOf(ns, name);
    const bucket = this.#bucket(rt);
    const existing = bucket.get(key);
    if (existing === undefined) throw newNotFound(rt.group, rt.plural, name);
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== existing.metadata.resourceVersion) {
      throw newConflict(rt.group, rt.plural, name, optimisticLockMessage);
    }
    let next: KubeObject;
    const hasStatus = rt.subresources.includes('status');
    if (opts.subresource === 'status') {
      next = structuredClone(existing);
      if (obj['status'] === undefined) delete next['status'];
      else next['status'] = obj['status'];
    } else {
      next = obj;
      const m = next.metadata;
      m.name = name;
      if (ns !== undefined) m.namespace = ns;
      else delete m.namespace;
      m.uid = existing.metadata.uid!;
      m.creationTimestamp = existing.metadata.creationTimestamp!;
      m.generation = existing.metadata.generation ?? 1;
      if (existing.metadata.deletionTimestamp !== undefined) {
        m.deletionTimestamp = existing.metadata.deletionTimestamp;
        m.deletionGracePeriodSeconds = existing.metadata.deletionGracePeriodSeconds ?? 0;
      } else {
        delete m.deletionTimestamp;
        delete m.deletionGracePeriodSeconds;
      }
      next.apiVersion = rt.apiVersion;
      next.kind = rt.kind;
      if (hasStatus) {
        if (existing['status'] === undefined) delete next['status'];
        else next['status'] = structuredClone(existing['status']);
      }
      if (specOf(next) !== specOf(existing)) m.generation = (existing.metadata.generation ?? 1) + 1;
    }
    next.metadata.resourceVersion = existing.metadata.resourceVersion!;
    if (canonical(next) === canonical(existing)) return existing;
    if (opts.dryRun === true) return next;
    if (next.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0) {
      return this.#remove(rt, key, next);
    }
    this.#store(rt, key, next, 'MODIFIED', existing);
    return next;
  }

  #store(
    rt: ResourceType,
    key: string,
    obj: KubeObject,
    type: 'ADDED' | 'MODIFIED',
    old: KubeObject | undefined,
  ): void {
    this.#rv++;
    obj.metadata.resourceVersion = String(this.#rv);
    this.#bucket(rt).set(key, obj);
    const h: HistoryEntry = { rv: this.#rv, bucket: bucketOf(rt), type, object: structuredClone(obj) };
    if (old !== undefined) h.old = structuredClone(old);
    this.#publish(h);
  }

  #remove(rt: ResourceType, key: string, last: KubeObject): KubeObject {
    this.#rv++;
    const gone = structuredClone(last);
    gone.metadata.resourceVersion = String(this.#rv);
    this.#bucket(rt).delete(key);
    this.#publish({ rv: this.#rv, bucket: bucketOf(rt), type: 'DELETED', object: structuredClone(gone) });
    return gone;
  }

  #publish(h: HistoryEntry): void {
    this.#history.push(h);
    if (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.splice(0, this.#history.length - this.#historyLimit);
      this.#oldest = Math.max(this.#oldest, dropped[dropped.length - 1]!.rv + 1);
    }
    for (const w of [...this.#watchers]) {
      if (w.bucket !== h.bucket) continue;
      const ev = transition(h, w.matches);
      if (ev !== undefined) w.sink(ev);
    }
  }
}

/** The event a filtered watch sees for a change: objects moving into or out of the selection become ADDED/DELETED. */
function transition(
  h: HistoryEntry,
  matches: (o: KubeObject) => boolean,
): WatchEvent<KubeObject> | undefined {
  const now = matches(h.object);
  if (h.type !== 'MODIFIED') return now ? { type: h.type, object: structuredClone(h.object) } : undefined;
  const before = h.old !== undefined && matches(h.old);
  if (now && before) return { type: 'MODIFIED', object: structuredClone(h.object) };
  if (now) return { type: 'ADDED', object: structuredClone(h.object) };
  if (before) return { type: 'DELETED', object: structuredClone(h.object) };
  return undefined;
}

function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return canonical(rest);
}

/** JSON with object keys sorted, so semantically equal objects compare equal. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val === null || typeof val !== 'object' || Array.isArray(val)) return val;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(val).sort()) sorted[k] = (val as Record<string, unknown>)[k];
    return sorted;
  });
}

function encodeContinue(rv: string, start: string): string {
  return Buffer.from(JSON.stringify({ rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: string; start: string } {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      rv?: unknown;
      start?: unknown;
    };
    if (typeof v.rv === 'string' && typeof v.start === 'string') return { rv: v.rv, start: v.start };
  } catch {
    // fall through
  }
  throw newBadRequest('invalid continue token');
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 JSON patch (add, remove, replace, test, move, copy). */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw newBadRequest('json patch must be an array');
  const get = (d: unknown, parts: string[]): unknown => {
    let cur = d;
    for (const p of parts) {
      if (cur === null || typeof cur !== 'object')
        throw newBadRequest(`doc is missing path: /${parts.join('/')}`);
      cur = (cur as Record<string, unknown>)[p];
    }
    return cur;
  };
  const parentOf = (
    d: unknown,
    parts: string[],
  ): { parent: Record<string, unknown> | unknown[]; last: string } => {
    const parent = get(d, parts.slice(0, -1));
    if (parent === null || typeof parent !== 'object') {
      throw newBadRequest(`doc is missing path: /${parts.join('/')}`);
    }
    return { parent: parent as Record<string, unknown>, last: parts[parts.length - 1] ?? '' };
  };
  const remove = (d: unknown, parts: string[]): unknown => {
    const { parent, last } = parentOf(d, parts);
    if (Array.isArray(parent)) return parent.splice(Number(last), 1)[0];
    if (!Object.hasOwn(parent, last)) throw newBadRequest(`doc is missing path: /${parts.join('/')}`);
    const v = parent[last];
    delete parent[last];
    return v;
  };
  const add = (d: unknown, parts: string[], value: unknown): unknown => {
    if (parts.length === 0) return value;
    const { parent, last } = parentOf(d, parts);
    if (Array.isArray(parent)) {
      if (last === '-') parent.push(value);
      else parent.splice(Number(last), 0, value);
    } else parent[last] = value;
    return d;
  };
  for (const raw of ops) {
    const op = raw as { op?: string; path?: string; from?: string; value?: unknown };
    const parts = pointer(op.path ?? '');
    switch (op.op) {
      case 'add':
        doc = add(doc, parts, structuredClone(op.value));
        break;
      case 'remove':
        remove(doc, parts);
        break;
      case 'replace':
        if (parts.length === 0) doc = structuredClone(op.value);
        else {
          remove(doc, parts);
          doc = add(doc, parts, structuredClone(op.value));
        }
        break;
      case 'test':
        if (JSON.stringify(get(doc, parts)) !== JSON.stringify(op.value)) {
          throw newRequestInvalid(`testing value ${op.path ?? ''} failed: test failed`);
        }
        break;
      case 'move': {
        const v = remove(doc, pointer(op.from ?? ''));
        doc = add(doc, parts, v);
        break;
      }
      case 'copy':
        doc = add(doc, parts, structuredClone(get(doc, pointer(op.from ?? ''))));
        break;
      default:
        throw newBadRequest(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}
