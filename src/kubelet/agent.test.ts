// Node agent tests over a FakeObjectStore + InProcessClient, a fake clock and FakeVolumePlugin: node
// registration, lease renewal, a pod reaching Running, FailedMount after the wait timeout, the
// deletion flow (volumes torn down before the pod object is deleted), emptyDir sizeLimit eviction and
// the node annotation when the agent attaches and detaches itself.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { type Lease, type Node, type Pod, Resources } from '../api/index.ts';
import { InProcessClient } from '../client/index.ts';
import { FakeObjectStore, FakeRecorder } from '../client/testing/index.ts';
import { FakeClock } from '../component/index.ts';
import { FakeVolumePlugin } from '../volume/testing/index.ts';
import { type MachineInfo, NodeAgent, type NodeAgentOptions } from './index.ts';
import { noMounts } from './volumemanager/testing/index.ts';

const machine: MachineInfo = {
  cpus: 2,
  memoryBytes: 8 * 1024 ** 3,
  ephemeralStorageBytes: 100 * 1024 ** 3,
  internalIP: '10.0.0.7',
  hostname: 'host',
  machineID: 'm',
  bootID: 'b',
  kernelVersion: '6.1.0',
  osImage: 'Debian',
  architecture: 'amd64',
};

interface Env {
  root: string;
  store: FakeObjectStore;
  client: InProcessClient;
  clock: FakeClock;
  recorder: FakeRecorder;
  plugin: FakeVolumePlugin;
  agent: NodeAgent;
  abort: AbortController;
  running: Promise<void>;
}

let env: Env | undefined;

async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  // Real I/O (the fake plugin's directories) runs in the thread pool: poll, bounded by 10 s.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.fail(`timed out waiting until ${what}`);
}

async function start(
  extra: Partial<NodeAgentOptions> = {},
  seed?: (s: FakeObjectStore) => void,
): Promise<Env> {
  const root = mkdtempSync(join(tmpdir(), 'kvol-agent-'));
  const clock = new FakeClock();
  const store = new FakeObjectStore({ clock });
  const client = new InProcessClient(store);
  const recorder = new FakeRecorder();
  const plugin = new FakeVolumePlugin();
  seed?.(store);
  const agent = new NodeAgent({
    client,
    nodeName: 'node-1',
    rootDir: root,
    plugins: [plugin],
    mounter: noMounts,
    clock,
    recorder,
    machineInfo: machine,
    ...extra,
  });
  const abort = new AbortController();
  const running = agent.run(abort.signal);
  env = { root, store, client, clock, recorder, plugin, agent, abort, running };
  await until(
    'the node is registered',
    () => store.object(Resources.nodes, undefined, 'node-1') !== undefined,
  );
  return env;
}

afterEach(async () => {
  if (env === undefined) return;
  env.abort.abort();
  await env.running;
  rmSync(env.root, { recursive: true, force: true });
  env = undefined;
});

function pod(name: string, uid: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid },
    spec: {
      nodeName: 'node-1',
      containers: [
        { name: 'app', image: 'busybox:1.36', volumeMounts: [{ name: 'cache', mountPath: '/cache' }] },
      ],
      volumes: [{ name: 'cache', emptyDir: {} }],
    },
  };
}

const getPod = (e: Env, name: string) => e.store.object<Pod>(Resources.pods, 'default', name);

