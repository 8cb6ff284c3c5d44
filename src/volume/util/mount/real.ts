// RealMounter: mounts with mount(2)/umount2(2) called directly through koffi, so a tmpfs or bind mount
// costs one system call instead of a fork+exec of mount(8). Filesystems that need a userspace helper
// (nfs, cifs, fuse.*, and any type the kernel rejects with ENODEV) go through mount(8), which finds
// /sbin/mount.<type>; such targets are unmounted with umount(8) too.
//
// Concurrency: the system calls are synchronous and run on the event loop thread (koffi's async calls
// run on a worker thread where errno cannot be read back). They are fast for tmpfs and bind mounts;
// slow network filesystems take the mount(8) path, which is a child process and does not block.
// Calls for different targets may interleave freely; callers serialise operations on one target.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import koffi from 'koffi';
import { errnoName, MountError, mountMessage, umountMessage } from './errors.ts';
import { parseMountInfo } from './mountinfo.ts';
import { MNT, MS, needsMountHelper, parseMountOptions } from './options.ts';
import type { MountInterface, MountOptions, MountPoint } from './types.ts';

interface Libc {
  mount(
    source: string | null,
    target: string,
    fstype: string | null,
    flags: number,
    data: Buffer | null,
  ): number;
  umount2(target: string, flags: number): number;
}

let libc: Libc | undefined;

/** Loads libc on first use, so importing this module costs nothing where nothing is mounted. */
function loadLibc(): Libc {
  if (libc === undefined) {
    const lib = koffi.load('libc.so.6');
    const mount = lib.func('int mount(const char*, const char*, const char*, unsigned long, const void*)');
    const umount2 = lib.func('int umount2(const char*, int)');
    libc = {
      mount: (source, target, fstype, flags, data) => mount(source, target, fstype, flags, data) as number,
      umount2: (target, flags) => umount2(target, flags) as number,
    };
  }
  return libc;
}

/** statfs(2) f_type values (linux/magic.h) of the filesystems callers tell apart. */
const FS_MAGIC_NAMES: ReadonlyMap<number, string> = new Map([
  [0x01021994, 'tmpfs'],
  [0x958458f6, 'hugetlbfs'],
]);

export interface RealMounterOptions {
  /** mount(8) binary for filesystems that need a helper. Default `mount`. */
  readonly mountCommand?: string;
  /** umount(8) binary. Default `umount`. */
  readonly umountCommand?: string;
  /** Where list() reads the mount table. Default `/proc/self/mountinfo`. */
  readonly mountInfoPath?: string;
  /** Time limit for one mount(8)/umount(8) run, in ms. Default 120 000 (a hung NFS server). */
  readonly helperTimeoutMs?: number;
}

export class RealMounter implements MountInterface {
  readonly #mountCommand: string;
  readonly #umountCommand: string;
  readonly #mountInfoPath: string;
  readonly #helperTimeoutMs: number;
  /** Targets this mounter mounted through mount(8): unmounted through umount(8). */
  readonly #helperTargets = new Set<string>();

  constructor(options: RealMounterOptions = {}) {
    this.#mountCommand = options.mountCommand ?? 'mount';
    this.#umountCommand = options.umountCommand ?? 'umount';
    this.#mountInfoPath = options.mountInfoPath ?? '/proc/self/mountinfo';
    this.#helperTimeoutMs = options.helperTimeoutMs ?? 120_000;
  }

  async mount(source: string, target: string, opts: MountOptions = {}): Promise<void> {
    const fstype = opts.fstype ?? '';
    const options = [...(opts.options ?? []), ...(opts.sensitiveOptions ?? [])];
    const p = parseMountOptions(options);
    if (!p.bind && !p.remount && !p.move && needsMountHelper(fstype)) {
      await this.#mountWithHelper(source, target, fstype, options);
      return;
    }
    if (p.move) {
      this.#sysMount(source, target, '', MS.MOVE, '');
    } else if (p.bind && !p.remount) {
      // The kernel ignores every flag but MS_REC on a bind mount; mount(8) applies the rest with a
      // second, remount call, and so do we.
      this.#sysMount(source, target, '', MS.BIND | (p.recursive ? MS.REC : 0), '');
      if (p.explicitFlags !== 0) {
        try {
          this.#sysMount(source, target, '', MS.REMOUNT | MS.BIND | p.flags, '');
        } catch (err) {
          this.#rollback(target);
          throw err;
        }
      }
    } else if (p.remount) {
      this.#sysMount(source, target, fstype, MS.REMOUNT | (p.bind ? MS.BIND : 0) | p.flags, p.data);
    } else {
      try {
        this.#sysMount(source, target, fstype, p.flags, p.data);
      } catch (err) {
        // No such filesystem in the kernel: a userspace helper may still handle it.
        if (err instanceof MountError && err.code === 'ENODEV' && fstype !== '') {
          await this.#mountWithHelper(source, target, fstype, options);
          return;
        }
        throw err;
      }
    }
    for (const prop of p.propagation) {
      try {
        this.#sysMount('none', target, '', prop, '');
      } catch (err) {
        if (!p.remount) this.#rollback(target);
        throw err;
      }
    }
  }

