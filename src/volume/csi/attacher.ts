// Attach, detach, device mount and unmount of CSI volumes (upstream pkg/volume/csi/csi_attacher.go).
// Attach is a VolumeAttachment object `csi-<sha256(handle+driver+node)>` that the attacher of the
// driver (kvol's built-in one or an external-attacher) marks attached; this side creates it, deletes
// it, and waits through a watch on that one object. MountDevice is NodeStageVolume at
// `<root>/plugins/kubernetes.io/csi/<driver>/<sha256(handle)>/globalmount`, with vol_data.json next
// to it so that UnmountDevice works from the path alone.
//
// Concurrency: one operation per volume at a time (operation executor). Waits end on the object's
// state, the timeout or the caller's signal, whichever comes first.
import { dirname } from 'node:path';
import { isAlreadyExists, isNotFound, type Pod, Resources, type VolumeAttachment } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import { isNotExistError } from '../util/mount/index.ts';
import type { Attacher, Detacher, MounterArgs, Spec } from '../volume.ts';
import { isUncertainProgressError, TransientOperationFailure } from '../volume.ts';
import { nodeCapability, volDataKey, volNameSep } from './constants.ts';
import type { CSIOperationOptions, CSIPlugin } from './plugin.ts';
import {
  asOperationError,
  deviceMountPathFor,
  errMsg,
  firstAccessMode,
  getAttachmentName,
  getCredentialsFromSecret,
  getPVSourceFromSpec,
  loadVolumeData,
  logMsg,
  mkdirAll,
  removeMountDir,
  saveVolumeData,
  volumeCapability,
} from './util.ts';

const log = logger('csi-attacher');

/** The VolumeAttachment reports a failure, or went away while attaching. */
export class VolumeAttachmentError extends Error {
  override readonly name = 'VolumeAttachmentError';
  readonly attachID: string;
  constructor(attachID: string, message: string) {
    super(message);
    this.attachID = attachID;
  }
}

export const isVolumeAttachmentError = (err: unknown): err is VolumeAttachmentError =>
  err instanceof VolumeAttachmentError;

/** Attach or detach did not finish within the timeout (upstream's message). */
export class VolumeAttachmentTimeoutError extends Error {
  override readonly name = 'VolumeAttachmentTimeoutError';
  readonly attachID: string;
  constructor(attachID: string, driver: string, operation: 'attach' | 'detach', volumeHandle: string) {
    super(
      `timed out waiting for external-attacher of ${driver} CSI driver to ${operation} volume ${volumeHandle}`,
    );
    this.attachID = attachID;
  }
}

export const isVolumeAttachmentTimeoutError = (err: unknown): err is VolumeAttachmentTimeoutError =>
  err instanceof VolumeAttachmentTimeoutError;

/** Returns true when done, false to keep waiting; throws to fail. `deleted` marks a DELETED event. */
type Verdict = (va: VolumeAttachment | undefined, deleted: boolean) => boolean;

function attachVerdict(attachID: string): Verdict {
  return (va, deleted) => {
    if (deleted) throw new VolumeAttachmentError(attachID, 'volume attachment has been deleted');
    if (va === undefined) return false; // not created yet, or not seen yet
    if (va.metadata.deletionTimestamp != null) {
      throw new VolumeAttachmentError(attachID, 'volume attachment is being deleted');
    }
    if (va.status?.attached === true) return true;
    const e = va.status?.attachError;
    if (e != null) throw new VolumeAttachmentError(attachID, e.message ?? '');
    return false;
  };
}

function detachVerdict(attachID: string): Verdict {
  return (va, deleted) => {
    if (deleted || va === undefined) return true;
    const e = va.status?.detachError;
    if (e != null) throw new VolumeAttachmentError(attachID, e.message ?? '');
    return false;
  };
}

/** Pause between a failed watch and the next list, so a broken API is not hammered. */
const relistDelayMs = 250;

/**
 * Waits for one VolumeAttachment to reach a verdict: list it by name, then watch it from the list's
 * resourceVersion; a watch that ends without a verdict is started again from a fresh list.
 */
