// Raw block volumes through the VolumeManager. With the local plugin on a real loop device and real
// mounts: a pod's volumeDevices entry becomes a symlink to the block device with a per-pod bind mount
// under the global map path, and deleting the pod (or restarting the agent after the pod went) leaves
// nothing behind; a CSI marker left by an agent killed before the plugin wrote its data is cleaned up
// once, not retried. With a fake block plugin: setUpDevice once per node, mapPodDevice per pod, unmap and
// tearDownDevice in reverse, and FailedMapVolume with upstream's message.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { type PersistentVolume, type PersistentVolumeClaim, type Pod, Resources } from '../../api/index.ts';
import { InProcessClient } from '../../client/index.ts';
import { FakeObjectStore, FakeRecorder } from '../../client/testing/index.ts';
import { configureLogging, FakeClock } from '../../component/index.ts';
import { CSIDriverRegistry } from '../../csi/index.ts';
import {
  type BlockVolumeMapper,
  type BlockVolumePlugin,
  type BlockVolumeUnmapper,
  CSIPlugin,
  escapePluginName,
  LocalVolumePlugin,
  type MountInterface,
  makeTestRoot,
  parseMountInfo,
  RealMounter,
  removeTestRoot,
  type Spec,
  specFromPersistentVolume,
  specName,
  type VolumePlugin,
} from '../../volume/index.ts';
import { FakeVolumePlugin } from '../../volume/testing/index.ts';
import { VolumeManager } from './index.ts';
import { FakePodManager } from './testing/index.ts';

function blockPod(uid: string, claimName: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${uid}`, namespace: 'default', uid },
    spec: {
      nodeName: 'node-1',
      containers: [
        { name: 'c', image: 'busybox', volumeDevices: [{ name: 'raw', devicePath: '/dev/xvda' }] },
      ],
      volumes: [{ name: 'raw', persistentVolumeClaim: { claimName } }],
    },
  };
}

/** Seeds a bound claim and its Block-mode PV (`pv-<claim>`) with the given source. */
function seedClaim(
  store: FakeObjectStore,
  claimName: string,
  source: Partial<PersistentVolume['spec']>,
): void {
  const pvc: PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: claimName, namespace: 'default' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Block',
      resources: { requests: { storage: '16Mi' } },
      volumeName: `pv-${claimName}`,
    },
    status: { phase: 'Bound', capacity: { storage: '16Mi' } },
  };
  const [seeded] = store.seed(Resources.persistentvolumeclaims, pvc);
  const pv: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pv-${claimName}` },
    spec: {
      capacity: { storage: '16Mi' },
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Block',
      claimRef: { namespace: 'default', name: claimName, uid: seeded?.metadata.uid ?? '' },
      ...source,
    },
    status: { phase: 'Bound' },
  };
  store.seed(Resources.persistentvolumes, pv);
}

interface Env {
  clock: FakeClock;
  store: FakeObjectStore;
  recorder: FakeRecorder;
  pods: FakePodManager;
  vm: VolumeManager;
  abort: AbortController;
  running: Promise<void>;
}

const running: Env[] = [];

async function start(opts: {
  root: string;
  plugins: VolumePlugin[];
  mounter: MountInterface;
  store?: FakeObjectStore;
  pods?: FakePodManager;
}): Promise<Env> {
  const clock = new FakeClock();
  const store = opts.store ?? new FakeObjectStore({ clock });
  const recorder = new FakeRecorder();
  const pods = opts.pods ?? new FakePodManager();
  const vm = new VolumeManager({
    client: new InProcessClient(store),
    nodeName: 'node-1',
    rootDir: opts.root,
    plugins: opts.plugins,
    mounter: opts.mounter,
    recorder,
    podManager: pods,
    podStateProvider: pods,
    clock,
  });
  const abort = new AbortController();
  const e: Env = { clock, store, recorder, pods, vm, abort, running: vm.run(abort.signal) };
  running.push(e);
  await vm.waitIdle();
  return e;
}

async function stop(e: Env): Promise<void> {
  e.abort.abort();
  await e.running;
  running.splice(running.indexOf(e), 1);
}

afterEach(async () => {
  for (const e of [...running]) await stop(e);
});

function mountsUnder(root: string): string[] {
  return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .filter((m) => m.path === root || m.path.startsWith(`${root}/`))
    .map((m) => m.path);
}

