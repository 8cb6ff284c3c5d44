// SetUp and TearDown of a CSI volume for one pod (upstream pkg/volume/csi/csi_mounter.go):
// NodePublishVolume at `<root>/pods/<uid>/volumes/kubernetes.io~csi/<volName>/mount` with
// vol_data.json beside it (written before the call, so a half-done publish can still be torn down),
// pod info in volume_context when the CSIDriver asks for it, fsGroup per the CSIDriver's
// fsGroupPolicy (or delegated to the driver with VOLUME_MOUNT_GROUP), ephemeral inline volumes
// when the CSIDriver allows them. TearDown is NodeUnpublishVolume and the removal of what kubelet
// created.
//
// Concurrency: one operation per pod volume at a time (operation executor); pods publishing the same
// volume run in parallel, each at its own target path.
import { dirname } from 'node:path';
import type { FSGroupPolicy, Pod, SecretReference, VolumeLifecycleMode } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import { isNotExistError } from '../util/mount/index.ts';
import { setVolumeOwnership, VolumePermissionChangeInProgress } from '../util/ownership/index.ts';
import {
  type Attributes,
  isUncertainProgressError,
  type Metrics,
  type Mounter,
  type MounterArgs,
  type Spec,
  specName,
  TransientOperationFailure,
  UncertainProgressError,
  type Unmounter,
} from '../volume.ts';
import { nodeCapability, volDataKey } from './constants.ts';
import { csiMetrics } from './metrics.ts';
import {
  type CSIOperationOptions,
  type CSIPlugin,
  checkVolumeLifecycleMode,
  type DriverPolicy,
} from './plugin.ts';
import {
  asOperationError,
  deviceMountPathFor,
  errMsg,
  firstAccessMode,
  getAttachmentName,
  getCredentialsFromSecret,
  getSourceFromSpec,
  hasReadWriteOnce,
  loadVolumeData,
  logMsg,
  mkdirAll,
  podInfoAttrs,
  removeMountDir,
  saveVolumeData,
  volumeCapability,
} from './util.ts';

const log = logger('csi-mounter');

export interface CSIMounterParams {
  readonly spec: Spec;
  readonly pod: Pod;
  readonly driver: string;
  readonly volumeHandle: string;
  readonly readOnly: boolean;
  readonly mode: VolumeLifecycleMode;
}

/**
 * Upstream csiMountMgr.supportsFSGroup: whether kubelet applies the pod's fsGroup to the volume.
 * fsGroup unset, policy None or a read-only mount: no. Policy File: yes. No fsType: no. A PV: only
 * with ReadWriteOnce (or ReadWriteOncePod) among its access modes. An inline volume: yes.
 */
export function supportsFSGroup(
  spec: Spec,
  readOnly: boolean,
  fsType: string,
  fsGroup: number | undefined,
  policy: FSGroupPolicy,
): boolean {
  if (fsGroup === undefined || policy === 'None' || readOnly) return false;
  if (policy === 'File') return true;
  if (fsType === '') return false;
  const pv = spec.persistentVolume;
  if (pv !== undefined) {
    const modes = pv.spec?.accessModes;
    if (modes == null) return false;
    return hasReadWriteOnce(modes);
  }
  return spec.volume?.csi != null;
}

export class CSIMounter implements Mounter {
  readonly #plugin: CSIPlugin;
  readonly #p: CSIMounterParams;

  constructor(plugin: CSIPlugin, params: CSIMounterParams) {
    this.#plugin = plugin;
    this.#p = params;
  }

  getPath(): string {
    return this.#plugin.podMountPath(this.#p.pod.metadata.uid ?? '', specName(this.#p.spec));
  }

