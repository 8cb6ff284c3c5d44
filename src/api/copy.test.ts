import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { deepCopy } from './copy.ts';

function randomJson(depth: number, rnd: () => number): unknown {
  const r = rnd();
  if (depth > 4 || r < 0.3) {
    const leaves = [null, true, false, 0, -1.5, 'x', '', 'ü', undefined, 2 ** 60];
    return leaves[Math.floor(rnd() * leaves.length)];
  }
  if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomJson(depth + 1, rnd));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(rnd() * 5); i > 0; i--)
    o[`k${Math.floor(rnd() * 10)}`] = randomJson(depth + 1, rnd);
  return o;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('deepCopy', () => {
  it('equals structuredClone for random JSON-like values and shares nothing with them', () => {
    const rnd = seeded(7);
    for (let i = 0; i < 2000; i++) {
      const v = randomJson(0, rnd);
      const c = deepCopy(v);
      assert.ok(isDeepStrictEqual(c, structuredClone(v)));
      if (typeof v === 'object' && v !== null) assert.notEqual(c, v);
    }
  });

  it('copies frozen objects into unfrozen ones', () => {
    const v = Object.freeze({ a: Object.freeze({ b: [1] }) });
    const c = deepCopy(v);
    assert.equal(Object.isFrozen(c), false);
    c.a.b.push(2);
    assert.deepEqual(v.a.b, [1]);
  });

  it('keeps a __proto__ key as an own property, as structuredClone does', () => {
    const v = JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    const c = deepCopy(v);
    assert.deepEqual(Object.keys(c), ['__proto__']);
    assert.equal(Object.getPrototypeOf(c), Object.prototype);
    assert.equal((c as { polluted?: boolean }).polluted, undefined);
  });

  it('hands values that are not plain data to structuredClone', () => {
    const when = new Date(0);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const named = Object.assign([1, 2], { extra: 3 });
    // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
    const holes = [1, , 3];
    for (const v of [{ when }, cyclic, named, holes, new Map([[1, 2]])]) {
      assert.ok(isDeepStrictEqual(deepCopy(v), structuredClone(v)));
    }
    const c = deepCopy(cyclic);
    assert.equal(c['self'], c);
    assert.throws(
      () => deepCopy({ f: () => 1 }),
      (e: Error) => e.name === 'DataCloneError',
    );
  });
});
