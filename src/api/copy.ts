// deepCopy for API objects: the same result as structuredClone for plain JSON-like data (objects, arrays,
// strings, numbers, booleans, null, undefined), about three times faster because it skips the
// serialisation structuredClone goes through. Anything else (a Date, a Map, a class instance, a function,
// a cycle) is handed to structuredClone, so the result, or the error, is exactly structuredClone's.
//
// Concurrency: pure; never changes its input.

/** Nesting deeper than this is taken for a cycle and handed to structuredClone. */
const maxDepth = 256;

class NotPlain extends Error {}
const notPlain = new NotPlain();

/** A deep copy of `v`, equal to structuredClone(v) for API objects; shares nothing with `v`. */
export function deepCopy<T>(v: T): T {
  if (typeof v !== 'object' || v === null) {
    return typeof v === 'function' || typeof v === 'symbol' ? structuredClone(v) : v;
  }
  try {
    return copy(v, 0) as T;
  } catch (err) {
    if (err === notPlain) return structuredClone(v);
    throw err;
  }
}

function copy(v: unknown, depth: number): unknown {
  if (typeof v !== 'object' || v === null) {
    if (typeof v === 'function' || typeof v === 'symbol') throw notPlain;
    return v;
  }
  if (depth > maxDepth) throw notPlain;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) throw notPlain;
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      if (!(i in v)) throw notPlain; // holes: structuredClone keeps them
      out[i] = copy(v[i], depth + 1);
    }
    if (Object.keys(v).length !== n) throw notPlain; // extra named properties
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw notPlain;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const c = copy((v as Record<string, unknown>)[k], depth + 1);
    // A `__proto__` key (JSON.parse makes one) must stay an own property, not become the prototype.
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out;
}
