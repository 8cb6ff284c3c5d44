// Paths of raw block volumes on the node (upstream pkg/volume/util/volumepathhandler and the
// MapBlockVolume / UnmapBlockVolume helpers of pkg/volume/util): a block volume mapped for a pod is
// a bind mount of the device file at `<globalMapPath>/<podUID>` (one per pod, so the device cannot be
// released while a pod uses it and every user is visible in the mount table) plus the symlink
// `<pods>/<uid>/volumeDevices/<escaped plugin>/<volume>` -> device the runtime hands to containers.
//
// Every call is idempotent (a map already made, or an unmap already done, is success), so an operation
// interrupted by a crash is simply run again. Upstream also attaches a loop device to the bind-mounted
// file to hold the device open; kvol runs no containers that could race with a device being replaced,
// and does not.
//
// Concurrency: callers hold the operation executor's lock on the volume (or the pod's volume).
import { lstat, mkdir, open, readdir, rename, rm, rmdir, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { MountInterface } from '../mount/index.ts';

function code(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

export class BlockVolumePathHandler {
  readonly #mounter: MountInterface;

  constructor(mounter: MountInterface) {
    this.#mounter = mounter;
  }

  async #isMounted(path: string): Promise<boolean> {
    return (await this.#mounter.list()).some((m) => m.path === path || m.path === `${path} (deleted)`);
  }

  /**
   * Makes `<mapPath>/<linkName>` refer to devicePath: a bind mount of the device onto a file
   * (bindMount) or a symlink (replacing any older link: it may be stale after a reboot).
   */
  async mapDevice(devicePath: string, mapPath: string, linkName: string, bindMount: boolean): Promise<void> {
    if (devicePath === '') throw new Error('blkUtil.MapDevice: devicePath is empty');
    if (mapPath === '') throw new Error('blkUtil.MapDevice: mapPath is empty');
    if (!mapPath.startsWith('/')) throw new Error(`blkUtil.MapDevice: mapPath ${mapPath} is not absolute`);
    await mkdir(mapPath, { recursive: true, mode: 0o750 });
    const linkPath = join(mapPath, linkName);
    if (!bindMount) {
      await replaceSymlink(devicePath, linkPath);
      return;
    }
    if (await this.#isMounted(linkPath)) return;
    try {
      const f = await open(linkPath, 'a', 0o750);
      await f.close();
    } catch (err) {
      throw new Error(`failed to create file ${linkPath}: ${(err as Error).message}`, { cause: err });
    }
    try {
      await this.#mounter.mount(devicePath, linkPath, { options: ['bind'] });
    } catch (err) {
      throw new Error(
        `failed to bind mount devicePath: ${devicePath} to linkPath ${linkPath}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** Undoes mapDevice: unmounts and removes the bind-mounted file, or removes the symlink. */
  async unmapDevice(mapPath: string, linkName: string, bindMount: boolean): Promise<void> {
    if (mapPath === '') throw new Error('blkUtil.UnmapDevice: mapPath is empty');
    const linkPath = join(mapPath, linkName);
    if (bindMount && (await this.#isMounted(linkPath))) await this.#mounter.unmount(linkPath);
    try {
      await unlink(linkPath);
    } catch (err) {
      if (code(err) !== 'ENOENT') throw err;
    }
  }

  /**
   * Removes the global map dir once no pod maps the device. Refuses while anything under it is still
   * mounted (a bind mount's device would otherwise be written through).
   */
  async removeMapPath(mapPath: string): Promise<void> {
    if (mapPath === '') throw new Error('blkUtil.RemoveMapPath: mapPath is empty');
    const under = (await this.#mounter.list()).filter(
      (m) => m.path === mapPath || m.path.startsWith(`${mapPath}/`),
    );
    if (under.length > 0) {
      throw new Error(`cannot remove ${mapPath}: ${under.map((m) => m.path).join(', ')} still mounted`);
    }
    await rm(mapPath, { recursive: true, force: true });
  }

  /** The per-pod bind mounts under the global map path (upstream GetDeviceBindMountRefs). */
  async getDeviceBindMountRefs(_devicePath: string, mapPath: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(mapPath);
    } catch (err) {
      if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return [];
      throw err;
    }
    const mounted = new Set((await this.#mounter.list()).map((m) => m.path));
    return names.map((n) => join(mapPath, n)).filter((p) => mounted.has(p));
  }
}

/** Creates or atomically replaces a symlink (a temporary link renamed over the old one). */
export async function replaceSymlink(target: string, linkPath: string): Promise<void> {
  const tmp = `${linkPath}.tmp-${process.pid}`;
  await rm(tmp, { force: true });
  await symlink(target, tmp);
  try {
    await rename(tmp, linkPath);
  } catch (err) {
    await rm(tmp, { force: true });
    // A directory where the link should be (an old layout, or a failed plugin) is replaced only when
    // empty.
    if (code(err) === 'EISDIR' || code(err) === 'ENOTEMPTY' || code(err) === 'EEXIST') {
      const st = await lstat(linkPath);
      if (st.isDirectory()) {
        await rmdir(linkPath);
        await symlink(target, linkPath);
        return;
      }
    }
    throw err;
  }
}

/**
 * Maps a device for a pod (upstream MapBlockVolume): the bind mount at `<globalMapPath>/<podUID>`,
 * then the pod's symlink `<podVolumeMapPath>/<volumeMapName>` -> devicePath.
 */
export async function mapBlockVolume(
  h: BlockVolumePathHandler,
  devicePath: string,
  globalMapPath: string,
  podVolumeMapPath: string,
  volumeMapName: string,
  podUID: string,
): Promise<void> {
  try {
    await h.mapDevice(devicePath, globalMapPath, podUID, true);
  } catch (err) {
    throw new Error(
      `blkUtil.MapDevice failed. devicePath: ${devicePath}, globalMapPath:${globalMapPath}, podUID: ${podUID}, bindMount: true: ${(err as Error).message}`,
      { cause: err },
    );
  }
  try {
    await h.mapDevice(devicePath, podVolumeMapPath, volumeMapName, false);
  } catch (err) {
    throw new Error(
      `blkUtil.MapDevice failed. devicePath: ${devicePath}, podVolumeMapPath:${podVolumeMapPath}, volumeMapName: ${volumeMapName}, bindMount: false: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** Undoes mapBlockVolume (upstream UnmapBlockVolume): the pod's symlink, then the bind mount. */
export async function unmapBlockVolume(
  h: BlockVolumePathHandler,
  globalUnmapPath: string,
  podDeviceUnmapPath: string,
  volumeMapName: string,
  podUID: string,
): Promise<void> {
  try {
    await h.unmapDevice(podDeviceUnmapPath, volumeMapName, false);
  } catch (err) {
    throw new Error(
      `blkUtil.UnmapDevice failed. podDeviceUnmapPath:${podDeviceUnmapPath}, volumeMapName: ${volumeMapName}, bindMount: false: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (globalUnmapPath === '') return;
  try {
    await h.unmapDevice(globalUnmapPath, podUID, true);
  } catch (err) {
    throw new Error(
      `blkUtil.UnmapDevice failed. globalUnmapPath:${globalUnmapPath}, podUID: ${podUID}, bindMount: true: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
