// What each CSI driver can do, as the built-in controllers (provisioner, attacher, capacity publisher,
// resizer, snapshotter) need to know it: GetPluginCapabilities, ControllerGetCapabilities and
// NodeGetCapabilities, asked once per driver and kept until the driver registers again (it may have
// restarted with other capabilities) or goes away. Concurrent askers share one probe; a failed probe
// is not kept, so the next caller asks again. The controller manager makes one cache for all of them.
import { type CSIDriverRegistry, type CsiClient, isCsiError, isFinalCsiError } from '../../csi/index.ts';

export interface DriverCapabilities {
  /** PluginCapability.Service types, e.g. CONTROLLER_SERVICE, VOLUME_ACCESSIBILITY_CONSTRAINTS. */
  readonly plugin: ReadonlySet<string>;
  /** ControllerServiceCapability.RPC types, e.g. CREATE_DELETE_VOLUME (empty without a controller service). */
  readonly controller: ReadonlySet<string>;
  /** NodeServiceCapability.RPC types, e.g. EXPAND_VOLUME (empty without a node service). */
  readonly node: ReadonlySet<string>;
}

export class DriverCapabilityCache {
  readonly #cache = new Map<string, { client: CsiClient; caps: Promise<DriverCapabilities> }>();
  readonly #unsubscribe: () => void;

  constructor(drivers: CSIDriverRegistry) {
    this.#unsubscribe = drivers.subscribe((name) => this.#cache.delete(name));
  }

  /** The capabilities of `driver` through `client`; rejects with the CsiError when the driver is unreachable. */
  get(driver: string, client: CsiClient, signal?: AbortSignal): Promise<DriverCapabilities> {
    const hit = this.#cache.get(driver);
    if (hit !== undefined && hit.client === client) return hit.caps;
    const caps = probe(client, signal);
    const entry = { client, caps };
    this.#cache.set(driver, entry);
    caps.catch(() => {
      if (this.#cache.get(driver) === entry) this.#cache.delete(driver);
    });
    return caps;
  }

  invalidate(driver: string): void {
    this.#cache.delete(driver);
  }

  close(): void {
    this.#unsubscribe();
    this.#cache.clear();
  }
}

async function probe(client: CsiClient, signal?: AbortSignal): Promise<DriverCapabilities> {
  const opts = { timeoutMs: 10_000, ...(signal !== undefined ? { signal } : {}) };
  const plugin = new Set<string>();
  const res = await client.getPluginCapabilities(opts);
  for (const c of res.capabilities) {
    if (c.service?.type !== undefined) plugin.add(String(c.service.type));
  }
  const controller = new Set<string>();
  if (plugin.has('CONTROLLER_SERVICE')) {
    const cres = await client.controllerGetCapabilities(opts);
    for (const c of cres.capabilities) {
      if (c.rpc?.type !== undefined) controller.add(String(c.rpc.type));
    }
  }
  const node = new Set<string>();
  try {
    for (const c of (await client.nodeGetCapabilities(opts)).capabilities) {
      if (c.rpc?.type !== undefined) node.add(String(c.rpc.type));
    }
  } catch (err) {
    // A controller-only endpoint has no Node service: it simply advertises nothing there.
    if (!isCsiError(err) || isFinalCsiError(err) === false) throw err;
  }
  return { plugin, controller, node };
}

/**
 * The shared cache of `opts`, or one of the controller's own (over `drivers`) that `done()` closes.
 */
export function ownCapabilities(
  opts: { readonly capabilities?: DriverCapabilityCache | undefined },
  drivers: CSIDriverRegistry,
): { caps: DriverCapabilityCache; done: () => void } {
  if (opts.capabilities !== undefined) return { caps: opts.capabilities, done: () => {} };
  const caps = new DriverCapabilityCache(drivers);
  return { caps, done: () => caps.close() };
}
