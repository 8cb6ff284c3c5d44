// The built-in external-attacher: for every registered CSI driver whose built-in logic is on, it
// attaches the VolumeAttachments naming the driver (ControllerPublishVolume, then status.attached and
// attachmentMetadata) and detaches the ones being deleted (ControllerUnpublishVolume, then the
// finalizer goes). Drivers without PUBLISH_UNPUBLISH_VOLUME get upstream's trivial handler: attached
// at once, no finalizer. Names and semantics follow kubernetes-csi/external-attacher v4: finalizer
// `external-attacher/<driver with every character outside [a-zA-Z0-9-] as '-'>` on the VA and its PV,
// node ID from the CSINode (kept in annotation `csi.alpha.kubernetes.io/node-id` for detach), errors
// in status.attachError / status.detachError, every status write a merge patch of the status
// subresource.
//
// Concurrency: one worker at a time per VolumeAttachment and per PV (workqueue keys); failures retry
// with per-key backoff.
import {
  type CSIDriver,
  type CSINode,
  formatTime,
  isNotFound,
  type PersistentVolume,
  type PersistentVolumeSpec,
  Resources,
  type VolumeAttachment,
} from '../../api/index.ts';
import { type Client, runWorkers, type SharedIndexInformer, WorkQueue } from '../../client/index.ts';
import { type Clock, logger, realClock } from '../../component/index.ts';
import type { CsiClient, VolumeCapability } from '../../csi/index.ts';
import { type DriverCapabilityCache, ownCapabilities } from './capabilities.ts';
import { builtinClient, type CsiControllerContext } from './common.ts';
import { AttacherComponent, VaNodeIdAnnotation } from './constants.ts';
import { type CsiControllerOptions, DefaultCsiTimeoutMs } from './options.ts';
import {
  attacherFinalizer,
  CsiControllerError,
  errMsg,
  getCredentials,
  mapMergePatch,
  toCsiAccessMode,
  volumeCapability,
} from './util.ts';

const log = logger('csi-attacher');

export const AttacherVAQueueName = 'csi-attacher-va';
export const AttacherPVQueueName = 'csi-attacher-pv';

export class CsiAttacherController {
  readonly vaQueue: WorkQueue<string>;
  readonly pvQueue: WorkQueue<string>;
  readonly #client: Client;
  readonly #csi: CsiControllerContext;
  readonly #clock: Clock;
  readonly #caps: DriverCapabilityCache;
  readonly #capsDone: () => void;
  readonly #timeoutMs: number;
  readonly #vas: SharedIndexInformer<VolumeAttachment>;
  readonly #pvs: SharedIndexInformer<PersistentVolume>;
  readonly #csiNodes: SharedIndexInformer<CSINode>;
  readonly #csiDrivers: SharedIndexInformer<CSIDriver>;
  readonly #unsubscribe: () => void;

