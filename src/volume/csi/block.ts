// Raw block CSI volumes (upstream pkg/volume/csi/csi_block.go). Layout under
// `<root>/plugins/kubernetes.io/csi/volumeDevices`:
//   staging/<pv>             NodeStageVolume target (a directory), once per node
//   publish/<pv>/<podUID>    NodePublishVolume target (a file the driver puts the device on), per pod
//   <pv>/data/vol_data.json  driver and handle, for unmap and reconstruction
//   <pv>/dev                 the global map path; the volume manager maps the device per pod below it
// The pod sees `<root>/pods/<uid>/volumeDevices/kubernetes.io~csi/<volName>`, made by the volume
// manager from the path mapPodDevice returns.
//
// Concurrency: setUpDevice/tearDownDevice once per volume at a time, mapPodDevice/unmapPodDevice per
// pod (operation executor).
import { lstat, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CSIPersistentVolumeSource, Pod, SecretReference, VolumeAttachment } from '../../api/index.ts';
import { Resources } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import { escapePluginName, type VolumeHost } from '../plugins.ts';
import { isMountPoint, isNotExistError } from '../util/mount/index.ts';
import {
  type BlockVolumeMapper,
  type BlockVolumeUnmapper,
  isUncertainProgressError,
  type Metrics,
  type Spec,
  specName,
  TransientOperationFailure,
} from '../volume.ts';
import { csiPluginName, fsTypeBlockName, nodeCapability, volDataKey } from './constants.ts';
import { csiMetrics } from './metrics.ts';
import type { CSIOperationOptions, CSIPlugin } from './plugin.ts';
import {
  asOperationError,
  errMsg,
  firstAccessMode,
  getAttachmentName,
  getCredentialsFromSecret,
  loadVolumeData,
  logMsg,
  mkdirAll,
  podInfoAttrs,
  saveVolumeData,
  volumeCapability,
  volumeDevicePluginDir,
} from './util.ts';

const log = logger('csi-block');

/** `.../volumeDevices/staging/<pv>` */
export function blockStagingPath(host: VolumeHost, specName: string): string {
  return join(volumeDevicePluginDir(host), 'staging', escapePluginName(specName));
}

/** `.../volumeDevices/publish/<pv>` */
export function blockPublishDir(host: VolumeHost, specName: string): string {
  return join(volumeDevicePluginDir(host), 'publish', escapePluginName(specName));
}

/** `.../volumeDevices/<pv>/data` */
export function volumeDeviceDataDir(host: VolumeHost, specName: string): string {
  return join(volumeDevicePluginDir(host), escapePluginName(specName), 'data');
}

/** `.../volumeDevices/<pv>/dev` (upstream getVolumeDevicePluginDir; GetGlobalMapPath). */
export function volumeDeviceGlobalMapPath(host: VolumeHost, specName: string): string {
  return join(volumeDevicePluginDir(host), escapePluginName(specName), 'dev');
}

/** `<root>/pods/<uid>/volumeDevices/kubernetes.io~csi` */
function podVolumeDeviceDir(host: VolumeHost, podUID: string): string {
  return join(host.getPodsDir(), podUID, 'volumeDevices', escapePluginName(csiPluginName));
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (isNotExistError(err)) return false;
    throw err;
  }
}

async function tryRmdir(path: string): Promise<void> {
  try {
    await rmdir(path);
  } catch (err) {
    if (!isNotExistError(err)) log.v(4, 'cannot remove block volume directory', { path, err: errMsg(err) });
  }
}

abstract class CSIBlockVolume {
  protected readonly plugin: CSIPlugin;
  protected readonly specName: string;
  protected readonly podUID: string;

  constructor(plugin: CSIPlugin, specName: string, podUID: string) {
    this.plugin = plugin;
    this.specName = specName;
    this.podUID = podUID;
  }

  async getGlobalMapPath(spec: Spec): Promise<string> {
    return volumeDeviceGlobalMapPath(this.plugin.host, specName(spec));
  }

  getPodDeviceMapPath(): [dir: string, name: string] {
    return [podVolumeDeviceDir(this.plugin.host, this.podUID), this.specName];
  }

  get stagingPath(): string {
    return blockStagingPath(this.plugin.host, this.specName);
  }

  get publishPath(): string {
    return join(blockPublishDir(this.plugin.host, this.specName), this.podUID);
  }

  /** Removes what NodeStage/NodePublish left once no pod uses the volume (upstream cleanupOrphanDeviceFiles). */
  protected async cleanupOrphanDeviceFiles(): Promise<void> {
    const host = this.plugin.host;
    await tryRmdir(blockPublishDir(host, this.specName));
    await tryRmdir(this.stagingPath);
    // Everything under volumeDevices/<pv> (data/vol_data.json and dev/), but never across a mount
    // (upstream RemoveAllOneFilesystem): a device still bind-mounted for a pod stays.
    const volumeDir = dirname(volumeDeviceDataDir(host, this.specName));
    try {
      const mounts = await host.getMounter().list();
      const busy = mounts.find((m) => m.path === volumeDir || m.path.startsWith(`${volumeDir}/`));
      if (busy !== undefined) {
        log.v(4, 'not removing block volume directory: something is mounted under it', {
          volumeDir,
          mount: busy.path,
        });
        return;
      }
      await rm(volumeDir, { recursive: true, force: true });
    } catch (err) {
      log.v(4, 'cannot remove block volume directory', { volumeDir, err: errMsg(err) });
    }
  }
}

