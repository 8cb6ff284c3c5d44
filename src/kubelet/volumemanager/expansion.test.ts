// Node expansion and volume stats through the VolumeManager, over a FakeObjectStore + InProcessClient,
// a fake clock and a fake node-expandable plugin: online expansion triggered by a PV/PVC update (no
// polling), offline expansion during the mount, failure with FileSystemResizeFailed and a retry after
// the backoff, and kubelet_volume_stats_* for a PVC-backed volume (labels, values, the cache).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import {
  type PersistentVolume,
  type PersistentVolumeClaim,
  type PersistentVolumeClaimStatus,
  type Pod,
  Resources,
} from '../../api/index.ts';
import { InProcessClient } from '../../client/index.ts';
import { FakeObjectStore, FakeRecorder } from '../../client/testing/index.ts';
import { FakeClock, metricsRegistry } from '../../component/index.ts';
import type {
  Metrics,
  Mounter,
  NodeExpandableVolumePlugin,
  Spec,
  VolumeOptions,
} from '../../volume/index.ts';
import { FakeVolumePlugin } from '../../volume/testing/index.ts';
import { VolumeManager, VolumeStatsMetric } from './index.ts';
import { FakePodManager, noMounts } from './testing/index.ts';

type ExpandArgs = Parameters<NodeExpandableVolumePlugin['nodeExpand']>[0];

/** A fake plugin that grows filesystems on the node and reports usage figures. */
class ExpandablePlugin extends FakeVolumePlugin implements NodeExpandableVolumePlugin {
  readonly expandCalls: ExpandArgs[] = [];
  failures = 0;
  metricsCalls = 0;
  metrics: Metrics = {
    capacity: 2048,
    available: 1024,
    used: 1024,
    inodes: 100,
    inodesFree: 60,
    inodesUsed: 40,
    abnormal: false,
  };

  requiresFSResize(): boolean {
    return true;
  }

  async nodeExpand(opts: ExpandArgs): Promise<boolean> {
    this.expandCalls.push(opts);
    if (this.failures > 0) {
      this.failures--;
      throw new Error('resize2fs: device busy');
    }
    return true;
  }

  override newMounter(spec: Spec, pod: Pod, opts: VolumeOptions): Mounter {
    const m = super.newMounter(spec, pod, opts);
    return Object.assign(m, {
      getMetrics: async (): Promise<Metrics> => {
        this.metricsCalls++;
        return this.metrics;
      },
    });
  }
}

function claimPod(uid: string, claimName: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${uid}`, namespace: 'default', uid },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  };
}

function claim(name: string, status: PersistentVolumeClaimStatus): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      volumeName: `pv-${name}`,
    },
    status: { phase: 'Bound', ...status },
  };
}

function volume(claimName: string, capacity: string): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pv-${claimName}` },
    spec: {
      capacity: { storage: capacity },
      accessModes: ['ReadWriteOnce'],
      hostPath: { path: '/tmp/x' },
      claimRef: { namespace: 'default', name: claimName, uid: `uid-${claimName}` },
    },
    status: { phase: 'Bound' },
  };
}

interface Env {
  root: string;
  store: FakeObjectStore;
  client: InProcessClient;
  clock: FakeClock;
  recorder: FakeRecorder;
  plugin: ExpandablePlugin;
  pods: FakePodManager;
  vm: VolumeManager;
  abort: AbortController;
  running: Promise<void>;
}

const envs: Env[] = [];

async function start(): Promise<Env> {
  const root = mkdtempSync(join(tmpdir(), 'kvol-vmexp-'));
  const clock = new FakeClock();
  const store = new FakeObjectStore({ clock });
  const client = new InProcessClient(store);
  const recorder = new FakeRecorder();
  const plugin = new ExpandablePlugin();
  const pods = new FakePodManager();
  const vm = new VolumeManager({
    client,
    nodeName: 'node-1',
    rootDir: root,
    plugins: [plugin],
    mounter: noMounts,
    recorder,
    podManager: pods,
    podStateProvider: pods,
    clock,
    volumeStatsMaxAgeMs: 5_000,
  });
  const abort = new AbortController();
  const running = vm.run(abort.signal);
  await vm.waitIdle();
  const e = { root, store, client, clock, recorder, plugin, pods, vm, abort, running };
  envs.push(e);
  return e;
}

