// The API server's wire protocol, request by request, as kubectl and client-go programs see it: a real
// server on a random loopback port over the memory backend.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openBackend } from '../storage/index.ts';
import { type RunningApiServer, startApiServer, sweepEvents } from './apiserver.ts';
import { ensurePki } from './tls/index.ts';

const token = 'test-token-123';
const auth = (h: string | undefined): { user: string } | undefined =>
  h === `Bearer ${token}` ? { user: 'admin' } : undefined;

interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

let srv: RunningApiServer;

async function call(
  method: string,
  path: string,
  body?: string | object,
  headers: Record<string, string> = {},
): Promise<Res> {
  const h: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const r = await fetch(srv.url + path, {
    method,
    headers: h,
    ...(payload !== undefined ? { body: payload } : {}),
  });
  const text = await r.text();
  return {
    status: r.status,
    headers: r.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

const pvc = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, labels: { app: 'web' } },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' },
  ...extra,
});

const pvcs = '/api/v1/namespaces/default/persistentvolumeclaims';

describe('API server protocol', () => {
  before(async () => {
    srv = await startApiServer({
      store: 'memory://',
      backend: await openBackend('memory://'),
      authenticate: auth,
      bookmarkIntervalMs: 200,
    });
  });
  after(async () => {
    await srv.close();
  });

  it('refuses requests without a valid token with 401 but serves /version and health openly', async () => {
    const r = await fetch(`${srv.url}/api/v1/namespaces`);
    assert.equal(r.status, 401);
    const s = (await r.json()) as { kind: string; reason: string; code: number };
    assert.deepEqual([s.kind, s.reason, s.code], ['Status', 'Unauthorized', 401]);
    const bad = await fetch(`${srv.url}/api/v1/namespaces`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(bad.status, 401);
    const v = (await (await fetch(`${srv.url}/version`)).json()) as { major: string; minor: string };
    assert.deepEqual([v.major, v.minor], ['1', '32']);
    assert.equal(await (await fetch(`${srv.url}/readyz`)).text(), 'ok');
    const verbose = await (await fetch(`${srv.url}/livez?verbose`)).text();
    assert.match(verbose, /\[\+\]ping ok\nlivez check passed/);
  });

  it('serves aggregated discovery with the exact content type and legacy discovery otherwise', async () => {
    const accept =
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const r = await call('GET', '/api', undefined, { accept });
    assert.equal(
      r.headers.get('content-type'),
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    const items = r.json()['items'] as {
      versions: { resources: { resource: string; shortNames?: string[] }[] }[];
    }[];
    const pvcRes = items[0]!.versions[0]!.resources.find((x) => x.resource === 'persistentvolumeclaims');
    assert.deepEqual(pvcRes?.shortNames, ['pvc']);
    const legacy = (await call('GET', '/api')).json();
    assert.equal(legacy['kind'], 'APIVersions');
    const groups = (await call('GET', '/apis')).json() as { groups: { name: string }[] };
    assert.ok(groups.groups.some((g) => g.name === 'snapshot.storage.k8s.io'));
    const list = (await call('GET', '/apis/storage.k8s.io/v1')).json() as { resources: { name: string }[] };
    assert.ok(list.resources.some((x) => x.name === 'volumeattachments/status'));
  });

  it('creates with uid, creationTimestamp and resourceVersion, and answers AlreadyExists on a second create', async () => {
    const r = await call('POST', pvcs, pvc('one'));
    assert.equal(r.status, 201, r.text);
    const o = r.json() as {
      metadata: { uid: string; resourceVersion: string; creationTimestamp: string; finalizers: string[] };
    };
    assert.match(o.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(o.metadata.resourceVersion, /^\d+$/);
    assert.deepEqual(o.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    const again = await call('POST', pvcs, pvc('one'));
    assert.equal(again.status, 409);
    assert.equal(again.json()['reason'], 'AlreadyExists');
    assert.equal(again.json()['message'], 'persistentvolumeclaims "one" already exists');
  });

  it('generates names from generateName', async () => {
    const r = await call('POST', pvcs, pvc('', { metadata: { generateName: 'gen-' } }));
    assert.equal(r.status, 201, r.text);
    const name = (r.json()['metadata'] as { name: string }).name;
    assert.match(name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('answers 409 Conflict on a stale update and does not bump resourceVersion on a no-op patch', async () => {
    const created = (await call('POST', pvcs, pvc('stale'))).json() as {
      metadata: { resourceVersion: string };
    };
    const rv = created.metadata.resourceVersion;
    const upd = await call('PUT', `${pvcs}/stale`, {
      ...pvc('stale'),
      metadata: { name: 'stale', resourceVersion: rv, labels: { app: 'x' } },
    });
    assert.equal(upd.status, 200, upd.text);
    const stale = await call('PUT', `${pvcs}/stale`, {
      ...pvc('stale'),
      metadata: { name: 'stale', resourceVersion: rv },
    });
    assert.equal(stale.status, 409);
    assert.equal(
      stale.json()['message'],
      'Operation cannot be fulfilled on persistentvolumeclaims "stale": the object has been modified; please apply your changes to the latest version and try again',
    );
    const cur = (await call('GET', `${pvcs}/stale`)).json() as { metadata: { resourceVersion: string } };
    const noop = await call(
      'PATCH',
      `${pvcs}/stale`,
      { metadata: { labels: { app: 'x' } } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    assert.equal(noop.status, 200);
    assert.equal(
      (noop.json()['metadata'] as { resourceVersion: string }).resourceVersion,
      cur.metadata.resourceVersion,
    );
  });

  it('returns 422 Invalid with causes and stores nothing', async () => {
    const bad = pvc('bad');
    (bad['spec'] as Record<string, unknown>)['accessModes'] = [];
    const r = await call('POST', pvcs, bad);
    assert.equal(r.status, 422);
    const s = r.json() as {
      reason: string;
      message: string;
      details: { kind: string; causes: { field: string; reason: string }[] };
    };
    assert.equal(s.reason, 'Invalid');
    assert.equal(s.details.kind, 'PersistentVolumeClaim');
    assert.ok(
      s.details.causes.some((c) => c.field === 'spec.accessModes' && c.reason === 'FieldValueRequired'),
    );
    assert.equal((await call('GET', `${pvcs}/bad`)).status, 404);
  });

  it('rejects malformed bodies, oversized bodies, unknown fields under Strict, unknown resources and wrong verbs', async () => {
    const malformed = await call('POST', pvcs, '{"kind": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json()['reason'], 'BadRequest');
    const yamlBad = await call('POST', pvcs, 'a: [', { 'content-type': 'application/yaml' });
    assert.equal(yamlBad.status, 400);
    const huge = await call(
      'POST',
      pvcs,
      JSON.stringify({ ...pvc('huge'), data: 'x'.repeat(4 * 1024 * 1024) }),
    );
    assert.equal(huge.status, 413);
    assert.equal(huge.json()['reason'], 'RequestEntityTooLarge');
    const strict = await call('POST', `${pvcs}?fieldValidation=Strict`, { ...pvc('strict'), bogus: 1 });
    assert.equal(strict.status, 400);
    assert.match(String(strict.json()['message']), /strict decoding error: unknown field "bogus"/);
    const warn = await call('POST', `${pvcs}?fieldValidation=Warn`, { ...pvc('warned'), bogus: 1 });
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.get('warning'), '299 - "unknown field \\"bogus\\""');
    assert.equal(warn.json()['bogus'], undefined);
    const unknown = await call('GET', '/api/v1/widgets');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json()['message'], 'the server could not find the requested resource');
    const verb = await call('POST', `${pvcs}/one`, pvc('one'));
    assert.equal(verb.status, 405);
    assert.equal(verb.json()['reason'], 'MethodNotAllowed');
    const patchType = await call('PATCH', `${pvcs}/one`, '{}', { 'content-type': 'text/plain' });
    assert.equal(patchType.status, 415);
  });

  it('lists with label and field selectors, limit and continue', async () => {
    for (const n of ['p-a', 'p-b', 'p-c'])
      await call('POST', pvcs, pvc(n, { metadata: { name: n, labels: { page: 'yes' } } }));
    const first = (await call('GET', `${pvcs}?labelSelector=page%3Dyes&limit=2`)).json() as {
      items: { metadata: { name: string } }[];
      metadata: { continue: string };
    };
    assert.deepEqual(
      first.items.map((i) => i.metadata.name),
      ['p-a', 'p-b'],
    );
    const second = (
      await call('GET', `${pvcs}?labelSelector=page%3Dyes&limit=2&continue=${first.metadata.continue}`)
    ).json() as {
      items: { metadata: { name: string } }[];
      metadata: { continue?: string };
    };
    assert.deepEqual(
      second.items.map((i) => i.metadata.name),
      ['p-c'],
    );
    assert.equal(second.metadata.continue, undefined);
    const byName = (await call('GET', `${pvcs}?fieldSelector=metadata.name%3Dp-b`)).json() as {
      items: unknown[];
    };
    assert.equal(byName.items.length, 1);
    const badField = await call('GET', `${pvcs}?fieldSelector=spec.bogus%3Dx`);
    assert.equal(badField.status, 400);
    assert.equal(badField.json()['message'], 'field label not supported: spec.bogus');
  });

  it('serves Table output with upstream columns and row objects', async () => {
    const r = await call('GET', `${pvcs}?limit=500`, undefined, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    const t = r.json() as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[]; object: { kind: string } }[];
    };
    assert.equal(t.kind, 'Table');
    assert.deepEqual(
      t.columnDefinitions.map((c) => c.name),
      [
        'Name',
        'Status',
        'Volume',
        'Capacity',
        'Access Modes',
        'StorageClass',
        'VolumeAttributesClass',
        'Age',
        'VolumeMode',
      ],
    );
    assert.equal(t.rows[0]!.cells.length, 9);
    assert.equal(t.rows[0]!.object.kind, 'PartialObjectMetadata');
  });

  it('streams watch events from a resourceVersion with headers flushed at once, and bookmarks', async () => {
    const list = (await call('GET', pvcs)).json() as { metadata: { resourceVersion: string } };
    const ac = new AbortController();
    const res = await fetch(
      `${srv.url}${pvcs}?watch=true&resourceVersion=${list.metadata.resourceVersion}&allowWatchBookmarks=true`,
      {
        headers: { authorization: `Bearer ${token}` },
        signal: ac.signal,
      },
    );
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await call('POST', pvcs, pvc('watched'));
    await call('DELETE', `${pvcs}/watched`);
    const seen: string[] = [];
    let buf = '';
    while (!seen.includes('BOOKMARK') || !seen.includes('MODIFIED')) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += Buffer.from(value).toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, i)) as { type: string };
        buf = buf.slice(i + 1);
        seen.push(ev.type);
      }
    }
    ac.abort();
    // The claim has a finalizer: DELETE only marks it (MODIFIED), it is not gone.
    assert.deepEqual(seen.filter((t) => t !== 'BOOKMARK').slice(0, 2), ['ADDED', 'MODIFIED']);
    assert.ok(seen.includes('BOOKMARK'));
  });

  it('removes an object when its last finalizer is removed after deletion', async () => {
    await call('POST', pvcs, pvc('fin'));
    const del = await call('DELETE', `${pvcs}/fin`, { propagationPolicy: 'Background' });
    assert.equal(del.status, 200);
    assert.ok((del.json()['metadata'] as { deletionTimestamp?: string }).deletionTimestamp);
    const added = await call(
      'PATCH',
      `${pvcs}/fin`,
      { metadata: { finalizers: ['kubernetes.io/pvc-protection', 'x/y'] } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    assert.equal(added.status, 422, 'no new finalizers while deleting');
    const r = await call(
      'PATCH',
      `${pvcs}/fin`,
      { metadata: { finalizers: null } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.equal(r.status, 200, r.text);
    assert.equal((await call('GET', `${pvcs}/fin`)).status, 404);
  });

  it('answers a watch from a compacted resourceVersion with a 410 Expired ERROR event', async () => {
    for (let i = 0; i < 3; i++)
      await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `c${i}` }, data: {} });
    const rev = Number(
      ((await call('GET', pvcs)).json()['metadata'] as { resourceVersion: string }).resourceVersion,
    );
    await srv.compact(rev - 1);
    const r = await call(
      'GET',
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=5`,
    );
    assert.equal(r.status, 200);
    const ev = JSON.parse(r.text.trim().split('\n')[0]!) as {
      type: string;
      object: { code: number; reason: string };
    };
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.object.code, 410);
    assert.equal(ev.object.reason, 'Expired');
  });

  it('serves the OpenAPI v3 index and a group-version document with the fieldValidation parameter', async () => {
    const idx = (await call('GET', '/openapi/v3')).json() as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    const url = idx.paths['api/v1']!.serverRelativeURL;
    const doc = (await call('GET', url)).json() as {
      paths: Record<string, { patch?: { parameters: { name: string }[] } }>;
    };
    const p = doc.paths['/api/v1/namespaces/{namespace}/persistentvolumeclaims/{name}'];
    assert.ok(p?.patch?.parameters.some((x) => x.name === 'fieldValidation'));
  });

  it('answers hundreds of malformed requests with Status errors and keeps serving', async () => {
    const paths = [
      pvcs,
      `${pvcs}/x`,
      `${pvcs}/x/status`,
      `${pvcs}/x/bogus`,
      '/api/v1/persistentvolumes/x',
      '/apis/storage.k8s.io/v1/storageclasses',
      '/apis/storage.k8s.io/v1/namespaces/default/storageclasses',
      '/apis/nope/v1/things',
      '/api/v1/namespaces/default/pods?watch=true&resourceVersion=abc',
      `${pvcs}?limit=abc`,
      `${pvcs}?labelSelector=a%20in%20(`,
      `${pvcs}?continue=garbage`,
      `${pvcs}?dryRun=Some`,
      `${pvcs}?fieldValidation=Loud`,
    ];
    const bodies = [
      '',
      '{',
      '[]',
      'null',
      '42',
      '{"metadata":[]}',
      '{"kind":"Pod"}',
      '{"apiVersion":"v9"}',
      '\u0000\u0001',
      '- a\n- b',
    ];
    const types = [
      'application/json',
      'application/yaml',
      'application/merge-patch+json',
      'application/json-patch+json',
      'application/strategic-merge-patch+json',
      'application/apply-patch+yaml',
      'application/vnd.kubernetes.protobuf',
      'text/plain',
    ];
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    let seed = 7;
    const pick = <T>(xs: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return xs[seed % xs.length]!;
    };
    for (let i = 0; i < 300; i++) {
      const method = pick(methods);
      const path = pick(paths);
      const r = await call(
        method,
        `${path}${path.includes('?') ? '&' : '?'}timeoutSeconds=1`,
        method === 'GET' ? undefined : pick(bodies),
        {
          'content-type': pick(types),
        },
      );
      if (r.status >= 400) {
        const st = r.json() as { kind: string; code: number; status: string };
        assert.equal(st.kind, 'Status', `${method} ${path}: ${r.text}`);
        assert.equal(st.code, r.status);
        assert.ok(r.status < 500 || r.status === 504, `${method} ${path} answered ${r.status}: ${r.text}`);
      }
    }
    assert.equal(await (await fetch(`${srv.url}/readyz`)).text(), 'ok');
  });

  it('binds a pod to a node once through pods/binding and refuses a second binding', async () => {
    const pods = '/api/v1/namespaces/default/pods';
    const created = await call('POST', pods, {
      metadata: { name: 'bindme' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    assert.equal(created.status, 201, created.text);
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'bindme' },
      target: { kind: 'Node', name: 'node-1' },
    };
    const r = await call('POST', `${pods}/bindme/binding`, binding);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json()['status'], 'Success');
    const pod = (await call('GET', `${pods}/bindme`)).json() as {
      spec: { nodeName: string };
      status: { conditions: { type: string; status: string }[] };
    };
    assert.equal(pod.spec.nodeName, 'node-1');
    assert.ok(pod.status.conditions.some((c) => c.type === 'PodScheduled' && c.status === 'True'));
    const again = await call('POST', `${pods}/bindme/binding`, {
      ...binding,
      target: { kind: 'Node', name: 'node-2' },
    });
    assert.equal(again.status, 409);
    assert.match(String(again.json()['message']), /pod bindme is already assigned to node "node-1"/);
    const put = await call('PUT', `${pods}/bindme`, { ...pod, spec: { ...pod.spec, nodeName: 'node-3' } });
    assert.equal(put.status, 422, 'nodeName cannot change through an update');
  });

  it('expires events older than the event TTL', async () => {
    const ev = (name: string, last: string): Record<string, unknown> => ({
      metadata: { name },
      involvedObject: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'one' },
      reason: 'Test',
      message: 'm',
      type: 'Normal',
      source: { component: 'test' },
      firstTimestamp: last,
      lastTimestamp: last,
      count: 1,
    });
    await call('POST', '/api/v1/namespaces/default/events', ev('old.1', '2020-01-01T00:00:00Z'));
    await call('POST', '/api/v1/namespaces/default/events', ev('new.1', '2099-01-01T00:00:00Z'));
    assert.equal(await sweepEvents(srv.registry, Date.parse('2026-01-01T00:00:00Z')), 1);
    assert.equal((await call('GET', '/api/v1/namespaces/default/events/old.1')).status, 404);
    assert.equal((await call('GET', '/api/v1/namespaces/default/events/new.1')).status, 200);
  });

  it('exposes apiserver_request_total on /metrics', async () => {
    const m = await (await call('GET', '/metrics')).text;
    assert.match(
      m,
      /apiserver_request_total\{verb="POST",dry_run="",group="",version="v1",resource="persistentvolumeclaims"/,
    );
    assert.match(m, /apiserver_request_duration_seconds_bucket/);
  });
});

describe('API server over HTTPS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvol-tls-'));
  let tls: RunningApiServer;
  after(async () => {
    await tls?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves kubectl-style HTTPS with the generated CA and refuses a missing token', async () => {
    const pki = await ensurePki(dir);
    tls = await startApiServer({
      store: 'memory://',
      backend: await openBackend('memory://'),
      tls: { cert: pki.certPem, key: pki.keyPem },
      authenticate: auth,
    });
    assert.match(tls.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const get = (headers: Record<string, string>): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(
          `${tls.url}/api/v1/namespaces/default`,
          { ca: pki.caPem, headers },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    assert.equal(await get({ authorization: `Bearer ${token}` }), 200);
    assert.equal(await get({}), 401);
  });
});