  constructor(opts: CsiControllerOptions) {
    this.#client = opts.client;
    this.#csi = opts.csi;
    this.#clock = opts.clock ?? realClock;
    const caps = ownCapabilities(opts, opts.csi.drivers);
    this.#caps = caps.caps;
    this.#capsDone = caps.done;
    this.#timeoutMs = opts.csiTimeoutMs ?? DefaultCsiTimeoutMs;
    this.vaQueue = new WorkQueue<string>({ name: AttacherVAQueueName, clock: this.#clock });
    this.pvQueue = new WorkQueue<string>({ name: AttacherPVQueueName, clock: this.#clock });
    const inf = opts.informers;
    this.#vas = inf.informerFor<VolumeAttachment>(Resources.volumeattachments);
    this.#pvs = inf.informerFor<PersistentVolume>(Resources.persistentvolumes);
    this.#csiNodes = inf.informerFor<CSINode>(Resources.csinodes);
    this.#csiDrivers = inf.informerFor<CSIDriver>(Resources.csidrivers);
    this.#vas.addEventHandler({
      onAdd: (va) => this.vaQueue.add(va.metadata.name ?? ''),
      onUpdate: (_o, va) => this.vaQueue.add(va.metadata.name ?? ''),
      onDelete: (va) => {
        // A PV waiting for its last attachment to go may now lose its finalizer.
        const pv = va.spec.source.persistentVolumeName;
        if (pv !== undefined) this.pvQueue.add(pv);
      },
    });
    this.#pvs.addEventHandler({
      onAdd: (pv) => this.#pvChanged(pv),
      onUpdate: (_o, pv) => this.#pvChanged(pv),
    });
    this.#csiDrivers.addEventHandler({
      onAdd: (d) => this.#requeueDriver(d.metadata.name ?? ''),
      onUpdate: (_o, d) => this.#requeueDriver(d.metadata.name ?? ''),
      onDelete: (d) => this.#requeueDriver(d.metadata.name ?? ''),
    });
    this.#csiNodes.addEventHandler({
      onAdd: (n) => this.#requeueNode(n.metadata.name ?? ''),
      onUpdate: (_o, n) => this.#requeueNode(n.metadata.name ?? ''),
    });
    this.#unsubscribe = opts.csi.drivers.subscribe((name) => this.#requeueDriver(name));
  }

  async run(signal: AbortSignal, workers = 1): Promise<void> {
    log.info('Starting controller', { controller: AttacherComponent });
    try {
      const synced = await Promise.all(
        [this.#vas, this.#pvs, this.#csiNodes, this.#csiDrivers].map((i) => i.waitForSync(signal)),
      );
      if (!synced.every((x) => x)) return;
      await Promise.all([
        runWorkers(this.vaQueue, workers, (k) => this.#syncVA(k, signal), signal),
        runWorkers(this.pvQueue, workers, (k) => this.#syncPV(k, signal), signal),
      ]);
    } finally {
      this.vaQueue.shutDown();
      this.pvQueue.shutDown();
      this.#unsubscribe();
      this.#capsDone();
      log.info('Shutting down controller', { controller: AttacherComponent });
    }
  }

  #pvChanged(pv: PersistentVolume): void {
    if (pv.metadata.deletionTimestamp !== undefined && pv.spec?.csi !== undefined) {
      this.pvQueue.add(pv.metadata.name ?? '');
    }
  }

  #requeueDriver(driver: string): void {
    for (const va of this.#vas.list())
      if (va.spec.attacher === driver) this.vaQueue.add(va.metadata.name ?? '');
  }

  #requeueNode(node: string): void {
    for (const va of this.#vas.list())
      if (va.spec.nodeName === node) this.vaQueue.add(va.metadata.name ?? '');
  }

  // ---- VolumeAttachments -------------------------------------------------------------------------

  async #syncVA(name: string, signal: AbortSignal): Promise<void> {
    const va = this.#vas.getByKey(name);
    if (va === undefined) return;
    const driver = va.spec.attacher;
    const client = builtinClient(this.#csi, driver);
    if (client === undefined) return;
    const caps = await this.#caps.get(driver, client, signal);
    if (!caps.controller.has('PUBLISH_UNPUBLISH_VOLUME')) {
      // trivialHandler: nothing to publish, so attached at once; deletion needs no detach.
      if (va.status?.attached !== true) {
        await this.#markAsAttached(va, undefined, signal);
        log.v(2, 'Marked VolumeAttachment as attached', { VolumeAttachment: name });
      }
      return;
    }
    if (va.metadata.deletionTimestamp === undefined) {
      await this.#syncAttach(va, client, caps.controller, signal);
    } else {
      await this.#syncDetach(va, client, signal);
    }
  }

  async #syncAttach(
    va: VolumeAttachment,
    client: CsiClient,
    controllerCaps: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<void> {
    if (va.status?.attached === true) return;
    log.v(2, 'Attaching', { VolumeAttachment: va.metadata.name });
    let metadata: Record<string, string>;
    let current = va;
    try {
      ({ va: current, metadata } = await this.#csiAttach(va, client, controllerCaps, signal));
    } catch (err) {
      try {
        await this.#patchStatus(
          current,
          { attachError: { time: formatTime(this.#clock.now()), message: errMsg(err) } },
          signal,
        );
      } catch (saveErr) {
        log.v(2, 'Failed to save attach error', { VolumeAttachment: va.metadata.name, err: errMsg(saveErr) });
      }
      throw new CsiControllerError(`failed to attach: ${errMsg(err)}`, { cause: err });
    }
    await this.#markAsAttached(current, metadata, signal);
    log.v(2, 'Attached', { VolumeAttachment: va.metadata.name });
  }

  async #csiAttach(
    va: VolumeAttachment,
    client: CsiClient,
    controllerCaps: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<{ va: VolumeAttachment; metadata: Record<string, string> }> {
    const spec = await this.#pvSpec(va, true, signal);
    const csi = spec.csi;
    if (csi === undefined)
      throw new CsiControllerError('pv spec contained non-csi source that was not migrated');
    const readonly = controllerCaps.has('PUBLISH_READONLY') ? csi.readOnly === true : false;
    const capability = volumeCapabilityOf(spec, controllerCaps.has('SINGLE_NODE_MULTI_WRITER'));
    const secrets = await this.#credentials(csi.controllerPublishSecretRef, signal);
    const nodeId = this.#nodeId(va.spec.attacher, va.spec.nodeName, undefined);
    const finalizer = attacherFinalizer(va.spec.attacher);
    let current = va;
    const needFinalizer = !(va.metadata.finalizers ?? []).includes(finalizer);
    const needNodeId = va.metadata.annotations?.[VaNodeIdAnnotation] !== nodeId;
    if (needFinalizer || needNodeId) {
      try {
        current = await this.#client.resource<VolumeAttachment>(Resources.volumeattachments).patch(
          va.metadata.name ?? '',
          'application/merge-patch+json',
          {
            metadata: {
              ...(needFinalizer ? { finalizers: [...(va.metadata.finalizers ?? []), finalizer] } : {}),
              ...(needNodeId ? { annotations: { [VaNodeIdAnnotation]: nodeId } } : {}),
            },
          },
          { signal },
        );
      } catch (err) {
        throw new CsiControllerError(`could not save VolumeAttachment: ${errMsg(err)}`, { cause: err });
      }
    }
    const res = await client.controllerPublishVolume(
      {
        volume_id: csi.volumeHandle,
        node_id: nodeId,
        volume_capability: capability,
        readonly,
        ...(secrets !== undefined ? { secrets } : {}),
        volume_context: { ...(csi.volumeAttributes ?? {}) },
      },
      { signal, timeoutMs: this.#timeoutMs },
    );
    return { va: current, metadata: { ...(res.publish_context ?? {}) } };
  }

  async #syncDetach(va: VolumeAttachment, client: CsiClient, signal: AbortSignal): Promise<void> {
    const finalizer = attacherFinalizer(va.spec.attacher);
    if (!(va.metadata.finalizers ?? []).includes(finalizer)) return; // already detached
    log.v(2, 'Detaching', { VolumeAttachment: va.metadata.name });
    try {
      const spec = await this.#pvSpec(va, false, signal);
      const csi = spec.csi;
      if (csi === undefined)
        throw new CsiControllerError('pv spec contained non-csi source that was not migrated');
      const secrets = await this.#credentials(csi.controllerPublishSecretRef, signal);
      const nodeId = this.#nodeId(va.spec.attacher, va.spec.nodeName, va);
      await client.controllerUnpublishVolume(
        { volume_id: csi.volumeHandle, node_id: nodeId, ...(secrets !== undefined ? { secrets } : {}) },
        { signal, timeoutMs: this.#timeoutMs },
      );
    } catch (err) {
      try {
        await this.#patchStatus(
          va,
          { detachError: { time: formatTime(this.#clock.now()), message: errMsg(err) } },
          signal,
        );
      } catch (saveErr) {
        log.v(2, 'Failed to save detach error', { VolumeAttachment: va.metadata.name, err: errMsg(saveErr) });
      }
      throw new CsiControllerError(`failed to detach: ${errMsg(err)}`, { cause: err });
    }
    log.v(2, 'Detached', { VolumeAttachment: va.metadata.name });
    await this.#markAsDetached(va, signal);
  }

  /** The PV spec (or inline spec) behind an attachment; attach refuses PVs being deleted and pins the PV. */
  async #pvSpec(
    va: VolumeAttachment,
    attaching: boolean,
    signal: AbortSignal,
  ): Promise<PersistentVolumeSpec> {
    const src = va.spec.source;
    if (src.persistentVolumeName !== undefined) {
      if (src.inlineVolumeSpec !== undefined) {
        throw new CsiControllerError(
          'both InlineCSIVolumeSource and PersistentVolumeName specified in VA source',
        );
      }
      let pv = this.#pvs.getByKey(src.persistentVolumeName);
      if (pv === undefined) {
        throw new CsiControllerError(`persistentvolume "${src.persistentVolumeName}" not found`);
      }
      if (attaching) {
        if (pv.metadata.deletionTimestamp !== undefined) {
          throw new CsiControllerError(`PersistentVolume "${pv.metadata.name ?? ''}" is marked for deletion`);
        }
        const finalizer = attacherFinalizer(va.spec.attacher);
        if (!(pv.metadata.finalizers ?? []).includes(finalizer)) {
          try {
            pv = await this.#client
              .resource<PersistentVolume>(Resources.persistentvolumes)
              .patch(
                pv.metadata.name ?? '',
                'application/merge-patch+json',
                { metadata: { finalizers: [...(pv.metadata.finalizers ?? []), finalizer] } },
                { signal },
              );
          } catch (err) {
            throw new CsiControllerError(`could not add PersistentVolume finalizer: ${errMsg(err)}`, {
              cause: err,
            });
          }
        }
      }
      return pv.spec ?? {};
    }
    if (src.inlineVolumeSpec !== undefined) {
      if (src.inlineVolumeSpec.csi === undefined)
        throw new CsiControllerError('inline volume spec contains nil CSI source');
      return src.inlineVolumeSpec;
    }
    throw new CsiControllerError(
      'neither InlineCSIVolumeSource nor PersistentVolumeName specified in VA source',
    );
  }

  /** getNodeID: the CSINode entry of the driver, else (detach only) the ID remembered on the VA. */
  #nodeId(driver: string, nodeName: string, va: VolumeAttachment | undefined): string {
    const csiNode = this.#csiNodes.getByKey(nodeName);
    let reason: string;
    if (csiNode !== undefined) {
      const d = csiNode.spec.drivers.find((x) => x.name === driver);
      if (d !== undefined) return d.nodeID;
      reason = `CSINode ${nodeName} does not contain driver ${driver}`;
    } else {
      reason = `csinode.storage.k8s.io "${nodeName}" not found`;
    }
    const remembered = va?.metadata.annotations?.[VaNodeIdAnnotation];
    if (remembered !== undefined) return remembered;
    throw new CsiControllerError(reason);
  }

  async #credentials(
    ref: { name?: string; namespace?: string } | undefined,
    signal: AbortSignal,
  ): Promise<Record<string, string> | undefined> {
    if (ref === undefined) return undefined;
    try {
      return await getCredentials(this.#client, ref, signal);
    } catch (err) {
      throw new CsiControllerError(
        `failed to load secret "${ref.namespace ?? ''}/${ref.name ?? ''}": ${errMsg(err instanceof Error && err.cause !== undefined ? err.cause : err)}`,
      );
    }
  }

  async #patchStatus(
    va: VolumeAttachment,
    status: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<VolumeAttachment> {
    return await this.#client
      .resource<VolumeAttachment>(Resources.volumeattachments)
      .patch(
        va.metadata.name ?? '',
        'application/merge-patch+json',
        { status },
        { signal, subresource: 'status' },
      );
  }

  /** markAsAttached: attached, the publish context, no attach error. */
  async #markAsAttached(
    va: VolumeAttachment,
    metadata: Record<string, string> | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const md = metadata !== undefined && Object.keys(metadata).length > 0 ? metadata : undefined;
    await this.#patchStatus(
      va,
      {
        attached: true,
        attachmentMetadata: mapMergePatch(va.status?.attachmentMetadata, md),
        attachError: null,
      },
      signal,
    );
  }

  /** markAsDetached: the status first, then the finalizer, so the VA is not gone before it says detached. */
  async #markAsDetached(va: VolumeAttachment, signal: AbortSignal): Promise<void> {
    const finalizer = attacherFinalizer(va.spec.attacher);
    const vas = this.#client.resource<VolumeAttachment>(Resources.volumeattachments);
    let current: VolumeAttachment;
    try {
      current = await this.#patchStatus(
        va,
        { attached: false, detachError: null, attachmentMetadata: null },
        signal,
      );
    } catch (err) {
      if (isNotFound(err)) return;
      throw new CsiControllerError(`could not mark as detached: ${errMsg(err)}`, { cause: err });
    }
    const fins = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await vas.patch(
        current.metadata.name ?? '',
        'application/merge-patch+json',
        { metadata: { finalizers: fins.length > 0 ? fins : null } },
        { signal },
      );
    } catch (err) {
      if (isNotFound(err)) return;
      throw new CsiControllerError(`could not mark as detached: ${errMsg(err)}`, { cause: err });
    }
  }

  // ---- PersistentVolumes -------------------------------------------------------------------------

  /** A PV being deleted loses the attacher finalizer once no VolumeAttachment uses it. */
  async #syncPV(name: string, signal: AbortSignal): Promise<void> {
    const pv = this.#pvs.getByKey(name);
    if (pv === undefined || pv.metadata.deletionTimestamp === undefined) return;
    const driver = pv.spec?.csi?.driver;
    if (driver === undefined) return;
    if (builtinClient(this.#csi, driver) === undefined) return;
    const finalizer = attacherFinalizer(driver);
    const fins = pv.metadata.finalizers ?? [];
    if (!fins.includes(finalizer)) return;
    if (this.#vas.list().some((va) => va.spec.source.persistentVolumeName === name)) return;
    const next = fins.filter((f) => f !== finalizer);
    await this.#client
      .resource<PersistentVolume>(Resources.persistentvolumes)
      .patch(
        name,
        'application/merge-patch+json',
        { metadata: { finalizers: next.length > 0 ? next : null } },
        { signal },
      );
    log.v(2, 'Removed finalizer from PV', { PV: name });
  }
}

/** GetVolumeCapabilities: block, or mount with the PV's fsType and mount options. */
export function volumeCapabilityOf(
  spec: PersistentVolumeSpec,
  singleNodeMultiWriter: boolean,
): VolumeCapability {
  const mode = toCsiAccessMode(spec.accessModes ?? [], singleNodeMultiWriter);
  return volumeCapability(spec.volumeMode === 'Block', mode, spec.csi?.fsType ?? '', spec.mountOptions);
}
