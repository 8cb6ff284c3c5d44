// Label and field selectors as the fake store needs them: the string syntax of
// k8s.io/apimachinery/pkg/labels (=, ==, !=, in, notin, exists, !exists) and pkg/fields (=, ==, !=) over
// metadata.name, metadata.namespace and any other dotted path of the object.
import { type KubeObject, newBadRequest } from '../../api/index.ts';

type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

/** Splits on commas outside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

function parseLabelSelector(sel: string): Requirement[] {
  const reqs: Requirement[] = [];
  for (const part of splitTop(sel)) {
    let m = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m !== null) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      reqs.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values });
      continue;
    }
    m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(part);
    if (m !== null) {
      reqs.push({ key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] });
      continue;
    }
    m = /^(!?)\s*([^\s!=(),]+)$/.exec(part);
    if (m !== null) {
      reqs.push({ key: m[2]!, op: m[1] === '!' ? '!exists' : 'exists' });
      continue;
    }
    throw newBadRequest(`unable to parse requirement: ${part}`);
  }
  return reqs;
}

/** Compiles a label selector string; the empty selector matches everything. */
export function labelMatcher(
  sel: string | undefined,
): (labels: Record<string, string> | undefined) => boolean {
  if (sel === undefined || sel.trim() === '') return () => true;
  const reqs = parseLabelSelector(sel);
  return (labels) => {
    const l = labels ?? {};
    return reqs.every((r) => {
      const has = Object.hasOwn(l, r.key);
      switch (r.op) {
        case 'exists':
          return has;
        case '!exists':
          return !has;
        case 'in':
          return has && r.values.includes(l[r.key]!);
        case 'notin':
          return !has || !r.values.includes(l[r.key]!);
      }
      return false;
    });
  };
}

function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

/** Compiles a field selector string (`metadata.name=x,spec.nodeName!=`); empty matches everything. */
export function fieldMatcher(sel: string | undefined): (obj: KubeObject) => boolean {
  if (sel === undefined || sel.trim() === '') return () => true;
  const reqs = sel
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '')
    .map((part) => {
      const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (m === null) throw newBadRequest(`invalid selector: '${sel}'; can't understand '${part}'`);
      return { path: m[1]!, neg: m[2] === '!=', value: m[3]! };
    });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.neg);
}
