// The kubernetes.io/csi plugin against a real gRPC CSI node server on a unix socket (FakeCSIDriver,
// which bind-mounts for real) and an in-memory API (FakeObjectStore through InProcessClient).
// Every test has its own root; `after` unmounts everything under the roots and removes them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type {
  CSIDriver,
  CSIDriverSpec,
  PersistentVolume,
  PersistentVolumeSpec,
  Pod,
  Secret,
  VolumeAttachment,
} from '../../api/index.ts';
import { Resources } from '../../api/index.ts';
import { InProcessClient } from '../../client/index.ts';
import { FakeObjectStore } from '../../client/testing/index.ts';
import { CSIDriverRegistry } from '../../csi/index.ts';
import { FakeVolumeHost } from '../testing/index.ts';
import { isMountPoint, makeTestRoot, RealMounter, removeTestRoot } from '../util/mount/index.ts';
import {
  isTransientOperationFailure,
  isUncertainProgressError,
  type Spec,
  specFromPersistentVolume,
  specFromVolume,
} from '../volume.ts';
import {
  type CSIAttacher,
  CSIPlugin,
  isCSINodeExpandError,
  isVolumeAttachmentError,
  probeVolumePlugins,
  supportsFSGroup,
} from './index.ts';
import { FakeCSIDriver, type FakeNodeCapability } from './testing/index.ts';

const DRIVER = 'fake.csi.kvol.io';
const NODE = 'node-1';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

interface Env {
  root: string;
  kubelet: string;
  store: FakeObjectStore;
  client: InProcessClient;
  host: FakeVolumeHost;
  drivers: CSIDriverRegistry;
  driver: FakeCSIDriver;
  plugin: CSIPlugin;
}

const envs: Env[] = [];

after(async () => {
  for (const e of envs) {
    e.plugin.close();
    e.drivers.close();
    e.driver.stop();
    await removeTestRoot(e.root);
  }
});

async function makeEnv(
  opts: { caps?: FakeNodeCapability[]; csiDriver?: CSIDriverSpec | null; register?: boolean } = {},
): Promise<Env> {
  const root = makeTestRoot('csiplugin');
  const kubelet = join(root, 'kubelet');
  const store = new FakeObjectStore();
  const client = new InProcessClient(store);
  if (opts.csiDriver !== null) {
    // Default: no attach, so tests that do not test attach need no VolumeAttachment.
    const spec: CSIDriverSpec = opts.csiDriver ?? { attachRequired: false };
    store.seed(Resources.csidrivers, csiDriverObj(spec));
  }
  const driver = new FakeCSIDriver({
    dir: join(root, 'driver'),
    name: DRIVER,
    capabilities: opts.caps ?? ['STAGE_UNSTAGE_VOLUME'],
  });
  await driver.start();
  const drivers = new CSIDriverRegistry();
  if (opts.register !== false)
    drivers.set(DRIVER, { endpoint: driver.socketPath, highestSupportedVersion: '1.0.0' });
  const host = new FakeVolumeHost({ rootDir: kubelet, mounter: new RealMounter(), nodeName: NODE, client });
  const plugin = new CSIPlugin({ drivers, attachTimeoutMs: 20_000 });
  const errs = await host.initPlugins([plugin]);
  assert.deepEqual(errs, []);
  const env = { root, kubelet, store, client, host, drivers, driver, plugin };
  envs.push(env);
  return env;
}

function csiDriverObj(spec: CSIDriverSpec): CSIDriver {
  return { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: DRIVER }, spec };
}

function makePV(
  name: string,
  handle: string,
  extra: Partial<PersistentVolumeSpec> = {},
  csi: object = {},
): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      ...extra,
      csi: { driver: DRIVER, volumeHandle: handle, fsType: 'ext4', volumeAttributes: { foo: 'bar' }, ...csi },
    },
  };
}

function makePod(uid: string, name = 'pod1'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns1', uid },
    spec: { containers: [], serviceAccountName: 'sa1' },
  };
}

function secret(namespace: string, name: string, data: Record<string, string>): Secret {
  const enc: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) enc[k] = b64(v);
  return { apiVersion: 'v1', kind: 'Secret', metadata: { namespace, name }, data: enc };
}

