// Test support for the built-in CSI controllers (not exported from index.ts): a FakeObjectStore behind
// an InProcessClient, an informer factory, a CSIDriverRegistry holding fake drivers on unix sockets in
// a temporary root, a FakeRecorder, and settle(), which waits until no API call, no CSI call and no
// queued key has appeared for a while (real time: the CSI calls are real socket I/O).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CSIDriver, type KubeObject, Resources, type ResourceType } from '../../api/index.ts';
import { InProcessClient, SharedInformerFactory } from '../../client/index.ts';
import { FakeObjectStore, FakeRecorder } from '../../client/testing/index.ts';
import { CSIDriverRegistry } from '../../csi/index.ts';
import type { CsiControllerContext } from './common.ts';
import type { CsiControllerOptions } from './options.ts';
import { type FakeDriverOptions, FakeSidecarDriver } from './testing/sidecardriver.ts';

interface Runnable {
  run(signal: AbortSignal, workers?: number): Promise<void>;
}

export interface CsiTestEnv<C extends Runnable> {
  store: FakeObjectStore;
  client: InProcessClient;
  recorder: FakeRecorder;
  drivers: CSIDriverRegistry;
  driver: FakeSidecarDriver;
  controller: C;
  settle(): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startCsiEnv<C extends Runnable>(
  make: (opts: CsiControllerOptions) => C,
  opts: {
    driver: FakeDriverOptions;
    /** Register the fake driver in the registry (default true). */
    register?: boolean;
    seed?: [ResourceType, KubeObject[]][];
    queueLen: (c: C) => number;
  },
): Promise<CsiTestEnv<C>> {
  const root = mkdtempSync(join(tmpdir(), 'kvol-csictl-'));
  const store = new FakeObjectStore();
  for (const [rt, objs] of opts.seed ?? []) store.seed(rt, ...objs);
  const client = new InProcessClient(store);
  const informers = new SharedInformerFactory(client);
  const recorder = new FakeRecorder();
  const drivers = new CSIDriverRegistry();
  const driver = new FakeSidecarDriver(root, opts.driver);
  await driver.start();
  if (opts.register !== false)
    drivers.set(driver.name, { endpoint: driver.socket, highestSupportedVersion: '1.0.0' });
  const csiDrivers = informers.informerFor<CSIDriver>(Resources.csidrivers);
  const csi: CsiControllerContext = { drivers, csiDriver: (n) => csiDrivers.getByKey(n) };
  const controller = make({ client, informers, recorder, csi, csiTimeoutMs: 5_000 });
  const ac = new AbortController();
  informers.start(ac.signal);
  const running = controller.run(ac.signal, 2);
  const settle = async (): Promise<void> => {
    let quiet = 0;
    for (let i = 0; i < 500 && quiet < 8; i++) {
      const calls = store.calls.length + driver.calls.length;
      await sleep(10);
      const now = store.calls.length + driver.calls.length;
      quiet = now === calls && opts.queueLen(controller) === 0 ? quiet + 1 : 0;
    }
  };
  await settle();
  return {
    store,
    client,
    recorder,
    drivers,
    driver,
    controller,
    settle,
    stop: async () => {
      ac.abort();
      await running;
      await informers.shutdown();
      drivers.close();
      await driver.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
