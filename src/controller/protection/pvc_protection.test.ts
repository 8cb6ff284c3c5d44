// Tests of the PVC protection controller over a FakeObjectStore and the in-process client: a table of
// scenarios driven step by step until idle, and a table of upstream's podUsesPVC cases.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  type KubeObject,
  newInternalError,
  type PersistentVolumeClaim,
  type Pod,
  PodPhase,
  Resources,
} from '../../api/index.ts';
import type { Client } from '../../client/index.ts';

import { pvcProtectionFinalizer } from './constants.ts';
import { PVCProtectionController, podUsesPVC } from './pvc_protection.ts';
import { type FakeObjectStore, interceptClient, startEnv, type TestEnv } from './testenv.ts';

const other = 'example.com/other';

interface ClaimOpts {
  ns?: string;
  finalizers?: string[];
  /** The uid of the pod that controls the claim (generic ephemeral volumes). */
  ownerUid?: string;
}

function claim(name: string, o: ClaimOpts = {}): PersistentVolumeClaim {
  const c: PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace: o.ns ?? 'default',
      finalizers: o.finalizers ?? [pvcProtectionFinalizer],
    },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  };
  if (o.ownerUid !== undefined) {
    c.metadata.ownerReferences = [
      { apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: o.ownerUid, controller: true },
    ];
  }
  return c;
}

interface PodOpts {
  ns?: string;
  /** '' for an unscheduled pod; default node1. */
  node?: string;
  claims?: string[];
  /** Names of generic ephemeral volumes. */
  ephemeral?: string[];
  phase?: PodPhase;
  finalizers?: string[];
}

function pod(name: string, o: PodOpts = {}): Pod {
  const volumes = [
    ...(o.claims ?? []).map((c) => ({ name: `vol-${c}`, persistentVolumeClaim: { claimName: c } })),
    ...(o.ephemeral ?? []).map((v) => ({
      name: v,
      ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce' as const] } } },
    })),
    { name: 'scratch', emptyDir: {} },
  ];
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default' },
    spec: { containers: [{ name: 'c', image: 'busybox' }], volumes },
    status: { phase: o.phase ?? PodPhase.Running },
  };
  if (o.node !== '') p.spec!.nodeName = o.node ?? 'node1';
  if (o.finalizers !== undefined) p.metadata.finalizers = o.finalizers;
  return p;
}

type Env = TestEnv<PVCProtectionController>;

const split = (key: string): [string, string] => {
  const [ns, name] = key.split('/');
  return [ns!, name!];
};
const claims = (c: Client, ns: string) =>
  c.resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, ns);
const pods = (c: Client, ns: string) => c.resource<Pod>(Resources.pods, ns);

const deleteClaim =
  (key: string) =>
  async (t: Env): Promise<void> => {
    const [ns, name] = split(key);
    await claims(t.client, ns).delete(name);
  };
const deletePod =
  (key: string) =>
  async (t: Env): Promise<void> => {
    const [ns, name] = split(key);
    await pods(t.client, ns).delete(name);
  };
const setPodPhase =
  (key: string, phase: PodPhase) =>
  async (t: Env): Promise<void> => {
    const [ns, name] = split(key);
    const p = await pods(t.client, ns).get(name);
    p.status = { ...p.status, phase };
    await pods(t.client, ns).updateStatus(p);
  };
const clearPodFinalizers =
  (key: string) =>
  async (t: Env): Promise<void> => {
    const [ns, name] = split(key);
    const p = await pods(t.client, ns).get(name);
    p.metadata.finalizers = [];
    await pods(t.client, ns).update(p);
  };

/** Claim key -> its finalizers, or 'gone'. */
type Expect = Record<string, string[] | 'gone'>;

interface Step {
  act: (t: Env) => Promise<void>;
  expect: Expect;
}

interface Case {
  name: string;
  /** Stores the case's objects before the controller starts; the store assigns uids. */
  seed: (store: FakeObjectStore) => void;
  wrap?: (c: Client) => Client;
  /** Injects API failures once the controller has synced. */
  inject?: (store: FakeObjectStore) => void;
  steps: Step[];
}

const seedPod = (store: FakeObjectStore, p: Pod): Pod => store.seed(Resources.pods, p)[0] as Pod;
const seedClaim = (store: FakeObjectStore, c: PersistentVolumeClaim): void => {
  store.seed(Resources.persistentvolumeclaims, c);
};

