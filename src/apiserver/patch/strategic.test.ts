import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { isStrategicMergePatchError, patchErrorToStatusError } from './errors.ts';
import { type PatchMeta, patchMetaFromFunction } from './meta.ts';
import { applyStrategicMergePatch } from './strategic.ts';

// The MergeItem test type of upstream's strategicpatch/patch_test.go: its struct tags depend only on the
// field name, whatever the nesting.
const mergeItemTags: Record<string, PatchMeta> = {
  mergingList: { patchStrategy: 'merge', patchMergeKey: 'name' },
  mergingIntList: { patchStrategy: 'merge' },
  mergeItemPtr: { patchStrategy: 'merge', patchMergeKey: 'name' },
  replacingItem: { patchStrategy: 'replace' },
  retainKeysMap: { patchStrategy: 'retainKeys' },
  retainKeysMergingList: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
};
const mergeItem = patchMetaFromFunction((path) => mergeItemTags[path[path.length - 1] ?? '']);

interface Case {
  description: string;
  original?: unknown;
  twoWay?: unknown;
  modified?: unknown;
  twoWayResult?: unknown;
  current?: unknown;
  threeWay?: unknown;
  result?: unknown;
}

// Cases copied from upstream's YAML tables (customStrategicMergePatchTestCaseData,
// createStrategicMergePatchTestCaseData and strategicMergePatchRawTestCases).
const upstreamCases = parse(`
- description: unique scalars when merging lists
  original: {mergingIntList: [1, 2]}
  twoWay: {mergingIntList: [2, 3]}
  modified: {mergingIntList: [1, 2, 3]}
- description: delete map from nested map
  original: {simpleMap: {key1: 1, key2: 1}}
  twoWay: {simpleMap: {$patch: delete}}
  modified: {simpleMap: {}}
- description: delete all items from merging list
  original: {mergingList: [{name: 1}, {name: 2}]}
  twoWay: {mergingList: [{$patch: replace}]}
  modified: {mergingList: []}
- description: merge empty merging lists
  original: {mergingList: []}
  twoWay: {mergingList: []}
  modified: {mergingList: []}
- description: delete all keys from map
  original: {name: 1, value: 1}
  twoWay: {$patch: replace}
  modified: {}
- description: add key and delete all keys from map
  original: {name: 1, value: 1}
  twoWay: {other: a, $patch: replace}
  modified: {other: a}
- description: delete all duplicate entries in a merging list
  original: {mergingList: [{name: 1}, {name: 1}, {name: 2, value: a}, {name: 3}, {name: 3}]}
  twoWay: {mergingList: [{name: 1, $patch: delete}, {name: 3, $patch: delete}]}
  modified: {mergingList: [{name: 2, value: a}]}
- description: retainKeys map can delete a field when no retainKeys directive present
  original: {retainKeysMap: {name: foo, value: a}}
  twoWay: {retainKeysMap: {value: null}}
  modified: {retainKeysMap: {name: foo}}
- description: retainKeys list can change a field when no retainKeys directive present
  original: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}
  twoWay: {retainKeysMergingList: [{name: foo, value: b}]}
  modified: {retainKeysMergingList: [{name: bar}, {name: foo, value: b}]}
- description: preserve the order from the patch in a merging list
  original: {mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]}
  twoWay: {mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, other: x}]}
  modified: {mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, value: b, other: x}]}
- description: preserve the order from the patch in a merging list 2
  original: {mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]}
  twoWay: {mergingList: [{name: 3, value: c}, {name: 1, value: a}]}
  modified: {mergingList: [{name: 2, value: b}, {name: 3, value: c}, {name: 1, value: a}]}
- description: preserve the order from the patch in a merging int list
  original: {mergingIntList: [1, 2, 3]}
  twoWay: {mergingIntList: [3, 1, 2]}
  modified: {mergingIntList: [3, 1, 2]}
- description: preserve the order from the patch in a merging int list 2
  original: {mergingIntList: [1, 2, 3]}
  twoWay: {mergingIntList: [3, 1]}
  modified: {mergingIntList: [2, 3, 1]}
- description: $setElementOrder contains item that is not present in the list to be merged
  original: {mergingList: [{name: 1}, {name: 3}]}
  twoWay: {$setElementOrder/mergingList: [{name: 3}, {name: 2}, {name: 1}], mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]}
  modified: {mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]}
- description: $setElementOrder contains item that is not present in the int list to be merged
  original: {mergingIntList: [1, 3]}
  twoWay: {$setElementOrder/mergingIntList: [3, 2, 1]}
  modified: {mergingIntList: [3, 1]}
- description: nil original
  twoWay: {name: 1, value: 1}
  modified: {name: 1, value: 1}
  current: {name: 1, other: a}
  threeWay: {value: 1}
  result: {name: 1, value: 1, other: a}
- description: add field and delete field from map
  original: {name: 1}
  twoWay: {name: null, value: 1}
  modified: {value: 1}
  current: {name: 1, other: a}
  threeWay: {name: null, value: 1}
  result: {value: 1, other: a}
- description: delete field from nested map with conflict
  original: {simpleMap: {key1: 1, key2: 1}}
  twoWay: {simpleMap: {key2: null}}
  modified: {simpleMap: {key1: 1}}
  current: {simpleMap: {key1: a, key2: 1, other: a}}
  threeWay: {simpleMap: {key1: 1, key2: null}}
  result: {simpleMap: {key1: 1, other: a}}
- description: replace list of scalars with conflict
  original: {nonMergingIntList: [1, 2]}
  twoWay: {nonMergingIntList: [2, 3]}
  modified: {nonMergingIntList: [2, 3]}
  current: {nonMergingIntList: [1, 4]}
  threeWay: {nonMergingIntList: [2, 3]}
  result: {nonMergingIntList: [2, 3]}
- description: delete all maps from merging list with conflict
  original: {mergingList: [{name: 1}, {name: 2}]}
  twoWay: {mergingList: [{name: 1, $patch: delete}, {name: 2, $patch: delete}]}
  modified: {mergingList: []}
  current: {mergingList: [{name: 1, other: a}, {name: 2, other: b}]}
  threeWay: {mergingList: [{name: 1, $patch: delete}, {name: 2, $patch: delete}]}
  result: {mergingList: []}
- description: delete all maps from empty merging list
  original: {mergingList: [{name: 1}, {name: 2}]}
  twoWay: {mergingList: [{name: 1, $patch: delete}, {name: 2, $patch: delete}]}
  modified: {mergingList: []}
  current: {mergingList: []}
  threeWay: {mergingList: [{name: 1, $patch: delete}, {name: 2, $patch: delete}]}
  result: {mergingList: []}
- description: defined null values should propagate overwrite current fields (with conflict)
  original: {name: 2}
  twoWay: {name: 1, value: 1, other: null}
  twoWayResult: {name: 1, value: 1}
  current: {name: a, other: a}
  threeWay: {name: 1, value: 1, other: null}
  result: {name: 1, value: 1}
- description: delete items in lists of scalars
  original: {mergingIntList: [1, 2, 3]}
  twoWay: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}
  modified: {mergingIntList: [1, 2]}
  current: {mergingIntList: [1, 2, 3, 4]}
  threeWay: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}
  result: {mergingIntList: [1, 2, 4]}
- description: delete all duplicate items in lists of scalars
  original: {mergingIntList: [1, 2, 3, 3]}
  twoWay: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}
  modified: {mergingIntList: [1, 2]}
  current: {mergingIntList: [1, 2, 3, 3, 4]}
  threeWay: {$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}
  result: {mergingIntList: [1, 2, 4]}
- description: add and delete items in lists of scalars
  original: {mergingIntList: [1, 2, 3]}
  twoWay: {$setElementOrder/mergingIntList: [1, 2, 4], $deleteFromPrimitiveList/mergingIntList: [3], mergingIntList: [4]}
  modified: {mergingIntList: [1, 2, 4]}
  current: {mergingIntList: [1, 2, 3, 4]}
  threeWay: {$setElementOrder/mergingIntList: [1, 2, 4], $deleteFromPrimitiveList/mergingIntList: [3]}
  result: {mergingIntList: [1, 2, 4]}
- description: merge lists of maps
  original: {mergingList: [{name: 1}, {name: 2, value: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}
  modified: {mergingList: [{name: 4, value: 4}, {name: 1}, {name: 2, value: 2}, {name: 3, value: 3}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]}
  threeWay: {$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}
  result: {mergingList: [{name: 4, value: 4}, {name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
- description: merge lists of maps with conflict
  original: {mergingList: [{name: 1}, {name: 2, value: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 3, value: 3}]}
  modified: {mergingList: [{name: 1}, {name: 2, value: 2}, {name: 3, value: 3}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, value: 3, other: b}]}
  threeWay: {$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 2, value: 2}, {name: 3, value: 3}]}
  result: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
- description: delete an item in a list and preserve order
  original: {mergingList: [{name: 1}, {name: 3, value: 3}, {name: 2, value: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}], mergingList: [{name: 3, $patch: delete}]}
  modified: {mergingList: [{name: 2, value: 2}, {name: 1}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
  threeWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}], mergingList: [{name: 3, $patch: delete}]}
  result: {mergingList: [{name: 2, value: 2, other: b}, {name: 1, other: a}]}
- description: add and delete an item in a list and preserve order
  original: {mergingList: [{name: 1}, {name: 3, value: 3}, {name: 2, value: 2}]}
  twoWay: {$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 1}], mergingList: [{name: 4, value: 4}, {name: 3, $patch: delete}]}
  modified: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2}, {name: 1}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
  threeWay: {$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 1}], mergingList: [{name: 4, value: 4}, {name: 3, $patch: delete}]}
  result: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2, other: b}, {name: 1, other: a}]}
- description: set elements order in a list with server-only items 2
  original: {mergingList: [{name: 1}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 4, value: 4}]}
  twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]}
  modified: {mergingList: [{name: 2, value: 2}, {name: 1}, {name: 4, value: 4}, {name: 3, value: 3}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2}, {name: 9}, {name: 3, value: 3}, {name: 4, value: 4}]}
  threeWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]}
  result: {mergingList: [{name: 2, value: 2}, {name: 1, other: a}, {name: 9}, {name: 4, value: 4}, {name: 3, value: 3}]}
- description: set elements order in a list with server-only items 3
  original: {mergingList: [{name: 1}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 4, value: 4}]}
  twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]}
  modified: {mergingList: [{name: 2, value: 2}, {name: 1}, {name: 4, value: 4}, {name: 3, value: 3}]}
  current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2}, {name: 7}, {name: 9}, {name: 8}, {name: 3, value: 3}, {name: 4, value: 4}]}
  threeWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]}
  result: {mergingList: [{name: 2, value: 2}, {name: 1, other: a}, {name: 7}, {name: 9}, {name: 8}, {name: 4, value: 4}, {name: 3, value: 3}]}
- description: add and delete an item in a int list and preserve order
  original: {mergingIntList: [1, 3, 2]}
  twoWay: {$setElementOrder/mergingIntList: [4, 2, 1], mergingIntList: [4], $deleteFromPrimitiveList/mergingIntList: [3]}
  modified: {mergingIntList: [4, 2, 1]}
  current: {mergingIntList: [1, 2, 3]}
  threeWay: {$setElementOrder/mergingIntList: [4, 2, 1], mergingIntList: [4], $deleteFromPrimitiveList/mergingIntList: [3]}
  result: {mergingIntList: [4, 2, 1]}
- description: set elements order in a int list with server-only items 3
  original: {mergingIntList: [1, 2, 3, 4]}
  twoWay: {$setElementOrder/mergingIntList: [2, 1, 4, 3]}
  modified: {mergingIntList: [2, 1, 4, 3]}
  current: {mergingIntList: [1, 2, 7, 9, 8, 3, 4]}
  threeWay: {$setElementOrder/mergingIntList: [2, 1, 4, 3]}
  result: {mergingIntList: [2, 1, 7, 9, 8, 4, 3]}
- description: behavior of set element order for a merging list with duplicate
  original: {mergingList: [{name: 1}, {name: 2, value: dup1}, {name: 3}, {name: 2, value: dup2}, {name: 4}]}
  twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}, {name: 2}]}
  twoWayResult: {mergingList: [{name: 2, value: dup1}, {name: 2, value: dup2}, {name: 1}, {name: 4}, {name: 3}]}
- description: behavior of set element order for a merging int list with duplicate
  original: {mergingIntList: [1, 2, 3, 2, 4]}
  twoWay: {$setElementOrder/mergingIntList: [2, 1, 4, 3, 2]}
  twoWayResult: {mergingIntList: [2, 2, 1, 4, 3]}
- description: retainKeys map should clear defaulted field with conflict (discriminated union)
  original: {}
  twoWay: {retainKeysMap: {name: type2, other: bar}}
  modified: {retainKeysMap: {name: type2, other: bar}}
  current: {retainKeysMap: {name: type1, value: foo}}
  threeWay: {retainKeysMap: {$retainKeys: [name, other], name: type2, other: bar}}
  result: {retainKeysMap: {name: type2, other: bar}}
- description: retainKeys map adds a field and clear a field
  original: {retainKeysMap: {name: foo}}
  twoWay: {retainKeysMap: {$retainKeys: [name, value], value: bar}}
  modified: {retainKeysMap: {name: foo, value: bar}}
  current: {retainKeysMap: {name: foo, other: a}}
  threeWay: {retainKeysMap: {$retainKeys: [name, value], value: bar}}
  result: {retainKeysMap: {name: foo, value: bar}}
- description: retainKeys map deletes a field
  original: {retainKeysMap: {name: foo, value: bar}}
  twoWay: {retainKeysMap: {$retainKeys: [name], value: null}}
  modified: {retainKeysMap: {name: foo}}
- description: replace strategy replaces a map whole
  original: {replacingItem: {a: 1, b: 2}}
  twoWay: {replacingItem: {c: 3}}
  modified: {replacingItem: {c: 3}}
`) as Case[];

