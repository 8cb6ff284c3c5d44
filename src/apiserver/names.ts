// Name generation and small object helpers shared by the registry.
import { randomBytes } from 'node:crypto';
import { deepCopy } from '../api/index.ts';

// Upstream's SimpleNameGenerator alphabet: no vowels (no accidental words), no confusable characters.
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + 5 random characters, capped as upstream caps (63 - 5 for the prefix). */
export function generateName(base: string): string {
  const maxPrefix = 63 - 5;
  const prefix = base.length > maxPrefix ? base.slice(0, maxPrefix) : base;
  const bytes = randomBytes(5);
  let suffix = '';
  for (const b of bytes) suffix += alphanums[b % alphanums.length];
  return prefix + suffix;
}

/** Deep equality of JSON values (objects compared by keys, not key order). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) {
    if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** A deep copy (structuredClone's result, faster for API objects). */
export function clone<T>(v: T): T {
  return deepCopy(v);
}
