// InProcessClient: the Client for components that run in the same process as the apiserver (`kvol up`).
// It calls the ObjectStore directly and deep-copies every object crossing the boundary, so neither side
// can mutate the other's objects: what a controller holds is as detached as if it came over HTTP. Watch
// handlers marked with takesFrozenEvents (the informers) share one deep-frozen copy of each event instead.
import {
  type Binding,
  type DeleteResult,
  deepCopy,
  type KubeList,
  type KubeObject,
  newBadRequest,
  type ObjectStore,
  type PatchOptions,
  type PatchType,
  type RequestContext,
  type ResourceType,
  type Scope,
  type Status,
  type WatchOptions,
  type WriteOptions,
} from '../api/index.ts';
import { logger } from '../component/index.ts';
import {
  acceptsFrozenEvents,
  type CallOptions,
  type Client,
  type ClientDeleteOptions,
  type ClientGetOptions,
  type ClientListOptions,
  type ClientPatchOptions,
  type ClientWatchEvent,
  type ClientWriteOptions,
  deepFreeze,
  type ResourceClient,
  type WarningHandler,
} from './client.ts';

const log = logger('client');

/**
 * The deep-frozen copy of the store object of the event being delivered, shared by every watcher that
 * takes frozen events. The store calls all its watchers with the same object, one after another, so
 * remembering the last one makes N informers cost one copy per event instead of N; holding only that
 * one keeps no history alive.
 */
let lastSource: object | undefined;
let lastFrozen: object | undefined;

function sharedFrozenCopy<V extends object>(obj: V): V {
  if (obj !== lastSource) {
    lastFrozen = deepFreeze(deepCopy(obj));
    lastSource = obj;
  }
  return lastFrozen as V;
}

export interface InProcessClientOptions {
  /** The user every request runs as (RequestContext.user). */
  user?: string;
  /** Field manager for writes that name none; defaults to `kvol-controller`. */
  fieldManager?: string;
  /** Receives warnings the store adds to the request context; defaults to logging them. */
  onWarning?: WarningHandler;
}

export const defaultFieldManager = 'kvol-controller';

export class InProcessClient implements Client {
  readonly #store: ObjectStore;
  readonly #user: string | undefined;
  readonly #fieldManager: string;
  readonly #onWarning: WarningHandler;

  constructor(store: ObjectStore, opts: InProcessClientOptions = {}) {
    this.#store = store;
    this.#user = opts.user;
    this.#fieldManager = opts.fieldManager ?? defaultFieldManager;
    this.#onWarning = opts.onWarning ?? ((message) => log.warn('API warning', { warning: message }));
  }

  resource<T extends KubeObject = KubeObject>(rt: ResourceType, namespace?: string): ResourceClient<T> {
    return new InProcessResourceClient<T>(this.#store, rt, rt.namespaced ? namespace : undefined, {
      user: this.#user,
      fieldManager: this.#fieldManager,
      onWarning: this.#onWarning,
    });
  }
}

interface Defaults {
  user: string | undefined;
  fieldManager: string;
  onWarning: WarningHandler;
}

class InProcessResourceClient<T extends KubeObject> implements ResourceClient<T> {
  readonly resource: ResourceType;
  readonly namespace: string | undefined;
  readonly #store: ObjectStore;
  readonly #defaults: Defaults;

  constructor(store: ObjectStore, rt: ResourceType, namespace: string | undefined, defaults: Defaults) {
    this.#store = store;
    this.resource = rt;
    this.namespace = namespace;
    this.#defaults = defaults;
  }

  async get(name: string, opts: ClientGetOptions = {}): Promise<T> {
    const { signal, ...rest } = opts;
    return this.#call<T>(signal, (ctx) => this.#store.get(ctx, this.#named(), name, rest));
  }

  async list(opts: ClientListOptions = {}): Promise<KubeList<T>> {
    const { signal, ...rest } = opts;
    return this.#call<KubeList<T>>(signal, (ctx) => this.#store.list(ctx, this.#scope(this.namespace), rest));
  }

