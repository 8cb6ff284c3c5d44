// The snapshot controller (external-snapshotter v8 "common controller", one per cluster): binds
// VolumeSnapshots to VolumeSnapshotContents. For a snapshot of a PVC it resolves the class (the default
// class of the PV's driver when none is named), protects the PVC with
// `snapshot.storage.kubernetes.io/pvc-as-source-protection` while the snapshot is being cut, creates the
// content `snapcontent-<snapshot UID>` for the CSI sidecar (kvol's built-in one is
// src/controller/csi/snapshotter.ts) and mirrors the content's status (readyToUse, creationTime,
// restoreSize, error) into the snapshot. A pre-provisioned snapshot binds to the content it names when
// the content's volumeSnapshotRef points back. Deleting a snapshot deletes its content when the policy
// is Delete (the sidecar deletes the backend snapshot and then lets the content go), keeps it with
// Retain, and removes the snapshot's finalizers in the order upstream does.
//
// The name `snapcontent-<snapshot UID>` makes content creation idempotent: a controller killed after
// the create finds the content again (AlreadyExists is reuse), so a snapshot never gets two contents.
//
// Concurrency: one queue of snapshot keys and one of content names; a key is handled by one worker at a
// time, different keys in parallel. Status writes read the object afresh first; finalizer writes carry
// the resourceVersion (or append with a JSON patch), so concurrent writers never lose each other's
// finalizers.
import {
  DeletionPolicy,
  deepCopy,
  formatTime,
  IsDefaultSnapshotClassAnnotation,
  isAlreadyExists,
  isConflict,
  isNotFound,
  type KubeObject,
  type PersistentVolume,
  type PersistentVolumeClaim,
  PersistentVolumeClaimPhase,
  Quantity,
  Resources,
  type VolumeSnapshot,
  type VolumeSnapshotClass,
  type VolumeSnapshotContent,
  type VolumeSnapshotStatus,
} from '../../api/index.ts';
import {
  type Client,
  type EventRecorder,
  type EventType,
  EventTypeNormal,
  EventTypeWarning,
  metaNamespaceKey,
  type ResourceClient,
  runWorkers,
  type SharedIndexInformer,
  type SharedInformerFactory,
  WorkQueue,
} from '../../client/index.ts';
import { type Clock, logger, realClock } from '../../component/index.ts';
import {
  AnnDeletionSecretRefName,
  AnnDeletionSecretRefNamespace,
  AnnVolumeSnapshotBeingDeleted,
  ControllerUpdateFailMsg,
  PrefixedSnapshotterSecretNameKey,
  PrefixedSnapshotterSecretNamespaceKey,
  PVCFinalizer,
  SnapshotContentNamePrefix,
  SnapshotControllerName,
  SnapshotEvents,
  VolumeSnapshotAsSourceFinalizer,
  VolumeSnapshotBoundFinalizer,
  VolumeSnapshotContentFinalizer,
} from './constants.ts';

const log = logger(SnapshotControllerName);

const SnapshotAPIGroup = 'snapshot.storage.k8s.io';
const SnapshotAPIVersion = 'snapshot.storage.k8s.io/v1';

export interface SnapshotControllerOptions {
  client: Client;
  informers: SharedInformerFactory;
  recorder?: EventRecorder;
  clock?: Clock;
  /** Unused (the common controller talks to no driver); accepted so every controller takes one shape. */
  csi?: unknown;
  /** Re-check delay of a snapshot whose deletion waits for a restore; default 10 s. */
  deletePendingRetryMs?: number;
}

/** A failed API write (upstream controllerUpdateError). */
export class SnapshotUpdateError extends Error {
  override readonly name = 'SnapshotUpdateError';
  constructor(objectName: string, message: string, options?: { cause?: unknown }) {
    super(`${ControllerUpdateFailMsg} ${objectName} on API server: ${message}`, options);
  }
}

export function isSnapshotUpdateError(err: unknown): err is SnapshotUpdateError {
  return err instanceof SnapshotUpdateError;
}

// ---- helpers (pkg/utils) ----

