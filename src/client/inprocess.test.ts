import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isAlreadyExists,
  isBadRequest,
  isConflict,
  isGone,
  isNotFound,
  type KubeObject,
  newInternalError,
  type ObjectStore,
  type RequestContext,
  Resources,
  type Scope,
} from '../api/index.ts';
import { FakeClock } from '../component/index.ts';
import type { ClientWatchEvent } from './client.ts';
import { InProcessClient } from './inprocess.ts';
import { FakeObjectStore } from './testing/index.ts';

const pvc = (name: string, ns = 'default', labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: labels === undefined ? { name, namespace: ns } : { name, namespace: ns, labels },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});

const pv = (name: string, finalizers?: string[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: finalizers === undefined ? { name } : { name, finalizers },
  spec: { capacity: { storage: '1Gi' } },
});

const nameOf = (ev: ClientWatchEvent): string => (ev.type === 'ERROR' ? '' : (ev.object.metadata.name ?? ''));

function setup(): { store: FakeObjectStore; client: InProcessClient; clock: FakeClock } {
  const clock = new FakeClock();
  const store = new FakeObjectStore({ clock });
  return { store, clock, client: new InProcessClient(store, { user: 'system:kvol-controller' }) };
}

describe('InProcessClient', () => {
  it('creates and gets an object with server-set metadata', async () => {
    const { client } = setup();
    const pvcs = client.resource(Resources.persistentvolumeclaims, 'default');
    const created = await pvcs.create(pvc('a'));
    assert.equal(created.metadata.namespace, 'default');
    assert.ok(created.metadata.uid);
    assert.equal(created.metadata.creationTimestamp, '2026-01-01T00:00:00Z');
    const got = await pvcs.get('a');
    assert.equal(got.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  it('copies objects in and out so callers cannot change server state', async () => {
    // A store that keeps and returns the very objects it is given, as a careless apiserver might.
    const { store } = setup();
    let kept: KubeObject | undefined;
    const leaky: ObjectStore = Object.create(store) as ObjectStore;
    leaky.create = async (_ctx, _scope, obj) => {
      kept = obj;
      return obj;
    };
    leaky.get = async () => kept!;
    const pvcs = new InProcessClient(leaky).resource(Resources.persistentvolumeclaims, 'default');
    const input = pvc('a');
    const created = await pvcs.create(input);
    (input.spec as Record<string, unknown>)['volumeName'] = 'changed-after-create';
    (created.spec as Record<string, unknown>)['volumeName'] = 'changed-result';
    const got = await pvcs.get('a');
    got.metadata.name = 'mutated';
    assert.equal((kept!.spec as Record<string, unknown>)['volumeName'], undefined);
    assert.equal(kept!.metadata.name, 'a');
  });

  it('runs requests as the configured user with the default field manager', async () => {
    const seen: { user: string | undefined; fieldManager: string | undefined }[] = [];
    const { store } = setup();
    const spy: ObjectStore = Object.create(store) as ObjectStore;
    spy.create = async (ctx: RequestContext, scope: Scope, obj: KubeObject, opts) => {
      seen.push({ user: ctx.user, fieldManager: opts?.fieldManager });
      return store.create(ctx, scope, obj, opts);
    };
    const client = new InProcessClient(spy, { user: 'alice' });
    await client.resource(Resources.persistentvolumes).create(pv('p'));
    await client.resource(Resources.persistentvolumes).create(pv('q'), { fieldManager: 'mine' });
    assert.deepEqual(seen, [
      { user: 'alice', fieldManager: 'kvol-controller' },
      { user: 'alice', fieldManager: 'mine' },
    ]);
  });

  it('hands the store warnings to the warning handler', async () => {
    const { store } = setup();
    const warned: string[] = [];
    const spy: ObjectStore = Object.create(store) as ObjectStore;
    spy.get = async (ctx: RequestContext, scope: Scope, name: string) => {
      ctx.warnings.push('v1 thing is deprecated');
      return store.get(ctx, scope, name);
    };
    store.seed(Resources.persistentvolumes, pv('p'));
    const client = new InProcessClient(spy, { onWarning: (w) => warned.push(w) });
    await client.resource(Resources.persistentvolumes).get('p');
    assert.deepEqual(warned, ['v1 thing is deprecated']);
  });

  it('rejects a create of an existing name with AlreadyExists and a stale update with Conflict', async () => {
    const { client } = setup();
    const pvcs = client.resource(Resources.persistentvolumeclaims, 'default');
    const a = await pvcs.create(pvc('a'));
    await assert.rejects(pvcs.create(pvc('a')), isAlreadyExists);
    const newer = await pvcs.update({ ...a, metadata: { ...a.metadata, labels: { x: 'y' } } });
    assert.notEqual(newer.metadata.resourceVersion, a.metadata.resourceVersion);
    await assert.rejects(
      pvcs.update({ ...a, metadata: { ...a.metadata, labels: { x: 'z' } } }),
      (err: unknown) =>
        isConflict(err) &&
        (err as Error).message ===
          'Operation cannot be fulfilled on persistentvolumeclaims "a": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('keeps status on update and changes only status on updateStatus', async () => {
    const { client } = setup();
    const pvcs = client.resource(Resources.persistentvolumeclaims, 'default');
    const a = await pvcs.create(pvc('a'));
    const withStatus = await pvcs.updateStatus({
      ...a,
      status: { phase: 'Bound' },
      spec: { volumeName: 'x' },
    });
    assert.deepEqual(withStatus['status'], { phase: 'Bound' });
    assert.deepEqual(withStatus['spec'], a['spec'], 'updateStatus ignores spec');
    const updated = await pvcs.update({ ...withStatus, status: { phase: 'Lost' } });
    assert.deepEqual(updated['status'], { phase: 'Bound' }, 'update ignores status');
  });

  it('patches with merge, strategic merge and JSON patches, and the status subresource', async () => {
    const { client } = setup();
    const pvcs = client.resource(Resources.persistentvolumeclaims, 'default');
    await pvcs.create(pvc('a'));
    const merged = await pvcs.patch('a', 'application/merge-patch+json', {
      metadata: { labels: { a: '1' } },
    });
    assert.deepEqual(merged.metadata.labels, { a: '1' });
    const smp = await pvcs.patch(
      'a',
      'application/strategic-merge-patch+json',
      '{"metadata":{"labels":{"b":"2"}}}',
    );
    assert.deepEqual(smp.metadata.labels, { a: '1', b: '2' });
    const jp = await pvcs.patch('a', 'application/json-patch+json', [
      { op: 'remove', path: '/metadata/labels/a' },
    ]);
    assert.deepEqual(jp.metadata.labels, { b: '2' });
    const st = await pvcs.patch(
      'a',
      'application/merge-patch+json',
      { status: { phase: 'Bound' } },
      {
        subresource: 'status',
      },
    );
    assert.deepEqual(st['status'], { phase: 'Bound' });
    await assert.rejects(pvcs.patch('missing', 'application/merge-patch+json', {}), isNotFound);
  });

  it('creates on an apply patch of a missing object', async () => {
    const { client } = setup();
    const cms = client.resource(Resources.configmaps, 'default');
    const applied = await cms.patch(
      'cm',
      'application/apply-patch+yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: v\n',
    );
    assert.deepEqual(applied['data'], { k: 'v' });
    assert.equal((await cms.get('cm')).metadata.name, 'cm');
  });

  it('holds a deletion while finalizers remain and completes it when they are removed', async () => {
    const { client, clock } = setup();
    const pvs = client.resource(Resources.persistentvolumes);
    await pvs.create(pv('p', ['kubernetes.io/pv-protection']));
    clock.step(5000);
    const r = await pvs.delete('p');
    assert.equal(r.deleted, false);
    assert.equal(r.object.metadata.deletionTimestamp, '2026-01-01T00:00:05Z');
    const held = await pvs.get('p');
    const done = await pvs.update({ ...held, metadata: { ...held.metadata, finalizers: [] } });
    assert.equal(done.metadata.name, 'p');
    await assert.rejects(pvs.get('p'), isNotFound);
    await assert.rejects(pvs.delete('p'), isNotFound);
  });

  it('deletes at once without finalizers and checks preconditions', async () => {
    const { client } = setup();
    const pvs = client.resource(Resources.persistentvolumes);
    const p = await pvs.create(pv('p'));
    await assert.rejects(pvs.delete('p', { preconditions: { uid: 'other' } }), isConflict);
    const r = await pvs.delete('p', { preconditions: { uid: p.metadata.uid! } });
    assert.equal(r.deleted, true);
  });

  it('uses the object namespace for writes through an all-namespaces client and refuses named calls', async () => {
    const { client } = setup();
    const all = client.resource(Resources.persistentvolumeclaims);
    const created = await all.create(pvc('a', 'ns1'));
    assert.equal(created.metadata.namespace, 'ns1');
    await assert.rejects(all.get('a'), isBadRequest);
    await all.create(pvc('b', 'ns2'));
    const list = await all.list();
    assert.deepEqual(
      list.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`),
      ['ns1/a', 'ns2/b'],
    );
    const one = await client.resource(Resources.persistentvolumeclaims, 'ns2').list();
    assert.deepEqual(
      one.items.map((i) => i.metadata.name),
      ['b'],
    );
  });

  it('filters lists by label and field selectors and pages with limit and continue', async () => {
    const { client, store } = setup();
    for (const n of ['a', 'b', 'c', 'd']) {
      store.seed(
        Resources.persistentvolumeclaims,
        pvc(n, 'default', { tier: n === 'a' ? 'gold' : 'silver' }),
      );
    }
    const pvcs = client.resource(Resources.persistentvolumeclaims, 'default');
    const gold = await pvcs.list({ labelSelector: 'tier=gold' });
    assert.deepEqual(
      gold.items.map((i) => i.metadata.name),
      ['a'],
    );
    const notIn = await pvcs.list({ labelSelector: 'tier notin (gold)' });
    assert.equal(notIn.items.length, 3);
    const byName = await pvcs.list({ fieldSelector: 'metadata.name=c' });
    assert.deepEqual(
      byName.items.map((i) => i.metadata.name),
      ['c'],
    );
    const page1 = await pvcs.list({ limit: 3 });
    assert.equal(page1.items.length, 3);
    assert.ok(page1.metadata.continue);
    const page2 = await pvcs.list({ limit: 3, continue: page1.metadata.continue! });
    assert.deepEqual(
      page2.items.map((i) => i.metadata.name),
      ['d'],
    );
    assert.equal(page2.metadata.continue, undefined);
  });

  it('watches from a resourceVersion, replaying history, and ends when the signal aborts', async () => {
    const { client } = setup();
    const pvs = client.resource(Resources.persistentvolumes);
    const a = await pvs.create(pv('a'));
    await pvs.create(pv('b'));
    const events: ClientWatchEvent[] = [];
    const ac = new AbortController();
    const done = pvs.watch(
      { resourceVersion: a.metadata.resourceVersion! },
      (ev) => events.push(ev),
      ac.signal,
    );
    await pvs.delete('a');
    ac.abort();
    await done;
    assert.deepEqual(
      events.map((e) => `${e.type} ${nameOf(e)}`),
      ['ADDED b', 'DELETED a'],
    );
  });

  it('rejects a watch from a compacted resourceVersion with 410 Expired', async () => {
    const { client, store } = setup();
    const pvs = client.resource(Resources.persistentvolumes);
    const a = await pvs.create(pv('a'));
    await pvs.create(pv('b'));
    store.compact();
    await assert.rejects(
      pvs.watch({ resourceVersion: a.metadata.resourceVersion! }, () => {}, new AbortController().signal),
      (err: unknown) => isGone(err) && /^too old resource version: \d+ \(\d+\)$/.test((err as Error).message),
    );
  });

  it('passes injected failures through and records the calls', async () => {
    const { client, store } = setup();
    store.failNext('get', 'persistentvolumes', newInternalError('disk on fire'));
    await assert.rejects(
      client.resource(Resources.persistentvolumes).get('p'),
      (err: unknown) => (err as Error).message === 'Internal error occurred: disk on fire',
    );
    await assert.rejects(client.resource(Resources.persistentvolumes).get('p'), isNotFound);
    assert.deepEqual(
      store.calls.map((c) => `${c.verb} ${c.resource} ${c.name} ${c.user}`),
      ['get persistentvolumes p system:kvol-controller', 'get persistentvolumes p system:kvol-controller'],
    );
  });

  it('rejects a call whose signal is already aborted', async () => {
    const { client } = setup();
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(client.resource(Resources.persistentvolumes).list({ signal: ac.signal }), /stop/);
  });
});

describe('FakeObjectStore', () => {
  it('turns selector transitions into ADDED and DELETED watch events', async () => {
    const { client } = setup();
    const pvcs = client.resource(Resources.persistentvolumeclaims, 'default');
    const events: string[] = [];
    const ac = new AbortController();
    const done = pvcs.watch(
      { labelSelector: 'app=web', resourceVersion: '' },
      (ev) => events.push(`${ev.type} ${nameOf(ev)}`),
      ac.signal,
    );
    const a = await pvcs.create(pvc('a'));
    const labelled = await pvcs.update({ ...a, metadata: { ...a.metadata, labels: { app: 'web' } } });
    await pvcs.update({ ...labelled, metadata: { ...labelled.metadata, labels: { app: 'db' } } });
    ac.abort();
    await done;
    assert.deepEqual(events, ['ADDED a', 'DELETED a']);
  });

  it('does not bump the resourceVersion for an update that changes nothing', async () => {
    const { client } = setup();
    const pvs = client.resource(Resources.persistentvolumes);
    const a = await pvs.create(pv('a'));
    const same = await pvs.update(a);
    assert.equal(same.metadata.resourceVersion, a.metadata.resourceVersion);
  });

  it('bumps generation on spec changes only', async () => {
    const { client } = setup();
    const pvs = client.resource(Resources.persistentvolumes);
    const a = await pvs.create(pv('a'));
    const labelled = await pvs.update({ ...a, metadata: { ...a.metadata, labels: { x: '1' } } });
    assert.equal(labelled.metadata.generation, 1);
    const respec = await pvs.update({ ...labelled, spec: { capacity: { storage: '2Gi' } } });
    assert.equal(respec.metadata.generation, 2);
  });

  it('generates names from generateName', async () => {
    const { client } = setup();
    const made = await client
      .resource(Resources.persistentvolumes)
      .create({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { generateName: 'pv-' } });
    assert.match(made.metadata.name!, /^pv-[a-z0-9]{5}$/);
  });

  it('ends watches on closeWatches and sends ERROR events on failWatches', async () => {
    const { client, store } = setup();
    const pvs = client.resource(Resources.persistentvolumes);
    const ac = new AbortController();
    const w1 = pvs.watch({}, () => {}, ac.signal);
    await new Promise<void>((r) => setImmediate(r));
    assert.equal(store.watchCount, 1);
    store.closeWatches();
    await w1;
    const events: ClientWatchEvent[] = [];
    const w2 = pvs.watch({}, (ev) => events.push(ev), ac.signal);
    await new Promise<void>((r) => setImmediate(r));
    store.failWatches({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      code: 410,
      reason: 'Expired',
    });
    await w2;
    assert.equal(events[0]?.type, 'ERROR');
    assert.equal(store.watchCount, 0);
  });
});
