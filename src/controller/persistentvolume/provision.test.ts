// Upstream's provision_test.go tables (TestProvisionSync, TestProvisionMultiSync,
// TestDisablingDynamicProvisioner), plus the retroactive default StorageClass and the delayed-binding
// events. Events are asserted exactly (see binder.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newAlreadyExists, newInternalError } from '../../api/index.ts';
import { metricsRegistry } from '../../component/index.ts';
import {
  AnnBetaStorageProvisioner,
  AnnBindCompleted,
  AnnBoundByController,
  AnnDynamicallyProvisioned,
  AnnIsDefaultStorageClass,
  AnnSelectedNode,
  AnnStorageProvisioner,
  PVDeletionInTreeProtectionFinalizer,
} from './annotations.ts';
import {
  type ControllerTest,
  newClaim,
  newClass,
  newNode,
  newPod,
  newVolume,
  runMultisyncTest,
  runSyncTest,
  withClaimAnnotation,
  withFinalizers,
} from './testing/framework.ts';
import { MockPluginName, type ProvisionCall } from './testing/mockplugin.ts';

const BBC = AnnBoundByController;
const BC = AnnBindCompleted;
const PB = AnnDynamicallyProvisioned;
const SP = AnnStorageProvisioner;
const SPBeta = AnnBetaStorageProvisioner;
const FIN = PVDeletionInTreeProtectionFinalizer;
const noevents: string[] = [];