  async unmount(target: string): Promise<void> {
    if (this.#helperTargets.has(target)) {
      await this.#runHelper(this.#umountCommand, [target], target, undefined, undefined, 'umount(8)');
      this.#helperTargets.delete(target);
      return;
    }
    this.#sysUmount(target, 0);
  }

  /** Detaches the mount now and frees it when it is no longer busy (umount2 MNT_DETACH). */
  async unmountLazy(target: string): Promise<void> {
    this.#sysUmount(target, MNT.DETACH);
    this.#helperTargets.delete(target);
  }

  async list(): Promise<MountPoint[]> {
    return parseMountInfo(await readFile(this.#mountInfoPath, 'utf8'));
  }

  async isLikelyNotMountPoint(path: string): Promise<boolean> {
    const st = await stat(path);
    const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
    const parent = await stat(dirname(trimmed));
    return st.dev === parent.dev;
  }

  async filesystemType(path: string): Promise<string> {
    const magic = (await statfs(path)).type >>> 0;
    return FS_MAGIC_NAMES.get(magic) ?? `0x${magic.toString(16)}`;
  }

  #sysMount(source: string, target: string, fstype: string, flags: number, data: string): void {
    const c = loadLibc();
    const rc = c.mount(
      source,
      target,
      fstype === '' ? null : fstype,
      flags,
      data === '' ? null : Buffer.from(`${data}\0`),
    );
    if (rc === 0) return;
    const errno = koffi.errno();
    throw new MountError(mountMessage(errno, source, target, fstype, existsSync(target)), {
      code: errnoName(errno),
      errno: -errno,
      syscall: 'mount',
      path: target,
      source,
      fstype,
    });
  }

  #sysUmount(target: string, flags: number): void {
    const rc = loadLibc().umount2(target, flags);
    if (rc === 0) return;
    const errno = koffi.errno();
    throw new MountError(umountMessage(errno, target), {
      code: errnoName(errno),
      errno: -errno,
      syscall: 'umount2',
      path: target,
    });
  }

  /** Undoes a half-done mount so a failed call leaves nothing behind. */
  #rollback(target: string): void {
    try {
      this.#sysUmount(target, 0);
    } catch {
      // Best effort: the original error is the one worth reporting.
    }
  }

  async #mountWithHelper(source: string, target: string, fstype: string, options: string[]): Promise<void> {
    const args = fstype === '' ? [] : ['-t', fstype];
    if (options.length > 0) args.push('-o', options.join(','));
    args.push(source, target);
    await this.#runHelper(this.#mountCommand, args, target, source, fstype, 'mount(8)');
    this.#helperTargets.add(target);
  }

  #runHelper(
    cmd: string,
    args: string[],
    target: string,
    source: string | undefined,
    fstype: string | undefined,
    syscall: string,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(cmd, args, { timeout: this.#helperTimeoutMs }, (err, _stdout, stderr) => {
        if (err === null) {
          resolve();
          return;
        }
        // stderr is mount(8)'s own message, which never echoes the options (so no secrets).
        const text = stderr.split('\n')[0]?.trim() ?? '';
        const spawnCode = typeof err.code === 'string' ? err.code : undefined;
        const code = spawnCode ?? codeFromHelperMessage(text);
        reject(
          new MountError(
            text !== '' ? text : `${syscall === 'mount(8)' ? 'mount' : 'umount'}: ${target}: ${err.message}`,
            {
              code,
              errno: -(koffi.os.errno[code] ?? 0),
              syscall,
              path: target,
              source,
              fstype,
              cause: err,
            },
          ),
        );
      });
    });
  }
}

/** The errno name behind a mount(8)/umount(8) message (they print text, not numbers). */
function codeFromHelperMessage(text: string): string {
  const table: [string, string][] = [
    ['mount point does not exist', 'ENOENT'],
    ['does not exist', 'ENOENT'],
    ['no mount point specified', 'ENOENT'],
    ['already mounted or mount point busy', 'EBUSY'],
    ['target is busy', 'EBUSY'],
    ['not mounted', 'EINVAL'],
    ['unknown filesystem type', 'ENODEV'],
    ['must be superuser', 'EPERM'],
    ['permission denied', 'EACCES'],
    ['wrong fs type, bad option', 'EINVAL'],
  ];
  for (const [needle, code] of table) if (text.includes(needle)) return code;
  return 'EHELPER';
}
