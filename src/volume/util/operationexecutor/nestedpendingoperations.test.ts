// Tests of nested pending operations: conflict rules and the per-key exponential backoff on a fake clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../../component/index.ts';
import {
  isExponentialBackoffError,
  isOperationAlreadyExistsError,
  maxDurationBeforeRetryMs,
  NestedPendingOperations,
} from './nestedpendingoperations.ts';

function gate(): { promise: Promise<void>; open: () => void; fail: (e: Error) => void } {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

const op = (name: string, fn: () => Promise<void>) => ({ operationName: name, operationFunc: fn });

describe('NestedPendingOperations', () => {
  it('refuses a second operation on the same volume while one with an empty pod name is pending', async () => {
    const n = new NestedPendingOperations({ clock: new FakeClock() });
    const g = gate();
    n.run(
      'vol',
      '',
      '',
      op('volume_mount', () => g.promise),
    );
    assert.throws(
      () =>
        n.run(
          'vol',
          'pod-a',
          '',
          op('volume_unmount', async () => {}),
        ),
      isOperationAlreadyExistsError,
    );
    assert.equal(n.isOperationPending('vol', 'pod-b', ''), true);
    g.open();
    await n.wait();
    assert.equal(n.isOperationPending('vol', '', ''), false);
  });

  it('runs per-pod operations of one volume for different pods in parallel', async () => {
    const n = new NestedPendingOperations({ clock: new FakeClock() });
    const a = gate();
    n.run(
      'vol',
      'pod-a',
      '',
      op('volume_mount', () => a.promise),
    );
    n.run(
      'vol',
      'pod-b',
      '',
      op('volume_mount', async () => {}),
    );
    assert.throws(
      () =>
        n.run(
          'vol',
          'pod-a',
          '',
          op('volume_mount', async () => {}),
        ),
      isOperationAlreadyExistsError,
    );
    assert.throws(
      () =>
        n.run(
          'vol',
          '',
          '',
          op('unmount_device', async () => {}),
        ),
      isOperationAlreadyExistsError,
    );
    a.open();
    await n.wait();
  });

  it('never treats operations without a volume name as conflicting', async () => {
    const n = new NestedPendingOperations({ clock: new FakeClock() });
    const g = gate();
    n.run(
      '',
      '',
      '',
      op('x', () => g.promise),
    );
    n.run(
      '',
      '',
      '',
      op('x', async () => {}),
    );
    g.open();
    await n.wait();
  });

  it('backs off 500 ms after a failure, doubling up to 2m2s, and forgets the key on success', async () => {
    const clock = new FakeClock();
    const n = new NestedPendingOperations({ clock });
    const failing = op('volume_mount', async () => {
      throw new Error('boom');
    });
    const expected = [500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 122000, 122000];
    for (const d of expected) {
      n.run('vol', '', '', failing);
      await n.wait();
      assert.throws(
        () => n.run('vol', '', '', failing),
        (e: unknown) => {
          assert.ok(isExponentialBackoffError(e));
          assert.match(e.message, /No retries permitted until .* Error: boom/);
          return true;
        },
      );
      assert.equal(n.nextRetryAt(), clock.now() + d);
      clock.step(d);
      assert.throws(
        () => n.run('vol', '', '', failing),
        isExponentialBackoffError,
        'still inside the window at its edge',
      );
      clock.step(1);
    }
    assert.equal(expected.at(-1), maxDurationBeforeRetryMs);
    n.run(
      'vol',
      '',
      '',
      op('volume_mount', async () => {}),
    );
    await n.wait();
    n.run('vol', '', '', failing);
    await n.wait();
    assert.equal(n.nextRetryAt(), clock.now() + 500, 'backoff starts again from 500 ms after a success');
  });

  it('lets an operation of a different name run at once during a backoff', async () => {
    const n = new NestedPendingOperations({ clock: new FakeClock() });
    n.run(
      'vol',
      'pod',
      '',
      op('volume_mount', async () => {
        throw new Error('boom');
      }),
    );
    await n.wait();
    assert.equal(n.isOperationSafeToRetry('vol', 'pod', '', 'volume_mount'), false);
    assert.equal(n.isOperationSafeToRetry('vol', 'pod', '', 'volume_unmount'), true);
    let ran = false;
    n.run(
      'vol',
      'pod',
      '',
      op('volume_unmount', async () => {
        ran = true;
      }),
    );
    await n.wait();
    assert.equal(ran, true);
  });
});
