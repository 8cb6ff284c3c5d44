// Tests for the per-kind behavior table: lookup, wiring of defaults and field-selector labels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { behaviorFor, behaviors, isUnknownKindError, prepare, supportedFieldLabels } from './kinds.ts';
import type { KubeObject } from './meta.ts';
import { allResources, Resources, type ResourceType } from './resources.ts';

describe('behaviorFor', () => {
  it('has a behavior for every served resource', () => {
    for (const rt of allResources) assert.equal(typeof behaviorFor(rt).validate, 'function', rt.plural);
  });

  it('refuses a resource kvol does not serve', () => {
    const fake: ResourceType = { ...Resources.pods, group: 'apps', plural: 'deployments' };
    assert.throws(() => behaviorFor(fake), isUnknownKindError);
  });

  it('wires PersistentVolume defaulting', () => {
    const pv: KubeObject = { metadata: { name: 'pv' }, spec: {} };
    behaviorFor(Resources.persistentvolumes).default?.(pv);
    assert.deepEqual(pv['status'], { phase: 'Pending' });
  });

  it('wires validation: a claim without access modes is refused', () => {
    const pvc: KubeObject = {
      metadata: { name: 'c', namespace: 'default' },
      spec: { resources: { requests: { storage: '1Gi' } } },
    };
    const b = behaviorFor(Resources.persistentvolumeclaims);
    b.default?.(pvc);
    const errs = b.validate(pvc);
    assert.ok(
      errs.some((e) => e.field === 'spec.accessModes' && e.type === 'FieldValueRequired'),
      errs.map((e) => e.message()).join('; '),
    );
  });

  it('wires validation: a defaulted PersistentVolume passes', () => {
    const pv: KubeObject = {
      metadata: { name: 'pv1' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv1' } },
    };
    const b = behaviorFor(Resources.persistentvolumes);
    b.default?.(pv);
    assert.deepEqual(
      b.validate(pv).map((e) => e.message()),
      [],
    );
  });

  it('merges secret stringData and defaults its type', () => {
    const s: KubeObject = { metadata: { name: 's' }, stringData: { k: 'v' } };
    behaviors.secrets.default?.(s);
    assert.deepEqual(s, { metadata: { name: 's' }, type: 'Opaque', data: { k: 'dg==' } });
  });

  it('adds the kubernetes finalizer to a namespace on create only', () => {
    const ns: KubeObject = { metadata: { name: 'x' } };
    prepare.namespaces?.create?.(ns, 0);
    assert.deepEqual(ns['spec'], { finalizers: ['kubernetes'] });
  });
});

describe('field labels', () => {
  it('gives pods the labels kubectl selects on', () => {
    const pod: KubeObject = {
      metadata: { name: 'p' },
      spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', containers: [] },
      status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }] },
    };
    assert.deepEqual(behaviors.pods.fieldLabels?.(pod), {
      'spec.nodeName': 'n1',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': '',
      'spec.hostNetwork': 'false',
      'status.phase': 'Running',
      'status.podIP': '10.0.0.5',
      'status.nominatedNodeName': '',
    });
  });

  it('gives events their involved object, reason, source and type', () => {
    const ev: KubeObject = {
      metadata: { name: 'e' },
      involvedObject: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'c', uid: 'u1' },
      reason: 'ProvisioningSucceeded',
      reportingComponent: 'persistentvolume-controller',
      type: 'Normal',
    };
    const labels = behaviors.events.fieldLabels?.(ev);
    assert.equal(labels?.['involvedObject.uid'], 'u1');
    assert.equal(labels?.['involvedObject.kind'], 'PersistentVolumeClaim');
    assert.equal(labels?.['reason'], 'ProvisioningSucceeded');
    assert.equal(labels?.['source'], 'persistentvolume-controller');
    assert.equal(labels?.['type'], 'Normal');
  });

  it('gives secrets their type, namespaces their phase and nodes their schedulability', () => {
    assert.deepEqual(behaviors.secrets.fieldLabels?.({ metadata: {}, type: 'Opaque' }), { type: 'Opaque' });
    assert.deepEqual(behaviors.namespaces.fieldLabels?.({ metadata: {}, status: { phase: 'Active' } }), {
      'status.phase': 'Active',
    });
    assert.deepEqual(behaviors.nodes.fieldLabels?.({ metadata: {}, spec: { unschedulable: true } }), {
      'spec.unschedulable': 'true',
    });
  });

  it('lists supported labels that match what fieldLabels returns', () => {
    assert.deepEqual(supportedFieldLabels.secrets, ['type']);
    assert.ok(supportedFieldLabels.pods?.includes('spec.nodeName'));
    assert.equal(behaviors.persistentvolumes.fieldLabels, undefined);
    assert.equal(behaviors.persistentvolumeclaims.fieldLabels, undefined);
  });
});

