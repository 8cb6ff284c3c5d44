// An approximation of the go-cmp diff that upstream appends to some "immutable" messages
// (cmp.Diff(old, new) of a spec struct). go-cmp's exact text is deliberately unstable upstream (it
// mixes in non-breaking spaces at random), so this reproduces its shape, not its bytes: changed
// fields as `-`/`+` lines with Go field names, runs of unchanged fields as `... // N identical fields`.
import { semanticEqual } from './meta.ts';

const goName = (f: string): string => {
  const special: Record<string, string> = { csi: 'CSI', nfs: 'NFS', iscsi: 'ISCSI', rbd: 'RBD', fc: 'FC' };
  return special[f] ?? f[0]!.toUpperCase() + f.slice(1);
};

const goValue = (v: unknown): string => (v === undefined || v === null ? 'nil' : JSON.stringify(v));

export function goCmpDiff(
  typeName: string,
  fieldOrder: readonly string[],
  oldObj: Record<string, unknown>,
  newObj: Record<string, unknown>,
): string {
  const fields = [...fieldOrder];
  for (const k of [...Object.keys(oldObj), ...Object.keys(newObj)]) if (!fields.includes(k)) fields.push(k);
  const lines = [`  ${typeName}{`];
  let same = 0;
  const flush = (): void => {
    if (same > 0) lines.push(`  \t... // ${same} identical field${same === 1 ? '' : 's'}`);
    same = 0;
  };
  for (const f of fields) {
    if (semanticEqual(oldObj[f], newObj[f])) {
      same++;
      continue;
    }
    flush();
    if (oldObj[f] !== undefined) lines.push(`- \t${goName(f)}: ${goValue(oldObj[f])},`);
    if (newObj[f] !== undefined) lines.push(`+ \t${goName(f)}: ${goValue(newObj[f])},`);
  }
  flush();
  lines.push('  }');
  return `${lines.join('\n')}\n`;
}
