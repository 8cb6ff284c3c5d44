// The controller as `kvol up` runs it: informers, work queues and workers over an InProcessClient and a
// FakeObjectStore, with the hostPath provisioner on a temporary directory. Also the hostPath plugin on its
// own and the pv_collector metrics.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  type PersistentVolume,
  type PersistentVolumeClaim,
  Resources,
  type StorageClass,
} from '../../api/index.ts';
import { InProcessClient, SharedInformerFactory } from '../../client/index.ts';
import { FakeObjectStore, FakeRecorder } from '../../client/testing/index.ts';
import { FakeClock, metricsRegistry } from '../../component/index.ts';
import {
  AnnBindCompleted,
  AnnBoundByController,
  AnnDynamicallyProvisioned,
  AnnStorageProvisioner,
  PVDeletionInTreeProtectionFinalizer,
} from './annotations.ts';
import { PersistentVolumeController } from './controller.ts';
import { HostPathPluginName, HostPathProvisioner } from './hostpath.ts';
import { isPluginSetupError } from './plugins.ts';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kvol-pv-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Env {
  store: FakeObjectStore;
  client: InProcessClient;
  clock: FakeClock;
  recorder: FakeRecorder;
  ctrl: PersistentVolumeController;
  stop: () => Promise<void>;
}

async function start(): Promise<Env> {
  const clock = new FakeClock();
  const store = new FakeObjectStore({ clock });
  const client = new InProcessClient(store);
  const informers = new SharedInformerFactory(client, { clock });
  const recorder = new FakeRecorder();
  const ctrl = new PersistentVolumeController({ client, informers, recorder, clock, hostPathRoot: root });
  const ac = new AbortController();
  const running = ctrl.run(ac.signal);
  return {
    store,
    client,
    clock,
    recorder,
    ctrl,
    stop: async () => {
      ac.abort();
      await running;
    },
  };
}

/** Lets the controller work (stepping the fake clock while operations sleep) until cond holds. */
async function until(env: Env, what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    await new Promise((r) => setImmediate(r));
    if (cond()) return;
    if (i % 20 === 19) env.clock.step(100);
  }
  assert.fail(`timed out waiting until ${what}`);
}

const hostPathClass = (reclaimPolicy: 'Delete' | 'Retain' = 'Delete'): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'hostpath' },
  provisioner: HostPathPluginName,
  reclaimPolicy,
  volumeBindingMode: 'Immediate',
});

const claim = (name: string): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default' },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
    storageClassName: 'hostpath',
  },
});

