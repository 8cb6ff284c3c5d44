// Upstream's binder_test.go tables (TestSync sets 1-4 and 13, TestSyncBlockVolume, TestMultiSync) run
// through the framework runner. Events are asserted exactly: where upstream's harness asserts nothing but
// the real controller emits an event (§11 notes), the event is listed here.
import { describe, it } from 'node:test';
import { AnnBindCompleted, AnnBoundByController, AnnSelectedNode } from './annotations.ts';
import {
  type ControllerTest,
  newClaim,
  newClass,
  newVolume,
  runMultisyncTest,
  runSyncTest,
  withClaimAnnotation,
  withClaimVolumeAttributesClass,
  withClaimVolumeMode,
  withExpectedCapacity,
  withLabelSelector,
  withLabels,
  withMessage,
  withVolumeAttributesClass,
  withVolumeVolumeMode,
} from './testing/framework.ts';

const BBC = AnnBoundByController;
const BC = AnnBindCompleted;
const noevents: string[] = [];
const classWait = newClass('wait', 'kubernetes.io/no-provisioner', {
  volumeBindingMode: 'WaitForFirstConsumer',
});
const selector = { foo: 'true', bar: 'false' };

function accessModesRWX<T extends { spec?: { accessModes?: string[] } }>(objs: T[]): T[] {
  objs[0]!.spec!.accessModes = ['ReadWriteMany'];
  return objs;
}

