import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allResources } from '../resources.ts';
import {
  allSchemas,
  kindSchema,
  openapiDocument,
  openapiIndex,
  patchMetaAt,
  resolve,
  type SchemaNode,
  schemaAt,
  schemaByRef,
  strictDecodingMessage,
  unknownFields,
} from './index.ts';

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refsIn(n, out);
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('component schemas', () => {
  it('give every served resource and its list a kind schema tagged with its group, version and kind', () => {
    for (const r of allResources) {
      for (const kind of [r.kind, r.listKind]) {
        const s = kindSchema(r.apiVersion, kind);
        assert.ok(s, `${r.apiVersion} ${kind} has a schema`);
        assert.deepEqual(s['x-kubernetes-group-version-kind'], [
          { group: r.group, kind, version: r.version },
        ]);
      }
    }
  });

  it('resolve every $ref to a published schema', () => {
    const dangling = refsIn(allSchemas).filter((ref) => schemaByRef(ref) === undefined);
    assert.deepEqual(dangling, []);
  });

  it('describe every property', () => {
    const bare: string[] = [];
    for (const [name, s] of Object.entries(allSchemas)) {
      for (const [field, f] of Object.entries(s.properties ?? {})) {
        if (!f.description) bare.push(`${name}.${field}`);
      }
    }
    assert.deepEqual(bare, []);
  });

  it('resolve an allOf-wrapped reference to the referenced schema', () => {
    const spec = kindSchema('v1', 'PersistentVolumeClaim')?.properties?.spec;
    assert.ok(spec);
    assert.equal(resolve(spec), allSchemas['io.k8s.api.core.v1.PersistentVolumeClaimSpec']);
    assert.equal(schemaAt('v1', 'PersistentVolumeClaim', ['spec', 'resources', 'requests'])?.type, 'object');
  });

  it('publish Quantity as a string and times as date-time strings', () => {
    assert.equal(allSchemas['io.k8s.apimachinery.pkg.api.resource.Quantity']?.type, 'string');
    assert.equal(allSchemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time']?.format, 'date-time');
  });
});

describe('unknownFields', () => {
  it('reports unknown fields at the top level, in nested objects and in list items', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labelz: { a: 'b' } },
      spec: {
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'y', foo: 1, securityContext: { privileged: true, bar: true } },
        ],
        volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c', nope: 1 } }],
      },
      extra: true,
    };
    assert.deepEqual(unknownFields('v1', 'Pod', pod), [
      'metadata.labelz',
      'spec.containers[1].foo',
      'spec.containers[1].securityContext.bar',
      'spec.volumes[0].persistentVolumeClaim.nope',
      'extra',
    ]);
  });

  it('treats map keys (labels, data, resource quantities) as free-form', () => {
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'c', labels: { anything: 'goes' }, annotations: { 'a/b': 'c' } },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi', 'example.com/x': '1' } },
      },
    };
    assert.deepEqual(unknownFields('v1', 'PersistentVolumeClaim', pvc), []);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { 'key.txt': 'v' } };
    assert.deepEqual(unknownFields('v1', 'ConfigMap', cm), []);
  });

  it('checks the inline schemas of snapshot kinds', () => {
    const vs = {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: { name: 's' },
      spec: { source: { persistentVolumeClaimName: 'c', pvc: 'c' }, foo: 1 },
    };
    assert.deepEqual(unknownFields('snapshot.storage.k8s.io/v1', 'VolumeSnapshot', vs), [
      'spec.source.pvc',
      'spec.foo',
    ]);
  });

  it('formats the strict decoding message as the apiserver does', () => {
    assert.equal(
      strictDecodingMessage('v1', 'PersistentVolumeClaim', ['spec.foo', 'spec.bar']),
      'PersistentVolumeClaim in version "v1" cannot be handled as a PersistentVolumeClaim: strict decoding error: unknown field "spec.foo", unknown field "spec.bar"',
    );
    assert.equal(
      strictDecodingMessage('storage.k8s.io/v1', 'StorageClass', ['foo']),
      'StorageClass in version "v1" cannot be handled as a StorageClass: strict decoding error: unknown field "foo"',
    );
  });
});

