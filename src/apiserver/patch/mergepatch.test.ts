import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchDecodeError, patchErrorToStatusError } from './errors.ts';
import { applyMergePatch } from './mergepatch.ts';

describe('applyMergePatch', () => {
  // RFC 7386 appendix A, except where evanphx/json-patch v4 (what kube-apiserver runs) differs.
  const rfcCases: [string, unknown, unknown, unknown][] = [
    ['replaces a member', { a: 'b' }, { a: 'c' }, { a: 'c' }],
    ['adds a member', { a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    ['deletes a member set to null', { a: 'b' }, { a: null }, {}],
    ['deletes only the member set to null', { a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    ['replaces an array by a string', { a: ['b'] }, { a: 'c' }, { a: 'c' }],
    ['replaces a string by an array', { a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    ['merges nested objects', { a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    ['replaces arrays whole', { a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    ['replaces an array document', ['a', 'b'], ['c', 'd'], ['c', 'd']],
    ['replaces an object document by an array patch', { a: 'b' }, ['c'], ['c']],
    ['keeps null members of the target', { e: null }, { a: 1 }, { e: null, a: 1 }],
    ['turns an array document into the patch without nulls', [1, 2], { a: 'b', c: null }, { a: 'b' }],
    ['prunes nested nulls from new values', {}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [name, target, patch, want] of rfcCases) {
    it(name, () => {
      assert.deepEqual(applyMergePatch(target, patch), want);
    });
  }

  it('prunes nulls inside objects of a new array value, as evanphx v4 does', () => {
    assert.deepEqual(applyMergePatch({}, { a: [{ x: null, y: 1 }, null] }), { a: [{ y: 1 }, null] });
  });

  it('sets a label the way kubectl label does, keeping the rest of the object', () => {
    const pvc = { metadata: { name: 'data', labels: { a: '1' } }, spec: { accessModes: ['ReadWriteOnce'] } };
    const out = applyMergePatch(pvc, { metadata: { labels: { b: '2', a: null } } });
    assert.deepEqual(out, {
      metadata: { name: 'data', labels: { b: '2' } },
      spec: { accessModes: ['ReadWriteOnce'] },
    });
  });

  it('does not modify its inputs', () => {
    const target = { a: { b: 1 } };
    const patch = { a: { b: 2, c: { d: null } } };
    applyMergePatch(target, patch);
    assert.deepEqual(target, { a: { b: 1 } });
    assert.deepEqual(patch, { a: { b: 2, c: { d: null } } });
  });

  it('rejects a null patch as a 400 Invalid JSON Patch', () => {
    assert.throws(
      () => applyMergePatch({ a: 1 }, null),
      (err: unknown) => {
        assert.ok(isPatchDecodeError(err));
        const st = patchErrorToStatusError(err)!.status;
        assert.equal(st.code, 400);
        assert.equal(st.reason, 'BadRequest');
        assert.equal(st.message, 'Invalid JSON Patch');
        return true;
      },
    );
  });

  it('rejects a scalar patch', () => {
    assert.throws(() => applyMergePatch({ a: 1 }, 'bar'), isPatchDecodeError);
  });
});
