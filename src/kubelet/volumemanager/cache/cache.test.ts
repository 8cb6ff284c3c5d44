// Unit tests of the DSW, the ASW and the operation executor's state transitions, with FakeVolumePlugin
// and a FakeVolumeHost over a temp root.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Pod } from '../../../api/index.ts';
import { FakeRecorder } from '../../../client/testing/index.ts';
import { FakeClock } from '../../../component/index.ts';
import {
  OperationExecutor,
  specFromVolume,
  UncertainProgressError,
  VolumeMountState,
} from '../../../volume/index.ts';
import {
  FakeAttachableVolumePlugin,
  FakeVolumeHost,
  FakeVolumePlugin,
} from '../../../volume/testing/index.ts';
import { noMounts } from '../testing/index.ts';
import { ActualStateOfWorld, isRemountRequiredError, isVolumeNotAttachedError } from './asw.ts';
import { DesiredStateOfWorld } from './dsw.ts';

const root = mkdtempSync(join(tmpdir(), 'kvol-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));

function pod(uid: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p-${uid}`, namespace: 'default', uid },
    spec: { containers: [] },
  };
}

async function setup(plugin: FakeVolumePlugin) {
  const host = new FakeVolumeHost({ rootDir: root, mounter: noMounts });
  await host.initPlugins([plugin]);
  const mgr = host.pluginMgr;
  const recorder = new FakeRecorder();
  const dsw = new DesiredStateOfWorld(mgr);
  const asw = new ActualStateOfWorld('node-1', mgr);
  const clock = new FakeClock();
  const executor = new OperationExecutor({ pluginMgr: mgr, recorder, clock });
  return { mgr, dsw, asw, executor, recorder, clock };
}

describe('DesiredStateOfWorld', () => {
  it('names non-attachable volumes per pod and attachable ones per plugin', async () => {
    const { dsw } = await setup(new FakeVolumePlugin());
    const spec = specFromVolume({ name: 'v', emptyDir: {} });
    assert.equal(dsw.addPodToVolume('a', pod('a'), spec, 'v', ''), 'kubernetes.io/fake-plugin/a-v');
    assert.equal(dsw.addPodToVolume('b', pod('b'), spec, 'v', ''), 'kubernetes.io/fake-plugin/b-v');
    const att = await setup(new FakeAttachableVolumePlugin());
    assert.equal(att.dsw.addPodToVolume('a', pod('a'), spec, 'v', ''), 'kubernetes.io/fake-plugin/v');
    assert.equal(att.dsw.addPodToVolume('b', pod('b'), spec, 'v', ''), 'kubernetes.io/fake-plugin/v');
    assert.equal(att.dsw.getVolumesToMount().length, 2);
    assert.deepEqual(att.dsw.getAttachableVolumeNames(), ['kubernetes.io/fake-plugin/v']);
    att.dsw.deletePodFromVolume('a', 'kubernetes.io/fake-plugin/v');
    assert.equal(att.dsw.volumeExists('kubernetes.io/fake-plugin/v'), true);
    att.dsw.deletePodFromVolume('b', 'kubernetes.io/fake-plugin/v');
    assert.equal(att.dsw.volumeExists('kubernetes.io/fake-plugin/v'), false);
  });

  it('keeps pod errors until popped', async () => {
    const { dsw } = await setup(new FakeVolumePlugin());
    dsw.addErrorToPod('a', 'second');
    dsw.addErrorToPod('a', 'first');
    dsw.addErrorToPod('a', 'first');
    assert.deepEqual(dsw.popPodErrors('a'), ['first', 'second']);
    assert.deepEqual(dsw.popPodErrors('a'), []);
  });
});

describe('ActualStateOfWorld and the operation executor', () => {
  it('marks a mount uncertain on an uncertain failure and not mounted after a final failure', async () => {
    const plugin = new FakeVolumePlugin();
    const { dsw, asw, executor, recorder, clock } = await setup(plugin);
    const spec = specFromVolume({ name: 'v', emptyDir: {} });
    const name = dsw.addPodToVolume('a', pod('a'), spec, 'v', '');
    const [v] = dsw.getVolumesToMount();
    assert.throws(() => asw.podExistsInVolume('a', name), isVolumeNotAttachedError);
    executor.verifyControllerAttachedVolume(v!, 'node-1', asw);
    await executor.wait();
    assert.deepEqual(asw.podExistsInVolume('a', name), {
      exists: false,
      devicePath: '',
      remountRequired: false,
    });

    plugin.injectError('setUp', new UncertainProgressError('timed out'));
    executor.mountVolume(v!, asw, false);
    await executor.wait();
    assert.equal(asw.getVolumeMountState(name, 'a'), VolumeMountState.VolumeMountUncertain);
    assert.equal(asw.getPossiblyMountedVolumesForPod('a').length, 1);
    assert.equal(asw.getMountedVolumesForPod('a').length, 0);

    // The next attempt is inside the backoff window of the same operation: refused.
    assert.equal(executor.isOperationSafeToRetry(name, 'a', '', 'volume_mount'), false);
    assert.throws(() => executor.mountVolume(v!, asw, false));
    clock.step(501);
    plugin.injectError('setUp', new Error('gone for good'));
    executor.mountVolume(v!, asw, false);
    await executor.wait();
    assert.equal(asw.getVolumeMountState(name, 'a'), VolumeMountState.VolumeNotMounted);
    assert.equal(asw.getPossiblyMountedVolumesForPod('a').length, 0);
    assert.deepEqual(recorder.events, [
      'Warning FailedMount MountVolume.SetUp failed for volume "v" : timed out',
      'Warning FailedMount MountVolume.SetUp failed for volume "v" : gone for good',
    ]);
  });

  it('marks a volume mounted, requires a remount for remount plugins, and clears it on the next mount', async () => {
    const plugin = new FakeVolumePlugin({ requiresRemount: true });
    const { dsw, asw, executor, recorder } = await setup(plugin);
    const name = dsw.addPodToVolume(
      'a',
      pod('a'),
      specFromVolume({ name: 'cfg', configMap: { name: 'c' } }),
      'cfg',
      '',
    );
    const [v] = dsw.getVolumesToMount();
    executor.verifyControllerAttachedVolume(v!, 'node-1', asw);
    await executor.wait();
    executor.mountVolume(v!, asw, false);
    await executor.wait();
    assert.equal(asw.getVolumeMountState(name, 'a'), VolumeMountState.VolumeMounted);
    asw.markRemountRequired('a');
    const state = asw.podExistsInVolume('a', name);
    assert.equal(state.remountRequired, true);
    executor.mountVolume(v!, asw, true);
    await executor.wait();
    assert.equal(asw.podExistsInVolume('a', name).remountRequired, false);
    assert.deepEqual(recorder.reasons(), [], 'a set-up, first or remount, records no event');
    assert.equal(isRemountRequiredError(new Error('x')), false);
  });

  it('marks a mount uncertain when TearDown fails and forgets it once TearDown succeeds', async () => {
    const plugin = new FakeVolumePlugin();
    const { dsw, asw, executor } = await setup(plugin);
    const name = dsw.addPodToVolume('a', pod('a'), specFromVolume({ name: 'v', emptyDir: {} }), 'v', '');
    const [v] = dsw.getVolumesToMount();
    executor.verifyControllerAttachedVolume(v!, 'node-1', asw);
    await executor.wait();
    executor.mountVolume(v!, asw, false);
    await executor.wait();
    const [mv] = asw.getAllMountedVolumes();
    plugin.injectError('tearDown', new Error('busy'));
    executor.unmountVolume(mv!, asw);
    await executor.wait();
    assert.equal(asw.getVolumeMountState(name, 'a'), VolumeMountState.VolumeMountUncertain);
    // Unmount right after a failed mount would run at once (different operation name); the same
    // name waits out its backoff.
    assert.throws(() => executor.unmountVolume(mv!, asw));
  });
});
