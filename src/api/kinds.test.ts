// Tests for the per-kind behavior table: lookup, wiring of defaults and field-selector labels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  behaviorFor,
  behaviors,
  isUnknownKindError,
  prepareForCreate,
  supportedFieldLabels,
} from './kinds.ts';
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

  it('merges secret stringData and defaults its type', () => {
    const s: KubeObject = { metadata: { name: 's' }, stringData: { k: 'v' } };
    behaviors.secrets.default?.(s);
    assert.deepEqual(s, { metadata: { name: 's' }, type: 'Opaque', data: { k: 'dg==' } });
  });

  it('adds the kubernetes finalizer to a namespace on create only', () => {
    const ns: KubeObject = { metadata: { name: 'x' } };
    prepareForCreate.namespaces?.(ns);
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
