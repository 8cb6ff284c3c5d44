import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, metricsRegistry } from '../component/index.ts';
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  TokenBucket,
} from './ratelimit.ts';
import { runWorkers, WorkQueue } from './workqueue.ts';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

async function metricValue(name: string, queue: string): Promise<number | undefined> {
  const m = metricsRegistry.getSingleMetric(name);
  if (m === undefined) return undefined;
  const data = await m.get();
  const v = data.values.find((x) => x.labels['name'] === queue && !('le' in x.labels));
  return v?.value;
}

describe('WorkQueue', () => {
  it('hands out a key added twice only once', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('a');
    q.add('b');
    assert.equal(q.len(), 2);
    const first = await q.get();
    const second = await q.get();
    assert.deepEqual([first.key, second.key], ['a', 'b']);
    assert.equal(q.len(), 0);
  });

  it('processes a key re-added during processing again after done, not concurrently', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const r = await q.get();
    assert.equal(r.key, 'a');
    q.add('a');
    assert.equal(q.len(), 0, 'a key being processed is not handed out again');
    q.done('a');
    assert.equal(q.len(), 1);
    const again = await q.get();
    assert.equal(again.key, 'a');
  });

  it('wakes a waiting get when a key is added', async () => {
    const q = new WorkQueue<string>();
    const pending = q.get();
    q.add('x');
    assert.deepEqual(await pending, { key: 'x', shutdown: false });
  });

  it('resolves waiting gets with shutdown and ignores adds after shutDown', async () => {
    const q = new WorkQueue<string>();
    const pending = q.get();
    q.shutDown();
    assert.equal((await pending).shutdown, true);
    q.add('late');
    assert.equal(q.len(), 0);
    assert.equal((await q.get()).shutdown, true);
  });

  it('still hands out keys queued before shutDown', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.shutDown();
    assert.deepEqual(await q.get(), { key: 'a', shutdown: false });
    assert.equal((await q.get()).shutdown, true);
  });

  it('waits in shutDownWithDrain until processing keys are done', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    await q.get();
    let drained = false;
    const p = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    await settle();
    assert.equal(drained, false);
    q.done('a');
    await p;
    assert.equal(drained, true);
  });

  it('adds a key after the delay of addAfter, keeping the earliest of two delays', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 300);
    q.addAfter('a', 2000);
    clock.step(299);
    assert.equal(q.len(), 0);
    clock.step(1);
    assert.equal(q.len(), 1);
    clock.step(5000);
    assert.equal(q.len(), 1, 'the later delays were dropped');
  });

  it('backs off per key exponentially and starts over after forget', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({
      clock,
      rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000 * 1000),
    });
    q.addRateLimited('a');
    assert.equal(q.numRequeues('a'), 1);
    clock.step(4);
    assert.equal(q.len(), 0);
    clock.step(1);
    assert.equal(q.len(), 1);
    q.addRateLimited('b');
    q.addRateLimited('b');
    assert.equal(q.numRequeues('b'), 2);
    q.forget('b');
    assert.equal(q.numRequeues('b'), 0);
  });

  it('drops delayed adds on shutDown', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 100);
    q.shutDown();
    clock.step(200);
    assert.equal(q.len(), 0);
    assert.equal(clock.pending, 0);
  });

  it('records the upstream workqueue metrics under the queue name', async () => {
    const clock = new FakeClock();
    const name = `test_metrics_${process.pid}`;
    const q = new WorkQueue<string>({ name, clock });
    q.add('a');
    q.add('a');
    q.add('b');
    assert.equal(await metricValue('workqueue_adds_total', name), 2);
    assert.equal(await metricValue('workqueue_depth', name), 2);
    clock.step(2000);
    await q.get();
    assert.equal(await metricValue('workqueue_depth', name), 1);
    const latency = await metricsRegistry.getSingleMetric('workqueue_queue_duration_seconds')!.get();
    const sum = latency.values.find(
      (v) => v.labels['name'] === name && (v as { metricName?: string }).metricName?.endsWith('_sum'),
    );
    assert.equal(sum?.value, 2);
    clock.step(3000);
    assert.equal(await metricValue('workqueue_unfinished_work_seconds', name), 3);
    assert.equal(await metricValue('workqueue_longest_running_processor_seconds', name), 3);
    q.done('a');
    const work = await metricsRegistry.getSingleMetric('workqueue_work_duration_seconds')!.get();
    const wsum = work.values.find(
      (v) => v.labels['name'] === name && (v as { metricName?: string }).metricName?.endsWith('_sum'),
    );
    assert.equal(wsum?.value, 3);
    q.addRateLimited('a');
    assert.equal(await metricValue('workqueue_retries_total', name), 1);
    q.shutDown();
  });
});