/** A pod watch that drops every event while `held` is true: the informer lags behind the API. */
function laggingPods(held: { value: boolean }) {
  return (c: Client): Client =>
    interceptClient(c, Resources.pods, {
      watch: (real, opts, handler, signal) =>
        real.watch(
          opts,
          (ev) => {
            if (!held.value) handler(ev);
          },
          signal,
        ),
    });
}

/** The first finalizer-removing patch of a claim races with a user adding `late`. */
function concurrentFinalizer(late: string) {
  let raced = false;
  return (c: Client): Client =>
    interceptClient(c, Resources.persistentvolumeclaims, {
      patch: async (real, name, type, body, opts) => {
        if (!raced) {
          raced = true;
          const cur = await real.get(name);
          cur.metadata.finalizers = [...(cur.metadata.finalizers ?? []), late];
          await real.update(cur);
        }
        return real.patch(name, type, body, opts);
      },
    });
}

const lag = { value: false };

const cases: Case[] = [
  {
    name: 'removes the finalizer of an unused claim being deleted, and the claim goes away',
    seed: (s) => seedClaim(s, claim('data')),
    steps: [{ act: deleteClaim('default/data'), expect: { 'default/data': 'gone' } }],
  },
  {
    name: 'leaves a claim that is not being deleted alone',
    seed: (s) => seedClaim(s, claim('data')),
    steps: [{ act: async () => {}, expect: { 'default/data': [pvcProtectionFinalizer] } }],
  },
  {
    name: 'does not add the finalizer to a claim without it (admission does)',
    seed: (s) => seedClaim(s, claim('data', { finalizers: [] })),
    steps: [
      { act: async () => {}, expect: { 'default/data': [] } },
      { act: deleteClaim('default/data'), expect: { 'default/data': 'gone' } },
    ],
  },
  {
    name: 'keeps a claim used by a running pod until the pod is deleted',
    seed: (s) => {
      seedClaim(s, claim('data'));
      seedPod(s, pod('web', { claims: ['data'] }));
    },
    steps: [
      { act: deleteClaim('default/data'), expect: { 'default/data': [pvcProtectionFinalizer] } },
      { act: deletePod('default/web'), expect: { 'default/data': 'gone' } },
    ],
  },
  {
    name: 'keeps a claim whose pod has Succeeded until the pod is deleted, as upstream',
    seed: (s) => {
      seedClaim(s, claim('data'));
      seedPod(s, pod('job', { claims: ['data'] }));
    },
    steps: [
      { act: deleteClaim('default/data'), expect: { 'default/data': [pvcProtectionFinalizer] } },
      {
        act: setPodPhase('default/job', PodPhase.Succeeded),
        expect: { 'default/data': [pvcProtectionFinalizer] },
      },
      { act: deletePod('default/job'), expect: { 'default/data': 'gone' } },
    ],
  },
  {
    name: 'keeps a claim whose pod is being deleted until the pod is gone',
    seed: (s) => {
      seedClaim(s, claim('data'));
      seedPod(s, pod('web', { claims: ['data'], finalizers: [other] }));
    },
    steps: [
      { act: deleteClaim('default/data'), expect: { 'default/data': [pvcProtectionFinalizer] } },
      { act: deletePod('default/web'), expect: { 'default/data': [pvcProtectionFinalizer] } },
      { act: clearPodFinalizers('default/web'), expect: { 'default/data': 'gone' } },
    ],
  },
  {
    name: 'a pod in another namespace using a claim of the same name does not hold the claim',
    seed: (s) => {
      seedClaim(s, claim('data'));
      seedPod(s, pod('web', { ns: 'other', claims: ['data'] }));
    },
    steps: [{ act: deleteClaim('default/data'), expect: { 'default/data': 'gone' } }],
  },
  {
    name: 'an unscheduled pod does not hold the claim, as upstream',
    seed: (s) => {
      seedClaim(s, claim('data'));
      seedPod(s, pod('web', { node: '', claims: ['data'] }));
    },
    steps: [{ act: deleteClaim('default/data'), expect: { 'default/data': 'gone' } }],
  },
  {
    name: 'a pod using other claims does not hold this one',
    seed: (s) => {
      seedClaim(s, claim('data'));
      seedClaim(s, claim('logs'));
      seedPod(s, pod('web', { claims: ['logs'] }));
    },
    steps: [
      {
        act: deleteClaim('default/data'),
        expect: { 'default/data': 'gone', 'default/logs': [pvcProtectionFinalizer] },
      },
    ],
  },
  {
    name: "keeps a generic ephemeral volume's claim while its pod runs",
    seed: (s) => {
      const p = seedPod(s, pod('web', { ephemeral: ['scratch-data'] }));
      seedClaim(s, claim('web-scratch-data', { ownerUid: p.metadata.uid! }));
    },
    steps: [
      {
        act: deleteClaim('default/web-scratch-data'),
        expect: { 'default/web-scratch-data': [pvcProtectionFinalizer] },
      },
      { act: deletePod('default/web'), expect: { 'default/web-scratch-data': 'gone' } },
    ],
  },
  {
    name: 'an ephemeral claim of the right name that the pod does not control is not held',
    seed: (s) => {
      seedPod(s, pod('web', { ephemeral: ['scratch-data'] }));
      seedClaim(s, claim('web-scratch-data', { ownerUid: 'someone-else' }));
    },
    steps: [{ act: deleteClaim('default/web-scratch-data'), expect: { 'default/web-scratch-data': 'gone' } }],
  },
  {
    name: 'releases an ephemeral claim once its pod is shut down (deleted with grace period 0)',
    seed: (s) => {
      const p = seedPod(s, pod('web', { ephemeral: ['scratch-data'], finalizers: [other] }));
      seedClaim(s, claim('web-scratch-data', { ownerUid: p.metadata.uid! }));
    },
    steps: [
      {
        act: deleteClaim('default/web-scratch-data'),
        expect: { 'default/web-scratch-data': [pvcProtectionFinalizer] },
      },
      // The fake store marks a deletion held by finalizers with deletionGracePeriodSeconds 0.
      { act: deletePod('default/web'), expect: { 'default/web-scratch-data': 'gone' } },
    ],
  },
  {
    name: 'keeps the other finalizers of the claim',
    seed: (s) => seedClaim(s, claim('data', { finalizers: [other, pvcProtectionFinalizer] })),
    steps: [{ act: deleteClaim('default/data'), expect: { 'default/data': [other] } }],
  },
  {
    name: 'does not drop a finalizer added concurrently: the conflicting write is retried on a fresh read',
    seed: (s) => seedClaim(s, claim('data')),
    wrap: concurrentFinalizer('example.com/late'),
    steps: [{ act: deleteClaim('default/data'), expect: { 'default/data': ['example.com/late'] } }],
  },
  {
    name: 'retries after an API error',
    seed: (s) => seedClaim(s, claim('data')),
    inject: (s) => s.failNext('patch', 'persistentvolumeclaims', newInternalError('etcd is sulking')),
    steps: [{ act: deleteClaim('default/data'), expect: { 'default/data': 'gone' } }],
  },
  {
    name: 'retries when the live pod list fails',
    seed: (s) => seedClaim(s, claim('data')),
    inject: (s) => s.failNext('list', 'pods', newInternalError('etcd is sulking')),
    steps: [{ act: deleteClaim('default/data'), expect: { 'default/data': 'gone' } }],
  },
  {
    name: 'a pod the informer has not seen yet holds the claim, found by the live list',
    seed: (s) => seedClaim(s, claim('data')),
    wrap: laggingPods(lag),
    steps: [
      {
        act: async (t) => {
          lag.value = true;
          await pods(t.client, 'default').create(pod('web', { claims: ['data'] }));
          await deleteClaim('default/data')(t);
        },
        expect: { 'default/data': [pvcProtectionFinalizer] },
      },
      {
        act: async (t) => {
          lag.value = false;
          await deletePod('default/web')(t);
        },
        expect: { 'default/data': 'gone' },
      },
    ],
  },
];

