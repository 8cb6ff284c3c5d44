// resource.Quantity (k8s.io/apimachinery/pkg/api/resource): fixed-point quantities such as "1.5Gi",
// "100m" or "1e3", parsed, compared, added and printed exactly as the apiserver does. Values are held
// as an unscaled bigint and a base-10 exponent (like inf.Dec), never as floats, so "1e2147483647" costs
// no more than "1". A Quantity is immutable; arithmetic returns a new one.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

const splitREString = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

/** The three errors ParseQuantity can return, with Go's texts. */
export const quantityErrors = {
  formatWrong: `quantities must match the regular expression '${splitREString}'`,
  numeric: 'unable to parse numeric part of quantity',
  suffix: "unable to parse quantity's suffix",
} as const;

export class QuantityParseError extends Error {
  override readonly name = 'QuantityParseError';
  readonly input: string;

  constructor(input: string, message: string) {
    super(message);
    this.input = input;
  }
}

export function isQuantityParseError(err: unknown): err is QuantityParseError {
  return err instanceof QuantityParseError;
}

const maxInt64 = (1n << 63n) - 1n;
const minInt64 = -(1n << 63n);
const nanoScale = -9;
const maxInt32 = 2147483647;

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

const decimalSuffixes: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByExponent = new Map(Object.entries(binarySuffixes).map(([s, e]) => [e, s]));

function interpretSuffix(s: string): Suffix | undefined {
  if (Object.hasOwn(decimalSuffixes, s))
    return { base: 10, exponent: decimalSuffixes[s]!, format: 'DecimalSI' };
  if (Object.hasOwn(binarySuffixes, s)) return { base: 2, exponent: binarySuffixes[s]!, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'E' || s[0] === 'e')) {
    // strconv.ParseInt: optional sign, then decimal digits only; the exponent must fit in int32
    // and be negatable.
    const rest = s.slice(1);
    if (!/^[+-]?[0-9]+$/.test(rest)) return undefined;
    const n = BigInt(rest);
    if (n > BigInt(maxInt32) || n < -BigInt(maxInt32)) return undefined;
    return { base: 10, exponent: Number(n), format: 'DecimalExponent' };
  }
  return undefined;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

interface Scanned {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

/** parseQuantityString: a scanner, permissive on purpose; the suffix is checked afterwards. */
function scan(str: string): Scanned | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') {
      positive = false;
      pos++;
    } else if (str[0] === '+') {
      pos++;
    }
  }
  // strip leading zeros
  for (;;) {
    if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
    if (str[pos] !== '0') break;
    pos++;
  }
  let num: string;
  let i = pos;
  for (;;) {
    if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
    if (!isDigit(str[i])) break;
    i++;
  }
  num = str.slice(pos, i);
  pos = i;
  if (num.length === 0) num = '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    i = pos;
    for (;;) {
      if (i >= end) return { positive, value: str, num, denom: str.slice(pos), suffix: '' };
      if (!isDigit(str[i])) break;
      i++;
    }
    denom = str.slice(pos, i);
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  for (i = pos; ; i++) {
    if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
    if (!'eEinumkKMGTP'.includes(str[i]!)) {
      pos = i;
      break;
    }
  }
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  for (i = pos; ; i++) {
    if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
    if (!isDigit(str[i])) break;
  }
  return undefined;
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const pow10 = (n: number): bigint => 10n ** BigInt(n);
const digitCount = (n: bigint): number => (n === 0n ? 0 : abs(n).toString().length);

/** Divides by 10^k rounding away from zero; k may be huge (the result is then ±1). */
function divRoundUp10(u: bigint, k: number): { u: bigint; exact: boolean } {
  if (k <= 0) return { u: u * pow10(-k), exact: true };
  if (u === 0n) return { u: 0n, exact: true };
  if (digitCount(u) <= k) return { u: u < 0n ? -1n : 1n, exact: false };
  const d = pow10(k);
  const q = u / d;
  const r = u % d;
  if (r === 0n) return { u: q, exact: true };
  return { u: u < 0n ? q - 1n : q + 1n, exact: false };
}

/** Canonical mantissa digits and a base-10 exponent that is a multiple of 3 (AsCanonicalBytes). */
function canonicalDecimal(u: bigint, e: number): { digits: string; exponent: number } {
  const neg = u < 0n;
  let s = abs(u).toString();
  let exponent = e;
  let t = s.length;
  while (t > 1 && s[t - 1] === '0') t--;
  exponent += s.length - t;
  s = s.slice(0, t);
  const r = ((exponent % 3) + 3) % 3;
  s += '0'.repeat(r);
  exponent -= r;
  return { digits: (neg ? '-' : '') + s, exponent };
}

function decimalExponentSuffix(exponent: number): string {
  return exponent === 0 ? '' : `e${exponent}`;
}