describe('applyStrategicMergePatch on upstream test tables', () => {
  for (const c of upstreamCases) {
    if (c.twoWay !== undefined) {
      it(`${c.description} (two-way patch on the original)`, () => {
        const got = applyStrategicMergePatch(c.original ?? {}, c.twoWay, mergeItem);
        assert.deepEqual(got, c.twoWayResult ?? c.modified);
      });
    }
    if (c.threeWay !== undefined && c.result !== undefined) {
      it(`${c.description} (three-way patch on the current object)`, () => {
        assert.deepEqual(applyStrategicMergePatch(c.current ?? {}, c.threeWay, mergeItem), c.result);
      });
    }
  }
});

function smpError(original: unknown, patch: unknown): { code: number; message: string } {
  try {
    applyStrategicMergePatch(original, patch, mergeItem);
  } catch (err) {
    assert.ok(isStrategicMergePatchError(err), String(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('the patch applied');
}

describe('applyStrategicMergePatch errors', () => {
  it('refuses a $setElementOrder list that contradicts the patch order (500, upstream text)', () => {
    const e = smpError(
      { mergingList: [{ name: 1 }, { name: 3 }, { name: 2 }] },
      {
        '$setElementOrder/mergingList': [{ name: 1 }, { name: 2 }, { name: 3 }],
        mergingList: [
          { name: 3, value: 3 },
          { name: 1, value: 1 },
        ],
      },
    );
    assert.equal(e.code, 500);
    assert.match(e.message, /doesn't match \$setElementOrder list/);
  });

  it('refuses a list item without its merge key, naming it like Go', () => {
    const e = smpError({ mergingList: [{ name: 1, value: 'a' }] }, { mergingList: [{ value: 'b' }] });
    assert.deepEqual(e, {
      code: 500,
      message: 'map: map[value:b] does not contain declared merge key: name',
    });
  });

  it('refuses an unknown $patch value in a map', () => {
    const e = smpError({ simpleMap: { a: '1' } }, { simpleMap: { $patch: 'merge' } });
    assert.deepEqual(e, { code: 500, message: 'unknown patch type: merge in map: map[$patch:merge]' });
  });

  it('refuses $patch merge in a list', () => {
    const e = smpError({ mergingList: [{ name: 1 }] }, { mergingList: [{ name: 1, $patch: 'merge' }] });
    assert.deepEqual(e, { code: 500, message: 'merging lists cannot yet be specified in the patch' });
  });

  it('answers 400 for a malformed $retainKeys and for patch keys missing from it', () => {
    assert.equal(smpError({ retainKeysMap: {} }, { retainKeysMap: { $retainKeys: 'name' } }).code, 400);
    const e = smpError(
      { retainKeysMap: { name: 'a' } },
      { retainKeysMap: { $retainKeys: ['name'], value: 'b' } },
    );
    assert.deepEqual(e, { code: 400, message: 'invalid patch format of retainKeys' });
  });

  it('answers 422 for lists of lists', () => {
    const e = smpError({ mergingIntList: [[1]] }, { mergingIntList: [[2]] });
    assert.equal(e.code, 422);
    const st = patchErrorToStatusError(new (class extends Error {})());
    assert.equal(st, undefined);
  });

  it('maps errors to Status with upstream codes', () => {
    try {
      applyStrategicMergePatch({ retainKeysMap: {} }, { retainKeysMap: { $retainKeys: 'x' } }, mergeItem);
      assert.fail('applied');
    } catch (err) {
      const st = patchErrorToStatusError(err)!.status;
      assert.deepEqual(
        [st.code, st.reason, st.message],
        [400, 'BadRequest', 'invalid patch format of retainKeys'],
      );
    }
    try {
      applyStrategicMergePatch({ mergingList: [{ name: 1 }] }, { mergingList: [{ value: 1 }] }, mergeItem);
      assert.fail('applied');
    } catch (err) {
      const st = patchErrorToStatusError(err)!.status;
      assert.equal(st.code, 500);
      assert.equal(st.reason, undefined);
    }
  });
});

// Kubernetes objects with the tags of the real types.
const k8sTags: Record<string, PatchMeta> = {
  'metadata.finalizers': { patchStrategy: 'merge' },
  'metadata.ownerReferences': { patchStrategy: 'merge', patchMergeKey: 'uid' },
  'spec.containers': { patchStrategy: 'merge', patchMergeKey: 'name' },
  'spec.containers.env': { patchStrategy: 'merge', patchMergeKey: 'name' },
  'spec.containers.volumeMounts': { patchStrategy: 'merge', patchMergeKey: 'mountPath' },
  'spec.volumes': { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
  'spec.drivers': { patchStrategy: 'merge', patchMergeKey: 'name' },
  'status.conditions': { patchStrategy: 'merge', patchMergeKey: 'type' },
};
const k8s = patchMetaFromFunction((path) => k8sTags[path.join('.')]);

describe('applyStrategicMergePatch on Kubernetes objects', () => {
  it('applies the csi-resizer condition patch: deletes Resizing, adds FileSystemResizePending, keeps the RV', () => {
    const pvc = {
      metadata: { name: 'data', resourceVersion: '5' },
      status: {
        phase: 'Bound',
        conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      },
    };
    const patch = JSON.parse(
      '{"metadata":{"resourceVersion":"5"},"status":{"$setElementOrder/conditions":[{"type":"FileSystemResizePending"}],"conditions":[{"$patch":"delete","type":"Resizing"},{"type":"FileSystemResizePending","status":"True"}]}}',
    );
    assert.deepEqual(applyStrategicMergePatch(pvc, patch, k8s), {
      metadata: { name: 'data', resourceVersion: '5' },
      status: { phase: 'Bound', conditions: [{ type: 'FileSystemResizePending', status: 'True' }] },
    });
  });

  it('merges finalizers as a set in patch order, server-only items after, and removes with $deleteFromPrimitiveList', () => {
    const obj = { metadata: { finalizers: ['a', 'b'] } };
    assert.deepEqual(applyStrategicMergePatch(obj, { metadata: { finalizers: ['c', 'a'] } }, k8s), {
      metadata: { finalizers: ['c', 'a', 'b'] },
    });
    assert.deepEqual(
      applyStrategicMergePatch(obj, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, k8s),
      { metadata: { finalizers: ['b'] } },
    );
  });

  it('treats deleting from a primitive list the object lacks as a no-op', () => {
    assert.deepEqual(
      applyStrategicMergePatch(
        { metadata: { name: 'x' } },
        { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
        k8s,
      ),
      { metadata: { name: 'x' } },
    );
  });

  it('merges containers by name, recursing into env (new items first, as upstream orders them), and replaces atomic lists', () => {
    const pod = {
      spec: {
        containers: [
          { name: 'a', image: 'a:1', args: ['x', 'y'], env: [{ name: 'E1', value: '1' }] },
          { name: 'b', image: 'b:1' },
        ],
      },
    };
    const out = applyStrategicMergePatch(
      pod,
      { spec: { containers: [{ name: 'a', image: 'a:2', args: ['z'], env: [{ name: 'E2', value: '2' }] }] } },
      k8s,
    );
    assert.deepEqual(out, {
      spec: {
        containers: [
          {
            name: 'a',
            image: 'a:2',
            args: ['z'],
            env: [
              { name: 'E2', value: '2' },
              { name: 'E1', value: '1' },
            ],
          },
          { name: 'b', image: 'b:1' },
        ],
      },
    });
  });

  it('adds a CSINode driver by name and deletes an ownerReferences entry by uid', () => {
    const node = { spec: { drivers: [{ name: 'd1', nodeID: 'n', topologyKeys: ['zone'] }] } };
    assert.deepEqual(
      applyStrategicMergePatch(node, { spec: { drivers: [{ name: 'd2', nodeID: 'n' }] } }, k8s),
      {
        spec: {
          drivers: [
            { name: 'd2', nodeID: 'n' },
            { name: 'd1', nodeID: 'n', topologyKeys: ['zone'] },
          ],
        },
      },
    );
    const owned = { metadata: { ownerReferences: [{ uid: 'u1', name: 'a', kind: 'K', apiVersion: 'v1' }] } };
    assert.deepEqual(
      applyStrategicMergePatch(
        owned,
        { metadata: { ownerReferences: [{ uid: 'u1', $patch: 'delete' }] } },
        k8s,
      ),
      { metadata: { ownerReferences: [] } },
    );
  });

  it('uses $retainKeys to switch a volume source', () => {
    const pod = { spec: { volumes: [{ name: 'v', emptyDir: {} }] } };
    const out = applyStrategicMergePatch(
      pod,
      { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/x' } }] } },
      k8s,
    );
    assert.deepEqual(out, { spec: { volumes: [{ name: 'v', hostPath: { path: '/x' } }] } });
  });

  it('deletes a key with null and leaves unknown maps merged', () => {
    const obj = { metadata: { labels: { a: '1', b: '2' }, annotations: { x: 'y' } } };
    assert.deepEqual(applyStrategicMergePatch(obj, { metadata: { labels: { a: null, c: '3' } } }, k8s), {
      metadata: { labels: { b: '2', c: '3' }, annotations: { x: 'y' } },
    });
  });

  it('does not store directives or nulls in values that are new', () => {
    const out = applyStrategicMergePatch(
      { metadata: { name: 'x' } },
      {
        status: {
          conditions: [
            { type: 'A', $patch: 'delete' },
            { type: 'B', status: 'True', reason: null },
          ],
        },
      },
      k8s,
    );
    assert.deepEqual(out, {
      metadata: { name: 'x' },
      status: { conditions: [{ type: 'B', status: 'True' }] },
    });
  });

  it('does not modify its inputs', () => {
    const original = { spec: { containers: [{ name: 'a', image: '1' }] } };
    const patch = {
      spec: { containers: [{ name: 'a', image: '2' }], '$setElementOrder/containers': [{ name: 'a' }] },
    };
    const before = structuredClone([original, patch]);
    applyStrategicMergePatch(original, patch, k8s);
    assert.deepEqual([original, patch], before);
  });
});