export function snapshotKey(s: VolumeSnapshot): string {
  return `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;
}

/** The name of the content of a dynamic snapshot: `snapcontent-<UID>`. */
export function dynamicContentName(s: VolumeSnapshot): string {
  return `${SnapshotContentNamePrefix}${s.metadata.uid ?? ''}`;
}

export function isSnapshotReady(s: VolumeSnapshot): boolean {
  return s.status?.readyToUse === true;
}

function isBound(s: VolumeSnapshot): boolean {
  return (s.status?.boundVolumeSnapshotContentName ?? '') !== '';
}

function isCreated(s: VolumeSnapshot): boolean {
  return s.status?.creationTime !== undefined;
}

function hasFinalizer(o: KubeObject, f: string): boolean {
  return (o.metadata.finalizers ?? []).includes(f);
}

function isSnapshotDeletionCandidate(s: VolumeSnapshot): boolean {
  return (
    s.metadata.deletionTimestamp !== undefined &&
    (hasFinalizer(s, VolumeSnapshotAsSourceFinalizer) || hasFinalizer(s, VolumeSnapshotBoundFinalizer))
  );
}

/** The content's ref names this snapshot, UID included (IsVolumeSnapshotRefSet). */
function isRefSet(s: VolumeSnapshot, c: VolumeSnapshotContent): boolean {
  const r = c.spec.volumeSnapshotRef;
  return r.name === s.metadata.name && r.namespace === s.metadata.namespace && r.uid === s.metadata.uid;
}

/** The content's status says readyToUse. */
export function contentReady(c: VolumeSnapshotContent): boolean {
  return c.status?.readyToUse === true;
}

/**
 * Resolves a `csi.storage.k8s.io/snapshotter-secret-*` pair of class parameters (GetSecretReference):
 * both or neither must be set; `${volumesnapshotcontent.name}`, `${volumesnapshot.name}` and
 * `${volumesnapshot.namespace}` are substituted.
 */
export function snapshotterSecretRef(
  params: Record<string, string> | undefined,
  contentName: string,
  snapshot: VolumeSnapshot | undefined,
  keys: { name: string; namespace: string } = {
    name: PrefixedSnapshotterSecretNameKey,
    namespace: PrefixedSnapshotterSecretNamespaceKey,
  },
): { name: string; namespace: string } | undefined {
  const nameT = params?.[keys.name];
  const nsT = params?.[keys.namespace];
  if (nameT === undefined && nsT === undefined) return undefined;
  if (nameT === undefined || nsT === undefined) {
    throw new Error(
      `either ${keys.name} and ${keys.namespace} parameters must be specified together, or none`,
    );
  }
  const vars: Record<string, string> = { 'volumesnapshotcontent.name': contentName };
  if (snapshot !== undefined) {
    vars['volumesnapshot.name'] = snapshot.metadata.name ?? '';
    vars['volumesnapshot.namespace'] = snapshot.metadata.namespace ?? '';
  }
  const resolve = (t: string, what: string): string => {
    const out = t.replace(/\$\{([^}]+)\}/g, (_m, k: string) => {
      const v = vars[k];
      if (v === undefined) throw new Error(`${what} ${JSON.stringify(t)} contains unknown token ${k}`);
      return v;
    });
    if (out === '') throw new Error(`${what} ${JSON.stringify(t)} resolves to an empty value`);
    return out;
  };
  return { name: resolve(nameT, 'secret name'), namespace: resolve(nsT, 'secret namespace') };
}

/** Unix nanoseconds (the content's creationTime) as a metav1.Time string. */
export function nanosToTime(ns: number): string {
  return formatTime(Math.floor(ns / 1e6));
}

// ---- the controller ----

export class SnapshotController {
  /** Snapshot keys (`namespace/name`). Exposed for tests. */
  readonly snapshotQueue: WorkQueue<string>;
  /** Content names. Exposed for tests. */
  readonly contentQueue: WorkQueue<string>;
  readonly #client: Client;
  readonly #recorder: EventRecorder | undefined;
  readonly #clock: Clock;
  readonly #deletePendingRetryMs: number;
  readonly #snapshots: SharedIndexInformer<VolumeSnapshot>;
  readonly #contents: SharedIndexInformer<VolumeSnapshotContent>;
  readonly #classes: SharedIndexInformer<VolumeSnapshotClass>;
  readonly #claims: SharedIndexInformer<PersistentVolumeClaim>;

  constructor(opts: SnapshotControllerOptions) {
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#clock = opts.clock ?? realClock;
    this.#deletePendingRetryMs = opts.deletePendingRetryMs ?? 10_000;
    this.snapshotQueue = new WorkQueue<string>({ name: 'snapshot-controller-snapshot', clock: this.#clock });
    this.contentQueue = new WorkQueue<string>({ name: 'snapshot-controller-content', clock: this.#clock });
    this.#snapshots = opts.informers.informerFor<VolumeSnapshot>(Resources.volumesnapshots);
    this.#contents = opts.informers.informerFor<VolumeSnapshotContent>(Resources.volumesnapshotcontents);
    this.#classes = opts.informers.informerFor<VolumeSnapshotClass>(Resources.volumesnapshotclasses);
    this.#claims = opts.informers.informerFor<PersistentVolumeClaim>(Resources.persistentvolumeclaims);
    this.#snapshots.addEventHandler({
      onAdd: (s) => this.snapshotQueue.add(metaNamespaceKey(s)),
      onUpdate: (_o, s) => this.snapshotQueue.add(metaNamespaceKey(s)),
      onDelete: (s) => {
        // The content may now have to be deleted or released.
        const name = s.status?.boundVolumeSnapshotContentName;
        if (name !== undefined && name !== '') this.contentQueue.add(name);
      },
    });
    this.#contents.addEventHandler({
      onAdd: (c) => this.contentQueue.add(c.metadata.name ?? ''),
      onUpdate: (_o, c) => this.contentQueue.add(c.metadata.name ?? ''),
      onDelete: (c) => {
        // The bound finalizer of the snapshot waits for its content to go.
        const ref = c.spec.volumeSnapshotRef;
        if ((ref.name ?? '') !== '') this.snapshotQueue.add(`${ref.namespace ?? ''}/${ref.name ?? ''}`);
      },
    });
  }

  /** Waits for the caches, then runs `workers` workers per queue until the signal aborts. */
  async run(signal: AbortSignal, workers = 1): Promise<void> {
    log.info('Starting snapshot controller');
    try {
      for (const inf of [this.#snapshots, this.#contents, this.#classes, this.#claims] as const) {
        if (!(await (inf as SharedIndexInformer<KubeObject>).waitForSync(signal))) return;
      }
      await Promise.all([
        runWorkers(this.snapshotQueue, workers, (key) => this.#syncSnapshotByKey(key, signal), signal),
        runWorkers(this.contentQueue, workers, (name) => this.#syncContentByName(name, signal), signal),
      ]);
    } finally {
      this.snapshotQueue.shutDown();
      this.contentQueue.shutDown();
      log.info('Shutting down snapshot controller');
    }
  }

  #snapshotClient(namespace: string | undefined): ResourceClient<VolumeSnapshot> {
    return this.#client.resource<VolumeSnapshot>(Resources.volumesnapshots, namespace ?? '');
  }

  #contentClient(): ResourceClient<VolumeSnapshotContent> {
    return this.#client.resource<VolumeSnapshotContent>(Resources.volumesnapshotcontents);
  }

  #event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.#recorder?.event(obj, type, reason, message);
  }

  // ---- contents ----

  async #syncContentByName(name: string, signal: AbortSignal): Promise<void> {
    const content = this.#contents.getByKey(name);
    if (content === undefined) return;
    const src = content.spec.source;
    if ((src.volumeHandle === undefined) === (src.snapshotHandle === undefined)) {
      const msg = 'Exactly one of VolumeHandle and SnapshotHandle should be specified';
      this.#event(content, EventTypeWarning, SnapshotEvents.ContentValidationError, msg);
      throw new Error(msg);
    }
    // Pre-bound to a snapshot that has not bound it yet: the snapshot's sync does that.
    if ((content.spec.volumeSnapshotRef.uid ?? '') === '') return;
    if (
      content.metadata.deletionTimestamp === undefined &&
      !hasFinalizer(content, VolumeSnapshotContentFinalizer)
    ) {
      await this.#appendFinalizer(this.#contentClient(), content, VolumeSnapshotContentFinalizer, signal);
      return;
    }
    const ref = content.spec.volumeSnapshotRef;
    const snapKey = `${ref.namespace ?? ''}/${ref.name ?? ''}`;
    let snapshot = this.#snapshots.getByKey(snapKey);
    if (snapshot !== undefined && snapshot.metadata.uid !== ref.uid) {
      snapshot = undefined; // the snapshot it was made for is gone; another took its name
    } else if (snapshot !== undefined && needsUpdateSnapshotStatus(snapshot, content)) {
      this.snapshotQueue.add(snapKey);
    }
    // Never delete a content whose snapshot is merely missing (it may come from another cluster).
    if (snapshot !== undefined && isSnapshotDeletionCandidate(snapshot)) {
      await this.#setAnnBeingDeleted(content, signal);
    }
  }

  async #setAnnBeingDeleted(
    content: VolumeSnapshotContent,
    signal: AbortSignal,
  ): Promise<VolumeSnapshotContent> {
    if (content.metadata.annotations?.[AnnVolumeSnapshotBeingDeleted] !== undefined) return content;
    const annotations = { ...(content.metadata.annotations ?? {}), [AnnVolumeSnapshotBeingDeleted]: 'yes' };
    try {
      return await this.#contentClient().patch(
        content.metadata.name ?? '',
        'application/json-patch+json',
        [{ op: 'add', path: '/metadata/annotations', value: annotations }],
        { signal },
      );
    } catch (err) {
      throw new SnapshotUpdateError(content.metadata.name ?? '', errText(err), { cause: err });
    }
  }

  // ---- snapshots ----

  async #syncSnapshotByKey(key: string, signal: AbortSignal): Promise<void> {
    const cached = this.#snapshots.getByKey(key);
    if (cached === undefined) return;
    let snapshot = cached;
    if (snapshot.metadata.deletionTimestamp === undefined) {
      snapshot = await this.#checkAndUpdateSnapshotClass(snapshot, signal);
    }
    await this.#syncSnapshot(snapshot, signal);
  }

  async #checkAndUpdateSnapshotClass(snapshot: VolumeSnapshot, signal: AbortSignal): Promise<VolumeSnapshot> {
    const className = snapshot.spec.volumeSnapshotClassName;
    if (className !== undefined && className !== '') {
      if (this.#classes.getByKey(className) === undefined) {
        const err = new Error(`volumesnapshotclass.snapshot.storage.k8s.io "${className}" not found`);
        await this.#updateSnapshotErrorStatusWithEvent(
          snapshot,
          false,
          SnapshotEvents.GetSnapshotClassFailed,
          `Failed to get snapshot class with error ${err.message}`,
          signal,
        );
        throw err;
      }
      return snapshot;
    }
    if (snapshot.spec.source.volumeSnapshotContentName !== undefined) return snapshot; // pre-provisioned
    try {
      const driver = await this.#pvDriverFromSnapshot(snapshot, signal);
      const defaults = this.#classes
        .list()
        .filter(
          (c) => c.metadata.annotations?.[IsDefaultSnapshotClassAnnotation] === 'true' && c.driver === driver,
        );
      if (defaults.length === 0) throw new Error('cannot find default snapshot class');
      if (defaults.length > 1) throw new Error(`${defaults.length} default snapshot classes were found`);
      return await this.#snapshotClient(snapshot.metadata.namespace).patch(
        snapshot.metadata.name ?? '',
        'application/json-patch+json',
        [{ op: 'add', path: '/spec/volumeSnapshotClassName', value: defaults[0]?.metadata.name }],
        { signal },
      );
    } catch (err) {
      await this.#updateSnapshotErrorStatusWithEvent(
        snapshot,
        false,
        SnapshotEvents.SetDefaultSnapshotClassFailed,
        `Failed to set default snapshot class with error ${errText(err)}`,
        signal,
      );
      throw err;
    }
  }

  async #syncSnapshot(snapshot: VolumeSnapshot, signal: AbortSignal): Promise<void> {
    try {
      await this.#checkAndRemovePVCFinalizer(snapshot, false, signal);
    } catch (err) {
      log.error('error check and remove PVC finalizer', err, { snapshot: snapshotKey(snapshot) });
      this.#event(
        snapshot,
        EventTypeWarning,
        SnapshotEvents.ErrorPVCFinalizer,
        'Error check and remove PVC Finalizer for VolumeSnapshot',
      );
    }
    if (snapshot.metadata.deletionTimestamp !== undefined) {
      await this.#processSnapshotWithDeletionTimestamp(snapshot, signal);
      return;
    }
    const src = snapshot.spec.source;
    if ((src.persistentVolumeClaimName === undefined) === (src.volumeSnapshotContentName === undefined)) {
      const msg =
        'Exactly one of PersistentVolumeClaimName and VolumeSnapshotContentName should be specified';
      await this.#updateSnapshotErrorStatusWithEvent(
        snapshot,
        true,
        SnapshotEvents.SnapshotValidationError,
        msg,
        signal,
      );
      throw new Error(msg);
    }
    try {
      await this.#checkAndAddSnapshotFinalizers(snapshot, signal);
    } catch (err) {
      this.#event(
        snapshot,
        EventTypeWarning,
        SnapshotEvents.SnapshotFinalizerError,
        `Failed to check and update snapshot: ${errText(err)}`,
      );
      throw err;
    }
    if (!isSnapshotReady(snapshot) || !isBound(snapshot)) {
      await this.#syncUnreadySnapshot(snapshot, signal);
      return;
    }
    await this.#syncReadySnapshot(snapshot, signal);
  }

  async #syncReadySnapshot(snapshot: VolumeSnapshot, signal: AbortSignal): Promise<void> {
    const content = this.#contents.getByKey(snapshot.status?.boundVolumeSnapshotContentName ?? '');
    if (content === undefined) {
      await this.#updateSnapshotErrorStatusWithEvent(
        snapshot,
        true,
        SnapshotEvents.SnapshotContentMissing,
        'VolumeSnapshotContent is missing',
        signal,
      );
      return;
    }
    if (!isRefSet(snapshot, content)) {
      await this.#updateSnapshotErrorStatusWithEvent(
        snapshot,
        true,
        SnapshotEvents.SnapshotMisbound,
        'VolumeSnapshotContent is not bound to the VolumeSnapshot correctly',
        signal,
      );
    }
  }

  async #syncUnreadySnapshot(snapshot: VolumeSnapshot, signal: AbortSignal): Promise<void> {
    const key = snapshotKey(snapshot);
    if (snapshot.spec.source.volumeSnapshotContentName !== undefined) {
      const content = await this.#getPreprovisionedContent(snapshot, signal);
      if (content === undefined) {
        await this.#updateSnapshotErrorStatusWithEvent(
          snapshot,
          true,
          SnapshotEvents.SnapshotContentMissing,
          'VolumeSnapshotContent is missing',
          signal,
        );
        throw new Error(
          `snapshot ${key} requests an non-existing content ${snapshot.spec.source.volumeSnapshotContentName}`,
        );
      }
      let bound: VolumeSnapshotContent;
      try {
        bound = await this.#checkAndBindSnapshotContent(snapshot, content, signal);
      } catch (err) {
        await this.#updateSnapshotErrorStatusWithEvent(
          snapshot,
          true,
          SnapshotEvents.SnapshotBindFailed,
          `Snapshot failed to bind VolumeSnapshotContent, ${errText(err)}`,
          signal,
        );
        throw err;
      }
      await this.#updateStatusOrReport(snapshot, bound, signal);
      return;
    }

    const existing = await this.#getDynamicContent(snapshot, signal);
    if (existing !== undefined) {
      if (existing.spec.source.snapshotHandle !== undefined) {
        await this.#updateSnapshotErrorStatusWithEvent(
          snapshot,
          true,
          SnapshotEvents.SnapshotHandleSet,
          `Snapshot handle should not be set in content ${key} for dynamic provisioning`,
          signal,
        );
        throw new Error(
          `snapshotHandle should not be set in the content for dynamic provisioning for snapshot ${key}`,
        );
      }
      await this.#updateStatusOrReport(snapshot, existing, signal);
      return;
    }
    if (snapshot.spec.source.persistentVolumeClaimName === undefined) {
      await this.#updateSnapshotErrorStatusWithEvent(
        snapshot,
        true,
        SnapshotEvents.SnapshotPVCSourceMissing,
        `PVC source for snapshot ${key} is missing`,
        signal,
      );
      throw new Error(`expected PVC source for snapshot ${key} but got nil`);
    }
    let content: VolumeSnapshotContent;
    try {
      content = await this.#createSnapshotContent(snapshot, signal);
    } catch (err) {
      await this.#updateSnapshotErrorStatusWithEvent(
        snapshot,
        true,
        SnapshotEvents.SnapshotContentCreationFailed,
        `Failed to create snapshot content with error ${errText(err)}`,
        signal,
      );
      throw err;
    }
    await this.#updateStatusOrReport(snapshot, content, signal);
  }

  async #updateStatusOrReport(snapshot: VolumeSnapshot, content: VolumeSnapshotContent, signal: AbortSignal) {
    try {
      await this.#updateSnapshotStatus(snapshot, content, signal);
    } catch (err) {
      await this.#updateSnapshotErrorStatusWithEvent(
        snapshot,
        false,
        SnapshotEvents.SnapshotStatusUpdateFailed,
        `Snapshot status update failed, ${errText(err)}`,
        signal,
      );
      throw err;
    }
  }

  async #getPreprovisionedContent(
    snapshot: VolumeSnapshot,
    signal: AbortSignal,
  ): Promise<VolumeSnapshotContent | undefined> {
    const name = snapshot.spec.source.volumeSnapshotContentName ?? '';
    if (name === '') throw new Error(`empty VolumeSnapshotContentName for snapshot ${snapshotKey(snapshot)}`);
    const content = this.#contents.getByKey(name);
    if (content === undefined) return undefined;
    if (content.spec.source.snapshotHandle === undefined) {
      await this.#updateSnapshotErrorStatusWithEvent(
        snapshot,
        true,
        SnapshotEvents.SnapshotContentMismatch,
        'VolumeSnapshotContent is dynamically provisioned while expecting a pre-provisioned one',
        signal,
      );
      throw new Error(
        `snapshot ${snapshotKey(snapshot)} expects a pre-provisioned VolumeSnapshotContent ${name} but gets a dynamically provisioned one`,
      );
    }
    const ref = content.spec.volumeSnapshotRef;
    if (
      ref.name !== snapshot.metadata.name ||
      ref.namespace !== snapshot.metadata.namespace ||
      ((ref.uid ?? '') !== '' && ref.uid !== snapshot.metadata.uid)
    ) {
      await this.#contentMisbound(snapshot, name, signal);
    }
    return content;
  }

  async #getDynamicContent(
    snapshot: VolumeSnapshot,
    signal: AbortSignal,
  ): Promise<VolumeSnapshotContent | undefined> {
    const name = dynamicContentName(snapshot);
    const content = this.#contents.getByKey(name);
    if (content === undefined) return undefined;
    if (content.spec.source.volumeHandle === undefined) {
      await this.#updateSnapshotErrorStatusWithEvent(
        snapshot,
        true,
        SnapshotEvents.SnapshotContentMismatch,
        `VolumeSnapshotContent ${name} is pre-provisioned while expecting a dynamically provisioned one`,
        signal,
      );
      throw new Error(
        `snapshot ${snapshotKey(snapshot)} expects a dynamically provisioned VolumeSnapshotContent ${name} but gets a pre-provisioned one`,
      );
    }
    if (!isRefSet(snapshot, content)) {
      await this.#contentMisbound(snapshot, name, signal);
    }
    return content;
  }

  async #checkAndBindSnapshotContent(
    snapshot: VolumeSnapshot,
    content: VolumeSnapshotContent,
    signal: AbortSignal,
  ): Promise<VolumeSnapshotContent> {
    const ref = content.spec.volumeSnapshotRef;
    const mismatch = `Could not bind snapshot ${snapshot.metadata.name ?? ''} and content ${content.metadata.name ?? ''}, the VolumeSnapshotRef does not match`;
    if (ref.name !== snapshot.metadata.name) throw new Error(mismatch);
    if ((ref.uid ?? '') !== '' && ref.uid !== snapshot.metadata.uid) throw new Error(mismatch);
    if ((ref.uid ?? '') !== '' && content.spec.volumeSnapshotClassName !== undefined) return content;
    const ops: unknown[] = [{ op: 'add', path: '/spec/volumeSnapshotRef/uid', value: snapshot.metadata.uid }];
    if (snapshot.spec.volumeSnapshotClassName !== undefined) {
      ops.push({
        op: 'add',
        path: '/spec/volumeSnapshotClassName',
        value: snapshot.spec.volumeSnapshotClassName,
      });
    }
    return this.#contentClient().patch(content.metadata.name ?? '', 'application/json-patch+json', ops, {
      signal,
    });
  }

  async #createSnapshotContent(
    snapshot: VolumeSnapshot,
    signal: AbortSignal,
  ): Promise<VolumeSnapshotContent> {
    await this.#ensurePVCFinalizer(snapshot, signal);
    const className = snapshot.spec.volumeSnapshotClassName;
    if (className === undefined || className === '') {
      throw new Error(
        `failed to get input parameters to create snapshot ${snapshot.metadata.name ?? ''}: "failed to take snapshot ${snapshot.metadata.name ?? ''} without a snapshot class"`,
      );
    }
    const cls = this.#classes.getByKey(className);
    if (cls === undefined)
      throw new Error(`volumesnapshotclass.snapshot.storage.k8s.io "${className}" not found`);
    const pv = await this.#volumeFromSnapshot(snapshot, signal);
    const csi = pv.spec?.csi;
    if (csi === undefined)
      throw new Error(`cannot find CSI PersistentVolumeSource for volume ${pv.metadata.name ?? ''}`);
    if (csi.driver !== cls.driver) {
      // Upstream leaves this to fail at CreateSnapshot; kvol refuses before making a content no sidecar can serve.
      throw new Error(
        `VolumeSnapshotClass ${className} is for driver ${cls.driver}, but volume ${pv.metadata.name ?? ''} belongs to driver ${csi.driver}`,
      );
    }
    const contentName = dynamicContentName(snapshot);
    const secretRef = snapshotterSecretRef(cls.parameters, contentName, snapshot);
    const content: VolumeSnapshotContent = {
      apiVersion: SnapshotAPIVersion,
      kind: 'VolumeSnapshotContent',
      metadata: {
        name: contentName,
        ...(secretRef !== undefined
          ? {
              annotations: {
                [AnnDeletionSecretRefName]: secretRef.name,
                [AnnDeletionSecretRefNamespace]: secretRef.namespace,
              },
            }
          : {}),
      },
      spec: {
        volumeSnapshotRef: {
          kind: 'VolumeSnapshot',
          namespace: snapshot.metadata.namespace ?? '',
          name: snapshot.metadata.name ?? '',
          uid: snapshot.metadata.uid ?? '',
          apiVersion: SnapshotAPIVersion,
          resourceVersion: snapshot.metadata.resourceVersion ?? '',
        },
        source: { volumeHandle: csi.volumeHandle },
        volumeSnapshotClassName: className,
        deletionPolicy: cls.deletionPolicy,
        driver: cls.driver,
        ...(pv.spec?.volumeMode !== undefined ? { sourceVolumeMode: pv.spec.volumeMode } : {}),
      },
    };
    let saved: VolumeSnapshotContent;
    try {
      saved = await this.#contentClient().create(content, { signal });
    } catch (err) {
      if (!isAlreadyExists(err)) {
        const msg = `Error creating volume snapshot content object for snapshot ${snapshotKey(snapshot)}: ${errText(err)}.`;
        this.#event(snapshot, EventTypeWarning, SnapshotEvents.CreateSnapshotContentFailed, msg);
        throw new SnapshotUpdateError(snapshotKey(snapshot), errText(err), { cause: err });
      }
      log.v(3, 'volume snapshot content for snapshot already exists, reusing', {
        content: contentName,
        snapshot: snapshotKey(snapshot),
      });
      saved = await this.#contentClient().get(contentName, { signal });
    }
    this.#event(
      snapshot,
      EventTypeNormal,
      SnapshotEvents.CreatingSnapshot,
      `Waiting for a snapshot ${snapshotKey(snapshot)} to be created by the CSI driver.`,
    );
    return saved;
  }

  /** The PV of the snapshot's bound source claim (getVolumeFromVolumeSnapshot). */
  async #volumeFromSnapshot(snapshot: VolumeSnapshot, signal: AbortSignal): Promise<PersistentVolume> {
    const claim = this.#claimOf(snapshot);
    if (claim.status?.phase !== PersistentVolumeClaimPhase.Bound) {
      throw new Error(
        `the PVC ${claim.metadata.name ?? ''} is not yet bound to a PV, will not attempt to take a snapshot`,
      );
    }
    const pvName = claim.spec?.volumeName ?? '';
    let pv: PersistentVolume;
    try {
      pv = await this.#client.resource<PersistentVolume>(Resources.persistentvolumes).get(pvName, { signal });
    } catch (err) {
      throw new Error(`failed to retrieve PV ${pvName} from the API server: "${errText(err)}"`, {
        cause: err,
      });
    }
    const ref = pv.spec?.claimRef;
    if (
      ref === undefined ||
      ref.name !== claim.metadata.name ||
      ref.namespace !== claim.metadata.namespace ||
      ((ref.uid ?? '') !== '' && ref.uid !== claim.metadata.uid)
    ) {
      throw new Error('claim in dataSource not bound or invalid');
    }
    return pv;
  }

  async #pvDriverFromSnapshot(snapshot: VolumeSnapshot, signal: AbortSignal): Promise<string> {
    const pv = await this.#volumeFromSnapshot(snapshot, signal);
    const driver = pv.spec?.csi?.driver;
    if (driver === undefined) {
      throw new Error(
        `snapshotting non-CSI volumes is not supported, snapshot:${snapshot.metadata.namespace ?? ''}/${snapshot.metadata.name ?? ''}`,
      );
    }
    return driver;
  }

  #claimOf(snapshot: VolumeSnapshot): PersistentVolumeClaim {
    const name = snapshot.spec.source.persistentVolumeClaimName;
    if (name === undefined) throw new Error('the snapshot source PVC name is not specified');
    if (name === '') throw new Error(`the PVC name is not specified in snapshot ${snapshotKey(snapshot)}`);
    const claim = this.#claims.getByKey(`${snapshot.metadata.namespace ?? ''}/${name}`);
    if (claim === undefined) {
      throw new Error(
        `failed to retrieve PVC ${name} from the lister: "persistentvolumeclaim "${name}" not found"`,
      );
    }
    return claim;
  }

  /** Writes the snapshot's status from its content's; emits SnapshotCreated and SnapshotReady once each. */
  async #updateSnapshotStatus(
    snapshot: VolumeSnapshot,
    content: VolumeSnapshotContent,
    signal: AbortSignal,
  ): Promise<VolumeSnapshot> {
    const cs = content.status;
    const createdAt = cs?.creationTime !== undefined ? nanosToTime(cs.creationTime) : undefined;
    const size = cs?.restoreSize;
    const ready = cs?.readyToUse === true;
    const err = cs?.error;
    const client = this.#snapshotClient(snapshot.metadata.namespace);
    const current = await client.get(snapshot.metadata.name ?? '', { signal });
    let status: VolumeSnapshotStatus;
    let updated = false;
    if (current.status === undefined) {
      status = { boundVolumeSnapshotContentName: content.metadata.name ?? '', readyToUse: ready };
      if (createdAt !== undefined) status.creationTime = createdAt;
      if (size !== undefined) status.restoreSize = Quantity.fromValue(size, 'BinarySI').toString();
      if (err !== undefined) status.error = err;
      updated = true;
    } else {
      status = deepCopy(current.status);
      if ((status.boundVolumeSnapshotContentName ?? '') === '') {
        status.boundVolumeSnapshotContentName = content.metadata.name ?? '';
        updated = true;
      }
      if (status.creationTime === undefined && createdAt !== undefined) {
        status.creationTime = createdAt;
        updated = true;
      }
      if (status.readyToUse !== ready) {
        status.readyToUse = ready;
        updated = true;
        if (ready) delete status.error;
      }
      const zero =
        status.restoreSize === undefined || (Quantity.tryParse(status.restoreSize)?.isZero() ?? true);
      if (size !== undefined && (status.restoreSize === undefined || (zero && size > 0))) {
        status.restoreSize = Quantity.fromValue(size, 'BinarySI').toString();
        updated = true;
      }
      if (err !== undefined && JSON.stringify(status.error) !== JSON.stringify(err)) {
        status.error = err;
        updated = true;
      } else if (err === undefined && status.error !== undefined && !ready) {
        delete status.error;
        updated = true;
      }
    }
    if (!updated) return current;
    const next: VolumeSnapshot = { ...current, status };
    const key = snapshotKey(snapshot);
    if (!isCreated(current) && isCreated(next)) {
      this.#event(
        snapshot,
        EventTypeNormal,
        SnapshotEvents.SnapshotCreated,
        `Snapshot ${key} was successfully created by the CSI driver.`,
      );
    }
    if (!isSnapshotReady(current) && isSnapshotReady(next)) {
      this.#event(
        snapshot,
        EventTypeNormal,
        SnapshotEvents.SnapshotReady,
        `Snapshot ${key} is ready to use.`,
      );
    }
    try {
      return await client.updateStatus(next, { signal });
    } catch (e) {
      throw new SnapshotUpdateError(key, errText(e), { cause: e });
    }
  }

  /** A content bound to another snapshot: records it on the snapshot and fails the sync. */
  async #contentMisbound(snapshot: VolumeSnapshot, name: string, signal: AbortSignal): Promise<never> {
    const msg = `VolumeSnapshotContent [${name}] is bound to a different snapshot`;
    await this.#updateSnapshotErrorStatusWithEvent(
      snapshot,
      true,
      SnapshotEvents.SnapshotContentMisbound,
      msg,
      signal,
    );
    throw new Error(msg);
  }

  /** Records an error on the snapshot (unless the same message is there) and emits the Warning event. */
  async #updateSnapshotErrorStatusWithEvent(
    snapshot: VolumeSnapshot,
    setReadyToFalse: boolean,
    reason: string,
    message: string,
    signal: AbortSignal,
  ): Promise<void> {
    if (snapshot.status?.error?.message === message) return;
    const status: VolumeSnapshotStatus = {
      ...(snapshot.status ?? {}),
      error: { time: formatTime(this.#clock.now()), message },
    };
    if (setReadyToFalse) status.readyToUse = false;
    this.#event(snapshot, EventTypeWarning, reason, message);
    try {
      await this.#snapshotClient(snapshot.metadata.namespace).updateStatus(
        { ...snapshot, status },
        { signal },
      );
    } catch (err) {
      // A stale copy or a vanished snapshot: the error shows in the event, the retry fixes the status.
      if (!isConflict(err) && !isNotFound(err)) log.error('updating VolumeSnapshot error status failed', err);
    }
  }

  // ---- finalizers ----

  async #checkAndAddSnapshotFinalizers(snapshot: VolumeSnapshot, signal: AbortSignal): Promise<void> {
    const content =
      snapshot.spec.source.volumeSnapshotContentName !== undefined
        ? await this.#getPreprovisionedContent(snapshot, signal)
        : await this.#getDynamicContent(snapshot, signal);
    const addSource = !hasFinalizer(snapshot, VolumeSnapshotAsSourceFinalizer);
    const addBound =
      content !== undefined &&
      !hasFinalizer(snapshot, VolumeSnapshotBoundFinalizer) &&
      isBound(snapshot) &&
      content.spec.deletionPolicy === DeletionPolicy.Delete;
    const add: string[] = [];
    if (addSource) add.push(VolumeSnapshotAsSourceFinalizer);
    if (addBound) add.push(VolumeSnapshotBoundFinalizer);
    if (add.length === 0) return;
    const client = this.#snapshotClient(snapshot.metadata.namespace);
    try {
      await appendFinalizers(client, snapshot, add, signal);
    } catch (err) {
      throw new SnapshotUpdateError(snapshotKey(snapshot), errText(err), { cause: err });
    }
  }

  async #appendFinalizer<T extends KubeObject>(
    client: ResourceClient<T>,
    obj: T,
    finalizer: string,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      await appendFinalizers(client, obj, [finalizer], signal);
    } catch (err) {
      throw new SnapshotUpdateError(obj.metadata.name ?? '', errText(err), { cause: err });
    }
  }

  async #processSnapshotWithDeletionTimestamp(snapshot: VolumeSnapshot, signal: AbortSignal): Promise<void> {
    let contentName = snapshot.status?.boundVolumeSnapshotContentName ?? '';
    // The content may exist although the status never recorded it (a crash right after the create).
    if (contentName === '' && snapshot.spec.source.persistentVolumeClaimName !== undefined) {
      contentName = dynamicContentName(snapshot);
    }
    let content = contentName === '' ? undefined : this.#contents.getByKey(contentName);
    let deleteContent = false;
    if (content !== undefined && isRefSet(snapshot, content)) {
      deleteContent = content.spec.deletionPolicy === DeletionPolicy.Delete;
    } else {
      content = undefined;
    }
    if (!isSnapshotDeletionCandidate(snapshot)) return;
    if (content !== undefined && this.#isVolumeBeingCreatedFromSnapshot(snapshot)) {
      this.#event(
        snapshot,
        EventTypeWarning,
        SnapshotEvents.SnapshotDeletePending,
        'Snapshot is being used to restore a PVC',
      );
      this.snapshotQueue.addAfter(snapshotKey(snapshot), this.#deletePendingRetryMs);
      return;
    }
    if (content !== undefined) {
      // Whatever the policy, the sidecar may act on a content being deleted only with this annotation.
      content = await this.#setAnnBeingDeleted(content, signal);
      if (deleteContent) {
        try {
          await this.#contentClient().delete(content.metadata.name ?? '', { signal });
        } catch (err) {
          if (!isNotFound(err)) {
            this.#event(
              snapshot,
              EventTypeWarning,
              SnapshotEvents.SnapshotContentObjectDeleteError,
              'Failed to delete snapshot content API object',
            );
            throw new Error(
              `failed to delete VolumeSnapshotContent ${content.metadata.name ?? ''} from API server: "${errText(err)}"`,
              { cause: err },
            );
          }
        }
      }
    }
    // The bound finalizer stays until the content is gone when the deletion cascades to it.
    const removeBound = !(content !== undefined && deleteContent);
    await this.#removeSnapshotFinalizers(snapshot, removeBound, signal);
  }

  #isVolumeBeingCreatedFromSnapshot(snapshot: VolumeSnapshot): boolean {
    return this.#claims
      .list()
      .some(
        (c) =>
          c.metadata.namespace === snapshot.metadata.namespace &&
          c.spec?.dataSource?.name === snapshot.metadata.name &&
          c.spec?.dataSource?.kind === 'VolumeSnapshot' &&
          c.spec.dataSource.apiGroup === SnapshotAPIGroup &&
          c.status?.phase === PersistentVolumeClaimPhase.Pending,
      );
  }

  async #removeSnapshotFinalizers(
    snapshot: VolumeSnapshot,
    removeBound: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    // The PVC finalizer must go first: once the snapshot is gone nothing would trigger its removal.
    try {
      await this.#checkAndRemovePVCFinalizer(snapshot, true, signal);
    } catch (err) {
      this.#event(
        snapshot,
        EventTypeWarning,
        SnapshotEvents.ErrorPVCFinalizer,
        'Error check and remove PVC Finalizer for VolumeSnapshot',
      );
      throw new SnapshotUpdateError(snapshot.metadata.name ?? '', errText(err), { cause: err });
    }
    const drop = new Set([
      VolumeSnapshotAsSourceFinalizer,
      ...(removeBound ? [VolumeSnapshotBoundFinalizer] : []),
    ]);
    const client = this.#snapshotClient(snapshot.metadata.namespace);
    try {
      await updateFinalizers(client, snapshot, (f) => f.filter((x) => !drop.has(x)), signal);
    } catch (err) {
      throw new SnapshotUpdateError(snapshot.metadata.name ?? '', errText(err), { cause: err });
    }
  }

  async #ensurePVCFinalizer(snapshot: VolumeSnapshot, signal: AbortSignal): Promise<void> {
    let claim: PersistentVolumeClaim;
    try {
      claim = this.#claimOf(snapshot);
    } catch {
      throw new SnapshotUpdateError(snapshot.metadata.name ?? '', 'cannot get claim from snapshot');
    }
    if (hasFinalizer(claim, PVCFinalizer)) return;
    if (claim.metadata.deletionTimestamp !== undefined) {
      throw new SnapshotUpdateError(
        claim.metadata.name ?? '',
        'cannot add finalizer on claim because it is being deleted',
      );
    }
    const client = this.#client.resource<PersistentVolumeClaim>(
      Resources.persistentvolumeclaims,
      claim.metadata.namespace ?? '',
    );
    try {
      await updateFinalizers(
        client,
        claim,
        (f) => (f.includes(PVCFinalizer) ? f : [...f, PVCFinalizer]),
        signal,
      );
    } catch (err) {
      throw new SnapshotUpdateError(claim.metadata.name ?? '', errText(err), { cause: err });
    }
  }

  /** Removes the PVC finalizer once no snapshot (but maybe this one) is still being cut from the claim. */
  async #checkAndRemovePVCFinalizer(snapshot: VolumeSnapshot, skipCurrent: boolean, signal: AbortSignal) {
    const name = snapshot.spec.source.persistentVolumeClaimName;
    if (name === undefined) return;
    const ns = snapshot.metadata.namespace ?? '';
    const claim = this.#claims.getByKey(`${ns}/${name}`);
    if (claim === undefined || !hasFinalizer(claim, PVCFinalizer)) return;
    const inUse = this.#snapshots
      .list()
      .some(
        (s) =>
          s.metadata.namespace === ns &&
          !(skipCurrent && s.metadata.name === snapshot.metadata.name) &&
          s.spec.source.persistentVolumeClaimName === name &&
          !isSnapshotReady(s),
      );
    if (inUse) return;
    const client = this.#client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, ns);
    await updateFinalizers(client, claim, (f) => f.filter((x) => x !== PVCFinalizer), signal, true);
  }
}

/** Whether the snapshot's status lags behind its content's (needsUpdateSnapshotStatus). */
function needsUpdateSnapshotStatus(s: VolumeSnapshot, c: VolumeSnapshotContent): boolean {
  const cs = c.status;
  if (s.status === undefined) return cs !== undefined;
  if (cs === undefined) return false;
  if ((s.status.boundVolumeSnapshotContentName ?? '') === '') return true;
  if (s.status.creationTime === undefined && cs.creationTime !== undefined) return true;
  if (s.status.readyToUse === undefined && cs.readyToUse !== undefined) return true;
  if (
    s.status.readyToUse !== undefined &&
    cs.readyToUse !== undefined &&
    s.status.readyToUse !== cs.readyToUse
  ) {
    return true;
  }
  if (s.status.restoreSize === undefined && cs.restoreSize !== undefined) return true;
  if (
    s.status.restoreSize !== undefined &&
    (Quantity.tryParse(s.status.restoreSize)?.isZero() ?? false) &&
    (cs.restoreSize ?? 0) > 0
  ) {
    return true;
  }
  return JSON.stringify(s.status.error) !== JSON.stringify(cs.error) && cs.error !== undefined;
}

/** Appends finalizers: a JSON patch `add /metadata/finalizers/-` when there are some, else a guarded write. */
async function appendFinalizers<T extends KubeObject>(
  client: ResourceClient<T>,
  obj: T,
  add: readonly string[],
  signal: AbortSignal,
): Promise<T> {
  const have = obj.metadata.finalizers ?? [];
  if (have.length > 0) {
    const ops = add.map((f) => ({ op: 'add', path: '/metadata/finalizers/-', value: f }));
    return client.patch(obj.metadata.name ?? '', 'application/json-patch+json', ops, { signal });
  }
  return client.patch(
    obj.metadata.name ?? '',
    'application/merge-patch+json',
    { metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: [...add] } },
    { signal },
  );
}

/**
 * Rewrites an object's finalizers with `edit`, guarded by resourceVersion; on a conflict reads the
 * object again and retries (client-go retry.RetryOnConflict). With `fresh`, starts from a live read.
 */
async function updateFinalizers<T extends KubeObject>(
  client: ResourceClient<T>,
  obj: T,
  edit: (finalizers: string[]) => string[],
  signal: AbortSignal,
  fresh = false,
): Promise<void> {
  const name = obj.metadata.name ?? '';
  let cur = fresh ? await client.get(name, { signal }) : obj;
  for (let attempt = 1; ; attempt++) {
    const before = cur.metadata.finalizers ?? [];
    const after = edit([...before]);
    if (after.length === before.length && after.every((f, i) => f === before[i])) return;
    try {
      await client.patch(
        name,
        'application/merge-patch+json',
        {
          metadata: {
            resourceVersion: cur.metadata.resourceVersion,
            finalizers: after.length > 0 ? after : null,
          },
        },
        { signal },
      );
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err) || attempt >= 5) throw err;
    }
    try {
      cur = await client.get(name, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
