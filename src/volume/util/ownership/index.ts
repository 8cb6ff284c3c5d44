// Volume ownership (upstream pkg/volume/volume_linux.go SetVolumeOwnership): gives a pod's fsGroup
// group ownership of every file in a volume and the group permission bits it needs. Called by
// emptyDir after setup, by the AtomicWriter-based plugins through setPerms, by CSI per fsGroupPolicy.
//
// The walk is post-order (children first, the root last, upstream walkDeep), so with OnRootMismatch a
// walk interrupted half-way is redone next time: the root is only right once everything below it is.
// One walk per directory at a time; the caller (the operation executor) serialises per volume.

import type { Stats } from 'node:fs';
import { chmod, lchown, lstat, opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, realClock } from '../../../component/index.ts';

export type FSGroupChangePolicy = 'OnRootMismatch' | 'Always';

/** Read-write volumes get group read and write. */
export const rwMask = 0o660;
/** Read-only volumes get group read. */
export const roMask = 0o440;
/** Directories also get execute. */
export const execMask = 0o110;
const setgidBit = 0o2000;

/** Upstream progressReportDuration: after this, and every time again, a slow walk is reported. */
export const progressReportDurationMs = 60_000;

/** Event reason of the warning for a slow walk (pkg/volume/events). */
export const VolumePermissionChangeInProgress = 'VolumePermissionChangeInProgress';

export interface SetVolumeOwnershipOptions {
  readonly clock?: Clock;
  /**
   * Called after progressReportDurationMs and periodically while the walk runs, with upstream's
   * message; the caller records it as a Warning event with reason VolumePermissionChangeInProgress.
   */
  readonly onSlow?: (message: string) => void;
  /** Logs per-file lchown/chmod failures, which (as upstream) do not fail the walk. */
  readonly log?: (message: string, err: unknown) => void;
}

/**
 * Sets group `fsGroup` on everything under `dir` and adds 0660 (0440 when `readOnly`) to each mode,
 * plus 0110 and setgid on directories. Symlinks get lchown but no chmod (chmod would follow them and
 * change the target's mode). `fsGroup` undefined ⇒ nothing to do. With policy `OnRootMismatch` the walk
 * is skipped when the root already has the group, the bits and setgid. A failing lchown or chmod of one
 * file is logged and the walk goes on; a failure to read a directory fails the call.
 */
export async function setVolumeOwnership(
  dir: string,
  fsGroup: number | undefined,
  policy: FSGroupChangePolicy | undefined,
  readOnly: boolean,
  options: SetVolumeOwnershipOptions = {},
): Promise<void> {
  if (fsGroup === undefined) return;
  if (policy === 'OnRootMismatch' && !(await requiresPermissionChange(dir, fsGroup, readOnly))) return;

  const clock = options.clock ?? realClock;
  const onSlow = options.onSlow;
  let timer: { cancel(): void } | undefined;
  if (onSlow !== undefined) {
    const message = `Setting volume ownership for ${dir} is taking longer than expected, consider using OnRootMismatch - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#configure-volume-permission-and-ownership-change-policy-for-pods`;
    const arm = (): void => {
      timer = clock.setTimer(progressReportDurationMs, () => {
        onSlow(message);
        arm();
      });
    };
    arm();
  }
  const log = options.log ?? (() => undefined);
  try {
    const info = await lstat(dir);
    await walkDeep(dir, info, async (path, st) => changeFilePermission(path, fsGroup, readOnly, st, log));
  } finally {
    timer?.cancel();
  }
}

/** Upstream requiresPermissionChange: false only when the root dir already looks done. */
export async function requiresPermissionChange(
  rootDir: string,
  fsGroup: number,
  readOnly: boolean,
): Promise<boolean> {
  let st: Stats;
  try {
    st = await stat(rootDir);
  } catch {
    return true;
  }
  if (st.gid !== fsGroup) return true;
  if (!st.isDirectory()) return true;
  const want = (readOnly ? roMask : rwMask) | execMask;
  const perm = st.mode & 0o777;
  return (want & perm) !== want || (st.mode & setgidBit) === 0;
}

async function changeFilePermission(
  path: string,
  fsGroup: number,
  readOnly: boolean,
  st: Stats,
  log: (message: string, err: unknown) => void,
): Promise<void> {
  try {
    await lchown(path, -1, fsGroup);
  } catch (err) {
    log(`Lchown failed for ${path}`, err);
  }
  if (st.isSymbolicLink()) return;
  let mask = readOnly ? roMask : rwMask;
  if (st.isDirectory()) mask |= setgidBit | execMask;
  try {
    await chmod(path, (st.mode & 0o7777) | mask);
  } catch (err) {
    log(`chmod failed for ${path}`, err);
  }
}

/** Post-order walk without following symlinks (upstream walkDeep): children first, then the dir. */
async function walkDeep(
  path: string,
  info: Stats,
  fn: (path: string, info: Stats) => Promise<void>,
): Promise<void> {
  if (info.isDirectory()) {
    const d = await opendir(path, { bufferSize: 1024 });
    for await (const entry of d) {
      const child = join(path, entry.name);
      await walkDeep(child, await lstat(child), fn);
    }
  }
  await fn(path, info);
}