/** Lets watch events and passes run until `cond` holds (no clock movement). */
async function until(e: Env, cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await e.vm.waitIdle();
    await new Promise<void>((r) => setImmediate(r));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function mountClaimPod(e: Env, status: PersistentVolumeClaimStatus, pvCap: string): Promise<Pod> {
  const [seeded] = e.store.seed(Resources.persistentvolumeclaims, claim('c1', status));
  const pv = volume('c1', pvCap);
  pv.spec!.claimRef!.uid = seeded?.metadata.uid ?? '';
  e.store.seed(Resources.persistentvolumes, pv);
  const p = claimPod('u1', 'c1');
  e.pods.pods.set('u1', p);
  e.vm.podsChanged();
  await e.vm.waitForAttachAndMount(p);
  await e.vm.waitIdle();
  return p;
}

/** The resizer grew the volume: the PV's capacity is `size` now. */
async function growPV(e: Env, size: string): Promise<void> {
  const pvs = e.client.resource<PersistentVolume>(Resources.persistentvolumes);
  const pv = await pvs.get('pv-c1');
  await pvs.update({ ...pv, spec: { ...pv.spec, capacity: { storage: size } } });
}

/** Updates the status of claim c1 with what `change` returns. */
async function updateClaimStatus(
  e: Env,
  change: (status: PersistentVolumeClaimStatus) => PersistentVolumeClaimStatus,
): Promise<void> {
  const pvcs = e.client.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default');
  const c = await pvcs.get('c1');
  await pvcs.updateStatus({ ...c, status: change(c.status ?? {}) });
}

function getClaim(e: Env): PersistentVolumeClaim {
  const c = e.store.objects<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default')[0];
  assert.ok(c !== undefined);
  return c;
}

afterEach(async () => {
  for (const e of envs.splice(0)) {
    e.abort.abort();
    await e.running;
    rmSync(e.root, { recursive: true, force: true });
  }
});

describe('node expansion', () => {
  it('grows a mounted volume when its PV grows and the claim waits for the node, and records it on the claim', async () => {
    const e = await start();
    await mountClaimPod(e, { capacity: { storage: '1Gi' } }, '1Gi');
    assert.equal(e.plugin.expandCalls.length, 0, 'nothing to grow at mount');
    // The resizer grew the volume: PV capacity first, then the claim asks the node to finish.
    await growPV(e, '2Gi');
    await updateClaimStatus(e, (status) => ({
      ...status,
      allocatedResources: { storage: '2Gi' },
      conditions: [
        { type: 'Resizing', status: 'False' },
        { type: 'FileSystemResizePending', status: 'True' },
      ],
    }));
    await until(e, () => getClaim(e).status?.capacity?.storage === '2Gi', 'the claim capacity');
    assert.equal(e.plugin.expandCalls.length, 1);
    const call = e.plugin.expandCalls[0]!;
    assert.equal(call.newSize, '2Gi');
    assert.equal(call.oldSize, '1Gi');
    assert.equal(call.deviceMountPath, join(e.root, 'pods/u1/volumes/kubernetes.io~fake-plugin/pv-c1'));
    assert.equal(call.spec.persistentVolume?.metadata.name, 'pv-c1');
    const after = getClaim(e);
    assert.equal(after.status?.conditions, undefined, 'resize conditions removed');
    assert.deepEqual(after.status?.allocatedResources, { storage: '2Gi' });
    const success = e.recorder.recorded.filter((r) => r.reason === 'FileSystemResizeSuccessful');
    assert.deepEqual(
      success.map((r) => `${r.type} ${r.object.metadata.name} ${r.message}`),
      [
        'Normal pod-u1 MountVolume.NodeExpandVolume succeeded for volume "pv-c1"',
        'Normal c1 MountVolume.NodeExpandVolume succeeded for volume "pv-c1"',
      ],
    );
    // Settled: no further expansion.
    await e.vm.waitIdle();
    e.clock.step(10_000);
    await e.vm.waitIdle();
    assert.equal(e.plugin.expandCalls.length, 1);
  });

  it('does not grow a volume whose claim does not wait for the node', async () => {
    const e = await start();
    await mountClaimPod(e, { capacity: { storage: '1Gi' } }, '1Gi');
    await growPV(e, '2Gi');
    await until(
      e,
      () => e.vm.dsw.getVolumesToMount()[0]?.desiredPersistentVolumeSize === '2Gi',
      'the PV size in the desired state',
    );
    await e.vm.waitIdle();
    assert.equal(e.plugin.expandCalls.length, 0);
  });

  it('grows the volume during the mount when the claim already waits for the node (offline)', async () => {
    const e = await start();
    await mountClaimPod(
      e,
      { capacity: { storage: '1Gi' }, allocatedResourceStatuses: { storage: 'NodeResizePending' } },
      '3Gi',
    );
    assert.equal(e.plugin.expandCalls.length, 1);
    assert.equal(e.plugin.expandCalls[0]?.newSize, '3Gi');
    assert.equal(e.plugin.expandCalls[0]?.oldSize, '1Gi');
    const c = getClaim(e);
    assert.equal(c.status?.capacity?.storage, '3Gi');
    assert.equal(c.status?.allocatedResourceStatuses, undefined);
    await e.vm.waitIdle();
    assert.equal(e.plugin.expandCalls.length, 1, 'the mounted volume is not grown again');
  });

  it('records FileSystemResizeFailed and retries the expansion after the backoff', async () => {
    const e = await start();
    await mountClaimPod(e, { capacity: { storage: '1Gi' } }, '1Gi');
    e.plugin.failures = 1;
    await growPV(e, '2Gi');
    await updateClaimStatus(e, (status) => ({
      ...status,
      conditions: [{ type: 'FileSystemResizePending', status: 'True' }],
    }));
    await until(e, () => e.plugin.expandCalls.length === 1, 'the first expansion');
    await e.vm.waitIdle();
    assert.deepEqual(
      e.recorder.recorded
        .filter((r) => r.reason === 'FileSystemResizeFailed')
        .map((r) => `${r.type} ${r.object.metadata.name} ${r.message}`),
      [
        'Warning pod-u1 MountVolume.NodeExpandVolume failed for volume "pv-c1" : resize2fs: device busy',
        'Warning c1 MountVolume.NodeExpandVolume failed for volume "pv-c1" : resize2fs: device busy',
      ],
    );
    assert.equal(getClaim(e).status?.capacity?.storage, '1Gi');
    e.clock.step(499);
    await e.vm.waitIdle();
    assert.equal(e.plugin.expandCalls.length, 1, 'inside the backoff window');
    e.clock.step(2);
    await until(e, () => getClaim(e).status?.capacity?.storage === '2Gi', 'the retried expansion');
    assert.equal(e.plugin.expandCalls.length, 2);
  });
});

describe('kubelet_volume_stats_*', () => {
  async function scrape(name: string): Promise<string> {
    return (await metricsRegistry.getSingleMetricAsString(name))
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`))
      .join('\n');
  }

  /** The sample of claim default/c1 in gauge `name`. */
  function claimSample(name: string, value: number): string {
    return `${name}{namespace="default",persistentvolumeclaim="c1"} ${value}`;
  }

  it('shows the PVC-backed volumes of running pods with namespace and claim labels, measured at most every few seconds', async () => {
    const e = await start();
    const p = await mountClaimPod(e, { capacity: { storage: '1Gi' } }, '1Gi');
    // A pod volume that is not a claim is not reported.
    for (const [metric, name, value] of [
      [VolumeStatsMetric.capacityBytes, 'kubelet_volume_stats_capacity_bytes', 2048],
      [VolumeStatsMetric.availableBytes, 'kubelet_volume_stats_available_bytes', 1024],
      [VolumeStatsMetric.usedBytes, 'kubelet_volume_stats_used_bytes', 1024],
      [VolumeStatsMetric.inodes, 'kubelet_volume_stats_inodes', 100],
      [VolumeStatsMetric.inodesFree, 'kubelet_volume_stats_inodes_free', 60],
      [VolumeStatsMetric.inodesUsed, 'kubelet_volume_stats_inodes_used', 40],
      [VolumeStatsMetric.healthStatusAbnormal, 'kubelet_volume_stats_health_status_abnormal', 0],
    ] as const) {
      assert.equal(await scrape(metric), claimSample(name, value));
    }
    assert.equal(e.plugin.metricsCalls, 1, 'one measurement serves every gauge of a scrape');
    e.plugin.metrics = { ...e.plugin.metrics, used: 1500, abnormal: true };
    await scrape(VolumeStatsMetric.usedBytes);
    assert.equal(e.plugin.metricsCalls, 1, 'cached within the max age');
    e.clock.step(5_000);
    assert.equal(
      await scrape(VolumeStatsMetric.usedBytes),
      claimSample('kubelet_volume_stats_used_bytes', 1500),
    );
    assert.equal(
      await scrape(VolumeStatsMetric.healthStatusAbnormal),
      claimSample('kubelet_volume_stats_health_status_abnormal', 1),
    );
    assert.equal(e.plugin.metricsCalls, 2);
    assert.match(
      await metricsRegistry.getSingleMetricAsString('volume_manager_total_volumes'),
      /volume_manager_total_volumes\{plugin_name="kubernetes.io\/fake-plugin",state="actual_state_of_world"\} 1/,
    );
    // The pod goes: its claim is no longer reported.
    e.pods.pods.delete('u1');
    e.vm.podsChanged();
    await e.vm.waitForUnmount(p);
    e.clock.step(5_000);
    assert.equal(await scrape(VolumeStatsMetric.capacityBytes), '');
  });
});