describe('patchMetaAt', () => {
  it('gives pod containers and volumes their merge key', () => {
    assert.equal(patchMetaAt('v1', 'Pod', ['spec', 'containers'])?.patchMergeKey, 'name');
    assert.deepEqual(patchMetaAt('v1', 'Pod', ['spec', 'volumes']), {
      patchStrategy: 'merge,retainKeys',
      patchMergeKey: 'name',
    });
    assert.deepEqual(patchMetaAt('v1', 'Pod', ['spec', 'containers', 'items', 'volumeMounts']), {
      patchStrategy: 'merge',
      patchMergeKey: 'mountPath',
    });
    assert.equal(patchMetaAt('v1', 'Pod', ['spec', 'tolerations'])?.listType, 'atomic');
  });

  it('gives metadata.finalizers the merge strategy of a set', () => {
    assert.deepEqual(patchMetaAt('v1', 'PersistentVolumeClaim', ['metadata', 'finalizers']), {
      patchStrategy: 'merge',
      listType: 'set',
    });
  });

  it('keys claim conditions by type and CSINode drivers by name', () => {
    const cond = patchMetaAt('v1', 'PersistentVolumeClaim', ['status', 'conditions']);
    assert.equal(cond?.patchMergeKey, 'type');
    assert.equal(cond?.patchStrategy, 'merge');
    assert.equal(patchMetaAt('storage.k8s.io/v1', 'CSINode', ['spec', 'drivers'])?.patchMergeKey, 'name');
    assert.equal(patchMetaAt('v1', 'PersistentVolumeClaim', ['spec', 'accessModes'])?.listType, 'atomic');
  });

  it('reports atomic structs and answers undefined off the schema', () => {
    assert.equal(patchMetaAt('v1', 'PersistentVolumeClaim', ['spec', 'selector'])?.mapType, 'atomic');
    assert.equal(patchMetaAt('v1', 'PersistentVolumeClaim', ['spec', 'nope']), undefined);
    assert.equal(patchMetaAt('v1', 'NoSuchKind', []), undefined);
  });
});

describe('openapi documents', () => {
  interface Doc {
    openapi: string;
    paths: Record<
      string,
      Record<string, { parameters?: { name: string }[]; 'x-kubernetes-action'?: string }>
    >;
    components: { schemas: Record<string, SchemaNode> };
  }
  const doc = (gv: string): Doc => {
    const d = openapiDocument(gv);
    assert.ok(d, `${gv} is served`);
    return JSON.parse(d.json) as Doc;
  };

  it('index every served group-version by a hash that matches its document', () => {
    const index = openapiIndex() as { paths: Record<string, { serverRelativeURL: string }> };
    const gvs = Object.keys(index.paths).sort();
    assert.deepEqual(gvs, [
      'api/v1',
      'apis/coordination.k8s.io/v1',
      'apis/snapshot.storage.k8s.io/v1',
      'apis/storage.k8s.io/v1',
      'apis/storage.k8s.io/v1beta1',
    ]);
    for (const gv of gvs) {
      const d = openapiDocument(gv);
      assert.equal(index.paths[gv]?.serverRelativeURL, `/openapi/v3/${gv}?hash=${d?.hash}`);
      assert.match(d?.hash ?? '', /^[0-9A-F]{128}$/);
    }
    assert.equal(openapiDocument('apis/apps/v1'), undefined);
  });

  it('declare fieldValidation on the PVC patch operation, tagged with its kind', () => {
    const d = doc('api/v1');
    const patch = d.paths['/api/v1/namespaces/{namespace}/persistentvolumeclaims/{name}']?.patch as
      | Record<string, unknown>
      | undefined;
    assert.ok(patch);
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], {
      group: '',
      kind: 'PersistentVolumeClaim',
      version: 'v1',
    });
    const names = (patch.parameters as { name: string }[]).map((p) => p.name);
    for (const n of ['fieldValidation', 'fieldManager', 'dryRun', 'force']) assert.ok(names.includes(n), n);
  });

  it('give every resource collection, item and status paths with write parameters', () => {
    for (const r of allResources) {
      const gv = r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
      const d = doc(gv);
      const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
      const coll = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
      const item = d.paths[`${coll}/{name}`];
      assert.ok(d.paths[coll]?.post, `${coll} post`);
      assert.ok(item?.put && item.patch && item.get && item.delete, `${coll}/{name}`);
      assert.ok(item.put.parameters?.some((p) => p.name === 'fieldValidation'));
      assert.ok(d.paths[coll]?.post?.parameters?.some((p) => p.name === 'fieldValidation'));
      assert.equal(
        Boolean(d.paths[`${coll}/{name}/status`]?.patch),
        r.subresources.includes('status'),
        r.plural,
      );
    }
  });

  it('carry exactly the schemas their references reach, all resolvable', () => {
    for (const gv of Object.keys((openapiIndex() as { paths: object }).paths)) {
      const d = doc(gv);
      for (const ref of refsIn(d)) {
        const name = ref.replace('#/components/schemas/', '');
        assert.ok(d.components.schemas[name], `${gv}: ${name}`);
      }
    }
    const core = doc('api/v1');
    assert.ok(core.components.schemas['io.k8s.api.core.v1.PersistentVolumeClaimSpec']);
    assert.equal(core.components.schemas['io.k8s.api.storage.v1.StorageClass'], undefined);
  });

  it('are built once', () => {
    assert.equal(openapiDocument('api/v1'), openapiDocument('api/v1'));
  });
});
