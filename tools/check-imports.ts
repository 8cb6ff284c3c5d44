// Checks the dependency direction between the top-level folders of src/ (shared/DESIGN.md) and that a
// folder is entered only through its index.ts. Prints every violation and exits 1 if there is one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** For each top-level folder, the folders it may import from (besides itself). */
export const allowed: Readonly<Record<string, readonly string[]>> = {
  component: [],
  api: ['component'],
  storage: ['api', 'component'],
  apiserver: ['api', 'storage', 'component'],
  client: ['api', 'component'],
  csi: ['api', 'component'],
  volume: ['api', 'client', 'csi', 'component'],
  controller: ['api', 'client', 'volume', 'csi', 'component'],
  scheduler: ['api', 'client', 'component'],
  kubelet: ['api', 'client', 'volume', 'csi', 'component'],
  cli: [
    'api',
    'storage',
    'apiserver',
    'client',
    'csi',
    'volume',
    'controller',
    'scheduler',
    'kubelet',
    'component',
  ],
};

/**
 * Stand-alone libraries inside another folder that more folders may use, through their own index.ts
 * (upstream keeps mount-utils as a module of its own, used by the kubelet and by CSI drivers alike).
 * Each library imports nothing from src/ outside itself.
 */
export const libraries: Readonly<Record<string, readonly string[]>> = {
  'volume/util/mount/index.ts': ['csi'],
};

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules') walk(p, out);
    } else if (p.endsWith('.ts')) {
      out.push(p);
    }
  }
  return out;
}

const importRe =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function checkFile(file: string, text: string): string[] {
  const problems: string[] = [];
  const rel = relative(src, file);
  const top = rel.split(sep)[0] ?? '';
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (!spec?.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    const targetRel = relative(src, target);
    if (targetRel.startsWith('..')) continue; // outside src (tests importing tools, etc.)
    const parts = targetRel.split(sep);
    const targetTop = parts[0] ?? '';
    const library = Object.keys(libraries).find((l) => rel.split(sep).join('/').startsWith(dirname(l)));
    if (library !== undefined && !parts.join('/').startsWith(dirname(library))) {
      problems.push(`${rel}: the library ${dirname(library)} must not import outside itself (${spec})`);
    }
    if (targetTop === top) continue;
    if (libraries[parts.join('/')]?.includes(top) === true) continue;
    const rules = allowed[top];
    if (rules === undefined) {
      problems.push(`${rel}: folder src/${top} has no dependency rule in tools/check-imports.ts`);
      continue;
    }
    if (!rules.includes(targetTop)) {
      problems.push(`${rel}: src/${top} must not import src/${targetTop} (${spec})`);
    }
    // Tests and fakes may also use another folder's fakes, through that folder's testing/index.ts.
    const base = rel.split(sep).pop() ?? '';
    const isTestCode = /test/i.test(base) || rel.split(sep).includes('testing');
    const testingDoor = parts.length === 3 && parts[1] === 'testing' && parts[2] === 'index.ts';
    if (!(parts.length === 2 && parts[1] === 'index.ts') && !(isTestCode && testingDoor)) {
      problems.push(`${rel}: import src/${targetTop} through its index.ts, not ${spec}`);
    }
  }
  return problems;
}

if (import.meta.filename === process.argv[1]) {
  const problems = walk(src, []).flatMap((f) => checkFile(f, readFileSync(f, 'utf8')));
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`check-imports: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log('check-imports: ok');
}
