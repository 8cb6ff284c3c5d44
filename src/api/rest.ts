// The verbs of the Kubernetes REST API as a TypeScript interface. The apiserver implements it once (its
// generic registry); the HTTP handlers and the in-process client both call that implementation, so a
// controller sees identical semantics whether it runs inside `kvol up` or talks over HTTPS.
import type { KubeList, KubeObject, WatchEvent } from './meta.ts';
import type { ResourceType } from './resources.ts';
import type { Status } from './status.ts';

export type PatchType =
  | 'application/json-patch+json'
  | 'application/merge-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/apply-patch+yaml';

export const patchTypes: readonly PatchType[] = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/** core/v1 Binding, the body of POST pods/{name}/binding. */
export interface Binding {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; annotations?: Record<string, string>; uid?: string };
  target: { kind?: string; name: string; apiVersion?: string };
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface Scope {
  readonly resource: ResourceType;
  /** Required for namespaced resources except on cluster-wide list/watch. */
  readonly namespace?: string;
}

export interface GetOptions {
  resourceVersion?: string;
  subresource?: 'status';
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  subresource?: 'status';
}

export interface PatchOptions extends WriteOptions {
  force?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  dryRun?: boolean;
}

/** Per-request context: who asks, and where warnings (HTTP `Warning: 299` headers) are collected. */
export interface RequestContext {
  readonly user?: string;
  readonly warnings: string[];
  readonly signal?: AbortSignal;
}

export interface DeleteResult {
  /** The object as it is now: with deletionTimestamp if finalizers hold it, else as last stored. */
  object: KubeObject;
  /** True when the object is gone from storage. */
  deleted: boolean;
}

export interface ObjectStore {
  get(ctx: RequestContext, scope: Scope, name: string, opts?: GetOptions): Promise<KubeObject>;
  list(ctx: RequestContext, scope: Scope, opts?: ListOptions): Promise<KubeList>;
  create(ctx: RequestContext, scope: Scope, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject>;
  update(ctx: RequestContext, scope: Scope, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject>;
  /** `patch` is the raw body (JSON text; YAML/JSON text for apply). Apply creates when absent. */
  patch(
    ctx: RequestContext,
    scope: Scope,
    name: string,
    type: PatchType,
    patch: string,
    opts?: PatchOptions,
  ): Promise<{ object: KubeObject; created: boolean }>;
  delete(ctx: RequestContext, scope: Scope, name: string, opts?: DeleteOptions): Promise<DeleteResult>;
  /**
   * The pods/binding subresource: assigns a pod to a node (`binding.target.name`) if it has none yet,
   * sets PodScheduled=True and merges the binding's annotations. 409 if the pod is already assigned
   * or being deleted.
   */
  bindPod(
    ctx: RequestContext,
    namespace: string,
    name: string,
    binding: Binding,
    opts?: WriteOptions,
  ): Promise<Status>;
  /**
   * Streams events to `sink` until the signal aborts, the timeout passes or the watch is ended by the
   * server. Resolves when it ends. A resourceVersion older than the server keeps throws a 410 StatusError
   * before any event is delivered.
   */
  watch(
    ctx: RequestContext,
    scope: Scope,
    opts: WatchOptions,
    sink: (ev: WatchEvent<KubeObject | Status>) => void,
    signal: AbortSignal,
  ): Promise<void>;
}
