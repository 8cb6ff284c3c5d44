// The table-test framework of the persistentvolume controller (upstream's framework_test.go): fixtures
// (newVolume / newClaim and their modifiers, with upstream's defaults), and one runner that seeds a
// FakeObjectStore, builds the controller over an InProcessClient with a FakeClock and FakeRecorder,
// runs one sync (or the whole controller until stable, for multi-sync tests) and compares the API
// contents and the events with the expectations.
//
// The fake store assigns its own UIDs, so fixture UIDs (`uid1-1`) are mapped to the store's on the way in
// (claimRef UIDs, `pvc-<uid>` names) and back on the way out.
import assert from 'node:assert/strict';
import {
  type LabelSelector,
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type PersistentVolumeMode,
  type PersistentVolumeReclaimPolicy,
  type Pod,
  Resources,
  type StorageClass,
} from '../../../api/index.ts';
import { InProcessClient, SharedInformerFactory } from '../../../client/index.ts';
import { FakeObjectStore, FakeRecorder, type FakeVerb } from '../../../client/testing/index.ts';
import { FakeClock } from '../../../component/index.ts';
import {
  AnnBetaStorageProvisioner,
  AnnDynamicallyProvisioned,
  AnnStorageProvisioner,
} from '../annotations.ts';
import { PersistentVolumeController } from '../controller.ts';
import { claimToClaimKey } from '../volumeindex.ts';
import { MockPluginName, MockVolumePlugin, type ProvisionCall } from './mockplugin.ts';

export const testNamespace = 'default';

// ---- fixtures ----------------------------------------------------------------------------------------

/**
 * newVolume: capacity, optional claimRef (namespace default, uid may be empty), phase, reclaim policy,
 * class; access modes [RWO, ROX], volumeMode Filesystem, a GCE PD source. Annotations get "yes", except
 * provisioned-by which gets the mock plugin's name.
 */
export function newVolume(
  name: string,
  capacity: string,
  claimUID: string,
  claimName: string,
  phase: string,
  reclaimPolicy: PersistentVolumeReclaimPolicy | string,
  storageClass: string,
  ...annotations: string[]
): PersistentVolume {
  const pv: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, resourceVersion: '1' },
    spec: {
      capacity: { storage: capacity },
      gcePersistentDisk: {},
      accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
      persistentVolumeReclaimPolicy: reclaimPolicy as PersistentVolumeReclaimPolicy,
      storageClassName: storageClass,
      volumeMode: 'Filesystem',
    },
    status: { phase: phase as 'Available' },
  };
  if (claimName !== '') {
    pv.spec!.claimRef = {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      uid: claimUID,
      namespace: testNamespace,
      name: claimName,
    };
  }
  if (annotations.length > 0) {
    pv.metadata.annotations = {};
    for (const a of annotations) {
      pv.metadata.annotations[a] = a === AnnDynamicallyProvisioned ? MockPluginName : 'yes';
    }
  }
  return pv;
}

/** newExternalProvisionedVolume: a CSI PV of driver pd.csi.storage.gke.io. */
export function newExternalProvisionedVolume(
  name: string,
  capacity: string,
  claimUID: string,
  claimName: string,
  phase: string,
  reclaimPolicy: PersistentVolumeReclaimPolicy,
  storageClass: string,
  annotations: Record<string, string>,
  provisionedBy?: string,
): PersistentVolume {
  const pv = newVolume(name, capacity, claimUID, claimName, phase, reclaimPolicy, storageClass);
  delete pv.spec!.gcePersistentDisk;
  pv.spec!.csi = {
    driver: 'pd.csi.storage.gke.io',
    volumeHandle: '527b55dc-c7db-4574-9226-2e33318b06a3',
    fsType: 'ext4',
    volumeAttributes: { 'Test-Key': 'Test-Value' },
  };
  const anns = { ...annotations };
  if (provisionedBy !== undefined) anns[AnnDynamicallyProvisioned] = provisionedBy;
  if (Object.keys(anns).length > 0) pv.metadata.annotations = anns;
  return pv;
}

/**
 * newClaim: namespace default, access modes [RWO, ROX], request, volumeName, phase, class (undefined =
 * nil). A Bound claim also gets status accessModes and capacity. Annotations get "yes", the provisioner
 * ones the mock plugin's name.
 */