describe('NodeAgent', () => {
  it('registers its Node with labels, the attach/detach annotation, capacity and a Ready condition', async () => {
    const e = await start();
    await until('the node is Ready', () =>
      (e.store.object<Node>(Resources.nodes, undefined, 'node-1')?.status?.conditions ?? []).some(
        (c) => c.type === 'Ready',
      ),
    );
    const node = e.store.object<Node>(Resources.nodes, undefined, 'node-1')!;
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'node-1');
    assert.equal(node.metadata.labels?.['kubernetes.io/os'], 'linux');
    assert.equal(
      node.metadata.annotations?.['volumes.kubernetes.io/controller-managed-attach-detach'],
      'true',
    );
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual(
      [ready?.status, ready?.reason, ready?.message],
      ['True', 'KubeletReady', 'kubelet is posting ready status'],
    );
    assert.equal(node.status?.capacity?.cpu, '2');
    assert.equal(node.status?.capacity?.memory, '8388608Ki');
    assert.equal(node.status?.allocatable?.memory, '8286208Ki');
    assert.deepEqual(node.status?.addresses, [
      { type: 'InternalIP', address: '10.0.0.7' },
      { type: 'Hostname', address: 'node-1' },
    ]);
  });

  it('renews its Lease in kube-node-lease every 10 s', async () => {
    const e = await start();
    const lease = () => e.store.object<Lease>(Resources.leases, 'kube-node-lease', 'node-1');
    await until('the lease exists', () => lease() !== undefined);
    const first = lease()!;
    assert.equal(first.spec?.holderIdentity, 'node-1');
    assert.equal(first.spec?.leaseDurationSeconds, 40);
    assert.equal(first.spec?.renewTime, '2026-01-01T00:00:00.000000Z');
    assert.equal(first.metadata.ownerReferences?.[0]?.kind, 'Node');
    e.clock.step(10_000);
    await until('the lease is renewed', () => lease()?.spec?.renewTime === '2026-01-01T00:00:10.000000Z');
  });

  it('runs a pod once its volumes are mounted, with Kubernetes conditions and container statuses', async () => {
    const e = await start();
    e.store.seed(Resources.pods, pod('web', 'uid-web'));
    await until('the pod is Running', () => getPod(e, 'web')?.status?.phase === 'Running');
    const uid = getPod(e, 'web')!.metadata.uid!;
    const s = getPod(e, 'web')!.status!;
    assert.deepEqual(Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c.status])), {
      PodReadyToStartContainers: 'True',
      Initialized: 'True',
      Ready: 'True',
      ContainersReady: 'True',
      PodScheduled: 'True',
    });
    assert.equal(s.hostIP, '10.0.0.7');
    assert.equal(s.startTime, '2026-01-01T00:00:00Z');
    const c = s.containerStatuses?.[0];
    assert.deepEqual(
      [c?.name, c?.ready, c?.started, c?.image, c?.imageID, c?.containerID, c?.state?.running?.startedAt],
      ['app', true, true, 'busybox:1.36', 'busybox:1.36', `kvol://${uid}/app`, '2026-01-01T00:00:00Z'],
    );
    assert.ok(existsSync(join(e.root, `pods/${uid}/volumes/kubernetes.io~fake-plugin/cache`)));
    assert.deepEqual(
      e.recorder.recorded.filter((r) => r.object.kind === 'Pod').map((r) => r.reason),
      [],
      'a successful SetUp is logged, not recorded as an event (as upstream)',
    );
  });

  it('emits FailedMount with the unmounted volumes once the wait times out', async () => {
    const e = await start();
    e.plugin.injectError('setUp', new Error('broken'), { times: 1_000_000 });
    e.store.seed(Resources.pods, pod('web', 'uid-web'));
    await until('the pod is Pending', () => getPod(e, 'web')?.status?.phase === 'Pending');
    assert.equal(
      getPod(e, 'web')?.status?.containerStatuses?.[0]?.state?.waiting?.reason,
      'ContainerCreating',
    );
    await until('the set-up failed', () => e.plugin.callsOf('setUp').length > 0);
    e.clock.step(123_000);
    await until('the timeout event', () =>
      e.recorder.events.includes(
        'Warning FailedMount Unable to attach or mount volumes: unmounted volumes=[cache], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition',
      ),
    );
    assert.ok(
      e.recorder.events.includes('Warning FailedMount MountVolume.SetUp failed for volume "cache" : broken'),
    );
  });

  it("tears a deleted pod's volumes down before deleting the pod object with grace period 0", async () => {
    const e = await start();
    const p = pod('web', 'uid-web');
    p.metadata.finalizers = ['test/hold'];
    e.store.seed(Resources.pods, p);
    await until('the pod is Running', () => getPod(e, 'web')?.status?.phase === 'Running');
    const uid = getPod(e, 'web')!.metadata.uid!;
    assert.ok(existsSync(join(e.root, `pods/${uid}`)));
    const pods = e.client.resource<Pod>(Resources.pods, 'default');
    await pods.delete('web');
    e.store.calls = [];
    await until('the agent deletes the pod', () =>
      e.store.calls.some((c) => c.verb === 'delete' && c.name === 'web'),
    );
    assert.deepEqual(
      e.plugin.callsOf('tearDown').map((c) => c.volumeName),
      ['cache'],
    );
    const cur = await pods.get('web');
    await pods.update({ ...cur, metadata: { ...cur.metadata, finalizers: [] } });
    await until('the pod is gone', () => getPod(e, 'web') === undefined);
    await until('the pod dir is removed', () => !existsSync(join(e.root, `pods/${uid}`)));
  });
});

