// Small filesystem helpers the in-tree plugins share: existence checks that tell "missing" from other
// failures, and du-style usage figures (upstream MetricsDu: du for used bytes and inodes, statfs for
// capacity).
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import type { Metrics } from '../volume.ts';

export function isNotExist(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}

/** True when the path exists (a dangling symlink counts as missing); other errors are thrown. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch (err) {
    if (isNotExist(err)) return false;
    throw err;
  }
}

/** Bytes and inodes used under a directory, not crossing into other filesystems (du -x). */
async function du(root: string): Promise<{ bytes: number; inodes: number }> {
  const rootSt = await fs.lstat(root);
  let bytes = rootSt.blocks * 512;
  let inodes = 1;
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      let st: Awaited<ReturnType<typeof fs.lstat>>;
      try {
        st = await fs.lstat(p);
      } catch {
        continue;
      }
      if (st.dev !== rootSt.dev) continue;
      bytes += st.blocks * 512;
      inodes++;
      if (st.isDirectory()) await walk(p);
    }
  };
  if (rootSt.isDirectory()) await walk(root);
  return { bytes, inodes };
}

/** Usage of a volume directory, or undefined when it does not exist. */
export async function metricsDu(path: string): Promise<Metrics | undefined> {
  try {
    const { bytes, inodes } = await du(path);
    const sf = await fs.statfs(path);
    return {
      used: bytes,
      capacity: sf.blocks * sf.bsize,
      available: sf.bavail * sf.bsize,
      inodesUsed: inodes,
      inodes: sf.files,
      inodesFree: sf.ffree,
    };
  } catch (err) {
    if (isNotExist(err)) return undefined;
    throw err;
  }
}
