// What each CSI driver can do, as the built-in controllers need to know it: GetPluginCapabilities and
// ControllerGetCapabilities, asked once per driver and kept until the driver registers again (it may
// have restarted with other capabilities) or goes away. Concurrent askers share one pair of calls;
// a failed probe is not kept, so the next caller asks again.
import type { CSIDriverRegistry, CsiClient } from '../../csi/index.ts';

export interface DriverCapabilities {
  /** PluginCapability.Service types, e.g. CONTROLLER_SERVICE, VOLUME_ACCESSIBILITY_CONSTRAINTS. */
  readonly plugin: ReadonlySet<string>;
  /** ControllerServiceCapability.RPC types, e.g. CREATE_DELETE_VOLUME (empty without a controller service). */
  readonly controller: ReadonlySet<string>;
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
  return { plugin, controller };
}
