// Reconstruction of CSI filesystem volumes after an agent restart, with the real kubernetes.io/csi
// plugin over a recording CSI driver on a unix socket and real bind mounts: the restarted volume
// manager rebuilds the volume from the `vol_data.json` beside the pod's `mount` dir (never from inside
// the user's volume), and a pod deleted while the agent was down is unpublished and unstaged.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type PersistentVolume, type PersistentVolumeClaim, type Pod, Resources } from '../../api/index.ts';
import { InProcessClient } from '../../client/index.ts';
import { FakeObjectStore, FakeRecorder } from '../../client/testing/index.ts';
import { FakeClock, metricsRegistry } from '../../component/index.ts';
import { CSIDriverRegistry } from '../../csi/index.ts';
import { CSIPlugin, makeTestRoot, parseMountInfo, RealMounter, removeTestRoot } from '../../volume/index.ts';
import { FakeCSIDriver } from '../../volume/testing/index.ts';
import { getVolumesFromPodDir, VolumeManager } from './index.ts';
import { FakePodManager } from './testing/index.ts';

function mountsUnder(root: string): string[] {
  return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .filter((m) => m.path === root || m.path.startsWith(`${root}/`))
    .map((m) => m.path);
}

function seed(store: FakeObjectStore, driver: string): Pod {
  store.seed(Resources.csidrivers, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name: driver },
    spec: { attachRequired: false },
  });
  const pvc: PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      volumeName: 'pv-data',
    },
    status: { phase: 'Bound', capacity: { storage: '1Gi' } },
  };
  const [claim] = store.seed(Resources.persistentvolumeclaims, pvc);
  const pv: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-data' },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      claimRef: { namespace: 'default', name: 'data', uid: claim?.metadata.uid ?? '' },
      csi: { driver, volumeHandle: 'vol-1' },
    },
    status: { phase: 'Bound' },
  };
  store.seed(Resources.persistentvolumes, pv);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'pod-1' },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
    },
  };
}

describe('CSI volumes across an agent restart', () => {
  const root = makeTestRoot('vmcsirecon');
  const drivers = new CSIDriverRegistry();
  const driver = new FakeCSIDriver({ dir: join(root, 'driver'), name: 'recon.csi.example.com' });
  const plugins: CSIPlugin[] = [];
  after(async () => {
    for (const p of plugins) p.close();
    drivers.close();
    driver.stop();
    await removeTestRoot(root);
  });

  async function startVM(store: FakeObjectStore, pods: FakePodManager, kubelet: string) {
    const plugin = new CSIPlugin({ drivers });
    plugins.push(plugin);
    const vm = new VolumeManager({
      client: new InProcessClient(store),
      nodeName: 'node-1',
      rootDir: kubelet,
      plugins: [plugin],
      mounter: new RealMounter(),
      recorder: new FakeRecorder(),
      podManager: pods,
      podStateProvider: pods,
      clock: new FakeClock(),
    });
    const abort = new AbortController();
    const running = vm.run(abort.signal);
    await vm.waitIdle();
    const stop = async (): Promise<void> => {
      abort.abort();
      await running;
    };
    return { vm, stop };
  }

  it('unpublishes and unstages a volume of a pod deleted while the agent was down', async () => {
    await driver.start();
    drivers.set(driver.name, { endpoint: driver.socketPath, highestSupportedVersion: '1.0.0' });
    const kubelet = join(root, 'kubelet');
    const store = new FakeObjectStore();
    const pod = seed(store, driver.name);
    const pods = new FakePodManager();
    pods.pods.set('pod-1', pod);
    const first = await startVM(store, pods, kubelet);
    first.vm.podsChanged();
    await first.vm.waitForAttachAndMount(pod);
    await first.stop();
    assert.equal(mountsUnder(kubelet).length, 2, 'staged and published while the agent is down');

    const found = await getVolumesFromPodDir(join(kubelet, 'pods'));
    assert.deepEqual(
      found.map((v) => [v.volumeDir, v.volumePath]),
      [
        [
          join(kubelet, 'pods/pod-1/volumes/kubernetes.io~csi/pv-data'),
          join(kubelet, 'pods/pod-1/volumes/kubernetes.io~csi/pv-data/mount'),
        ],
      ],
    );

    // Restarted without the pod: the volume is reconstructed from vol_data.json and torn down fully.
    pods.pods.delete('pod-1');
    driver.calls.length = 0;
    const second = await startVM(store, pods, kubelet);
    await second.vm.waitIdle();
    await second.stop();
    assert.deepEqual(
      driver.calls.map((c) => c.method).filter((m) => m !== 'NodeGetCapabilities'),
      ['NodeUnpublishVolume', 'NodeUnstageVolume'],
    );
    assert.deepEqual(mountsUnder(kubelet), []);
    const text = await metricsRegistry.metrics();
    assert.match(text, /^reconstruct_volume_operations_total 1$/m, 'one volume was reconstructed');
    assert.match(text, /^reconstruct_volume_operations_errors_total 0$/m);
  });
});