export class CSIBlockMapper extends CSIBlockVolume implements BlockVolumeMapper {
  readonly #spec: Spec;
  readonly #pod: Pod;
  readonly #src: CSIPersistentVolumeSource;

  constructor(plugin: CSIPlugin, spec: Spec, pod: Pod, src: CSIPersistentVolumeSource) {
    super(plugin, specName(spec), pod.metadata.uid ?? '');
    this.#spec = spec;
    this.#pod = pod;
    this.#src = src;
  }

  /**
   * NodeGetVolumeStats on the publish path `publish/<pv>/<podUID>` (upstream getPublishPath): the
   * path the driver published, not the kubelet's own per-pod bind under `<pv>/dev`, which the driver
   * never saw. Undefined without GET_VOLUME_STATS.
   */
  getMetrics(): Promise<Metrics | undefined> {
    return csiMetrics(this.plugin, this.#src.driver, this.#src.volumeHandle, this.publishPath);
  }

  /** Writes `<pv>/data/vol_data.json` (upstream does it when the mapper is made). */
  async #saveData(): Promise<void> {
    const host = this.plugin.host;
    const dataDir = volumeDeviceDataDir(host, this.specName);
    try {
      await mkdirAll(dataDir);
      const node = host.getNodeName();
      await saveVolumeData(dataDir, {
        [volDataKey.specVolID]: this.specName,
        [volDataKey.volHandle]: this.#src.volumeHandle,
        [volDataKey.driverName]: this.#src.driver,
        [volDataKey.nodeName]: node,
        [volDataKey.attachmentID]: getAttachmentName(this.#src.volumeHandle, this.#src.driver, node),
      });
    } catch (err) {
      throw new Error(logMsg(`failed to save volume info data: ${errMsg(err)}`), { cause: err });
    }
  }

  /** Client, publish context (from the VolumeAttachment when attach is required) and the stage capability. */
  async #prepare(what: string, opts: CSIOperationOptions) {
    const p = this.plugin;
    const src = this.#src;
    const client = p.clientFor(src.driver, `blockMapper.${what} failed to get CSI client`);
    const policy = await p.getDriverPolicy(src.driver, opts);
    let publishContext: Record<string, string> = {};
    if (policy.attachRequired) {
      const attachID = getAttachmentName(src.volumeHandle, src.driver, p.host.getNodeName());
      try {
        const va = await p
          .kubeClient()
          .resource<VolumeAttachment>(Resources.volumeattachments)
          .get(attachID, opts.signal === undefined ? {} : { signal: opts.signal });
        publishContext = { ...(va.status?.attachmentMetadata ?? {}) };
      } catch (err) {
        throw new TransientOperationFailure(
          logMsg(`blockMapper.${what} failed to get volume attachment [id=${attachID}]: ${errMsg(err)}`),
          { cause: err },
        );
      }
    }
    const stage = await p.nodeSupports(src.driver, client, nodeCapability.stageUnstage, opts);
    const snmw = await p.nodeSupports(src.driver, client, nodeCapability.singleNodeMultiWriter, opts);
    const capability = volumeCapability({
      fsType: fsTypeBlockName,
      accessMode: firstAccessMode(this.#spec.persistentVolume?.spec?.accessModes),
      supportsSingleNodeMultiWriter: snmw,
    });
    return { client, policy, publishContext, stage, capability };
  }

  async #secrets(ref: SecretReference | undefined, kind: string): Promise<Record<string, string>> {
    if (ref == null) return {};
    try {
      return await getCredentialsFromSecret(this.plugin.host, ref);
    } catch (err) {
      throw new TransientOperationFailure(
        `failed to get ${kind} ${ref.namespace ?? ''}/${ref.name ?? ''}: ${errMsg(err)}`,
        { cause: err },
      );
    }
  }