/** TestSync sets 1-4 and 13; run with and without the VolumeAttributesClass feature. */
const syncTests: (ControllerTest & { vac?: 'on' | 'off' })[] = [
  // [Unit test set 1] User did not care which PV they get.
  {
    name: '1-1 - successful bind',
    initialVolumes: [newVolume('volume1-1', '1Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume1-1', '1Gi', 'uid1-1', 'claim1-1', 'Bound', 'Retain', '', BBC)],
    initialClaims: [newClaim('claim1-1', 'uid1-1', '1Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim1-1', 'uid1-1', '1Gi', 'volume1-1', 'Bound', undefined, BBC, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '1-2 - noop',
    initialVolumes: [newVolume('volume1-2', '1Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume1-2', '1Gi', '', '', 'Available', 'Retain', '')],
    initialClaims: [newClaim('claim1-2', 'uid1-2', '10Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim1-2', 'uid1-2', '10Gi', '', 'Pending', undefined)],
    expectedEvents: ['Normal FailedBinding'],
    expectedEventMessages: ['no persistent volumes available for this claim and no storage class is set'],
    test: 'syncClaim',
  },
  {
    name: '1-3 - reset to Pending',
    initialVolumes: [newVolume('volume1-3', '1Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume1-3', '1Gi', '', '', 'Available', 'Retain', '')],
    initialClaims: [newClaim('claim1-3', 'uid1-3', '10Gi', '', 'Bound', undefined)],
    expectedClaims: [newClaim('claim1-3', 'uid1-3', '10Gi', '', 'Pending', undefined)],
    expectedEvents: ['Normal FailedBinding'],
    test: 'syncClaim',
  },
  {
    name: '1-4 - smallest volume',
    initialVolumes: [
      newVolume('volume1-4_1', '10Gi', '', '', 'Available', 'Retain', ''),
      newVolume('volume1-4_2', '1Gi', '', '', 'Available', 'Retain', ''),
    ],
    expectedVolumes: [
      newVolume('volume1-4_1', '10Gi', '', '', 'Available', 'Retain', ''),
      newVolume('volume1-4_2', '1Gi', 'uid1-4', 'claim1-4', 'Bound', 'Retain', '', BBC),
    ],
    initialClaims: [newClaim('claim1-4', 'uid1-4', '1Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim1-4', 'uid1-4', '1Gi', 'volume1-4_2', 'Bound', undefined, BBC, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '1-5 - prebound volume by name - success',
    initialVolumes: [
      newVolume('volume1-5_1', '10Gi', '', 'claim1-5', 'Available', 'Retain', ''),
      newVolume('volume1-5_2', '1Gi', '', '', 'Available', 'Retain', ''),
    ],
    expectedVolumes: [
      newVolume('volume1-5_1', '10Gi', 'uid1-5', 'claim1-5', 'Bound', 'Retain', ''),
      newVolume('volume1-5_2', '1Gi', '', '', 'Available', 'Retain', ''),
    ],
    initialClaims: [newClaim('claim1-5', 'uid1-5', '1Gi', '', 'Pending', undefined)],
    expectedClaims: withExpectedCapacity('10Gi', [
      newClaim('claim1-5', 'uid1-5', '1Gi', 'volume1-5_1', 'Bound', undefined, BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '1-6 - prebound volume by UID - success',
    initialVolumes: [
      newVolume('volume1-6_1', '10Gi', 'uid1-6', 'claim1-6', 'Available', 'Retain', ''),
      newVolume('volume1-6_2', '1Gi', '', '', 'Available', 'Retain', ''),
    ],
    expectedVolumes: [
      newVolume('volume1-6_1', '10Gi', 'uid1-6', 'claim1-6', 'Bound', 'Retain', ''),
      newVolume('volume1-6_2', '1Gi', '', '', 'Available', 'Retain', ''),
    ],
    initialClaims: [newClaim('claim1-6', 'uid1-6', '1Gi', '', 'Pending', undefined)],
    expectedClaims: withExpectedCapacity('10Gi', [
      newClaim('claim1-6', 'uid1-6', '1Gi', 'volume1-6_1', 'Bound', undefined, BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '1-7 - prebound volume to different claim',
    initialVolumes: [newVolume('volume1-7', '10Gi', 'uid1-777', 'claim1-7', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume1-7', '10Gi', 'uid1-777', 'claim1-7', 'Available', 'Retain', '')],
    initialClaims: [newClaim('claim1-7', 'uid1-7', '1Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim1-7', 'uid1-7', '1Gi', '', 'Pending', undefined)],
    expectedEvents: ['Normal FailedBinding'],
    test: 'syncClaim',
  },
  {
    name: '1-8 - complete bind after crash - PV bound',
    initialVolumes: [newVolume('volume1-8', '1Gi', 'uid1-8', 'claim1-8', 'Available', 'Retain', '', BBC)],
    expectedVolumes: [newVolume('volume1-8', '1Gi', 'uid1-8', 'claim1-8', 'Bound', 'Retain', '', BBC)],
    initialClaims: [newClaim('claim1-8', 'uid1-8', '1Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim1-8', 'uid1-8', '1Gi', 'volume1-8', 'Bound', undefined, BBC, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '1-9 - complete bind after crash - PV status saved',
    initialVolumes: [newVolume('volume1-9', '1Gi', 'uid1-9', 'claim1-9', 'Bound', 'Retain', '', BBC)],
    expectedVolumes: [newVolume('volume1-9', '1Gi', 'uid1-9', 'claim1-9', 'Bound', 'Retain', '', BBC)],
    initialClaims: [newClaim('claim1-9', 'uid1-9', '1Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim1-9', 'uid1-9', '1Gi', 'volume1-9', 'Bound', undefined, BBC, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '1-10 - complete bind after crash - PVC bound',
    initialVolumes: [newVolume('volume1-10', '1Gi', 'uid1-10', 'claim1-10', 'Bound', 'Retain', '', BBC)],
    expectedVolumes: [newVolume('volume1-10', '1Gi', 'uid1-10', 'claim1-10', 'Bound', 'Retain', '', BBC)],
    initialClaims: [newClaim('claim1-10', 'uid1-10', '1Gi', 'volume1-10', 'Pending', undefined, BBC, BC)],
    expectedClaims: [newClaim('claim1-10', 'uid1-10', '1Gi', 'volume1-10', 'Bound', undefined, BBC, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '1-11 - bind when selector matches',
    initialVolumes: withLabels(selector, [newVolume('volume1-1', '1Gi', '', '', 'Available', 'Retain', '')]),
    expectedVolumes: withLabels(selector, [
      newVolume('volume1-1', '1Gi', 'uid1-1', 'claim1-1', 'Bound', 'Retain', '', BBC),
    ]),
    initialClaims: withLabelSelector(selector, [
      newClaim('claim1-1', 'uid1-1', '1Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withLabelSelector(selector, [
      newClaim('claim1-1', 'uid1-1', '1Gi', 'volume1-1', 'Bound', undefined, BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '1-12 - do not bind when selector does not match',
    initialVolumes: [newVolume('volume1-1', '1Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume1-1', '1Gi', '', '', 'Available', 'Retain', '')],
    initialClaims: withLabelSelector(selector, [
      newClaim('claim1-1', 'uid1-1', '1Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withLabelSelector(selector, [
      newClaim('claim1-1', 'uid1-1', '1Gi', '', 'Pending', undefined),
    ]),
    expectedEvents: ['Normal FailedBinding'],
    test: 'syncClaim',
  },
  {
    name: '1-13 - delayed binding',
    initialVolumes: [newVolume('volume1-1', '1Gi', '', '', 'Available', 'Retain', 'wait')],
    expectedVolumes: [newVolume('volume1-1', '1Gi', '', '', 'Available', 'Retain', 'wait')],
    initialClaims: [newClaim('claim1-1', 'uid1-1', '1Gi', '', 'Pending', 'wait')],
    expectedClaims: [newClaim('claim1-1', 'uid1-1', '1Gi', '', 'Pending', 'wait')],
    classes: [classWait],
    expectedEvents: ['Normal WaitForFirstConsumer'],
    expectedEventMessages: ['waiting for first consumer to be created before binding'],
    test: 'syncClaim',
  },
  {
    name: '1-14 - successful prebound PV',
    initialVolumes: [newVolume('volume1-1', '1Gi', '', 'claim1-1', 'Available', 'Retain', 'wait')],
    expectedVolumes: [newVolume('volume1-1', '1Gi', 'uid1-1', 'claim1-1', 'Bound', 'Retain', 'wait')],
    initialClaims: [newClaim('claim1-1', 'uid1-1', '1Gi', '', 'Pending', 'wait')],
    expectedClaims: [newClaim('claim1-1', 'uid1-1', '1Gi', 'volume1-1', 'Bound', 'wait', BBC, BC)],
    classes: [classWait],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '1-15 - successful prebound PVC',
    initialVolumes: [
      newVolume('volume1-15_1', '10Gi', '', '', 'Available', 'Retain', ''),
      newVolume('volume1-15_2', '1Gi', '', '', 'Available', 'Retain', ''),
    ],
    expectedVolumes: [
      newVolume('volume1-15_1', '10Gi', 'uid1-15', 'claim1-15', 'Bound', 'Retain', '', BBC),
      newVolume('volume1-15_2', '1Gi', '', '', 'Available', 'Retain', ''),
    ],
    initialClaims: [newClaim('claim1-15', 'uid1-15', '1Gi', 'volume1-15_1', 'Pending', undefined)],
    expectedClaims: withExpectedCapacity('10Gi', [
      newClaim('claim1-15', 'uid1-15', '1Gi', 'volume1-15_1', 'Bound', undefined, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '1-16 - successful prebound PVC (access mode mismatch)',
    initialVolumes: [newVolume('volume1-16', '1Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume1-16', '1Gi', '', '', 'Available', 'Retain', '')],
    initialClaims: accessModesRWX([
      newClaim('claim1-16', 'uid1-16', '1Gi', 'volume1-16', 'Pending', undefined),
    ]),
    expectedClaims: accessModesRWX([
      newClaim('claim1-16', 'uid1-16', '1Gi', 'volume1-16', 'Pending', undefined),
    ]),
    expectedEvents: ['Warning VolumeMismatch'],
    expectedEventMessages: ['Cannot bind to requested volume "volume1-16": incompatible accessMode'],
    test: 'syncClaim',
  },
  {
    name: "1-17 - skip non-available PV if it's not pre-bind",
    initialVolumes: [
      newVolume('volume1-17-pending', '1Gi', '', '', 'Pending', 'Retain', ''),
      newVolume('volume1-17-failed', '1Gi', '', '', 'Failed', 'Retain', ''),
      newVolume('volume1-17-released', '1Gi', '', '', 'Released', 'Retain', ''),
      newVolume('volume1-17-empty', '1Gi', '', '', '', 'Retain', ''),
    ],
    expectedVolumes: [
      newVolume('volume1-17-pending', '1Gi', '', '', 'Pending', 'Retain', ''),
      newVolume('volume1-17-failed', '1Gi', '', '', 'Failed', 'Retain', ''),
      newVolume('volume1-17-released', '1Gi', '', '', 'Released', 'Retain', ''),
      newVolume('volume1-17-empty', '1Gi', '', '', '', 'Retain', ''),
    ],
    initialClaims: [newClaim('claim1-17', 'uid1-17', '1Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim1-17', 'uid1-17', '1Gi', '', 'Pending', undefined)],
    expectedEvents: ['Normal FailedBinding'],
    test: 'syncClaim',
  },
  {
    name: '1-18 - successful pre-bound PV to PVC provisioning',
    initialVolumes: [newVolume('volume1-18', '1Gi', 'uid1-18', 'claim1-18', 'Available', 'Retain', 'wait')],
    expectedVolumes: [newVolume('volume1-18', '1Gi', 'uid1-18', 'claim1-18', 'Bound', 'Retain', 'wait')],
    initialClaims: withClaimAnnotation(AnnSelectedNode, 'node1', [
      newClaim('claim1-18', 'uid1-18', '1Gi', '', 'Pending', 'wait'),
    ]),
    expectedClaims: withClaimAnnotation(AnnSelectedNode, 'node1', [
      newClaim('claim1-18', 'uid1-18', '1Gi', 'volume1-18', 'Bound', 'wait', BBC, BC),
    ]),
    classes: [classWait],
    expectedEvents: noevents,
    test: 'syncClaim',
  },

  // [Unit test set 2] User asked for a specific PV.
  {
    name: '2-1 - claim prebound to non-existing volume - noop',
    initialClaims: [newClaim('claim2-1', 'uid2-1', '10Gi', 'volume2-1', 'Pending', undefined)],
    expectedClaims: [newClaim('claim2-1', 'uid2-1', '10Gi', 'volume2-1', 'Pending', undefined)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '2-2 - claim prebound to non-existing volume - reset status',
    initialClaims: [newClaim('claim2-2', 'uid2-2', '10Gi', 'volume2-2', 'Bound', undefined)],
    expectedClaims: [newClaim('claim2-2', 'uid2-2', '10Gi', 'volume2-2', 'Pending', undefined)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '2-3 - claim prebound to unbound volume',
    initialVolumes: [newVolume('volume2-3', '1Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume2-3', '1Gi', 'uid2-3', 'claim2-3', 'Bound', 'Retain', '', BBC)],
    initialClaims: [newClaim('claim2-3', 'uid2-3', '1Gi', 'volume2-3', 'Pending', undefined)],
    expectedClaims: [newClaim('claim2-3', 'uid2-3', '1Gi', 'volume2-3', 'Bound', undefined, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '2-4 - claim prebound to prebound volume by name',
    initialVolumes: [newVolume('volume2-4', '1Gi', '', 'claim2-4', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume2-4', '1Gi', 'uid2-4', 'claim2-4', 'Bound', 'Retain', '')],
    initialClaims: [newClaim('claim2-4', 'uid2-4', '1Gi', 'volume2-4', 'Pending', undefined)],
    expectedClaims: [newClaim('claim2-4', 'uid2-4', '1Gi', 'volume2-4', 'Bound', undefined, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '2-5 - claim prebound to prebound volume by UID',
    initialVolumes: [newVolume('volume2-5', '1Gi', 'uid2-5', 'claim2-5', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume2-5', '1Gi', 'uid2-5', 'claim2-5', 'Bound', 'Retain', '')],
    initialClaims: [newClaim('claim2-5', 'uid2-5', '1Gi', 'volume2-5', 'Pending', undefined)],
    expectedClaims: [newClaim('claim2-5', 'uid2-5', '1Gi', 'volume2-5', 'Bound', undefined, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '2-6 - claim prebound to already bound volume',
    initialVolumes: [newVolume('volume2-6', '1Gi', 'uid2-6_1', 'claim2-6_1', 'Bound', 'Retain', '')],
    expectedVolumes: [newVolume('volume2-6', '1Gi', 'uid2-6_1', 'claim2-6_1', 'Bound', 'Retain', '')],
    initialClaims: [newClaim('claim2-6', 'uid2-6', '10Gi', 'volume2-6', 'Bound', undefined)],
    expectedClaims: [newClaim('claim2-6', 'uid2-6', '10Gi', 'volume2-6', 'Pending', undefined)],
    expectedEvents: ['Warning FailedBinding'],
    expectedEventMessages: ['volume "volume2-6" already bound to a different claim.'],
    test: 'syncClaim',
  },
  {
    name: '2-7 - claim bound by controller to already bound volume',
    initialVolumes: [newVolume('volume2-7', '1Gi', 'uid2-7_1', 'claim2-7_1', 'Bound', 'Retain', '')],
    expectedVolumes: [newVolume('volume2-7', '1Gi', 'uid2-7_1', 'claim2-7_1', 'Bound', 'Retain', '')],
    initialClaims: [newClaim('claim2-7', 'uid2-7', '10Gi', 'volume2-7', 'Bound', undefined, BBC)],
    expectedClaims: [newClaim('claim2-7', 'uid2-7', '10Gi', 'volume2-7', 'Bound', undefined, BBC)],
    expectedEvents: ['Warning FailedBinding'],
    test: 'syncClaimError',
  },
  {
    name: '2-8 - claim prebound to unbound volume that does not match the selector',
    initialVolumes: [newVolume('volume2-8', '1Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume2-8', '1Gi', 'uid2-8', 'claim2-8', 'Bound', 'Retain', '', BBC)],
    initialClaims: withLabelSelector(selector, [
      newClaim('claim2-8', 'uid2-8', '1Gi', 'volume2-8', 'Pending', undefined),
    ]),
    expectedClaims: withLabelSelector(selector, [
      newClaim('claim2-8', 'uid2-8', '1Gi', 'volume2-8', 'Bound', undefined, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '2-9 - claim prebound to unbound volume that size is smaller than requested',
    initialVolumes: [newVolume('volume2-9', '1Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume2-9', '1Gi', '', '', 'Available', 'Retain', '')],
    initialClaims: [newClaim('claim2-9', 'uid2-9', '2Gi', 'volume2-9', 'Bound', undefined)],
    expectedClaims: [newClaim('claim2-9', 'uid2-9', '2Gi', 'volume2-9', 'Pending', undefined)],
    expectedEvents: ['Warning VolumeMismatch'],
    expectedEventMessages: ['Cannot bind to requested volume "volume2-9": requested PV is too small'],
    test: 'syncClaim',
  },
  {
    name: '2-10 - claim prebound to unbound volume that class is different',
    initialVolumes: [newVolume('volume2-10', '1Gi', '1', '', 'Available', 'Retain', 'gold')],
    expectedVolumes: [newVolume('volume2-10', '1Gi', '1', '', 'Available', 'Retain', 'gold')],
    initialClaims: [newClaim('claim2-10', 'uid2-10', '1Gi', 'volume2-10', 'Bound', undefined)],
    expectedClaims: [newClaim('claim2-10', 'uid2-10', '1Gi', 'volume2-10', 'Pending', undefined)],
    expectedEvents: ['Warning VolumeMismatch'],
    expectedEventMessages: ['Cannot bind to requested volume "volume2-10": storageClassName does not match'],
    test: 'syncClaim',
  },
  {
    name: '2-11 - claim prebound to unbound volume that volumeAttributesClassName is different',
    vac: 'on',
    initialVolumes: withVolumeAttributesClass('gold', [
      newVolume('volume2-11', '1Gi', '1', '', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeAttributesClass('gold', [
      newVolume('volume2-11', '1Gi', '1', '', 'Available', 'Retain', ''),
    ]),
    initialClaims: [newClaim('claim2-11', 'uid2-11', '1Gi', 'volume2-11', 'Bound', undefined)],
    expectedClaims: [newClaim('claim2-11', 'uid2-11', '1Gi', 'volume2-11', 'Pending', undefined)],
    expectedEvents: ['Warning VolumeMismatch'],
    expectedEventMessages: [
      'Cannot bind to requested volume "volume2-11": volumeAttributesClassName does not match',
    ],
    test: 'syncClaim',
  },
  {
    name: '2-12 - claim prebound to unbound volume that volumeAttributesClassName is same',
    vac: 'on',
    initialVolumes: withVolumeAttributesClass('gold', [
      newVolume('volume2-12', '1Gi', '1', '', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeAttributesClass('gold', [
      newVolume('volume2-12', '1Gi', 'uid2-12', 'claim2-12', 'Bound', 'Retain', '', BBC),
    ]),
    initialClaims: withClaimVolumeAttributesClass('gold', [
      newClaim('claim2-12', 'uid2-12', '1Gi', 'volume2-12', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeAttributesClass('gold', [
      newClaim('claim2-12', 'uid2-12', '1Gi', 'volume2-12', 'Bound', undefined, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '2-13 - claim prebound to unbound volume that volumeAttributesClassName is same but feature is disabled',
    vac: 'off',
    initialVolumes: withVolumeAttributesClass('gold', [
      newVolume('volume2-13', '1Gi', '1', '', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeAttributesClass('gold', [
      newVolume('volume2-13', '1Gi', '1', '', 'Available', 'Retain', ''),
    ]),
    initialClaims: withClaimVolumeAttributesClass('gold', [
      newClaim('claim2-13', 'uid2-13', '1Gi', 'volume2-13', 'Bound', undefined),
    ]),
    expectedClaims: (() => {
      const c = withClaimVolumeAttributesClass('gold', [
        newClaim('claim2-13', 'uid2-13', '1Gi', 'volume2-13', 'Pending', undefined),
      ]);
      return c;
    })(),
    expectedEvents: ['Warning VolumeMismatch'],
    test: 'syncClaim',
  },

  // [Unit test set 3] Syncing a bound claim.
  {
    name: '3-1 - bound claim with missing VolumeName',
    initialClaims: [newClaim('claim3-1', 'uid3-1', '10Gi', '', 'Bound', undefined, BBC, BC)],
    expectedClaims: [newClaim('claim3-1', 'uid3-1', '10Gi', '', 'Lost', undefined, BBC, BC)],
    expectedEvents: ['Warning ClaimLost'],
    expectedEventMessages: [
      'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
    ],
    test: 'syncClaim',
  },
  {
    name: '3-2 - bound claim with missing volume',
    initialClaims: [newClaim('claim3-2', 'uid3-2', '10Gi', 'volume3-2', 'Bound', undefined, BBC, BC)],
    expectedClaims: [newClaim('claim3-2', 'uid3-2', '10Gi', 'volume3-2', 'Lost', undefined, BBC, BC)],
    expectedEvents: ['Warning ClaimLost'],
    expectedEventMessages: ['Bound claim has lost its PersistentVolume. Data on the volume is lost!'],
    test: 'syncClaim',
  },
  {
    name: '3-3 - bound claim with unbound volume',
    initialVolumes: [newVolume('volume3-3', '10Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume3-3', '10Gi', 'uid3-3', 'claim3-3', 'Bound', 'Retain', '', BBC)],
    initialClaims: [newClaim('claim3-3', 'uid3-3', '10Gi', 'volume3-3', 'Pending', undefined, BBC, BC)],
    expectedClaims: [newClaim('claim3-3', 'uid3-3', '10Gi', 'volume3-3', 'Bound', undefined, BBC, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '3-4 - bound claim with prebound volume',
    initialVolumes: [newVolume('volume3-4', '10Gi', 'claim3-4-x', 'claim3-4', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume3-4', '10Gi', 'claim3-4-x', 'claim3-4', 'Available', 'Retain', '')],
    initialClaims: [newClaim('claim3-4', 'uid3-4', '10Gi', 'volume3-4', 'Pending', undefined, BBC, BC)],
    expectedClaims: [newClaim('claim3-4', 'uid3-4', '10Gi', 'volume3-4', 'Lost', undefined, BBC, BC)],
    expectedEvents: ['Warning ClaimMisbound'],
    test: 'syncClaim',
  },
  {
    name: '3-5 - bound claim with bound volume',
    initialVolumes: [newVolume('volume3-5', '10Gi', 'uid3-5', 'claim3-5', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume3-5', '10Gi', 'uid3-5', 'claim3-5', 'Bound', 'Retain', '')],
    initialClaims: [newClaim('claim3-5', 'uid3-5', '10Gi', 'volume3-5', 'Pending', undefined, BC)],
    expectedClaims: [newClaim('claim3-5', 'uid3-5', '10Gi', 'volume3-5', 'Bound', undefined, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '3-6 - bound claim with bound volume (bound elsewhere)',
    initialVolumes: [newVolume('volume3-6', '10Gi', 'uid3-6-x', 'claim3-6-x', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume3-6', '10Gi', 'uid3-6-x', 'claim3-6-x', 'Available', 'Retain', '')],
    initialClaims: [newClaim('claim3-6', 'uid3-6', '10Gi', 'volume3-6', 'Pending', undefined, BC)],
    expectedClaims: [newClaim('claim3-6', 'uid3-6', '10Gi', 'volume3-6', 'Lost', undefined, BC)],
    expectedEvents: ['Warning ClaimMisbound'],
    expectedEventMessages: ['Two claims are bound to the same volume, this one is bound incorrectly'],
    test: 'syncClaim',
  },
  {
    name: "3-7 - bound claim with unbound volume where selector doesn't match",
    initialVolumes: [newVolume('volume3-3', '10Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume3-3', '10Gi', 'uid3-3', 'claim3-3', 'Bound', 'Retain', '', BBC)],
    initialClaims: withLabelSelector(selector, [
      newClaim('claim3-3', 'uid3-3', '10Gi', 'volume3-3', 'Pending', undefined, BBC, BC),
    ]),
    expectedClaims: withLabelSelector(selector, [
      newClaim('claim3-3', 'uid3-3', '10Gi', 'volume3-3', 'Bound', undefined, BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },

  // [Unit test set 4] syncVolume.
  {
    name: '4-1 - pending volume',
    initialVolumes: [newVolume('volume4-1', '10Gi', '', '', 'Pending', 'Retain', '')],
    expectedVolumes: [newVolume('volume4-1', '10Gi', '', '', 'Available', 'Retain', '')],
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '4-2 - pending prebound volume',
    initialVolumes: [newVolume('volume4-2', '10Gi', '', 'claim4-2', 'Pending', 'Retain', '')],
    expectedVolumes: [newVolume('volume4-2', '10Gi', '', 'claim4-2', 'Available', 'Retain', '')],
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '4-3 - bound volume with missing claim',
    initialVolumes: [newVolume('volume4-3', '10Gi', 'uid4-3', 'claim4-3', 'Bound', 'Retain', '')],
    expectedVolumes: [newVolume('volume4-3', '10Gi', 'uid4-3', 'claim4-3', 'Released', 'Retain', '')],
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '4-4 - volume bound to claim with different UID',
    initialVolumes: [newVolume('volume4-4', '10Gi', 'uid4-4', 'claim4-4', 'Bound', 'Retain', '')],
    expectedVolumes: [newVolume('volume4-4', '10Gi', 'uid4-4', 'claim4-4', 'Released', 'Retain', '')],
    initialClaims: [newClaim('claim4-4', 'uid4-4-x', '10Gi', 'volume4-4', 'Bound', undefined, BC)],
    expectedClaims: [newClaim('claim4-4', 'uid4-4-x', '10Gi', 'volume4-4', 'Bound', undefined, BC)],
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '4-5 - volume bound by controller to unbound claim',
    initialVolumes: [newVolume('volume4-5', '10Gi', 'uid4-5', 'claim4-5', 'Bound', 'Retain', '', BBC)],
    expectedVolumes: [newVolume('volume4-5', '10Gi', 'uid4-5', 'claim4-5', 'Bound', 'Retain', '', BBC)],
    initialClaims: [newClaim('claim4-5', 'uid4-5', '10Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim4-5', 'uid4-5', '10Gi', '', 'Pending', undefined)],
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '4-5 - volume bound by user to bound claim',
    initialVolumes: [newVolume('volume4-5', '10Gi', 'uid4-5', 'claim4-5', 'Bound', 'Retain', '')],
    expectedVolumes: [newVolume('volume4-5', '10Gi', 'uid4-5', 'claim4-5', 'Bound', 'Retain', '')],
    initialClaims: [newClaim('claim4-5', 'uid4-5', '10Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim4-5', 'uid4-5', '10Gi', '', 'Pending', undefined)],
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '4-6 - volume bound by to bound claim',
    initialVolumes: [newVolume('volume4-6', '10Gi', 'uid4-6', 'claim4-6', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume4-6', '10Gi', 'uid4-6', 'claim4-6', 'Bound', 'Retain', '')],
    initialClaims: [newClaim('claim4-6', 'uid4-6', '10Gi', 'volume4-6', 'Bound', undefined)],
    expectedClaims: [newClaim('claim4-6', 'uid4-6', '10Gi', 'volume4-6', 'Bound', undefined)],
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '4-7 - volume bound by controller to claim bound somewhere else',
    initialVolumes: [newVolume('volume4-7', '10Gi', 'uid4-7', 'claim4-7', 'Bound', 'Retain', '', BBC)],
    expectedVolumes: [newVolume('volume4-7', '10Gi', '', '', 'Available', 'Retain', '')],
    initialClaims: [newClaim('claim4-7', 'uid4-7', '10Gi', 'volume4-7-x', 'Bound', undefined)],
    expectedClaims: [newClaim('claim4-7', 'uid4-7', '10Gi', 'volume4-7-x', 'Bound', undefined)],
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '4-8 - volume bound by user to claim bound somewhere else',
    initialVolumes: [newVolume('volume4-8', '10Gi', 'uid4-8', 'claim4-8', 'Bound', 'Retain', '')],
    expectedVolumes: [newVolume('volume4-8', '10Gi', '', 'claim4-8', 'Available', 'Retain', '')],
    initialClaims: [newClaim('claim4-8', 'uid4-8', '10Gi', 'volume4-8-x', 'Bound', undefined)],
    expectedClaims: [newClaim('claim4-8', 'uid4-8', '10Gi', 'volume4-8-x', 'Bound', undefined)],
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '4-9 - volume bound to bound claim, with PersistentVolumeReclaimDelete',
    initialVolumes: [newVolume('volume4-9', '10Gi', 'uid4-9', 'claim4-9', 'Available', 'Delete', '')],
    expectedVolumes: [newVolume('volume4-9', '10Gi', 'uid4-9', 'claim4-9', 'Bound', 'Delete', '')],
    initialClaims: [newClaim('claim4-9', 'uid4-9', '10Gi', 'volume4-9', 'Bound', undefined)],
    expectedClaims: [newClaim('claim4-9', 'uid4-9', '10Gi', 'volume4-9', 'Bound', undefined)],
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '4-10 - volume bound to missing claim',
    initialVolumes: [newVolume('volume4-10', '10Gi', 'uid4-10', 'claim4-10', 'Available', 'Delete', '')],
    expectedVolumes: withMessage(
      'error getting deleter volume plugin for volume "volume4-10": no volume plugin matched',
      [newVolume('volume4-10', '10Gi', 'uid4-10', 'claim4-10', 'Failed', 'Delete', '')],
    ),
    expectedEvents: ['Warning VolumeFailedDelete'],
    test: 'syncVolume',
  },
  {
    name: '4-11 - volume bound to unknown claim',
    initialVolumes: [newVolume('volume4-11', '10Gi', 'uid4-11', 'claim4-11', 'Available', 'Delete', '')],
    expectedVolumes: [newVolume('volume4-11', '10Gi', 'uid4-11', 'claim4-11', 'Bound', 'Delete', '')],
    initialClaims: [newClaim('claim4-11', 'uid4-11', '10Gi', 'volume4-11', 'Bound', undefined)],
    expectedClaims: [newClaim('claim4-11', 'uid4-11', '10Gi', 'volume4-11', 'Bound', undefined)],
    // The claim exists only in the API server, not in the controller's cache.
    setup: (env) => env.ctrl.forgetClaim('default/claim4-11'),
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '4-12 - volume bound to newest claim but not updated to local cache',
    initialVolumes: [newVolume('volume4-12', '10Gi', 'uid4-12-new', 'claim4-12', 'Available', 'Delete', '')],
    expectedVolumes: [newVolume('volume4-12', '10Gi', 'uid4-12-new', 'claim4-12', 'Bound', 'Delete', '')],
    initialClaims: [newClaim('claim4-12', 'uid4-12-new', '10Gi', 'volume4-12', 'Bound', undefined)],
    expectedClaims: [newClaim('claim4-12', 'uid4-12-new', '10Gi', 'volume4-12', 'Bound', undefined)],
    // The controller's cache still holds the deleted claim of the same name.
    setup: (env) =>
      env.ctrl.cacheClaim(newClaim('claim4-12', 'uid4-12', '10Gi', 'volume4-12', 'Bound', undefined)),
    expectedEvents: noevents,
    test: 'syncVolume',
  },

  // [Unit test set 13] Storage class matching.
  {
    name: '13-1 - binding to class',
    initialVolumes: [
      newVolume('volume13-1-1', '1Gi', '', '', 'Available', 'Retain', ''),
      newVolume('volume13-1-2', '10Gi', '', '', 'Available', 'Retain', 'gold'),
    ],
    expectedVolumes: [
      newVolume('volume13-1-1', '1Gi', '', '', 'Available', 'Retain', ''),
      newVolume('volume13-1-2', '10Gi', 'uid13-1', 'claim13-1', 'Bound', 'Retain', 'gold', BBC),
    ],
    initialClaims: [newClaim('claim13-1', 'uid13-1', '1Gi', '', 'Pending', 'gold')],
    expectedClaims: withExpectedCapacity('10Gi', [
      newClaim('claim13-1', 'uid13-1', '1Gi', 'volume13-1-2', 'Bound', 'gold', BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '13-2 - binding without a class',
    initialVolumes: [
      newVolume('volume13-2-1', '1Gi', '', '', 'Available', 'Retain', 'gold'),
      newVolume('volume13-2-2', '10Gi', '', '', 'Available', 'Retain', ''),
    ],
    expectedVolumes: [
      newVolume('volume13-2-1', '1Gi', '', '', 'Available', 'Retain', 'gold'),
      newVolume('volume13-2-2', '10Gi', 'uid13-2', 'claim13-2', 'Bound', 'Retain', '', BBC),
    ],
    initialClaims: [newClaim('claim13-2', 'uid13-2', '1Gi', '', 'Pending', undefined)],
    expectedClaims: withExpectedCapacity('10Gi', [
      newClaim('claim13-2', 'uid13-2', '1Gi', 'volume13-2-2', 'Bound', undefined, BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '13-3 - binding to specific a class',
    initialVolumes: [
      newVolume('volume13-3-1', '1Gi', '', '', 'Available', 'Retain', 'silver'),
      newVolume('volume13-3-2', '10Gi', '', '', 'Available', 'Retain', 'gold'),
    ],
    expectedVolumes: [
      newVolume('volume13-3-1', '1Gi', '', '', 'Available', 'Retain', 'silver'),
      newVolume('volume13-3-2', '10Gi', 'uid13-3', 'claim13-3', 'Bound', 'Retain', 'gold', BBC),
    ],
    initialClaims: [newClaim('claim13-3', 'uid13-3', '1Gi', '', 'Pending', 'gold')],
    expectedClaims: withExpectedCapacity('10Gi', [
      newClaim('claim13-3', 'uid13-3', '1Gi', 'volume13-3-2', 'Bound', 'gold', BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '13-4 - empty class',
    initialVolumes: [newVolume('volume13-4', '1Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume13-4', '1Gi', 'uid13-4', 'claim13-4', 'Bound', 'Retain', '', BBC)],
    initialClaims: [newClaim('claim13-4', 'uid13-4', '1Gi', '', 'Pending', '')],
    expectedClaims: [newClaim('claim13-4', 'uid13-4', '1Gi', 'volume13-4', 'Bound', '', BBC, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '13-5 - nil class',
    initialVolumes: [newVolume('volume13-5', '1Gi', '', '', 'Available', 'Retain', '')],
    expectedVolumes: [newVolume('volume13-5', '1Gi', 'uid13-5', 'claim13-5', 'Bound', 'Retain', '', BBC)],
    initialClaims: [newClaim('claim13-5', 'uid13-5', '1Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim13-5', 'uid13-5', '1Gi', 'volume13-5', 'Bound', undefined, BBC, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
];

describe('TestSync (binder_test.go sets 1-4, 13)', () => {
  for (const vac of ['on', 'off'] as const) {
    describe(`with VolumeAttributesClass ${vac === 'on' ? 'enabled' : 'disabled'}`, () => {
      for (const tc of syncTests) {
        if (tc.vac !== undefined && tc.vac !== vac) continue;
        it(tc.name, async () => {
          await runSyncTest({ ...tc, vacEnabled: vac === 'on' });
        });
      }
    });
  }
});

const B = 'Block';
const F = 'Filesystem';

/** TestSyncBlockVolume (no storage classes registered). */
const blockTests: ControllerTest[] = [
  {
    name: '14-1 - binding to volumeMode block',
    initialVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-1', '10Gi', '', '', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-1', '10Gi', 'uid14-1', 'claim14-1', 'Bound', 'Retain', '', BBC),
    ]),
    initialClaims: withClaimVolumeMode(B, [
      newClaim('claim14-1', 'uid14-1', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(B, [
      newClaim('claim14-1', 'uid14-1', '10Gi', 'volume14-1', 'Bound', undefined, BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '14-2 - binding to volumeMode filesystem',
    initialVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-2', '10Gi', '', '', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-2', '10Gi', 'uid14-2', 'claim14-2', 'Bound', 'Retain', '', BBC),
    ]),
    initialClaims: withClaimVolumeMode(F, [
      newClaim('claim14-2', 'uid14-2', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(F, [
      newClaim('claim14-2', 'uid14-2', '10Gi', 'volume14-2', 'Bound', undefined, BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '14-3 - do not bind pv volumeMode filesystem and pvc volumeMode block',
    initialVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-3', '10Gi', '', '', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-3', '10Gi', '', '', 'Available', 'Retain', ''),
    ]),
    initialClaims: withClaimVolumeMode(B, [
      newClaim('claim14-3', 'uid14-3', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(B, [
      newClaim('claim14-3', 'uid14-3', '10Gi', '', 'Pending', undefined),
    ]),
    expectedEvents: ['Normal FailedBinding'],
    test: 'syncClaim',
  },
  {
    name: '14-4 - do not bind pv volumeMode block and pvc volumeMode filesystem',
    initialVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-4', '10Gi', '', '', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-4', '10Gi', '', '', 'Available', 'Retain', ''),
    ]),
    initialClaims: withClaimVolumeMode(F, [
      newClaim('claim14-4', 'uid14-4', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(F, [
      newClaim('claim14-4', 'uid14-4', '10Gi', '', 'Pending', undefined),
    ]),
    expectedEvents: ['Normal FailedBinding'],
    test: 'syncClaim',
  },
  {
    name: '14-5 - do not bind when matching class but not volumeMode',
    initialVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-5', '10Gi', '', '', 'Available', 'Retain', 'gold'),
    ]),
    expectedVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-5', '10Gi', '', '', 'Available', 'Retain', 'gold'),
    ]),
    initialClaims: withClaimVolumeMode(B, [newClaim('claim14-5', 'uid14-5', '10Gi', '', 'Pending', 'gold')]),
    expectedClaims: withClaimVolumeMode(B, [newClaim('claim14-5', 'uid14-5', '10Gi', '', 'Pending', 'gold')]),
    expectedEvents: ['Warning ProvisioningFailed'],
    expectedEventMessages: ['storageclass.storage.k8s.io "gold" not found'],
    test: 'syncClaim',
  },
  {
    name: '14-5-1 - do not bind when matching volumeModes but class does not match',
    initialVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-5-1', '10Gi', '', '', 'Available', 'Retain', 'gold'),
    ]),
    expectedVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-5-1', '10Gi', '', '', 'Available', 'Retain', 'gold'),
    ]),
    initialClaims: withClaimVolumeMode(F, [
      newClaim('claim14-5-1', 'uid14-5-1', '10Gi', '', 'Pending', 'silver'),
    ]),
    expectedClaims: withClaimVolumeMode(F, [
      newClaim('claim14-5-1', 'uid14-5-1', '10Gi', '', 'Pending', 'silver'),
    ]),
    expectedEvents: ['Warning ProvisioningFailed'],
    test: 'syncClaim',
  },
  {
    name: '14-5-2 - do not bind when pvc is prebound to pv with matching volumeModes but class does not match',
    initialVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-5-2', '10Gi', '', '', 'Available', 'Retain', 'gold'),
    ]),
    expectedVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-5-2', '10Gi', '', '', 'Available', 'Retain', 'gold'),
    ]),
    initialClaims: withClaimVolumeMode(F, [
      newClaim('claim14-5-2', 'uid14-5-2', '10Gi', 'volume14-5-2', 'Pending', 'silver'),
    ]),
    expectedClaims: withClaimVolumeMode(F, [
      newClaim('claim14-5-2', 'uid14-5-2', '10Gi', 'volume14-5-2', 'Pending', 'silver'),
    ]),
    expectedEvents: ['Warning VolumeMismatch'],
    test: 'syncClaim',
  },
  {
    name: '14-7 - bind when pv is prebound and volumeModes match',
    initialVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-7', '10Gi', '', 'claim14-7', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-7', '10Gi', 'uid14-7', 'claim14-7', 'Bound', 'Retain', ''),
    ]),
    initialClaims: withClaimVolumeMode(B, [
      newClaim('claim14-7', 'uid14-7', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(B, [
      newClaim('claim14-7', 'uid14-7', '10Gi', 'volume14-7', 'Bound', undefined, BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '14-8 - do not bind when pvc is prebound to pv with mismatching volumeModes',
    initialVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-8', '10Gi', '', '', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-8', '10Gi', '', '', 'Available', 'Retain', ''),
    ]),
    initialClaims: withClaimVolumeMode(F, [
      newClaim('claim14-8', 'uid14-8', '10Gi', 'volume14-8', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(F, [
      newClaim('claim14-8', 'uid14-8', '10Gi', 'volume14-8', 'Pending', undefined),
    ]),
    expectedEvents: ['Warning VolumeMismatch'],
    expectedEventMessages: ['Cannot bind to requested volume "volume14-8": incompatible volumeMode'],
    test: 'syncClaim',
  },
  {
    name: '14-8-1 - do not bind when pv is prebound to pvc with mismatching volumeModes',
    initialVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-8-1', '10Gi', '', 'claim14-8-1', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-8-1', '10Gi', '', 'claim14-8-1', 'Available', 'Retain', ''),
    ]),
    initialClaims: withClaimVolumeMode(F, [
      newClaim('claim14-8-1', 'uid14-8-1', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(F, [
      newClaim('claim14-8-1', 'uid14-8-1', '10Gi', '', 'Pending', undefined),
    ]),
    expectedEvents: ['Normal FailedBinding'],
    test: 'syncClaim',
  },
  {
    name: '14-9 - bind when pvc is prebound to pv with matching volumeModes block',
    initialVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-9', '10Gi', '', '', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-9', '10Gi', 'uid14-9', 'claim14-9', 'Bound', 'Retain', '', BBC),
    ]),
    initialClaims: withClaimVolumeMode(B, [
      newClaim('claim14-9', 'uid14-9', '10Gi', 'volume14-9', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(B, [
      newClaim('claim14-9', 'uid14-9', '10Gi', 'volume14-9', 'Bound', undefined, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '14-10 - bind when pv is prebound to pvc with matching volumeModes block',
    initialVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-10', '10Gi', '', 'claim14-10', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-10', '10Gi', 'uid14-10', 'claim14-10', 'Bound', 'Retain', ''),
    ]),
    initialClaims: withClaimVolumeMode(B, [
      newClaim('claim14-10', 'uid14-10', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(B, [
      newClaim('claim14-10', 'uid14-10', '10Gi', 'volume14-10', 'Bound', undefined, BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '14-11 - bind when pvc is prebound to pv with matching volumeModes filesystem',
    initialVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-11', '10Gi', '', '', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-11', '10Gi', 'uid14-11', 'claim14-11', 'Bound', 'Retain', '', BBC),
    ]),
    initialClaims: withClaimVolumeMode(F, [
      newClaim('claim14-11', 'uid14-11', '10Gi', 'volume14-11', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(F, [
      newClaim('claim14-11', 'uid14-11', '10Gi', 'volume14-11', 'Bound', undefined, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '14-12 - bind when pv is prebound to pvc with matching volumeModes filesystem',
    initialVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-12', '10Gi', '', 'claim14-12', 'Available', 'Retain', ''),
    ]),
    expectedVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-12', '10Gi', 'uid14-12', 'claim14-12', 'Bound', 'Retain', ''),
    ]),
    initialClaims: withClaimVolumeMode(F, [
      newClaim('claim14-12', 'uid14-12', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(F, [
      newClaim('claim14-12', 'uid14-12', '10Gi', 'volume14-12', 'Bound', undefined, BBC, BC),
    ]),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '14-13 - syncVolume binds when pv is prebound to pvc with mismatching volumeModes (F, B)',
    initialVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-13', '10Gi', 'uid14-13', 'claim14-13', 'Available', 'Retain', '', BBC),
    ]),
    expectedVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-13', '10Gi', 'uid14-13', 'claim14-13', 'Available', 'Retain', '', BBC),
    ]),
    initialClaims: withClaimVolumeMode(B, [
      newClaim('claim14-13', 'uid14-13', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(B, [
      newClaim('claim14-13', 'uid14-13', '10Gi', '', 'Pending', undefined),
    ]),
    expectedEvents: ['Warning VolumeMismatch', 'Warning VolumeMismatch'],
    expectedEventMessages: [
      'Cannot bind PersistentVolume to requested PersistentVolumeClaim "claim14-13" due to incompatible volumeMode.',
      'Cannot bind PersistentVolume "volume14-13" to requested PersistentVolumeClaim due to incompatible volumeMode.',
    ],
    test: 'syncVolume',
  },
  {
    name: '14-13-1 - syncVolume binds when pv is prebound to pvc with mismatching volumeModes (B, F)',
    initialVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-13-1', '10Gi', 'uid14-13-1', 'claim14-13-1', 'Available', 'Retain', '', BBC),
    ]),
    expectedVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-13-1', '10Gi', 'uid14-13-1', 'claim14-13-1', 'Available', 'Retain', '', BBC),
    ]),
    initialClaims: withClaimVolumeMode(F, [
      newClaim('claim14-13-1', 'uid14-13-1', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(F, [
      newClaim('claim14-13-1', 'uid14-13-1', '10Gi', '', 'Pending', undefined),
    ]),
    expectedEvents: ['Warning VolumeMismatch', 'Warning VolumeMismatch'],
    test: 'syncVolume',
  },
  {
    name: '14-14 - syncVolume waits for syncClaim when pv is prebound to pvc with matching volumeModes block',
    initialVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-14', '10Gi', 'uid14-14', 'claim14-14', 'Available', 'Retain', '', BBC),
    ]),
    expectedVolumes: withVolumeVolumeMode(B, [
      newVolume('volume14-14', '10Gi', 'uid14-14', 'claim14-14', 'Available', 'Retain', '', BBC),
    ]),
    initialClaims: withClaimVolumeMode(B, [
      newClaim('claim14-14', 'uid14-14', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(B, [
      newClaim('claim14-14', 'uid14-14', '10Gi', '', 'Pending', undefined),
    ]),
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '14-14-1 - syncVolume waits for syncClaim when pv is prebound to pvc with matching volumeModes filesystem',
    initialVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-14-1', '10Gi', 'uid14-14-1', 'claim14-14-1', 'Available', 'Retain', '', BBC),
    ]),
    expectedVolumes: withVolumeVolumeMode(F, [
      newVolume('volume14-14-1', '10Gi', 'uid14-14-1', 'claim14-14-1', 'Available', 'Retain', '', BBC),
    ]),
    initialClaims: withClaimVolumeMode(F, [
      newClaim('claim14-14-1', 'uid14-14-1', '10Gi', '', 'Pending', undefined),
    ]),
    expectedClaims: withClaimVolumeMode(F, [
      newClaim('claim14-14-1', 'uid14-14-1', '10Gi', '', 'Pending', undefined),
    ]),
    expectedEvents: noevents,
    test: 'syncVolume',
  },
];

describe('TestSyncBlockVolume (binder_test.go)', () => {
  for (const tc of blockTests) it(tc.name, () => runSyncTest(tc));
});

/** TestMultiSync: repeated syncs until stable. */
const multiSyncTests: ControllerTest[] = [
  {
    // A Pending PV is not matchable until a volume sync makes it Available; then the claim binds.
    name: '10-1 - successful bind',
    initialVolumes: [newVolume('volume10-1', '1Gi', '', '', 'Pending', 'Retain', '')],
    expectedVolumes: [newVolume('volume10-1', '1Gi', 'uid10-1', 'claim10-1', 'Bound', 'Retain', '', BBC)],
    initialClaims: [newClaim('claim10-1', 'uid10-1', '1Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim10-1', 'uid10-1', '1Gi', 'volume10-1', 'Bound', undefined, BBC, BC)],
    expectedEvents: ['Normal FailedBinding'],
    test: 'syncClaim',
  },
  {
    // Two controllers raced to bind one claim: the volume the claim does not name is released.
    name: '10-2 - bind PV race',
    initialVolumes: [
      newVolume('volume10-2-1', '1Gi', 'uid10-2', 'claim10-2', 'Bound', 'Retain', '', BBC),
      newVolume('volume10-2-2', '1Gi', 'uid10-2', 'claim10-2', 'Bound', 'Retain', '', BBC),
    ],
    expectedVolumes: [
      newVolume('volume10-2-1', '1Gi', 'uid10-2', 'claim10-2', 'Bound', 'Retain', '', BBC),
      newVolume('volume10-2-2', '1Gi', '', '', 'Available', 'Retain', ''),
    ],
    initialClaims: [newClaim('claim10-2', 'uid10-2', '1Gi', 'volume10-2-1', 'Bound', undefined, BBC, BC)],
    expectedClaims: [newClaim('claim10-2', 'uid10-2', '1Gi', 'volume10-2-1', 'Bound', undefined, BBC, BC)],
    expectedEvents: noevents,
    test: 'syncClaim',
  },
];

describe('TestMultiSync (binder_test.go)', () => {
  for (const tc of multiSyncTests) it(tc.name, () => runMultisyncTest(tc));
});
