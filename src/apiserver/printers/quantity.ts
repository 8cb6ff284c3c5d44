// Canonical form of a resource quantity, as resource.Quantity.String() prints it after the
// apiserver has decoded the object: `1024Mi` prints as `1Gi`, `1.5Gi` as `1536Mi`, `1000` as `1k`,
// `0.5` as `500m`. Printers show capacities this way.

const binarySuffixes: Readonly<Record<string, number>> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const decimalSuffixes: Readonly<Record<string, number>> = {
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
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByPower = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const pattern = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const ten = 10n;
const pow10 = (n: number): bigint => ten ** BigInt(n);

/**
 * Returns the canonical string of a quantity given as a string or JSON number. Input that is not a
 * valid quantity comes back unchanged (as a string), so a printer never throws on odd data.
 */
export function canonicalQuantity(input: unknown): string {
  const raw = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim() : '';
  const m = pattern.exec(raw);
  if (m === null) return typeof input === 'string' ? input : String(input ?? '');
  const negative = m[1] === '-';
  const [whole = '', frac = ''] = (m[2] ?? '').split('.');
  const digits = BigInt(`${whole}${frac}` || '0');
  const suffix = m[3] ?? '';
  if (digits === 0n) return '0';
  const sign = negative ? '-' : '';

  if (suffix in binarySuffixes) {
    const power = binarySuffixes[suffix] ?? 0;
    const scaled = digits * 1024n ** BigInt(power);
    const denominator = pow10(frac.length);
    // BinarySI stays binary only for whole numbers of at least 1024; the rest falls back to DecimalSI.
    if (scaled % denominator === 0n && scaled / denominator >= 1024n) {
      let n = scaled / denominator;
      let p = 0;
      while (n % 1024n === 0n && p < binaryByPower.length - 1) {
        n /= 1024n;
        p++;
      }
      return `${sign}${n}${binaryByPower[p]}`;
    }
    return sign + decimal(scaled, -frac.length, 'si');
  }
  if (suffix.startsWith('e') || suffix.startsWith('E')) {
    return sign + decimal(digits, Number(suffix.slice(1)) - frac.length, 'exponent');
  }
  return sign + decimal(digits, (decimalSuffixes[suffix] ?? 0) - frac.length, 'si');
}

/** mantissa × 10^exponent, printed with an exponent that is a multiple of three. */
function decimal(mantissa: bigint, exponent: number, format: 'si' | 'exponent'): string {
  let n = mantissa;
  let e = exponent;
  // Quantities keep nano precision at most and round up below it.
  if (e < -9) {
    const d = pow10(-9 - e);
    n = (n + d - 1n) / d;
    e = -9;
  }
  while (n !== 0n && n % ten === 0n) {
    n /= ten;
    e++;
  }
  const r = ((e % 3) + 3) % 3;
  n *= pow10(r);
  e -= r;
  if (format === 'si') {
    const s = decimalByExponent.get(e);
    if (s !== undefined) return `${n}${s}`;
  }
  return e === 0 ? `${n}` : `${n}e${e}`;
}
