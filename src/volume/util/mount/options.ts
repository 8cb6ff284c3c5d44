// Turns mount(8)-style options (`ro`, `nosuid`, `bind`, `size=64m`, ...) into mount(2) flags and the
// data string the filesystem parses. Mirrors util-linux's option map: flag options set or clear MS_*
// bits, userspace-only options (`defaults`, `noauto`, `_netdev`, `x-*`, ...) are dropped, and
// everything else goes to the filesystem as data.

/** mount(2) flags from <linux/mount.h>. */
export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  SYNCHRONOUS: 0x10,
  REMOUNT: 0x20,
  MANDLOCK: 0x40,
  DIRSYNC: 0x80,
  NOSYMFOLLOW: 0x100,
  NOATIME: 0x400,
  NODIRATIME: 0x800,
  BIND: 0x1000,
  MOVE: 0x2000,
  REC: 0x4000,
  SILENT: 0x8000,
  UNBINDABLE: 0x20000,
  PRIVATE: 0x40000,
  SLAVE: 0x80000,
  SHARED: 0x100000,
  RELATIME: 0x200000,
  STRICTATIME: 0x1000000,
  LAZYTIME: 0x2000000,
} as const;

/** umount2(2) flags. */
export const MNT = { FORCE: 0x1, DETACH: 0x2, EXPIRE: 0x4 } as const;

/** Options that set (`true`) or clear (`false`) a flag. */
const flagOptions: Readonly<Record<string, readonly [number, boolean]>> = {
  ro: [MS.RDONLY, true],
  rw: [MS.RDONLY, false],
  nosuid: [MS.NOSUID, true],
  suid: [MS.NOSUID, false],
  nodev: [MS.NODEV, true],
  dev: [MS.NODEV, false],
  noexec: [MS.NOEXEC, true],
  exec: [MS.NOEXEC, false],
  sync: [MS.SYNCHRONOUS, true],
  async: [MS.SYNCHRONOUS, false],
  dirsync: [MS.DIRSYNC, true],
  mand: [MS.MANDLOCK, true],
  nomand: [MS.MANDLOCK, false],
  noatime: [MS.NOATIME, true],
  atime: [MS.NOATIME, false],
  nodiratime: [MS.NODIRATIME, true],
  diratime: [MS.NODIRATIME, false],
  relatime: [MS.RELATIME, true],
  norelatime: [MS.RELATIME, false],
  strictatime: [MS.STRICTATIME, true],
  nostrictatime: [MS.STRICTATIME, false],
  lazytime: [MS.LAZYTIME, true],
  nolazytime: [MS.LAZYTIME, false],
  nosymfollow: [MS.NOSYMFOLLOW, true],
  symfollow: [MS.NOSYMFOLLOW, false],
  silent: [MS.SILENT, true],
  loud: [MS.SILENT, false],
};

/** Propagation changes: each is a separate mount(2) call after the mount itself. */
const propagationOptions: Readonly<Record<string, number>> = {
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

/** Options only mount(8) and fstab care about; the kernel never sees them. */
const userspaceOptions = new Set([
  'defaults',
  'auto',
  'noauto',
  'user',
  'nouser',
  'users',
  'owner',
  'group',
  'nofail',
  '_netdev',
]);

export interface ParsedMountOptions {
  /** MS_* flags for the main mount(2) call (without BIND/REC/REMOUNT, which are separate fields). */
  readonly flags: number;
  /** Flags an option set or cleared explicitly (so a remount can tell `rw` from "not given"). */
  readonly explicitFlags: number;
  /** Comma-joined filesystem options, e.g. `size=64m,mode=0755`. */
  readonly data: string;
  readonly bind: boolean;
  /** `rbind`: bind recursively. */
  readonly recursive: boolean;
  readonly remount: boolean;
  readonly move: boolean;
  /** Propagation flags to apply after the mount (MS_SHARED|MS_REC ...), one call each. */
  readonly propagation: readonly number[];
}

/**
 * Splits options on commas that are not inside double quotes, so SELinux `context="a:b:c0,c1"`
 * survives. Each element of `options` may itself be a comma list, as with `mount -o`.
 */
export function splitOptions(options: readonly string[]): string[] {
  const out: string[] = [];
  for (const o of options) {
    let cur = '';
    let quoted = false;
    for (const ch of o) {
      if (ch === '"') quoted = !quoted;
      if (ch === ',' && !quoted) {
        if (cur !== '') out.push(cur);
        cur = '';
      } else {
        cur += ch;
      }
    }
    if (cur !== '') out.push(cur);
  }
  return out;
}

export function parseMountOptions(options: readonly string[]): ParsedMountOptions {
  let flags = 0;
  let explicitFlags = 0;
  let bind = false;
  let recursive = false;
  let remount = false;
  let move = false;
  const propagation: number[] = [];
  const data: string[] = [];
  for (const opt of splitOptions(options)) {
    const flag = flagOptions[opt];
    if (flag !== undefined) {
      const [bit, set] = flag;
      flags = set ? flags | bit : flags & ~bit;
      explicitFlags |= bit;
      continue;
    }
    const prop = propagationOptions[opt];
    if (prop !== undefined) {
      propagation.push(prop);
      continue;
    }
    if (opt === 'bind') bind = true;
    else if (opt === 'rbind') {
      bind = true;
      recursive = true;
    } else if (opt === 'remount') remount = true;
    else if (opt === 'move') move = true;
    else if (userspaceOptions.has(opt) || opt.startsWith('x-') || opt.startsWith('comment=')) {
      // dropped, as mount(8) does
    } else data.push(opt);
  }
  return { flags, explicitFlags, data: data.join(','), bind, recursive, remount, move, propagation };
}

/** Filesystem types whose mount needs a userspace helper (/sbin/mount.<type>), so mount(8) runs them. */
export function needsMountHelper(fstype: string): boolean {
  return (
    fstype === 'fuse' ||
    fstype.startsWith('fuse.') ||
    fstype === 'fuseblk' ||
    helperTypes.has(fstype) ||
    fstype.startsWith('glusterfs')
  );
}

const helperTypes = new Set(['nfs', 'nfs4', 'cifs', 'smb3', 'ceph', 'glusterfs', 'sshfs', 'davfs']);