describe('NodeAgent eviction of pods over their emptyDir sizeLimit', () => {
  function limited(
    name: string,
    uid: string,
    volumes: NonNullable<NonNullable<Pod['spec']>['volumes']>,
  ): Pod {
    const p = pod(name, uid);
    p.spec!.volumes = volumes;
    p.spec!.containers[0]!.volumeMounts = volumes.map((v) => ({
      name: v.name,
      mountPath: `/${v.name}`,
    }));
    return p;
  }

  it('evicts a pod whose disk-backed emptyDir holds more than its limit, as the eviction manager does', async () => {
    const measured: string[] = [];
    const usage = new Map<string, number>();
    const e = await start({
      measureVolumeUsage: async (path) => {
        measured.push(path);
        return usage.get(path.split('/').pop() ?? '') ?? 0;
      },
    });
    e.store.seed(
      Resources.pods,
      limited('hog', 'uid-hog', [
        { name: 'scratch', emptyDir: { sizeLimit: '1Mi' } },
        { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      ]),
    );
    e.store.seed(
      Resources.pods,
      limited('modest', 'uid-modest', [{ name: 'small', emptyDir: { sizeLimit: '16Mi' } }]),
    );
    e.store.seed(Resources.pods, limited('unlimited', 'uid-unlimited', [{ name: 'free', emptyDir: {} }]));
    await until('the pods run', () =>
      ['hog', 'modest', 'unlimited'].every((n) => getPod(e, n)?.status?.phase === 'Running'),
    );
    usage.set('scratch', 2 * 1024 * 1024);
    usage.set('mem', 64 * 1024 * 1024);
    usage.set('small', 2 * 1024 * 1024);
    usage.set('free', 1024 ** 3);
    e.clock.step(10_000);
    await until('the pod is Failed', () => getPod(e, 'hog')?.status?.phase === 'Failed');
    const message = 'Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". ';
    const s = getPod(e, 'hog')!.status!;
    assert.deepEqual([s.reason, s.message], ['Evicted', message]);
    assert.equal(s.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
    assert.deepEqual(
      (s.conditions ?? []).filter((c) => c.type === 'Ready').map((c) => [c.status, c.reason]),
      [['False', 'PodFailed']],
    );
    assert.ok(e.recorder.events.includes(`Warning Evicted ${message}`), e.recorder.events.join('\n'));
    await until('its volumes are torn down', () =>
      e.plugin.callsOf('tearDown').some((c) => c.volumeName === 'scratch'),
    );
    assert.equal(getPod(e, 'modest')?.status?.phase, 'Running');
    assert.equal(getPod(e, 'unlimited')?.status?.phase, 'Running');
    assert.ok(!measured.some((p) => p.endsWith('/mem')), 'memory-backed emptyDirs are not measured');
    assert.ok(!measured.some((p) => p.endsWith('/free')), 'emptyDirs without a limit are not measured');
    assert.ok(measured.some((p) => p.endsWith('/small')));

    // Later passes leave the evicted pod alone: one event only.
    e.clock.step(10_000);
    await until('another pass measured', () => measured.filter((p) => p.endsWith('/small')).length >= 2);
    assert.equal(e.recorder.events.filter((x) => x.startsWith('Warning Evicted')).length, 1);
  });

  it('never evicts a system-critical pod', async () => {
    const e = await start({ measureVolumeUsage: async () => 1024 ** 3 });
    const p = limited('critical', 'uid-critical', [{ name: 'scratch', emptyDir: { sizeLimit: '1Mi' } }]);
    p.spec!.priority = 2_000_000_000;
    e.store.seed(Resources.pods, p);
    await until('the pod runs', () => getPod(e, 'critical')?.status?.phase === 'Running');
    e.clock.step(10_000);
    await e.agent.synchronizeEviction();
    assert.equal(getPod(e, 'critical')?.status?.phase, 'Running');
    assert.ok(!e.recorder.events.some((x) => x.startsWith('Warning Evicted')));
  });
});

describe('NodeAgent without an attach/detach controller', () => {
  it('registers its Node without the controller-managed annotation and removes a stale one', async () => {
    const e = await start({ enableControllerAttachDetach: false }, (store) =>
      store.seed(Resources.nodes, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: 'node-1',
          annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', keep: 'me' },
        },
      }),
    );
    await until('the annotation is gone', () => {
      const a = e.store.object<Node>(Resources.nodes, undefined, 'node-1')?.metadata.annotations ?? {};
      return a['volumes.kubernetes.io/controller-managed-attach-detach'] === undefined;
    });
    const node = e.store.object<Node>(Resources.nodes, undefined, 'node-1')!;
    assert.equal(node.metadata.annotations?.['keep'], 'me');
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'node-1');
  });
});

describe('NodeAgent and CSI drivers', () => {
  it('registers the kubernetes.io/csi plugin and retries the CSI volumes at once when a driver registers or goes', async () => {
    const e = await start({ enablePluginRegistration: false });
    await until('the volume manager runs', () => {
      try {
        e.agent.volumeManager.pluginMgr.findPluginByName('kubernetes.io/csi');
        return true;
      } catch {
        return false;
      }
    });
    const calls: (string | undefined)[] = [];
    const vm = e.agent.volumeManager;
    const original = vm.pluginsChanged.bind(vm);
    vm.pluginsChanged = (name?: string) => {
      calls.push(name);
      original(name);
    };
    e.agent.csiDrivers.set('hostpath.csi.example.io', {
      endpoint: join(e.root, 'csi.sock'),
      highestSupportedVersion: '1.0.0',
    });
    e.agent.csiDrivers.delete('hostpath.csi.example.io');
    assert.deepEqual(calls, ['kubernetes.io/csi', 'kubernetes.io/csi']);
  });
});