/** Polls until fn returns a value other than undefined (no timing is asserted). */
async function eventually<T>(fn: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not reached: ${what}`);
}

describe('block volumes on a real loop device (local plugin)', () => {
  let root: string;
  let loop: string;
  const mounter = new RealMounter();

  before(() => {
    root = makeTestRoot('vmblock');
    const img = join(root, 'disk.img');
    writeFileSync(img, Buffer.alloc(0));
    execFileSync('truncate', ['-s', '16M', img]);
    loop = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim();
  });

  after(async () => {
    for (const e of [...running]) await stop(e);
    await removeTestRoot(root);
    if (loop !== undefined && loop !== '') {
      try {
        execFileSync('losetup', ['-d', loop]);
      } catch {
        // already detached
      }
    }
  });

  it('maps the device into the pod and leaves nothing behind when the pod goes', async () => {
    const kubelet = join(root, 'k1');
    const e = await start({ root: kubelet, plugins: [new LocalVolumePlugin()], mounter });
    seedClaim(e.store, 'c1', { local: { path: loop } });
    const p = blockPod('u1', 'c1');
    e.pods.pods.set('u1', p);
    e.vm.podsChanged();
    await e.vm.waitForAttachAndMount(p);

    const link = join(kubelet, 'pods/u1/volumeDevices/kubernetes.io~local-volume/pv-c1');
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), loop);
    assert.ok(statSync(link).isBlockDevice(), 'the pod entry leads to a block device');
    const globalMap = join(kubelet, 'plugins/kubernetes.io/local-volume/volumeDevices/pv-c1');
    assert.deepEqual(mountsUnder(kubelet), [join(globalMap, 'u1')]);
    assert.ok(statSync(join(globalMap, 'u1')).isBlockDevice());
    const info = e.vm.getMountedVolumesForPod('u1').get('raw');
    assert.ok(info?.blockVolumeMapper !== undefined);
    assert.equal(info.mounter, undefined);
    assert.deepEqual(
      e.recorder.events.filter((ev) => ev.includes('MapVolume')),
      [
        `Normal SuccessfulMountVolume MapVolume.MapPodDevice succeeded for volume "pv-c1" globalMapPath ${JSON.stringify(globalMap)}`,
        `Normal SuccessfulMountVolume MapVolume.MapPodDevice succeeded for volume "pv-c1" volumeMapPath ${JSON.stringify(join(kubelet, 'pods/u1/volumeDevices/kubernetes.io~local-volume'))}`,
      ],
    );

    e.pods.pods.delete('u1');
    e.vm.podsChanged();
    await e.vm.waitForUnmount(p);
    await e.vm.waitIdle();
    assert.deepEqual(mountsUnder(kubelet), []);
    assert.equal(existsSync(globalMap), false, 'the global map path is removed');
    assert.equal(existsSync(join(kubelet, 'pods/u1')), false, 'the pod dir is removed');
    assert.equal(e.vm.asw.getAttachedVolumes().length, 0);
  });

  it('unmaps a volume of a pod deleted while the agent was down', async () => {
    const kubelet = join(root, 'k2');
    const first = await start({ root: kubelet, plugins: [new LocalVolumePlugin()], mounter });
    seedClaim(first.store, 'c2', { local: { path: loop } });
    const p = blockPod('u2', 'c2');
    first.pods.pods.set('u2', p);
    first.vm.podsChanged();
    await first.vm.waitForAttachAndMount(p);
    await stop(first);
    const globalMap = join(kubelet, 'plugins/kubernetes.io/local-volume/volumeDevices/pv-c2');
    assert.deepEqual(mountsUnder(kubelet), [join(globalMap, 'u2')], 'still mapped after the stop');

    // Restarted without the pod: reconstruction finds the volumeDevices entry and unmaps it.
    const second = await start({
      root: kubelet,
      plugins: [new LocalVolumePlugin()],
      mounter,
      store: first.store,
    });
    await second.vm.waitIdle();
    assert.deepEqual(mountsUnder(kubelet), []);
    assert.equal(existsSync(globalMap), false);
    assert.equal(existsSync(join(kubelet, 'pods/u2')), false);
  });

  it('cleans up once, without retrying, the volumeDevices marker of a CSI volume whose map stopped before its data was written', async () => {
    // What a kill -9 between ensureMapMarker and setUpDevice leaves: the pod's marker linking to the
    // per-pod map path, no volumeDevices/<pv>/data/vol_data.json, nothing mounted.
    const kubelet = join(root, 'k3');
    const podDevDir = join(kubelet, 'pods/u3/volumeDevices/kubernetes.io~csi');
    await mkdir(podDevDir, { recursive: true });
    const marker = join(podDevDir, 'pv-c3');
    symlinkSync(join(kubelet, 'plugins/kubernetes.io/csi/volumeDevices/pv-c3/dev/u3'), marker);
    const lines: string[] = [];
    configureLogging({ write: (line) => lines.push(line) });
    const drivers = new CSIDriverRegistry();
    try {
      const e = await start({ root: kubelet, plugins: [new CSIPlugin({ drivers })], mounter });
      const outcome = (l: string) =>
        l.includes('pv-c3') &&
        (l.includes('failed to clean up block volume that could not be reconstructed') ||
          l.includes('cleaned up the block volume marker of a volume that was never set up'));
      const first = await eventually(() => lines.find(outcome), 'the cleanup of the marker ran');
      assert.match(first, /cleaned up the block volume marker/);
      for (let i = 0; i < 3; i++) {
        e.vm.podsChanged();
        await e.vm.waitIdle();
      }
      await eventually(() => !existsSync(join(kubelet, 'pods/u3')) || undefined, 'the pod dir is removed');
      assert.deepEqual(lines.filter(outcome), [first], 'cleaned once and not retried');
      assert.deepEqual(mountsUnder(kubelet), []);
    } finally {
      configureLogging({ write: (line) => process.stderr.write(line) });
      drivers.close();
    }
  });
});

type BlockCall = string;

/** A fake plugin with block support that records the mapper calls. */
class FakeBlockPlugin extends FakeVolumePlugin implements BlockVolumePlugin {
  readonly blockCalls: BlockCall[] = [];
  setUpDeviceFailures = 0;
  devicePath = '';

  constructor() {
    super({ name: 'kubernetes.io/fake-block' });
  }

  #globalMapPath(volName: string): string {
    return join(this.host?.getPluginDir(this.name) ?? '', 'volumeDevices', volName);
  }

  #podDir(podUID: string): string {
    return join(this.host?.getPodsDir() ?? '', podUID, 'volumeDevices', escapePluginName(this.name));
  }

  newBlockVolumeMapper(spec: Spec, pod: Pod): BlockVolumeMapper {
    const uid = pod.metadata.uid ?? '';
    const vol = specName(spec);
    return {
      getGlobalMapPath: async () => this.#globalMapPath(vol),
      getPodDeviceMapPath: () => [this.#podDir(uid), vol],
      setUpDevice: async () => {
        this.blockCalls.push(`setUpDevice ${vol}`);
        if (this.setUpDeviceFailures > 0) {
          this.setUpDeviceFailures--;
          throw new Error('staging failed');
        }
        return `/staging/${vol}`;
      },
      mapPodDevice: async () => {
        this.blockCalls.push(`mapPodDevice ${vol} ${uid}`);
        return this.devicePath;
      },
    };
  }

  newBlockVolumeUnmapper(volumeName: string, podUID: string): BlockVolumeUnmapper {
    return {
      getGlobalMapPath: async () => this.#globalMapPath(volumeName),
      getPodDeviceMapPath: () => [this.#podDir(podUID), volumeName],
      unmapPodDevice: async () => {
        this.blockCalls.push(`unmapPodDevice ${volumeName} ${podUID}`);
      },
      tearDownDevice: async (globalMapPath: string) => {
        this.blockCalls.push(
          `tearDownDevice ${volumeName} ${globalMapPath === this.#globalMapPath(volumeName)}`,
        );
      },
    };
  }

  async constructBlockVolumeSpec(_podUID: string, volumeName: string): Promise<Spec> {
    return specFromPersistentVolume({ metadata: { name: volumeName }, spec: { volumeMode: 'Block' } }, false);
  }
}