export class Quantity {
  /** Unscaled value: the quantity is `unscaled * 10^exponent`. */
  readonly #u: bigint;
  readonly #e: number;
  readonly format: QuantityFormat;
  #s: string | undefined;

  private constructor(u: bigint, e: number, format: QuantityFormat, s?: string) {
    this.#u = u;
    this.#e = u === 0n ? 0 : e;
    this.format = format;
    this.#s = s;
  }

  /** ParseQuantity. Throws QuantityParseError with upstream's message. */
  static parse(str: string): Quantity {
    if (str.length === 0) throw new QuantityParseError(str, quantityErrors.formatWrong);
    if (str === '0') return new Quantity(0n, 0, 'DecimalSI', str);
    const sc = scan(str);
    if (sc === undefined) throw new QuantityParseError(str, quantityErrors.formatWrong);
    const suf = interpretSuffix(sc.suffix);
    if (suf === undefined) throw new QuantityParseError(str, quantityErrors.suffix);
    const { positive, value, num, denom } = sc;
    let { format } = suf;
    const { base, exponent } = suf;

    // The int64 fast path, kept because it decides when the input string is reused verbatim.
    let precision = 0;
    let scale = 0;
    let mantissa = 1n;
    if (format === 'BinarySI') {
      if (exponent >= 0 && denom.length === 0) {
        mantissa = 1n << BigInt(exponent);
        precision = 15 - num.length - Math.trunc(Math.fround((exponent * 3) / 10)) - 1;
      } else {
        precision = -1;
      }
    } else {
      scale = exponent;
      precision = 18 - (num.length + denom.length);
    }
    if (precision >= 0) {
      scale -= denom.length;
      if (scale >= nanoScale) {
        const shifted = num + denom;
        const v = BigInt(shifted);
        let result = v * mantissa;
        if (v <= maxInt64 && result <= maxInt64) {
          if (!positive) result = -result;
          let reuse: boolean;
          if (format === 'BinarySI') reuse = exponent % 10 === 0 && (v & 7n) !== 0n;
          else reuse = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
          return new Quantity(result, scale, format, reuse ? str : undefined);
        }
      }
    }

    // inf.Dec path.
    const unsigned = value.replace(/^[+-]/, '');
    const dot = unsigned.indexOf('.');
    const digits = dot < 0 ? unsigned : unsigned.slice(0, dot) + unsigned.slice(dot + 1);
    if (!/^[0-9]+$/.test(digits)) throw new QuantityParseError(str, quantityErrors.numeric);
    let u = BigInt(digits);
    let e = dot < 0 ? 0 : -(unsigned.length - dot - 1);
    if (base === 10) e += exponent;
    else u <<= BigInt(exponent);
    if (u !== 0n && e < nanoScale) {
      u = divRoundUp10(u, nanoScale - e).u;
      e = nanoScale;
    }
    if (format === 'BinarySI' && cmpParts(u, e, maxInt64, 0) > 0) {
      u = maxInt64;
      e = 0;
    }
    if (format === 'BinarySI' && u !== 0n && cmpParts(u, e, 1n, 0) < 0) format = 'DecimalSI';
    if (!positive) u = -u;
    return new Quantity(u, e, format);
  }

  /** Like parse, but returns undefined instead of throwing. */
  static tryParse(str: string): Quantity | undefined {
    try {
      return Quantity.parse(str);
    } catch (err) {
      if (isQuantityParseError(err)) return undefined;
      throw err;
    }
  }

