// Test support for the protection controllers (not exported from index.ts): a FakeObjectStore behind an
// InProcessClient, a shared informer factory, a controller running its workers, and settle(), which drives
// everything until idle: watch events and API calls resolve between event-loop turns, and the workqueue's
// delayed retries fire by stepping the controller's FakeClock.
import type { KubeObject, PatchType, ResourceType, WatchOptions } from '../../api/index.ts';
import {
  type Client,
  type ClientPatchOptions,
  type ClientWatchEvent,
  InProcessClient,
  type ResourceClient,
  SharedInformerFactory,
} from '../../client/index.ts';
// The one import of client/testing: tools/check-imports.ts does not yet accept a folder's testing/ door.
import { FakeObjectStore } from '../../client/testing/index.ts';
import { FakeClock } from '../../component/index.ts';
import type { ProtectionControllerOptions } from './pvc_protection.ts';

export type { FakeObjectStore };

interface Runnable {
  readonly queue: { len(): number };
  run(signal: AbortSignal, workers?: number): Promise<void>;
}

export interface TestEnv<C extends Runnable> {
  store: FakeObjectStore;
  /** The plain client (tests write through it as users would). */
  client: Client;
  clock: FakeClock;
  controller: C;
  /** Runs until no call is made and nothing is queued or waiting for a retry. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestEnvOptions {
  /** Wraps the client the controller and its informers use (to lag watches or interleave writes). */
  wrap?: (c: Client) => Client;
  /** Objects stored before the informers start. */
  seed?: (store: FakeObjectStore) => void;
  workers?: number;
}

const turn = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

export async function startEnv<C extends Runnable>(
  make: (opts: ProtectionControllerOptions) => C,
  opts: TestEnvOptions = {},
): Promise<TestEnv<C>> {
  const store = new FakeObjectStore();
  const client = new InProcessClient(store);
  opts.seed?.(store);
  const ctrlClient = opts.wrap?.(client) ?? client;
  const clock = new FakeClock();
  const informers = new SharedInformerFactory(ctrlClient);
  const controller = make({ client: ctrlClient, informers, clock });
  const ac = new AbortController();
  informers.start(ac.signal);
  const running = controller.run(ac.signal, opts.workers ?? 2);
  const settle = async (): Promise<void> => {
    let quiet = 0;
    for (let i = 0; i < 1000 && quiet < 5; i++) {
      const calls = store.calls.length;
      await turn();
      if (controller.queue.len() === 0 && clock.pending > 0) {
        clock.step(60_000);
        quiet = 0;
        continue;
      }
      quiet = store.calls.length === calls && controller.queue.len() === 0 ? quiet + 1 : 0;
    }
  };
  await settle();
  return {
    store,
    client,
    clock,
    controller,
    settle,
    stop: async () => {
      ac.abort();
      await running;
      await informers.shutdown();
    },
  };
}

/** Replacements for some calls of one resource; each gets the real ResourceClient to forward to. */
export interface Intercepts {
  patch?(
    real: ResourceClient,
    name: string,
    type: PatchType,
    body: string | object,
    opts?: ClientPatchOptions,
  ): Promise<KubeObject>;
  watch?(
    real: ResourceClient,
    opts: WatchOptions,
    handler: (ev: ClientWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** A client that sends the intercepted calls of resource `rt` to `intercepts`, everything else to `inner`. */
export function interceptClient(inner: Client, rt: ResourceType, intercepts: Intercepts): Client {
  return {
    resource<T extends KubeObject = KubeObject>(r: ResourceType, namespace?: string): ResourceClient<T> {
      const real = inner.resource<T>(r, namespace);
      if (r !== rt) return real;
      return new Proxy(real, {
        get(target, prop) {
          const own = intercepts[prop as keyof Intercepts] as
            | ((real: ResourceClient, ...args: unknown[]) => unknown)
            | undefined;
          if (own !== undefined) {
            return (...args: unknown[]) => own(target as unknown as ResourceClient, ...args);
          }
          const v: unknown = Reflect.get(target, prop, target);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    },
  };
}
