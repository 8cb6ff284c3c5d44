// The expand controller hands grown claims to an external resizer: ExternalExpanding with upstream's
// message, and the storage-resizer annotation naming the CSI driver.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PersistentVolume, type PersistentVolumeClaim, Resources } from '../../api/index.ts';
// Shared test support of the CSI controllers (the environment and its fake driver, unused here).
import { controllerEnvPerTest } from '../csi/testing/index.ts';
import { AnnStorageResizer, ExpandController, ExternalExpandingMessage } from './index.ts';

interface Case {
  name: string;
  phase?: string;
  request: string;
  capacity: string;
  csi: boolean;
  /** Grow the request after the start (an update event rather than the initial list). */
  growTo?: string;
  expectAnnotation: string | undefined;
  expectEvents: string[];
}

const cases: Case[] = [
  {
    name: 'hands a grown CSI claim to the external resizer of its driver',
    request: '2Gi',
    capacity: '1Gi',
    csi: true,
    expectAnnotation: 'fake.csi.kvol.io',
    expectEvents: [`Normal ExternalExpanding ${ExternalExpandingMessage}`],
  },
  {
    name: 'notices a request grown after the start',
    request: '1Gi',
    capacity: '1Gi',
    csi: true,
    growTo: '5Gi',
    expectAnnotation: 'fake.csi.kvol.io',
    expectEvents: [`Normal ExternalExpanding ${ExternalExpandingMessage}`],
  },
  {
    name: 'records the event but names no resizer for a volume that is not CSI',
    request: '2Gi',
    capacity: '1Gi',
    csi: false,
    expectAnnotation: undefined,
    expectEvents: [`Normal ExternalExpanding ${ExternalExpandingMessage}`],
  },
  {
    name: 'ignores a claim that already has its size',
    request: '1Gi',
    capacity: '1Gi',
    csi: true,
    expectAnnotation: undefined,
    expectEvents: [],
  },
  {
    name: 'ignores a claim that is not bound',
    phase: 'Pending',
    request: '2Gi',
    capacity: '1Gi',
    csi: true,
    expectAnnotation: undefined,
    expectEvents: [],
  },
];

describe('ExpandController', () => {
  const start = controllerEnvPerTest();

  for (const c of cases) {
    it(c.name, async () => {
      const env = await start({
        register: false,
        seed: (store) => {
          const [claim] = store.seed(Resources.persistentvolumeclaims, {
            metadata: { name: 'claim-1', namespace: 'default' },
            spec: { resources: { requests: { storage: c.request } }, volumeName: 'pv-1' },
            status: { phase: c.phase ?? 'Bound', capacity: { storage: c.capacity } },
          } as PersistentVolumeClaim);
          store.seed(Resources.persistentvolumes, {
            metadata: { name: 'pv-1' },
            spec: {
              capacity: { storage: c.capacity },
              claimRef: { namespace: 'default', name: 'claim-1', uid: claim?.metadata.uid ?? '' },
              ...(c.csi
                ? { csi: { driver: 'fake.csi.kvol.io', volumeHandle: 'vol-1' } }
                : { hostPath: { path: '/tmp/x' } }),
            },
          } as PersistentVolume);
        },
        controllers: (deps) => [new ExpandController(deps)],
      });
      if (c.growTo !== undefined) {
        await env.client
          .resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, 'default')
          .patch('claim-1', 'application/merge-patch+json', {
            spec: { resources: { requests: { storage: c.growTo } } },
          });
        await env.settle();
      }
      const claim = env.store.object<PersistentVolumeClaim>(
        Resources.persistentvolumeclaims,
        'default',
        'claim-1',
      );
      assert.equal(claim?.metadata.annotations?.[AnnStorageResizer], c.expectAnnotation);
      assert.deepEqual(env.recorder.events, c.expectEvents);
    });
  }
});
