// Capacities as printers show them: resource.Quantity.String() after the apiserver decoded the
// object (`1024Mi` prints as `1Gi`, `1.5Gi` as `1536Mi`, `1000` as `1k`). The arithmetic is the
// api package's Quantity; this only makes printing total over odd stored data.

import { isQuantityParseError, parseQuantity } from '../../api/index.ts';

/**
 * The canonical string of a quantity given as a string or JSON number. Input that is not a valid
 * quantity comes back unchanged (as a string), so a printer never throws on odd data.
 */
export function canonicalQuantity(input: unknown): string {
  const raw =
    typeof input === 'number'
      ? String(input)
      : typeof input === 'string'
        ? input.trim()
        : String(input ?? '');
  try {
    return parseQuantity(raw).toString();
  } catch (err: unknown) {
    if (isQuantityParseError(err)) return typeof input === 'string' ? input : raw;
    throw err;
  }
}
