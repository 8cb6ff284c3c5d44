// The CSI plugin registration handler (upstream pkg/volume/csi csi_plugin.go RegistrationHandler and
// nodeinfomanager): accepts CSI drivers announced through <root>/plugins_registry, records them in the
// node's driver registry, and publishes what NodeGetInfo reports — the CSINode driver entry, the
// topology labels and the `csi.volume.kubernetes.io/nodeid` annotation on the Node.
//
// Concurrency: the plugin manager serialises calls per registration socket; API writes are
// read-modify-write with a retry on Conflict, so repeating them after a crash is harmless.
import {
  type CSINode,
  type CSINodeDriver,
  isAlreadyExists,
  isConflict,
  isNotFound,
  type Node,
  Resources,
} from '../api/index.ts';
import type { Client } from '../client/index.ts';
import { logger } from '../component/index.ts';
import { CSIDriverRegistry, CsiClient } from '../csi/index.ts';
import type { PluginHandler } from './pluginmanager/index.ts';

/** Node annotation holding a JSON map of CSI driver name to node ID (upstream annotationKeyNodeID). */
export const CSINodeIDAnnotation = 'csi.volume.kubernetes.io/nodeid';

/** Upstream csiTimeout for the NodeGetInfo call made during registration. */
export const defaultCsiRegistrationTimeoutMs = 2 * 60_000;

const log = logger('csi-registration');

export class CSIVersionError extends Error {
  override readonly name = 'CSIVersionError';
  readonly driver: string;
  constructor(driver: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.driver = driver;
  }
}

export function isCSIVersionError(err: unknown): err is CSIVersionError {
  return err instanceof CSIVersionError;
}

/** A topology label the driver reports conflicts with an existing Node label. */
export class TopologyCollisionError extends Error {
  override readonly name = 'TopologyCollisionError';
  readonly key: string;
  constructor(key: string, reported: string, existing: string) {
    super(
      `detected topology value collision: driver reported "${key}":"${reported}" but existing label is "${key}":"${existing}"`,
    );
    this.key = key;
  }
}

export function isTopologyCollisionError(err: unknown): err is TopologyCollisionError {
  return err instanceof TopologyCollisionError;
}

type Version = readonly [number, number, number];

