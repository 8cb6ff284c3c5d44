import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from '../api/index.ts';
import { findMatchingVolume, getBindVolumeToClaim } from './pvutil.ts';
import { fitErrorMessage, preemptionMessage, unresolvable, unschedulable } from './status.ts';

const claim = (extra: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'c', namespace: 'ns', uid: 'uid-c', resourceVersion: '7' },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
    storageClassName: 'sc',
    ...extra,
  },
});

const vol = (
  name: string,
  size: string,
  extra: Partial<NonNullable<PersistentVolume['spec']>> = {},
  labels?: Record<string, string>,
): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: labels === undefined ? { name } : { name, labels },
  spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: 'sc', ...extra },
  status: { phase: 'Available' },
});

const node = { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', zone: 'x' } };
const onHost = (h: string) => ({
  required: {
    nodeSelectorTerms: [
      { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In' as const, values: [h] }] },
    ],
  },
});

describe('findMatchingVolume', () => {
  const cases: {
    name: string;
    claim: PersistentVolumeClaim;
    pvs: PersistentVolume[];
    excluded?: string[];
    want: string | undefined;
  }[] = [
    {
      name: 'picks the smallest PV that fits',
      claim: claim(),
      pvs: [vol('a', '5Gi'), vol('b', '2Gi'), vol('c', '500Mi')],
      want: 'b',
    },
    {
      name: 'prefers a PV pre-bound to the claim over a smaller one',
      claim: claim(),
      pvs: [vol('small', '1Gi'), vol('pre', '9Gi', { claimRef: { name: 'c', namespace: 'ns' } })],
      want: 'pre',
    },
    {
      name: 'skips PVs claimed by another claim',
      claim: claim(),
      pvs: [vol('a', '1Gi', { claimRef: { name: 'x', namespace: 'ns' } })],
      want: undefined,
    },
    {
      name: 'skips PVs of another class',
      claim: claim(),
      pvs: [vol('a', '1Gi', { storageClassName: 'other' })],
      want: undefined,
    },
    {
      name: 'skips PVs lacking a requested access mode',
      claim: claim({ accessModes: ['ReadWriteMany'] }),
      pvs: [vol('a', '1Gi')],
      want: undefined,
    },
    {
      name: 'skips PVs of another volumeMode',
      claim: claim({ volumeMode: 'Block' }),
      pvs: [vol('a', '1Gi')],
      want: undefined,
    },
    {
      name: 'skips PVs whose node affinity excludes the node',
      claim: claim(),
      pvs: [vol('a', '1Gi', { nodeAffinity: onHost('n2') }), vol('b', '3Gi', { nodeAffinity: onHost('n1') })],
      want: 'b',
    },
    {
      name: 'honours the claim selector',
      claim: claim({ selector: { matchLabels: { tier: 'gold' } } }),
      pvs: [vol('a', '1Gi', {}, { tier: 'silver' }), vol('b', '2Gi', {}, { tier: 'gold' })],
      want: 'b',
    },
    {
      name: 'skips excluded PVs',
      claim: claim(),
      pvs: [vol('a', '1Gi'), vol('b', '2Gi')],
      excluded: ['a'],
      want: 'b',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(
        findMatchingVolume(c.claim, c.pvs, node, new Set(c.excluded ?? []), true)?.metadata.name,
        c.want,
      );
    });
  }

  it('returns only pre-bound PVs without a node for delayed binding', () => {
    const pvs = [vol('a', '1Gi')];
    assert.equal(findMatchingVolume(claim(), pvs, undefined, new Set(), true), undefined);
    assert.equal(findMatchingVolume(claim(), pvs, undefined, new Set(), false)?.metadata.name, 'a');
  });
});

describe('getBindVolumeToClaim', () => {
  it('points the PV at the claim and marks it bound by the controller', () => {
    const { pv, dirty } = getBindVolumeToClaim(vol('a', '1Gi'), claim());
    assert.equal(dirty, true);
    assert.deepEqual(pv.spec?.claimRef, {
      kind: 'PersistentVolumeClaim',
      namespace: 'ns',
      name: 'c',
      apiVersion: 'v1',
      uid: 'uid-c',
      resourceVersion: '7',
    });
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  });

  it('does not mark a PV the user pre-bound', () => {
    const { pv } = getBindVolumeToClaim(
      vol('a', '1Gi', { claimRef: { name: 'c', namespace: 'ns' } }),
      claim(),
    );
    assert.equal(pv.spec?.claimRef?.uid, 'uid-c');
    assert.equal(pv.metadata.annotations, undefined);
  });
});

describe('fitErrorMessage', () => {
  it('renders the histogram, sorted, and the preemption message', () => {
    const statuses = new Map([
      ['a', unresolvable('node(s) had untolerated taint {k: v}')],
      ['b', unschedulable('node(s) exceed max volume count')],
      ['c', unresolvable('node(s) had untolerated taint {k: v}')],
    ]);
    const msg = fitErrorMessage({
      numAllNodes: 3,
      preFilterMsg: '',
      nodeToStatus: statuses,
      postFilterMsg: preemptionMessage(undefined, 3, statuses),
    });
    assert.equal(
      msg,
      '0/3 nodes are available: 1 node(s) exceed max volume count, 2 node(s) had untolerated taint {k: v}. ' +
        'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling..',
    );
  });

  it('says a pod with preemptionPolicy Never is not eligible', () => {
    assert.equal(
      preemptionMessage('Never', 1, new Map()),
      'preemption: not eligible due to preemptionPolicy=Never.',
    );
  });
});
