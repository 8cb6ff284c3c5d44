// Tests of the PV protection controller over a FakeObjectStore and the in-process client: a table of
// scenarios driven step by step until idle.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  newConflict,
  newInternalError,
  optimisticLockMessage,
  type PersistentVolume,
  PersistentVolumePhase,
  Resources,
} from '../../api/index.ts';
import type { Client } from '../../client/index.ts';

import { pvProtectionFinalizer } from './constants.ts';
import { isPVBeingUsed, PVProtectionController } from './pv_protection.ts';
import { type FakeObjectStore, interceptClient, startEnv, type TestEnv } from './testenv.ts';

const inTree = 'kubernetes.io/pv-controller';

function pv(
  name: string,
  phase: PersistentVolumePhase | undefined,
  finalizers: string[] = [pvProtectionFinalizer],
): PersistentVolume {
  const v: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, finalizers },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      hostPath: { path: `/tmp/${name}` },
    },
  };
  if (phase === PersistentVolumePhase.Bound) {
    v.spec!.claimRef = {
      kind: 'PersistentVolumeClaim',
      namespace: 'default',
      name: 'data',
      uid: 'claim-uid',
    };
  }
  if (phase !== undefined) v.status = { phase };
  return v;
}

type Env = TestEnv<PVProtectionController>;
const volumes = (c: Client) => c.resource<PersistentVolume>(Resources.persistentvolumes);

const deletePV =
  (name: string) =>
  async (t: Env): Promise<void> => {
    await volumes(t.client).delete(name);
  };
const setPhase =
  (name: string, phase: PersistentVolumePhase) =>
  async (t: Env): Promise<void> => {
    const v = await volumes(t.client).get(name);
    v.status = { ...v.status, phase };
    await volumes(t.client).updateStatus(v);
  };

/** PV name -> its finalizers, or 'gone'. */
type Expect = Record<string, string[] | 'gone'>;

interface Case {
  name: string;
  volumes: PersistentVolume[];
  wrap?: (c: Client) => Client;
  inject?: (store: FakeObjectStore) => void;
  steps: { act: (t: Env) => Promise<void>; expect: Expect }[];
}

/** The first finalizer-removing patch races with the PV controller binding the volume. */
function bindsMeanwhile() {
  let raced = false;
  return (c: Client): Client =>
    interceptClient(c, Resources.persistentvolumes, {
      patch: async (real, name, type, body, opts) => {
        if (!raced) {
          raced = true;
          const cur = (await real.get(name)) as PersistentVolume;
          cur.status = { phase: PersistentVolumePhase.Bound };
          await real.updateStatus(cur);
        }
        return real.patch(name, type, body, opts);
      },
    });
}

