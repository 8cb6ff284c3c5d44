// Quantity comparison for admission, through the api package's exact Quantity arithmetic.
import { parseQuantity } from '../api/index.ts';

/** Negative, zero or positive as a < b, a == b, a > b; unparsable values compare equal. */
export function compareQuantities(a: string, b: string): number {
  try {
    return parseQuantity(a).cmp(parseQuantity(b));
  } catch {
    return 0;
  }
}
