import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type KubeObject, newGone, newInternalError, Resources, type WatchOptions } from '../api/index.ts';
import { FakeClock } from '../component/index.ts';
import {
  type InformerOptions,
  type ResourceEventHandler,
  SharedIndexInformer,
  SharedInformerFactory,
} from './informer.ts';
import { InProcessClient } from './inprocess.ts';
import { FakeObjectStore } from './testing/index.ts';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
};

const pv = (name: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: labels === undefined ? { name } : { name, labels },
  spec: { capacity: { storage: '1Gi' } },
});

const pvc = (name: string, ns: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: ns },
  spec: {},
});

/** Records handler calls as readable lines. */
function recorder(): { lines: string[]; handler: ResourceEventHandler } {
  const lines: string[] = [];
  return {
    lines,
    handler: {
      onAdd: (o, initial) => lines.push(`add ${o.metadata.name}${initial ? ' (initial)' : ''}`),
      onUpdate: (o, n) =>
        lines.push(`update ${n.metadata.name} ${o.metadata.resourceVersion}->${n.metadata.resourceVersion}`),
      onDelete: (o, unknown) =>
        lines.push(`delete ${o.metadata.name}${unknown ? ' (final state unknown)' : ''}`),
    },
  };
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

function setup(opts: InformerOptions = {}) {
  const clock = new FakeClock();
  const store = new FakeObjectStore({ clock });
  const client = new InProcessClient(store);
  const pvs = client.resource(Resources.persistentvolumes);
  const informer = new SharedIndexInformer(pvs, { clock, backoff: { jitter: 0 }, ...opts });
  stops.push(() => informer.stop());
  const watches = (): WatchOptions[] =>
    store.calls.filter((c) => c.verb === 'watch').map((c) => c.options as WatchOptions);
  const lists = () => store.calls.filter((c) => c.verb === 'list');
  return { clock, store, client, pvs, informer, watches, lists };
}

describe('SharedIndexInformer', () => {
  it('lists, then delivers watch events as add, update and delete', async () => {
    const { store, pvs, informer } = setup();
    store.seed(Resources.persistentvolumes, pv('a'), pv('b'));
    const r = recorder();
    informer.addEventHandler(r.handler);
    informer.start();
    assert.equal(await informer.waitForSync(), true);
    assert.equal(informer.hasSynced(), true);
    assert.deepEqual(r.lines, ['add a (initial)', 'add b (initial)']);
    r.lines.length = 0;
    const c = await pvs.create(pv('c'));
    await pvs.update({ ...c, metadata: { ...c.metadata, labels: { x: '1' } } });
    await pvs.delete('a');
    await settle();
    assert.deepEqual(r.lines, [
      'add c',
      `update c ${c.metadata.resourceVersion}->${Number(c.metadata.resourceVersion) + 1}`,
      'delete a',
    ]);
    assert.deepEqual(informer.store.listKeys().sort(), ['b', 'c']);
    assert.equal(informer.getByKey('c')?.metadata.labels?.['x'], '1');
  });

  it('lists in pages of 500 by default and watches from the list resourceVersion', async () => {
    const { store, informer, watches, lists } = setup();
    store.seed(Resources.persistentvolumes, pv('a'));
    informer.start();
    await informer.waitForSync();
    await settle();
    assert.equal((lists()[0]!.options as { limit?: number }).limit, 500);
    const w = watches()[0]!;
    assert.equal(w.resourceVersion, store.resourceVersion);
    assert.equal(w.allowWatchBookmarks, true);
    assert.ok(w.timeoutSeconds! >= 300 && w.timeoutSeconds! < 600);
  });

  it('follows continue tokens until the list is complete', async () => {
    const { store, informer, lists } = setup({ pageSize: 2 });
    store.seed(Resources.persistentvolumes, pv('a'), pv('b'), pv('c'), pv('d'), pv('e'));
    informer.start();
    await informer.waitForSync();
    assert.equal(lists().length, 3);
    assert.equal(informer.list().length, 5);
  });

  it('re-watches from the last seen resourceVersion when a watch ends', async () => {
    const { store, pvs, informer, watches } = setup();
    informer.start();
    await informer.waitForSync();
    await settle();
    const a = await pvs.create(pv('a'));
    store.closeWatches();
    await settle();
    assert.equal(watches().length, 2);
    assert.equal(watches()[1]!.resourceVersion, a.metadata.resourceVersion);
    await pvs.create(pv('b'));
    await settle();
    assert.deepEqual(informer.store.listKeys().sort(), ['a', 'b']);
  });

  it('relists on a 410 thrown by watch and reports deletions it missed as final state unknown', async () => {
    const { store, pvs, informer, lists } = setup();
    store.seed(Resources.persistentvolumes, pv('a'), pv('b'));
    const r = recorder();
    informer.addEventHandler(r.handler);
    informer.start();
    await informer.waitForSync();
    await settle();
    await pvs.create(pv('c'));
    await settle();
    r.lines.length = 0;
    store.failNext('watch', 'persistentvolumes', newGone('too old resource version: 1 (2)'));
    store.closeWatches();
    // Runs before the informer's next watch: the deletion is never seen as a watch event.
    await pvs.delete('a');
    await settle();
    assert.equal(lists().length, 2);
    assert.deepEqual(r.lines, ['update b 3->3', 'update c 4->4', 'delete a (final state unknown)']);
    assert.deepEqual(informer.store.listKeys(), ['b', 'c']);
  });

  it('relists on an ERROR watch event with code 410', async () => {
    const { store, informer, lists } = setup();
    informer.start();
    await informer.waitForSync();
    await settle();
    store.failWatches({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'too old resource version: 1 (5)',
      reason: 'Expired',
      code: 410,
    });
    await settle();
    assert.equal(lists().length, 2);
    assert.equal(store.watchCount, 1);
  });

  it('backs off exponentially between failed lists', async () => {
    const { store, clock, informer, lists } = setup();
    store.failNext('list', 'persistentvolumes', newInternalError('db down'));
    store.failNext('list', 'persistentvolumes', newInternalError('db down'));
    informer.start();
    await settle();
    assert.equal(lists().length, 1);
    clock.step(799);
    await settle();
    assert.equal(lists().length, 1);
    clock.step(1);
    await settle();
    assert.equal(lists().length, 2, 'first retry after 800 ms');
    clock.step(1599);
    await settle();
    assert.equal(lists().length, 2);
    clock.step(1);
    await settle();
    assert.equal(lists().length, 3, 'second retry after 1600 ms');
    assert.equal(informer.hasSynced(), true);
  });

  it('treats a watch that ends at once without events as a failure and backs off', async () => {
    const { store, clock, informer, watches } = setup();
    informer.start();
    await informer.waitForSync();
    await settle();
    store.closeWatches();
    await settle();
    assert.equal(watches().length, 1);
    clock.step(800);
    await settle();
    assert.equal(watches().length, 2);
  });

  it('moves its resourceVersion forward on bookmarks', async () => {
    const { store, client, informer } = setup();
    informer.start();
    await informer.waitForSync();
    await settle();
    await client.resource(Resources.configmaps, 'default').create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'unrelated' },
    });
    store.bookmark(Resources.persistentvolumes);
    assert.equal(informer.lastSyncResourceVersion, store.resourceVersion);
  });

  it('re-delivers every cached object as an update on each resync period', async () => {
    const { store, clock, informer } = setup({ resyncPeriodMs: 60_000 });
    store.seed(Resources.persistentvolumes, pv('a'), pv('b'));
    const r = recorder();
    informer.addEventHandler(r.handler);
    informer.start();
    await informer.waitForSync();
    r.lines.length = 0;
    clock.step(59_999);
    assert.deepEqual(r.lines, []);
    clock.step(1);
    assert.deepEqual(r.lines.sort(), ['update a 2->2', 'update b 3->3']);
    clock.step(60_000);
    assert.equal(r.lines.length, 4);
  });

  it('indexes by namespace and by custom indexers, and keeps indexes current', async () => {
    const clock = new FakeClock();
    const store = new FakeObjectStore({ clock });
    const client = new InProcessClient(store);
    const pvcs = client.resource(Resources.persistentvolumeclaims);
    const informer = new SharedIndexInformer(pvcs, {
      clock,
      indexers: { byVolume: (o) => [String((o['spec'] as { volumeName?: string }).volumeName ?? '')] },
    });
    stops.push(() => informer.stop());
    store.seed(Resources.persistentvolumeclaims, pvc('a', 'ns1'), pvc('b', 'ns1'), pvc('c', 'ns2'));
    informer.start();
    await informer.waitForSync();
    await settle();
    assert.deepEqual(
      informer
        .byIndex('namespace', 'ns1')
        .map((o) => o.metadata.name)
        .sort(),
      ['a', 'b'],
    );
    assert.equal(informer.getByKey('ns2/c')?.metadata.name, 'c');
    const c = informer.getByKey('ns2/c')!;
    await client
      .resource(Resources.persistentvolumeclaims, 'ns2')
      .update({ ...structuredClone(c), spec: { volumeName: 'pv-1' } });
    await settle();
    assert.deepEqual(
      informer.byIndex('byVolume', 'pv-1').map((o) => o.metadata.name),
      ['c'],
    );
    assert.equal(informer.byIndex('byVolume', '').length, 2);
    assert.throws(() => informer.byIndex('nope', 'x'), /Index with name nope does not exist/);
  });

  it('freezes cached objects so handlers cannot change them by accident', async () => {
    const { store, informer } = setup();
    store.seed(Resources.persistentvolumes, pv('a'));
    informer.start();
    await informer.waitForSync();
    const a = informer.getByKey('a')!;
    assert.throws(() => {
      (a.metadata as { name?: string }).name = 'b';
    }, TypeError);
  });

  it('tells a handler added after sync about every cached object', async () => {
    const { store, informer } = setup();
    store.seed(Resources.persistentvolumes, pv('a'));
    informer.start();
    await informer.waitForSync();
    const r = recorder();
    const reg = informer.addEventHandler(r.handler);
    assert.deepEqual(r.lines, ['add a (initial)']);
    reg.remove();
  });

  it('resolves waitForSync with false when stopped before syncing', async () => {
    const { store, informer } = setup();
    store.failNext('list', '*', newInternalError('no'));
    informer.start();
    const waiting = informer.waitForSync();
    informer.stop();
    assert.equal(await waiting, false);
    await informer.stopped();
  });

  it('keeps running when a handler throws', async () => {
    const { pvs, informer } = setup();
    const r = recorder();
    informer.addEventHandler({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    informer.addEventHandler(r.handler);
    informer.start();
    await informer.waitForSync();
    await pvs.create(pv('a'));
    await settle();
    assert.deepEqual(r.lines, ['add a']);
  });
});