export function newClaim(
  name: string,
  uid: string,
  request: string,
  volumeName: string,
  phase: string,
  storageClass: string | undefined,
  ...annotations: string[]
): PersistentVolumeClaim {
  const c: PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: testNamespace, uid, resourceVersion: '1' },
    spec: {
      accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
      resources: { requests: { storage: request } },
      volumeName,
      volumeMode: 'Filesystem',
    },
    status: { phase: phase as 'Pending' },
  };
  if (storageClass !== undefined) c.spec!.storageClassName = storageClass;
  if (annotations.length > 0) {
    c.metadata.annotations = {};
    for (const a of annotations) {
      c.metadata.annotations[a] =
        a === AnnBetaStorageProvisioner || a === AnnStorageProvisioner ? MockPluginName : 'yes';
    }
  }
  if (phase === 'Bound') {
    c.status!.accessModes = [...c.spec!.accessModes!];
    c.status!.capacity = { ...c.spec!.resources!.requests! };
  }
  return c;
}

export function withLabels<T extends PersistentVolume>(labels: Record<string, string>, vols: T[]): T[] {
  vols[0]!.metadata.labels = { ...labels };
  return vols;
}

export function withLabelSelector(
  sel: Record<string, string>,
  claims: PersistentVolumeClaim[],
): PersistentVolumeClaim[] {
  const s: LabelSelector = { matchLabels: { ...sel } };
  claims[0]!.spec!.selector = s;
  return claims;
}

export function withVolumeVolumeMode(
  mode: PersistentVolumeMode,
  vols: PersistentVolume[],
): PersistentVolume[] {
  vols[0]!.spec!.volumeMode = mode;
  return vols;
}

export function withClaimVolumeMode(
  mode: PersistentVolumeMode,
  claims: PersistentVolumeClaim[],
): PersistentVolumeClaim[] {
  claims[0]!.spec!.volumeMode = mode;
  return claims;
}

export function withExpectedCapacity(
  capacity: string,
  claims: PersistentVolumeClaim[],
): PersistentVolumeClaim[] {
  claims[0]!.status!.capacity = { storage: capacity };
  return claims;
}

export function withMessage(message: string, vols: PersistentVolume[]): PersistentVolume[] {
  vols[0]!.status!.message = message;
  return vols;
}

export function withFinalizers(vols: PersistentVolume[], ...finalizers: string[]): PersistentVolume[] {
  vols[0]!.metadata.finalizers = [...finalizers];
  return vols;
}

export function withClaimAnnotation(
  key: string,
  value: string,
  claims: PersistentVolumeClaim[],
): PersistentVolumeClaim[] {
  claims[0]!.metadata.annotations = { ...(claims[0]!.metadata.annotations ?? {}), [key]: value };
  return claims;
}

export function withVolumeAnnotation(
  key: string,
  value: string,
  vols: PersistentVolume[],
): PersistentVolume[] {
  vols[0]!.metadata.annotations = { ...(vols[0]!.metadata.annotations ?? {}), [key]: value };
  return vols;
}

export function withVolumeAttributesClass(vac: string, vols: PersistentVolume[]): PersistentVolume[] {
  vols[0]!.spec!.volumeAttributesClassName = vac;
  return vols;
}

export function withClaimVolumeAttributesClass(
  vac: string,
  claims: PersistentVolumeClaim[],
): PersistentVolumeClaim[] {
  claims[0]!.spec!.volumeAttributesClassName = vac;
  if (claims[0]!.status?.phase === 'Bound') claims[0]!.status.currentVolumeAttributesClassName = vac;
  return claims;
}

/** Marks the first volume as being deleted (it is deleted through the API after seeding; needs a finalizer). */
export function withDeletionTimestamp(vols: PersistentVolume[]): PersistentVolume[] {
  vols[0]!.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  return vols;
}

export function newClass(
  name: string,
  provisioner: string,
  opts: Partial<Omit<StorageClass, 'metadata' | 'provisioner'>> & {
    annotations?: Record<string, string>;
  } = {},
): StorageClass {
  const { annotations, ...rest } = opts;
  const sc: StorageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner,
    ...rest,
  };
  if (annotations !== undefined) sc.metadata.annotations = annotations;
  return sc;
}

export function newPod(name: string, claimName: string, phase: string, nodeName = ''): Pod {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: testNamespace },
    spec: {
      containers: [{ name: 'c', image: 'busybox' }],
      volumes: [{ name: 'v', persistentVolumeClaim: { claimName } }],
    },
    status: { phase: phase as 'Running' },
  } as Pod;
  if (nodeName !== '') pod.spec!.nodeName = nodeName;
  return pod;
}

export function newNode(name: string): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } };
}

