// kvol's built-in csi-snapshotter (external-snapshotter v8 sidecar controller): cuts, verifies and
// deletes the backend snapshots of VolumeSnapshotContents whose spec.driver is a registered driver with
// its built-in switch on and the CREATE_DELETE_SNAPSHOT capability.
//
// - Dynamic content (source.volumeHandle): CreateSnapshot(name = `snapshot-<VolumeSnapshot UID>`,
//   source_volume_id, the class parameters minus the reserved `csi.storage.k8s.io/` keys, the snapshotter
//   secret named by the content's deletion-secret annotations). While the call is in flight the content
//   carries `snapshot.storage.kubernetes.io/volumesnapshot-being-created: yes`, removed once the driver
//   answered with success or a final error; a content being deleted waits for it, so a snapshot cut by a
//   call whose answer was lost is never leaked. Until the driver says ready_to_use the same call is
//   repeated: CSI makes CreateSnapshot idempotent by name, and the name is derived from the snapshot's
//   UID, so however often a call is repeated or the process is killed, one snapshot exists.
// - Pre-provisioned content (source.snapshotHandle): ListSnapshots(snapshot_id) verifies it (a driver
//   without LIST_SNAPSHOTS is trusted: ready).
// - Status: snapshotHandle, creationTime (Unix ns), readyToUse, restoreSize (bytes) on the status
//   subresource; failures set status.error and readyToUse=false with the event SnapshotCreationFailed or
//   SnapshotContentCheckandUpdateFailed.
// - Deletion (the content has a deletionTimestamp and the being-deleted annotation, or is an unbound
//   pre-provisioned one): with policy Delete, DeleteSnapshot and then the status is cleared; once no
//   snapshot handle is left the `volumesnapshotcontent-bound-protection` finalizer is removed (right
//   after the clear, not on the update it causes, which is skipped for a content with an error).
//
// Concurrency: one content at a time per key (the workqueue); contents in parallel across `workers`
// workers. A content not yet ready is polled again with a per-content exponential delay.
import {
  type CSIDriver,
  DeletionPolicy,
  deepCopy,
  formatTime,
  Resources,
  type VolumeSnapshotClass,
  type VolumeSnapshotContent,
  type VolumeSnapshotContentStatus,
} from '../../api/index.ts';
import {
  type Client,
  type EventRecorder,
  EventTypeWarning,
  type ResourceClient,
  runWorkers,
  type SharedIndexInformer,
  WorkQueue,
} from '../../client/index.ts';
import { type Clock, logger, realClock } from '../../component/index.ts';
import { type CsiClient, isCsiError, isFinalCsiError } from '../../csi/index.ts';
import {
  AnnDeletionSecretRefName,
  AnnDeletionSecretRefNamespace,
  AnnVolumeSnapshotBeingCreated,
  AnnVolumeSnapshotBeingDeleted,
  ControllerUpdateFailMsg,
  CsiParameterPrefix,
  PrefixedSnapshotterListSecretNameKey,
  PrefixedSnapshotterListSecretNamespaceKey,
  PrefixedSnapshotterSecretNameKey,
  PrefixedSnapshotterSecretNamespaceKey,
  SnapshotEvents,
  SnapshotNamePrefix,
  SnapshotterName,
  snapshotterSecretRef,
  VolumeSnapshotContentFinalizer,
} from '../snapshot/index.ts';
import { type DriverCapabilityCache, ownCapabilities } from './capabilities.ts';
import { builtinClient, builtinSidecarsEnabled, type CsiControllerContext } from './common.ts';
import type { CsiControllerOptions } from './options.ts';
import { readSecret } from './util.ts';

const log = logger(SnapshotterName);

/** The reserved class parameters the snapshotter understands (RemovePrefixedParameters). */
const knownPrefixedParameters: ReadonlySet<string> = new Set([
  PrefixedSnapshotterSecretNameKey,
  PrefixedSnapshotterSecretNamespaceKey,
  PrefixedSnapshotterListSecretNameKey,
  PrefixedSnapshotterListSecretNamespaceKey,
]);

/** The class parameters for CreateSnapshot: the reserved keys removed; an unknown reserved key refused. */
export function removeSnapshotPrefixedParameters(
  params: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (!k.startsWith(CsiParameterPrefix)) out[k] = v;
    else if (!knownPrefixedParameters.has(k)) {
      throw new Error(`found unknown parameter key "${k}" with reserved namespace ${CsiParameterPrefix}`);
    }
  }
  return out;
}

