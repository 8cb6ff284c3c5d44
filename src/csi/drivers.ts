// The registry of CSI drivers a process knows how to reach (upstream's csiDrivers map in
// pkg/volume/csi), shared by the node agent's registration handler, the kubernetes.io/csi volume
// plugin and, in `kvol up`, the controllers: a driver that registers on the node through
// plugins_registry is driven by the built-in controller logic too. Listeners hear every change, so
// work waiting for a driver resumes the moment it registers instead of on a timer.
import { CsiClient, type CsiClientOptions } from './client.ts';

/** A registered CSI driver (upstream csi.Driver). */
export interface CSIDriverInfo {
  /** The driver's CSI endpoint (unix socket path). */
  endpoint: string;
  /** The highest CSI version both sides support, e.g. "1.0.0". */
  highestSupportedVersion: string;
}

export type CSIDriverRegistryListener = (driver: string, info: CSIDriverInfo | undefined) => void;

/**
 * The in-memory registry of CSI drivers (upstream csiDrivers) with one cached client per driver.
 * A client is made on first use and closed when its driver is removed or moves to another endpoint.
 */
export class CSIDriverRegistry {
  readonly #drivers = new Map<string, CSIDriverInfo>();
  readonly #clientOptions: Pick<CsiClientOptions, 'sidecar' | 'defaultTimeoutMs'>;
  readonly #clients = new Map<string, CsiClient>();
  readonly #listeners = new Set<CSIDriverRegistryListener>();

  /** `clientOptions` go to every client the registry makes (the controllers' view sets `sidecar`). */
  constructor(clientOptions: Pick<CsiClientOptions, 'sidecar' | 'defaultTimeoutMs'> = {}) {
    this.#clientOptions = clientOptions;
  }

  get(name: string): CSIDriverInfo | undefined {
    return this.#drivers.get(name);
  }

  set(name: string, info: CSIDriverInfo): void {
    const old = this.#drivers.get(name);
    if (old !== undefined && old.endpoint !== info.endpoint) this.#closeClient(name);
    this.#drivers.set(name, info);
    this.#notify(name, info);
  }

  delete(name: string): void {
    if (!this.#drivers.delete(name)) return;
    this.#closeClient(name);
    this.#notify(name, undefined);
  }

  names(): string[] {
    return [...this.#drivers.keys()].sort();
  }

  /** The client of a registered driver, or undefined when the driver is not registered. */
  client(name: string): CsiClient | undefined {
    const info = this.#drivers.get(name);
    if (info === undefined) return undefined;
    let c = this.#clients.get(name);
    if (c === undefined) {
      c = new CsiClient(info.endpoint, { ...this.#clientOptions, driverName: name });
      this.#clients.set(name, c);
    }
    return c;
  }

  /** Calls `listener(driver, info)` on every set (info) and delete (undefined); returns an unsubscribe. */
  subscribe(listener: CSIDriverRegistryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Closes every cached client (the registry stays usable; clients are made again on demand). */
  close(): void {
    for (const name of [...this.#clients.keys()]) this.#closeClient(name);
  }

  #closeClient(name: string): void {
    const c = this.#clients.get(name);
    if (c === undefined) return;
    this.#clients.delete(name);
    c.close();
  }

  #notify(name: string, info: CSIDriverInfo | undefined): void {
    for (const l of [...this.#listeners]) l(name, info);
  }
}
