// Field errors with upstream's paths, types and messages (k8s.io/apimachinery/pkg/util/validation/field).
// The text of FieldError.message() is what kubectl users see after `is invalid:`, so it copies Go's
// formatting exactly, including how bad values are quoted.

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marker for "no bad value to print" (Go's omitValue). */
export const omitValue = Symbol('omitValue');

export class FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly badValue: unknown;
  readonly detail: string;

  constructor(type: FieldErrorType, field: string, badValue: unknown, detail: string) {
    this.type = type;
    this.field = field;
    this.badValue = badValue;
    this.detail = detail;
  }

  /** The text without the field path: `Invalid value: "x": must be ...` (Go's ErrorBody). */
  body(): string {
    let s = typeText[this.type];
    const omit =
      this.badValue === omitValue ||
      this.type === 'FieldValueRequired' ||
      this.type === 'FieldValueForbidden' ||
      this.type === 'FieldValueTooLong' ||
      this.type === 'InternalError';
    if (!omit) {
      s += `: ${formatBadValue(this.badValue)}`;
    }
    if (this.detail !== '') s += `: ${this.detail}`;
    return s;
  }

  /** `spec.accessModes: Required value` (Go's Error()). */
  message(): string {
    return this.field === '' ? this.body() : `${this.field}: ${this.body()}`;
  }
}

function formatBadValue(v: unknown): string {
  if (v === null || v === undefined) return '"null"';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (Array.isArray(v))
        return `[]${typeof v[0] === 'string' ? 'string' : 'interface {}'}{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
      return JSON.stringify(v);
  }
}

/** Builds dotted/indexed paths the way field.Path does: `spec.volumes[0].name`, `metadata.labels[app]`. */
export class FieldPath {
  readonly #text: string;

  private constructor(text: string) {
    this.#text = text;
  }

  static root(name: string): FieldPath {
    return new FieldPath(name);
  }

  child(name: string, ...more: string[]): FieldPath {
    let t = this.#text === '' ? name : `${this.#text}.${name}`;
    for (const m of more) t += `.${m}`;
    return new FieldPath(t);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.#text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.#text}[${k}]`);
  }

  toString(): string {
    return this.#text;
  }
}

type P = FieldPath | string;
const s = (p: P): string => (typeof p === 'string' ? p : p.toString());

export const required = (p: P, detail = ''): FieldError =>
  new FieldError('FieldValueRequired', s(p), '', detail);
export const invalid = (p: P, value: unknown, detail: string): FieldError =>
  new FieldError('FieldValueInvalid', s(p), value, detail);
export const forbidden = (p: P, detail: string): FieldError =>
  new FieldError('FieldValueForbidden', s(p), '', detail);
export const duplicate = (p: P, value: unknown): FieldError =>
  new FieldError('FieldValueDuplicate', s(p), value, '');
export const notFound = (p: P, value: unknown): FieldError =>
  new FieldError('FieldValueNotFound', s(p), value, '');
export const tooMany = (p: P, actual: number, max: number): FieldError =>
  new FieldError('FieldValueTooMany', s(p), actual, `must have at most ${max} items`);
export const tooLong = (p: P, max: number): FieldError =>
  new FieldError('FieldValueTooLong', s(p), '', `may not be more than ${max} bytes`);
export const internalError = (p: P, err: string): FieldError =>
  new FieldError('InternalError', s(p), '', err);
/** `Unsupported value: "x": supported values: "a", "b"` */
export const notSupported = (p: P, value: unknown, supported: readonly string[]): FieldError =>
  new FieldError(
    'FieldValueNotSupported',
    s(p),
    value,
    supported.length > 0 ? `supported values: ${supported.map((x) => JSON.stringify(x)).join(', ')}` : '',
  );

/** Joins errors the way apierrors.NewInvalid does: `[a, b]` for several, plain for one. */
export function aggregateMessage(errs: readonly FieldError[]): string {
  // Go's aggregate drops repeated messages, keeping the first of each.
  const msgs = [...new Set(errs.map((e) => e.message()))];
  if (msgs.length === 1) return msgs[0]!;
  return `[${msgs.join(', ')}]`;
}