function observed(store: FakeObjectStore, expect: Expect): Expect {
  const out: Expect = {};
  for (const key of Object.keys(expect)) {
    const [ns, name] = split(key);
    const c = store.object<KubeObject>(Resources.persistentvolumeclaims, ns, name);
    out[key] = c === undefined ? 'gone' : (c.metadata.finalizers ?? []);
  }
  return out;
}

describe('PVCProtectionController', () => {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
    lag.value = false;
  });

  for (const c of cases) {
    it(c.name, async () => {
      const opts: Parameters<typeof startEnv>[1] = { seed: c.seed };
      if (c.wrap !== undefined) opts.wrap = c.wrap;
      env = await startEnv((o) => new PVCProtectionController(o), opts);
      c.inject?.(env.store);
      for (const [i, step] of c.steps.entries()) {
        await step.act(env);
        await env.settle();
        assert.deepEqual(observed(env.store, step.expect), step.expect, `after step ${i + 1}`);
      }
    });
  }

  it('asks the API for the pods of the claim namespace only, before removing the finalizer', async () => {
    env = await startEnv((o) => new PVCProtectionController(o), {
      seed: (s) => seedClaim(s, claim('data', { ns: 'team-a' })),
    });
    env.store.calls = [];
    await deleteClaim('team-a/data')(env);
    await env.settle();
    const seen = env.store.calls
      .filter((c) => c.verb !== 'watch' && c.verb !== 'delete')
      .map((c) => `${c.verb} ${c.resource} ${c.namespace ?? ''} ${c.patch ?? ''}`.trim());
    assert.equal(seen.length, 2, seen.join('\n'));
    assert.equal(seen[0], 'list pods team-a');
    assert.match(
      seen[1]!,
      /^patch persistentvolumeclaims team-a \{"metadata":\{"resourceVersion":"\d+","finalizers":null\}\}$/,
    );
  });

  it('retries a conflicting write at once on a fresh read, without waiting for a requeue', async () => {
    env = await startEnv((o) => new PVCProtectionController(o), {
      seed: (s) => seedClaim(s, claim('data')),
      wrap: concurrentFinalizer('example.com/late'),
    });
    env.store.calls = [];
    await deleteClaim('default/data')(env);
    await env.settle();
    const seen = env.store.calls
      .filter((c) => c.resource === 'persistentvolumeclaims' && c.verb !== 'watch')
      .map((c) => c.verb);
    // delete (user), get + update (the racing user), patch (409), get (fresh read), patch (ok)
    assert.deepEqual(seen, ['delete', 'get', 'update', 'patch', 'get', 'patch']);
  });

  it('finds a claim user through the pod index without a live list', async () => {
    env = await startEnv((o) => new PVCProtectionController(o), {
      seed: (s) => {
        seedClaim(s, claim('data'));
        seedPod(s, pod('web', { claims: ['data'] }));
      },
    });
    env.store.calls = [];
    await deleteClaim('default/data')(env);
    await env.settle();
    assert.deepEqual(
      env.store.calls.filter((c) => c.verb === 'list' || c.verb === 'patch'),
      [],
    );
  });
});