  getAttributes(): Attributes {
    return { readOnly: this.#p.readOnly, managed: !this.#p.readOnly, seLinuxRelabel: false };
  }

  /** NodeGetVolumeStats on the target path; undefined when the driver has no GET_VOLUME_STATS. */
  getMetrics(): Promise<Metrics | undefined> {
    return csiMetrics(this.#plugin, this.#p.driver, this.#p.volumeHandle, this.getPath());
  }

  setUp(args: MounterArgs & CSIOperationOptions): Promise<void> {
    return this.setUpAt(this.getPath(), args);
  }

  async setUpAt(dir: string, args: MounterArgs & CSIOperationOptions): Promise<void> {
    const plugin = this.#plugin;
    const host = plugin.host;
    const { spec, pod, driver, volumeHandle, readOnly, mode } = this.#p;
    const opts: CSIOperationOptions = { signal: args.signal };

    const client = plugin.clientFor(driver, 'mounter.SetUpAt failed to get CSI client');
    const { volSrc, pvSrc } = getSourceFromSpec(spec);

    let policy: DriverPolicy;
    try {
      policy = await plugin.getDriverPolicy(driver, opts);
      checkVolumeLifecycleMode(driver, policy, mode);
    } catch (err) {
      throw new TransientOperationFailure(
        logMsg(`mounter.SetupAt failed to check volume lifecycle mode: ${errMsg(err)}`),
        { cause: err },
      );
    }

    if (policy.tokenAudiences.length > 0) {
      // Upstream passes bound service account tokens in csi.storage.k8s.io/serviceAccount.tokens;
      // kvol has no TokenRequest API, so a driver that needs them is refused rather than starved.
      throw new Error(
        logMsg(
          `mounter.SetUpAt: CSIDriver ${driver} spec.tokenRequests (audiences ${JSON.stringify(policy.tokenAudiences)}) is not supported by kvol`,
        ),
      );
    }

    let fsType = '';
    let volAttribs: Record<string, string> = {};
    let secretRef: SecretReference | undefined;
    let publishContext: Record<string, string> = {};
    let mountOptions: readonly string[] = [];
    let deviceMountPath = '';
    let accessMode = firstAccessMode(undefined);

    if (volSrc !== undefined) {
      if (mode !== 'Ephemeral') throw new Error(`unexpected volume mode: ${mode}`);
      fsType = volSrc.fsType ?? '';
      volAttribs = { ...(volSrc.volumeAttributes ?? {}) };
      const name = volSrc.nodePublishSecretRef?.name;
      if (name !== undefined) secretRef = { name, namespace: pod.metadata.namespace ?? '' };
    } else if (pvSrc !== undefined) {
      if (mode !== 'Persistent') throw new Error(`unexpected driver mode: ${mode}`);
      fsType = pvSrc.fsType ?? '';
      volAttribs = { ...(pvSrc.volumeAttributes ?? {}) };
      secretRef = pvSrc.nodePublishSecretRef ?? undefined;
      accessMode = firstAccessMode(spec.persistentVolume?.spec?.accessModes);
      mountOptions = spec.persistentVolume?.spec?.mountOptions ?? [];
      let stage: boolean;
      try {
        stage = await plugin.nodeSupports(driver, client, nodeCapability.stageUnstage, opts);
      } catch (err) {
        throw new Error(
          logMsg(`mounter.SetUpAt failed to check for STAGE_UNSTAGE_VOLUME capability: ${errMsg(err)}`),
          { cause: err },
        );
      }
      if (stage) deviceMountPath = deviceMountPathFor(host, driver, volumeHandle);
      try {
        publishContext = await plugin.getPublishContext(volumeHandle, driver, policy, opts);
      } catch (err) {
        throw new TransientOperationFailure(
          logMsg(`mounter.SetUpAt failed to fetch publishContext: ${errMsg(err)}`),
          { cause: err },
        );
      }
    }

    const parentDir = dirname(dir);
    try {
      await mkdirAll(parentDir);
    } catch (err) {
      throw new Error(
        logMsg(`mounter.SetUpAt failed to create dir ${JSON.stringify(parentDir)}: ${errMsg(err)}`),
      );
    }

    let secrets: Record<string, string> = {};
    if (secretRef !== undefined) {
      try {
        secrets = await getCredentialsFromSecret(host, secretRef);
      } catch (err) {
        throw new TransientOperationFailure(
          `fetching NodePublishSecretRef ${secretRef.namespace ?? ''}/${secretRef.name ?? ''} failed: ${errMsg(err)}`,
          { cause: err },
        );
      }
    }
    if (policy.podInfoOnMount) volAttribs = { ...volAttribs, ...podInfoAttrs(pod, mode) };

    let delegateFSGroup: boolean;
    let snmw: boolean;
    try {
      delegateFSGroup = await plugin.nodeSupports(driver, client, nodeCapability.volumeMountGroup, opts);
      snmw = await plugin.nodeSupports(driver, client, nodeCapability.singleNodeMultiWriter, opts);
    } catch (err) {
      throw new TransientOperationFailure(
        logMsg(
          `mounter.SetUpAt failed to determine if the node service has VOLUME_MOUNT_GROUP capability: ${errMsg(err)}`,
        ),
        { cause: err },
      );
    }

    const nodeName = host.getNodeName();
    const mounter = host.getMounter();
    try {
      await saveVolumeData(parentDir, {
        [volDataKey.specVolID]: specName(spec),
        [volDataKey.volHandle]: volumeHandle,
        [volDataKey.driverName]: driver,
        [volDataKey.nodeName]: nodeName,
        [volDataKey.volumeLifecycleMode]: mode,
        [volDataKey.attachmentID]: getAttachmentName(volumeHandle, driver, nodeName),
      });
    } catch (err) {
      await removeMountDir(mounter, dir).catch(() => undefined);
      throw new TransientOperationFailure(
        logMsg(`mounter.SetUpAt failed to save volume info data: ${errMsg(err)}`),
      );
    }

    try {
      await client.nodePublishVolume(
        {
          volume_id: volumeHandle,
          publish_context: publishContext,
          staging_target_path: deviceMountPath,
          target_path: dir,
          volume_capability: volumeCapability({
            fsType,
            accessMode,
            mountOptions,
            fsGroup: delegateFSGroup ? args.fsGroup : undefined,
            supportsSingleNodeMultiWriter: snmw,
          }),
          readonly: readOnly,
          secrets,
          volume_context: volAttribs,
        },
        plugin.callOptions(opts),
      );
    } catch (err) {
      const e = asOperationError(err);
      if (!isUncertainProgressError(e)) {
        await removeMountDir(mounter, dir).catch((rmErr: unknown) =>
          log.error('mounter.SetupAt failed to remove mount dir after a NodePublish() error', rmErr, { dir }),
        );
      }
      throw e;
    }

    if (!delegateFSGroup && supportsFSGroup(spec, readOnly, fsType, args.fsGroup, policy.fsGroupPolicy)) {
      try {
        await setVolumeOwnership(dir, args.fsGroup, args.fsGroupChangePolicy, readOnly, {
          clock: host.getClock(),
          onSlow: (message) =>
            host.getEventRecorder().event(pod, 'Warning', VolumePermissionChangeInProgress, message),
        });
      } catch (err) {
        // Mounted but unusable: report uncertain so the mount is torn down when the pod goes.
        throw new UncertainProgressError(`applyFSGroup failed for vol ${volumeHandle}: ${errMsg(err)}`, {
          cause: err,
        });
      }
    }
    log.v(4, 'mounter.SetUp successfully requested NodePublish', { dir });
  }
}

export class CSIUnmounter implements Unmounter {
  readonly #plugin: CSIPlugin;
  readonly #volumeName: string;
  readonly #podUID: string;

  constructor(plugin: CSIPlugin, volumeName: string, podUID: string) {
    this.#plugin = plugin;
    this.#volumeName = volumeName;
    this.#podUID = podUID;
  }

  getPath(): string {
    return this.#plugin.podMountPath(this.#podUID, this.#volumeName);
  }

  tearDown(opts: CSIOperationOptions = {}): Promise<void> {
    return this.tearDownAt(this.getPath(), opts);
  }

  /**
   * NodeUnpublishVolume for the volume recorded in the vol_data.json beside `dir`, then removes `dir`
   * (if unmounted and empty, tolerating drivers that leave it), the json and the parent dir. Without a
   * json and without a mount there is nothing left to undo.
   */
  async tearDownAt(dir: string, opts: CSIOperationOptions = {}): Promise<void> {
    const plugin = this.#plugin;
    const mounter = plugin.host.getMounter();
    let data: Record<string, string>;
    try {
      data = await loadVolumeData(dirname(dir));
    } catch (err) {
      if (isNotExistError(err)) {
        // Already torn down (or never set up): clean what may be left, fail if something is mounted.
        if (await removeMountDir(mounter, dir)) return;
        throw new Error(logMsg(`Unmounter.TearDownAt: ${dir} is mounted but has no volume data file`));
      }
      throw new Error(logMsg(`unmounter failed to load volume data file [${dir}]: ${errMsg(err)}`), {
        cause: err,
      });
    }
    const driver = data[volDataKey.driverName] ?? '';
    const volID = data[volDataKey.volHandle] ?? '';
    const client = plugin.clientFor(driver, 'Unmounter.TearDownAt failed to get CSI client');
    try {
      await client.nodeUnpublishVolume({ volume_id: volID, target_path: dir }, plugin.callOptions(opts));
    } catch (err) {
      throw new Error(logMsg(`Unmounter.TearDownAt failed: ${errMsg(err)}`), { cause: err });
    }
    try {
      await removeMountDir(mounter, dir);
    } catch (err) {
      throw new Error(logMsg(`Unmounter.TearDownAt failed to clean mount dir [${dir}]: ${errMsg(err)}`), {
        cause: err,
      });
    }
    log.v(4, 'Unmounter.TearDownAt successfully unmounted dir', { dir });
  }
}
