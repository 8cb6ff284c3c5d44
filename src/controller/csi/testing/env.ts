// Test support for the built-in CSI controllers and the expand and snapshot controllers beside them:
// a FakeObjectStore behind an InProcessClient, an informer factory, a FakeClock for the workqueues'
// delays, a FakeRecorder, a CSIDriverRegistry and a FakeControllerDriver on a unix socket in a
// temporary root. settle() runs everything until idle: it waits in real time (the CSI calls are socket
// I/O) until no API call, no CSI call, no event and no queued key has appeared for a while, stepping
// the fake clock so delayed retries fire.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'node:test';
import { type CSIDriver, Resources } from '../../../api/index.ts';
import {
  type Client,
  type EventRecorder,
  InProcessClient,
  SharedInformerFactory,
  WorkQueue,
} from '../../../client/index.ts';
import { FakeObjectStore, FakeRecorder } from '../../../client/testing/index.ts';
import { FakeClock } from '../../../component/index.ts';
import { CSIDriverRegistry } from '../../../csi/index.ts';
import type { CsiControllerContext } from '../common.ts';
import { FakeControllerDriver, type FakeControllerDriverOptions } from './driver.ts';

export interface Runnable {
  run(signal: AbortSignal, workers?: number): Promise<void>;
}

/** What the controllers under test are constructed with. */
export interface ControllerDeps {
  client: Client;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: FakeClock;
  csi: CsiControllerContext;
  /** Deadline of each CSI call (CsiControllerOptions). */
  csiTimeoutMs: number;
}

export interface ControllerEnvOptions {
  /** The fake driver; default `fake.csi.kvol.io` with the default capabilities. */
  driver?: FakeControllerDriverOptions;
  /** Register the driver in the registry at start (default true). */
  register?: boolean;
  /** CSIDriver objects the context reports; without them it reads the CSIDriver informer. */
  csiDrivers?: CSIDriver[];
  seed?: (store: FakeObjectStore) => void;
  /** Called with the driver before the controllers start (to inject failures for their first calls). */
  prepare?: (driver: FakeControllerDriver) => void;
  controllers: (deps: ControllerDeps) => Runnable[];
}

export interface ControllerEnv {
  root: string;
  store: FakeObjectStore;
  client: InProcessClient;
  recorder: FakeRecorder;
  clock: FakeClock;
  drivers: CSIDriverRegistry;
  driver: FakeControllerDriver;
  socket: string;
  /** Stops the controllers (as a killed process) and starts new ones on the same store and driver. */
  restart(): Promise<void>;
  /** Registers the driver (as plugin registration would). */
  register(): void;
  settle(): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The workqueues a controller exposes as public fields. */
function queuesOf(c: Runnable): WorkQueue<string>[] {
  return Object.values(c).filter((q): q is WorkQueue<string> => q instanceof WorkQueue);
}

export async function startControllerEnv(opts: ControllerEnvOptions): Promise<ControllerEnv> {
  const root = mkdtempSync(join(tmpdir(), 'kvol-csictl-'));
  const socket = join(root, 'csi.sock');
  const driver = new FakeControllerDriver(opts.driver ?? { name: 'fake.csi.kvol.io' });
  await driver.start(socket);
  opts.prepare?.(driver);
  const store = new FakeObjectStore();
  const client = new InProcessClient(store);
  opts.seed?.(store);
  const clock = new FakeClock();
  const recorder = new FakeRecorder();
  const drivers = new CSIDriverRegistry();
  const register = (): void =>
    drivers.set(driver.name, { endpoint: socket, highestSupportedVersion: '1.0.0' });
  if (opts.register ?? true) register();
  let informers = new SharedInformerFactory(client);
  const staticCsiDrivers =
    opts.csiDrivers === undefined
      ? undefined
      : new Map(opts.csiDrivers.map((d) => [d.metadata.name ?? '', d]));
  const csi: CsiControllerContext = {
    drivers,
    csiDriver: (name) =>
      staticCsiDrivers !== undefined
        ? staticCsiDrivers.get(name)
        : informers.informerFor<CSIDriver>(Resources.csidrivers).getByKey(name),
  };
  const start = (): { ac: AbortController; controllers: Runnable[]; running: Promise<void>[] } => {
    const controllers = opts.controllers({ client, informers, recorder, clock, csi, csiTimeoutMs: 5_000 });
    if (staticCsiDrivers === undefined) informers.informerFor<CSIDriver>(Resources.csidrivers);
    const ac = new AbortController();
    informers.start(ac.signal);
    return { ac, controllers, running: controllers.map((c) => c.run(ac.signal, 2)) };
  };
  let run = start();
  const stopControllers = async (): Promise<void> => {
    run.ac.abort();
    await Promise.allSettled(run.running);
    await informers.shutdown();
  };
  const restart = async (): Promise<void> => {
    await stopControllers();
    informers = new SharedInformerFactory(client);
    run = start();
  };
  const queued = (): number =>
    run.controllers.reduce((n, c) => n + queuesOf(c).reduce((m, q) => m + q.len(), 0), 0);
  const activity = (): number => store.calls.length + driver.calls.length + recorder.events.length;

  const settle = async (): Promise<void> => {
    let quiet = 0;
    let idleSteps = 0;
    for (let i = 0; i < 4000; i++) {
      const before = activity();
      await sleep(1);
      const busy = queued() > 0 || driver.inFlight > 0 || activity() !== before;
      if (busy) {
        quiet = 0;
        idleSteps = 0;
        continue;
      }
      quiet++;
      if (quiet < 8) continue;
      // Quiet: let the delayed retries come due, until stepping changes nothing for a while.
      if (clock.pending === 0 || idleSteps >= 40) return;
      clock.step(1000);
      idleSteps++;
      quiet = 0;
    }
  };

  await settle();
  return {
    root,
    store,
    client,
    recorder,
    clock,
    drivers,
    driver,
    socket,
    register,
    settle,
    restart,
    stop: async () => {
      await stopControllers();
      driver.release();
      drivers.close();
      await driver.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * For a describe block: a startControllerEnv whose environment is stopped after each test (pass or
 * fail).
 */
export function controllerEnvPerTest(): (opts: ControllerEnvOptions) => Promise<ControllerEnv> {
  let env: ControllerEnv | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });
  return async (opts) => {
    env = await startControllerEnv(opts);
    return env;
  };
}
