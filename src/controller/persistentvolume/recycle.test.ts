// Upstream's recycle_test.go tables (TestRecycleSync, TestRecycleMultiSync).
import { describe, it } from 'node:test';
import { type PersistentVolume, Resources } from '../../api/index.ts';
import { AnnBoundByController } from './annotations.ts';
import {
  type ControllerTest,
  newClaim,
  newPod,
  newVolume,
  runMultisyncTest,
  runSyncTest,
  type TestEnv,
  withMessage,
} from './testing/framework.ts';

const BBC = AnnBoundByController;
const noevents: string[] = [];
const ok = undefined;

const pods = [
  newPod('runningPod', 'runningClaim', 'Running'),
  newPod('pendingPod', 'pendingClaim', 'Pending'),
  newPod('completedPod', 'completedClaim', 'Succeeded'),
];

const pvs = (env: TestEnv) => env.client.resource<PersistentVolume>(Resources.persistentvolumes);

/** reactor.MarkVolumeAvailable: someone recycled the volume already. */
async function markVolumeAvailable(env: TestEnv, name: string): Promise<void> {
  const pv = await pvs(env).get(name);
  delete pv.spec!.claimRef;
  delete pv.metadata.annotations;
  const updated = await pvs(env).update(pv);
  await pvs(env).updateStatus({ ...updated, status: { phase: 'Available' } });
}