describe('PersistentVolumeController with the hostPath provisioner', () => {
  it('provisions a directory for a claim, binds them, and deletes both when the claim is deleted', async () => {
    const env = await start();
    try {
      await env.client.resource(Resources.storageclasses).create(hostPathClass());
      const created = await env.client
        .resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default')
        .create(claim('data'));
      const pvName = `pvc-${created.metadata.uid!}`;
      const claimOf = () =>
        env.store.object<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default', 'data');
      const pvOf = () => env.store.object<PersistentVolume>(Resources.persistentvolumes, undefined, pvName);
      await until(env, 'the claim is Bound', () => claimOf()?.status?.phase === 'Bound');

      const pv = pvOf()!;
      assert.equal(pv.status?.phase, 'Bound');
      assert.equal(pv.spec?.hostPath?.path, join(root, pvName));
      assert.equal(pv.spec?.claimRef?.uid, created.metadata.uid);
      assert.equal(pv.metadata.annotations?.[AnnDynamicallyProvisioned], HostPathPluginName);
      assert.equal(pv.metadata.annotations?.[AnnBoundByController], 'yes');
      assert.deepEqual(pv.metadata.finalizers, [PVDeletionInTreeProtectionFinalizer]);
      assert.ok(existsSync(join(root, pvName)), 'the directory exists');
      const c = claimOf()!;
      assert.equal(c.spec?.volumeName, pvName);
      assert.equal(c.metadata.annotations?.[AnnBindCompleted], 'yes');
      assert.equal(c.metadata.annotations?.[AnnStorageProvisioner], HostPathPluginName);
      assert.deepEqual(c.status?.capacity, { storage: '1Gi' });
      assert.ok(
        env.recorder.events.includes(
          `Normal ProvisioningSucceeded Successfully provisioned volume ${pvName} using ${HostPathPluginName}`,
        ),
        `ProvisioningSucceeded event in ${env.recorder.events.join(' | ')}`,
      );

      const metrics = await metricsRegistry.getSingleMetricAsString('pv_collector_bound_pvc_count');
      assert.match(
        metrics,
        /pv_collector_bound_pvc_count\{namespace="default",storage_class="hostpath",volume_attributes_class=""\} 1/,
      );
      const total = await metricsRegistry.getSingleMetricAsString('pv_collector_total_pv_count');
      assert.match(total, /plugin_name="kubernetes.io\/host-path",volume_mode="Filesystem"\} 1/);

      await writeFile(join(root, pvName, 'file'), 'x');
      await env.client.resource(Resources.persistentvolumeclaims, 'default').delete('data');
      await until(env, 'the volume is deleted', () => pvOf() === undefined);
      assert.ok(!existsSync(join(root, pvName)), 'the directory is gone');
    } finally {
      await env.stop();
    }
  });

  it('keeps a Retain volume Released, with its directory, when the claim is deleted', async () => {
    const env = await start();
    try {
      await env.client.resource(Resources.storageclasses).create(hostPathClass('Retain'));
      const created = await env.client
        .resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default')
        .create(claim('keep'));
      const pvName = `pvc-${created.metadata.uid!}`;
      const pvOf = () => env.store.object<PersistentVolume>(Resources.persistentvolumes, undefined, pvName);
      await until(env, 'the volume is Bound', () => pvOf()?.status?.phase === 'Bound');
      assert.equal(pvOf()?.metadata.finalizers, undefined, 'no deletion finalizer on a Retain volume');
      await env.client.resource(Resources.persistentvolumeclaims, 'default').delete('keep');
      await until(env, 'the volume is Released', () => pvOf()?.status?.phase === 'Released');
      assert.ok(existsSync(join(root, pvName)), 'the directory is kept');
    } finally {
      await env.stop();
    }
  });

  it('recycles a released hostPath volume by emptying its directory', async () => {
    const env = await start();
    try {
      const dir = join(root, 'pv-recycle');
      await mkdir(join(dir, 'sub'), { recursive: true });
      await writeFile(join(dir, 'sub', 'f'), 'x');
      await writeFile(join(dir, '.hidden'), 'x');
      await env.client.resource<PersistentVolume>(Resources.persistentvolumes).create({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'pv-recycle', annotations: { [AnnBoundByController]: 'yes' } },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          hostPath: { path: dir },
          persistentVolumeReclaimPolicy: 'Recycle',
          claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'gone', uid: 'gone-uid' },
        },
      });
      const pvOf = () =>
        env.store.object<PersistentVolume>(Resources.persistentvolumes, undefined, 'pv-recycle');
      await until(env, 'the volume is Available again', () => pvOf()?.status?.phase === 'Available');
      assert.equal(pvOf()?.spec?.claimRef, undefined);
      assert.deepEqual(await readdir(dir), []);
      assert.ok(
        env.recorder.reasons().includes('VolumeRecycled'),
        `VolumeRecycled in ${env.recorder.events.join(' | ')}`,
      );
      assert.ok(
        env.recorder.events.some((e) => e.startsWith('Normal RecyclerPod Recycler pod: ')),
        `RecyclerPod event in ${env.recorder.events.join(' | ')}`,
      );
    } finally {
      await env.stop();
    }
  });

  it('binds a pre-existing Available volume instead of provisioning', async () => {
    const env = await start();
    try {
      await env.client.resource(Resources.storageclasses).create(hostPathClass());
      await env.client.resource<PersistentVolume>(Resources.persistentvolumes).create({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'static' },
        spec: {
          capacity: { storage: '5Gi' },
          accessModes: ['ReadWriteOnce'],
          hostPath: { path: join(root, 'static') },
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: 'hostpath',
        },
      });
      await env.client.resource(Resources.persistentvolumeclaims, 'default').create(claim('pre'));
      const claimOf = () =>
        env.store.object<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default', 'pre');
      await until(env, 'the claim is Bound', () => claimOf()?.status?.phase === 'Bound');
      assert.equal(claimOf()?.spec?.volumeName, 'static');
      assert.deepEqual(claimOf()?.status?.capacity, { storage: '5Gi' });
      assert.equal(env.store.objects(Resources.persistentvolumes).length, 1, 'nothing was provisioned');
    } finally {
      await env.stop();
    }
  });
});

describe('HostPathProvisioner', () => {
  it('refuses block volumes, and deleting or scrubbing outside its root', async () => {
    const p = new HostPathProvisioner({ root });
    await assert.rejects(
      p.provision({
        persistentVolumeReclaimPolicy: 'Delete',
        mountOptions: [],
        pvName: 'pvc-x',
        pvc: { metadata: { name: 'c' }, spec: { volumeMode: 'Block' } },
        parameters: {},
      }),
      (err: unknown) => isPluginSetupError(err),
    );
    const outside: PersistentVolume = { metadata: { name: 'o' }, spec: { hostPath: { path: tmpdir() } } };
    await assert.rejects(p.delete(outside), /only supports/);
    await assert.rejects(
      p.recycle(outside, () => {}),
      /only supports/,
    );
    const escaping: PersistentVolume = {
      metadata: { name: 'e' },
      spec: { hostPath: { path: join(root, '..', 'x') } },
    };
    await assert.rejects(p.delete(escaping), /only supports/);
  });

  it('sets node affinity when given a node name', async () => {
    const p = new HostPathProvisioner({ root, nodeName: 'node-a' });
    const pv = await p.provision({
      persistentVolumeReclaimPolicy: 'Retain',
      mountOptions: [],
      pvName: 'pvc-y',
      pvc: { metadata: { name: 'c' }, spec: { resources: { requests: { storage: '2Gi' } } } },
      parameters: {},
    });
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values, [
      'node-a',
    ]);
    assert.deepEqual(pv.spec?.accessModes, ['ReadWriteOnce']);
    assert.deepEqual(pv.spec?.capacity, { storage: '2Gi' });
    await p.delete(pv);
    await p.delete(pv); // idempotent
    assert.ok(!existsSync(join(root, 'pvc-y')), 'the directory is gone');
  });
});
