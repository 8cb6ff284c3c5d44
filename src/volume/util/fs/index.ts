// Filesystem usage for emptyDir sizeLimit eviction and volume metrics (upstream pkg/volume/util/fs):
// measureUsage walks a directory like `du -x` (allocated blocks, hard links once, not crossing into
// other filesystems); fsInfo asks statfs(2) for the filesystem's capacity and inodes.
import type { BigIntStats } from 'node:fs';
import { lstat, readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';

export interface UsageInfo {
  /** Bytes allocated (st_blocks × 512), each inode counted once. */
  readonly bytes: number;
  /** Inodes (files, dirs, symlinks, ...) counted once each, the directory itself included. */
  readonly inodes: number;
}

export interface FsInfo {
  /** Total size: f_blocks × f_bsize. */
  readonly capacity: number;
  /** Space an unprivileged user may still use: f_bavail × f_bsize. */
  readonly available: number;
  /** Space in use: (f_blocks − f_bfree) × f_bsize. */
  readonly usage: number;
  readonly inodes: number;
  readonly inodesFree: number;
  readonly inodesUsed: number;
}

/** How many lstat calls run at once in a walk. */
const parallelism = 64;

function isNotExist(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
}

/**
 * Disk usage of everything under `dir` on `dir`'s own filesystem (upstream DiskUsage): a mount below
 * it is skipped, files removed during the walk are ignored. Throws ENOENT when `dir` does not exist.
 */
export async function measureUsage(dir: string): Promise<UsageInfo> {
  if (dir === '') throw new Error('invalid directory');
  const root = await lstat(dir, { bigint: true });
  const seen = new Set<bigint>();
  let bytes = 0;
  let inodes = 0;
  const count = (st: BigIntStats): void => {
    if (seen.has(st.ino)) return;
    seen.add(st.ino);
    bytes += Number(st.blocks) * 512;
    inodes++;
  };
  count(root);
  if (!root.isDirectory()) return { bytes, inodes };

  const walk = async (d: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(d);
    } catch (err) {
      if (isNotExist(err)) return;
      throw new Error(`unable to count inodes for ${d}: ${String(err)}`, { cause: err });
    }
    const subdirs: string[] = [];
    for (let i = 0; i < names.length; i += parallelism) {
      const batch = names.slice(i, i + parallelism).map(async (name) => {
        const p = join(d, name);
        try {
          return [p, await lstat(p, { bigint: true })] as const;
        } catch (err) {
          if (isNotExist(err)) return undefined;
          throw new Error(`unable to count inodes for ${p}: ${String(err)}`, { cause: err });
        }
      });
      for (const r of await Promise.all(batch)) {
        if (r === undefined) continue;
        const [p, st] = r;
        if (st.dev !== root.dev) continue; // another filesystem mounted here: not ours to count
        count(st);
        if (st.isDirectory()) subdirs.push(p);
      }
    }
    for (const s of subdirs) await walk(s);
  };
  await walk(dir);
  return { bytes, inodes };
}

/** statfs(2) of the filesystem holding `path` (upstream FsInfo). */
export async function fsInfo(path: string): Promise<FsInfo> {
  const s = await statfs(path, { bigint: true });
  const n = (x: bigint): number => Number(x);
  return {
    capacity: n(s.blocks * s.bsize),
    available: n(s.bavail * s.bsize),
    usage: n((s.blocks - s.bfree) * s.bsize),
    inodes: n(s.files),
    inodesFree: n(s.ffree),
    inodesUsed: n(s.files - s.ffree),
  };
}