  /**
   * NodeStageVolume with a block capability at the staging path; returns it, or '' when the driver
   * does not stage. A final error removes the staging dir; an uncertain one keeps it.
   */
  async setUpDevice(opts: CSIOperationOptions = {}): Promise<string> {
    await this.#saveData();
    const { client, publishContext, stage, capability } = await this.#prepare('SetUpDevice', opts);
    if (!stage) return '';
    const secrets = await this.#secrets(this.#src.nodeStageSecretRef, 'NodeStageSecretRef');
    const stagingPath = this.stagingPath;
    await mkdirAll(stagingPath);
    try {
      await client.nodeStageVolume(
        {
          volume_id: this.#src.volumeHandle,
          publish_context: publishContext,
          staging_target_path: stagingPath,
          volume_capability: capability,
          secrets,
          volume_context: { ...(this.#src.volumeAttributes ?? {}) },
        },
        this.plugin.callOptions(opts),
      );
    } catch (err) {
      const e = asOperationError(err);
      if (!isUncertainProgressError(e)) await tryRmdir(stagingPath);
      throw e;
    }
    return stagingPath;
  }

  /** NodePublishVolume onto `publish/<pv>/<podUID>` (the parent is made here, the file by the driver). */
  async mapPodDevice(opts: CSIOperationOptions = {}): Promise<string> {
    await this.#saveData();
    const { client, policy, publishContext, stage, capability } = await this.#prepare('MapPodDevice', opts);
    const secrets = await this.#secrets(this.#src.nodePublishSecretRef, 'NodePublishSecretRef');
    const publishPath = this.publishPath;
    await mkdirAll(dirname(publishPath));
    let volumeContext: Record<string, string> = { ...(this.#src.volumeAttributes ?? {}) };
    if (policy.podInfoOnMount) volumeContext = { ...volumeContext, ...podInfoAttrs(this.#pod, 'Persistent') };
    try {
      await client.nodePublishVolume(
        {
          volume_id: this.#src.volumeHandle,
          publish_context: publishContext,
          staging_target_path: stage ? this.stagingPath : '',
          target_path: publishPath,
          volume_capability: capability,
          readonly: this.#spec.readOnly,
          secrets,
          volume_context: volumeContext,
        },
        this.plugin.callOptions(opts),
      );
    } catch (err) {
      throw asOperationError(err);
    }
    return publishPath;
  }
}

export class CSIBlockUnmapper extends CSIBlockVolume implements BlockVolumeUnmapper {
  async #load(): Promise<{ driver: string; volID: string } | undefined> {
    try {
      const data = await loadVolumeData(volumeDeviceDataDir(this.plugin.host, this.specName));
      return { driver: data[volDataKey.driverName] ?? '', volID: data[volDataKey.volHandle] ?? '' };
    } catch (err) {
      if (isNotExistError(err)) return undefined;
      throw new Error(logMsg(`unmapper failed to load volume data file: ${errMsg(err)}`), { cause: err });
    }
  }

  #client(driver: string): ReturnType<CSIPlugin['csiClient']> {
    return this.plugin.clientFor(driver, 'blockMapper failed to get CSI client');
  }

  /**
   * NodeUnpublishVolume of `publish/<pv>/<podUID>` (even when the file is gone: an earlier publish may
   * have timed out), then removes the file if the driver left it.
   */
  async unmapPodDevice(opts: CSIOperationOptions = {}): Promise<void> {
    const publishPath = this.publishPath;
    const data = await this.#load();
    if (data === undefined) {
      if (!(await exists(publishPath))) return;
      throw new Error(
        logMsg(`blockMapper.UnmapPodDevice: ${publishPath} exists but the volume data file is gone`),
      );
    }
    const client = this.#client(data.driver);
    try {
      await client.nodeUnpublishVolume(
        { volume_id: data.volID, target_path: publishPath },
        this.plugin.callOptions(opts),
      );
    } catch (err) {
      throw new Error(logMsg(`blockMapper.unpublishVolumeForBlock failed: ${errMsg(err)}`), { cause: err });
    }
    if (await exists(publishPath)) {
      if (await isMountPoint(this.plugin.host.getMounter(), publishPath)) {
        throw new Error(
          logMsg(`blockMapper.UnmapPodDevice: ${publishPath} is still mounted after NodeUnpublishVolume`),
        );
      }
      await rm(publishPath, { force: true, recursive: false });
    }
  }

  /** NodeUnstageVolume of the staging path when it exists and the driver stages, then removes the leftovers. */
  async tearDownDevice(
    _globalMapPath: string,
    _devicePath: string,
    opts: CSIOperationOptions = {},
  ): Promise<void> {
    const stagingPath = this.stagingPath;
    const data = await this.#load();
    if (data !== undefined && (await exists(stagingPath))) {
      const client = this.#client(data.driver);
      const stage = await this.plugin.nodeSupports(data.driver, client, nodeCapability.stageUnstage, opts);
      if (stage) {
        try {
          await client.nodeUnstageVolume(
            { volume_id: data.volID, staging_target_path: stagingPath },
            this.plugin.callOptions(opts),
          );
        } catch (err) {
          throw new Error(logMsg(`blockMapper.unstageVolumeForBlock failed: ${errMsg(err)}`), { cause: err });
        }
      }
      // Never recurse into something still mounted (a driver that did not unmount).
      const mounts = await this.plugin.host.getMounter().list();
      const left = mounts.find((m) => m.path === stagingPath || m.path.startsWith(`${stagingPath}/`));
      if (left !== undefined) {
        throw new Error(
          logMsg(`blockMapper.TearDownDevice: ${left.path} is still mounted after NodeUnstageVolume`),
        );
      }
      await rm(stagingPath, { recursive: true, force: true });
    }
    await this.cleanupOrphanDeviceFiles();
  }
}