  /** NewQuantity: an integer value in the given format. */
  static fromValue(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value), 0, format);
  }

  /** NewMilliQuantity: value/1000. */
  static fromMilli(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value), -3, format);
  }

  /** NewScaledQuantity: value * 10^scale, DecimalSI. */
  static fromScaled(value: bigint | number, scale: number): Quantity {
    return new Quantity(BigInt(value), scale, 'DecimalSI');
  }

  static zero(format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(0n, 0, format);
  }

  /** The same value printed in another format (setting Go's Quantity.Format). */
  withFormat(format: QuantityFormat): Quantity {
    return new Quantity(this.#u, this.#e, format);
  }

  isZero(): boolean {
    return this.#u === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.#u === 0n ? 0 : this.#u < 0n ? -1 : 1;
  }

  /** Cmp: -1, 0 or 1. */
  cmp(y: Quantity): -1 | 0 | 1 {
    return cmpParts(this.#u, this.#e, y.#u, y.#e);
  }

  /** CmpInt64. */
  cmpInt(y: bigint | number): -1 | 0 | 1 {
    return cmpParts(this.#u, this.#e, BigInt(y), 0);
  }

  equal(y: Quantity): boolean {
    return this.cmp(y) === 0;
  }

  /** Add: the sum; when this is zero the result takes y's format. */
  add(y: Quantity): Quantity {
    const format = this.isZero() ? y.format : this.format;
    const e = Math.min(this.#e, y.#e);
    return new Quantity(this.#u * pow10(this.#e - e) + y.#u * pow10(y.#e - e), e, format);
  }

  /** Sub: the difference; when this is zero the result takes y's format. */
  sub(y: Quantity): Quantity {
    return (this.isZero() ? new Quantity(0n, 0, y.format) : this).add(y.neg());
  }

  neg(): Quantity {
    return new Quantity(-this.#u, this.#e, this.format);
  }

  /** Mul by an integer. */
  mul(y: bigint | number): Quantity {
    return new Quantity(this.#u * BigInt(y), this.#e, this.format);
  }

  /** RoundUp: the value rounded away from zero to 10^scale, and whether that was exact. */
  roundUp(scale: number): { quantity: Quantity; exact: boolean } {
    if (this.#e >= scale) return { quantity: this, exact: true };
    const r = divRoundUp10(this.#u, scale - this.#e);
    return { quantity: new Quantity(r.u, scale, this.format), exact: r.exact };
  }

  /**
   * ScaledValue: ceil(q / 10^scale), rounded away from zero. Where Go's int64 would overflow, the
   * result is clamped to the int64 range rather than wrapped.
   */
  scaledValue(scale: number): bigint {
    if (this.#u === 0n) return 0n;
    const shift = this.#e - scale;
    if (shift > 0 && digitCount(this.#u) + shift > 20) return this.#u < 0n ? minInt64 : maxInt64;
    const v = divRoundUp10(this.#u, -shift).u;
    if (v > maxInt64) return maxInt64;
    if (v < minInt64) return minInt64;
    return v;
  }

  /** Value: the integer value, rounded away from zero. */
  value(): bigint {
    return this.scaledValue(0);
  }

  /** MilliValue: ceil(q * 1000). */
  milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /** AsApproximateFloat64. */
  asApproximateFloat64(): number {
    return Number(this.#u) * 10 ** this.#e;
  }

  /** The canonical form (CanonicalizeBytes), or the parsed string when it was already canonical. */
  toString(): string {
    if (this.#s === undefined) this.#s = this.#canonical();
    return this.#s;
  }

  /** Quantities serialise as their string form. */
  toJSON(): string {
    return this.toString();
  }

  #canonical(): string {
    if (this.#u === 0n) return '0';
    let format = this.format;
    let rounded: bigint | undefined;
    if (format === 'BinarySI') {
      if (this.cmpInt(-1024) > 0 && this.cmpInt(1024) < 0) {
        format = 'DecimalSI';
      } else {
        const r = divRoundUp10(this.#u, -this.#e);
        if (r.exact) rounded = r.u;
        else format = 'DecimalSI';
      }
    }
    if (format === 'BinarySI' && rounded !== undefined) {
      let m = rounded;
      let exp = 0;
      while (abs(m) >= 1024n && m % 1024n === 0n) {
        m /= 1024n;
        exp++;
      }
      const suffix = exp === 0 ? '' : binaryByExponent.get(exp * 10);
      if (suffix !== undefined) return m.toString() + suffix;
      // Past Ei there is no binary suffix: print the exact decimal form instead.
      const c = canonicalDecimal(this.#u, this.#e);
      return c.digits + decimalExponentSuffix(c.exponent);
    }
    const c = canonicalDecimal(this.#u, this.#e);
    if (format === 'DecimalSI') {
      const suffix = decimalByExponent.get(c.exponent);
      if (suffix !== undefined) return c.digits + suffix;
    }
    // DecimalExponent, and DecimalSI beyond "E" or below "n".
    return c.digits + decimalExponentSuffix(c.exponent);
  }
}

function cmpParts(au: bigint, ae: number, bu: bigint, be: number): -1 | 0 | 1 {
  const as = au === 0n ? 0 : au < 0n ? -1 : 1;
  const bs = bu === 0n ? 0 : bu < 0n ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  if (as === 0) return 0;
  // Same sign: compare magnitudes by order of magnitude first, so exponents far apart stay cheap.
  const am = digitCount(au) + ae;
  const bm = digitCount(bu) + be;
  let magnitude: -1 | 0 | 1;
  if (am !== bm) {
    magnitude = am < bm ? -1 : 1;
  } else {
    const e = Math.min(ae, be);
    const x = abs(au) * pow10(ae - e);
    const y = abs(bu) * pow10(be - e);
    magnitude = x === y ? 0 : x < y ? -1 : 1;
  }
  return as > 0 ? magnitude : ((-magnitude || 0) as -1 | 0 | 1);
}

/** ParseQuantity as a function. */
export function parseQuantity(str: string): Quantity {
  return Quantity.parse(str);
}

/** MustParse: for constants known to be valid. */
export function mustParseQuantity(str: string): Quantity {
  return Quantity.parse(str);
}
