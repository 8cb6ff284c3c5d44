// The built-in resizer against a recording CSI driver on a unix socket: controller expansion with and
// without node expansion, the node-only ("trivial") resizer, failures and retries, infeasible sizes,
// secrets, drivers not registered yet and the per-driver switch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  type CSIDriver,
  type PersistentVolume,
  type PersistentVolumeClaim,
  Resources,
  type Secret,
} from '../../api/index.ts';
import type { FakeObjectStore } from '../../client/testing/index.ts';
import { FileSystemResizePendingMessage } from '../expand/index.ts';
import { BuiltinSidecarsAnnotation } from './common.ts';
import { CsiResizer } from './resizer.ts';
import {
  type ControllerEnv,
  controllerEnvPerTest,
  type FakeControllerDriver,
  type FakeControllerDriverOptions,
} from './testing/index.ts';

const DRIVER = 'fake.csi.kvol.io';
/** What the driver advertises unless a case says otherwise. */
const CONTROLLER_CAPABILITIES = ['EXPAND_VOLUME', 'CREATE_DELETE_SNAPSHOT', 'LIST_SNAPSHOTS'];
const GI = 1024 ** 3;

function seedClaim(
  store: FakeObjectStore,
  opts: { request?: string; capacity?: string; pv?: Partial<PersistentVolume['spec']> } = {},
) {
  const [claim] = store.seed(Resources.persistentvolumeclaims, {
    metadata: { name: 'claim-1', namespace: 'default' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: opts.request ?? '2Gi' } },
      volumeName: 'pv-1',
      storageClassName: 'fast',
    },
    status: { phase: 'Bound', capacity: { storage: opts.capacity ?? '1Gi' }, accessModes: ['ReadWriteOnce'] },
  } as PersistentVolumeClaim);
  store.seed(Resources.persistentvolumes, {
    metadata: { name: 'pv-1' },
    spec: {
      capacity: { storage: opts.capacity ?? '1Gi' },
      accessModes: ['ReadWriteOnce'],
      claimRef: {
        kind: 'PersistentVolumeClaim',
        namespace: 'default',
        name: 'claim-1',
        uid: claim?.metadata.uid ?? '',
      },
      csi: { driver: DRIVER, volumeHandle: 'vol-1', fsType: 'ext4' },
      storageClassName: 'fast',
      ...(opts.pv ?? {}),
    },
    status: { phase: 'Bound' },
  } as PersistentVolume);
}

interface Case {
  name: string;
  driver?: Partial<FakeControllerDriverOptions>;
  request?: string;
  capacity?: string;
  pv?: Partial<PersistentVolume['spec']>;
  seed?: (store: FakeObjectStore) => void;
  csiDrivers?: CSIDriver[];
  register?: boolean;
  prepare?: (driver: FakeControllerDriver) => void;
  after?: (env: ControllerEnv) => void;
  expectExpandCalls: number;
  expectPvCapacity: string;
  expectClaim: {
    capacity: string;
    conditions: string[];
    allocated?: string;
    allocatedStatus?: string;
  };
  expectEvents: string[];
  check?: (env: ControllerEnv) => void;
}

