import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManagedFieldsEntry } from '../../api/index.ts';
import { isApplyBadRequestError, isApplyConflictError, patchErrorToStatusError } from './errors.ts';
import { FieldSet, pathToString } from './fieldset.ts';
import type { JsonObject } from './json.ts';
import {
  fieldsetFromObject,
  goJsonMarshal,
  lastAppliedConfigAnnotation,
  managerOrUserAgent,
  serverSideApply,
  updateManagedFields,
} from './managedfields.ts';
import { type PatchMeta, patchMetaFromFunction } from './meta.ts';

const tags: Record<string, PatchMeta> = {
  'metadata.finalizers': { patchStrategy: 'merge' },
  'metadata.ownerReferences': { patchStrategy: 'merge', patchMergeKey: 'uid' },
  'spec.containers': { patchStrategy: 'merge', patchMergeKey: 'name' },
  'spec.containers.ports': { listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
  'spec.accessModes': { listType: 'atomic' },
  'spec.nodeSelector': { mapType: 'atomic' },
};
const meta = patchMetaFromFunction((path) => tags[path.join('.')]);
const t0 = '2026-01-01T00:00:00Z';
const t1 = '2026-01-01T00:01:00Z';
const t2 = '2026-01-01T00:02:00Z';

function entry(mf: readonly ManagedFieldsEntry[], manager: string, operation = 'Apply'): ManagedFieldsEntry {
  const e = mf.find((m) => m.manager === manager && m.operation === operation);
  assert.ok(e, `no ${operation} entry for ${manager} in ${JSON.stringify(mf)}`);
  return e;
}

describe('field sets', () => {
  it('serialises a set as FieldsV1 with "." for nodes that are members and parents', () => {
    const s = FieldSet.of([
      ['f:spec', 'f:containers', 'k:{"name":"c"}'],
      ['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image'],
      ['f:metadata', 'f:labels', 'f:app'],
    ]);
    assert.equal(
      JSON.stringify(s.toFieldsV1()),
      '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{".":{},"f:image":{}}}}}',
    );
    assert.ok(FieldSet.fromFieldsV1(s.toFieldsV1()).equals(s));
  });

  it('prints paths the way structured-merge-diff does in conflicts', () => {
    assert.equal(pathToString(['f:metadata', 'f:labels', 'f:app']), '.metadata.labels.app');
    assert.equal(
      pathToString(['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image']),
      '.spec.containers[name="c"].image',
    );
    assert.equal(pathToString(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
    assert.equal(
      pathToString(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']),
      '.ports[containerPort=80,protocol="TCP"]',
    );
  });
});

describe('fieldsetFromObject', () => {
  it('owns leaves, keyed list items, set members and atomic lists, never name or resourceVersion', () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', resourceVersion: '3', labels: { app: 'x' }, finalizers: ['f1'] },
      spec: {
        accessModes: ['ReadWriteOnce'],
        containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
        nodeSelector: { zone: 'a' },
      },
    };
    assert.deepEqual(fieldsetFromObject(obj, meta), {
      'f:metadata': { 'f:finalizers': { 'v:"f1"': {} }, 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:accessModes': {},
        'f:containers': {
          'k:{"name":"c"}': {
            '.': {},
            'f:image': {},
            'f:name': {},
            'f:ports': {
              'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
            },
          },
        },
        'f:nodeSelector': {},
      },
    });
  });
});

describe('updateManagedFields', () => {
  const cm = (data: Record<string, string>, labels?: Record<string, string>): JsonObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'default', ...(labels ? { labels } : {}) },
    data,
  });

  it('gives the creator every field it set, new maps included as members', () => {
    const mf = updateManagedFields({
      old: undefined,
      next: cm({ a: '1' }, { app: 'x' }),
      manager: 'kubectl-create',
      operation: 'Update',
      subresource: undefined,
      apiVersion: 'v1',
      now: t0,
      meta,
    });
    assert.deepEqual(mf, [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: t0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:data': { '.': {}, 'f:a': {} },
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        },
      },
    ]);
  });

  it('moves a changed field to the writer and drops an entry left empty', () => {
    const created = cm({ a: '1', b: '2' });
    created.metadata = {
      ...(created.metadata as JsonObject),
      managedFields: updateManagedFields({
        old: undefined,
        next: created,
        manager: 'creator',
        operation: 'Update',
        subresource: undefined,
        apiVersion: 'v1',
        now: t0,
        meta,
      }) as unknown as JsonObject[],
    };
    const edited = cm({ a: '9', b: '2' });
    const mf = updateManagedFields({
      old: created,
      next: edited,
      manager: 'kubectl-edit',
      operation: 'Update',
      subresource: undefined,
      apiVersion: 'v1',
      now: t1,
      meta,
    });
    assert.deepEqual(entry(mf, 'creator', 'Update').fieldsV1, { 'f:data': { '.': {}, 'f:b': {} } });
    assert.deepEqual(entry(mf, 'kubectl-edit', 'Update').fieldsV1, { 'f:data': { 'f:a': {} } });
    assert.equal(entry(mf, 'kubectl-edit', 'Update').time, t1);

    const removedAll = updateManagedFields({
      old: {
        ...edited,
        metadata: { ...(edited.metadata as JsonObject), managedFields: mf as unknown as JsonObject[] },
      },
      next: cm({}),
      manager: 'kubectl-edit',
      operation: 'Update',
      subresource: undefined,
      apiVersion: 'v1',
      now: t2,
      meta,
    });
    assert.deepEqual(
      removedAll.map((e) => e.manager),
      ['creator'],
      'kubectl-edit only removed fields, so it owns nothing and its entry goes',
    );
    assert.deepEqual(removedAll[0]!.fieldsV1, { 'f:data': {} }, 'a member without children is written as {}');
  });

  it('leaves entries and times alone when a write changes nothing', () => {
    const obj = cm({ a: '1' });
    const mf = updateManagedFields({
      old: undefined,
      next: obj,
      manager: 'm',
      operation: 'Update',
      subresource: undefined,
      apiVersion: 'v1',
      now: t0,
      meta,
    });
    const withMf = {
      ...obj,
      metadata: { ...(obj.metadata as JsonObject), managedFields: mf as unknown as JsonObject[] },
    };
    const again = updateManagedFields({
      old: withMf,
      next: withMf,
      manager: 'other',
      operation: 'Update',
      subresource: undefined,
      apiVersion: 'v1',
      now: t2,
      meta,
    });
    assert.deepEqual(again, mf);
  });

  it('keys entries by subresource and takes managedFields from the old object for subresource writes', () => {
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'p' },
      status: { phase: 'Pending' },
    };
    const mf = updateManagedFields({
      old: pvc,
      next: { ...pvc, status: { phase: 'Bound' } },
      manager: 'kube-controller-manager',
      operation: 'Update',
      subresource: 'status',
      apiVersion: 'v1',
      now: t1,
      meta,
    });
    assert.deepEqual(mf, [
      {
        manager: 'kube-controller-manager',
        operation: 'Update',
        apiVersion: 'v1',
        time: t1,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': { 'f:phase': {} } },
        subresource: 'status',
      },
    ]);
  });

  it('folds the oldest of more than ten updaters into ancient-changes', () => {
    let obj: JsonObject = cm({});
    for (let i = 0; i < 12; i++) {
      const next = cm({ ...((obj['data'] as Record<string, string>) ?? {}), [`k${i}`]: 'v' });
      next.metadata = {
        ...(next.metadata as JsonObject),
        managedFields: (obj.metadata as JsonObject)['managedFields'] ?? null,
      };
      if (next.metadata['managedFields'] === null) delete next.metadata['managedFields'];
      const mf = updateManagedFields({
        old: obj,
        next,
        manager: `m${i}`,
        operation: 'Update',
        subresource: undefined,
        apiVersion: 'v1',
        now: Date.parse(t0) + i * 60_000,
        meta,
      });
      obj = {
        ...next,
        metadata: { ...(next.metadata as JsonObject), managedFields: mf as unknown as JsonObject[] },
      };
    }
    const mf = (obj.metadata as JsonObject)['managedFields'] as unknown as ManagedFieldsEntry[];
    assert.equal(mf.length, 10);
    const ancient = entry(mf, 'ancient-changes', 'Update');
    assert.deepEqual(ancient.fieldsV1, { 'f:data': { 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
  });
});

describe('managerOrUserAgent', () => {
  it('uses the fieldManager, else the user agent before the first slash', () => {
    assert.equal(managerOrUserAgent('kubectl-edit', 'kubectl/v1.32.4 (linux/amd64)'), 'kubectl-edit');
    assert.equal(
      managerOrUserAgent(undefined, 'csi-attacher/v4.8.0 (linux/amd64) kubernetes/$Format'),
      'csi-attacher',
    );
    assert.equal(managerOrUserAgent('', undefined), '');
  });
});

function pvc(labels: Record<string, string>, extra: JsonObject = {}): JsonObject {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', labels }, ...extra };
}

function apply(live: unknown, applied: JsonObject, manager: string, force = false, now = t1) {
  return serverSideApply({ live, applied, manager, force, meta, now, apiVersion: 'v1' });
}

describe('serverSideApply', () => {
  it('creates the object from the configuration and records one Apply entry', () => {
    const r = apply(
      undefined,
      pvc({ app: 'a' }, { spec: { accessModes: ['ReadWriteOnce'] } }),
      'kubectl',
      false,
      t0,
    );
    assert.equal(r.changed, true);
    assert.deepEqual(r.managedFields, [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        time: t0,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:accessModes': {} } },
      },
    ]);
    assert.deepEqual((r.object['metadata'] as JsonObject)['managedFields'], r.managedFields);
    assert.deepEqual((r.object['spec'] as JsonObject)['accessModes'], ['ReadWriteOnce']);
  });

  const byClientSideApply = (): JsonObject => {
    const obj = pvc({ app: 'a' });
    const mf = updateManagedFields({
      old: undefined,
      next: obj,
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      subresource: undefined,
      apiVersion: 'v1',
      now: t0,
      meta,
    });
    (obj['metadata'] as JsonObject)['managedFields'] = mf as unknown as JsonObject[];
    return obj;
  };

  it('refuses to change a field another manager owns, with upstream message and causes', () => {
    assert.throws(
      () => apply(byClientSideApply(), pvc({ app: 'b' }), 'kubectl'),
      (err: unknown) => {
        assert.ok(isApplyConflictError(err));
        assert.equal(
          err.message,
          'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .metadata.labels.app',
        );
        const st = patchErrorToStatusError(err)!.status;
        assert.equal(st.code, 409);
        assert.equal(st.reason, 'Conflict');
        assert.deepEqual(st.details, {
          causes: [
            {
              reason: 'FieldManagerConflict',
              message: 'conflict with "kubectl-client-side-apply" using v1',
              field: '.metadata.labels.app',
            },
          ],
        });
        return true;
      },
    );
  });

  it('shares ownership when the applied value equals the live one', () => {
    const r = apply(byClientSideApply(), pvc({ app: 'a' }), 'kubectl');
    assert.equal(r.changed, false);
    assert.deepEqual(entry(r.managedFields, 'kubectl').fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
    });
    assert.deepEqual(entry(r.managedFields, 'kubectl-client-side-apply', 'Update').fieldsV1, {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    });
  });

  it('takes the field over when forced', () => {
    const r = apply(byClientSideApply(), pvc({ app: 'b' }), 'kubectl', true);
    assert.deepEqual((r.object['metadata'] as JsonObject)['labels'], { app: 'b' });
    assert.deepEqual(entry(r.managedFields, 'kubectl').fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
    });
    assert.deepEqual(entry(r.managedFields, 'kubectl-client-side-apply', 'Update').fieldsV1, {
      'f:metadata': { 'f:labels': {} },
    });
  });

  it('lists several conflicts grouped by manager', () => {
    const obj = pvc({ a: '1', b: '1' });
    const mf = updateManagedFields({
      old: undefined,
      next: obj,
      manager: 'm1',
      operation: 'Update',
      subresource: undefined,
      apiVersion: 'v1',
      now: t0,
      meta,
    });
    (obj['metadata'] as JsonObject)['managedFields'] = mf as unknown as JsonObject[];
    assert.throws(
      () => apply(obj, pvc({ a: '2', b: '2' }), 'kubectl'),
      (err: unknown) => {
        assert.ok(isApplyConflictError(err));
        assert.equal(
          err.message,
          'Apply failed with 2 conflicts: conflicts with "m1" using v1:\n- .metadata.labels.a\n- .metadata.labels.b',
        );
        return true;
      },
    );
  });

  it('removes fields the manager stops applying unless another manager owns them', () => {
    const first = apply(undefined, pvc({ a: '1', b: '1', c: '1' }), 'kubectl', false, t0).object;
    const shared = apply(first, pvc({ c: '1' }), 'other', false, t1).object;
    const r = apply(shared, pvc({ a: '1' }), 'kubectl', false, t2);
    assert.deepEqual((r.object['metadata'] as JsonObject)['labels'], { a: '1', c: '1' });
    assert.deepEqual(entry(r.managedFields, 'kubectl').fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:a': {} } },
    });
  });

  it('merges keyed lists item by item and prunes the items it no longer applies', () => {
    const pod = (containers: JsonObject[]): JsonObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers },
    });
    const one = apply(
      undefined,
      pod([
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
      ]),
      'kubectl',
      false,
      t0,
    );
    const sidecar = apply(
      one.object,
      pod([
        { name: 'b', image: 'b:1' },
        { name: 's', image: 's:1' },
      ]),
      'injector',
      false,
      t1,
    );
    assert.deepEqual(
      ((sidecar.object['spec'] as JsonObject)['containers'] as JsonObject[]).map((c) => c['name']),
      ['a', 'b', 's'],
    );
    const r = apply(sidecar.object, pod([{ name: 'a', image: 'a:2' }]), 'kubectl', false, t2);
    assert.deepEqual((r.object['spec'] as JsonObject)['containers'], [
      { name: 'a', image: 'a:2' },
      { name: 'b', image: 'b:1' },
      { name: 's', image: 's:1' },
    ]);
    assert.throws(
      () =>
        apply(
          r.object,
          pod([
            { name: 'a', image: 'a:2' },
            { name: 'b', image: 'b:2' },
          ]),
          'kubectl',
          false,
          t2,
        ),
      (err: unknown) =>
        isApplyConflictError(err) && err.conflicts[0]!.field === '.spec.containers[name="b"].image',
    );
  });

  it('orders merged keyed lists as structured-merge-diff does: shared items in config order, live-only items in place', () => {
    const pod = (names: string[]): JsonObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: names.map((name) => ({ name, image: 'i' })) },
    });
    const r = apply(pod(['a', 'b', 'x']), pod(['b', 'a']), 'kubectl');
    assert.deepEqual(
      ((r.object['spec'] as JsonObject)['containers'] as JsonObject[]).map((c) => c['name']),
      ['b', 'x', 'a'],
    );
    const added = apply(pod(['a', 'b']), pod(['c', 'b']), 'kubectl');
    assert.deepEqual(
      ((added.object['spec'] as JsonObject)['containers'] as JsonObject[]).map((c) => c['name']),
      ['a', 'c', 'b'],
    );
  });

  it('unions set lists such as finalizers, each manager owning its values', () => {
    const obj = (finalizers: string[]): JsonObject => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', finalizers },
    });
    const a = apply(undefined, obj(['x']), 'm1', false, t0);
    const b = apply(a.object, obj(['y']), 'm2', false, t1);
    assert.deepEqual((b.object['metadata'] as JsonObject)['finalizers'], ['x', 'y']);
    assert.deepEqual(entry(b.managedFields, 'm2').fieldsV1, {
      'f:metadata': { 'f:finalizers': { 'v:"y"': {} } },
    });
  });

  it('keeps the previous time when an apply changes nothing', () => {
    const first = apply(undefined, pvc({ a: '1' }), 'kubectl', false, t0);
    const again = apply(first.object, pvc({ a: '1' }), 'kubectl', false, t2);
    assert.equal(again.changed, false);
    assert.deepEqual(again.managedFields, first.managedFields);
  });

  it('gives what an object had before its first apply to before-first-apply', () => {
    assert.throws(
      () => apply(pvc({ app: 'a' }), pvc({ app: 'b' }), 'kubectl'),
      (err: unknown) =>
        isApplyConflictError(err) &&
        err.message.includes('conflict with "before-first-apply" using v1: .metadata.labels.app'),
    );
  });

  it('does not own fields the endpoint resets', () => {
    const r = serverSideApply({
      live: undefined,
      applied: pvc({ a: '1' }, { status: { phase: 'Bound' } }),
      manager: 'kubectl',
      force: false,
      meta,
      now: t0,
      ignoredFields: [['status']],
    });
    assert.deepEqual(entry(r.managedFields, 'kubectl').fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:a': {} } },
    });
  });

  it('rejects managedFields in the body and a foreign apiVersion with 400', () => {
    const withMf = pvc({});
    (withMf['metadata'] as JsonObject)['managedFields'] = [];
    assert.throws(
      () => apply(undefined, withMf, 'kubectl'),
      (err: unknown) => {
        assert.ok(isApplyBadRequestError(err));
        assert.equal(err.message, 'metadata.managedFields must be nil');
        assert.equal(patchErrorToStatusError(err)!.status.code, 400);
        return true;
      },
    );
    assert.throws(
      () => apply(undefined, { ...pvc({}), apiVersion: 'v2' }, 'kubectl'),
      /Incorrect version specified in apply patch. Specified patch version: v2, expected: v1/,
    );
  });

  describe('after a client-side apply', () => {
    const clientSideApplied = (liveApp: string): JsonObject => {
      const last = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { labels: { app: 'a' }, name: 'data' },
      };
      const obj = pvc({ app: liveApp });
      (obj['metadata'] as JsonObject)['annotations'] = {
        [lastAppliedConfigAnnotation]: `${JSON.stringify(last)}\n`,
      };
      const mf = updateManagedFields({
        old: undefined,
        next: obj,
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        subresource: undefined,
        apiVersion: 'v1',
        now: t0,
        meta,
      });
      (obj['metadata'] as JsonObject)['managedFields'] = mf as unknown as JsonObject[];
      return obj;
    };

    it('lets kubectl take fields whose last-applied value is still live, and rewrites the annotation', () => {
      const r = apply(clientSideApplied('a'), pvc({ app: 'b' }), 'kubectl');
      const m = r.object['metadata'] as JsonObject;
      assert.deepEqual(m['labels'], { app: 'b' });
      assert.equal(
        (m['annotations'] as JsonObject)[lastAppliedConfigAnnotation],
        '{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"labels":{"app":"b"},"name":"data"}}\n',
      );
      assert.deepEqual(entry(r.managedFields, 'kubectl').fieldsV1, {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
      });
    });

    it('still reports a conflict when the live value drifted from the last-applied one', () => {
      assert.throws(() => apply(clientSideApplied('c'), pvc({ app: 'b' }), 'kubectl'), isApplyConflictError);
    });

    it('does not extend the upgrade to other managers', () => {
      assert.throws(() => apply(clientSideApplied('a'), pvc({ app: 'b' }), 'helm'), isApplyConflictError);
    });
  });

  it('encodes JSON like Go: sorted keys, escaped HTML characters', () => {
    assert.equal(
      goJsonMarshal({ b: [1, 'x<y'], a: { d: true, c: null } }),
      '{"a":{"c":null,"d":true},"b":[1,"x\\u003cy"]}',
    );
  });
});