// ---- the runner --------------------------------------------------------------------------------------

export type TestCall = 'syncClaim' | 'syncClaimError' | 'syncVolume';

export interface InjectedError {
  verb: FakeVerb;
  resource: 'persistentvolumes' | 'persistentvolumeclaims';
  error: Error;
}

export interface ControllerTest {
  name: string;
  initialVolumes?: PersistentVolume[];
  expectedVolumes?: PersistentVolume[];
  initialClaims?: PersistentVolumeClaim[];
  expectedClaims?: PersistentVolumeClaim[];
  classes?: StorageClass[];
  pods?: Pod[];
  nodes?: Node[];
  /** `<Type> <Reason>` of every event, in order (exact list). */
  expectedEvents?: string[];
  /** Each expected event's message must start with these (by position), when given. */
  expectedEventMessages?: (string | undefined)[];
  errors?: InjectedError[];
  test: TestCall;
  /** Scripted mock plugin; undefined: no plugin registered. */
  plugin?: {
    provisionCalls?: ProvisionCall[];
    deleteCalls?: (Error | undefined)[];
    recycleCalls?: (Error | undefined)[];
  };
  /** Runs after caches are filled, before the call (change caches, the store ...). */
  setup?: (env: TestEnv) => Promise<void> | void;
  /** Runs once, just before the first background operation starts (wrapTestWithInjectedOperation). */
  injectBeforeOperation?: (env: TestEnv) => Promise<void> | void;
  vacEnabled?: boolean;
  enableDynamicProvisioning?: boolean;
  /** Checked after the expectations, e.g. that a plugin was (not) called. */
  check?: (env: TestEnv) => void;
}

export interface TestEnv {
  store: FakeObjectStore;
  client: InProcessClient;
  clock: FakeClock;
  recorder: FakeRecorder;
  ctrl: PersistentVolumeController;
  plugin: MockVolumePlugin;
  /** Fixture UID -> store UID. */
  uids: Map<string, string>;
  /** Maps fixture UIDs in claimRefs and `pvc-<uid>` names to the store's. */
  translateVolume(pv: PersistentVolume): PersistentVolume;
  /** Creates the object in the store, fixture UIDs translated. */
  addVolume(pv: PersistentVolume): Promise<void>;
  addClaim(c: PersistentVolumeClaim): Promise<void>;
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

async function flushMany(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await flush();
}

async function buildEnv(tc: ControllerTest, signal: AbortSignal): Promise<TestEnv> {
  const clock = new FakeClock();
  const store = new FakeObjectStore({ clock });
  const client = new InProcessClient(store);
  const informers = new SharedInformerFactory(client, { clock });
  const recorder = new FakeRecorder();
  const plugin = new MockVolumePlugin();
  plugin.provisionCalls = [...(tc.plugin?.provisionCalls ?? [])];
  plugin.deleteCalls = [...(tc.plugin?.deleteCalls ?? [])];
  plugin.recycleCalls = [...(tc.plugin?.recycleCalls ?? [])];
  const ctrl = new PersistentVolumeController({
    client,
    informers,
    recorder,
    clock,
    provisioners: tc.plugin === undefined ? [] : [plugin],
    resyncPeriodMs: 0,
    createProvisionedPVIntervalMs: 5,
    volumeAttributesClassEnabled: tc.vacEnabled ?? true,
    enableDynamicProvisioning: tc.enableDynamicProvisioning ?? true,
  });
  const uids = new Map<string, string>();
  const translateName = (n: string | undefined): string | undefined => {
    if (n?.startsWith('pvc-') !== true) return n;
    const real = uids.get(n.slice(4));
    return real === undefined ? n : `pvc-${real}`;
  };
  const translateVolume = (pv: PersistentVolume): PersistentVolume => {
    const v = structuredClone(pv);
    const ref = v.spec?.claimRef;
    if (ref?.uid !== undefined && uids.has(ref.uid)) ref.uid = uids.get(ref.uid)!;
    const name = translateName(v.metadata.name);
    if (name !== undefined) v.metadata.name = name;
    return v;
  };
  const env: TestEnv = {
    store,
    client,
    clock,
    recorder,
    ctrl,
    plugin,
    uids,
    translateVolume,
    async addVolume(pv) {
      const v = translateVolume(pv);
      const deleting = v.metadata.deletionTimestamp !== undefined;
      delete v.metadata.deletionTimestamp;
      delete v.metadata.resourceVersion;
      const created = await client.resource<PersistentVolume>(Resources.persistentvolumes).create(v);
      if (created.status === undefined && v.status !== undefined) {
        await client
          .resource<PersistentVolume>(Resources.persistentvolumes)
          .updateStatus({ ...created, status: v.status });
      }
      if (deleting) await client.resource(Resources.persistentvolumes).delete(v.metadata.name!);
    },
    async addClaim(c) {
      const fixtureUID = c.metadata.uid;
      const x = structuredClone(c);
      delete x.metadata.resourceVersion;
      const vn = translateName(x.spec?.volumeName);
      if (vn !== undefined) x.spec!.volumeName = vn;
      const created = await client
        .resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims)
        .create(x);
      if (fixtureUID !== undefined) uids.set(fixtureUID, created.metadata.uid!);
    },
  };
  for (const c of tc.initialClaims ?? []) store.seed(Resources.persistentvolumeclaims, c);
  for (const c of store.objects<PersistentVolumeClaim>(Resources.persistentvolumeclaims)) {
    const fixture = (tc.initialClaims ?? []).find((f) => f.metadata.name === c.metadata.name);
    if (fixture?.metadata.uid !== undefined) uids.set(fixture.metadata.uid, c.metadata.uid!);
  }
  for (const pv of tc.initialVolumes ?? []) {
    const v = translateVolume(pv);
    const deleting = v.metadata.deletionTimestamp !== undefined;
    delete v.metadata.deletionTimestamp;
    store.seed(Resources.persistentvolumes, v);
    if (deleting) await client.resource(Resources.persistentvolumes).delete(v.metadata.name!);
  }
  for (const sc of tc.classes ?? []) {
    store.seed(Resources.storageclasses, sc);
    clock.step(1000); // distinct creationTimestamps, in table order
  }
  for (const p of tc.pods ?? []) store.seed(Resources.pods, p);
  for (const n of tc.nodes ?? []) store.seed(Resources.nodes, n);
  for (const e of tc.errors ?? []) store.failNext(e.verb, e.resource, e.error);

