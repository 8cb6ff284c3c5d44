// Upstream's delete_test.go tables (TestDeleteSync, TestDeleteMultiSync; HonorPVReclaimPolicy on).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PersistentVolume, Resources } from '../../api/index.ts';
import {
  AnnBoundByController,
  AnnDynamicallyProvisioned,
  AnnMigratedTo,
  PVDeletionInTreeProtectionFinalizer,
} from './annotations.ts';
import {
  type ControllerTest,
  newClaim,
  newExternalProvisionedVolume,
  newVolume,
  runMultisyncTest,
  runSyncTest,
  type TestEnv,
  withDeletionTimestamp,
  withFinalizers,
  withMessage,
  withVolumeAnnotation,
} from './testing/framework.ts';

const BBC = AnnBoundByController;
const PB = AnnDynamicallyProvisioned;
const FIN = PVDeletionInTreeProtectionFinalizer;
const noevents: string[] = [];
const ok = undefined;
const mockDeleteError = new Error('Mock delete error');

const pvs = (env: TestEnv) => env.client.resource<PersistentVolume>(Resources.persistentvolumes);

const deleteTests: ControllerTest[] = [
  {
    name: '8-1 - successful delete',
    initialVolumes: [newVolume('volume8-1', '1Gi', 'uid8-1', 'claim8-1', 'Bound', 'Delete', '', BBC)],
    expectedVolumes: [],
    plugin: { deleteCalls: [ok] },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '8-2 - successful delete with prebound volume',
    initialVolumes: [newVolume('volume8-2', '1Gi', 'uid8-2', 'claim8-2', 'Bound', 'Delete', '')],
    expectedVolumes: [],
    plugin: { deleteCalls: [ok] },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '8-3 - plugin not found',
    initialVolumes: [newVolume('volume8-3', '1Gi', 'uid8-3', 'claim8-3', 'Bound', 'Delete', '')],
    expectedVolumes: withMessage(
      'error getting deleter volume plugin for volume "volume8-3": no volume plugin matched',
      [newVolume('volume8-3', '1Gi', 'uid8-3', 'claim8-3', 'Failed', 'Delete', '')],
    ),
    expectedEvents: ['Warning VolumeFailedDelete'],
    test: 'syncVolume',
  },
  {
    name: '8-4 - newDeleter returns error',
    initialVolumes: [newVolume('volume8-4', '1Gi', 'uid8-4', 'claim8-4', 'Bound', 'Delete', '')],
    expectedVolumes: withMessage(
      'failed to create deleter for volume "volume8-4": Mock plugin error: no deleteCalls configured',
      [newVolume('volume8-4', '1Gi', 'uid8-4', 'claim8-4', 'Failed', 'Delete', '')],
    ),
    plugin: { deleteCalls: [] },
    expectedEvents: ['Warning VolumeFailedDelete'],
    test: 'syncVolume',
  },
  {
    name: '8-5 - delete returns error',
    initialVolumes: [newVolume('volume8-5', '1Gi', 'uid8-5', 'claim8-5', 'Bound', 'Delete', '')],
    expectedVolumes: withMessage('Mock delete error', [
      newVolume('volume8-5', '1Gi', 'uid8-5', 'claim8-5', 'Failed', 'Delete', ''),
    ]),
    plugin: { deleteCalls: [mockDeleteError] },
    expectedEvents: ['Warning VolumeFailedDelete'],
    expectedEventMessages: ['Mock delete error'],
    test: 'syncVolume',
  },
  {
    name: '8-6 - volume is deleted before deleting',
    initialVolumes: [newVolume('volume8-6', '1Gi', 'uid8-6', 'claim8-6', 'Bound', 'Delete', '')],
    expectedVolumes: [],
    plugin: { deleteCalls: [] },
    injectBeforeOperation: async (env) => {
      await pvs(env).delete('volume8-6');
    },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '8-7 - volume is bound before deleting',
    initialVolumes: [newVolume('volume8-7', '1Gi', 'uid8-7', 'claim8-7', 'Bound', 'Delete', '', BBC)],
    expectedVolumes: [newVolume('volume8-7', '1Gi', 'uid8-7', 'claim8-7', 'Bound', 'Delete', '', BBC)],
    expectedClaims: [newClaim('claim8-7', 'uid8-7', '10Gi', 'volume8-7', 'Bound', undefined)],
    plugin: { deleteCalls: [ok] },
    check: (env) => assert.equal(env.plugin.deleteCallCounter, 0, 'the storage of a bound volume is kept'),
    // A claim bound to the volume shows up (this should never happen): the volume is not released any more.
    injectBeforeOperation: async (env) => {
      await env.addClaim(newClaim('claim8-7', 'uid8-7', '10Gi', 'volume8-7', 'Bound', undefined));
      const created = await env.client.resource(Resources.persistentvolumeclaims, 'default').get('claim8-7');
      env.ctrl.cacheClaim(created);
      const pv = await pvs(env).get('volume8-7');
      pv.spec!.claimRef!.uid = created.metadata.uid!;
      const updated = await pvs(env).update(pv);
      await pvs(env).updateStatus({ ...updated, status: { phase: 'Bound' } });
    },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '8-9 - prebound volume is deleted while the claim exists',
    initialVolumes: [newVolume('volume8-9', '1Gi', 'uid8-9', 'claim8-9', 'Bound', 'Delete', '')],
    expectedVolumes: [],
    initialClaims: [newClaim('claim8-9', 'uid8-9-x', '10Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim8-9', 'uid8-9-x', '10Gi', '', 'Pending', undefined)],
    plugin: { deleteCalls: [ok] },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '8-10-1 - external deleter when volume is dynamic provisioning',
    initialVolumes: [
      newExternalProvisionedVolume(
        'volume8-10-1',
        '1Gi',
        'uid10-1-1',
        'claim10-1-1',
        'Bound',
        'Delete',
        '',
        { [BBC]: 'yes' },
        'external.io/test',
      ),
    ],
    expectedVolumes: [
      newExternalProvisionedVolume(
        'volume8-10-1',
        '1Gi',
        'uid10-1-1',
        'claim10-1-1',
        'Released',
        'Delete',
        '',
        { [BBC]: 'yes' },
        'external.io/test',
      ),
    ],
    plugin: { deleteCalls: [] },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '8-10-2 - external deleter when volume is static provisioning',
    initialVolumes: [
      newExternalProvisionedVolume('volume8-10-2', '1Gi', 'uid10-1-2', 'claim10-1-2', 'Bound', 'Delete', '', {
        [BBC]: 'yes',
      }),
    ],
    expectedVolumes: [
      newExternalProvisionedVolume(
        'volume8-10-2',
        '1Gi',
        'uid10-1-2',
        'claim10-1-2',
        'Released',
        'Delete',
        '',
        { [BBC]: 'yes' },
      ),
    ],
    plugin: { deleteCalls: [] },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '8-10-3 - external deleter when volume is migrated',
    initialVolumes: withVolumeAnnotation(
      AnnMigratedTo,
      'pd.csi.storage.gke.io',
      withVolumeAnnotation(PB, 'kubernetes.io/gce-pd', [
        newVolume('volume8-10-3', '1Gi', 'uid10-1-3', 'claim10-1-3', 'Bound', 'Delete', '', BBC),
      ]),
    ),
    expectedVolumes: withVolumeAnnotation(
      AnnMigratedTo,
      'pd.csi.storage.gke.io',
      withVolumeAnnotation(PB, 'kubernetes.io/gce-pd', [
        newVolume('volume8-10-3', '1Gi', 'uid10-1-3', 'claim10-1-3', 'Released', 'Delete', '', BBC),
      ]),
    ),
    plugin: { deleteCalls: [] },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    // PV provisioned twice for one claim (e.g. a lost create response); the one the claim does not use goes.
    name: '8-11 - two PVs provisioned for a single claim',
    initialVolumes: [
      newVolume('volume8-11-1', '1Gi', 'uid8-11', 'claim8-11', 'Bound', 'Delete', '', PB),
      newVolume('volume8-11-2', '1Gi', 'uid8-11', 'claim8-11', 'Bound', 'Delete', '', PB),
    ],
    expectedVolumes: [newVolume('volume8-11-2', '1Gi', 'uid8-11', 'claim8-11', 'Bound', 'Delete', '', PB)],
    initialClaims: [newClaim('claim8-11', 'uid8-11', '10Gi', 'volume8-11-2', 'Bound', undefined)],
    expectedClaims: [newClaim('claim8-11', 'uid8-11', '10Gi', 'volume8-11-2', 'Bound', undefined)],
    plugin: { deleteCalls: [ok] },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '8-12 - two PVs externally provisioned for a single claim',
    initialVolumes: [
      newExternalProvisionedVolume(
        'volume8-12-1',
        '1Gi',
        'uid8-12',
        'claim8-12',
        'Bound',
        'Delete',
        '',
        {},
        'external.io/test',
      ),
      newExternalProvisionedVolume(
        'volume8-12-2',
        '1Gi',
        'uid8-12',
        'claim8-12',
        'Bound',
        'Delete',
        '',
        {},
        'external.io/test',
      ),
    ],
    expectedVolumes: [
      newExternalProvisionedVolume(
        'volume8-12-1',
        '1Gi',
        'uid8-12',
        'claim8-12',
        'Released',
        'Delete',
        '',
        {},
        'external.io/test',
      ),
      newExternalProvisionedVolume(
        'volume8-12-2',
        '1Gi',
        'uid8-12',
        'claim8-12',
        'Bound',
        'Delete',
        '',
        {},
        'external.io/test',
      ),
    ],
    initialClaims: [newClaim('claim8-12', 'uid8-12', '10Gi', 'volume8-12-2', 'Bound', undefined)],
    expectedClaims: [newClaim('claim8-12', 'uid8-12', '10Gi', 'volume8-12-2', 'Bound', undefined)],
    plugin: { deleteCalls: [] },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
  {
    name: '8-13 - volume has deletion timestamp and processed',
    initialVolumes: withDeletionTimestamp(
      withFinalizers(
        [newVolume('volume8-13', '1Gi', 'uid8-13', 'claim8-13', 'Bound', 'Delete', '', BBC)],
        FIN,
      ),
    ),
    expectedVolumes: [],
    plugin: { deleteCalls: [ok] },
    expectedEvents: noevents,
    test: 'syncVolume',
  },
];

describe('TestDeleteSync (delete_test.go)', () => {
  for (const tc of deleteTests) it(tc.name, () => runSyncTest(tc));
});

describe('TestDeleteMultiSync (delete_test.go)', () => {
  it('9-1 - delete returns error, the retry after the back-off deletes the volume', () =>
    runMultisyncTest({
      name: '9-1 - delete returns error',
      initialVolumes: withFinalizers(
        [newVolume('volume9-1', '1Gi', 'uid9-1', 'claim9-1', 'Bound', 'Delete', '')],
        FIN,
      ),
      expectedVolumes: [],
      plugin: { deleteCalls: [mockDeleteError, ok] },
      expectedEvents: ['Warning VolumeFailedDelete'],
      test: 'syncVolume',
    }));
});