const cases: Case[] = [
  {
    name: 'removes the finalizer of an Available PV being deleted, and the PV goes away',
    volumes: [pv('pv1', PersistentVolumePhase.Available)],
    steps: [{ act: deletePV('pv1'), expect: { pv1: 'gone' } }],
  },
  {
    name: 'removes the finalizer of a PV without status',
    volumes: [pv('pv1', undefined)],
    steps: [{ act: deletePV('pv1'), expect: { pv1: 'gone' } }],
  },
  {
    name: 'leaves a PV that is not being deleted alone',
    volumes: [pv('pv1', PersistentVolumePhase.Available)],
    steps: [{ act: async () => {}, expect: { pv1: [pvProtectionFinalizer] } }],
  },
  {
    name: 'does not add the finalizer to a PV without it (admission does)',
    volumes: [pv('pv1', PersistentVolumePhase.Available, [])],
    steps: [{ act: async () => {}, expect: { pv1: [] } }],
  },
  {
    name: 'keeps a Bound PV until it is Released',
    volumes: [pv('pv1', PersistentVolumePhase.Bound), pv('pv2', PersistentVolumePhase.Released)],
    steps: [
      { act: deletePV('pv1'), expect: { pv1: [pvProtectionFinalizer], pv2: [pvProtectionFinalizer] } },
      { act: setPhase('pv1', PersistentVolumePhase.Released), expect: { pv1: 'gone' } },
    ],
  },
  {
    name: 'keeps the other finalizers of the PV',
    volumes: [pv('pv1', PersistentVolumePhase.Released, [pvProtectionFinalizer, inTree])],
    steps: [{ act: deletePV('pv1'), expect: { pv1: [inTree] } }],
  },
  {
    name: 'retries a write that conflicted',
    volumes: [pv('pv1', PersistentVolumePhase.Available)],
    inject: (s) =>
      s.failNext(
        'patch',
        'persistentvolumes',
        newConflict('', 'persistentvolumes', 'pv1', optimisticLockMessage),
      ),
    steps: [{ act: deletePV('pv1'), expect: { pv1: 'gone' } }],
  },
  {
    name: 'decides again on the fresh PV after a conflict: one bound meanwhile is kept',
    volumes: [pv('pv1', PersistentVolumePhase.Available)],
    wrap: bindsMeanwhile(),
    steps: [{ act: deletePV('pv1'), expect: { pv1: [pvProtectionFinalizer] } }],
  },
  {
    name: 'retries after an API error',
    volumes: [pv('pv1', PersistentVolumePhase.Available)],
    inject: (s) => s.failNext('patch', 'persistentvolumes', newInternalError('etcd is sulking')),
    steps: [{ act: deletePV('pv1'), expect: { pv1: 'gone' } }],
  },
];

function observed(store: FakeObjectStore, expect: Expect): Expect {
  const out: Expect = {};
  for (const name of Object.keys(expect)) {
    const v = store.object(Resources.persistentvolumes, undefined, name);
    out[name] = v === undefined ? 'gone' : (v.metadata.finalizers ?? []);
  }
  return out;
}

describe('PVProtectionController', () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  for (const c of cases) {
    it(c.name, async () => {
      const opts: Parameters<typeof startEnv>[1] = {
        seed: (s) => {
          s.seed(Resources.persistentvolumes, ...c.volumes);
        },
      };
      if (c.wrap !== undefined) opts.wrap = c.wrap;
      env = await startEnv((o) => new PVProtectionController(o), opts);
      c.inject?.(env.store);
      for (const [i, step] of c.steps.entries()) {
        await step.act(env);
        await env.settle();
        assert.deepEqual(observed(env.store, step.expect), step.expect, `after step ${i + 1}`);
      }
    });
  }

  it('retries a conflicting write at once on a fresh read', async () => {
    env = await startEnv((o) => new PVProtectionController(o), {
      seed: (s) => {
        s.seed(Resources.persistentvolumes, pv('pv1', PersistentVolumePhase.Available));
      },
    });
    env.store.failNext(
      'patch',
      'persistentvolumes',
      newConflict('', 'persistentvolumes', 'pv1', optimisticLockMessage),
    );
    env.store.calls = [];
    await deletePV('pv1')(env);
    await env.settle();
    const seen = env.store.calls.filter((c) => c.verb !== 'watch').map((c) => c.verb);
    assert.deepEqual(seen, ['delete', 'patch', 'get', 'patch']);
  });
});

describe('isPVBeingUsed', () => {
  const rows: { phase: PersistentVolumePhase | undefined; used: boolean }[] = [
    { phase: PersistentVolumePhase.Bound, used: true },
    { phase: PersistentVolumePhase.Available, used: false },
    { phase: PersistentVolumePhase.Released, used: false },
    { phase: PersistentVolumePhase.Failed, used: false },
    { phase: PersistentVolumePhase.Pending, used: false },
    { phase: undefined, used: false },
  ];
  for (const r of rows) {
    it(`a PV in phase ${r.phase ?? '(none)'} is ${r.used ? '' : 'not '}in use`, () => {
      assert.equal(isPVBeingUsed(pv('pv1', r.phase)), r.used);
    });
  }
});
