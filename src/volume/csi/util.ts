// Helpers of the kubernetes.io/csi plugin (upstream csi_util.go and parts of csi_client.go): the
// vol_data.json files, names and paths derived from hashes, the volume source of a spec, secrets,
// the CSI volume capability, pod info attributes and the mapping of CSI errors to the volume
// manager's error kinds. Stateless.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type {
  CSIPersistentVolumeSource,
  CSIVolumeSource,
  PersistentVolumeAccessMode,
  Pod,
  SecretReference,
  VolumeLifecycleMode,
} from '../../api/index.ts';
import { isFinalCsiError, type VolumeCapability } from '../../csi/index.ts';
import type { VolumeHost } from '../plugins.ts';
import { isMountPoint, isNotExistError, type MountInterface } from '../util/mount/index.ts';
import { type Spec, UncertainProgressError } from '../volume.ts';
import { csiPluginName, podInfoKey, volDataFileName } from './constants.ts';

/** Prefixes a message with the plugin name, as upstream's log() helper does for errors. */
export function logMsg(msg: string): string {
  return `${csiPluginName}: ${msg}`;
}

export function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** `csi-<sha256(volumeHandle + driver + node)>`, the VolumeAttachment name (upstream getAttachmentName). */
export function getAttachmentName(volumeHandle: string, driverName: string, nodeName: string): string {
  return `csi-${sha256Hex(`${volumeHandle}${driverName}${nodeName}`)}`;
}

/** `csi-<sha256(podUID + specName)>`, the handle of an ephemeral inline volume (upstream makeVolumeHandle). */
export function makeVolumeHandle(podUID: string, specName: string): string {
  return `csi-${sha256Hex(`${podUID}${specName}`)}`;
}

/** `<pluginDir>/<driver>/<sha256(handle)>/globalmount`: the NodeStage target of a filesystem PV. */
export function deviceMountPathFor(host: VolumeHost, driver: string, volumeHandle: string): string {
  return join(host.getPluginDir(csiPluginName), driver, sha256Hex(volumeHandle), 'globalmount');
}

/** `<root>/plugins/kubernetes.io/csi/volumeDevices` (upstream GetVolumeDevicePluginDir). */
export function volumeDevicePluginDir(host: VolumeHost): string {
  return join(host.getPluginDir(csiPluginName), 'volumeDevices');
}

/** The CSI source of a spec: inline (`volSrc`) or PersistentVolume (`pvSrc`), exactly one. */
export function getSourceFromSpec(spec: Spec | undefined): {
  volSrc?: CSIVolumeSource;
  pvSrc?: CSIPersistentVolumeSource;
} {
  if (spec === undefined) throw new Error('volume.Spec nil');
  if (spec.volume !== undefined && spec.persistentVolume !== undefined) {
    throw new Error('volume.Spec has both volume and persistent volume sources');
  }
  const volSrc = spec.volume?.csi;
  if (volSrc != null) return { volSrc };
  const pvSrc = spec.persistentVolume?.spec?.csi;
  if (pvSrc != null) return { pvSrc };
  throw new Error('volume source not found in volume.Spec');
}

/** The PV source of a spec; an inline source is refused (upstream getPVSourceFromSpec). */
export function getPVSourceFromSpec(spec: Spec | undefined): CSIPersistentVolumeSource {
  const { volSrc, pvSrc } = getSourceFromSpec(spec);
  if (volSrc !== undefined || pvSrc === undefined) {
    throw new Error('unexpected api.CSIVolumeSource found in volume.Spec');
  }
  return pvSrc;
}

/** The driver name of a spec, inline or PV. */
export function driverNameOf(spec: Spec): string {
  const { volSrc, pvSrc } = getSourceFromSpec(spec);
  return volSrc?.driver ?? pvSrc?.driver ?? '';
}

export function lifecycleModeOf(spec: Spec): VolumeLifecycleMode {
  const { volSrc } = getSourceFromSpec(spec);
  return volSrc !== undefined ? 'Ephemeral' : 'Persistent';
}

// ---- vol_data.json ----

export type VolumeData = Record<string, string>;

