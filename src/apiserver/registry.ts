// The generic registry: Kubernetes REST semantics for every served resource over the store backend and
// the watch cache (upstream's k8s.io/apiserver/pkg/registry/generic/registry.Store plus the per-kind
// strategies). It implements ObjectStore, so the HTTP handlers and the in-process client share it.
//
// Concurrency: reads come from the watch cache. Writes are optimistic: read the cached state, compute
// the new object, compare-and-swap on its revision; on a lost race the update is recomputed from the
// new state (GuaranteedUpdate) unless the caller pinned a resourceVersion, which yields 409.
import { randomUUID } from 'node:crypto';
import {
  type Binding,
  behaviorFor,
  type DeleteOptions,
  type DeleteResult,
  type FieldError,
  formatTime,
  type GetOptions,
  isStatusError,
  type KubeList,
  type KubeObject,
  type ListOptions,
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newForbidden,
  newGone,
  newInternalError,
  newInvalid,
  newNotFound,
  newTimeout,
  type ObjectStore,
  optimisticLockMessage,
  type PatchOptions,
  type PatchType,
  prepare,
  type RequestContext,
  type ResourceName,
  Resources,
  type ResourceType,
  required as requiredField,
  type Scope,
  type Status,
  StatusError,
  successStatus,
  type WatchEvent,
  type WatchOptions,
  type WriteOptions,
} from '../api/index.ts';
import { type Clock, logger } from '../component/index.ts';
import {
  type Backend,
  isCompacted,
  isConflict,
  isFutureRevision,
  isKeyExists,
  isKeyNotFound,
  type KeyValue,
} from '../storage/index.ts';
import { type Admission, defaultAdmission } from './admission.ts';
import { type CachedObject, type CacheEvent, decode, type WatchCache } from './cache.ts';
import { type DecodeResult, decodeBody } from './decode.ts';
import { listPrefix, objectKey } from './keys.ts';
import { managedFieldsForUpdate } from './managed.ts';
import { clone, generateName, jsonEqual } from './names.ts';
import { applyPatchBody, isApplyPatch } from './patching.ts';
import { compileSelectors, type Selectors } from './selectors.ts';

const log = logger('registry');

/** Resources whose status is cleared on create (their status belongs to controllers). */
const statusClearedOnCreate = new Set([
  'persistentvolumeclaims',
  'persistentvolumes',
  'volumeattachments',
  'volumesnapshots',
  'volumesnapshotcontents',
]);

/** CRD-served kinds track metadata.generation (built-in storage kinds do not, as upstream). */
const generationTracked = new Set(['snapshot.storage.k8s.io']);

/** Namespaces that can never be deleted (upstream's NamespaceLifecycle admission). */
export const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);

export interface RegistryOptions {
  readonly backend: Backend;
  readonly cache: WatchCache;
  readonly clock: Clock;
  /** Interval between BOOKMARK events on watches that allow them. */
  readonly bookmarkIntervalMs?: number;
  /** How many times a write is recomputed after losing a race before answering 409. */
  readonly maxRetries?: number;
  readonly admission?: Admission;
}

interface ListPage {
  readonly rt: ResourceType;
  readonly items: readonly (CachedObject | KubeObject)[];
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  const t: ContinueToken = { v: 'meta.k8s.io/v1', rv, start };
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString()) as Partial<ContinueToken>;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string')
      throw new Error();
    return t as ContinueToken;
  } catch {
    throw newBadRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}

const expiredContinue =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
  'without the continue parameter, or use the continue token in this response to retrieve the remainder of ' +
  'the results. Continuing with the provided token results in an inconsistent list - objects that were ' +
  'created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function parseRV(rv: string, field = 'resourceVersion'): number {
  if (!/^\d+$/.test(rv))
    throw newBadRequest(`${field}: Invalid value: "${rv}": must be a non-negative integer`);
  return Number(rv);
}

export class Registry implements ObjectStore {
  readonly #backend: Backend;
  readonly #cache: WatchCache;
  readonly #clock: Clock;
  readonly #bookmarkMs: number;
  readonly #maxRetries: number;
  readonly #admission: Admission;

  constructor(opts: RegistryOptions) {
    this.#backend = opts.backend;
    this.#cache = opts.cache;
    this.#clock = opts.clock;
    this.#bookmarkMs = opts.bookmarkIntervalMs ?? 60_000;
    this.#maxRetries = opts.maxRetries ?? 16;
    this.#admission = opts.admission ?? defaultAdmission;
  }

  get cache(): WatchCache {
    return this.#cache;
  }

  // ---------------------------------------------------------------- reads