describe('rate limiters', () => {
  it('doubles the per-item delay from the base up to the cap', () => {
    const l = new ItemExponentialFailureRateLimiter<string>(5, 40);
    assert.deepEqual([l.when('a'), l.when('a'), l.when('a'), l.when('a'), l.when('a')], [5, 10, 20, 40, 40]);
    assert.equal(l.when('b'), 5, 'items back off independently');
  });

  it('lets a burst through the bucket and then spaces items at the qps', () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter<string>(10, 2, clock);
    assert.equal(l.when('a'), 0);
    assert.equal(l.when('b'), 0);
    assert.equal(l.when('c'), 100);
    assert.equal(l.when('d'), 200);
    clock.step(1000);
    assert.equal(l.when('e'), 0);
  });

  it('combines limiters by taking the longest delay', () => {
    const clock = new FakeClock();
    const l = new MaxOfRateLimiter<string>(
      new ItemExponentialFailureRateLimiter(5, 1000),
      new BucketRateLimiter(1, 1, clock),
    );
    assert.equal(l.when('a'), 5);
    assert.equal(l.when('b'), 1000);
    assert.equal(l.numRequeues('a'), 1);
  });

  it('uses client-go defaults: 5 ms first, 1000 s at most, bucket burst 100', () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter<string>(clock);
    assert.equal(l.when('a'), 5);
    let last = 0;
    for (let i = 0; i < 40; i++) last = l.when('a');
    assert.equal(last, 1000 * 1000);
    for (let i = 0; i < 98; i++) l.when(`k${i}`);
    assert.ok(l.when('z') > 5, 'the 101st item within a second waits on the bucket');
  });

  it('accepts from a token bucket only while tokens remain', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(1 / 300, 2, clock);
    assert.equal(b.tryAccept(), true);
    assert.equal(b.tryAccept(), true);
    assert.equal(b.tryAccept(), false);
    clock.step(300_000);
    assert.equal(b.tryAccept(), true);
  });
});

describe('runWorkers', () => {
  it('forgets keys that succeed and retries keys that fail with backoff', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(10, 1000) });
    const ac = new AbortController();
    const seen: string[] = [];
    let failures = 2;
    const done = runWorkers(
      q,
      2,
      async (key) => {
        seen.push(key);
        if (key === 'bad' && failures-- > 0) throw new Error('boom');
      },
      ac.signal,
    );
    q.add('good');
    q.add('bad');
    await settle();
    assert.deepEqual(seen, ['good', 'bad']);
    assert.equal(q.numRequeues('good'), 0);
    assert.equal(q.numRequeues('bad'), 1);
    clock.step(10);
    await settle();
    assert.deepEqual(seen, ['good', 'bad', 'bad']);
    clock.step(20);
    await settle();
    assert.deepEqual(seen, ['good', 'bad', 'bad', 'bad']);
    assert.equal(q.numRequeues('bad'), 0, 'success forgets the key');
    ac.abort();
    await done;
    assert.equal(q.shuttingDown(), true);
  });

  it('never runs one key in two workers at once', async () => {
    const q = new WorkQueue<string>();
    const ac = new AbortController();
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const release: (() => void)[] = [];
    const done = runWorkers(
      q,
      4,
      async () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((r) => release.push(r));
        running--;
      },
      ac.signal,
    );
    q.add('k');
    await settle();
    q.add('k');
    q.add('k');
    await settle();
    assert.equal(calls, 1);
    release.shift()!();
    await settle();
    assert.equal(calls, 2, 'the re-added key runs once more after the first run is done');
    release.shift()!();
    await settle();
    assert.equal(maxRunning, 1);
    ac.abort();
    await done;
  });
});
