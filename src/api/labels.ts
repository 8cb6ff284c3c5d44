// Label selectors (k8s.io/apimachinery/pkg/labels and metav1.LabelSelectorAsSelector): the string
// syntax of `-l` / `?labelSelector=` with upstream's lexer, parser and error messages, matching
// against label sets, and conversion from the structured metav1.LabelSelector.
import { aggregateMessage, type FieldError, invalid, notSupported } from './field.ts';
import type { LabelSelector } from './meta.ts';
import { isQualifiedName, isValidLabelValue } from './validation/strings.ts';

/** selection.Operator values. */
export type LabelOperator = '!' | '=' | '==' | 'in' | '!=' | 'notin' | 'exists' | 'gt' | 'lt';

const validOperators: readonly LabelOperator[] = ['!', '=', '==', 'in', '!=', 'notin', 'exists', 'gt', 'lt'];
const binaryOperators = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

export class LabelSelectorParseError extends Error {
  override readonly name = 'LabelSelectorParseError';
  readonly selector: string;

  constructor(selector: string, message: string) {
    super(message);
    this.selector = selector;
  }
}

export function isLabelSelectorParseError(err: unknown): err is LabelSelectorParseError {
  return err instanceof LabelSelectorParseError;
}

export interface Requirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted, as sets.String.List() returns them. */
  readonly values: readonly string[];
}

/** Internal error carrying the message Go's parser would return. */
class ParseFailure extends Error {}

// Paths are nil in the string parser, so errors print the way Go prints a nil *field.Path.
const nilPath = '<nil>';

function validateKey(key: string, path: string): FieldError | undefined {
  const errs = isQualifiedName(key);
  return errs.length === 0 ? undefined : invalid(path, key, errs.join('; '));
}

/**
 * NewRequirement: validates key, operator and values. Throws LabelSelectorParseError with the
 * aggregated field errors, as Go returns them.
 */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[]): Requirement {
  const errs = requirementErrors(key, operator, values);
  if (errs.length > 0) throw new LabelSelectorParseError('', aggregateMessage(errs));
  return { key, operator, values: [...values] };
}

function requirementErrors(key: string, operator: string, values: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  const k = validateKey(key, 'key');
  if (k !== undefined) errs.push(k);
  const valuePath = 'values';
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0)
        errs.push(invalid(valuePath, values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1)
        errs.push(invalid(valuePath, values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0)
        errs.push(invalid(valuePath, values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1)
        errs.push(invalid(valuePath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined)
          errs.push(
            invalid(`${valuePath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"),
          );
      });
      break;
    default:
      errs.push(notSupported('operator', operator, validOperators));
  }
  values.forEach((v, i) => {
    const m = isValidLabelValue(v);
    if (m.length > 0) errs.push(invalid(`${valuePath}[${i}][${key}]`, v, m.join('; ')));
  });
  return errs;
}

const int64Re = /^[+-]?[0-9]+$/;
function parseInt64(s: string): bigint | undefined {
  if (!int64Re.test(s)) return undefined;
  const n = BigInt(s);
  if (n > (1n << 63n) - 1n || n < -(1n << 63n)) return undefined;
  return n;
}

/** Requirement.Matches. */
export function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = has ? labels[r.key]! : '';
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(v);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(v);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const lv = parseInt64(v);
      const rv = parseInt64(r.values[0]!);
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

/** Requirement.String. */
export function requirementString(r: Requirement): string {
  let s = r.operator === '!' ? '!' : '';
  s += r.key;
  switch (r.operator) {
    case '=':
      s += '=';
      break;
    case '==':
      s += '==';
      break;
    case '!=':
      s += '!=';
      break;
    case 'in':
      s += ' in ';
      break;
    case 'notin':
      s += ' notin ';
      break;
    case 'gt':
      s += '>';
      break;
    case 'lt':
      s += '<';
      break;
    case 'exists':
    case '!':
      return s;
  }
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${s}(${vals})` : s + vals;
}

/** A parsed label selector: requirements ANDed, sorted by key. `nothing` matches no object. */
export class Selector {
  readonly requirements: readonly Requirement[];
  readonly nothing: boolean;

  constructor(requirements: readonly Requirement[], nothing = false) {
    this.requirements = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.nothing = nothing;
  }

  static everything(): Selector {
    return new Selector([]);
  }

  static nothingSelector(): Selector {
    return new Selector([], true);
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    if (this.nothing) return false;
    const l = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, l));
  }

  empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

// ---- lexer ----

type Tok = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

const string2token: Record<string, Tok> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c) && c !== '';

function lex(s: string): { tok: Tok; lit: string }[] {
  // Go reads bytes and treats NUL as end of input.
  const bytes = Buffer.from(s, 'utf8');
  let pos = 0;
  const read = (): string => {
    if (pos >= bytes.length) {
      pos++;
      return '\0';
    }
    return String.fromCharCode(bytes[pos++]!);
  };
  const unread = (): void => {
    pos--;
  };
  const out: { tok: Tok; lit: string }[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === '\0') {
      out.push({ tok: 'eos', lit: '' });
      return out;
    }
    unread();
    if (isSpecial(ch)) {
      let buffer = '';
      let last: { tok: Tok; lit: string } | undefined;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecial(c)) {
          buffer += c;
          const t = string2token[buffer];
          if (t !== undefined) last = { tok: t, lit: buffer };
          else if (last !== undefined) {
            unread();
            break;
          }
        } else {
          unread();
          break;
        }
      }
      out.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
    } else {
      const start = pos;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecial(c) || isWhitespace(c)) {
          unread();
          break;
        }
      }
      const lit = bytes.subarray(start, Math.min(pos, bytes.length)).toString('utf8');
      out.push({ tok: string2token[lit] ?? 'id', lit });
    }
  }
}

