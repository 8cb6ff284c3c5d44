// Field selectors (k8s.io/apimachinery/pkg/fields): `a=b`, `a==b`, `a!=b`, comma-joined, with `\`
// escaping of `\`, `,` and `=` in values. Matching is against a flat Record of field values, which
// each kind provides (metadata.name, metadata.namespace, spec.nodeName, ...); the apiserver checks
// requirement fields against that list and refuses others with unsupportedFieldLabel().

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is parsed as `=`, as upstream's hasTerm does. */
  readonly operator: FieldOperator;
  readonly value: string;
}

export class FieldSelectorParseError extends Error {
  override readonly name = 'FieldSelectorParseError';
  readonly selector: string;

  constructor(selector: string, message: string) {
    super(message);
    this.selector = selector;
  }
}

export function isFieldSelectorParseError(err: unknown): err is FieldSelectorParseError {
  return err instanceof FieldSelectorParseError;
}

/** The error text the apiserver returns for a field it cannot select on. */
export function unsupportedFieldLabel(name: string): string {
  return `field label not supported: ${name}`;
}

/** EscapeValue. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** UnescapeValue. Throws FieldSelectorParseError. */
export function unescapeFieldValue(s: string, selector = s): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else
        throw new FieldSelectorParseError(
          selector,
          `invalid field selector: invalid escape sequence: \\${c}`,
        );
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=')
      // Go prints the rune with %v, which is its code point.
      throw new FieldSelectorParseError(
        selector,
        `invalid field selector: unescaped character in value: ${c.codePointAt(0)}`,
      );
    else out += c;
  }
  if (inSlash)
    throw new FieldSelectorParseError(selector, 'invalid field selector: invalid escape sequence: \\');
  return out;
}

function splitTerms(sel: string): string[] {
  if (sel.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < sel.length; i++) {
    const c = sel[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(sel.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(sel.slice(start));
  return terms;
}

const termOperators = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    const rest = term.slice(i);
    for (const op of termOperators) {
      if (rest.startsWith(op)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

const byteCompare = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export class FieldSelector {
  readonly requirements: readonly FieldRequirement[];

  constructor(requirements: readonly FieldRequirement[]) {
    this.requirements = requirements;
  }

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.requirements.every((r) => {
      const v = Object.hasOwn(fields, r.field) ? fields[r.field]! : '';
      return r.operator === '=' ? v === r.value : v !== r.value;
    });
  }

  /** The value required by an `=` term on this field, if any (RequiresExactMatch). */
  requiresExactMatch(field: string): string | undefined {
    for (const r of this.requirements) if (r.field === field && r.operator === '=') return r.value;
    return undefined;
  }

  /** Fields named by the requirements that are not in `supported`, in selector order. */
  unsupportedFields(supported: Iterable<string>): string[] {
    const ok = new Set(supported);
    return this.requirements.filter((r) => !ok.has(r.field)).map((r) => r.field);
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** fields.ParseSelector. Throws FieldSelectorParseError with upstream's message. */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort(byteCompare);
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (t === undefined)
      throw new FieldSelectorParseError(
        selector,
        `invalid selector: '${selector}'; can't understand '${part}'`,
      );
    const value = unescapeFieldValue(t.rhs, selector);
    reqs.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value });
  }
  return new FieldSelector(reqs);
}

/** fields.SelectorFromSet / OneTermEqualSelector. */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>>): FieldSelector {
  return new FieldSelector(
    Object.keys(set)
      .sort(byteCompare)
      .map((field) => ({ field, operator: '=' as const, value: set[field]! })),
  );
}
