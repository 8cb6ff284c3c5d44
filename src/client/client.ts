// The Client interface every controller, the scheduler and the node agent use to talk to the API. Two
// implementations keep identical semantics: InProcessClient calls the apiserver's ObjectStore directly,
// HttpClient speaks the Kubernetes REST protocol. Every failure is a StatusError on both.
import type {
  DeleteOptions,
  DeleteResult,
  FieldValidation,
  KubeList,
  KubeObject,
  ListOptions,
  PatchType,
  ResourceType,
  Status,
  WatchEventType,
  WatchOptions,
} from '../api/index.ts';

/** Every call can be cancelled; an aborted call rejects with the signal's reason. */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface ClientGetOptions extends CallOptions {
  resourceVersion?: string;
}

export interface ClientListOptions extends ListOptions, CallOptions {}

export interface ClientWriteOptions extends CallOptions {
  /** Sent as `dryRun=All`. */
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
}

export interface ClientPatchOptions extends ClientWriteOptions {
  /** Only meaningful for apply patches: take ownership of conflicting fields. */
  force?: boolean;
  /** Patch the status subresource instead of the main resource. */
  subresource?: 'status';
}

export interface ClientDeleteOptions extends DeleteOptions, CallOptions {}

/**
 * A watch event as a client sees it: objects of the watched type, or an ERROR event carrying the Status
 * the server sent (for example 410 Expired) just before it ended the watch.
 */
export type ClientWatchEvent<T extends KubeObject = KubeObject> =
  | { type: Exclude<WatchEventType, 'ERROR'>; object: T }
  | { type: 'ERROR'; object: Status };

/** The verbs on one resource type, optionally bound to one namespace. */
export interface ResourceClient<T extends KubeObject = KubeObject> {
  readonly resource: ResourceType;
  /** The bound namespace; undefined for cluster-scoped resources or all-namespace clients. */
  readonly namespace: string | undefined;
  get(name: string, opts?: ClientGetOptions): Promise<T>;
  list(opts?: ClientListOptions): Promise<KubeList<T>>;
  /** Creates the object; a namespaced object goes to the bound namespace or else its metadata.namespace. */
  create(obj: T, opts?: ClientWriteOptions): Promise<T>;
  /** Replaces the object; metadata.resourceVersion, when set, is an optimistic-lock precondition. */
  update(obj: T, opts?: ClientWriteOptions): Promise<T>;
  /** Replaces only the status of the object (the `status` subresource). */
  updateStatus(obj: T, opts?: ClientWriteOptions): Promise<T>;
  /** `body` is sent as is when a string, otherwise as its JSON text. Apply patches create when absent. */
  patch(name: string, type: PatchType, body: string | object, opts?: ClientPatchOptions): Promise<T>;
  delete(name: string, opts?: ClientDeleteOptions): Promise<DeleteResult>;
  /**
   * Pods only: POST pods/{name}/binding, assigning the pod to `nodeName`. Rejects with a Conflict
   * StatusError when the pod is already assigned or being deleted.
   */
  bindPod(
    name: string,
    nodeName: string,
    opts?: ClientWriteOptions & { annotations?: Record<string, string> },
  ): Promise<void>;
  /**
   * Calls handler for each event until the signal aborts (resolves), the server ends the watch
   * (resolves) or the watch fails (rejects with a StatusError). A resourceVersion the server no longer
   * has rejects with 410 before any event, or arrives as an ERROR event with code 410.
   */
  watch(opts: WatchOptions, handler: (ev: ClientWatchEvent<T>) => void, signal: AbortSignal): Promise<void>;
}

export interface Client {
  /**
   * A client for one resource type. For namespaced resources, `namespace` binds the client to one
   * namespace; without it, list and watch span all namespaces and writes use the object's namespace.
   */
  resource<T extends KubeObject = KubeObject>(rt: ResourceType, namespace?: string): ResourceClient<T>;
}

/** Freezes `v` and everything below it; returns `v`. Stops at objects already frozen. */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

const frozenEventHandlers = new WeakSet<object>();

/**
 * Marks a watch handler that never changes the objects it is given. A client may then hand it deep-frozen
 * objects shared with other such handlers instead of a copy of its own (the in-process client makes
 * one copy per event for all of them instead of one per watcher). Returns the handler.
 */
export function takesFrozenEvents<H extends object>(handler: H): H {
  frozenEventHandlers.add(handler);
  return handler;
}

/** True for a handler marked by takesFrozenEvents. */
export function acceptsFrozenEvents(handler: object): boolean {
  return frozenEventHandlers.has(handler);
}

/** Receives the API's warnings (`Warning: 299` headers, or the in-process context's warnings). */
export type WarningHandler = (message: string) => void;

/** Builds the request path of a resource, as Kubernetes routes it. */
export function resourcePath(
  rt: ResourceType,
  namespace: string | undefined,
  name?: string,
  subresource?: 'status' | 'binding',
): string {
  let p = rt.group === '' ? `/api/${rt.version}` : `/apis/${rt.group}/${rt.version}`;
  if (rt.namespaced && namespace !== undefined && namespace !== '') {
    p += `/namespaces/${encodeURIComponent(namespace)}`;
  }
  p += `/${rt.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource !== undefined) p += `/${subresource}`;
  return p;
}
