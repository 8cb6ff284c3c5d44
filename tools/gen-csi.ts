// Regenerates src/csi/gen/ (TypeScript types for csi.proto) with proto-loader-gen-types, using the same
// loader options as src/csi/client.ts loads the proto with at run time. The output is generated code:
// never edit it by hand; run `npm run gen:csi` after changing src/csi/csi.proto and commit the result.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outDir = join(root, 'src', 'csi', 'gen');
const bin = join(root, 'node_modules', '.bin', 'proto-loader-gen-types');

rmSync(outDir, { recursive: true, force: true });
execFileSync(
  bin,
  [
    // The input first: --includeDirs is an array option and would swallow a trailing file name.
    'csi.proto',
    '--keepCase',
    '--longs=String',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--grpcLib=@grpc/grpc-js',
    // The repo resolves imports the nodenext way: every relative import names its file.
    '--importFileExtension=.ts',
    '--targetFileExtension=.ts',
    `--outDir=${outDir}`,
    `--includeDirs=${join(root, 'src', 'csi')}`,
  ],
  { stdio: 'inherit', cwd: root },
);
// The generator names the proto by absolute path; keep the output the same on every machine.
function relativise(dir: string): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      relativise(p);
      continue;
    }
    const text = readFileSync(p, 'utf8');
    const fixed = text.replaceAll(`${root}/`, '');
    if (fixed !== text) writeFileSync(p, fixed);
  }
}
relativise(outDir);
console.log(`generated ${outDir}`);
