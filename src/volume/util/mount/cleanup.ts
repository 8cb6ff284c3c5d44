// Mount point checks and cleanup shared by every plugin (upstream mount-utils IsNotMountPoint,
// CleanupMountPoint). These work with any MountInterface, the fake included.
import { realpath, rmdir, stat, unlink } from 'node:fs/promises';
import { isCorruptedMountError, isNotExistError } from './errors.ts';
import type { MountInterface, MountPoint } from './types.ts';

/** Upstream isMountPointMatch: a deleted mount point shows as `<path>\040(deleted)` (decoded here). */
function matches(mp: MountPoint, path: string): boolean {
  return mp.path === path || mp.path === `${path} (deleted)`;
}

/**
 * True when `path` is a mount point. Checks the device first (a different device than the parent is
 * certainly a mount point) and otherwise looks the resolved path up in the mount table, so a bind mount
 * within one filesystem is found. Throws ENOENT when the path does not exist.
 */
export async function isMountPoint(mounter: MountInterface, path: string): Promise<boolean> {
  let notMnt: boolean;
  try {
    notMnt = await mounter.isLikelyNotMountPoint(path);
  } catch (err) {
    // Upstream treats "permission denied" as "go and look in the table".
    if (!(typeof err === 'object' && err !== null && 'code' in err && err.code === 'EACCES')) throw err;
    notMnt = true;
  }
  if (!notMnt) return true;
  const resolved = await realpath(path);
  const table = await mounter.list();
  return table.some((mp) => matches(mp, resolved));
}

/** The negation of isMountPoint, under upstream's name. */
export async function isNotMountPoint(mounter: MountInterface, path: string): Promise<boolean> {
  return !(await isMountPoint(mounter, path));
}

/**
 * Unmounts `path` if it is mounted and removes the (then empty) directory. Idempotent: a path that
 * does not exist is fine. A corrupted mount (dead FUSE daemon, stale NFS handle) is unmounted without
 * looking inside it. `extensiveCheck` uses the mount table (needed for bind mounts); otherwise the fast
 * device check. Throws when the path is still a mount point after the unmount.
 */
export async function cleanupMountPoint(
  mounter: MountInterface,
  path: string,
  extensiveCheck: boolean,
): Promise<void> {
  let corrupted = false;
  try {
    await stat(path);
  } catch (err) {
    if (isNotExistError(err)) return;
    if (!isCorruptedMountError(err)) throw new Error(`Error checking path: ${String(err)}`, { cause: err });
    corrupted = true;
  }
  if (!corrupted) {
    if (await removePathIfNotMountPoint(mounter, path, extensiveCheck)) return;
  }
  await mounter.unmount(path);
  if (await removePathIfNotMountPoint(mounter, path, extensiveCheck)) return;
  throw new Error(`failed to unmount path ${path}`);
}

/** Removes `path` when it is not a mount point; returns whether it was not one (or is gone). */
async function removePathIfNotMountPoint(
  mounter: MountInterface,
  path: string,
  extensiveCheck: boolean,
): Promise<boolean> {
  let notMnt: boolean;
  try {
    notMnt = extensiveCheck
      ? await isNotMountPoint(mounter, path)
      : await mounter.isLikelyNotMountPoint(path);
  } catch (err) {
    if (isNotExistError(err)) return true;
    throw err;
  }
  if (notMnt) await removePath(path);
  return notMnt;
}

/** os.Remove: rmdir for a directory, unlink otherwise; a path already gone is fine. */
async function removePath(path: string): Promise<void> {
  try {
    await rmdir(path);
  } catch (err) {
    if (isNotExistError(err)) return;
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOTDIR') {
      await unlink(path);
      return;
    }
    throw err;
  }
}