/** Writes `<dir>/vol_data.json` atomically (temp file + rename), so a crash never leaves half a file. */
export async function saveVolumeData(dir: string, data: VolumeData): Promise<void> {
  const file = join(dir, volDataFileName);
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify(data)}\n`, { mode: 0o640 });
  await rename(tmp, file);
}

/** Reads `<dir>/vol_data.json`; rejects with ENOENT when it is missing. */
export async function loadVolumeData(dir: string): Promise<VolumeData> {
  const text = await readFile(join(dir, volDataFileName), 'utf8');
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`volume data file ${join(dir, volDataFileName)} is not a JSON object`);
  }
  const out: VolumeData = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
  return out;
}

export async function mkdirAll(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o750 });
}

async function removeIfExists(path: string, dir: boolean): Promise<void> {
  try {
    if (dir) await rmdir(path);
    else await rm(path);
  } catch (err) {
    if (!isNotExistError(err)) throw err;
  }
}

/**
 * Upstream removeMountDir: when `mountPath` is not mounted, removes it (it must be empty), the
 * vol_data.json next to it and their parent dir; returns false (and removes nothing) when it is
 * still mounted.
 * Bind mounts on the same filesystem are found through the mount table.
 */
export async function removeMountDir(mounter: MountInterface, mountPath: string): Promise<boolean> {
  let mounted: boolean;
  try {
    mounted = await isMountPoint(mounter, mountPath);
  } catch (err) {
    if (!isNotExistError(err)) throw err;
    mounted = false;
  }
  if (mounted) return false;
  try {
    await removeIfExists(mountPath, true);
  } catch (err) {
    throw new Error(logMsg(`failed to remove dir [${mountPath}]: ${errMsg(err)}`), { cause: err });
  }
  const volPath = dirname(mountPath);
  const dataFile = join(volPath, volDataFileName);
  try {
    await removeIfExists(dataFile, false);
  } catch (err) {
    throw new Error(logMsg(`failed to delete volume data file [${dataFile}]: ${errMsg(err)}`), {
      cause: err,
    });
  }
  try {
    await removeIfExists(volPath, true);
  } catch (err) {
    throw new Error(logMsg(`failed to delete volume path [${volPath}]: ${errMsg(err)}`), { cause: err });
  }
  return true;
}

// ---- secrets ----

/** A Secret's data as strings (upstream getCredentialsFromSecret). */
export async function getCredentialsFromSecret(
  host: VolumeHost,
  ref: SecretReference,
): Promise<Record<string, string>> {
  const secret = await host.getSecret(ref.namespace ?? '', ref.name ?? '');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

// ---- capability ----

type CsiAccessMode =
  | 'SINGLE_NODE_WRITER'
  | 'SINGLE_NODE_MULTI_WRITER'
  | 'SINGLE_NODE_SINGLE_WRITER'
  | 'MULTI_NODE_READER_ONLY'
  | 'MULTI_NODE_MULTI_WRITER'
  | 'UNKNOWN';

/** Upstream asCSIAccessModeV1. */
export function asCSIAccessMode(
  mode: PersistentVolumeAccessMode,
  supportsSingleNodeMultiWriter: boolean,
): CsiAccessMode {
  switch (mode) {
    case 'ReadWriteOnce':
      return supportsSingleNodeMultiWriter ? 'SINGLE_NODE_MULTI_WRITER' : 'SINGLE_NODE_WRITER';
    case 'ReadOnlyMany':
      return 'MULTI_NODE_READER_ONLY';
    case 'ReadWriteMany':
      return 'MULTI_NODE_MULTI_WRITER';
    case 'ReadWriteOncePod':
      return supportsSingleNodeMultiWriter ? 'SINGLE_NODE_SINGLE_WRITER' : 'SINGLE_NODE_WRITER';
    default:
      return 'UNKNOWN';
  }
}

export interface CapabilityArgs {
  /** `block` (fsTypeBlockName) asks for a block capability. */
  fsType: string;
  accessMode: PersistentVolumeAccessMode;
  mountOptions?: readonly string[] | undefined;
  /** Delegated fsGroup (VOLUME_MOUNT_GROUP). */
  fsGroup?: number | undefined;
  supportsSingleNodeMultiWriter: boolean;
}

/** The VolumeCapability kubelet sends with NodeStage/NodePublish/NodeExpand. */
export function volumeCapability(a: CapabilityArgs): VolumeCapability {
  const access_mode = { mode: asCSIAccessMode(a.accessMode, a.supportsSingleNodeMultiWriter) };
  if (a.fsType === 'block') return { block: {}, access_mode };
  const mount: NonNullable<VolumeCapability['mount']> = {
    fs_type: a.fsType,
    mount_flags: [...(a.mountOptions ?? [])],
  };
  if (a.fsGroup !== undefined) mount.volume_mount_group = String(a.fsGroup);
  return { mount, access_mode };
}

/** The first access mode of a PV, ReadWriteOnce when it has none (upstream's simple mapping). */
export function firstAccessMode(
  modes: readonly PersistentVolumeAccessMode[] | undefined,
): PersistentVolumeAccessMode {
  return modes?.[0] ?? 'ReadWriteOnce';
}

/** ReadWriteOnce or ReadWriteOncePod among the modes. */
export function hasReadWriteOnce(modes: readonly PersistentVolumeAccessMode[] | undefined): boolean {
  return modes?.some((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod') ?? false;
}

/** Pod information for volume_context when the CSIDriver asks for it (upstream getPodInfoAttrs). */
export function podInfoAttrs(pod: Pod, mode: VolumeLifecycleMode): Record<string, string> {
  return {
    [podInfoKey.podName]: pod.metadata.name ?? '',
    [podInfoKey.podNamespace]: pod.metadata.namespace ?? '',
    [podInfoKey.podUID]: pod.metadata.uid ?? '',
    [podInfoKey.serviceAccountName]: pod.spec?.serviceAccountName ?? '',
    [podInfoKey.ephemeral]: String(mode === 'Ephemeral'),
  };
}

/**
 * The error a failed NodeStage/NodePublish becomes (upstream csi_client's isFinalError handling):
 * when the driver may still be working on it (timeout, cancel, unavailable, aborted, exhausted) an
 * UncertainProgressError, so the volume manager keeps it as possibly mounted and tears it down;
 * otherwise the error itself.
 */
export function asOperationError(err: unknown): Error {
  if (!isFinalCsiError(err)) return new UncertainProgressError(errMsg(err), { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}