  /** The cached entry (shared; do not mutate), or a 404. */
  getCached(scope: Scope, name: string): CachedObject {
    const rt = scope.resource;
    this.#checkScope(scope);
    const c = this.#cache.of(rt).objects.get(objectKey(rt, scope.namespace, name));
    if (c === undefined) throw newNotFound(rt.group, rt.plural, name);
    return c;
  }

  async get(_ctx: RequestContext, scope: Scope, name: string, _opts?: GetOptions): Promise<KubeObject> {
    return this.getCached(scope, name).obj;
  }

  async list(_ctx: RequestContext, scope: Scope, opts: ListOptions = {}): Promise<KubeList> {
    const page = await this.listPage(scope, opts);
    const metadata: KubeList['metadata'] = { resourceVersion: page.resourceVersion };
    if (page.continue !== undefined) metadata.continue = page.continue;
    if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
    return {
      apiVersion: page.rt.apiVersion,
      kind: page.rt.listKind,
      metadata,
      items: page.items.map((i) => ('obj' in i && 'rev' in i ? (i as CachedObject).obj : (i as KubeObject))),
    };
  }

  /** A list page with cache entries where possible, so the HTTP layer can reuse serialised JSON. */
  async listPage(scope: Scope, opts: ListOptions = {}): Promise<ListPage> {
    const rt = scope.resource;
    this.#checkScope(scope, false);
    const sel = compileSelectors(rt, opts.labelSelector, opts.fieldSelector);
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : 0;
    const prefix = listPrefix(rt, scope.namespace);
    if (
      opts.resourceVersionMatch !== undefined &&
      (opts.resourceVersion === undefined || opts.resourceVersion === '')
    ) {
      throw newBadRequest(
        'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
    }
    if (opts.continue !== undefined && opts.continue !== '') {
      const tok = decodeContinue(opts.continue);
      if (tok.rv === this.#cache.revision)
        return this.#pageFromCache(rt, prefix, sel, limit, prefix + tok.start);
      return this.#pageFromBackend(rt, prefix, sel, limit, prefix + tok.start, tok.rv);
    }
    if (opts.resourceVersionMatch === 'Exact') {
      const rv = parseRV(opts.resourceVersion ?? '');
      if (rv !== this.#cache.revision) return this.#pageFromBackend(rt, prefix, sel, limit, prefix, rv);
    }
    // resourceVersion unset, "0" or NotOlderThan: the cache is always at least as new as any
    // acknowledged write in this process.
    return this.#pageFromCache(rt, prefix, sel, limit, prefix);
  }

  #pageFromCache(
    rt: ResourceType,
    prefix: string,
    sel: Selectors,
    limit: number,
    startKey: string,
  ): ListPage {
    const rc = this.#cache.of(rt);
    const rev = this.#cache.revision;
    const keys = rc.sortedKeys();
    let i = lowerBound(keys, startKey);
    const items: CachedObject[] = [];
    let lastKey = '';
    let more = false;
    for (; i < keys.length; i++) {
      const k = keys[i]!;
      if (!k.startsWith(prefix)) {
        if (k > prefix) break;
        continue;
      }
      const c = rc.objects.get(k)!;
      if (!sel.matches(c.obj)) continue;
      if (limit > 0 && items.length === limit) {
        more = true;
        break;
      }
      items.push(c);
      lastKey = k;
    }
    const page: { -readonly [K in keyof ListPage]: ListPage[K] } = {
      rt,
      items,
      resourceVersion: String(rev),
    };
    if (more) {
      page.continue = encodeContinue(rev, `${lastKey.slice(prefix.length)}\u0000`);
      if (sel.empty) {
        let remaining = 0;
        for (let j = i; j < keys.length && keys[j]!.startsWith(prefix); j++) remaining++;
        page.remainingItemCount = remaining;
      }
    }
    return page;
  }

  async #pageFromBackend(
    rt: ResourceType,
    prefix: string,
    sel: Selectors,
    limit: number,
    startKey: string,
    rev: number,
  ): Promise<ListPage> {
    const items: KubeObject[] = [];
    let next = startKey;
    let lastKey = '';
    let more = false;
    try {
      for (;;) {
        const chunk = Math.max(limit, 500);
        const res = await this.#backend.list(prefix, { startKey: next, revision: rev, limit: chunk });
        for (const kv of res.items) {
          const obj = decode(kv);
          if (!sel.matches(obj)) continue;
          if (limit > 0 && items.length === limit) {
            more = true;
            break;
          }
          items.push(obj);
          lastKey = kv.key;
        }
        if (more || !res.more || res.items.length === 0) break;
        next = `${res.items[res.items.length - 1]!.key}\u0000`;
      }
    } catch (err) {
      if (isCompacted(err)) throw newGone(expiredContinue);
      if (isFutureRevision(err))
        throw newTimeout(`Too large resource version: ${rev}, current: ${this.#cache.revision}`);
      throw err;
    }
    const page: { -readonly [K in keyof ListPage]: ListPage[K] } = {
      rt,
      items,
      resourceVersion: String(rev),
    };
    if (more) page.continue = encodeContinue(rev, `${lastKey.slice(prefix.length)}\u0000`);
    return page;
  }

  // ---------------------------------------------------------------- writes

  async create(
    ctx: RequestContext,
    scope: Scope,
    input: KubeObject,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    const rt = scope.resource;
    this.#checkScope(scope);
    const decoded = this.#decode(ctx, rt, input, opts);
    return this.#create(ctx, scope, decoded.object, opts, undefined);
  }

  async #create(
    _ctx: RequestContext,
    scope: Scope,
    obj: KubeObject,
    opts: WriteOptions,
    managedFields: KubeObject['metadata']['managedFields'] | undefined,
  ): Promise<KubeObject> {
    const rt = scope.resource;
    const meta = obj.metadata;
    if (rt.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== scope.namespace) {
        throw newBadRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = scope.namespace!;
    } else {
      delete meta.namespace;
    }
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
      throw newBadRequest('resourceVersion should not be set on objects to be created');
    }
    if (
      (meta.name === undefined || meta.name === '') &&
      meta.generateName !== undefined &&
      meta.generateName !== ''
    ) {
      meta.name = generateName(meta.generateName);
    }
    const name = meta.name ?? '';
    if (rt.namespaced) this.#checkNamespaceOpen(rt, scope.namespace!, name);
    meta.uid = randomUUID();
    meta.creationTimestamp = formatTime(this.#clock.now());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (generationTracked.has(rt.group)) meta.generation = 1;
    else delete meta.generation;
    this.#prepareStatusForCreate(rt, obj);
    prepare[rt.plural as ResourceName]?.create?.(obj, this.#clock.now());

    await this.#admission.mutateCreate(this.#admissionContext(), rt, obj);
    behaviorFor(rt).default?.(obj);
    this.#validate(rt, name, behaviorFor(rt).validate(obj));
    await this.#admission.validateCreate(this.#admissionContext(), rt, obj);
    const mf =
      managedFields ??
      managedFieldsForUpdate(rt, undefined, obj, opts.fieldManager, opts.subresource, this.#clock);
    if (mf === undefined || mf.length === 0) delete meta.managedFields;
    else meta.managedFields = mf;

    if (opts.dryRun === true) return obj;
    const key = objectKey(rt, scope.namespace, name);
    let kv: KeyValue;
    try {
      kv = await this.#backend.create(key, JSON.stringify(obj));
    } catch (err) {
      if (isKeyExists(err)) throw newAlreadyExists(rt.group, rt.plural, name);
      throw err;
    }
    return this.#stored(rt, kv);
  }

  async update(
    ctx: RequestContext,
    scope: Scope,
    input: KubeObject,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    const rt = scope.resource;
    this.#checkScope(scope);
    const decoded = this.#decode(ctx, rt, input, opts);
    const name = decoded.object.metadata.name ?? '';
    const wantRV = decoded.object.metadata.resourceVersion;
    return this.#guaranteedUpdate(ctx, scope, name, opts, wantRV !== undefined && wantRV !== '', (cur) => {
      if (wantRV !== undefined && wantRV !== '' && wantRV !== cur.metadata.resourceVersion) {
        throw newConflict(rt.group, rt.plural, name, optimisticLockMessage);
      }
      return clone(decoded.object);
    });
  }