/** The backend snapshot name of a dynamic content: `snapshot-<VolumeSnapshot UID>`. */
export function snapshotNameFor(content: VolumeSnapshotContent): string {
  const uid = content.spec.volumeSnapshotRef.uid ?? '';
  if (uid === '') {
    throw new Error(
      `cannot create snapshot. Snapshot content ${content.metadata.name ?? ''} not bound to a snapshot`,
    );
  }
  return `${SnapshotNamePrefix}-${uid}`;
}

/** csi-snapshotter isCSIFinalError: anything but a gRPC status is not final. */
function isFinal(err: unknown): boolean {
  return isCsiError(err) && isFinalCsiError(err);
}

function contentIsReady(c: VolumeSnapshotContent): boolean {
  return c.status?.readyToUse === true;
}

export interface CsiSnapshotterOptions
  extends Pick<CsiControllerOptions, 'client' | 'informers' | 'clock' | 'capabilities'> {
  /** Where events go; without one the controller records none. */
  recorder?: EventRecorder;
  /** The drivers to act for; without it the controller does nothing. */
  csi?: CsiControllerContext;
  /** Deadline of one CSI call; default 120 s (the sidecar's --timeout is 1 min). */
  timeoutMs?: number;
  /** First and largest delay between checks of a snapshot not yet ready; default 1 s and 5 min. */
  retryIntervalStartMs?: number;
  retryIntervalMaxMs?: number;
}

interface SnapshotResult {
  handle: string;
  ready: boolean;
  /** Unix nanoseconds. */
  createdAt: number;
  size: number;
}

export class CsiSnapshotter {
  /** Content names. Exposed for tests. */
  readonly queue: WorkQueue<string>;
  readonly #client: Client;
  readonly #recorder: EventRecorder | undefined;
  readonly #csi: CsiControllerContext | undefined;
  readonly #caps: { caps: DriverCapabilityCache; done: () => void } | undefined;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #retryStartMs: number;
  readonly #retryMaxMs: number;
  readonly #contents: SharedIndexInformer<VolumeSnapshotContent>;
  readonly #classes: SharedIndexInformer<VolumeSnapshotClass>;
  /** Polls of a content not yet ready, for its backoff. */
  readonly #polls = new Map<string, number>();

  constructor(opts: CsiSnapshotterOptions) {
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#csi = opts.csi;
    this.#caps = opts.csi === undefined ? undefined : ownCapabilities(opts, opts.csi.drivers);
    this.#clock = opts.clock ?? realClock;
    this.#timeoutMs = opts.timeoutMs ?? 120_000;
    this.#retryStartMs = opts.retryIntervalStartMs ?? 1000;
    this.#retryMaxMs = opts.retryIntervalMaxMs ?? 300_000;
    this.queue = new WorkQueue<string>({ name: 'csi-snapshotter-content', clock: this.#clock });
    this.#contents = opts.informers.informerFor<VolumeSnapshotContent>(Resources.volumesnapshotcontents);
    this.#classes = opts.informers.informerFor<VolumeSnapshotClass>(Resources.volumesnapshotclasses);
    // A CSIDriver that appears or changes (its kvol.io/builtin-sidecars switch) may hand contents to us.
    opts.informers.informerFor<CSIDriver>(Resources.csidrivers).addEventHandler({
      onAdd: (d) => this.#requeueDriver(d.metadata.name ?? ''),
      onUpdate: (old, d) => {
        if (builtinSidecarsEnabled(old) !== builtinSidecarsEnabled(d))
          this.#requeueDriver(d.metadata.name ?? '');
      },
    });
    this.#contents.addEventHandler({
      onAdd: (c) => this.queue.add(c.metadata.name ?? ''),
      onUpdate: (old, c) => {
        // Our own in-flight marker and status writes to a content with an error are not news: polling
        // and retries keep their backoff instead of spinning on the updates they cause (upstream skips
        // every update of a content with an error; a change of its spec or metadata, such as its
        // deletion, is still looked at here, as nothing else would until a resync).
        if (c.status?.error !== undefined && onlyChanged(old, c, { status: true })) return;
        if (onlyChanged(old, c, { status: false })) return;
        this.queue.add(c.metadata.name ?? '');
      },
      onDelete: (c) => {
        this.queue.forget(c.metadata.name ?? '');
        this.#polls.delete(c.metadata.name ?? '');
      },
    });
  }

