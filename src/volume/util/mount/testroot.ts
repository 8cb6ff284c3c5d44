// Test support for tests that mount for real: a fresh temporary root, and a teardown that unmounts
// everything under it (deepest first, lazily if busy) and removes it, even after a failed test.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMountInfo } from './mountinfo.ts';
import { RealMounter } from './real.ts';

/** Creates `<tmpdir>/kvol-<name>-XXXXXX` and returns its real path. */
export function makeTestRoot(name: string): string {
  return mkdtempSync(join(tmpdir(), `kvol-${name}-`));
}

/** Unmounts every mount at or under `root`, deepest (and latest) first, then deletes `root`. */
export async function removeTestRoot(root: string): Promise<void> {
  const mounter = new RealMounter();
  for (let round = 0; round < 10; round++) {
    const under = parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'))
      .filter((m) => m.path === root || m.path.startsWith(`${root}/`))
      .sort((a, b) => b.path.length - a.path.length || b.id - a.id);
    if (under.length === 0) break;
    for (const m of under) {
      try {
        await mounter.unmount(m.path);
      } catch {
        await mounter.unmountLazy(m.path).catch(() => undefined);
      }
    }
  }
  rmSync(root, { recursive: true, force: true });
}