async function waitForVolumeAttachment(
  plugin: CSIPlugin,
  attachID: string,
  timeoutMs: number,
  verdict: Verdict,
  timeoutError: () => Error,
  opts: CSIOperationOptions,
): Promise<VolumeAttachment | undefined> {
  const rc = plugin.kubeClient().resource<VolumeAttachment>(Resources.volumeattachments);
  const clock = plugin.host.getClock();
  const ac = new AbortController();
  const timer = clock.setTimer(timeoutMs, () => ac.abort(timeoutError()));
  const outer = opts.signal;
  const onOuterAbort = (): void => ac.abort(outer?.reason);
  if (outer?.aborted === true) ac.abort(outer.reason);
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  const fieldSelector = `metadata.name=${attachID}`;
  try {
    for (;;) {
      ac.signal.throwIfAborted();
      const list = await rc.list({ fieldSelector, signal: ac.signal });
      const current = list.items[0];
      if (verdict(current, false)) return current;
      type Outcome = { ok: true; va: VolumeAttachment | undefined } | { ok: false; err: unknown };
      let outcome: Outcome | undefined;
      const wac = new AbortController();
      const stopWatch = (): void => wac.abort();
      ac.signal.addEventListener('abort', stopWatch, { once: true });
      let watchFailed = false;
      try {
        await rc.watch(
          { fieldSelector, resourceVersion: list.metadata.resourceVersion ?? '' },
          (ev) => {
            if (outcome !== undefined) return;
            if (ev.type === 'ERROR') {
              watchFailed = true;
              wac.abort();
              return;
            }
            try {
              const deleted = ev.type === 'DELETED';
              if (verdict(deleted ? undefined : ev.object, deleted)) outcome = { ok: true, va: ev.object };
            } catch (err) {
              outcome = { ok: false, err };
            }
            if (outcome !== undefined) wac.abort();
          },
          wac.signal,
        );
      } catch (err) {
        if (!wac.signal.aborted) {
          watchFailed = true;
          log.v(4, 'VolumeAttachment watch failed', { attachID, err: errMsg(err) });
        }
      } finally {
        ac.signal.removeEventListener('abort', stopWatch);
      }
      if (outcome?.ok === true) return outcome.va;
      if (outcome?.ok === false) throw outcome.err;
      ac.signal.throwIfAborted();
      if (watchFailed) await clock.sleep(relistDelayMs, ac.signal);
    }
  } finally {
    timer.cancel();
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

export class CSIAttacher implements Attacher, Detacher {
  readonly #plugin: CSIPlugin;

  constructor(plugin: CSIPlugin) {
    this.#plugin = plugin;
  }

  /**
   * Creates the VolumeAttachment (AlreadyExists is fine) and waits until it is attached. The device
   * path is '' (CSI drivers find the device themselves in NodeStage/NodePublish). A driver whose
   * CSIDriver says attachRequired: false needs no object.
   */
  async attach(spec: Spec, nodeName: string, opts: CSIOperationOptions = {}): Promise<string> {
    let pvSrc: ReturnType<typeof getPVSourceFromSpec>;
    try {
      pvSrc = getPVSourceFromSpec(spec);
    } catch (err) {
      throw new Error(logMsg(`attacher.Attach failed to get CSIPersistentVolumeSource: ${errMsg(err)}`));
    }
    const p = this.#plugin;
    const policy = await p.getDriverPolicy(pvSrc.driver, opts);
    if (!policy.attachRequired) return '';
    const attachID = getAttachmentName(pvSrc.volumeHandle, pvSrc.driver, nodeName);
    const va: VolumeAttachment = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'VolumeAttachment',
      metadata: { name: attachID },
      spec: {
        attacher: pvSrc.driver,
        nodeName,
        source: { persistentVolumeName: spec.persistentVolume?.metadata.name ?? '' },
      },
    };
    try {
      await p
        .kubeClient()
        .resource<VolumeAttachment>(Resources.volumeattachments)
        .create(va, opts.signal === undefined ? {} : { signal: opts.signal });
      log.v(4, 'VolumeAttachment created', { attachID, volumeHandle: pvSrc.volumeHandle });
    } catch (err) {
      if (!isAlreadyExists(err))
        throw new Error(logMsg(`attacher.Attach failed: ${errMsg(err)}`), { cause: err });
    }
    await waitForVolumeAttachment(
      p,
      attachID,
      p.attachTimeoutMs,
      attachVerdict(attachID),
      () => new VolumeAttachmentTimeoutError(attachID, pvSrc.driver, 'attach', pvSrc.volumeHandle),
      opts,
    );
    return '';
  }

  /** Waits (up to timeoutMs) until this node's VolumeAttachment is attached; returns its name. */
  async waitForAttach(
    spec: Spec,
    _devicePath: string,
    _pod: Pod,
    timeoutMs: number,
    opts: CSIOperationOptions = {},
  ): Promise<string> {
    let pvSrc: ReturnType<typeof getPVSourceFromSpec>;
    try {
      pvSrc = getPVSourceFromSpec(spec);
    } catch (err) {
      throw new Error(logMsg(`attacher.WaitForAttach failed to extract CSI volume source: ${errMsg(err)}`));
    }
    const p = this.#plugin;
    const policy = await p.getDriverPolicy(pvSrc.driver, opts);
    if (!policy.attachRequired) return '';
    const attachID = getAttachmentName(pvSrc.volumeHandle, pvSrc.driver, p.host.getNodeName());
    await waitForVolumeAttachment(
      p,
      attachID,
      timeoutMs,
      attachVerdict(attachID),
      () => new VolumeAttachmentTimeoutError(attachID, pvSrc.driver, 'attach', pvSrc.volumeHandle),
      opts,
    );
    return attachID;
  }

  async volumesAreAttached(specs: readonly Spec[], nodeName: string): Promise<Map<Spec, boolean>> {
    const out = new Map<Spec, boolean>();
    const p = this.#plugin;
    for (const spec of specs) {
      let pvSrc: ReturnType<typeof getPVSourceFromSpec>;
      try {
        pvSrc = getPVSourceFromSpec(spec);
      } catch {
        out.set(spec, false);
        continue;
      }
      try {
        if (!(await p.getDriverPolicy(pvSrc.driver)).attachRequired) {
          out.set(spec, true); // not attachable: pretend it is attached
          continue;
        }
      } catch (err) {
        log.v(2, 'cannot read CSIDriver', { driver: pvSrc.driver, err: errMsg(err) });
      }
      const attachID = getAttachmentName(pvSrc.volumeHandle, pvSrc.driver, nodeName);
      try {
        const va = await p.kubeClient().resource<VolumeAttachment>(Resources.volumeattachments).get(attachID);
        out.set(spec, va.status?.attached === true);
      } catch {
        out.set(spec, false);
      }
    }
    return out;
  }

  /**
   * Deletes the VolumeAttachment of `<driver>^<handle>` on the node and waits until it is gone (the
   * attacher has unpublished) or reports a detach error. An object that is gone counts as detached.
   */
  async detach(volumeName: string, nodeName: string, opts: CSIOperationOptions = {}): Promise<void> {
    if (volumeName === '') throw new Error('missing expected parameter volumeName');
    const parts = volumeName.split(volNameSep);
    if (parts.length !== 2) throw new Error('volumeName missing expected data');
    const [driver, volumeHandle] = parts as [string, string];
    const p = this.#plugin;
    const attachID = getAttachmentName(volumeHandle, driver, nodeName);
    try {
      await p
        .kubeClient()
        .resource(Resources.volumeattachments)
        .delete(attachID, opts.signal === undefined ? {} : { signal: opts.signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw new Error(
        logMsg(`detacher.Detach failed to delete VolumeAttachment [${attachID}]: ${errMsg(err)}`),
        {
          cause: err,
        },
      );
    }
    await waitForVolumeAttachment(
      p,
      attachID,
      p.attachTimeoutMs,
      detachVerdict(attachID),
      () => new VolumeAttachmentTimeoutError(attachID, driver, 'detach', volumeHandle),
      opts,
    );
  }

  async getDeviceMountPath(spec: Spec): Promise<string> {
    try {
      const pvSrc = getPVSourceFromSpec(spec);
      if (pvSrc.driver === '') throw new Error('makeDeviceMountPath failed, csi source driver name is empty');
      if (pvSrc.volumeHandle === '') {
        throw new Error('makeDeviceMountPath failed, CSIPersistentVolumeSource volume handle is empty');
      }
      return deviceMountPathFor(this.#plugin.host, pvSrc.driver, pvSrc.volumeHandle);
    } catch (err) {
      throw new Error(logMsg(`attacher.GetDeviceMountPath failed to make device mount path: ${errMsg(err)}`));
    }
  }

  /**
   * NodeStageVolume at deviceMountPath when the driver stages; otherwise only the directory and
   * vol_data.json (UnmountDevice needs them). A final error removes both; an uncertain one keeps them
   * and throws UncertainProgressError.
   */
  async mountDevice(
    spec: Spec,
    _devicePath: string,
    deviceMountPath: string,
    args: Pick<MounterArgs, 'fsGroup' | 'seLinuxLabel'> & CSIOperationOptions,
  ): Promise<void> {
    if (deviceMountPath === '')
      throw new Error(logMsg('attacher.MountDevice failed, deviceMountPath is empty'));
    let pvSrc: ReturnType<typeof getPVSourceFromSpec>;
    try {
      pvSrc = getPVSourceFromSpec(spec);
    } catch (err) {
      throw new Error(logMsg(`attacher.MountDevice failed to get CSIPersistentVolumeSource: ${errMsg(err)}`));
    }
    const p = this.#plugin;
    const opts: CSIOperationOptions = { signal: args.signal };
    const client = p.clientFor(pvSrc.driver, 'attacher.MountDevice failed to create newCsiDriverClient');
    const stage = await p.nodeSupports(pvSrc.driver, client, nodeCapability.stageUnstage, opts);
    let publishContext: Record<string, string>;
    try {
      const policy = await p.getDriverPolicy(pvSrc.driver, opts);
      publishContext = await p.getPublishContext(pvSrc.volumeHandle, pvSrc.driver, policy, opts);
    } catch (err) {
      throw new TransientOperationFailure(errMsg(err), { cause: err });
    }
    let secrets: Record<string, string> = {};
    const ref = pvSrc.nodeStageSecretRef;
    if (ref != null && stage) {
      try {
        secrets = await getCredentialsFromSecret(p.host, ref);
      } catch (err) {
        throw new TransientOperationFailure(
          `fetching NodeStageSecretRef ${ref.namespace ?? ''}/${ref.name ?? ''} failed: ${errMsg(err)}`,
          { cause: err },
        );
      }
    }
    try {
      await mkdirAll(deviceMountPath);
    } catch (err) {
      throw new Error(
        logMsg(
          `attacher.MountDevice failed to create dir ${JSON.stringify(deviceMountPath)}: ${errMsg(err)}`,
        ),
      );
    }
    const mounter = p.host.getMounter();
    try {
      await saveVolumeData(dirname(deviceMountPath), {
        [volDataKey.volHandle]: pvSrc.volumeHandle,
        [volDataKey.driverName]: pvSrc.driver,
      });
    } catch (err) {
      await removeMountDir(mounter, deviceMountPath).catch(() => undefined);
      throw new Error(logMsg(`failed to save volume info data: ${errMsg(err)}`));
    }
    // Without STAGE_UNSTAGE the dir and json stay: UnmountDevice needs them.
    if (!stage) return;
    try {
      const pv = spec.persistentVolume;
      const mountGroup = await p.nodeSupports(pvSrc.driver, client, nodeCapability.volumeMountGroup, opts);
      const snmw = await p.nodeSupports(pvSrc.driver, client, nodeCapability.singleNodeMultiWriter, opts);
      await client.nodeStageVolume(
        {
          volume_id: pvSrc.volumeHandle,
          publish_context: publishContext,
          staging_target_path: deviceMountPath,
          volume_capability: volumeCapability({
            fsType: pvSrc.fsType ?? '',
            accessMode: firstAccessMode(pv?.spec?.accessModes),
            mountOptions: pv?.spec?.mountOptions,
            fsGroup: mountGroup ? args.fsGroup : undefined,
            supportsSingleNodeMultiWriter: snmw,
          }),
          secrets,
          volume_context: { ...(pvSrc.volumeAttributes ?? {}) },
        },
        p.callOptions(opts),
      );
    } catch (err) {
      const e = asOperationError(err);
      if (!isUncertainProgressError(e)) {
        await removeMountDir(mounter, deviceMountPath).catch((rmErr: unknown) =>
          log.error('attacher.MountDevice failed to remove mount dir after error', rmErr, {
            deviceMountPath,
          }),
        );
      }
      throw e;
    }
    log.v(4, 'attacher.MountDevice successfully requested NodeStageVolume', { deviceMountPath });
  }

  /**
   * NodeUnstageVolume (when the driver stages) for the volume recorded in vol_data.json next to
   * deviceMountPath, then removes the dir, the json and their parent. A missing json means there is
   * nothing to undo.
   */
  async unmountDevice(deviceMountPath: string, opts: CSIOperationOptions = {}): Promise<void> {
    const dataDir = dirname(deviceMountPath);
    let driver: string;
    let volID: string;
    try {
      const data = await loadVolumeData(dataDir);
      driver = data[volDataKey.driverName] ?? '';
      volID = data[volDataKey.volHandle] ?? '';
    } catch (err) {
      if (isNotExistError(err)) {
        log.v(4, 'attacher.UnmountDevice skipped because volume data file does not exist', { dataDir });
        return;
      }
      throw err;
    }
    const p = this.#plugin;
    const client = p.clientFor(driver, 'attacher.UnmountDevice failed to create newCsiDriverClient');
    let stage: boolean;
    try {
      stage = await p.nodeSupports(driver, client, nodeCapability.stageUnstage, opts);
    } catch (err) {
      throw new Error(
        logMsg(`attacher.UnmountDevice failed to check whether STAGE_UNSTAGE_VOLUME set: ${errMsg(err)}`),
        { cause: err },
      );
    }
    const mounter = p.host.getMounter();
    if (stage) {
      try {
        await client.nodeUnstageVolume(
          { volume_id: volID, staging_target_path: deviceMountPath },
          p.callOptions(opts),
        );
      } catch (err) {
        throw new Error(logMsg(`attacher.UnmountDevice failed: ${errMsg(err)}`), { cause: err });
      }
    }
    try {
      await removeMountDir(mounter, deviceMountPath);
    } catch (err) {
      throw new Error(logMsg(`failed to clean up global mount ${dataDir}: ${errMsg(err)}`), { cause: err });
    }
  }
}
