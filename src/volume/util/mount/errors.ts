// Errors of the mount layer. They look like Node's fs errors (`code`, negative `errno`, `syscall`,
// `path`) so `err.code === 'ENOENT'` style checks work, and their messages read like mount(8)'s.
import { constants } from 'node:os';

const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, value]) => [value, name] as const),
);

/** The errno name (`ENOENT`) for a positive errno number; `E<n>` when unknown. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

/** A failed mount, unmount or mount(8)/umount(8) run. */
export class MountError extends Error {
  override readonly name = 'MountError';
  /** Node-style errno name: `ENOENT`, `EBUSY`, `EINVAL`, ...; `EHELPER` when mount(8) failed. */
  readonly code: string;
  /** Node-style negative errno (`-2` for ENOENT); 0 when unknown (a helper's exit status). */
  readonly errno: number;
  /** `mount`, `umount2`, `mount(8)` or `umount(8)`. */
  readonly syscall: string;
  /** The mount target. */
  readonly path: string;
  readonly source: string | undefined;
  readonly fstype: string | undefined;

  constructor(
    message: string,
    fields: {
      code: string;
      errno: number;
      syscall: string;
      path: string;
      source?: string | undefined;
      fstype?: string | undefined;
      cause?: unknown;
    },
  ) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code;
    this.errno = fields.errno;
    this.syscall = fields.syscall;
    this.path = fields.path;
    this.source = fields.source;
    this.fstype = fields.fstype;
  }
}

export function isMountError(err: unknown): err is MountError {
  return err instanceof MountError;
}

/** True for any error carrying `code` (MountError or a Node fs error). */
function hasCode(err: unknown, ...codes: string[]): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    typeof err.code === 'string' &&
    codes.includes(err.code)
  );
}

/** umount2 said EINVAL: the target is not a mount point. */
export function isNotMountedError(err: unknown): boolean {
  return isMountError(err) && err.syscall.startsWith('umount') && err.code === 'EINVAL';
}

/** The path does not exist (mount error or Node fs error). */
export function isNotExistError(err: unknown): boolean {
  return hasCode(err, 'ENOENT');
}

/**
 * The mount behind the path is broken (upstream mount-utils IsCorruptedMnt): a dead FUSE daemon, a
 * stale NFS handle and the like. Such a path can still be unmounted.
 */
export function isCorruptedMountError(err: unknown): boolean {
  return hasCode(err, 'ENOTCONN', 'ESTALE', 'EIO', 'EACCES', 'EHOSTDOWN');
}

/** The text mount(8) prints for a failed mount(2) (util-linux libmount, without the dmesg hint). */
export function mountMessage(
  errno: number,
  source: string,
  target: string,
  fstype: string,
  targetExists: boolean,
): string {
  const code = errnoName(errno);
  let what: string;
  switch (code) {
    case 'EPERM':
      what = 'must be superuser to use mount';
      break;
    case 'EBUSY':
      what = `${source} already mounted or mount point busy`;
      break;
    case 'ENOENT':
      what = targetExists ? `special device ${source} does not exist` : 'mount point does not exist';
      break;
    case 'ENOTDIR':
      what = 'mount point is not a directory';
      break;
    case 'ENODEV':
      what = `unknown filesystem type '${fstype}'`;
      break;
    case 'ENOTBLK':
      what = `${source} is not a block device`;
      break;
    case 'ENXIO':
      what = `${source} is not a valid block device`;
      break;
    case 'EACCES':
    case 'EROFS':
      what = `cannot mount ${source} read-only`;
      break;
    case 'EINVAL':
      what = `wrong fs type, bad option, bad superblock on ${source}, missing codepage or helper program, or other error`;
      break;
    case 'ENOMEM':
      what = 'system is low on memory';
      break;
    default:
      what = `mount(2) system call failed: ${code}`;
  }
  return `mount: ${target}: ${what}.`;
}

/** The text umount(8) prints for a failed umount2(2). */
export function umountMessage(errno: number, target: string): string {
  const code = errnoName(errno);
  let what: string;
  switch (code) {
    case 'EINVAL':
      what = 'not mounted';
      break;
    case 'EBUSY':
      what = 'target is busy';
      break;
    case 'ENOENT':
      what = 'no mount point specified';
      break;
    case 'EPERM':
      what = 'must be superuser to unmount';
      break;
    case 'EIO':
      what = "can't read superblock";
      break;
    default:
      what = `umount(2) system call failed: ${code}`;
  }
  return `umount: ${target}: ${what}.`;
}
