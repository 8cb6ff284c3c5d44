// Volume manager tests over FakeVolumePlugin, a FakeObjectStore + InProcessClient and a fake clock:
// mount, remount on a ConfigMap change, unmount on pod deletion with pod dir cleanup, reconstruction
// after a simulated restart, backoff after failures, and pod errors from the populator; kubelet-managed
// attach/detach, and plugins found at run time by a dynamic prober.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type ConfigMap, type Pod, Resources } from '../../api/index.ts';
import { InProcessClient } from '../../client/index.ts';
import { FakeObjectStore, FakeRecorder } from '../../client/testing/index.ts';
import { FakeClock } from '../../component/index.ts';
import type { DynamicPluginProber, ProbeEvent, VolumePlugin } from '../../volume/index.ts';
import { storageOperationMetric } from '../../volume/index.ts';
import { FakeAttachableVolumePlugin, FakeVolumePlugin } from '../../volume/testing/index.ts';
import { isVolumeWaitError, VolumeManager, type VolumeManagerOptions } from './index.ts';
import { FakePodManager, noMounts } from './testing/index.ts';

function pod(
  uid: string,
  volumes: Pod['spec'] extends infer S ? (S extends { volumes?: infer V } ? V : never) : never,
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${uid}`, namespace: 'default', uid },
    spec: {
      nodeName: 'node-1',
      containers: [
        {
          name: 'c',
          image: 'busybox',
          volumeMounts: (volumes ?? []).map((v) => ({ name: v.name, mountPath: `/${v.name}` })),
        },
      ],
      volumes,
    },
  };
}

interface Env {
  root: string;
  store: FakeObjectStore;
  client: InProcessClient;
  clock: FakeClock;
  recorder: FakeRecorder;
  plugin: FakeVolumePlugin;
  pods: FakePodManager;
  vm: VolumeManager;
  abort: AbortController;
  running: Promise<void>;
}

let env: Env | undefined;
const roots: string[] = [];

async function start(
  opts: {
    root?: string;
    plugin?: FakeVolumePlugin;
    pods?: FakePodManager;
    store?: FakeObjectStore;
    /** Default [plugin]. */
    plugins?: VolumePlugin[];
    extra?: Partial<VolumeManagerOptions>;
  } = {},
): Promise<Env> {
  const root = opts.root ?? mkdtempSync(join(tmpdir(), 'kvol-vm-'));
  roots.push(root);
  const clock = new FakeClock();
  const store = opts.store ?? new FakeObjectStore({ clock });
  const client = new InProcessClient(store);
  const recorder = new FakeRecorder();
  const plugin = opts.plugin ?? new FakeVolumePlugin({ requiresRemount: true });
  const pods = opts.pods ?? new FakePodManager();
  const vm = new VolumeManager({
    client,
    nodeName: 'node-1',
    rootDir: root,
    plugins: opts.plugins ?? [plugin],
    mounter: noMounts,
    recorder,
    podManager: pods,
    podStateProvider: pods,
    clock,
    ...opts.extra,
  });
  const abort = new AbortController();
  const running = vm.run(abort.signal);
  await vm.waitIdle();
  env = { root, store, client, clock, recorder, plugin, pods, vm, abort, running };
  return env;
}

async function stop(e: Env): Promise<void> {
  e.abort.abort();
  await e.running;
}

beforeEach(() => {
  env = undefined;
});

afterEach(async () => {
  if (env !== undefined) await stop(env);
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('VolumeManager', () => {
  it('mounts the volumes a pod uses, ignores unused ones, and records no event for a successful set-up', async () => {
    const e = await start();
    const p = pod('u1', [{ name: 'cache', emptyDir: {} }]);
    p.spec!.volumes!.push({ name: 'unused', emptyDir: {} });
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    await e.vm.waitForAttachAndMount(p);
    assert.deepEqual([...e.vm.getMountedVolumesForPod('u1').keys()], ['cache']);
    assert.deepEqual(
      e.plugin.callsOf('setUp').map((c) => c.volumeName),
      ['cache'],
    );
    assert.ok(existsSync(join(e.root, 'pods/u1/volumes/kubernetes.io~fake-plugin/cache')));
    assert.deepEqual(e.recorder.events, []);
    const metric = await storageOperationMetric().get();
    assert.ok(
      metric.values.some(
        (v) =>
          v.labels.operation_name === 'volume_mount' &&
          v.labels.status === 'success' &&
          v.labels.volume_plugin === 'kubernetes.io/fake-plugin' &&
          v.labels.migrated === 'false',
      ),
    );
  });

  it('sets a configMap volume up again when the ConfigMap changes, without a new event', async () => {
    const e = await start();
    const cm: ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'default' },
      data: { a: '1' },
    };
    e.store.seed(Resources.configmaps, cm);
    const p = pod('u1', [{ name: 'config', configMap: { name: 'cfg' } }]);
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    await e.vm.waitForAttachAndMount(p);
    await e.vm.waitIdle();
    const before = e.plugin.callsOf('setUp').length;
    const cms = e.client.resource<ConfigMap>(Resources.configmaps, 'default');
    const cur = await cms.get('cfg');
    await cms.update({ ...cur, data: { a: '2' } });
    await e.vm.waitIdle();
    assert.equal(e.plugin.callsOf('setUp').length, before + 1);
    assert.deepEqual(e.recorder.reasons(), [], 'a remount records no event');
    assert.deepEqual([...e.vm.getMountedVolumesForPod('u1').keys()], ['config']);
  });

  it("tears a deleted pod's volumes down and removes its directory", async () => {
    const e = await start();
    const p = pod('u1', [{ name: 'cache', emptyDir: {} }]);
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    await e.vm.waitForAttachAndMount(p);
    mkdirSync(join(e.root, 'pods/u1/plugins/kubernetes.io~empty-dir/cache'), { recursive: true });
    e.pods.terminating.add('u1');
    e.vm.podsChanged();
    await e.vm.waitForUnmount(p);
    await e.vm.waitIdle();
    assert.deepEqual(
      e.plugin.callsOf('tearDown').map((c) => c.volumeName),
      ['cache'],
    );
    assert.equal(existsSync(join(e.root, 'pods/u1')), false);
  });

  it('reconstructs volumes after a restart: sets wanted ones up again and tears unwanted ones down', async () => {
    const first = await start();
    const keep = pod('keep', [{ name: 'data', emptyDir: {} }]);
    const drop = pod('drop', [{ name: 'old', emptyDir: {} }]);
    first.pods.pods.set('keep', keep);
    first.pods.pods.set('drop', drop);
    first.vm.podsChanged();
    await first.vm.waitForAttachAndMount(keep);
    await first.vm.waitForAttachAndMount(drop);
    await stop(first);
    env = undefined;
    // The agent restarts; meanwhile `drop` was deleted.
    const pods = new FakePodManager();
    pods.pods.set('keep', keep);
    // No remount on pod sync, so the only set-up is the one that turns the uncertain mount certain.
    const plugin = new FakeVolumePlugin();
    const e = await start({ root: first.root, pods, plugin });
    await e.vm.waitForAttachAndMount(keep);
    await e.vm.waitIdle();
    assert.deepEqual(
      plugin
        .callsOf('constructVolumeSpec')
        .map((c) => c.volumeName)
        .sort(),
      ['data', 'old'],
    );
    assert.deepEqual(
      plugin.callsOf('setUp').map((c) => c.volumeName),
      ['data'],
    );
    assert.deepEqual(
      plugin.callsOf('tearDown').map((c) => `${c.podUID}/${c.volumeName}`),
      ['drop/old'],
    );
    assert.equal(existsSync(join(e.root, 'pods/drop')), false);
    assert.deepEqual([...e.vm.getMountedVolumesForPod('keep').keys()], ['data']);
    assert.equal(
      plugin.callsOf('setUp').some((c) => c.volumeName === 'data'),
      true,
      'the wanted volume was set up again',
    );
  });

  it("retries a failed set-up after the backoff window and records FailedMount with upstream's message", async () => {
    const e = await start();
    e.plugin.injectError('setUp', new Error('disk on fire'), { times: 2 });
    const p = pod('u1', [{ name: 'cache', emptyDir: {} }]);
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    const mounted = e.vm.waitForAttachAndMount(p);
    await e.vm.waitIdle();
    assert.equal(e.plugin.callsOf('setUp').length, 1);
    assert.deepEqual(e.recorder.events, [
      'Warning FailedMount MountVolume.SetUp failed for volume "cache" : disk on fire',
    ]);
    e.clock.step(500);
    await e.vm.waitIdle();
    assert.equal(e.plugin.callsOf('setUp').length, 1, 'still inside the 500 ms window');
    e.clock.step(1);
    await e.vm.waitIdle();
    assert.equal(e.plugin.callsOf('setUp').length, 2);
    e.clock.step(999);
    await e.vm.waitIdle();
    assert.equal(e.plugin.callsOf('setUp').length, 2, 'the second window is 1 s');
    e.clock.step(2);
    await mounted;
    assert.equal(e.plugin.callsOf('setUp').length, 3);
  });

  it('rejects waitForAttachAndMount at once when the claim does not exist', async () => {
    const e = await start();
    const p = pod('u1', [{ name: 'data', persistentVolumeClaim: { claimName: 'missing' } }]);
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    await assert.rejects(e.vm.waitForAttachAndMount(p), (err: unknown) => {
      assert.ok(isVolumeWaitError(err));
      assert.equal(err.timedOut, false);
      assert.match(
        err.message,
        /^unmounted volumes=\[data\], unattached volumes=\[\], failed to process volumes=\[data\]: error processing PVC default\/missing: failed to fetch PVC from API server: persistentvolumeclaims "missing" not found$/,
      );
      return true;
    });
  });

  it('times out with the unmounted volumes named', async () => {
    const e = await start();
    e.plugin.injectError('setUp', new Error('nope'), { times: 1000 });
    const p = pod('u1', [
      { name: 'b', emptyDir: {} },
      { name: 'a', emptyDir: {} },
    ]);
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    const w = e.vm.waitForAttachAndMount(p);
    await e.vm.waitIdle();
    e.clock.step(123_000);
    await assert.rejects(
      w,
      /^Error: unmounted volumes=\[b a\], unattached volumes=\[\], failed to process volumes=\[\]: timed out waiting for the condition$|unmounted volumes=\[b a\]/,
    );
  });
});

/** A prober whose next probe returns what the test queued. */
class QueuedProber implements DynamicPluginProber {
  readonly queued: ProbeEvent[] = [];
  probes = 0;
  async init(): Promise<void> {}
  async probe(): Promise<ProbeEvent[]> {
    this.probes++;
    return this.queued.splice(0);
  }
}

describe('VolumeManager with kubelet-managed attach/detach', { timeout: 20_000 }, () => {
  it('attaches an attachable volume itself, mounts it, and unmounts the device and detaches when the pod goes', async () => {
    const plugin = new FakeAttachableVolumePlugin();
    const e = await start({ plugin, extra: { controllerAttachDetachEnabled: false } });
    const p = pod('u1', [{ name: 'disk', emptyDir: {} }]);
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    await e.vm.waitForAttachAndMount(p);
    const deviceMountPath = join(e.root, 'plugins/kubernetes.io/fake-plugin/mounts/disk');
    assert.deepEqual(
      plugin.calls
        .filter((c) => ['attach', 'waitForAttach', 'mountDevice', 'setUp'].includes(c.op))
        .map((c) => [c.op, c.nodeName ?? c.dir ?? '']),
      [
        ['attach', 'node-1'],
        ['waitForAttach', '/dev/fake/disk'],
        ['mountDevice', deviceMountPath],
        ['setUp', join(e.root, 'pods/u1/volumes/kubernetes.io~fake-plugin/disk')],
      ],
    );
    assert.deepEqual(e.vm.getVolumesInUse(), ['kubernetes.io/fake-plugin/disk']);
    assert.ok(
      e.recorder.events.includes(
        'Normal SuccessfulAttachVolume AttachVolume.Attach succeeded for volume "disk"',
      ),
    );

    e.pods.pods.delete('u1');
    e.vm.podsChanged();
    await e.vm.waitForUnmount(p);
    await e.vm.waitIdle();
    assert.deepEqual(
      plugin.calls.slice(-2).map((c) => [c.op, c.nodeName ?? '']),
      [
        ['unmountDevice', ''],
        ['detach', 'node-1'],
      ],
    );
    assert.equal(plugin.attached.size, 0);
    assert.deepEqual(e.vm.asw.getAttachedVolumes(), []);
    assert.deepEqual(e.vm.getVolumesInUse(), []);
  });

  it('leaves attach to the attach/detach controller by default', async () => {
    const plugin = new FakeAttachableVolumePlugin();
    const e = await start({ plugin });
    const p = pod('u1', [{ name: 'disk', emptyDir: {} }]);
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    await e.vm.waitIdle();
    assert.deepEqual(plugin.callsOf('attach'), []);
    assert.deepEqual(e.vm.getVolumesInUse(), ['kubernetes.io/fake-plugin/disk']);
  });

  it('records FailedAttachVolume on the pod when the attach fails and retries after the backoff', async () => {
    const plugin = new FakeAttachableVolumePlugin();
    plugin.injectError('attach', new Error('no free slot'));
    const e = await start({ plugin, extra: { controllerAttachDetachEnabled: false } });
    const p = pod('u1', [{ name: 'disk', emptyDir: {} }]);
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    await e.vm.waitIdle();
    assert.ok(
      e.recorder.events.includes(
        'Warning FailedAttachVolume AttachVolume.Attach failed for volume "disk" : no free slot',
      ),
      e.recorder.events.join('\n'),
    );
    assert.equal(e.vm.asw.volumeExists('kubernetes.io/fake-plugin/disk'), false);
    e.clock.step(1_000);
    await e.vm.waitForAttachAndMount(p);
    assert.equal(plugin.callsOf('attach').length, 2);
  });
});

describe('VolumeManager with a dynamic plugin prober', { timeout: 20_000 }, () => {
  it('probes before reconstruction and registers what the prober finds', async () => {
    const prober = new QueuedProber();
    const plugin = new FakeVolumePlugin({ name: 'example.com/dyn' });
    prober.queued.push({ op: 'add-or-update', pluginName: plugin.name, plugin });
    const e = await start({ plugins: [], extra: { pluginProber: prober } });
    assert.equal(e.vm.pluginMgr.findPluginByName('example.com/dyn'), plugin);
    assert.equal(plugin.initCalls, 1);
  });

  it('mounts the volumes of a pod that waited for a missing plugin once pluginsChanged finds it', async () => {
    const prober = new QueuedProber();
    let changed = 0;
    const e = await start({
      plugins: [],
      extra: { pluginProber: prober, onPluginsChanged: () => changed++ },
    });
    const p = pod('u1', [{ name: 'data', emptyDir: {} }]);
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    await assert.rejects(
      e.vm.waitForAttachAndMount(p),
      /failed to get Plugin from volumeSpec for volume "data" err=no volume plugin matched/,
    );
    assert.equal(changed, 0);

    const plugin = new FakeVolumePlugin({ name: 'example.com/dyn' });
    prober.queued.push({ op: 'add-or-update', pluginName: plugin.name, plugin });
    const probes = prober.probes;
    e.vm.pluginsChanged();
    await e.vm.waitForAttachAndMount(p);
    assert.ok(prober.probes > probes);
    assert.equal(changed, 1);
    assert.deepEqual(
      plugin.callsOf('setUp').map((c) => c.volumeName),
      ['data'],
    );

    // A removed plugin is gone from the manager.
    prober.queued.push({ op: 'remove', pluginName: plugin.name });
    e.vm.pluginsChanged();
    await e.vm.waitIdle();
    assert.throws(() => e.vm.pluginMgr.findPluginByName('example.com/dyn'), /no volume plugin matched/);
    assert.equal(changed, 2);
  });
});

describe('VolumeManager.pluginsChanged', () => {
  it("retries a plugin's failed operations at once, without waiting for their backoff", async () => {
    const e = await start();
    e.plugin.injectError('setUp', new Error('driver not registered yet'));
    const p = pod('u1', [{ name: 'cache', emptyDir: {} }]);
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    const mounted = e.vm.waitForAttachAndMount(p);
    await e.vm.waitIdle();
    assert.equal(e.plugin.callsOf('setUp').length, 1);
    e.vm.pluginsChanged('kubernetes.io/other-plugin');
    await e.vm.waitIdle();
    assert.equal(e.plugin.callsOf('setUp').length, 1, "another plugin's change leaves the backoff");
    e.vm.pluginsChanged('kubernetes.io/fake-plugin');
    await mounted;
    assert.equal(e.plugin.callsOf('setUp').length, 2);
  });
});