describe('podUsesPVC', () => {
  const uid = 'pod-uid';
  const withUid = (p: Pod): Pod => {
    p.metadata.uid = uid;
    return p;
  };
  const shutDown = (p: Pod): Pod => {
    p.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    p.metadata.deletionGracePeriodSeconds = 0;
    return p;
  };
  const rows: { name: string; pod: Pod; claim: PersistentVolumeClaim; uses: boolean }[] = [
    {
      name: 'a scheduled pod naming the claim uses it',
      pod: pod('p', { claims: ['c'] }),
      claim: claim('c'),
      uses: true,
    },
    {
      name: 'a pod naming another claim does not',
      pod: pod('p', { claims: ['d'] }),
      claim: claim('c'),
      uses: false,
    },
    {
      name: 'an unscheduled pod does not',
      pod: pod('p', { node: '', claims: ['c'] }),
      claim: claim('c'),
      uses: false,
    },
    {
      name: 'a pod in another namespace does not',
      pod: pod('p', { ns: 'x', claims: ['c'] }),
      claim: claim('c'),
      uses: false,
    },
    {
      name: 'a Failed pod still does',
      pod: pod('p', { claims: ['c'], phase: PodPhase.Failed }),
      claim: claim('c'),
      uses: true,
    },
    {
      name: 'a shut-down pod still does for a persistentVolumeClaim volume',
      pod: shutDown(pod('p', { claims: ['c'] })),
      claim: claim('c'),
      uses: true,
    },
    {
      name: 'a pod uses the claim of its ephemeral volume that it controls',
      pod: withUid(pod('p', { ephemeral: ['v'] })),
      claim: claim('p-v', { ownerUid: uid }),
      uses: true,
    },
    {
      name: 'but not one controlled by another object',
      pod: withUid(pod('p', { ephemeral: ['v'] })),
      claim: claim('p-v', { ownerUid: 'other' }),
      uses: false,
    },
    {
      name: 'nor one without an owner',
      pod: withUid(pod('p', { ephemeral: ['v'] })),
      claim: claim('p-v'),
      uses: false,
    },
    {
      name: 'nor once the pod is shut down',
      pod: shutDown(withUid(pod('p', { ephemeral: ['v'] }))),
      claim: claim('p-v', { ownerUid: uid }),
      uses: false,
    },
  ];
  for (const r of rows) {
    it(r.name, () => assert.equal(podUsesPVC(r.pod, r.claim), r.uses));
  }
});