function readJSON(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Polls until fn returns a value other than undefined/false (no timing is asserted). */
async function eventually<T>(fn: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition not reached');
}

async function rejectsWith(
  p: Promise<unknown>,
  check: (err: unknown) => boolean,
  what: string,
): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    assert.ok(
      check(err),
      `${what}: got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
    return err;
  }
  assert.fail(`${what}: did not reject`);
}

describe('kubernetes.io/csi plugin', () => {
  it('is named kubernetes.io/csi, supports PV and inline csi sources and names volumes driver^handle', async () => {
    const e = await makeEnv();
    const [p] = probeVolumePlugins({ drivers: e.drivers });
    assert.equal(p?.name, 'kubernetes.io/csi');
    const spec = specFromPersistentVolume(makePV('pv1', 'vol-1'), false);
    assert.ok(e.plugin.canSupport(spec));
    assert.ok(e.plugin.canSupport(specFromVolume({ name: 'v', csi: { driver: DRIVER } })));
    assert.ok(!e.plugin.canSupport(specFromVolume({ name: 'v', emptyDir: {} })));
    assert.equal(e.plugin.getVolumeName(spec), `${DRIVER}^vol-1`);
    assert.throws(() => e.plugin.getVolumeName(specFromVolume({ name: 'v', csi: { driver: DRIVER } })));
    assert.ok(e.plugin.requiresFSResize());
    assert.ok(e.plugin.supportsMountOption());
  });

  it('stages at globalmount and publishes at the pod mount dir, writing vol_data.json beside each, and tears down in reverse', async () => {
    const e = await makeEnv();
    e.store.seed(Resources.secrets, secret('sns', 'stage-secret', { key: 'stage-value' }));
    const pv = makePV(
      'pv1',
      'vol-1',
      { mountOptions: ['noatime'] },
      { nodeStageSecretRef: { name: 'stage-secret', namespace: 'sns' } },
    );
    const spec = specFromPersistentVolume(pv, false);
    const pod = makePod('uid-1');
    const dm = e.plugin.newDeviceMounter();
    const globalmount = await dm.getDeviceMountPath(spec);
    assert.equal(
      globalmount,
      join(e.kubelet, 'plugins/kubernetes.io/csi', DRIVER, sha('vol-1'), 'globalmount'),
    );
    await dm.mountDevice(spec, '', globalmount, {});
    assert.ok(await isMountPoint(e.host.mounter, globalmount));
    assert.deepEqual(readJSON(join(globalmount, '..', 'vol_data.json')), {
      volumeHandle: 'vol-1',
      driverName: DRIVER,
    });
    const stage = e.driver.callsOf('NodeStageVolume')[0]?.request;
    assert.equal(stage.volume_id, 'vol-1');
    assert.equal(stage.staging_target_path, globalmount);
    assert.deepEqual(stage.secrets, { key: 'stage-value' });
    assert.deepEqual(stage.volume_context, { foo: 'bar' });
    assert.deepEqual(stage.publish_context, {});
    assert.equal(stage.volume_capability.mount.fs_type, 'ext4');
    assert.deepEqual(stage.volume_capability.mount.mount_flags, ['noatime']);
    assert.equal(stage.volume_capability.access_mode.mode, 'SINGLE_NODE_WRITER');
    assert.deepEqual(await e.plugin.getDeviceMountRefs(globalmount), []);

    const mounter = e.plugin.newMounter(spec, pod, {});
    const target = mounter.getPath();
    assert.equal(target, join(e.kubelet, 'pods/uid-1/volumes/kubernetes.io~csi/pv1/mount'));
    await mounter.setUp({});
    assert.ok(await isMountPoint(e.host.mounter, target));
    assert.deepEqual(readJSON(join(target, '..', 'vol_data.json')), {
      specVolID: 'pv1',
      volumeHandle: 'vol-1',
      driverName: DRIVER,
      nodeName: NODE,
      volumeLifecycleMode: 'Persistent',
      attachmentID: `csi-${sha(`vol-1${DRIVER}${NODE}`)}`,
    });
    const pub = e.driver.callsOf('NodePublishVolume')[0]?.request;
    assert.equal(pub.staging_target_path, globalmount);
    assert.equal(pub.target_path, target);
    assert.equal(pub.readonly, false);
    assert.deepEqual(pub.volume_context, { foo: 'bar' });
    assert.deepEqual(await e.plugin.getDeviceMountRefs(globalmount), [target]);
    writeFileSync(join(target, 'hello'), 'world');
    assert.equal(readFileSync(join(e.driver.volumeDir('vol-1'), 'hello'), 'utf8'), 'world');
    assert.deepEqual(mounter.getAttributes(), { readOnly: false, managed: true, seLinuxRelabel: false });

    await e.plugin.newUnmounter('pv1', 'uid-1').tearDown();
    assert.ok(!existsSync(join(target, '..')), 'the pod volume dir, json and mount dir are gone');
    await e.plugin.newDeviceUnmounter().unmountDevice(globalmount);
    assert.ok(!existsSync(join(globalmount, '..')), 'globalmount, its json and parent are gone');
    assert.deepEqual(
      e.driver.calls.map((c) => c.method).filter((m) => m !== 'NodeGetCapabilities'),
      ['NodeStageVolume', 'NodePublishVolume', 'NodeUnpublishVolume', 'NodeUnstageVolume'],
    );
    assert.equal(readFileSync(join(e.driver.volumeDir('vol-1'), 'hello'), 'utf8'), 'world');
    // Idempotent: a second teardown finds nothing to do.
    await e.plugin.newUnmounter('pv1', 'uid-1').tearDown();
    await e.plugin.newDeviceUnmounter().unmountDevice(globalmount);
  });

  it('skips NodeStage for a driver without STAGE_UNSTAGE_VOLUME but keeps the dir and json for UnmountDevice', async () => {
    const e = await makeEnv({ caps: [] });
    const spec = specFromPersistentVolume(makePV('pv1', 'vol-1'), false);
    const dm = e.plugin.newDeviceMounter();
    const globalmount = await dm.getDeviceMountPath(spec);
    await dm.mountDevice(spec, '', globalmount, {});
    assert.ok(existsSync(globalmount));
    assert.ok(existsSync(join(globalmount, '..', 'vol_data.json')));
    const mounter = e.plugin.newMounter(spec, makePod('uid-1'), {});
    await mounter.setUp({});
    const pub = e.driver.callsOf('NodePublishVolume')[0]?.request;
    assert.equal(pub.staging_target_path, '');
    assert.ok(await isMountPoint(e.host.mounter, mounter.getPath()));
    await e.plugin.newUnmounter('pv1', 'uid-1').tearDown();
    await e.plugin.newDeviceUnmounter().unmountDevice(globalmount);
    assert.ok(!existsSync(join(globalmount, '..')));
    assert.equal(e.driver.callsOf('NodeStageVolume').length, 0);
    assert.equal(e.driver.callsOf('NodeUnstageVolume').length, 0);
  });

  it('adds pod info to volume_context only while the CSIDriver says podInfoOnMount, reading the object afresh', async () => {
    const e = await makeEnv({ caps: [], csiDriver: { attachRequired: false, podInfoOnMount: true } });
    const spec = specFromPersistentVolume(makePV('pv1', 'vol-1'), false);
    await e.plugin.newMounter(spec, makePod('uid-1'), {}).setUp({});
    assert.deepEqual(e.driver.callsOf('NodePublishVolume')[0]?.request.volume_context, {
      foo: 'bar',
      'csi.storage.k8s.io/pod.name': 'pod1',
      'csi.storage.k8s.io/pod.namespace': 'ns1',
      'csi.storage.k8s.io/pod.uid': 'uid-1',
      'csi.storage.k8s.io/serviceAccount.name': 'sa1',
      'csi.storage.k8s.io/ephemeral': 'false',
    });
    await e.client
      .resource<CSIDriver>(Resources.csidrivers)
      .update(csiDriverObj({ attachRequired: false, podInfoOnMount: false }));
    await e.plugin.newMounter(spec, makePod('uid-2', 'pod2'), {}).setUp({});
    assert.deepEqual(e.driver.callsOf('NodePublishVolume')[1]?.request.volume_context, { foo: 'bar' });
    await e.plugin.newUnmounter('pv1', 'uid-1').tearDown();
    await e.plugin.newUnmounter('pv1', 'uid-2').tearDown();
  });

  it('decides fsGroup ownership as upstream supportsFSGroup does', () => {
    const rwo = specFromPersistentVolume(makePV('pv', 'h', { accessModes: ['ReadWriteOnce'] }), false);
    const rwop = specFromPersistentVolume(makePV('pv', 'h', { accessModes: ['ReadWriteOncePod'] }), false);
    const rwx = specFromPersistentVolume(makePV('pv', 'h', { accessModes: ['ReadWriteMany'] }), false);
    const noModes = specFromPersistentVolume(
      { ...makePV('pv', 'h'), spec: { csi: { driver: DRIVER, volumeHandle: 'h' } } },
      false,
    );
    const inline = specFromVolume({ name: 'v', csi: { driver: DRIVER } });
    const table: Array<
      [
        string,
        Spec,
        boolean,
        string,
        number | undefined,
        'None' | 'File' | 'ReadWriteOnceWithFSType',
        boolean,
      ]
    > = [
      ['no fsGroup', rwo, false, 'ext4', undefined, 'File', false],
      ['policy None', rwo, false, 'ext4', 1000, 'None', false],
      ['read-only mount', rwo, true, 'ext4', 1000, 'File', false],
      ['policy File without fsType', rwx, false, '', 1000, 'File', true],
      ['RWOWithFSType without fsType', rwo, false, '', 1000, 'ReadWriteOnceWithFSType', false],
      [
        'RWOWithFSType, PV without access modes',
        noModes,
        false,
        'ext4',
        1000,
        'ReadWriteOnceWithFSType',
        false,
      ],
      ['RWOWithFSType, RWX PV', rwx, false, 'ext4', 1000, 'ReadWriteOnceWithFSType', false],
      ['RWOWithFSType, RWO PV', rwo, false, 'ext4', 1000, 'ReadWriteOnceWithFSType', true],
      ['RWOWithFSType, RWOP PV', rwop, false, 'ext4', 1000, 'ReadWriteOnceWithFSType', true],
      ['RWOWithFSType, inline volume', inline, false, 'ext4', 1000, 'ReadWriteOnceWithFSType', true],
    ];
    for (const [name, spec, ro, fsType, fsGroup, policy, want] of table) {
      assert.equal(supportsFSGroup(spec, ro, fsType, fsGroup, policy), want, name);
    }
  });

  it('applies fsGroup itself under policy File, and delegates it to a driver with VOLUME_MOUNT_GROUP', async () => {
    const e = await makeEnv({ caps: [], csiDriver: { attachRequired: false, fsGroupPolicy: 'File' } });
    const spec = specFromPersistentVolume(makePV('pv1', 'vol-1'), false);
    const m1 = e.plugin.newMounter(spec, makePod('uid-1'), {});
    await m1.setUp({ fsGroup: 4321 });
    assert.equal(statSync(m1.getPath()).gid, 4321);
    assert.equal(
      e.driver.callsOf('NodePublishVolume')[0]?.request.volume_capability.mount.volume_mount_group,
      '',
    );

    const e2 = await makeEnv({
      caps: ['VOLUME_MOUNT_GROUP'],
      csiDriver: { attachRequired: false, fsGroupPolicy: 'File' },
    });
    const m2 = e2.plugin.newMounter(
      specFromPersistentVolume(makePV('pv2', 'vol-2'), false),
      makePod('uid-2'),
      {},
    );
    await m2.setUp({ fsGroup: 4321 });
    assert.equal(
      e2.driver.callsOf('NodePublishVolume')[0]?.request.volume_capability.mount.volume_mount_group,
      '4321',
    );
    assert.notEqual(statSync(m2.getPath()).gid, 4321, 'kubelet did not chown a delegated volume');
    await e.plugin.newUnmounter('pv1', 'uid-1').tearDown();
    await e2.plugin.newUnmounter('pv2', 'uid-2').tearDown();
  });

  it('publishes read-only when the spec is read-only', async () => {
    const e = await makeEnv({ caps: [] });
    const m = e.plugin.newMounter(
      specFromPersistentVolume(makePV('pv1', 'vol-1'), true),
      makePod('uid-1'),
      {},
    );
    await m.setUp({ fsGroup: 1000 });
    assert.equal(e.driver.callsOf('NodePublishVolume')[0]?.request.readonly, true);
    assert.deepEqual(m.getAttributes(), { readOnly: true, managed: false, seLinuxRelabel: false });
    assert.throws(() => writeFileSync(join(m.getPath(), 'x'), 'y'), /EROFS/);
    await e.plugin.newUnmounter('pv1', 'uid-1').tearDown();
  });

  it('publishes an ephemeral inline volume when the CSIDriver lists Ephemeral', async () => {
    const e = await makeEnv({
      caps: ['STAGE_UNSTAGE_VOLUME'],
      csiDriver: {
        attachRequired: false,
        podInfoOnMount: true,
        volumeLifecycleModes: ['Persistent', 'Ephemeral'],
      },
    });
    e.store.seed(Resources.secrets, secret('ns1', 'pub', { token: 't0k' }));
    const spec = specFromVolume({
      name: 'scratch',
      csi: {
        driver: DRIVER,
        volumeAttributes: { size: '1Mi' },
        nodePublishSecretRef: { name: 'pub' },
        readOnly: false,
      },
    });
    assert.equal(e.plugin.canAttach(spec), false);
    assert.equal(e.plugin.canDeviceMount(spec), false);
    const m = e.plugin.newMounter(spec, makePod('uid-e'), {});
    await m.setUp({});
    const pub = e.driver.callsOf('NodePublishVolume')[0]?.request;
    assert.equal(pub.volume_id, `csi-${sha('uid-escratch')}`);
    assert.equal(pub.staging_target_path, '');
    assert.deepEqual(pub.secrets, { token: 't0k' });
    assert.equal(pub.volume_context.size, '1Mi');
    assert.equal(pub.volume_context['csi.storage.k8s.io/ephemeral'], 'true');
    const dir = join(e.kubelet, 'pods/uid-e/volumes/kubernetes.io~csi/scratch');
    assert.equal(
      (readJSON(join(dir, 'vol_data.json')) as Record<string, string>).volumeLifecycleMode,
      'Ephemeral',
    );
    const rec = await e.plugin.constructVolumeSpec('scratch', dir);
    assert.deepEqual(rec.spec.volume, { name: 'scratch', csi: { driver: DRIVER } });
    await e.plugin.newUnmounter('scratch', 'uid-e').tearDown();
    assert.ok(!existsSync(dir));
  });

  it('refuses an ephemeral inline volume the CSIDriver does not allow, with upstream messages', async () => {
    const spec = specFromVolume({ name: 'scratch', csi: { driver: DRIVER } });
    const e = await makeEnv({
      caps: [],
      csiDriver: { attachRequired: false, volumeLifecycleModes: ['Persistent'] },
    });
    await rejectsWith(
      e.plugin.newMounter(spec, makePod('uid-1'), {}).setUp({}),
      (err) =>
        isTransientOperationFailure(err) &&
        err.message.includes(
          `volume mode "Ephemeral" not supported by driver ${DRIVER} (only supports ["Persistent"])`,
        ),
      'mode not listed',
    );
    const e2 = await makeEnv({ caps: [], csiDriver: null });
    await rejectsWith(
      e2.plugin.newMounter(spec, makePod('uid-1'), {}).setUp({}),
      (err) => err instanceof Error && err.message.includes('(no CSIDriver object)'),
      'no CSIDriver',
    );
    assert.equal(
      e.driver.callsOf('NodePublishVolume').length + e2.driver.callsOf('NodePublishVolume').length,
      0,
    );
  });

  it('asks for remounts when the CSIDriver says requiresRepublish, and refuses drivers that want service account tokens', async () => {
    const e = await makeEnv({
      caps: [],
      csiDriver: { attachRequired: false, requiresRepublish: true, tokenRequests: [{ audience: 'vault' }] },
    });
    const spec = specFromPersistentVolume(makePV('pv1', 'vol-1'), false);
    await eventually(() => e.plugin.requiresRemount(spec));
    await rejectsWith(
      e.plugin.newMounter(spec, makePod('uid-1'), {}).setUp({}),
      (err) => err instanceof Error && err.message.includes('spec.tokenRequests'),
      'tokenRequests',
    );
    assert.equal(e.driver.callsOf('NodePublishVolume').length, 0);
    await e.client.resource<CSIDriver>(Resources.csidrivers).update(csiDriverObj({ attachRequired: false }));
    await eventually(() => !e.plugin.requiresRemount(spec) || undefined);
    await e.plugin.newMounter(spec, makePod('uid-1'), {}).setUp({});
    await e.plugin.newUnmounter('pv1', 'uid-1').tearDown();
  });

  it('attaches through a VolumeAttachment that the attacher marks attached, and detaches by deleting it', async () => {
    const e = await makeEnv({ csiDriver: null });
    const spec = specFromPersistentVolume(makePV('pv1', 'vol-1'), false);
    assert.equal(e.plugin.canAttach(spec), true, 'a missing CSIDriver means attach required');
    const attachID = `csi-${sha(`vol-1${DRIVER}${NODE}`)}`;
    const vas = e.client.resource<VolumeAttachment>(Resources.volumeattachments);
    const attaching = e.plugin.newAttacher().attach(spec, NODE);
    const va = await eventually(() =>
      e.store.object<VolumeAttachment>(Resources.volumeattachments, undefined, attachID),
    );
    assert.equal(attachID.length, 68);
    assert.deepEqual(va.spec, { attacher: DRIVER, nodeName: NODE, source: { persistentVolumeName: 'pv1' } });
    await vas.updateStatus({ ...va, status: { attached: true, attachmentMetadata: { dev: '/dev/fake0' } } });
    assert.equal(await attaching, '');
    assert.equal(await e.plugin.newAttacher().attach(spec, NODE), '', 'attach again: AlreadyExists is fine');
    assert.equal(await e.plugin.newAttacher().waitForAttach(spec, '', makePod('uid-1'), 10_000), attachID);
    const attached = await e.plugin.newAttacher().volumesAreAttached([spec], NODE);
    assert.equal(attached.get(spec), true);

    const dm = e.plugin.newDeviceMounter();
    const globalmount = await dm.getDeviceMountPath(spec);
    await dm.mountDevice(spec, '', globalmount, {});
    assert.deepEqual(e.driver.callsOf('NodeStageVolume')[0]?.request.publish_context, { dev: '/dev/fake0' });
    const m = e.plugin.newMounter(spec, makePod('uid-1'), {});
    await m.setUp({});
    assert.deepEqual(e.driver.callsOf('NodePublishVolume')[0]?.request.publish_context, {
      dev: '/dev/fake0',
    });
    await e.plugin.newUnmounter('pv1', 'uid-1').tearDown();
    await e.plugin.newDeviceUnmounter().unmountDevice(globalmount);

    await e.plugin.newDetacher().detach(e.plugin.getVolumeName(spec), NODE);
    assert.equal(e.store.object(Resources.volumeattachments, undefined, attachID), undefined);
    await e.plugin.newDetacher().detach(e.plugin.getVolumeName(spec), NODE); // already gone: fine
  });

  it('fails attach with the VolumeAttachment attachError and detach with its detachError', async () => {
    const e = await makeEnv({ csiDriver: null });
    const spec = specFromPersistentVolume(makePV('pv2', 'vol-2'), false);
    const attachID = `csi-${sha(`vol-2${DRIVER}${NODE}`)}`;
    const vas = e.client.resource<VolumeAttachment>(Resources.volumeattachments);
    const attaching = e.plugin.newAttacher().attach(spec, NODE);
    const va = await eventually(() =>
      e.store.object<VolumeAttachment>(Resources.volumeattachments, undefined, attachID),
    );
    await vas.updateStatus({ ...va, status: { attached: false, attachError: { message: 'no such disk' } } });
    const err = await rejectsWith(attaching, isVolumeAttachmentError, 'attachError');
    assert.equal((err as Error).message, 'no such disk');

    // A finalizer keeps the object while the attacher fails to detach.
    const cur = await vas.get(attachID);
    await vas.update({
      ...cur,
      metadata: { ...cur.metadata, finalizers: ['external-attacher/fake-csi-kvol-io'] },
    });
    const detaching = e.plugin.newDetacher().detach(`${DRIVER}^vol-2`, NODE);
    await eventually(async () => (await vas.get(attachID)).metadata.deletionTimestamp != null);
    const cur2 = await vas.get(attachID);
    await vas.updateStatus({ ...cur2, status: { attached: true, detachError: { message: 'still in use' } } });
    const derr = await rejectsWith(detaching, isVolumeAttachmentError, 'detachError');
    assert.equal((derr as Error).message, 'still in use');
  });

  it('creates no VolumeAttachment once the CSIDriver says attachRequired: false', async () => {
    const e = await makeEnv({ csiDriver: { attachRequired: true } });
    const spec = specFromPersistentVolume(makePV('pv1', 'vol-1'), false);
    await eventually(() => e.plugin.canAttach(spec));
    await e.client.resource<CSIDriver>(Resources.csidrivers).update(csiDriverObj({ attachRequired: false }));
    await eventually(() => !e.plugin.canAttach(spec) || undefined);
    assert.equal(await e.plugin.newAttacher().attach(spec, NODE), '');
    assert.deepEqual(e.store.objects(Resources.volumeattachments), []);
  });

  it('keeps the dirs and reports uncertain progress on a timeout-like error, and removes them on a final one', async () => {
    const e = await makeEnv();
    const spec = specFromPersistentVolume(makePV('pv1', 'vol-1'), false);
    const dm = e.plugin.newDeviceMounter();
    const globalmount = await dm.getDeviceMountPath(spec);
    e.driver.failNext('NodeStageVolume', grpc.status.INVALID_ARGUMENT, 'bad capability');
    await rejectsWith(
      dm.mountDevice(spec, '', globalmount, {}),
      (err) => !isUncertainProgressError(err),
      'final stage',
    );
    assert.ok(!existsSync(join(globalmount, '..')), 'final: globalmount and json removed');
    e.driver.failNext('NodeStageVolume', grpc.status.DEADLINE_EXCEEDED, 'slow disk');
    await rejectsWith(dm.mountDevice(spec, '', globalmount, {}), isUncertainProgressError, 'uncertain stage');
    assert.ok(existsSync(join(globalmount, '..', 'vol_data.json')), 'uncertain: json kept');
    await dm.mountDevice(spec, '', globalmount, {});

    const m = e.plugin.newMounter(spec, makePod('uid-1'), {});
    const parent = join(m.getPath(), '..');
    e.driver.failNext('NodePublishVolume', grpc.status.NOT_FOUND, 'no volume');
    await rejectsWith(
      m.setUp({}),
      (err) => !isUncertainProgressError(err) && err instanceof Error,
      'final publish',
    );
    assert.ok(!existsSync(parent), 'final: pod volume dir removed');
    e.driver.failNext('NodePublishVolume', grpc.status.UNAVAILABLE, 'driver restarting');
    await rejectsWith(m.setUp({}), isUncertainProgressError, 'uncertain publish');
    assert.ok(existsSync(join(parent, 'vol_data.json')), 'uncertain: json kept for teardown');
    await e.plugin.newUnmounter('pv1', 'uid-1').tearDown();
    assert.ok(!existsSync(parent));
    await e.plugin.newDeviceUnmounter().unmountDevice(globalmount);
  });

  it('fails transiently when the driver is not registered, and cancels calls with an aborted signal', async () => {
    const e = await makeEnv({ register: false });
    const spec = specFromPersistentVolume(makePV('pv1', 'vol-1'), false);
    const m = e.plugin.newMounter(spec, makePod('uid-1'), {});
    await rejectsWith(
      m.setUp({}),
      (err) =>
        isTransientOperationFailure(err) &&
        err.message.includes(`driver name ${DRIVER} not found in the list of registered CSI drivers`),
      'unregistered driver',
    );
    // Waiting for an attach ends when the caller's signal aborts.
    await e.client.resource<CSIDriver>(Resources.csidrivers).delete(DRIVER);
    const ac = new AbortController();
    const attaching = (e.plugin.newAttacher() as CSIAttacher).attach(spec, NODE, { signal: ac.signal });
    await eventually(() => e.store.objects(Resources.volumeattachments).length === 1);
    ac.abort(new Error('shutting down'));
    await rejectsWith(
      attaching,
      (err) => err instanceof Error && err.message === 'shutting down',
      'aborted attach',
    );
  });

  it('reconstructs a PV spec from vol_data.json whose device mount path matches the original', async () => {
    const e = await makeEnv();
    const spec = specFromPersistentVolume(makePV('pv1', 'vol-1'), false);
    const dm = e.plugin.newDeviceMounter();
    const globalmount = await dm.getDeviceMountPath(spec);
    await dm.mountDevice(spec, '', globalmount, {});
    await e.plugin.newMounter(spec, makePod('uid-1'), {}).setUp({});
    const fresh = new CSIPlugin({ drivers: e.drivers });
    await fresh.init(e.host);
    try {
      // init waited for the CSIDriver list: the restarted plugin knows attach is not required.
      assert.equal(fresh.canAttach(spec), false);
      const rec = await fresh.constructVolumeSpec(
        'pv1',
        join(e.kubelet, 'pods/uid-1/volumes/kubernetes.io~csi/pv1'),
      );
      assert.deepEqual(rec.spec.persistentVolume?.spec?.csi, { driver: DRIVER, volumeHandle: 'vol-1' });
      assert.equal(rec.spec.persistentVolume?.metadata.name, 'pv1');
      assert.equal(await fresh.newDeviceMounter().getDeviceMountPath(rec.spec), globalmount);
      assert.equal(fresh.getVolumeName(rec.spec), e.plugin.getVolumeName(spec));
      await fresh.newUnmounter('pv1', 'uid-1').tearDown();
      await fresh.newDeviceUnmounter().unmountDevice(globalmount);
    } finally {
      fresh.close();
    }
  });

  it('reports volume stats and health through NodeGetVolumeStats only when the node has GET_VOLUME_STATS', async () => {
    const e = await makeEnv({ caps: [] });
    const spec = specFromPersistentVolume(makePV('pv1', 'vol-1'), false);
    const m = e.plugin.newMounter(spec, makePod('uid-1'), {});
    await m.setUp({});
    assert.equal(await m.getMetrics?.(), undefined);
    e.driver.capabilities = new Set(['GET_VOLUME_STATS', 'VOLUME_CONDITION']);
    e.drivers.set(DRIVER, { endpoint: e.driver.socketPath, highestSupportedVersion: '1.0.0' }); // re-registration
    e.driver.volumeCondition = { abnormal: true, message: 'disk is failing' };
    const metrics = await m.getMetrics?.();
    assert.ok(metrics !== undefined);
    assert.ok(metrics.capacity > 0 && metrics.available > 0 && (metrics.inodes ?? 0) > 0);
    assert.equal(metrics.abnormal, true);
    assert.equal(metrics.message, 'disk is failing');
    assert.equal(e.driver.callsOf('NodeGetVolumeStats')[0]?.request.volume_path, m.getPath());
    await e.plugin.newUnmounter('pv1', 'uid-1').tearDown();
  });

  it('expands on the node with NodeExpandVolume only when the node has EXPAND_VOLUME', async () => {
    const e = await makeEnv({ caps: ['STAGE_UNSTAGE_VOLUME'] });
    e.store.seed(Resources.secrets, secret('sns', 'exp', { k: 'v' }));
    const pv = makePV('pv1', 'vol-1', {}, { nodeExpandSecretRef: { name: 'exp', namespace: 'sns' } });
    const spec = specFromPersistentVolume(pv, false);
    const args = { spec, deviceMountPath: '/target', newSize: '2Gi', oldSize: '1Gi' };
    assert.equal(await e.plugin.nodeExpand(args), true);
    assert.equal(e.driver.callsOf('NodeExpandVolume').length, 0);

    const e2 = await makeEnv({ caps: ['STAGE_UNSTAGE_VOLUME', 'EXPAND_VOLUME'] });
    e2.store.seed(Resources.secrets, secret('sns', 'exp', { k: 'v' }));
    assert.equal(await e2.plugin.nodeExpand(args), true);
    const req = e2.driver.callsOf('NodeExpandVolume')[0]?.request;
    assert.equal(req.volume_id, 'vol-1');
    assert.equal(req.volume_path, '/target');
    assert.equal(req.capacity_range.required_bytes, String(2 * 1024 ** 3));
    assert.equal(
      req.staging_target_path,
      join(e2.kubelet, 'plugins/kubernetes.io/csi', DRIVER, sha('vol-1'), 'globalmount'),
    );
    assert.equal(req.volume_capability.mount.fs_type, 'ext4');
    assert.deepEqual(req.secrets, { k: 'v' });
    e2.driver.failNext('NodeExpandVolume', grpc.status.FAILED_PRECONDITION, 'in use');
    const err = await rejectsWith(e2.plugin.nodeExpand(args), isCSINodeExpandError, 'in use');
    assert.ok(isCSINodeExpandError(err) && err.inUse && !err.infeasible);
  });

  it('maps a block volume: stage dir, per-pod publish file, data json, global and pod map paths, and unmaps in reverse', async () => {
    const e = await makeEnv({ caps: ['STAGE_UNSTAGE_VOLUME'] });
    const spec = specFromPersistentVolume(makePV('pvb', 'vol-b', { volumeMode: 'Block' }), false);
    const pod = makePod('uid-b');
    const vd = join(e.kubelet, 'plugins/kubernetes.io/csi/volumeDevices');
    const mapper = e.plugin.newBlockVolumeMapper(spec, pod);
    assert.equal(await mapper.getGlobalMapPath(spec), join(vd, 'pvb/dev'));
    assert.deepEqual(mapper.getPodDeviceMapPath(), [
      join(e.kubelet, 'pods/uid-b/volumeDevices/kubernetes.io~csi'),
      'pvb',
    ]);
    const staging = await mapper.setUpDevice?.();
    assert.equal(staging, join(vd, 'staging/pvb'));
    const stage = e.driver.callsOf('NodeStageVolume')[0]?.request;
    assert.deepEqual(stage.volume_capability.block, {});
    assert.ok(stage.volume_capability.mount == null);
    const publish = await mapper.mapPodDevice?.();
    assert.equal(publish, join(vd, 'publish/pvb/uid-b'));
    assert.ok(await isMountPoint(e.host.mounter, publish ?? ''));
    const pub = e.driver.callsOf('NodePublishVolume')[0]?.request;
    assert.equal(pub.staging_target_path, staging);
    assert.deepEqual(pub.volume_capability.block, {});
    assert.deepEqual(readJSON(join(vd, 'pvb/data/vol_data.json')), {
      specVolID: 'pvb',
      volumeHandle: 'vol-b',
      driverName: DRIVER,
      nodeName: NODE,
      attachmentID: `csi-${sha(`vol-b${DRIVER}${NODE}`)}`,
    });
    const rec = await e.plugin.constructBlockVolumeSpec(
      'uid-b',
      'pvb',
      join(e.kubelet, 'pods/uid-b/volumeDevices/kubernetes.io~csi/pvb'),
    );
    assert.deepEqual(rec.persistentVolume?.spec, {
      csi: { driver: DRIVER, volumeHandle: 'vol-b' },
      volumeMode: 'Block',
    });

    const unmapper = e.plugin.newBlockVolumeUnmapper('pvb', 'uid-b');
    await unmapper.unmapPodDevice?.();
    assert.ok(!existsSync(publish ?? ''));
    await unmapper.tearDownDevice?.(join(vd, 'pvb/dev'), '');
    assert.ok(!existsSync(join(vd, 'staging/pvb')));
    assert.ok(!existsSync(join(vd, 'publish/pvb')));
    assert.ok(!existsSync(join(vd, 'pvb')));
    assert.deepEqual(
      e.driver.calls.map((c) => c.method).filter((m) => m !== 'NodeGetCapabilities'),
      ['NodeStageVolume', 'NodePublishVolume', 'NodeUnpublishVolume', 'NodeUnstageVolume'],
    );
  });

  it('asks NodeGetVolumeStats for a block volume on the path the driver published, not the per-pod map path', async () => {
    const e = await makeEnv({ caps: ['STAGE_UNSTAGE_VOLUME', 'GET_VOLUME_STATS'] });
    const spec = specFromPersistentVolume(makePV('pvs', 'vol-s', { volumeMode: 'Block' }), false);
    const mapper = e.plugin.newBlockVolumeMapper(spec, makePod('uid-s'));
    await mapper.setUpDevice?.();
    const publish = await mapper.mapPodDevice?.();
    assert.equal(publish, join(e.kubelet, 'plugins/kubernetes.io/csi/volumeDevices/publish/pvs/uid-s'));
    const metrics = await mapper.getMetrics?.();
    assert.ok(metrics !== undefined && metrics.capacity > 0);
    assert.equal(e.driver.callsOf('NodeGetVolumeStats')[0]?.request.volume_path, publish);
    const unmapper = e.plugin.newBlockVolumeUnmapper('pvs', 'uid-s');
    await unmapper.unmapPodDevice?.();
    await unmapper.tearDownDevice?.(await mapper.getGlobalMapPath(spec), '');
  });
});