  informers.start(signal);
  assert.ok(await informers.waitForCacheSync(signal), 'informers synced');
  ctrl.initializeCaches();
  if (tc.injectBeforeOperation !== undefined) {
    let done = false;
    const inject = tc.injectBeforeOperation;
    ctrl.beforeOperation = async () => {
      if (done) return;
      done = true;
      await inject(env);
      await flushMany();
    };
  }
  await tc.setup?.(env);
  return env;
}

/** Lets background operations finish, moving the fake clock when they sleep. */
async function settleOperations(env: TestEnv): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    await flushMany(3);
    if (env.ctrl.isIdleOperations()) {
      await flushMany(3);
      if (env.ctrl.isIdleOperations()) return;
    }
    env.clock.step(100);
  }
  assert.fail('background operations did not finish');
}

/** Lets the running controller process everything queued, moving the fake clock for operations. */
async function settleController(env: TestEnv): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 10_000; i++) {
    await flushMany(3);
    if (env.ctrl.isIdle()) {
      if (++quiet >= 3) return;
      continue;
    }
    quiet = 0;
    if (!env.ctrl.isIdleOperations()) env.clock.step(100);
  }
  assert.fail('controller did not become idle');
}

/** Store contents in fixture terms: store UIDs mapped back, server-owned fields dropped. */
function normalize<T>(objs: T[], env: TestEnv, isVolume: boolean): T[] {
  let text = JSON.stringify(objs);
  for (const [fixture, real] of env.uids) text = text.split(real).join(fixture);
  const out = JSON.parse(text) as (T & PersistentVolume)[];
  return out.map((o) => normalizeOne(o, isVolume) as T);
}

function normalizeOne(o: PersistentVolume | PersistentVolumeClaim, isVolume: boolean): unknown {
  const x = structuredClone(o) as PersistentVolume & PersistentVolumeClaim;
  const m = x.metadata;
  delete m.resourceVersion;
  delete m.creationTimestamp;
  delete m.generation;
  delete m.managedFields;
  delete m.deletionGracePeriodSeconds;
  if (isVolume) delete m.uid;
  if (m.annotations !== undefined && Object.keys(m.annotations).length === 0) delete m.annotations;
  if (m.finalizers !== undefined && m.finalizers.length === 0) delete m.finalizers;
  const pvSpec = (x as PersistentVolume).spec;
  if (pvSpec?.claimRef !== undefined) {
    delete pvSpec.claimRef.resourceVersion;
    // Go omits an empty uid on the wire.
    if (pvSpec.claimRef.uid === '') delete pvSpec.claimRef.uid;
  }
  if (isVolume && x.status !== undefined) delete (x as PersistentVolume).status!.lastPhaseTransitionTime;
  return x;
}

