// Runs every benchmark in turn (each prints its own table). Benchmarks are never part of `npm test`.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
for (const b of [
  'bench/store.ts',
  'bench/api.ts',
  'bench/binding.ts',
  'bench/mount.ts',
  'bench/csidriver.ts',
  'bench/csi.ts',
]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', b, ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