  async create(obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    const copy = deepCopy(obj);
    return this.#call<T>(opts.signal, (ctx) =>
      this.#store.create(ctx, this.#scopeFor(copy), copy, this.#writeOptions(opts)),
    );
  }

  async update(obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    const copy = deepCopy(obj);
    return this.#call<T>(opts.signal, (ctx) =>
      this.#store.update(ctx, this.#scopeFor(copy), copy, this.#writeOptions(opts)),
    );
  }

  async bindPod(
    name: string,
    nodeName: string,
    opts: ClientWriteOptions & { annotations?: Record<string, string> } = {},
  ): Promise<void> {
    const scope = this.#named();
    const binding: Binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, ...(opts.annotations !== undefined ? { annotations: { ...opts.annotations } } : {}) },
      target: { kind: 'Node', name: nodeName },
    };
    await this.#call<Status>(opts.signal, (ctx) =>
      this.#store.bindPod(ctx, scope.namespace ?? '', name, binding, this.#writeOptions(opts)),
    );
  }

  async updateStatus(obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    const copy = deepCopy(obj);
    const w = this.#writeOptions(opts);
    w.subresource = 'status';
    return this.#call<T>(opts.signal, (ctx) => this.#store.update(ctx, this.#scopeFor(copy), copy, w));
  }

  async patch(
    name: string,
    type: PatchType,
    body: string | object,
    opts: ClientPatchOptions = {},
  ): Promise<T> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const p: PatchOptions = this.#writeOptions(opts);
    if (opts.force !== undefined) p.force = opts.force;
    if (opts.subresource !== undefined) p.subresource = opts.subresource;
    return this.#call<T>(opts.signal, async (ctx) => {
      const r = await this.#store.patch(ctx, this.#named(), name, type, text, p);
      return r.object;
    });
  }

  async delete(name: string, opts: ClientDeleteOptions = {}): Promise<DeleteResult> {
    const { signal, ...rest } = opts;
    const r = await this.#call<DeleteResult>(signal, (ctx) =>
      this.#store.delete(ctx, this.#named(), name, rest),
    );
    return { object: r.object, deleted: r.deleted };
  }

  async watch(
    opts: WatchOptions,
    handler: (ev: ClientWatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const ctx = this.#context(signal);
    const shared = acceptsFrozenEvents(handler);
    try {
      await this.#store.watch(
        ctx,
        this.#scope(this.namespace),
        { ...opts },
        (ev) => {
          if (signal.aborted) return;
          const object = shared ? sharedFrozenCopy(ev.object) : deepCopy(ev.object);
          if (ev.type === 'ERROR') handler({ type: 'ERROR', object: object as Status });
          else handler({ type: ev.type, object: object as T });
        },
        signal,
      );
    } finally {
      this.#flushWarnings(ctx);
    }
  }

  #writeOptions(opts: ClientWriteOptions): WriteOptions {
    const w: WriteOptions = { fieldManager: opts.fieldManager ?? this.#defaults.fieldManager };
    if (opts.dryRun !== undefined) w.dryRun = opts.dryRun;
    if (opts.fieldValidation !== undefined) w.fieldValidation = opts.fieldValidation;
    return w;
  }

  #scope(namespace: string | undefined): Scope {
    return namespace === undefined ? { resource: this.resource } : { resource: this.resource, namespace };
  }

  /** The scope of a call naming one object: namespaced resources need a namespace. */
  #named(): Scope {
    if (this.resource.namespaced && this.namespace === undefined) {
      throw newBadRequest(`a namespace is required to name a ${this.resource.singular}`);
    }
    return this.#scope(this.namespace);
  }

  #scopeFor(obj: KubeObject): Scope {
    if (!this.resource.namespaced) return this.#scope(undefined);
    const ns = this.namespace ?? obj.metadata.namespace;
    if (ns === undefined || ns === '') {
      throw newBadRequest(`a namespace is required to write a ${this.resource.singular}`);
    }
    return this.#scope(ns);
  }

  #context(signal: AbortSignal | undefined): RequestContext {
    const ctx: { user?: string; warnings: string[]; signal?: AbortSignal } = { warnings: [] };
    if (this.#defaults.user !== undefined) ctx.user = this.#defaults.user;
    if (signal !== undefined) ctx.signal = signal;
    return ctx;
  }

  #flushWarnings(ctx: RequestContext): void {
    for (const w of ctx.warnings) this.#defaults.onWarning(w);
  }

  async #call<R>(signal: CallOptions['signal'], fn: (ctx: RequestContext) => Promise<unknown>): Promise<R> {
    signal?.throwIfAborted();
    const ctx = this.#context(signal);
    try {
      return deepCopy(await fn(ctx)) as R;
    } finally {
      this.#flushWarnings(ctx);
    }
  }
}