/** utilversion.ParseGeneric: "v1", "1.2", "1.2.3" (anything after a '-' or '+' is ignored). */
function parseVersion(s: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(s.trim());
  if (m === null) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const versionText = (v: Version): string => v.join('.');

/**
 * The highest 1.x version in `versions` (CSI 0.x is no longer supported, 2.x is not yet), or a
 * CSIVersionError with upstream's message.
 */
export function highestSupportedVersion(driver: string, versions: readonly string[]): string {
  let best: Version | undefined;
  for (const s of versions) {
    const v = parseVersion(s);
    if (v === undefined || v[0] !== 1) continue;
    if (best === undefined || compareVersions(v, best) > 0) best = v;
  }
  if (best === undefined) {
    throw new CSIVersionError(driver, 'none of the CSI versions reported by this driver are supported');
  }
  return versionText(best);
}

export interface CSIRegistrationHandlerOptions {
  client: Client;
  nodeName: string;
  /** Shared with the volume plugins that look drivers up; default a new registry. */
  drivers?: CSIDriverRegistry;
  /** Deadline of NodeGetInfo; default 2 min (upstream csiTimeout). */
  timeoutMs?: number;
  /** Creates the CSI client of an endpoint; default `new CsiClient(endpoint)`. */
  newClient?: (endpoint: string) => CsiClient;
}

/** Upstream RegistrationHandler: the PluginHandler for type `CSIPlugin`. */
export class CSIRegistrationHandler implements PluginHandler {
  readonly drivers: CSIDriverRegistry;
  readonly #o: CSIRegistrationHandlerOptions;
  readonly #pending = new Set<Promise<void>>();

  constructor(opts: CSIRegistrationHandlerOptions) {
    this.#o = opts;
    this.drivers = opts.drivers ?? new CSIDriverRegistry();
  }

  async validatePlugin(name: string, _endpoint: string, versions: readonly string[]): Promise<void> {
    this.#validateVersions(name, versions);
  }

  #validateVersions(name: string, versions: readonly string[]): string {
    const highest = highestSupportedVersion(name, versions);
    const existing = this.drivers.get(name);
    if (existing !== undefined) {
      const have = parseVersion(existing.highestSupportedVersion);
      const want = parseVersion(highest);
      if (have !== undefined && want !== undefined && compareVersions(have, want) > 0) {
        throw new CSIVersionError(
          name,
          `RegisterPlugin for CSI driver "${name}" failed. Another driver with the same name is already registered with a higher supported version: "${existing.highestSupportedVersion}"`,
        );
      }
    }
    return highest;
  }

  async registerPlugin(name: string, endpoint: string, versions: readonly string[]): Promise<void> {
    log.info('Register new plugin', { pluginName: name, endpoint });
    const highest = this.#validateVersions(name, versions);
    this.drivers.set(name, { endpoint, highestSupportedVersion: highest });
    const csi = this.#o.newClient?.(endpoint) ?? new CsiClient(endpoint, { driverName: name });
    try {
      const info = await csi.nodeGetInfo({ timeoutMs: this.#o.timeoutMs ?? defaultCsiRegistrationTimeoutMs });
      const maxVolumes = Number(info.max_volumes_per_node ?? 0);
      await this.installCSIDriver(name, info.node_id, maxVolumes, info.accessible_topology?.segments ?? {});
    } catch (err) {
      log.error('RegisterPlugin failed', err, { pluginName: name });
      this.drivers.delete(name);
      await this.uninstallCSIDriver(name).catch((e: unknown) =>
        log.error('failed to uninstall the CSI driver after a failed registration', e, { pluginName: name }),
      );
      throw err;
    } finally {
      csi.close();
    }
  }

  deRegisterPlugin(name: string): void {
    log.info('DeRegisterPlugin called', { pluginName: name });
    this.drivers.delete(name);
    const p = this.uninstallCSIDriver(name)
      .catch((err: unknown) => log.error('failed to uninstall the CSI driver', err, { pluginName: name }))
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** Resolves when the API writes started by deRegisterPlugin have finished. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Upstream nodeInfoManager.InstallCSIDriver: Node labels and annotation, then the CSINode entry. */
  async installCSIDriver(
    driver: string,
    nodeID: string,
    maxVolumes: number,
    topology: Readonly<Record<string, string>>,
  ): Promise<void> {
    if (nodeID === '') throw new Error(`error adding CSI driver node info: driverNodeID must not be empty`);
    const node = await this.#updateNode((n) => {
      const labels = { ...n.metadata.labels };
      for (const [k, v] of Object.entries(topology)) {
        const cur = labels[k];
        if (cur !== undefined && cur !== v) throw new TopologyCollisionError(k, v, cur);
        labels[k] = v;
      }
      const ids = nodeIDs(n);
      ids[driver] = nodeID;
      return {
        ...n,
        metadata: {
          ...n.metadata,
          labels,
          annotations: { ...n.metadata.annotations, [CSINodeIDAnnotation]: JSON.stringify(ids) },
        },
      };
    });
    const entry: CSINodeDriver = {
      name: driver,
      nodeID,
      topologyKeys: Object.keys(topology).sort(),
    };
    if (maxVolumes > 0) entry.allocatable = { count: maxVolumes };
    await this.#updateCSINode(node, (drivers) => [...drivers.filter((d) => d.name !== driver), entry]);
  }

  /** Upstream nodeInfoManager.UninstallCSIDriver: the CSINode entry, then the annotation key. */
  async uninstallCSIDriver(driver: string): Promise<void> {
    await this.#updateCSINode(undefined, (drivers) => drivers.filter((d) => d.name !== driver));
    await this.#updateNode((n) => {
      const ids = nodeIDs(n);
      if (!(driver in ids)) return undefined;
      delete ids[driver];
      const annotations = { ...n.metadata.annotations };
      if (Object.keys(ids).length === 0) delete annotations[CSINodeIDAnnotation];
      else annotations[CSINodeIDAnnotation] = JSON.stringify(ids);
      return { ...n, metadata: { ...n.metadata, annotations } };
    }, true);
  }

  /** Read-modify-write of the Node; `change` returns undefined when nothing is to be written. */
  async #updateNode(change: (n: Node) => Node | undefined, missingOk = false): Promise<Node | undefined> {
    const nodes = this.#o.client.resource<Node>(Resources.nodes);
    for (let attempt = 0; ; attempt++) {
      let node: Node;
      try {
        node = await nodes.get(this.#o.nodeName);
      } catch (err) {
        if (missingOk && isNotFound(err)) return undefined;
        throw err;
      }
      const want = change(node);
      if (want === undefined) return node;
      try {
        return await nodes.update(want);
      } catch (err) {
        if (!isConflict(err) || attempt >= 4) throw err;
      }
    }
  }

  /** Read-modify-write of CSINode `<nodeName>`, created (owned by the Node) when missing. */
  async #updateCSINode(
    node: Node | undefined,
    change: (drivers: readonly CSINodeDriver[]) => CSINodeDriver[],
  ): Promise<void> {
    const csiNodes = this.#o.client.resource<CSINode>(Resources.csinodes);
    for (let attempt = 0; ; attempt++) {
      try {
        let cur: CSINode | undefined;
        try {
          cur = await csiNodes.get(this.#o.nodeName);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        if (cur === undefined) {
          if (node === undefined) return;
          const created: CSINode = {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'CSINode',
            metadata: { name: this.#o.nodeName },
            spec: { drivers: change([]) },
          };
          const uid = node.metadata.uid;
          if (uid !== undefined) {
            created.metadata.ownerReferences = [
              { apiVersion: 'v1', kind: 'Node', name: this.#o.nodeName, uid },
            ];
          }
          await csiNodes.create(created);
          return;
        }
        const drivers = change(cur.spec.drivers ?? []);
        if (JSON.stringify(drivers) === JSON.stringify(cur.spec.drivers ?? [])) return;
        await csiNodes.update({ ...cur, spec: { ...cur.spec, drivers } });
        return;
      } catch (err) {
        if (!(isConflict(err) || isAlreadyExists(err)) || attempt >= 4) throw err;
      }
    }
  }
}

function nodeIDs(n: Node): Record<string, string> {
  const raw = n.metadata.annotations?.[CSINodeIDAnnotation];
  if (raw === undefined || raw === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === 'object') return { ...(parsed as Record<string, string>) };
  } catch {
    // upstream fails on a malformed annotation; kvol rewrites it
  }
  return {};
}
