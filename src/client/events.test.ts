import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KubeObject, newInternalError, Resources } from '../api/index.ts';
import { FakeClock } from '../component/index.ts';
import { type CoreEvent, Recorder, sprintf } from './events.ts';
import { ConnectionError } from './http.ts';
import { InProcessClient } from './inprocess.ts';
import { FakeObjectStore, FakeRecorder } from './testing/index.ts';

const pvc: KubeObject = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'apps', uid: 'uid-1', resourceVersion: '42' },
};

const pv: KubeObject = {
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pv-1', uid: 'uid-2', resourceVersion: '7' },
};

function setup(extra: Partial<ConstructorParameters<typeof Recorder>[0]> = {}) {
  const clock = new FakeClock();
  const store = new FakeObjectStore({ clock });
  const recorder = new Recorder({
    client: new InProcessClient(store),
    source: { component: 'persistentvolume-controller', host: 'node-a' },
    clock,
    ...extra,
  });
  const events = (ns = 'apps'): CoreEvent[] => store.objects<CoreEvent>(Resources.events, ns);
  return { clock, store, recorder, events };
}

describe('Recorder', () => {
  it('writes a core/v1 Event about the object in its namespace', async () => {
    const { recorder, events, clock } = setup();
    recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', 'Successfully provisioned volume pv-1');
    await recorder.flush();
    const [e] = events();
    assert.ok(e);
    const nanos = (BigInt(clock.now()) * 1_000_000n).toString(16);
    assert.equal(e.metadata.name, `data.${nanos}`);
    assert.equal(e.metadata.namespace, 'apps');
    assert.deepEqual(e.involvedObject, {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      namespace: 'apps',
      name: 'data',
      uid: 'uid-1',
      resourceVersion: '42',
    });
    assert.equal(e.type, 'Normal');
    assert.equal(e.reason, 'ProvisioningSucceeded');
    assert.equal(e.message, 'Successfully provisioned volume pv-1');
    assert.deepEqual(e.source, { component: 'persistentvolume-controller', host: 'node-a' });
    assert.equal(e.reportingComponent, 'persistentvolume-controller');
    assert.equal(e.reportingInstance, 'node-a');
    assert.equal(e.count, 1);
    assert.equal(e.firstTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(e.lastTimestamp, '2026-01-01T00:00:00Z');
  });

  it('puts events about cluster-scoped objects in the default namespace', async () => {
    const { recorder, events } = setup();
    recorder.event(pv, 'Warning', 'VolumeFailedRecycle', 'no recycler');
    await recorder.flush();
    assert.equal(events('default')[0]?.involvedObject.name, 'pv-1');
  });

  it('gives events recorded in the same millisecond different names', async () => {
    const { recorder, events } = setup();
    recorder.event(pvc, 'Normal', 'A', 'one');
    recorder.event(pvc, 'Normal', 'B', 'two');
    await recorder.flush();
    const names = events().map((e) => e.metadata.name);
    assert.equal(new Set(names).size, 2);
  });

  it('counts an identical event by patching the existing Event', async () => {
    const { recorder, events, clock, store } = setup();
    recorder.event(pvc, 'Warning', 'ProvisioningFailed', 'storageclass "x" not found');
    await recorder.flush();
    clock.step(30_000);
    recorder.event(pvc, 'Warning', 'ProvisioningFailed', 'storageclass "x" not found');
    await recorder.flush();
    const all = events();
    assert.equal(all.length, 1);
    assert.equal(all[0]!.count, 2);
    assert.equal(all[0]!.firstTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(all[0]!.lastTimestamp, '2026-01-01T00:00:30Z');
    const patch = store.calls.find((c) => c.verb === 'patch');
    assert.equal(patch?.patchType, 'application/strategic-merge-patch+json');
    assert.deepEqual(JSON.parse(patch!.patch!), {
      count: 2,
      lastTimestamp: '2026-01-01T00:00:30Z',
      message: 'storageclass "x" not found',
    });
  });

  it('creates the event again when the one to patch is gone', async () => {
    const { recorder, events, store } = setup();
    recorder.event(pvc, 'Normal', 'Resizing', 'resizing');
    await recorder.flush();
    const first = events()[0]!;
    await new InProcessClient(store).resource(Resources.events, 'apps').delete(first.metadata.name!);
    recorder.event(pvc, 'Normal', 'Resizing', 'resizing');
    await recorder.flush();
    const again = events();
    assert.equal(again.length, 1);
    assert.equal(again[0]!.metadata.name, first.metadata.name);
    assert.equal(again[0]!.count, 2);
  });

  it('combines the tenth distinct message of one reason into a "combined from similar events" event', async () => {
    const { recorder, events } = setup();
    for (let i = 1; i <= 11; i++) recorder.event(pvc, 'Warning', 'FailedMount', `attempt ${i} failed`);
    await recorder.flush();
    const all = events();
    const combined = all.filter((e) => e.message.startsWith('(combined from similar events): '));
    assert.equal(all.length - combined.length, 9);
    assert.equal(combined.length, 1);
    assert.equal(combined[0]!.count, 2, 'the eleventh message counts on the combined event');
    assert.equal(combined[0]!.message, '(combined from similar events): attempt 11 failed');
  });

  it('starts aggregation afresh after ten minutes without a similar event', async () => {
    const { recorder, events, clock } = setup();
    for (let i = 1; i <= 9; i++) recorder.event(pvc, 'Warning', 'FailedMount', `early ${i}`);
    clock.step(600_001);
    recorder.event(pvc, 'Warning', 'FailedMount', 'late');
    await recorder.flush();
    assert.equal(events().filter((e) => e.message.startsWith('(combined')).length, 0);
    assert.equal(events().length, 10);
  });

  it('drops events beyond a burst of 25 per object and allows one more every 5 minutes', async () => {
    const { recorder, events, clock } = setup();
    for (let i = 0; i < 30; i++) recorder.event(pvc, 'Normal', `Reason${i}`, 'same message');
    await recorder.flush();
    assert.equal(events().length, 25);
    clock.step(300_000);
    recorder.event(pvc, 'Normal', 'Later', 'same message');
    recorder.event(pvc, 'Normal', 'Later2', 'same message');
    await recorder.flush();
    assert.equal(events().length, 26);
  });

  it('never throws into the caller and gives up on events the server rejects', async () => {
    const { recorder, events, store } = setup();
    store.failNext('create', 'events', newInternalError('etcd is down'));
    assert.doesNotThrow(() => recorder.event(pvc, 'Normal', 'A', 'a'));
    await recorder.flush();
    assert.equal(events().length, 0);
    assert.equal(
      store.calls.filter((c) => c.verb === 'create').length,
      1,
      'a server rejection is not retried',
    );
  });

  it('retries an event after a transport failure', async () => {
    const { recorder, events, store, clock } = setup({ retrySleepMs: 10_000 });
    store.failNext(
      'create',
      'events',
      new ConnectionError(
        {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          code: 503,
          reason: 'ServiceUnavailable',
        },
        new Error('connect ECONNREFUSED'),
      ),
    );
    recorder.event(pvc, 'Normal', 'A', 'a');
    const flushed = recorder.flush();
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
    assert.equal(events().length, 0);
    clock.step(10_000);
    await flushed;
    assert.equal(events().length, 1);
  });

  it('drops events of unsupported types and objects without kind', async () => {
    const { recorder, events } = setup();
    recorder.event(pvc, 'Bogus' as 'Normal', 'A', 'a');
    recorder.event({ metadata: { name: 'x', namespace: 'apps' } }, 'Normal', 'A', 'a');
    await recorder.flush();
    assert.equal(events().length, 0);
  });

  it('formats eventf messages the way Go formats them', async () => {
    const { recorder, events } = setup();
    recorder.eventf(pvc, 'Normal', 'ExternalProvisioning', 'waiting for %s or %q, %d%%', 'a', 'b', 3);
    await recorder.flush();
    assert.equal(events()[0]?.message, 'waiting for a or "b", 3%');
  });

  it('writes annotations of annotatedEventf on the event', async () => {
    const { recorder, events } = setup();
    recorder.annotatedEventf(pvc, { 'example.com/a': 'b' }, 'Normal', 'R', 'm');
    await recorder.flush();
    assert.deepEqual(events()[0]?.metadata.annotations, { 'example.com/a': 'b' });
  });
});

describe('sprintf', () => {
  it('marks missing and extra arguments as Go does', () => {
    assert.equal(sprintf('%s and %s', 'a'), 'a and %!s(MISSING)');
    assert.equal(sprintf('x', 1), 'x%!(EXTRA number=1)');
    assert.equal(sprintf('%v', new Error('boom')), 'boom');
  });
});

describe('FakeRecorder', () => {
  it('keeps events as "type reason message" lines', () => {
    const r = new FakeRecorder();
    r.eventf(pvc, 'Warning', 'ProvisioningFailed', 'failed: %v', 'no class');
    assert.deepEqual(r.events, ['Warning ProvisioningFailed failed: no class']);
    assert.deepEqual(r.reasons(), ['ProvisioningFailed']);
  });
});
