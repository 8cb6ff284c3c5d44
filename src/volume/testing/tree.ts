// readVolumeTree: a volume directory as sorted lines, for layout assertions in tests. Directories read
// `d 0755 path/`, files `f 0644 path "content"`, symlinks `l path -> target`; the AtomicWriter's
// timestamped directory names (`..2026_01_01_00_00_00.123456`) read as `..TS` so expectations are
// stable.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';

const tsDir = /\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+/g;

export async function readVolumeTree(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await fs.readdir(join(dir, rel))).sort();
    for (const name of names) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = await fs.lstat(join(dir, r));
      const shown = r.replace(tsDir, '..TS');
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isSymbolicLink()) {
        lines.push(`l ${shown} -> ${(await fs.readlink(join(dir, r))).replace(tsDir, '..TS')}`);
      } else if (st.isDirectory()) {
        lines.push(`d ${mode} ${shown}/`);
        await walk(r);
      } else {
        lines.push(`f ${mode} ${shown} ${JSON.stringify(await fs.readFile(join(dir, r), 'utf8'))}`);
      }
    }
  };
  await walk('');
  return lines;
}