const recycleTests: ControllerTest[] = [
  {
    name: '6-1 - successful recycle',
    initialVolumes: [newVolume('volume6-1', '1Gi', 'uid6-1', 'claim6-1', 'Bound', 'Recycle', '', BBC)],
    expectedVolumes: [newVolume('volume6-1', '1Gi', '', '', 'Available', 'Recycle', '')],
    plugin: { recycleCalls: [ok] },
    expectedEvents: ['Normal VolumeRecycled'],
    expectedEventMessages: ['Volume recycled'],
    test: 'syncVolume',
  },
  {
    name: '6-2 - successful recycle with prebound volume',
    initialVolumes: [newVolume('volume6-2', '1Gi', 'uid6-2', 'claim6-2', 'Bound', 'Recycle', '')],
    expectedVolumes: [newVolume('volume6-2', '1Gi', '', 'claim6-2', 'Available', 'Recycle', '')],
    plugin: { recycleCalls: [ok] },
    expectedEvents: ['Normal VolumeRecycled'],
    test: 'syncVolume',
  },
  {
    name: '6-3 - plugin not found',
    initialVolumes: [newVolume('volume6-3', '1Gi', 'uid6-3', 'claim6-3', 'Bound', 'Recycle', '')],
    expectedVolumes: withMessage('No recycler plugin found for the volume!', [
      newVolume('volume6-3', '1Gi', 'uid6-3', 'claim6-3', 'Failed', 'Recycle', ''),
    ]),
    expectedEvents: ['Warning VolumeFailedRecycle'],
    test: 'syncVolume',
  },
  {
    name: '6-4 - newRecycler returns error',
    initialVolumes: [newVolume('volume6-4', '1Gi', 'uid6-4', 'claim6-4', 'Bound', 'Recycle', '')],
    expectedVolumes: withMessage('Recycle failed: Mock plugin error: no recycleCalls configured', [
      newVolume('volume6-4', '1Gi', 'uid6-4', 'claim6-4', 'Failed', 'Recycle', ''),
    ]),
    plugin: { recycleCalls: [] },
    expectedEvents: ['Warning VolumeFailedRecycle'],
    test: 'syncVolume',
  },
  {
    name: '6-5 - recycle returns error',
    initialVolumes: [newVolume('volume6-5', '1Gi', 'uid6-5', 'claim6-5', 'Bound', 'Recycle', '')],
    expectedVolumes: withMessage('Recycle failed: Mock recycle error', [
      newVolume('volume6-5', '1Gi', 'uid6-5', 'claim6-5', 'Failed', 'Recycle', ''),
    ]),
    plugin: { recycleCalls: [new Error('Mock recycle error')] },
    expectedEvents: ['Warning VolumeFailedRecycle'],
    test: 'syncVolume',
  },
  {
    name: '6-6 - volume is deleted before recycling',
    initialVolumes: [newVolume('volume6-6', '1Gi', 'uid6-6', 'claim6-6', 'Bound', 'Recycle', '')],
    expectedVolumes: [],
    plugin: { recycleCalls: [] },
    injectBeforeOperation: async (env) => {
      await pvs(env).delete('volume6-6');
    },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '6-7 - volume is deleted before recycling',
    initialVolumes: [newVolume('volume6-7', '1Gi', 'uid6-7', 'claim6-7', 'Bound', 'Recycle', '', BBC)],
    expectedVolumes: [newVolume('volume6-7', '1Gi', '', '', 'Available', 'Recycle', '')],
    plugin: { recycleCalls: [] },
    injectBeforeOperation: (env) => markVolumeAvailable(env, 'volume6-7'),
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '6-8 - prebound volume is deleted before recycling',
    initialVolumes: [newVolume('volume6-8', '1Gi', 'uid6-8', 'claim6-8', 'Bound', 'Recycle', '')],
    expectedVolumes: [newVolume('volume6-8', '1Gi', '', '', 'Available', 'Recycle', '')],
    plugin: { recycleCalls: [] },
    injectBeforeOperation: (env) => markVolumeAvailable(env, 'volume6-8'),
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '6-9 - prebound volume is recycled while the claim exists',
    initialVolumes: [newVolume('volume6-9', '1Gi', 'uid6-9', 'claim6-9', 'Bound', 'Recycle', '')],
    expectedVolumes: [newVolume('volume6-9', '1Gi', '', 'claim6-9', 'Available', 'Recycle', '')],
    initialClaims: [newClaim('claim6-9', 'uid6-9-x', '10Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim6-9', 'uid6-9-x', '10Gi', '', 'Pending', undefined)],
    plugin: { recycleCalls: [ok] },
    expectedEvents: ['Normal VolumeRecycled'],
    test: 'syncVolume',
  },
  {
    name: '6-10 - volume with unknown reclaim policy',
    initialVolumes: [newVolume('volume6-10', '1Gi', 'uid6-10', 'claim6-10', 'Bound', 'Unknown', '')],
    expectedVolumes: withMessage('Volume has unrecognized PersistentVolumeReclaimPolicy', [
      newVolume('volume6-10', '1Gi', 'uid6-10', 'claim6-10', 'Failed', 'Unknown', ''),
    ]),
    plugin: { recycleCalls: [] },
    expectedEvents: ['Warning VolumeUnknownReclaimPolicy'],
    test: 'syncVolume',
  },
  {
    name: '6-11 - used by running pod',
    initialVolumes: [newVolume('volume6-11', '1Gi', 'uid6-11', 'runningClaim', 'Bound', 'Recycle', '', BBC)],
    expectedVolumes: [
      newVolume('volume6-11', '1Gi', 'uid6-11', 'runningClaim', 'Released', 'Recycle', '', BBC),
    ],
    pods,
    plugin: { recycleCalls: [] },
    expectedEvents: ['Normal VolumeFailedRecycle'],
    expectedEventMessages: ['Volume is used by pods: default/runningPod'],
    test: 'syncVolume',
  },
  {
    name: '6-12 - used by pending pod',
    initialVolumes: [newVolume('volume6-12', '1Gi', 'uid6-12', 'pendingClaim', 'Bound', 'Recycle', '', BBC)],
    expectedVolumes: [
      newVolume('volume6-12', '1Gi', 'uid6-12', 'pendingClaim', 'Released', 'Recycle', '', BBC),
    ],
    pods,
    plugin: { recycleCalls: [] },
    expectedEvents: ['Normal VolumeFailedRecycle'],
    expectedEventMessages: ['Volume is used by pods: default/pendingPod'],
    test: 'syncVolume',
  },
  {
    name: '6-13 - used by completed pod',
    initialVolumes: [
      newVolume('volume6-13', '1Gi', 'uid6-13', 'completedClaim', 'Bound', 'Recycle', '', BBC),
    ],
    expectedVolumes: [newVolume('volume6-13', '1Gi', '', '', 'Available', 'Recycle', '')],
    pods,
    plugin: { recycleCalls: [ok] },
    expectedEvents: ['Normal VolumeRecycled'],
    test: 'syncVolume',
  },
  {
    // A new claim of the same name is in the cache: the running pod uses that one, not this volume.
    name: '6-14 - seemingly used by running pod',
    initialVolumes: [newVolume('volume6-14', '1Gi', 'uid6-14', 'runningClaim', 'Bound', 'Recycle', '', BBC)],
    expectedVolumes: [newVolume('volume6-14', '1Gi', '', '', 'Available', 'Recycle', '')],
    initialClaims: [newClaim('runningClaim', 'uid6-14-x', '10Gi', '', 'Bound', undefined)],
    expectedClaims: [newClaim('runningClaim', 'uid6-14-x', '10Gi', '', 'Bound', undefined)],
    pods,
    plugin: { recycleCalls: [ok] },
    expectedEvents: ['Normal VolumeRecycled'],
    test: 'syncVolume',
  },
];

describe('TestRecycleSync (recycle_test.go)', () => {
  for (const tc of recycleTests) it(tc.name, () => runSyncTest(tc));
});

describe('TestRecycleMultiSync (recycle_test.go)', () => {
  it('7-1 - recycle returns error, a later sync recycles the volume', () =>
    runMultisyncTest({
      name: '7-1 - recycle returns error',
      initialVolumes: [newVolume('volume7-1', '1Gi', 'uid7-1', 'claim7-1', 'Bound', 'Recycle', '')],
      expectedVolumes: [newVolume('volume7-1', '1Gi', '', 'claim7-1', 'Available', 'Recycle', '')],
      plugin: { recycleCalls: [new Error('Mock recycle error'), ok] },
      expectedEvents: ['Warning VolumeFailedRecycle', 'Normal VolumeRecycled'],
      test: 'syncVolume',
    }));
});