  async patch(
    ctx: RequestContext,
    scope: Scope,
    name: string,
    type: PatchType,
    body: string,
    opts: PatchOptions = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    const rt = scope.resource;
    this.#checkScope(scope);
    if (isApplyPatch(type)) {
      if (opts.fieldManager === undefined || opts.fieldManager === '') {
        throw newBadRequest('PATCH /apply requests require a fieldManager to be set');
      }
      const key = objectKey(rt, scope.namespace, name);
      const existing = this.#cache.of(rt).objects.get(key);
      if (existing === undefined) {
        const applied = applyPatchBody(rt, undefined, type, body, opts, this.#clock, name, scope.namespace);
        const decoded = this.#decode(ctx, rt, applied.object, opts);
        const object = await this.#create(ctx, scope, decoded.object, opts, applied.managedFields);
        return { object, created: true };
      }
    }
    const object = await this.#guaranteedUpdate(
      ctx,
      scope,
      name,
      opts,
      false,
      (cur) => {
        const res = applyPatchBody(rt, cur, type, body, opts, this.#clock, name, scope.namespace);
        const patchedRV = res.object.metadata?.resourceVersion;
        if (patchedRV !== undefined && patchedRV !== '' && patchedRV !== cur.metadata.resourceVersion) {
          throw newConflict(rt.group, rt.plural, name, optimisticLockMessage);
        }
        const decoded = this.#decode(ctx, rt, res.object, opts);
        if (res.managedFields !== undefined) decoded.object.metadata.managedFields = res.managedFields;
        return decoded.object;
      },
      isApplyPatch(type),
    );
    return { object, created: false };
  }

  async delete(
    _ctx: RequestContext,
    scope: Scope,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<DeleteResult> {
    const rt = scope.resource;
    this.#checkScope(scope);
    if (rt.plural === 'namespaces' && immortalNamespaces.has(name)) {
      throw newForbidden(rt.group, rt.plural, name, 'this namespace may not be deleted');
    }
    const key = objectKey(rt, scope.namespace, name);
    for (let attempt = 0; ; attempt++) {
      const cur = this.#cache.of(rt).objects.get(key);
      if (cur === undefined) throw newNotFound(rt.group, rt.plural, name);
      const meta = cur.obj.metadata;
      const pre = opts.preconditions;
      if (pre?.uid !== undefined && pre.uid !== meta.uid) {
        throw newConflict(
          rt.group,
          rt.plural,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`,
        );
      }
      if (pre?.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
        throw newConflict(
          rt.group,
          rt.plural,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
        );
      }
      const graceful = this.#gracefulDeletion(rt, cur.obj, opts);
      const held = (meta.finalizers?.length ?? 0) > 0 || this.#namespaceHeld(rt, cur.obj);
      if (graceful !== undefined || held) {
        if (meta.deletionTimestamp !== undefined && graceful === undefined)
          return { object: cur.obj, deleted: false };
        const next = clone(cur.obj);
        const now = this.#clock.now();
        const grace = graceful ?? 0;
        const when = formatTime(now + grace * 1000);
        if (next.metadata.deletionTimestamp === undefined || when < next.metadata.deletionTimestamp) {
          next.metadata.deletionTimestamp = when;
          next.metadata.deletionGracePeriodSeconds = grace;
        }
        if (rt.plural === 'namespaces') {
          next['status'] = { ...((next['status'] as object | undefined) ?? {}), phase: 'Terminating' };
        }
        if (jsonEqual(next, cur.obj)) return { object: cur.obj, deleted: false };
        if (opts.dryRun === true) return { object: next, deleted: false };
        delete next.metadata.resourceVersion;
        try {
          const kv = await this.#backend.update(key, JSON.stringify(next), cur.rev);
          return { object: this.#stored(rt, kv), deleted: false };
        } catch (err) {
          if (isConflict(err) && attempt < this.#maxRetries) continue;
          throw this.#storeError(rt, name, err);
        }
      }
      if (opts.dryRun === true) return { object: cur.obj, deleted: false };
      try {
        const kv = await this.#backend.delete(key, cur.rev);
        return { object: decode(kv), deleted: true };
      } catch (err) {
        if (isConflict(err) && attempt < this.#maxRetries) continue;
        throw this.#storeError(rt, name, err);
      }
    }
  }

  /** POST pods/{name}/binding (upstream's BindingREST.Create / setPodHostAndAnnotations). */
  async bindPod(
    _ctx: RequestContext,
    namespace: string,
    name: string,
    binding: Binding,
    opts: WriteOptions = {},
  ): Promise<Status> {
    const rt = Resources.pods;
    if (
      binding.metadata?.name !== undefined &&
      binding.metadata.name !== '' &&
      binding.metadata.name !== name
    ) {
      throw newBadRequest(
        `the name of the binding (${binding.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const target = binding.target?.name ?? '';
    if (target === '') {
      throw newInvalid('', 'Binding', name, [requiredField('target.name', '')]);
    }
    const key = objectKey(rt, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const cur = this.#cache.of(rt).objects.get(key);
      if (cur === undefined) throw newNotFound('', 'pods', name);
      if (cur.obj.metadata.deletionTimestamp !== undefined) {
        throw newConflict(
          '',
          'pods/binding',
          name,
          `pod ${name} is being deleted, cannot be assigned to a host`,
        );
      }
      const spec = (cur.obj['spec'] ?? {}) as { nodeName?: string };
      if (spec.nodeName !== undefined && spec.nodeName !== '') {
        throw newConflict(
          '',
          'pods/binding',
          name,
          `pod ${name} is already assigned to node "${spec.nodeName}"`,
        );
      }
      const next = clone(cur.obj);
      (next['spec'] as { nodeName?: string }).nodeName = target;
      if (binding.metadata?.annotations !== undefined) {
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...binding.metadata.annotations };
      }
      const status = (next['status'] ??= {}) as {
        conditions?: {
          type: string;
          status: string;
          lastTransitionTime?: string | null;
          lastProbeTime?: null;
        }[];
      };
      status.conditions = [
        ...(status.conditions ?? []).filter((c) => c.type !== 'PodScheduled'),
        {
          type: 'PodScheduled',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: formatTime(this.#clock.now()),
        },
      ];
      if (opts.dryRun === true) return successStatus();
      delete next.metadata.resourceVersion;
      try {
        await this.#backend.update(key, JSON.stringify(next), cur.rev);
        return successStatus();
      } catch (err) {
        if (isConflict(err) && attempt < this.#maxRetries) continue;
        throw this.#storeError(rt, name, err);
      }
    }
  }

  /**
   * Removes an object that no finalizer holds any more, bypassing graceful deletion: used by the
   * namespace lifecycle and by updates that clear the last finalizer.
   */
  async removeIfUnheld(rt: ResourceType, namespace: string | undefined, name: string): Promise<boolean> {
    const key = objectKey(rt, namespace, name);
    const cur = this.#cache.of(rt).objects.get(key);
    if (cur === undefined) return true;
    if ((cur.obj.metadata.finalizers?.length ?? 0) > 0 || this.#namespaceHeld(rt, cur.obj)) return false;
    try {
      await this.#backend.delete(key, cur.rev);
      return true;
    } catch (err) {
      if (isConflict(err) || isKeyNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Clears a terminating namespace's spec.finalizers once its content is gone (what the namespace
   * controller does through /finalize), removing the namespace if nothing else holds it.
   */
  async finalizeNamespace(name: string): Promise<void> {
    const rt = namespacesResource;
    const key = objectKey(rt, undefined, name);
    for (let attempt = 0; attempt <= this.#maxRetries; attempt++) {
      const cur = this.#cache.of(rt).objects.get(key);
      if (cur === undefined || cur.obj.metadata.deletionTimestamp === undefined) return;
      try {
        if ((cur.obj.metadata.finalizers?.length ?? 0) === 0) {
          await this.#backend.delete(key, cur.rev);
        } else {
          const next = clone(cur.obj);
          next['spec'] = { ...((next['spec'] as object | undefined) ?? {}), finalizers: [] };
          delete next.metadata.resourceVersion;
          await this.#backend.update(key, JSON.stringify(next), cur.rev);
        }
        return;
      } catch (err) {
        if (isConflict(err) || isKeyNotFound(err)) continue;
        throw err;
      }
    }
  }

  // ---------------------------------------------------------------- watch

  async watch(
    _ctx: RequestContext,
    scope: Scope,
    opts: WatchOptions,
    sink: (ev: WatchEvent<KubeObject | Status>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const rt = scope.resource;
    this.#checkScope(scope, false);
    const sel = compileSelectors(rt, opts.labelSelector, opts.fieldSelector);
    const prefix = listPrefix(rt, scope.namespace);
    const rc = this.#cache.of(rt);
    const matches = (c: CachedObject): boolean => c.key.startsWith(prefix) && sel.matches(c.obj);
    const rvText = opts.resourceVersion ?? '';
    const initial = rvText === '' || rvText === '0' || opts.sendInitialEvents === true;
    const from = rvText === '' || rvText === '0' ? 0 : parseRV(rvText);
    if (!initial && from > this.#cache.revision) await this.#waitForRevision(from, signal);

    let lastRV = initial ? this.#cache.revision : from;
    const emit = (ev: CacheEvent): void => {
      const curMatch = matches(ev.object);
      const prevMatch = ev.prev !== undefined && matches(ev.prev);
      let type: 'ADDED' | 'MODIFIED' | 'DELETED' | undefined;
      if (ev.type === 'DELETED') type = prevMatch || curMatch ? 'DELETED' : undefined;
      else if (curMatch) type = prevMatch ? 'MODIFIED' : 'ADDED';
      else if (prevMatch) type = 'DELETED';
      lastRV = ev.rev;
      if (type !== undefined) sink({ type, object: ev.object.obj });
    };

    return new Promise<void>((resolve, reject) => {
      const cleanups: (() => void)[] = [];
      let done = false;
      const finish = (err?: unknown): void => {
        if (done) return;
        done = true;
        for (const c of cleanups) c();
        if (err === undefined) resolve();
        else reject(err);
      };
      if (signal.aborted) {
        finish();
        return;
      }
      const onAbort = (): void => finish();
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
      if (opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0) {
        const t = this.#clock.setTimer(opts.timeoutSeconds * 1000, () => finish());
        cleanups.push(() => t.cancel());
      }
      const safeEmit = (ev: CacheEvent): void => {
        if (done) return;
        try {
          emit(ev);
        } catch (err) {
          finish(err);
        }
      };

      if (initial) {
        for (const k of rc.sortedKeys()) {
          const c = rc.objects.get(k)!;
          if (matches(c)) sink({ type: 'ADDED', object: c.obj });
        }
        if (opts.sendInitialEvents === true && opts.allowWatchBookmarks === true) {
          sink({
            type: 'BOOKMARK',
            object: {
              kind: rt.kind,
              apiVersion: rt.apiVersion,
              metadata: {
                resourceVersion: String(this.#cache.revision),
                annotations: { 'k8s.io/initial-events-end': 'true' },
              },
            },
          });
        }
        cleanups.push(rc.subscribe(safeEmit));
      } else if (from >= rc.bufferStart) {
        for (const ev of rc.eventsAfter(from)) safeEmit(ev);
        cleanups.push(rc.subscribe(safeEmit));
      } else {
        // Older than the cache's buffer: replay the store's log, which continues live.
        try {
          const w = this.#backend.watch(prefix, {
            afterRevision: from,
            onEvents: (events) => {
              for (const e of events) {
                const object = decode(e.kv);
                const c = { key: e.kv.key, obj: object, rev: e.kv.modRevision } as unknown as CachedObject;
                const prev =
                  e.prevKv !== undefined
                    ? ({
                        key: e.kv.key,
                        obj: decode(e.prevKv),
                        rev: e.prevKv.modRevision,
                      } as unknown as CachedObject)
                    : undefined;
                const type = e.type === 'delete' ? 'DELETED' : e.prevKv === undefined ? 'ADDED' : 'MODIFIED';
                safeEmit({ type, rev: e.kv.modRevision, object: c, prev });
              }
            },
            onError: (err) => finish(err),
          });
          cleanups.push(() => w.close());
        } catch (err) {
          if (isCompacted(err)) {
            finish(newGone(`too old resource version: ${from} (${err.compacted + 1})`));
            return;
          }
          finish(err);
          return;
        }
      }
      if (opts.allowWatchBookmarks === true) {
        const tick = (): void => {
          if (done) return;
          sink({
            type: 'BOOKMARK',
            object: {
              kind: rt.kind,
              apiVersion: rt.apiVersion,
              metadata: { resourceVersion: String(lastRV) },
            },
          });
          timer = this.#clock.setTimer(this.#bookmarkMs, tick);
        };
        let timer = this.#clock.setTimer(this.#bookmarkMs, tick);
        cleanups.push(() => timer.cancel());
      }
    });
  }

  // ---------------------------------------------------------------- internals

  /** Waits (up to 3 s, as upstream) for the cache to reach a revision a client asked for. */
  async #waitForRevision(rev: number, signal: AbortSignal): Promise<void> {
    if (this.#cache.revision >= rev) return;
    await new Promise<void>((resolve, reject) => {
      const stop = this.#cache.onBatch(() => {
        if (this.#cache.revision >= rev) finish();
      });
      const timer = this.#clock.setTimer(3000, () => {
        finish(
          new StatusError({
            ...newTimeout(`Too large resource version: ${rev}, current: ${this.#cache.revision}`).status,
            details: {
              causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
              retryAfterSeconds: 1,
            },
          }),
        );
      });
      const onAbort = (): void => finish();
      signal.addEventListener('abort', onAbort, { once: true });
      function finish(err?: Error): void {
        stop();
        timer.cancel();
        signal.removeEventListener('abort', onAbort);
        if (err === undefined) resolve();
        else reject(err);
      }
    });
  }

  async #guaranteedUpdate(
    ctx: RequestContext,
    scope: Scope,
    name: string,
    opts: WriteOptions,
    pinned: boolean,
    tryUpdate: (cur: KubeObject) => KubeObject,
    keepManagedFields = false,
  ): Promise<KubeObject> {
    const rt = scope.resource;
    const key = objectKey(rt, scope.namespace, name);
    for (let attempt = 0; ; attempt++) {
      const cur = this.#cache.of(rt).objects.get(key);
      if (cur === undefined) throw newNotFound(rt.group, rt.plural, name);
      // tryUpdate reads the cached object (shared: it must not change it) and returns one of its own.
      const next = tryUpdate(cur.obj);
      await this.#prepareUpdate(ctx, rt, next, cur.obj, opts, keepManagedFields);
      if (sameExceptManaged(next, cur.obj) && (!keepManagedFields || jsonEqual(next, cur.obj)))
        return cur.obj;
      if (opts.dryRun === true) return next;
      delete next.metadata.resourceVersion;
      try {
        if (next.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers?.length ?? 0) === 0) {
          if (!this.#namespaceHeld(rt, next)) {
            const kv = await this.#backend.delete(key, cur.rev);
            const gone = decode(kv);
            return gone;
          }
        }
        const kv = await this.#backend.update(key, JSON.stringify(next), cur.rev);
        return this.#stored(rt, kv);
      } catch (err) {
        if (isConflict(err) && !pinned && attempt < this.#maxRetries) continue;
        if (isConflict(err)) throw newConflict(rt.group, rt.plural, name, optimisticLockMessage);
        throw this.#storeError(rt, name, err);
      }
    }
  }

  async #prepareUpdate(
    _ctx: RequestContext,
    rt: ResourceType,
    next: KubeObject,
    old: KubeObject,
    opts: WriteOptions,
    keepManagedFields: boolean,
  ): Promise<void> {
    const name = old.metadata.name ?? '';
    const meta = (next.metadata ??= {});
    const oldMeta = old.metadata;
    if (meta.name !== undefined && meta.name !== name) {
      throw newBadRequest(
        `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
      );
    }
    if (
      rt.namespaced &&
      meta.namespace !== undefined &&
      meta.namespace !== '' &&
      meta.namespace !== oldMeta.namespace
    ) {
      throw newBadRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== oldMeta.uid) {
      throw newConflict(
        rt.group,
        rt.plural,
        name,
        `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${oldMeta.uid ?? ''}`,
      );
    }
    // Fields the system owns.
    meta.name = name;
    if (oldMeta.namespace !== undefined) meta.namespace = oldMeta.namespace;
    meta.uid = oldMeta.uid!;
    meta.creationTimestamp = oldMeta.creationTimestamp!;
    if (oldMeta.deletionTimestamp !== undefined) {
      meta.deletionTimestamp = oldMeta.deletionTimestamp;
      if (oldMeta.deletionGracePeriodSeconds !== undefined) {
        meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      }
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    delete meta.selfLink;

    const behavior = behaviorFor(rt);
    const hasStatus = rt.subresources.includes('status');
    if (opts.subresource === 'status') {
      // Only status changes through the status subresource.
      const status = next['status'];
      const keep = clone(old);
      if (status === undefined) delete keep['status'];
      else keep['status'] = status;
      keep.metadata.resourceVersion = meta.resourceVersion ?? '';
      if (meta.managedFields !== undefined) keep.metadata.managedFields = meta.managedFields;
      for (const k of Object.keys(next)) delete next[k];
      Object.assign(next, keep);
    } else if (hasStatus) {
      if (old['status'] === undefined) delete next['status'];
      else next['status'] = clone(old['status']);
    }
    if (generationTracked.has(rt.group)) {
      meta.generation = oldMeta.generation ?? 1;
      if (opts.subresource !== 'status' && !sameSpec(next, old)) meta.generation += 1;
    } else {
      delete next.metadata.generation;
    }
    const hooks = prepare[rt.plural as ResourceName];
    if (opts.subresource === 'status') hooks?.statusUpdate?.(next, old, this.#clock.now());
    else hooks?.update?.(next, old, this.#clock.now());
    behavior.default?.(next);
    const errs =
      opts.subresource === 'status' && behavior.validateStatusUpdate !== undefined
        ? behavior.validateStatusUpdate(next, old)
        : behavior.validateUpdate(next, old);
    this.#validate(rt, name, errs);
    await this.#admission.validateUpdate(this.#admissionContext(), rt, next, old, opts.subresource);
    if (!keepManagedFields) {
      const mf = managedFieldsForUpdate(rt, old, next, opts.fieldManager, opts.subresource, this.#clock);
      if (mf === undefined || mf.length === 0) delete next.metadata.managedFields;
      else next.metadata.managedFields = mf;
    }
  }

  #decode(ctx: RequestContext, rt: ResourceType, input: unknown, opts: WriteOptions): DecodeResult {
    const res = decodeBody(rt, input, opts.fieldValidation ?? 'Ignore');
    ctx.warnings.push(...res.warnings);
    return res;
  }

  #validate(rt: ResourceType, name: string, errs: readonly FieldError[]): void {
    if (errs.length > 0) throw newInvalid(rt.group, rt.kind, name, errs);
  }

  #stored(rt: ResourceType, kv: KeyValue): KubeObject {
    const c = this.#cache.of(rt).objects.get(kv.key);
    if (c !== undefined && c.rev === kv.modRevision) return c.obj;
    return decode(kv);
  }

  #storeError(rt: ResourceType, name: string, err: unknown): Error {
    if (isStatusError(err)) return err;
    if (isKeyNotFound(err)) return newNotFound(rt.group, rt.plural, name);
    if (isConflict(err)) return newConflict(rt.group, rt.plural, name, optimisticLockMessage);
    log.error('store write failed', err, { resource: rt.plural, name });
    return newInternalError(err instanceof Error ? err.message : String(err));
  }

  #checkScope(scope: Scope, needNamespace = true): void {
    const rt = scope.resource;
    if (!rt.namespaced && scope.namespace !== undefined) {
      throw newNotFound('', '', '');
    }
    if (rt.namespaced && needNamespace && (scope.namespace === undefined || scope.namespace === '')) {
      throw newBadRequest('the server could not find the requested resource');
    }
  }

  #checkNamespaceOpen(rt: ResourceType, namespace: string, name: string): void {
    const nsRT = this.#cache.of(rt).rt.namespaced ? namespacesResource : undefined;
    if (nsRT === undefined) return;
    const ns = this.#cache.of(nsRT).objects.get(objectKey(nsRT, undefined, namespace));
    if (ns === undefined) throw newNotFound('', 'namespaces', namespace);
    if (ns.obj.metadata.deletionTimestamp !== undefined) {
      throw newForbidden(
        rt.group,
        rt.plural,
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  #namespaceHeld(rt: ResourceType, obj: KubeObject): boolean {
    if (rt.plural !== 'namespaces') return false;
    const spec = obj['spec'] as { finalizers?: string[] } | undefined;
    return (spec?.finalizers?.length ?? 0) > 0;
  }

  /** Seconds of grace for pods bound to a node (the kubelet finishes their deletion), else undefined. */
  #gracefulDeletion(rt: ResourceType, obj: KubeObject, opts: DeleteOptions): number | undefined {
    if (rt.plural !== 'pods') return undefined;
    const spec = obj['spec'] as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
    const status = obj['status'] as { phase?: string } | undefined;
    if (spec?.nodeName === undefined || spec.nodeName === '') return undefined;
    if (status?.phase === 'Succeeded' || status?.phase === 'Failed') return undefined;
    const grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    if (grace <= 0) return undefined;
    return grace;
  }

  #prepareStatusForCreate(rt: ResourceType, obj: KubeObject): void {
    if (statusClearedOnCreate.has(rt.plural)) delete obj['status'];
    if (rt.plural === 'pods') obj['status'] = { phase: 'Pending', qosClass: podQOS(obj) };
    if (rt.plural === 'namespaces') obj['status'] = { phase: 'Active' };
  }

  #admissionContext(): {
    lookup: (rt: ResourceType, namespace: string | undefined, name: string) => KubeObject | undefined;
    list: (rt: ResourceType) => KubeObject[];
  } {
    return {
      lookup: (rt, namespace, name) => this.#cache.of(rt).objects.get(objectKey(rt, namespace, name))?.obj,
      list: (rt) => [...this.#cache.of(rt).objects.values()].map((c) => c.obj),
    };
  }
}

const namespacesResource = Resources.namespaces;

function lowerBound(keys: readonly string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function withoutVolatile(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = o.metadata;
  return { ...o, metadata: meta };
}

function sameExceptManaged(a: KubeObject, b: KubeObject): boolean {
  return jsonEqual(withoutVolatile(a), withoutVolatile(b));
}

function sameSpec(a: KubeObject, b: KubeObject): boolean {
  const { metadata: _am, status: _as, ...ar } = a;
  const { metadata: _bm, status: _bs, ...br } = b;
  return jsonEqual(ar, br);
}

/** The pod's QoS class (BestEffort, Burstable, Guaranteed) as upstream's GetPodQOS decides it. */
function podQOS(pod: KubeObject): string {
  const spec = pod['spec'] as
    | {
        containers?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[];
      }
    | undefined;
  const containers = spec?.containers ?? [];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length > 0 || Object.keys(lim).length > 0) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && req[r] !== lim[r]) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