describe('prepare hooks', () => {
  const t0 = Date.UTC(2026, 0, 2, 3, 4, 5);

  it('stamps a new PersistentVolume as Pending since now', () => {
    const pv: KubeObject = { metadata: { name: 'pv' }, spec: {} };
    prepare.persistentvolumes?.create?.(pv, t0);
    assert.deepEqual(pv['status'], { phase: 'Pending', lastPhaseTransitionTime: '2026-01-02T03:04:05Z' });
  });

  it('stamps lastPhaseTransitionTime when a status update changes the phase', () => {
    const old: KubeObject = {
      metadata: {},
      status: { phase: 'Pending', lastPhaseTransitionTime: '2026-01-01T00:00:00Z' },
    };
    const next: KubeObject = { metadata: {}, status: { phase: 'Available' } };
    prepare.persistentvolumes?.statusUpdate?.(next, old, t0);
    assert.equal(
      (next['status'] as { lastPhaseTransitionTime?: string }).lastPhaseTransitionTime,
      '2026-01-02T03:04:05Z',
    );
  });

  it('keeps the old lastPhaseTransitionTime when the phase stays', () => {
    const old: KubeObject = {
      metadata: {},
      status: { phase: 'Bound', lastPhaseTransitionTime: '2026-01-01T00:00:00Z' },
    };
    const next: KubeObject = { metadata: {}, status: { phase: 'Bound' } };
    prepare.persistentvolumes?.statusUpdate?.(next, old, t0);
    assert.equal(
      (next['status'] as { lastPhaseTransitionTime?: string }).lastPhaseTransitionTime,
      '2026-01-01T00:00:00Z',
    );
  });

  it('copies a snapshot dataSource into dataSourceRef on claim create', () => {
    const pvc: KubeObject = {
      metadata: { name: 'restore' },
      spec: { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' } },
    };
    prepare.persistentvolumeclaims?.create?.(pvc, t0);
    assert.deepEqual((pvc['spec'] as Record<string, unknown>)['dataSourceRef'], {
      kind: 'VolumeSnapshot',
      name: 'snap',
      apiGroup: 'snapshot.storage.k8s.io',
    });
  });

  it('copies a same-namespace dataSourceRef into dataSource but not a cross-namespace one', () => {
    const local: KubeObject = {
      metadata: {},
      spec: { dataSourceRef: { kind: 'PersistentVolumeClaim', name: 'src' } },
    };
    prepare.persistentvolumeclaims?.create?.(local, t0);
    assert.deepEqual((local['spec'] as Record<string, unknown>)['dataSource'], {
      kind: 'PersistentVolumeClaim',
      name: 'src',
    });
    const cross: KubeObject = {
      metadata: {},
      spec: { dataSourceRef: { kind: 'PersistentVolumeClaim', name: 'src', namespace: 'other' } },
    };
    prepare.persistentvolumeclaims?.create?.(cross, t0);
    assert.equal((cross['spec'] as Record<string, unknown>)['dataSource'], undefined);
  });

  it('drops a dataSource that is neither a claim nor a snapshot when no dataSourceRef is given', () => {
    const pvc: KubeObject = {
      metadata: {},
      spec: { dataSource: { apiGroup: 'example.com', kind: 'Thing', name: 't' } },
    };
    prepare.persistentvolumeclaims?.create?.(pvc, t0);
    assert.deepEqual(pvc['spec'], {});
  });
});