const classes = [
  newClass('gold', MockPluginName, {
    parameters: { param1: 'value1' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  }),
  newClass('silver', MockPluginName, {
    parameters: { param2: 'value2' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  }),
  newClass('copper', MockPluginName, {
    parameters: { param1: 'value1' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  }),
  newClass('external', 'vendor.com/my-volume', {
    parameters: { param1: 'value1' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  }),
  newClass('external-wait', 'vendor.com/my-volume-wait', {
    parameters: { param1: 'value1' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  }),
  newClass('unknown-internal', 'kubernetes.io/unknown', {
    parameters: { param1: 'value1' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  }),
  newClass('unsupported-mountoptions', MockPluginName, {
    parameters: { param1: 'value1' },
    reclaimPolicy: 'Delete',
    mountOptions: ['foo'],
    volumeBindingMode: 'Immediate',
  }),
  newClass('csi', 'mydriver.csi.k8s.io', {
    parameters: { param1: 'value1' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  }),
];

const provision1Success: ProvisionCall = { expectedParameters: { param1: 'value1' } };
const provision2Success: ProvisionCall = { expectedParameters: { param2: 'value2' } };
const provisionFail: ProvisionCall = {
  expectedParameters: { param1: 'value1' },
  ret: new Error('Mock provisioner error'),
};
const createError = {
  verb: 'create' as const,
  resource: 'persistentvolumes' as const,
  error: newInternalError('Mock creation error'),
};
const fiveCreateErrors = [createError, createError, createError, createError, createError];
const mockDeleteError = new Error('Mock delete error');

/** A claim of `class` with both provisioner annotations set to `provisioner`. */
function withSP(provisioner: string, claims: ReturnType<typeof newClaim>[]): ReturnType<typeof newClaim>[] {
  withClaimAnnotation(SP, provisioner, claims);
  return withClaimAnnotation(SPBeta, provisioner, claims);
}

function withDataSource(claims: ReturnType<typeof newClaim>[]): ReturnType<typeof newClaim>[] {
  claims[0]!.spec!.dataSource = {
    apiGroup: 'snapshot.storage.k8s.io',
    kind: 'VolumeSnapshot',
    name: 'test-snap',
  };
  return claims;
}

const provisionTests: (ControllerTest & { skip?: string })[] = [
  {
    name: '11-1 - successful provision with storage class 1',
    initialClaims: [newClaim('claim11-1', 'uid11-1', '1Gi', '', 'Pending', 'gold')],
    expectedVolumes: withFinalizers(
      [newVolume('pvc-uid11-1', '1Gi', 'uid11-1', 'claim11-1', 'Bound', 'Delete', 'gold', BBC, PB)],
      FIN,
    ),
    expectedClaims: [newClaim('claim11-1', 'uid11-1', '1Gi', '', 'Pending', 'gold', SP, SPBeta)],
    plugin: { provisionCalls: [provision1Success] },
    expectedEvents: ['Normal ProvisioningSucceeded'],
    expectedEventMessages: [`Successfully provisioned volume pvc-uid11-1 using ${MockPluginName}`],
    test: 'syncClaim',
  },
  {
    name: '11-2 - plugin not found',
    initialClaims: [newClaim('claim11-2', 'uid11-2', '1Gi', '', 'Pending', 'gold')],
    expectedClaims: [newClaim('claim11-2', 'uid11-2', '1Gi', '', 'Pending', 'gold')],
    expectedEvents: ['Warning ProvisioningFailed'],
    expectedEventMessages: [`no volume plugin matched name: ${MockPluginName}`],
    test: 'syncClaim',
  },
  {
    name: '11-3 - newProvisioner failure',
    initialClaims: [newClaim('claim11-3', 'uid11-3', '1Gi', '', 'Pending', 'gold')],
    expectedClaims: [newClaim('claim11-3', 'uid11-3', '1Gi', '', 'Pending', 'gold', SP, SPBeta)],
    plugin: {},
    expectedEvents: ['Warning ProvisioningFailed'],
    expectedEventMessages: ['Failed to create provisioner: Mock plugin error: no provisionCalls configured'],
    test: 'syncClaim',
  },
  {
    name: '11-4 - provision failure',
    initialClaims: [newClaim('claim11-4', 'uid11-4', '1Gi', '', 'Pending', 'gold')],
    expectedClaims: [newClaim('claim11-4', 'uid11-4', '1Gi', '', 'Pending', 'gold', SP, SPBeta)],
    plugin: { provisionCalls: [provisionFail] },
    expectedEvents: ['Warning ProvisioningFailed'],
    expectedEventMessages: ['Failed to provision volume with StorageClass "gold": Mock provisioner error'],
    test: 'syncClaim',
  },
  {
    name: '11-6 - no provisioning when a volume is available',
    initialVolumes: [newVolume('volume11-6', '1Gi', '', '', 'Available', 'Retain', 'gold')],
    expectedVolumes: [newVolume('volume11-6', '1Gi', 'uid11-6', 'claim11-6', 'Bound', 'Retain', 'gold', BBC)],
    initialClaims: [newClaim('claim11-6', 'uid11-6', '1Gi', '', 'Pending', 'gold')],
    expectedClaims: [newClaim('claim11-6', 'uid11-6', '1Gi', 'volume11-6', 'Bound', 'gold', BBC, BC)],
    plugin: { provisionCalls: [] },
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '11-7 - claim is bound before provisioning',
    initialClaims: [newClaim('claim11-7', 'uid11-7', '1Gi', '', 'Pending', 'gold')],
    expectedVolumes: [
      newVolume('pvc-uid11-7', '1Gi', 'uid11-7', 'claim11-7', 'Bound', 'Delete', 'gold', BBC, PB),
    ],
    expectedClaims: [newClaim('claim11-7', 'uid11-7', '1Gi', '', 'Pending', 'gold', SP, SPBeta)],
    plugin: { provisionCalls: [] },
    // Someone else provisioned the volume just before our operation runs.
    injectBeforeOperation: (env) =>
      env.addVolume(
        newVolume('pvc-uid11-7', '1Gi', 'uid11-7', 'claim11-7', 'Bound', 'Delete', 'gold', BBC, PB),
      ),
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '11-8 - cannot save provisioned volume',
    initialClaims: [newClaim('claim11-8', 'uid11-8', '1Gi', '', 'Pending', 'gold')],
    expectedVolumes: withFinalizers(
      [newVolume('pvc-uid11-8', '1Gi', 'uid11-8', 'claim11-8', 'Bound', 'Delete', 'gold', BBC, PB)],
      FIN,
    ),
    expectedClaims: [newClaim('claim11-8', 'uid11-8', '1Gi', '', 'Pending', 'gold', SP, SPBeta)],
    errors: [createError],
    plugin: { provisionCalls: [provision1Success] },
    expectedEvents: ['Normal ProvisioningSucceeded'],
    test: 'syncClaim',
  },
  {
    name: '11-9 - cannot save provisioned volume, delete succeeds',
    initialClaims: [newClaim('claim11-9', 'uid11-9', '1Gi', '', 'Pending', 'gold')],
    expectedClaims: [newClaim('claim11-9', 'uid11-9', '1Gi', '', 'Pending', 'gold', SP, SPBeta)],
    errors: fiveCreateErrors,
    plugin: { provisionCalls: [provision1Success], deleteCalls: [undefined] },
    expectedEvents: ['Warning ProvisioningFailed'],
    expectedEventMessages: [
      'Error creating provisioned PV object for claim default/claim11-9: Internal error occurred: Mock creation error. Deleting the volume.',
    ],
    check: (env) => assert.equal(env.plugin.deleteCallCounter, 1),
    test: 'syncClaim',
  },
  {
    name: '11-10 - cannot save provisioned volume, no delete plugin found',
    initialClaims: [newClaim('claim11-10', 'uid11-10', '1Gi', '', 'Pending', 'gold')],
    expectedClaims: [newClaim('claim11-10', 'uid11-10', '1Gi', '', 'Pending', 'gold', SP, SPBeta)],
    errors: fiveCreateErrors,
    plugin: { provisionCalls: [provision1Success] },
    expectedEvents: ['Warning ProvisioningFailed', 'Warning ProvisioningCleanupFailed'],
    test: 'syncClaim',
  },
  {
    name: '11-11 - cannot save provisioned volume, deleter fails',
    initialClaims: [newClaim('claim11-11', 'uid11-11', '1Gi', '', 'Pending', 'gold')],
    expectedClaims: [newClaim('claim11-11', 'uid11-11', '1Gi', '', 'Pending', 'gold', SP, SPBeta)],
    errors: fiveCreateErrors,
    plugin: {
      provisionCalls: [provision1Success],
      deleteCalls: [mockDeleteError, mockDeleteError, mockDeleteError, mockDeleteError, mockDeleteError],
    },
    expectedEvents: ['Warning ProvisioningFailed', 'Warning ProvisioningCleanupFailed'],
    expectedEventMessages: [
      undefined,
      'Error cleaning provisioned volume for claim default/claim11-11: Mock delete error. Please delete manually.',
    ],
    check: (env) => assert.equal(env.plugin.deleteCallCounter, 5),
    test: 'syncClaim',
  },
  {
    name: '11-12 - cannot save provisioned volume, delete succeeds 2nd time',
    initialClaims: [newClaim('claim11-12', 'uid11-12', '1Gi', '', 'Pending', 'gold')],
    expectedClaims: [newClaim('claim11-12', 'uid11-12', '1Gi', '', 'Pending', 'gold', SP, SPBeta)],
    errors: fiveCreateErrors,
    plugin: { provisionCalls: [provision1Success], deleteCalls: [mockDeleteError, undefined] },
    expectedEvents: ['Warning ProvisioningFailed'],
    check: (env) => assert.equal(env.plugin.deleteCallCounter, 2),
    test: 'syncClaim',
  },
  {
    name: '11-13 - successful provision with storage class 2',
    initialClaims: [newClaim('claim11-13', 'uid11-13', '1Gi', '', 'Pending', 'silver')],
    expectedVolumes: withFinalizers(
      [newVolume('pvc-uid11-13', '1Gi', 'uid11-13', 'claim11-13', 'Bound', 'Delete', 'silver', BBC, PB)],
      FIN,
    ),
    expectedClaims: [newClaim('claim11-13', 'uid11-13', '1Gi', '', 'Pending', 'silver', SP, SPBeta)],
    plugin: { provisionCalls: [provision2Success] },
    expectedEvents: ['Normal ProvisioningSucceeded'],
    test: 'syncClaim',
  },
  {
    name: '11-14 - fail due to non-existing class',
    initialClaims: [newClaim('claim11-14', 'uid11-14', '1Gi', '', 'Pending', 'non-existing')],
    expectedClaims: [newClaim('claim11-14', 'uid11-14', '1Gi', '', 'Pending', 'non-existing')],
    plugin: { provisionCalls: [] },
    expectedEvents: ['Warning ProvisioningFailed'],
    expectedEventMessages: ['storageclass.storage.k8s.io "non-existing" not found'],
    test: 'syncClaim',
  },
  {
    name: '11-15 - no provisioning with class=""',
    initialClaims: [newClaim('claim11-15', 'uid11-15', '1Gi', '', 'Pending', '')],
    expectedClaims: [newClaim('claim11-15', 'uid11-15', '1Gi', '', 'Pending', '')],
    plugin: { provisionCalls: [] },
    expectedEvents: ['Normal FailedBinding'],
    test: 'syncClaim',
  },
  {
    name: '11-16 - no provisioning with class=nil',
    initialClaims: [newClaim('claim11-15', 'uid11-15', '1Gi', '', 'Pending', undefined)],
    expectedClaims: [newClaim('claim11-15', 'uid11-15', '1Gi', '', 'Pending', undefined)],
    plugin: { provisionCalls: [] },
    expectedEvents: ['Normal FailedBinding'],
    test: 'syncClaim',
  },
  {
    name: '11-17 - external provisioner',
    initialClaims: [newClaim('claim11-17', 'uid11-17', '1Gi', '', 'Pending', 'external')],
    expectedClaims: withSP('vendor.com/my-volume', [
      newClaim('claim11-17', 'uid11-17', '1Gi', '', 'Pending', 'external'),
    ]),
    plugin: { provisionCalls: [] },
    expectedEvents: ['Normal ExternalProvisioning'],
    expectedEventMessages: [
      "Waiting for a volume to be created either by the external provisioner 'vendor.com/my-volume' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
    ],
    test: 'syncClaim',
  },
  {
    name: '11-18 - unknown internal provisioner',
    initialClaims: [newClaim('claim11-18', 'uid11-18', '1Gi', '', 'Pending', 'unknown-internal')],
    expectedClaims: [newClaim('claim11-18', 'uid11-18', '1Gi', '', 'Pending', 'unknown-internal')],
    plugin: { provisionCalls: [] },
    expectedEvents: ['Warning ProvisioningFailed'],
    expectedEventMessages: ['no volume plugin matched name: kubernetes.io/unknown'],
    test: 'syncClaim',
  },
  {
    name: '11-19 - provisioned volume saved but API server crashed',
    initialClaims: [newClaim('claim11-19', 'uid11-19', '1Gi', '', 'Pending', 'gold')],
    expectedClaims: [newClaim('claim11-19', 'uid11-19', '1Gi', '', 'Pending', 'gold', SP, SPBeta)],
    // The first save fails; the second finds the object already there (AlreadyExists counts as saved).
    errors: [
      createError,
      {
        verb: 'create',
        resource: 'persistentvolumes',
        error: newAlreadyExists('', 'persistentvolumes', 'pvc-uid11-19'),
      },
    ],
    plugin: { provisionCalls: [provision1Success] },
    expectedEvents: ['Normal ProvisioningSucceeded'],
    check: (env) => assert.equal(env.plugin.deleteCallCounter, 0, 'must not delete the storage'),
    test: 'syncClaim',
  },
  {
    name: '11-20 - unsupported storageClass.mountOptions',
    initialClaims: [newClaim('claim11-20', 'uid11-20', '1Gi', '', 'Pending', 'unsupported-mountoptions')],
    expectedClaims: [
      newClaim('claim11-20', 'uid11-20', '1Gi', '', 'Pending', 'unsupported-mountoptions', SP, SPBeta),
    ],
    plugin: { provisionCalls: [] },
    expectedEvents: ['Warning ProvisioningFailed'],
    expectedEventMessages: ['Mount options'],
    test: 'syncClaim',
  },
  {
    name: '11-21 - external provisioner for CSI migration',
    skip: 'kvol migrates no in-tree plugin to CSI; pv.kubernetes.io/migrated-to is never written',
    test: 'syncClaim',
  },
  {
    name: '11-22 - external provisioner with volume available',
    initialVolumes: [newVolume('volume11-22', '1Gi', '', '', 'Available', 'Retain', 'external')],
    expectedVolumes: [
      newVolume('volume11-22', '1Gi', 'uid11-22', 'claim11-22', 'Bound', 'Retain', 'external', BBC),
    ],
    initialClaims: [newClaim('claim11-22', 'uid11-22', '1Gi', '', 'Pending', 'external')],
    expectedClaims: [newClaim('claim11-22', 'uid11-22', '1Gi', 'volume11-22', 'Bound', 'external', BBC, BC)],
    plugin: { provisionCalls: [] },
    expectedEvents: noevents,
    test: 'syncClaim',
  },
  {
    name: '11-23 - skip finding PV and provision for PVC annotated with AnnSelectedNode',
    initialVolumes: [newVolume('volume11-23', '1Gi', '', '', 'Available', 'Delete', 'copper')],
    expectedVolumes: [
      newVolume('volume11-23', '1Gi', '', '', 'Available', 'Delete', 'copper'),
      ...withFinalizers(
        [newVolume('pvc-uid11-23', '1Gi', 'uid11-23', 'claim11-23', 'Bound', 'Delete', 'copper', PB, BBC)],
        FIN,
      ),
    ],
    initialClaims: withClaimAnnotation(AnnSelectedNode, 'node1', [
      newClaim('claim11-23', 'uid11-23', '1Gi', '', 'Pending', 'copper'),
    ]),
    expectedClaims: withSP(
      MockPluginName,
      withClaimAnnotation(AnnSelectedNode, 'node1', [
        newClaim('claim11-23', 'uid11-23', '1Gi', '', 'Pending', 'copper'),
      ]),
    ),
    nodes: [newNode('node1')],
    plugin: { provisionCalls: [provision1Success] },
    expectedEvents: ['Normal ProvisioningSucceeded'],
    check: (env) => assert.equal(env.plugin.provisionOptions[0]?.selectedNode?.metadata.name, 'node1'),
    test: 'syncClaim',
  },
  {
    name: '11-24 - skip finding PV and wait external provisioner for PVC annotated with AnnSelectedNode',
    initialVolumes: [newVolume('volume11-24', '1Gi', '', '', 'Available', 'Delete', 'external-wait')],
    expectedVolumes: [newVolume('volume11-24', '1Gi', '', '', 'Available', 'Delete', 'external-wait')],
    initialClaims: withClaimAnnotation(AnnSelectedNode, 'node1', [
      newClaim('claim11-24', 'uid11-24', '1Gi', '', 'Pending', 'external-wait'),
    ]),
    expectedClaims: withSP(
      'vendor.com/my-volume-wait',
      withClaimAnnotation(AnnSelectedNode, 'node1', [
        newClaim('claim11-24', 'uid11-24', '1Gi', '', 'Pending', 'external-wait'),
      ]),
    ),
    nodes: [newNode('node1')],
    plugin: { provisionCalls: [] },
    expectedEvents: ['Normal ExternalProvisioning'],
    test: 'syncClaim',
  },
  {
    name: '11-25 - failed in-tree provision with data source',
    initialClaims: withDataSource([newClaim('claim11-25', 'uid11-25', '1Gi', '', 'Pending', 'gold')]),
    expectedClaims: withDataSource([newClaim('claim11-25', 'uid11-25', '1Gi', '', 'Pending', 'gold')]),
    plugin: { provisionCalls: [] },
    expectedEvents: ['Warning ProvisioningFailed'],
    expectedEventMessages: [
      `plugin "${MockPluginName}" is not a CSI plugin. Only CSI plugin can provision a claim with a datasource`,
    ],
    test: 'syncClaim',
  },
  {
    name: '11-26 - csi with data source',
    initialClaims: withClaimAnnotation(
      SP,
      'mydriver.csi.k8s.io',
      withDataSource([newClaim('claim11-26', 'uid11-26', '1Gi', '', 'Pending', 'csi')]),
    ),
    expectedClaims: withClaimAnnotation(
      SP,
      'mydriver.csi.k8s.io',
      withDataSource([newClaim('claim11-26', 'uid11-26', '1Gi', '', 'Pending', 'csi')]),
    ),
    plugin: { provisionCalls: [] },
    expectedEvents: ['Normal ExternalProvisioning'],
    test: 'syncClaim',
  },
];

describe('TestProvisionSync (provision_test.go)', () => {
  for (const tc of provisionTests) {
    if (tc.skip !== undefined) {
      it.skip(`${tc.name} (${tc.skip})`, () => {});
      continue;
    }
    it(tc.name, () => runSyncTest({ ...tc, classes }));
  }
});

const multiSyncTests: ControllerTest[] = [
  {
    name: '12-1 - successful provision',
    initialClaims: [newClaim('claim12-1', 'uid12-1', '1Gi', '', 'Pending', 'gold')],
    expectedVolumes: withFinalizers(
      [newVolume('pvc-uid12-1', '1Gi', 'uid12-1', 'claim12-1', 'Bound', 'Delete', 'gold', BBC, PB)],
      FIN,
    ),
    expectedClaims: [
      newClaim('claim12-1', 'uid12-1', '1Gi', 'pvc-uid12-1', 'Bound', 'gold', BBC, BC, SP, SPBeta),
    ],
    plugin: { provisionCalls: [provision1Success] },
    expectedEvents: ['Normal ProvisioningSucceeded'],
    test: 'syncClaim',
  },
  {
    name: '12-2 - external provisioner with volume provisioned',
    initialClaims: [newClaim('claim12-2', 'uid12-2', '1Gi', '', 'Pending', 'external')],
    expectedVolumes: [
      newVolume('pvc-uid12-2', '1Gi', 'uid12-2', 'claim12-2', 'Bound', 'Retain', 'external', BBC),
    ],
    expectedClaims: withSP('vendor.com/my-volume', [
      newClaim('claim12-2', 'uid12-2', '1Gi', 'pvc-uid12-2', 'Bound', 'external', BBC, BC),
    ]),
    plugin: { provisionCalls: [] },
    // The external provisioner creates an unbound, Available volume.
    injectBeforeOperation: (env) =>
      env.addVolume(newVolume('pvc-uid12-2', '1Gi', '', '', 'Available', 'Retain', 'external')),
    expectedEvents: ['Normal ExternalProvisioning'],
    test: 'syncClaim',
  },
  {
    name: '12-3 - external provisioner with volume to be provisioned',
    initialClaims: [newClaim('claim12-3', 'uid12-3', '1Gi', '', 'Pending', 'external')],
    expectedClaims: withSP('vendor.com/my-volume', [
      newClaim('claim12-3', 'uid12-3', '1Gi', '', 'Pending', 'external'),
    ]),
    plugin: { provisionCalls: [] },
    expectedEvents: ['Normal ExternalProvisioning'],
    test: 'syncClaim',
  },
  {
    name: '12-4 - external provisioner with volume provisioned/bound',
    initialClaims: [newClaim('claim12-4', 'uid12-4', '1Gi', '', 'Pending', 'external')],
    expectedVolumes: [
      newVolume('pvc-uid12-4', '1Gi', 'uid12-4', 'claim12-4', 'Bound', 'Retain', 'external', BBC),
    ],
    expectedClaims: withSP('vendor.com/my-volume', [
      newClaim('claim12-4', 'uid12-4', '1Gi', 'pvc-uid12-4', 'Bound', 'external', BBC, BC),
    ]),
    plugin: { provisionCalls: [] },
    // The external provisioner creates a volume already bound to the claim.
    injectBeforeOperation: (env) =>
      env.addVolume(
        newVolume('pvc-uid12-4', '1Gi', 'uid12-4', 'claim12-4', 'Bound', 'Retain', 'external', BBC),
      ),
    expectedEvents: ['Normal ExternalProvisioning'],
    test: 'syncClaim',
  },
];

describe('TestProvisionMultiSync (provision_test.go)', () => {
  for (const tc of multiSyncTests) it(tc.name, () => runMultisyncTest({ ...tc, classes }));
});

describe('rescheduleProvisioning', () => {
  it('removes selected-node when in-tree provisioning fails, so the scheduler picks again', () =>
    runSyncTest({
      name: 'reschedule',
      initialClaims: withClaimAnnotation(AnnSelectedNode, 'node1', [
        newClaim('claim-rs', 'uid-rs', '1Gi', '', 'Pending', 'copper'),
      ]),
      expectedClaims: withSP(MockPluginName, [
        newClaim('claim-rs', 'uid-rs', '1Gi', '', 'Pending', 'copper'),
      ]),
      classes,
      nodes: [newNode('node1')],
      plugin: { provisionCalls: [provisionFail] },
      expectedEvents: ['Warning ProvisioningFailed'],
      expectedEventMessages: [
        'Failed to provision volume with StorageClass "copper": Mock provisioner error',
      ],
      test: 'syncClaim',
    }));

  it('reports a selected node that does not exist', () =>
    runSyncTest({
      name: 'missing node',
      initialClaims: withClaimAnnotation(AnnSelectedNode, 'node9', [
        newClaim('claim-mn', 'uid-mn', '1Gi', '', 'Pending', 'copper'),
      ]),
      expectedClaims: withSP(
        MockPluginName,
        withClaimAnnotation(AnnSelectedNode, 'node9', [
          newClaim('claim-mn', 'uid-mn', '1Gi', '', 'Pending', 'copper'),
        ]),
      ),
      classes,
      plugin: { provisionCalls: [provision1Success] },
      expectedEvents: ['Warning ProvisioningFailed'],
      expectedEventMessages: ['Failed to get target node: '],
      test: 'syncClaim',
    }));
});

describe('TestDisablingDynamicProvisioner', () => {
  it('does not provision when dynamic provisioning is disabled', () =>
    runSyncTest({
      name: 'disabled',
      initialClaims: [newClaim('claim-d', 'uid-d', '1Gi', '', 'Pending', 'gold')],
      expectedClaims: [newClaim('claim-d', 'uid-d', '1Gi', '', 'Pending', 'gold')],
      classes,
      plugin: { provisionCalls: [provision1Success] },
      enableDynamicProvisioning: false,
      expectedEvents: noevents,
      test: 'syncClaim',
    }));
});

async function retroactiveCount(): Promise<number> {
  const m = (await metricsRegistry.getMetricsAsJSON()).find(
    (x) => x.name === 'retroactive_storageclass_total',
  );
  return (m?.values[0]?.value as number | undefined) ?? 0;
}

describe('retroactive default StorageClass', () => {
  const defaultClass = (name: string) => {
    const sc = newClass(name, 'vendor.com/my-volume', {
      volumeBindingMode: 'Immediate',
      annotations: { [AnnIsDefaultStorageClass]: 'true' },
    });
    return sc;
  };

  it('assigns the default class to a claim without a class and counts it', async () => {
    const before = await retroactiveCount();
    await runSyncTest({
      name: 'assign default',
      initialClaims: [newClaim('claim-r1', 'uid-r1', '1Gi', '', 'Pending', undefined)],
      expectedClaims: [newClaim('claim-r1', 'uid-r1', '1Gi', '', 'Pending', 'fast')],
      classes: [
        defaultClass('fast'),
        newClass('slow', 'vendor.com/my-volume', { volumeBindingMode: 'Immediate' }),
      ],
      expectedEvents: noevents,
      test: 'syncClaim',
    });
    assert.equal(await retroactiveCount(), before + 1);
  });

  it('leaves a claim that asked for class "" alone', () =>
    runSyncTest({
      name: 'empty class',
      initialClaims: [newClaim('claim-r2', 'uid-r2', '1Gi', '', 'Pending', '')],
      expectedClaims: [newClaim('claim-r2', 'uid-r2', '1Gi', '', 'Pending', '')],
      classes: [defaultClass('fast')],
      expectedEvents: ['Normal FailedBinding'],
      test: 'syncClaim',
    }));

  it('binds an available volume of class "" before assigning a default class', () =>
    runSyncTest({
      name: 'volume first',
      initialVolumes: [newVolume('volume-r3', '1Gi', '', '', 'Available', 'Retain', '')],
      expectedVolumes: [newVolume('volume-r3', '1Gi', 'uid-r3', 'claim-r3', 'Bound', 'Retain', '', BBC)],
      initialClaims: [newClaim('claim-r3', 'uid-r3', '1Gi', '', 'Pending', undefined)],
      expectedClaims: [newClaim('claim-r3', 'uid-r3', '1Gi', 'volume-r3', 'Bound', undefined, BBC, BC)],
      classes: [defaultClass('fast')],
      expectedEvents: noevents,
      test: 'syncClaim',
    }));

  it('picks the newest of several default classes and then provisions from it', () =>
    runMultisyncTest({
      name: 'newest default',
      initialClaims: [newClaim('claim-r4', 'uid-r4', '1Gi', '', 'Pending', undefined)],
      expectedClaims: withSP('vendor.com/my-volume', [
        newClaim('claim-r4', 'uid-r4', '1Gi', '', 'Pending', 'b-new'),
      ]),
      classes: [defaultClass('a-old'), defaultClass('b-new')],
      expectedEvents: ['Normal ExternalProvisioning'],
      test: 'syncClaim',
    }));
});

describe('delayed binding events', () => {
  const wait = newClass('wait', 'kubernetes.io/no-provisioner', {
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  it('names the unscheduled pods that wait for a WaitForFirstConsumer claim', () =>
    runSyncTest({
      name: 'pods waiting',
      initialClaims: [newClaim('claim-w', 'uid-w', '1Gi', '', 'Pending', 'wait')],
      expectedClaims: [newClaim('claim-w', 'uid-w', '1Gi', '', 'Pending', 'wait')],
      classes: [wait],
      pods: [
        newPod('pod-b', 'claim-w', 'Pending'),
        newPod('pod-a', 'claim-w', 'Pending'),
        newPod('pod-done', 'claim-w', 'Succeeded'),
        newPod('pod-scheduled', 'claim-w', 'Pending', 'node1'),
        newPod('pod-other', 'claim-other', 'Pending'),
      ],
      expectedEvents: ['Normal WaitForPodScheduled'],
      expectedEventMessages: ['waiting for pods pod-a,pod-b to be scheduled'],
      test: 'syncClaim',
    }));

  it('says "waiting for pod" for a single unscheduled pod', () =>
    runSyncTest({
      name: 'one pod waiting',
      initialClaims: [newClaim('claim-w', 'uid-w', '1Gi', '', 'Pending', 'wait')],
      expectedClaims: [newClaim('claim-w', 'uid-w', '1Gi', '', 'Pending', 'wait')],
      classes: [wait],
      pods: [newPod('pod-a', 'claim-w', 'Pending')],
      expectedEvents: ['Normal WaitForPodScheduled'],
      expectedEventMessages: ['waiting for pod pod-a to be scheduled'],
      test: 'syncClaim',
    }));
});