// ---- parser ----

class Parser {
  readonly #items: { tok: Tok; lit: string }[];
  #pos = 0;

  constructor(s: string) {
    this.#items = lex(s);
  }

  #at(i: number, values: boolean): { tok: Tok; lit: string } {
    const it = this.#items[Math.min(i, this.#items.length - 1)]!;
    if (values && (it.tok === 'in' || it.tok === 'notin')) return { tok: 'id', lit: it.lit };
    return it;
  }

  lookahead(values = true): { tok: Tok; lit: string } {
    return this.#at(this.#pos, values);
  }

  consume(values = true): { tok: Tok; lit: string } {
    return this.#at(this.#pos++, values);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead();
      if (tok === 'id' || tok === '!') {
        let r: Requirement;
        try {
          r = this.parseRequirement();
        } catch (err) {
          if (err instanceof ParseFailure)
            throw new ParseFailure(`unable to parse requirement: ${err.message}`);
          throw err;
        }
        reqs.push(r);
        const t = this.consume();
        if (t.tok === 'eos') return reqs;
        if (t.tok === ',') {
          const t2 = this.lookahead();
          if (t2.tok !== 'id' && t2.tok !== '!')
            throw new ParseFailure(`found '${t2.lit}', expected: identifier after ','`);
        } else {
          throw new ParseFailure(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === 'eos') {
        return reqs;
      } else {
        throw new ParseFailure(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  parseRequirement(): Requirement {
    let operator: LabelOperator | undefined;
    let { tok, lit } = this.consume();
    if (tok === '!') {
      operator = '!';
      ({ tok, lit } = this.consume());
    }
    if (tok !== 'id') throw new ParseFailure(`found '${lit}', expected: identifier`);
    const keyErr = validateKey(lit, nilPath);
    if (keyErr !== undefined) throw new ParseFailure(keyErr.message());
    const key = lit;
    const next = this.lookahead().tok;
    if ((next === 'eos' || next === ',') && operator !== '!') operator = 'exists';
    if (operator === 'exists' || operator === '!') return this.#requirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return this.#requirement(key, op, [...values].sort());
  }

  #requirement(key: string, op: LabelOperator, values: string[]): Requirement {
    const errs = requirementErrors(key, op, values);
    if (errs.length > 0) throw new ParseFailure(aggregateMessage(errs));
    return { key, operator: op, values };
  }

  parseOperator(): LabelOperator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case 'in':
        return 'in';
      case '=':
        return '=';
      case '==':
        return '==';
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      case 'notin':
        return 'notin';
      case '!=':
        return '!=';
      default:
        throw new ParseFailure(`found '${lit}', expected: ${binaryOperators.join(', ')}`);
    }
  }

  parseValues(): Set<string> {
    let { tok, lit } = this.consume();
    if (tok !== '(') throw new ParseFailure(`found '${lit}' expected: '('`);
    ({ tok, lit } = this.lookahead());
    if (tok === 'id' || tok === ',') {
      const s = this.parseIdentifiersList();
      if (this.consume().tok !== ')') throw new ParseFailure(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === ')') {
      this.consume();
      return new Set(['']);
    }
    throw new ParseFailure(`found '${lit}', expected: ',', ')' or identifier`);
  }

  parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume();
      if (tok === 'id') {
        s.add(lit);
        const t2 = this.lookahead();
        if (t2.tok === ',') continue;
        if (t2.tok === ')') return s;
        throw new ParseFailure(`found '${t2.lit}', expected: ',' or ')'`);
      }
      if (tok === ',') {
        if (s.size === 0) s.add('');
        const t2 = this.lookahead().tok;
        if (t2 === ')') {
          s.add('');
          return s;
        }
        if (t2 === ',') {
          this.consume();
          s.add('');
        }
        continue;
      }
      throw new ParseFailure(`found '${lit}', expected: ',', or identifier`);
    }
  }

  parseExactValue(): Set<string> {
    const t = this.lookahead().tok;
    if (t === 'eos' || t === ',') return new Set(['']);
    const { tok, lit } = this.consume();
    if (tok === 'id') return new Set([lit]);
    throw new ParseFailure(`found '${lit}', expected: identifier`);
  }
}

/** labels.Parse. Throws LabelSelectorParseError with upstream's message. */
export function parseLabelSelector(selector: string): Selector {
  try {
    return new Selector(new Parser(selector).parse());
  } catch (err) {
    if (err instanceof ParseFailure) throw new LabelSelectorParseError(selector, err.message);
    throw err;
  }
}

/** labels.SelectorFromSet / SelectorFromValidatedSet: key=value for each entry. */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined): Selector {
  return new Selector(
    Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })),
  );
}

/**
 * metav1.LabelSelectorAsSelector: undefined selects nothing, an empty selector everything.
 * Throws LabelSelectorParseError for invalid keys, values or operators.
 */
export function labelSelectorAsSelector(ps: LabelSelector | null | undefined): Selector {
  if (ps === undefined || ps === null) return Selector.nothingSelector();
  const ml = Object.entries(ps.matchLabels ?? {});
  const me = ps.matchExpressions ?? [];
  if (ml.length + me.length === 0) return Selector.everything();
  const reqs: Requirement[] = [];
  for (const [k, v] of ml) reqs.push(newRequirement(k, '=', [v]));
  for (const expr of me) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[expr.operator];
    if (op === undefined)
      throw new LabelSelectorParseError(
        '',
        `${JSON.stringify(expr.operator)} is not a valid label selector operator`,
      );
    reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
  }
  return new Selector(reqs);
}