describe('SharedInformerFactory', () => {
  it('shares one informer and one watch per resource, namespace and selectors', async () => {
    const clock = new FakeClock();
    const store = new FakeObjectStore({ clock });
    const factory = new SharedInformerFactory(new InProcessClient(store), { clock });
    const ac = new AbortController();
    stops.push(() => ac.abort());
    const a = factory.informerFor(Resources.persistentvolumes);
    const b = factory.informerFor(Resources.persistentvolumes);
    assert.equal(a, b);
    const ns1 = factory.informerFor(Resources.persistentvolumeclaims, { namespace: 'ns1' });
    const all = factory.informerFor(Resources.persistentvolumeclaims);
    assert.notEqual(ns1, all);
    const selected = factory.informerFor(Resources.persistentvolumes, { labelSelector: 'a=b' });
    assert.notEqual(selected, a);
    factory.start(ac.signal);
    assert.equal(await factory.waitForCacheSync(ac.signal), true);
    await settle();
    assert.equal(store.watchCount, 4);
    const late = factory.informerFor(Resources.storageclasses);
    assert.equal(late.started, false);
    factory.start(ac.signal);
    assert.equal(late.started, true);
    await factory.shutdown();
    assert.equal(store.watchCount, 0);
  });

  it('passes selectors to list and watch', async () => {
    const clock = new FakeClock();
    const store = new FakeObjectStore({ clock });
    store.seed(Resources.persistentvolumes, pv('a', { tier: 'gold' }), pv('b', { tier: 'silver' }));
    const factory = new SharedInformerFactory(new InProcessClient(store), { clock });
    const ac = new AbortController();
    stops.push(() => ac.abort());
    const gold = factory.informerFor(Resources.persistentvolumes, { labelSelector: 'tier=gold' });
    factory.start(ac.signal);
    await factory.waitForCacheSync();
    assert.deepEqual(informerNames(gold), ['a']);
  });
});

function informerNames(inf: SharedIndexInformer): string[] {
  return inf
    .list()
    .map((o) => o.metadata.name ?? '')
    .sort();
}
