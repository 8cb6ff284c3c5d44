import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isJsonPatchError,
  isPatchDecodeError,
  isPatchTooLargeError,
  type JsonPatchError,
  patchErrorToStatusError,
} from './errors.ts';
import { applyJsonPatch, decodePointerToken, encodePointerToken } from './jsonpatch.ts';

function failure(target: unknown, ops: unknown): JsonPatchError {
  try {
    applyJsonPatch(target, ops);
  } catch (err) {
    if (isJsonPatchError(err)) return err;
    throw err;
  }
  assert.fail('the patch applied');
}

describe('applyJsonPatch', () => {
  // RFC 6902 appendix A.
  it('adds an object member', () => {
    assert.deepEqual(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), {
      foo: 'bar',
      baz: 'qux',
    });
  });

  it('inserts into an array at an index', () => {
    assert.deepEqual(applyJsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), {
      foo: ['bar', 'qux', 'baz'],
    });
  });

  it('removes an object member and an array element', () => {
    assert.deepEqual(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }]), {
      foo: 'bar',
    });
    assert.deepEqual(applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), {
      foo: ['bar', 'baz'],
    });
  });

  it('replaces a value', () => {
    assert.deepEqual(
      applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]),
      {
        baz: 'boo',
        foo: 'bar',
      },
    );
  });

  it('moves a value between objects and inside an array', () => {
    const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }]), {
      foo: { bar: 'baz' },
      qux: { corge: 'grault', thud: 'fred' },
    });
    assert.deepEqual(
      applyJsonPatch({ foo: ['all', 'grass', 'cows', 'eat'] }, [
        { op: 'move', from: '/foo/1', path: '/foo/3' },
      ]),
      { foo: ['all', 'cows', 'eat', 'grass'] },
    );
  });

  it('copies a value', () => {
    assert.deepEqual(applyJsonPatch({ a: { b: [1] } }, [{ op: 'copy', from: '/a', path: '/c' }]), {
      a: { b: [1] },
      c: { b: [1] },
    });
  });

  it('passes a test of an equal value, objects compared structurally', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'], o: { x: 1, y: [true] } };
    assert.deepEqual(
      applyJsonPatch(doc, [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 },
        { op: 'test', path: '/o', value: { y: [true], x: 1 } },
      ]),
      doc,
    );
  });

  it('adds a nested object and appends with -', () => {
    assert.deepEqual(
      applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }]),
      {
        foo: 'bar',
        child: { grandchild: {} },
      },
    );
    assert.deepEqual(
      applyJsonPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }]),
      {
        foo: ['bar', ['abc', 'def']],
      },
    );
  });

  it('unescapes ~0 and ~1 in pointers', () => {
    assert.deepEqual(applyJsonPatch({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }]), {
      '/': 9,
      '~1': 10,
    });
    assert.equal(decodePointerToken('a~1b~0c~01'), 'a/b~c~1');
    assert.equal(
      encodePointerToken('snapshot.storage.kubernetes.io/x~y'),
      'snapshot.storage.kubernetes.io~1x~0y',
    );
  });

  it('applies the csi-snapshotter operations: finalizer append and annotation removal with ~1', () => {
    const obj = {
      metadata: {
        name: 'snap',
        finalizers: ['a'],
        annotations: { 'snapshot.storage.kubernetes.io/volumesnapshot-being-created': 'yes', keep: '1' },
      },
    };
    const out = applyJsonPatch(obj, [
      {
        op: 'add',
        path: '/metadata/finalizers/-',
        value: 'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection',
      },
      {
        op: 'remove',
        path: '/metadata/annotations/snapshot.storage.kubernetes.io~1volumesnapshot-being-created',
      },
    ]);
    assert.deepEqual(out, {
      metadata: {
        name: 'snap',
        finalizers: ['a', 'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection'],
        annotations: { keep: '1' },
      },
    });
  });

  it('lets replace of a missing object member act as add (evanphx v4 leniency)', () => {
    const out = applyJsonPatch({ metadata: { name: 'c' } }, [
      { op: 'replace', path: '/metadata/annotations', value: { a: 'b' } },
    ]);
    assert.deepEqual(out, { metadata: { name: 'c', annotations: { a: 'b' } } });
  });

  it('accepts negative array indexes counting from the end', () => {
    assert.deepEqual(applyJsonPatch({ a: [1, 2, 3] }, [{ op: 'remove', path: '/a/-1' }]), { a: [1, 2] });
    assert.deepEqual(applyJsonPatch({ a: [1, 2, 3] }, [{ op: 'replace', path: '/a/-3', value: 0 }]), {
      a: [0, 2, 3],
    });
  });

  it('replaces the whole document for the root path', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
  });

  it('does not modify the target, and values added twice are independent copies', () => {
    const target = { a: [] as unknown[] };
    const v = { x: 1 };
    const out = applyJsonPatch(target, [
      { op: 'add', path: '/a/-', value: v },
      { op: 'add', path: '/a/-', value: v },
      { op: 'replace', path: '/a/0/x', value: 2 },
    ]);
    assert.deepEqual(target, { a: [] });
    assert.deepEqual(out, { a: [{ x: 2 }, { x: 1 }] });
  });

  describe('failures carry evanphx v4 messages', () => {
    const cases: [string, unknown, unknown[], string][] = [
      [
        'remove of a missing member',
        { metadata: { annotations: {} } },
        [{ op: 'remove', path: '/metadata/annotations/x' }],
        "error in remove for path: '/metadata/annotations/x': Unable to remove nonexistent key: x: missing value",
      ],
      [
        'add below a missing parent',
        { a: {} },
        [{ op: 'add', path: '/b/c', value: 1 }],
        'add operation does not apply: doc is missing path: "/b/c": missing value',
      ],
      [
        'failed test',
        { metadata: { name: 'a' } },
        [{ op: 'test', path: '/metadata/name', value: 'b' }],
        'testing value /metadata/name failed: test failed',
      ],
      [
        'test of a missing member',
        { a: 1 },
        [{ op: 'test', path: '/b', value: 1 }],
        'testing value /b failed: test failed',
      ],
      [
        'replace of an index past the end',
        { a: [1] },
        [{ op: 'replace', path: '/a/5', value: 1 }],
        'replace operation does not apply: doc is missing key: /a/5: missing value',
      ],
      [
        'add past the end of an array',
        { a: [1] },
        [{ op: 'add', path: '/a/3', value: 1 }],
        "error in add for path: '/a/3': Unable to access invalid index: 3: invalid index referenced",
      ],
      [
        'add at a non-numeric index',
        { a: [1] },
        [{ op: 'add', path: '/a/x', value: 1 }],
        `error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
      ],
      ['an unknown op', { a: 1 }, [{ op: 'frobnicate', path: '/a' }], 'Unexpected kind: frobnicate'],
      ['a missing op', { a: 1 }, [{ path: '/a' }], 'Unexpected kind: unknown'],
      [
        'move from a missing member',
        { a: {} },
        [{ op: 'move', from: '/a/x', path: '/b' }],
        "error in move for path: 'x': Unable to remove nonexistent key: x: missing value",
      ],
      [
        'add to the root',
        { a: 1 },
        [{ op: 'add', path: '', value: 1 }],
        'add operation does not apply: doc is missing path: "": missing value',
      ],
    ];
    for (const [name, target, ops, message] of cases) {
      it(`reports ${name}`, () => {
        assert.equal(failure(target, ops).message, message);
      });
    }
  });

  it('stops at the first failing operation and leaves the target untouched', () => {
    const target = { a: 1 };
    failure(target, [
      { op: 'add', path: '/b', value: 2 },
      { op: 'test', path: '/a', value: 9 },
    ]);
    assert.deepEqual(target, { a: 1 });
  });

  it('maps an operation failure to upstream 422 Invalid with the generic message', () => {
    const st = patchErrorToStatusError(failure({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]))!.status;
    assert.equal(st.code, 422);
    assert.equal(st.reason, 'Invalid');
    assert.equal(st.message, 'the server rejected our request due to an error in our request');
    assert.deepEqual(st.details, {});
  });

  it('rejects a body that is not an array of operations as a 400', () => {
    assert.throws(
      () => applyJsonPatch({}, { op: 'add' }),
      (err: unknown) => {
        assert.ok(isPatchDecodeError(err));
        assert.equal(err.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
        assert.equal(patchErrorToStatusError(err)!.status.code, 400);
        return true;
      },
    );
    assert.throws(
      () => applyJsonPatch({}, ['add']),
      /cannot unmarshal string into Go value of type jsonpatch.Operation/,
    );
  });

  it('rejects more than 10000 operations as 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: 1 }));
    assert.throws(
      () => applyJsonPatch({ a: 1 }, ops),
      (err: unknown) => {
        assert.ok(isPatchTooLargeError(err));
        const st = patchErrorToStatusError(err)!.status;
        assert.equal(st.code, 413);
        assert.equal(
          st.message,
          'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
        );
        return true;
      },
    );
  });
});