function sortByName<T extends { metadata: { name?: string } }>(objs: T[]): T[] {
  return [...objs].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
}

function checkResult(tc: ControllerTest, env: TestEnv, strictEvents: boolean): void {
  const gotVolumes = sortByName(
    normalize(env.store.objects<PersistentVolume>(Resources.persistentvolumes), env, true),
  );
  const wantVolumes = sortByName(
    (tc.expectedVolumes ?? []).map((v) => normalizeOne(v, true) as PersistentVolume),
  );
  assert.deepStrictEqual(gotVolumes, wantVolumes, `${tc.name}: volumes`);
  const gotClaims = sortByName(
    normalize(env.store.objects<PersistentVolumeClaim>(Resources.persistentvolumeclaims), env, false),
  );
  const wantClaims = sortByName(
    (tc.expectedClaims ?? []).map((c) => normalizeOne(c, false) as PersistentVolumeClaim),
  );
  assert.deepStrictEqual(gotClaims, wantClaims, `${tc.name}: claims`);

  const got = env.recorder.recorded.map((e) => `${e.type} ${e.reason}`);
  const want = tc.expectedEvents ?? [];
  if (strictEvents) {
    assert.deepStrictEqual(got, want, `${tc.name}: events (${env.recorder.events.join(' | ')})`);
  } else {
    // Multi-sync: repeated syncs repeat events; every expected event shows up and nothing else does.
    assert.deepStrictEqual([...new Set(got)].sort(), [...new Set(want)].sort(), `${tc.name}: events`);
  }
  tc.expectedEventMessages?.forEach((prefix, i) => {
    if (prefix === undefined) return;
    const msg = env.recorder.recorded[i]?.message ?? '';
    let text = msg;
    for (const [fixture, real] of env.uids) text = text.split(real).join(fixture);
    assert.ok(
      text.startsWith(prefix),
      `${tc.name}: event ${i} message ${JSON.stringify(text)} starts with ${JSON.stringify(prefix)}`,
    );
  });
  tc.check?.(env);
}

async function initialCall(tc: ControllerTest, env: TestEnv): Promise<void> {
  if (tc.test === 'syncVolume') {
    const first = tc.initialVolumes?.[0];
    assert.ok(first !== undefined, 'syncVolume needs an initial volume');
    const pv = env.ctrl.cachedVolume(env.translateVolume(first).metadata.name!);
    assert.ok(pv !== undefined, 'first volume cached');
    await env.ctrl.syncVolume(pv);
    return;
  }
  const first = tc.initialClaims?.[0];
  assert.ok(first !== undefined, 'syncClaim needs an initial claim');
  const claim = env.ctrl.cachedClaim(claimToClaimKey(first));
  assert.ok(claim !== undefined, 'first claim cached');
  if (tc.test === 'syncClaimError') await assert.rejects(env.ctrl.syncClaim(claim));
  else await env.ctrl.syncClaim(claim);
}

/** runSyncTests: one sync of the first claim or volume, then wait for its background operations. */
export async function runSyncTest(tc: ControllerTest): Promise<void> {
  const ac = new AbortController();
  try {
    const env = await buildEnv(tc, ac.signal);
    await initialCall(tc, env);
    await settleOperations(env);
    await flushMany();
    checkResult(tc, env, true);
  } finally {
    ac.abort();
  }
}

/**
 * runMultisyncTests: the first sync, then the whole controller (informers, queues, workers) with periodic
 * resyncs until a resync changes nothing in the API (at most 100 rounds).
 */
export async function runMultisyncTest(tc: ControllerTest): Promise<void> {
  const ac = new AbortController();
  let running: Promise<void> | undefined;
  try {
    const env = await buildEnv(tc, ac.signal);
    await initialCall(tc, env);
    await settleOperations(env);
    running = env.ctrl.run(ac.signal);
    let stable = false;
    for (let round = 0; round < 100 && !stable; round++) {
      await settleController(env);
      const before = env.store.resourceVersion;
      env.clock.step(1000); // let back-offs expire
      await settleController(env);
      env.ctrl.resync();
      await settleController(env);
      stable = env.store.resourceVersion === before;
    }
    assert.ok(stable, `${tc.name}: did not reach a stable state`);
    checkResult(tc, env, false);
  } finally {
    ac.abort();
    await running;
  }
}
