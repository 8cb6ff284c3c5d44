// Small filesystem helpers the in-tree plugins share: existence checks that tell "missing" from other
// failures, and du-style usage figures (upstream MetricsDu: du for used bytes and inodes, statfs for
// capacity, through util/fs).
import * as fs from 'node:fs/promises';
import { fsInfo, measureUsage } from '../util/fs/index.ts';
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

/** Usage of a volume directory (upstream MetricsDu), or undefined when it does not exist. */
export async function metricsDu(path: string): Promise<Metrics | undefined> {
  try {
    const usage = await measureUsage(path);
    const info = await fsInfo(path);
    return {
      used: usage.bytes,
      capacity: info.capacity,
      available: info.available,
      inodesUsed: usage.inodes,
      inodes: info.inodes,
      inodesFree: info.inodesFree,
    };
  } catch (err) {
    if (isNotExist(err)) return undefined;
    throw err;
  }
}