/** Mounts recorded in memory, so the bind mounts of block volumes show in list(). */
function memoryMounter(): MountInterface & { mounted: Set<string> } {
  const mounted = new Set<string>();
  return {
    mounted,
    mount: async (_s, target) => {
      mounted.add(target);
    },
    unmount: async (target) => {
      mounted.delete(target);
    },
    list: async () =>
      [...mounted].map((path, i) => ({
        device: 'dev',
        path,
        type: 'none',
        opts: [],
        root: '/',
        major: 0,
        minor: 0,
        id: i,
        parentId: 0,
      })),
    isLikelyNotMountPoint: async () => true,
  };
}

describe('block volumes with a fake plugin', () => {
  let root: string;

  before(() => {
    root = makeTestRoot('vmblockfake');
  });

  after(async () => {
    await removeTestRoot(root);
  });

  it('sets the device up once per node, maps it per pod, and tears it down after the last pod', async () => {
    const kubelet = join(root, 'k1');
    const plugin = new FakeBlockPlugin();
    const mounter = memoryMounter();
    const e = await start({ root: kubelet, plugins: [plugin], mounter });
    plugin.devicePath = join(root, 'device');
    await mkdir(root, { recursive: true });
    writeFileSync(plugin.devicePath, '');
    seedClaim(e.store, 'c1', {});
    const a = blockPod('a', 'c1');
    const b = blockPod('b', 'c1');
    e.pods.pods.set('a', a);
    e.pods.pods.set('b', b);
    e.vm.podsChanged();
    await e.vm.waitForAttachAndMount(a);
    await e.vm.waitForAttachAndMount(b);
    assert.deepEqual(plugin.blockCalls.slice(0, 1), ['setUpDevice pv-c1']);
    assert.deepEqual(plugin.blockCalls.slice(1).sort(), ['mapPodDevice pv-c1 a', 'mapPodDevice pv-c1 b']);
    const globalMap = join(kubelet, 'plugins/kubernetes.io/fake-block/volumeDevices/pv-c1');
    assert.deepEqual([...mounter.mounted].sort(), [join(globalMap, 'a'), join(globalMap, 'b')]);
    assert.equal(
      readlinkSync(join(kubelet, 'pods/a/volumeDevices/kubernetes.io~fake-block/pv-c1')),
      plugin.devicePath,
    );
    const [av] = e.vm.asw.getAttachedVolumes();
    assert.equal(av?.volumeMode, 'Block');
    assert.equal(av?.deviceMountPath, globalMap);
    assert.equal(av?.deviceStagePath, '/staging/pv-c1');

    plugin.blockCalls.length = 0;
    e.pods.pods.delete('a');
    e.vm.podsChanged();
    await e.vm.waitForUnmount(a);
    await e.vm.waitIdle();
    assert.deepEqual(plugin.blockCalls, ['unmapPodDevice pv-c1 a'], 'b still maps the device');
    assert.deepEqual([...mounter.mounted], [join(globalMap, 'b')]);
    e.pods.pods.delete('b');
    e.vm.podsChanged();
    await e.vm.waitForUnmount(b);
    await e.vm.waitIdle();
    assert.deepEqual(plugin.blockCalls, [
      'unmapPodDevice pv-c1 a',
      'unmapPodDevice pv-c1 b',
      'tearDownDevice pv-c1 true',
    ]);
    assert.deepEqual([...mounter.mounted], []);
    assert.equal(existsSync(globalMap), false);
    assert.equal(existsSync(join(kubelet, 'pods/b')), false);
  });

  it("records FailedMapVolume with upstream's message when setUpDevice fails, and retries", async () => {
    const kubelet = join(root, 'k2');
    const plugin = new FakeBlockPlugin();
    plugin.setUpDeviceFailures = 1;
    plugin.devicePath = join(root, 'device2');
    writeFileSync(plugin.devicePath, '');
    const e = await start({ root: kubelet, plugins: [plugin], mounter: memoryMounter() });
    seedClaim(e.store, 'c2', {});
    const p = blockPod('p', 'c2');
    e.pods.pods.set('p', p);
    e.vm.podsChanged();
    const mapped = e.vm.waitForAttachAndMount(p);
    await e.vm.waitIdle();
    assert.deepEqual(
      e.recorder.events.filter((ev) => ev.startsWith('Warning')),
      ['Warning FailedMapVolume MapVolume.SetUpDevice failed for volume "pv-c2" : staging failed'],
    );
    assert.ok(
      lstatSync(join(kubelet, 'pods/p/volumeDevices/kubernetes.io~fake-block/pv-c2')).isSymbolicLink(),
      'the pod entry marks the volume for reconstruction before the device is set up',
    );
    // The backoff window (500 ms) ends; the retry succeeds.
    e.clock.step(501);
    await mapped;
    assert.equal(plugin.blockCalls.filter((c) => c.startsWith('setUpDevice')).length, 2);
  });
});
