// Cleanup of orphaned pod directories (upstream cleanupOrphanedPodDirs in pkg/kubelet/kubelet_volumes.go):
// `<root>/pods/<uid>` of a pod the node no longer runs is removed only when nothing under its volumes/
// is mounted or possibly mounted; volume directories are removed only when empty (never recursively,
// so no data behind a mount or left by a failed tear-down is lost); other subdirectories (plugins/,
// containers/, volumeDevices/ with the symlinks of block volumes, ...) are removed recursively, staying
// on one filesystem and never following a symlink.
import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { logger } from '../../component/index.ts';
import type { MountInterface } from '../../volume/index.ts';

const log = logger('volumemanager/orphans');

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code === 'ENOENT' ||
      (err as NodeJS.ErrnoException).code === 'ENOTDIR'
    ) {
      return [];
    }
    throw err;
  }
}

/** `<pods>/<uid>/volumes/<plugin>/<volume>` paths of one pod. */
export async function podVolumePaths(podsDir: string, uid: string): Promise<string[]> {
  const out: string[] = [];
  const volumesDir = join(podsDir, uid, 'volumes');
  for (const plugin of await listDir(volumesDir)) {
    for (const vol of await listDir(join(volumesDir, plugin))) out.push(join(volumesDir, plugin, vol));
  }
  return out;
}

/** `<pods>/<uid>/volumeDevices/<plugin>/<volume>` entries (block volume symlinks) of one pod. */
export async function podVolumeDevicePaths(podsDir: string, uid: string): Promise<string[]> {
  const out: string[] = [];
  const devicesDir = join(podsDir, uid, 'volumeDevices');
  for (const plugin of await listDir(devicesDir)) {
    for (const vol of await listDir(join(devicesDir, plugin))) out.push(join(devicesDir, plugin, vol));
  }
  return out;
}

/** Removes a tree without crossing into mount points (upstream RemoveAllOneFilesystem). */
async function removeAllOneFilesystem(path: string, mounted: Set<string>): Promise<void> {
  for (const m of mounted) {
    if (m === path || m.startsWith(`${path}/`)) throw new Error(`cannot remove ${path}: ${m} is mounted`);
  }
  await rm(path, { recursive: true, force: true });
}

export interface OrphanCleanupOptions {
  podsDir: string;
  mounter: MountInterface;
  /** UIDs of the pods the node still has (in the API or with volumes possibly mounted). */
  isActive: (uid: string) => boolean;
  /** Limit the pass to these pod UIDs; all pod dirs when undefined. */
  only?: Iterable<string>;
}

/** Removes what it can; returns the UIDs whose directories remain (volumes still present). */
export async function cleanupOrphanedPodDirs(opts: OrphanCleanupOptions): Promise<string[]> {
  const candidates = opts.only === undefined ? await listDir(opts.podsDir) : [...opts.only];
  const orphans = candidates.filter((uid) => !opts.isActive(uid));
  if (orphans.length === 0) return [];
  const mounted = new Set((await opts.mounter.list()).map((m) => m.path));
  const remaining: string[] = [];
  for (const uid of orphans) {
    const podDir = join(opts.podsDir, uid);
    try {
      const st = await lstat(podDir).catch(() => undefined);
      if (st === undefined || !st.isDirectory()) continue;
      const volumePaths = await podVolumePaths(opts.podsDir, uid);
      if (volumePaths.some((p) => mounted.has(p))) {
        log.v(3, 'Orphaned pod found, but volumes are not cleaned up', { podUID: uid });
        remaining.push(uid);
        continue;
      }
      // Only empty volume dirs go: anything left inside is data a tear-down did not remove.
      let volumeErrors = 0;
      for (const p of volumePaths) {
        try {
          await rmdir(p);
        } catch {
          volumeErrors++;
        }
      }
      const volumesDir = join(podDir, 'volumes');
      for (const plugin of await listDir(volumesDir))
        await rmdir(join(volumesDir, plugin)).catch(() => volumeErrors++);
      await rmdir(volumesDir).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') volumeErrors++;
      });
      if (volumeErrors > 0) {
        log.warn('orphaned pod found, but volume paths are still present on disk', { podUID: uid });
        remaining.push(uid);
        continue;
      }
      for (const sub of await listDir(podDir)) await removeAllOneFilesystem(join(podDir, sub), mounted);
      await rmdir(podDir);
      log.v(2, 'Cleaned up orphaned pod directory', { podUID: uid });
    } catch (err) {
      log.error('failed cleaning up orphaned pod directory', err, { podUID: uid });
      remaining.push(uid);
    }
  }
  return remaining;
}