  #requeueDriver(driver: string): void {
    for (const c of this.#contents.list())
      if (c.spec.driver === driver) this.queue.add(c.metadata.name ?? '');
  }

  /** Waits for the caches, then runs `workers` workers until the signal aborts. */
  async run(signal: AbortSignal, workers = 1): Promise<void> {
    log.info('Starting CSI snapshotter');
    const unsubscribe = this.#csi?.drivers.subscribe((driver, info) => {
      // (The capability cache forgets what it knew of the driver: it may have restarted with others.)
      if (info === undefined) return;
      this.#requeueDriver(driver);
    });
    try {
      const synced = (await this.#contents.waitForSync(signal)) && (await this.#classes.waitForSync(signal));
      if (!synced) return;
      await runWorkers(this.queue, workers, (name) => this.#syncContentByName(name, signal), signal);
    } finally {
      unsubscribe?.();
      this.#caps?.done();
      this.queue.shutDown();
      log.info('Shutting down CSI snapshotter');
    }
  }

  #contentClient(): ResourceClient<VolumeSnapshotContent> {
    return this.#client.resource<VolumeSnapshotContent>(Resources.volumesnapshotcontents);
  }

  async #syncContentByName(name: string, signal: AbortSignal): Promise<void> {
    if (this.#csi === undefined || this.#caps === undefined) return;
    const content = this.#contents.getByKey(name);
    if (content === undefined) return;
    const csi = builtinClient(this.#csi, content.spec.driver);
    if (csi === undefined) return;
    const caps = await this.#caps.caps.get(content.spec.driver, csi, signal);
    if (!caps.controller.has('CREATE_DELETE_SNAPSHOT')) {
      log.v(4, 'CSI driver does not support CreateSnapshot', { driver: content.spec.driver, content: name });
      return;
    }
    const requeue = await this.#syncContent(content, csi, caps.controller.has('LIST_SNAPSHOTS'), signal);
    if (!requeue) {
      this.#polls.delete(name);
      return;
    }
    const n = this.#polls.get(name) ?? 0;
    this.#polls.set(name, n + 1);
    this.queue.addAfter(name, Math.min(this.#retryMaxMs, this.#retryStartMs * 2 ** Math.min(n, 20)));
  }

  /** Returns whether the content should be looked at again (it is not ready yet). */
  async #syncContent(
    content: VolumeSnapshotContent,
    csi: CsiClient,
    canList: boolean,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (shouldDeleteContent(content)) {
      if (
        content.spec.deletionPolicy === DeletionPolicy.Delete &&
        (content.status?.snapshotHandle ?? '') !== ''
      ) {
        const cleared = await this.#deleteCSISnapshot(content, csi, signal);
        // The status update that cleared the handle may be the last event of this content (updates of
        // a content with an error are skipped): remove the finalizer now instead of on a later sync.
        if (shouldDeleteContent(cleared) && (cleared.status?.snapshotHandle ?? '') === '')
          await this.#removeContentFinalizer(cleared, signal);
        return false;
      }
      await this.#removeContentFinalizer(content, signal);
      return false;
    }
    if (content.spec.source.volumeHandle !== undefined && content.status === undefined) {
      return this.#createSnapshot(content, csi, signal);
    }
    if (contentIsReady(content)) {
      await this.#removeAnnBeingCreated(content, signal);
      return false;
    }
    let updated: VolumeSnapshotContent;
    try {
      updated = await this.#checkAndUpdateContentStatus(content, csi, canList, signal);
    } catch (err) {
      await this.#updateContentErrorStatusWithEvent(
        content,
        SnapshotEvents.SnapshotContentCheckandUpdateFailed,
        `Failed to check and update snapshot content: ${errText(err)}`,
        signal,
      );
      throw err;
    }
    return !contentIsReady(updated);
  }

  async #createSnapshot(
    content: VolumeSnapshotContent,
    csi: CsiClient,
    signal: AbortSignal,
  ): Promise<boolean> {
    let updated: VolumeSnapshotContent;
    try {
      updated = await this.#createSnapshotWrapper(content, csi, signal);
    } catch (err) {
      await this.#updateContentErrorStatusWithEvent(
        content,
        SnapshotEvents.SnapshotCreationFailed,
        `Failed to create snapshot: ${errText(err)}`,
        signal,
      );
      throw err;
    }
    return !contentIsReady(updated);
  }

  async #checkAndUpdateContentStatus(
    content: VolumeSnapshotContent,
    csi: CsiClient,
    canList: boolean,
    signal: AbortSignal,
  ): Promise<VolumeSnapshotContent> {
    const handle = content.spec.source.snapshotHandle;
    if (handle === undefined) return this.#createSnapshotWrapper(content, csi, signal);
    let secrets: Record<string, string> | undefined;
    const className = content.spec.volumeSnapshotClassName;
    if (className !== undefined && className !== '') {
      const cls = this.#classes.getByKey(className);
      if (cls === undefined) {
        throw new Error(
          `failed to get snapshot class ${className} for snapshot content ${content.metadata.name ?? ''}: volumesnapshotclass.snapshot.storage.k8s.io "${className}" not found`,
        );
      }
      const ref = snapshotterSecretRef(cls.parameters, content.metadata.name ?? '', undefined, {
        name: PrefixedSnapshotterListSecretNameKey,
        namespace: PrefixedSnapshotterListSecretNamespaceKey,
      });
      secrets = await readSecret(this.#client, ref, signal);
    }
    let result: SnapshotResult;
    if (!canList) {
      // Without LIST_SNAPSHOTS the driver cannot be asked: upstream trusts the handle.
      result = { handle, ready: true, createdAt: this.#clock.now() * 1e6, size: 0 };
    } else {
      const res = await csi.listSnapshots(
        { snapshot_id: handle, ...(secrets !== undefined ? { secrets } : {}) },
        { signal, timeoutMs: this.#timeoutMs },
      );
      const snap = res.entries[0]?.snapshot;
      if (snap === undefined || snap === null)
        throw new Error(`can not find snapshot for snapshotID ${handle}`);
      result = {
        handle,
        ready: snap.ready_to_use,
        createdAt: this.#nanos(snap.creation_time),
        size: Number(snap.size_bytes === '' ? '0' : snap.size_bytes),
      };
    }
    return this.#updateSnapshotContentStatus(content, result, signal);
  }

  async #createSnapshotWrapper(
    contentIn: VolumeSnapshotContent,
    csi: CsiClient,
    signal: AbortSignal,
  ): Promise<VolumeSnapshotContent> {
    let content = contentIn;
    const name = content.metadata.name ?? '';
    const className = content.spec.volumeSnapshotClassName;
    let cls: VolumeSnapshotClass | undefined;
    let secrets: Record<string, string> | undefined;
    try {
      if (className === undefined || className === '') {
        throw new Error(`failed to take snapshot ${name} without a snapshot class`);
      }
      cls = this.#classes.getByKey(className);
      if (cls === undefined)
        throw new Error(`volumesnapshotclass.snapshot.storage.k8s.io "${className}" not found`);
      secrets = await this.#credentialsFromAnnotation(content, signal);
    } catch (err) {
      throw new Error(
        `failed to get input parameters to create snapshot for content ${name}: "${errText(err)}"`,
        {
          cause: err,
        },
      );
    }
    // Mark the call as in flight before making it: a deletion must wait for its answer.
    try {
      content = await this.#setAnnBeingCreated(content, signal);
    } catch (err) {
      throw new Error(
        `failed to add VolumeSnapshotBeingCreated annotation on the content ${name}: "${errText(err)}"`,
        {
          cause: err,
        },
      );
    }
    let parameters: Record<string, string>;
    try {
      parameters = removeSnapshotPrefixedParameters(cls.parameters);
    } catch (err) {
      throw new Error(`failed to remove CSI Parameters of prefixed keys: ${errText(err)}`, { cause: err });
    }
    const sourceVolume = content.spec.source.volumeHandle ?? '';
    let result: SnapshotResult;
    try {
      const res = await csi.createSnapshot(
        {
          name: snapshotNameFor(content),
          source_volume_id: sourceVolume,
          parameters,
          ...(secrets !== undefined ? { secrets } : {}),
        },
        { signal, timeoutMs: this.#timeoutMs },
      );
      const snap = res.snapshot;
      if (snap === null) throw new Error('CSI driver returned no snapshot');
      result = {
        handle: snap.snapshot_id,
        ready: snap.ready_to_use,
        createdAt: this.#nanos(snap.creation_time),
        size: Number(snap.size_bytes === '' ? '0' : snap.size_bytes),
      };
    } catch (err) {
      log.info('CreateSnapshot returned error', { content: name, err: errText(err) });
      // Only a final answer proves no snapshot is being cut; otherwise the annotation stays.
      if (isFinal(err)) content = await this.#removeAnnBeingCreated(content, signal);
      throw new Error(`failed to take snapshot of the volume ${sourceVolume}: "${errText(err)}"`, {
        cause: err,
      });
    }
    content = await this.#updateSnapshotContentStatus(content, result, signal);
    return this.#removeAnnBeingCreated(content, signal);
  }

  #nanos(ts: { seconds: string; nanos: number } | null): number {
    if (ts === null) return this.#clock.now() * 1e6;
    const ns = Number(ts.seconds) * 1e9 + ts.nanos;
    return ns === 0 ? this.#clock.now() * 1e6 : ns;
  }

  async #credentialsFromAnnotation(
    content: VolumeSnapshotContent,
    signal: AbortSignal,
  ): Promise<Record<string, string> | undefined> {
    const a = content.metadata.annotations ?? {};
    const name = a[AnnDeletionSecretRefName];
    const namespace = a[AnnDeletionSecretRefNamespace];
    if (name === undefined || namespace === undefined) return undefined;
    if (name === '' || namespace === '') {
      throw new Error(
        `cannot retrieve secrets for snapshot content "${content.metadata.name ?? ''}", err: secret name or namespace not specified`,
      );
    }
    try {
      return await readSecret(this.#client, { name, namespace }, signal);
    } catch (err) {
      throw new Error(`cannot get credentials for snapshot content "${content.metadata.name ?? ''}"`, {
        cause: err,
      });
    }
  }

  async #updateSnapshotContentStatus(
    content: VolumeSnapshotContent,
    r: SnapshotResult,
    signal: AbortSignal,
  ): Promise<VolumeSnapshotContent> {
    const client = this.#contentClient();
    const current = await client.get(content.metadata.name ?? '', { signal });
    let status: VolumeSnapshotContentStatus;
    let updated = false;
    if (current.status === undefined) {
      status = { snapshotHandle: r.handle, readyToUse: r.ready, creationTime: r.createdAt };
      if (r.size > 0) status.restoreSize = r.size;
      updated = true;
    } else {
      status = deepCopy(current.status);
      if (status.snapshotHandle === undefined) {
        status.snapshotHandle = r.handle;
        updated = true;
      }
      if (status.readyToUse !== r.ready) {
        status.readyToUse = r.ready;
        updated = true;
        if (r.ready) delete status.error;
      }
      if (status.creationTime === undefined) {
        status.creationTime = r.createdAt;
        updated = true;
      }
      if (status.restoreSize === undefined && r.size > 0) {
        status.restoreSize = r.size;
        updated = true;
      }
    }
    if (!updated) return current;
    try {
      return await client.patch(
        current.metadata.name ?? '',
        'application/json-patch+json',
        [{ op: 'add', path: '/status', value: status }],
        { signal, subresource: 'status' },
      );
    } catch (err) {
      throw new Error(
        `${ControllerUpdateFailMsg} ${content.metadata.name ?? ''} on API server: ${errText(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  async #updateContentErrorStatusWithEvent(
    content: VolumeSnapshotContent,
    reason: string,
    message: string,
    signal: AbortSignal,
  ): Promise<void> {
    if (content.status?.error?.message === message) return;
    const error = { time: formatTime(this.#clock.now()), message };
    const ops =
      content.status === undefined
        ? [{ op: 'add', path: '/status', value: { readyToUse: false, error } }]
        : [
            { op: 'add', path: '/status/error', value: error },
            { op: 'add', path: '/status/readyToUse', value: false },
          ];
    this.#recorder?.event(content, EventTypeWarning, reason, message);
    try {
      await this.#contentClient().patch(content.metadata.name ?? '', 'application/json-patch+json', ops, {
        signal,
        subresource: 'status',
      });
    } catch (err) {
      log.v(4, 'updating VolumeSnapshotContent error status failed', {
        content: content.metadata.name,
        err: errText(err),
      });
    }
  }

  async #deleteCSISnapshot(
    content: VolumeSnapshotContent,
    csi: CsiClient,
    signal: AbortSignal,
  ): Promise<VolumeSnapshotContent> {
    const name = content.metadata.name ?? '';
    let secrets: Record<string, string> | undefined;
    try {
      secrets = await this.#credentialsFromAnnotation(content, signal);
    } catch (err) {
      this.#recorder?.event(
        content,
        EventTypeWarning,
        SnapshotEvents.SnapshotDeleteError,
        'Failed to get snapshot credentials',
      );
      throw new Error(
        `failed to get input parameters to delete snapshot for content ${name}: "${errText(err)}"`,
        {
          cause: err,
        },
      );
    }
    try {
      await csi.deleteSnapshot(
        { snapshot_id: content.status?.snapshotHandle ?? '', ...(secrets !== undefined ? { secrets } : {}) },
        { signal, timeoutMs: this.#timeoutMs },
      );
    } catch (err) {
      this.#recorder?.event(
        content,
        EventTypeWarning,
        SnapshotEvents.SnapshotDeleteError,
        'Failed to delete snapshot',
      );
      throw new Error(`failed to delete snapshot "${name}", err: ${errText(err)}`, { cause: err });
    }
    // The backend snapshot is gone: clear the handle, so that the finalizer can go.
    try {
      const client = this.#contentClient();
      const current = await client.get(name, { signal });
      if (current.status === undefined) return current;
      const status = { ...current.status };
      delete status.snapshotHandle;
      delete status.readyToUse;
      delete status.creationTime;
      delete status.restoreSize;
      return await client.updateStatus({ ...current, status }, { signal });
    } catch (err) {
      this.#recorder?.event(
        content,
        EventTypeWarning,
        SnapshotEvents.SnapshotDeleteError,
        'Failed to clear content status',
      );
      throw err;
    }
  }

  async #removeContentFinalizer(content: VolumeSnapshotContent, signal: AbortSignal): Promise<void> {
    const finalizers = content.metadata.finalizers ?? [];
    if (!finalizers.includes(VolumeSnapshotContentFinalizer)) return;
    await this.#contentClient().patch(
      content.metadata.name ?? '',
      'application/merge-patch+json',
      {
        metadata: {
          resourceVersion: content.metadata.resourceVersion,
          finalizers: finalizers.filter((f) => f !== VolumeSnapshotContentFinalizer),
        },
      },
      { signal },
    );
  }

  async #setAnnBeingCreated(
    content: VolumeSnapshotContent,
    signal: AbortSignal,
  ): Promise<VolumeSnapshotContent> {
    if (content.metadata.annotations?.[AnnVolumeSnapshotBeingCreated] !== undefined) return content;
    const annotations = { ...(content.metadata.annotations ?? {}), [AnnVolumeSnapshotBeingCreated]: 'yes' };
    return this.#contentClient().patch(
      content.metadata.name ?? '',
      'application/json-patch+json',
      [{ op: 'add', path: '/metadata/annotations', value: annotations }],
      { signal },
    );
  }

  async #removeAnnBeingCreated(
    content: VolumeSnapshotContent,
    signal: AbortSignal,
  ): Promise<VolumeSnapshotContent> {
    if (content.metadata.annotations?.[AnnVolumeSnapshotBeingCreated] === undefined) return content;
    return this.#contentClient().patch(
      content.metadata.name ?? '',
      'application/json-patch+json',
      [
        {
          op: 'remove',
          path: `/metadata/annotations/${AnnVolumeSnapshotBeingCreated.replaceAll('/', '~1')}`,
        },
      ],
      { signal },
    );
  }
}

/** Whether the sidecar should delete the content now (csi-snapshotter shouldDeleteContent). */
export function shouldDeleteContent(content: VolumeSnapshotContent): boolean {
  if (content.metadata.deletionTimestamp === undefined) return false;
  if (content.spec.source.snapshotHandle !== undefined && (content.spec.volumeSnapshotRef.uid ?? '') === '') {
    return true;
  }
  // CreateSnapshot has not answered: deleting now could leak the snapshot it is cutting.
  if (content.metadata.annotations?.[AnnVolumeSnapshotBeingCreated] !== undefined) return false;
  return content.metadata.annotations?.[AnnVolumeSnapshotBeingDeleted] !== undefined;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The update only set or removed the being-created annotation and, with `status`, changed the status
 * (and bumped the resourceVersion).
 */
function onlyChanged(
  old: VolumeSnapshotContent,
  cur: VolumeSnapshotContent,
  ignore: { status: boolean },
): boolean {
  if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return false;
  const strip = (c: VolumeSnapshotContent): string => {
    const annotations = { ...(c.metadata.annotations ?? {}) };
    delete annotations[AnnVolumeSnapshotBeingCreated];
    return JSON.stringify({
      spec: c.spec,
      status: ignore.status ? undefined : c.status,
      finalizers: c.metadata.finalizers,
      deletionTimestamp: c.metadata.deletionTimestamp,
      annotations,
    });
  };
  return strip(old) === strip(cur);
}