const cases: Case[] = [
  {
    name: 'expands with ControllerExpandVolume and leaves the file system to the node when the driver asks',
    expectExpandCalls: 1,
    expectPvCapacity: '2Gi',
    expectClaim: {
      capacity: '1Gi',
      conditions: ['Resizing', 'FileSystemResizePending'],
      allocated: '2Gi',
      allocatedStatus: 'NodeResizePending',
    },
    expectEvents: ['Resizing', 'FileSystemResizeRequired'],
    check: (env) => {
      const req = env.driver.callsOf('ControllerExpandVolume')[0];
      assert.equal(req?.['volume_id'], 'vol-1');
      assert.deepEqual(req?.['capacity_range'], { required_bytes: String(2 * GI), limit_bytes: '0' });
      const cap = req?.['volume_capability'] as {
        mount?: { fs_type?: string };
        access_mode?: { mode?: string };
      };
      assert.equal(cap.mount?.fs_type, 'ext4');
      assert.equal(cap.access_mode?.mode, 'SINGLE_NODE_WRITER');
      const claim = env.store.object<PersistentVolumeClaim>(
        Resources.persistentvolumeclaims,
        'default',
        'claim-1',
      );
      const pending = claim?.status?.conditions?.find((c) => c.type === 'FileSystemResizePending');
      assert.equal(pending?.message, FileSystemResizePendingMessage);
    },
  },
  {
    name: 'finishes the resize on the control plane when no node expansion is needed',
    driver: { nodeExpansionRequired: false },
    expectExpandCalls: 1,
    expectPvCapacity: '2Gi',
    expectClaim: { capacity: '2Gi', conditions: [], allocated: '2Gi' },
    expectEvents: ['Resizing', 'VolumeResizeSuccessful'],
  },
  {
    name: 'only marks the claim for node expansion when the driver expands on the node alone',
    driver: { controllerCapabilities: ['CREATE_DELETE_SNAPSHOT'], nodeCapabilities: ['EXPAND_VOLUME'] },
    expectExpandCalls: 0,
    expectPvCapacity: '2Gi',
    expectClaim: {
      capacity: '1Gi',
      conditions: ['Resizing', 'FileSystemResizePending'],
      allocated: '2Gi',
      allocatedStatus: 'NodeResizePending',
    },
    expectEvents: ['Resizing', 'FileSystemResizeRequired'],
  },
  {
    name: 'retries with backoff after a failed ControllerExpandVolume and then succeeds',
    driver: { nodeExpansionRequired: false },
    prepare: (d) => d.failNext('ControllerExpandVolume', grpc.status.INTERNAL, 'disk busy'),
    expectExpandCalls: 2,
    expectPvCapacity: '2Gi',
    expectClaim: { capacity: '2Gi', conditions: [], allocated: '2Gi' },
    expectEvents: ['Resizing', 'VolumeResizeFailed', 'Resizing', 'VolumeResizeSuccessful'],
    check: (env) => {
      const failed = env.recorder.recorded.find((e) => e.reason === 'VolumeResizeFailed');
      assert.match(
        failed?.message ?? '',
        /resize volume "pv-1" by resizer "fake.csi.kvol.io" failed: .*disk busy/,
      );
      assert.equal(failed?.type, 'Warning');
    },
  },
  {
    name: 'records an infeasible size and does not hammer the driver with it',
    prepare: (d) => d.failNext('ControllerExpandVolume', grpc.status.OUT_OF_RANGE, 'too big'),
    expectExpandCalls: 1,
    expectPvCapacity: '1Gi',
    expectClaim: {
      capacity: '1Gi',
      conditions: ['Resizing', 'ControllerResizeError'],
      allocated: '2Gi',
      allocatedStatus: 'ControllerResizeInfeasible',
    },
    expectEvents: ['Resizing', 'VolumeResizeFailed'],
  },
  {
    name: 'passes the controller-expand secret of the PV',
    driver: { nodeExpansionRequired: false },
    pv: {
      csi: {
        driver: DRIVER,
        volumeHandle: 'vol-1',
        controllerExpandSecretRef: { name: 'exp', namespace: 'kube-system' },
      },
    },
    seed: (store) =>
      store.seed(Resources.secrets, {
        metadata: { name: 'exp', namespace: 'kube-system' },
        data: { password: Buffer.from('s3cret').toString('base64') },
      } as Secret),
    expectExpandCalls: 1,
    expectPvCapacity: '2Gi',
    expectClaim: { capacity: '2Gi', conditions: [], allocated: '2Gi' },
    expectEvents: ['Resizing', 'VolumeResizeSuccessful'],
    check: (env) =>
      assert.deepEqual(env.driver.callsOf('ControllerExpandVolume')[0]?.['secrets'], { password: 's3cret' }),
  },
  {
    name: 'does nothing for a claim that already has the size it asks for',
    request: '1Gi',
    expectExpandCalls: 0,
    expectPvCapacity: '1Gi',
    expectClaim: { capacity: '1Gi', conditions: [] },
    expectEvents: [],
  },
  {
    name: 'leaves a driver whose built-in sidecars are switched off to its own resizer',
    csiDrivers: [
      {
        metadata: { name: DRIVER, annotations: { [BuiltinSidecarsAnnotation]: 'false' } },
        spec: {},
      } as CSIDriver,
    ],
    expectExpandCalls: 0,
    expectPvCapacity: '1Gi',
    expectClaim: { capacity: '1Gi', conditions: [] },
    expectEvents: [],
  },
  {
    name: 'leaves claims alone for a driver that can expand neither on the controller nor on the node',
    driver: { controllerCapabilities: [], nodeCapabilities: [] },
    expectExpandCalls: 0,
    expectPvCapacity: '1Gi',
    expectClaim: { capacity: '1Gi', conditions: [] },
    expectEvents: [],
  },
  {
    name: 'expands once the driver registers',
    register: false,
    driver: { nodeExpansionRequired: false },
    after: (env) => env.register(),
    expectExpandCalls: 1,
    expectPvCapacity: '2Gi',
    expectClaim: { capacity: '2Gi', conditions: [], allocated: '2Gi' },
    expectEvents: ['Resizing', 'VolumeResizeSuccessful'],
  },
];

describe('CsiResizer', () => {
  const start = controllerEnvPerTest();

  for (const c of cases) {
    it(c.name, async () => {
      const env = await start({
        driver: { name: DRIVER, controllerCapabilities: CONTROLLER_CAPABILITIES, ...(c.driver ?? {}) },
        register: c.register ?? true,
        ...(c.csiDrivers !== undefined ? { csiDrivers: c.csiDrivers } : {}),
        seed: (store) => {
          c.seed?.(store);
          seedClaim(store, {
            ...(c.request !== undefined ? { request: c.request } : {}),
            ...(c.capacity !== undefined ? { capacity: c.capacity } : {}),
            ...(c.pv !== undefined ? { pv: c.pv } : {}),
          });
        },
        ...(c.prepare !== undefined ? { prepare: c.prepare } : {}),
        controllers: (deps) => [new CsiResizer(deps)],
      });
      if (c.after !== undefined) {
        c.after(env);
        await env.settle();
      }
      assert.equal(env.driver.callsOf('ControllerExpandVolume').length, c.expectExpandCalls);
      const pv = env.store.object<PersistentVolume>(Resources.persistentvolumes, undefined, 'pv-1');
      assert.equal(pv?.spec?.capacity?.['storage'], c.expectPvCapacity);
      const claim = env.store.object<PersistentVolumeClaim>(
        Resources.persistentvolumeclaims,
        'default',
        'claim-1',
      );
      assert.equal(claim?.status?.capacity?.['storage'], c.expectClaim.capacity);
      assert.deepEqual(
        (claim?.status?.conditions ?? []).map((x) => x.type),
        c.expectClaim.conditions,
      );
      assert.equal(claim?.status?.allocatedResources?.['storage'], c.expectClaim.allocated);
      assert.equal(claim?.status?.allocatedResourceStatuses?.['storage'], c.expectClaim.allocatedStatus);
      assert.deepEqual(env.recorder.reasons(), c.expectEvents);
      c.check?.(env);
    });
  }
});
