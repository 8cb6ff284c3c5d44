// The in-tree `kubernetes.io/csi` volume plugin of the node agent (upstream pkg/volume/csi/csi_plugin.go):
// it hands out the attacher (VolumeAttachment objects), the device mounter (NodeStageVolume), the
// mounter (NodePublishVolume), the block mapper and node expansion for every CSI volume, inline or
// PersistentVolume, and drives the driver found in the shared CSIDriverRegistry.
//
// CSIDriver objects steer it. Operations (all async) read the object fresh with a GET, so a changed
// CSIDriver takes effect for the next operation; the synchronous predicates (canAttach,
// requiresRemount) read a cache fed by a CSIDriver informer and by those GETs. A missing CSIDriver
// means: attach required, no pod info, Persistent volumes only, fsGroupPolicy ReadWriteOnceWithFSType.
// Node capabilities (NodeGetCapabilities) are cached per driver until the driver registers again.
//
// Concurrency: the plugin is shared by all operations; the operation executor runs one operation per
// volume at a time (per pod for per-pod volumes). Caches are plain maps updated from one event loop.
import { join } from 'node:path';
import {
  type CSIDriver,
  type FSGroupPolicy,
  isNotFound,
  type PersistentVolume,
  type PersistentVolumeAccessMode,
  type Pod,
  Resources,
  type VolumeAttachment,
  type VolumeLifecycleMode,
} from '../../api/index.ts';
import { type Client, SharedIndexInformer } from '../../client/index.ts';
import { logger } from '../../component/index.ts';
import type { CSIDriverRegistry, CsiCallOptions, CsiClient } from '../../csi/index.ts';
import {
  type AttachableVolumePlugin,
  type BlockVolumePlugin,
  escapePluginName,
  HostedPlugin,
  type NodeExpandableVolumePlugin,
  type PersistentVolumePlugin,
  type ReconstructedVolume,
  type VolumeHost,
  type VolumeOptions,
  type VolumePlugin,
} from '../plugins.ts';
import type { MountPoint } from '../util/mount/index.ts';
import {
  type Attacher,
  type BlockVolumeMapper,
  type BlockVolumeUnmapper,
  type Detacher,
  type DeviceMounter,
  type DeviceUnmounter,
  type Mounter,
  type Spec,
  specFromPersistentVolume,
  specFromVolume,
  TransientOperationFailure,
  type Unmounter,
} from '../volume.ts';
import { CSIAttacher } from './attacher.ts';
import { CSIBlockMapper, CSIBlockUnmapper, volumeDeviceDataDir } from './block.ts';
import {
  csiPluginName,
  csiTimeoutMs,
  mountInPodVolumeDir,
  type NodeCapability,
  volDataKey,
  volNameSep,
} from './constants.ts';
import { type NodeExpandOptions, nodeExpand } from './expander.ts';
import { CSIMounter, CSIUnmounter } from './mounter.ts';
import {
  driverNameOf,
  errMsg,
  getAttachmentName,
  getSourceFromSpec,
  lifecycleModeOf,
  loadVolumeData,
  logMsg,
  makeVolumeHandle,
} from './util.ts';

const log = logger('csi-plugin');

export interface CSIPluginOptions {
  /** The registered drivers (shared with the registration handler); `client(name)` reaches one. */
  readonly drivers: CSIDriverRegistry;
  /** Deadline of every CSI call. Default 2 min (upstream csiTimeout). */
  readonly csiTimeoutMs?: number;
  /** How long attach and detach wait for the VolumeAttachment. Default 2 min (upstream watchTimeout). */
  readonly attachTimeoutMs?: number;
  /** How long init waits for the first list of CSIDriver objects. Default 5 s. */
  readonly cacheSyncTimeoutMs?: number;
}

/** Options of a single operation: an AbortSignal from the caller, when it has one. */
export interface CSIOperationOptions {
  readonly signal?: AbortSignal | undefined;
}

/** A CSI driver is not in the registry (upstream newCsiDriverClient's error). */
export class CSIDriverNotRegisteredError extends Error {
  override readonly name = 'CSIDriverNotRegisteredError';
  readonly driver: string;
  constructor(driver: string) {
    super(`driver name ${driver} not found in the list of registered CSI drivers`);
    this.driver = driver;
  }
}

export const isCSIDriverNotRegisteredError = (err: unknown): err is CSIDriverNotRegisteredError =>
  err instanceof CSIDriverNotRegisteredError;

/** What a CSIDriver object (or its absence) says, with the API defaults filled in. */
export interface DriverPolicy {
  readonly exists: boolean;
  readonly attachRequired: boolean;
  readonly podInfoOnMount: boolean;
  readonly volumeLifecycleModes: readonly VolumeLifecycleMode[];
  readonly fsGroupPolicy: FSGroupPolicy;
  readonly requiresRepublish: boolean;
  /** Audiences of the service account tokens the driver asks for (not provided by kvol: refused). */
  readonly tokenAudiences: readonly string[];
}

export function driverPolicy(d: CSIDriver | undefined): DriverPolicy {
  const s = d?.spec;
  return {
    exists: d !== undefined,
    attachRequired: s?.attachRequired !== false,
    podInfoOnMount: s?.podInfoOnMount === true,
    // The API defaults these; an object stored without them behaves as the defaults.
    volumeLifecycleModes: s?.volumeLifecycleModes?.length ? s.volumeLifecycleModes : ['Persistent'],
    fsGroupPolicy: s?.fsGroupPolicy ?? 'ReadWriteOnceWithFSType',
    requiresRepublish: s?.requiresRepublish === true,
    tokenAudiences: (s?.tokenRequests ?? []).map((t) => t.audience),
  };
}

/** Go's %q of a string slice: `["Persistent" "Ephemeral"]`. */
function quoteList(xs: readonly string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
}

/**
 * Whether a driver accepts a volume of this lifecycle mode (upstream supportsVolumeLifecycleMode);
 * throws with upstream's message when not.
 */
export function checkVolumeLifecycleMode(driver: string, p: DriverPolicy, mode: VolumeLifecycleMode): void {
  if (!p.exists) {
    if (mode === 'Persistent') return;
    throw new Error(
      `volume mode ${JSON.stringify(mode)} not supported by driver ${driver} (no CSIDriver object)`,
    );
  }
  if (p.volumeLifecycleModes.includes(mode)) return;
  throw new Error(
    `volume mode ${JSON.stringify(mode)} not supported by driver ${driver} (only supports ${quoteList(p.volumeLifecycleModes)})`,
  );
}

interface CachedCaps {
  readonly client: CsiClient;
  readonly caps: Promise<ReadonlySet<string>>;
}

export class CSIPlugin
  extends HostedPlugin
  implements PersistentVolumePlugin, AttachableVolumePlugin, BlockVolumePlugin, NodeExpandableVolumePlugin
{
  readonly name = csiPluginName;
  readonly drivers: CSIDriverRegistry;
  readonly csiTimeoutMs: number;
  readonly attachTimeoutMs: number;
  readonly cacheSyncTimeoutMs: number;
  /** Last known CSIDriver per name (undefined value: known to be absent), from the informer and GETs. */
  readonly #known = new Map<string, CSIDriver | undefined>();
  readonly #caps = new Map<string, CachedCaps>();
  #informer: SharedIndexInformer<CSIDriver> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(opts: CSIPluginOptions) {
    super();
    this.drivers = opts.drivers;
    this.csiTimeoutMs = opts.csiTimeoutMs ?? csiTimeoutMs;
    this.attachTimeoutMs = opts.attachTimeoutMs ?? csiTimeoutMs;
    this.cacheSyncTimeoutMs = opts.cacheSyncTimeoutMs ?? 5_000;
  }

  /**
   * Starts the CSIDriver cache and waits (at most cacheSyncTimeoutMs) for its first list, so the
   * synchronous predicates are right when the volume manager reconstructs volumes after a restart:
   * without it a driver with attachRequired: false looks attachable until the list arrives.
   */
  override async init(host: VolumeHost): Promise<void> {
    super.init(host);
    this.#unsubscribe ??= this.drivers.subscribe((driver) => {
      // A driver that registers again (restart, new endpoint, new version) may have new capabilities.
      this.#caps.delete(driver);
    });
    if (this.#informer !== undefined) return;
    const client = this.#client();
    if (client === undefined) return;
    const informer = new SharedIndexInformer<CSIDriver>(client.resource<CSIDriver>(Resources.csidrivers), {
      name: 'csi-plugin-csidrivers',
      clock: host.getClock(),
    });
    informer.addEventHandler({
      onAdd: (d) => this.#known.set(d.metadata.name ?? '', d),
      onUpdate: (_old, d) => this.#known.set(d.metadata.name ?? '', d),
      onDelete: (d) => this.#known.set(d.metadata.name ?? '', undefined),
    });
    informer.start();
    this.#informer = informer;
    const synced = await informer.waitForSync(AbortSignal.timeout(this.cacheSyncTimeoutMs));
    if (!synced) log.info('CSIDriver objects not listed yet; assuming upstream defaults until they are');
  }

  /** Stops the CSIDriver informer and the registry subscription (the node agent calls it on shutdown). */
  close(): void {
    this.#informer?.stop();
    this.#informer = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #client(): Client | undefined {
    try {
      return this.host.getClient();
    } catch {
      return undefined;
    }
  }

  /** The API client; operations that need the API fail clearly without one. */
  kubeClient(): Client {
    return this.host.getClient();
  }

  // ---- CSIDriver ----

  /** The CSIDriver as last seen (sync; for predicates). */
  cachedDriverPolicy(driver: string): DriverPolicy {
    return driverPolicy(this.#known.get(driver));
  }

  /**
   * The CSIDriver read now from the API (undefined when it does not exist). When the API cannot be
   * reached the last known object is used; with none known the error is thrown.
   */
  async getDriverPolicy(driver: string, opts: CSIOperationOptions = {}): Promise<DriverPolicy> {
    const client = this.#client();
    if (client === undefined) return this.cachedDriverPolicy(driver);
    try {
      const d = await client
        .resource<CSIDriver>(Resources.csidrivers)
        .get(driver, opts.signal === undefined ? {} : { signal: opts.signal });
      this.#known.set(driver, d);
      return driverPolicy(d);
    } catch (err) {
      if (isNotFound(err)) {
        this.#known.set(driver, undefined);
        return driverPolicy(undefined);
      }
      if (this.#known.has(driver) || this.#informer?.hasSynced() === true) {
        log.v(2, 'cannot read CSIDriver, using the cached one', { driver, err: errMsg(err) });
        return this.cachedDriverPolicy(driver);
      }
      throw err;
    }
  }

  // ---- driver client and capabilities ----

  /** The driver's client; throws CSIDriverNotRegisteredError when it is not registered. */
  csiClient(driver: string): CsiClient {
    const c = this.drivers.client(driver);
    if (c === undefined) throw new CSIDriverNotRegisteredError(driver);
    return c;
  }

  /**
   * csiClient inside an operation: a driver that is not registered fails transiently, the message led
   * by `what`.
   */
  clientFor(driver: string, what: string): CsiClient {
    try {
      return this.csiClient(driver);
    } catch (err) {
      throw transientClientError(what, err);
    }
  }

  /** Per-call options: the plugin's deadline and the caller's signal. */
  callOptions(opts: CSIOperationOptions = {}): CsiCallOptions {
    return opts.signal === undefined
      ? { timeoutMs: this.csiTimeoutMs }
      : { timeoutMs: this.csiTimeoutMs, signal: opts.signal };
  }

  /** Whether the driver's node service has a capability (NodeGetCapabilities, cached per driver). */
  async nodeSupports(
    driver: string,
    client: CsiClient,
    cap: NodeCapability,
    opts: CSIOperationOptions = {},
  ): Promise<boolean> {
    opts.signal?.throwIfAborted();
    let cached = this.#caps.get(driver);
    if (cached === undefined || cached.client !== client) {
      const caps = client
        .nodeGetCapabilities(this.callOptions(opts))
        .then((res) => new Set(res.capabilities.map((c) => c.rpc?.type ?? 'UNKNOWN') as string[]));
      cached = { client, caps };
      this.#caps.set(driver, cached);
      // A failed probe is not remembered.
      caps.catch(() => {
        if (this.#caps.get(driver) === cached) this.#caps.delete(driver);
      });
    }
    return (await cached.caps).has(cap);
  }

  /** VolumeAttachment.status.attachmentMetadata when the driver needs attach (upstream getPublishContext). */
  async getPublishContext(
    volumeHandle: string,
    driver: string,
    policy: DriverPolicy,
    opts: CSIOperationOptions = {},
  ): Promise<Record<string, string>> {
    if (!policy.attachRequired) return {};
    const attachID = getAttachmentName(volumeHandle, driver, this.host.getNodeName());
    const va = await this.kubeClient()
      .resource<VolumeAttachment>(Resources.volumeattachments)
      .get(attachID, opts.signal === undefined ? {} : { signal: opts.signal });
    return { ...(va.status?.attachmentMetadata ?? {}) };
  }

  // ---- VolumePlugin ----

  getVolumeName(spec: Spec): string {
    const { volSrc, pvSrc } = getSourceFromSpec(spec);
    if (volSrc !== undefined || pvSrc === undefined) {
      // Inline volumes are per pod: the volume manager never asks for a shared name.
      throw new Error(
        logMsg(
          'plugin.GetVolumeName failed to extract volume source from spec: unexpected api.CSIVolumeSource found in volume.Spec',
        ),
      );
    }
    return `${pvSrc.driver}${volNameSep}${pvSrc.volumeHandle}`;
  }

  canSupport(spec: Spec): boolean {
    return spec.persistentVolume?.spec?.csi != null || spec.volume?.csi != null;
  }

  requiresRemount(spec: Spec): boolean {
    try {
      return this.cachedDriverPolicy(driverNameOf(spec)).requiresRepublish;
    } catch {
      return false;
    }
  }

  supportsMountOption(): boolean {
    return true;
  }

  getAccessModes(): PersistentVolumeAccessMode[] {
    return ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
  }

  newMounter(spec: Spec, pod: Pod, _opts: VolumeOptions): Mounter {
    const { volSrc, pvSrc } = getSourceFromSpec(spec);
    if (volSrc !== undefined) {
      return new CSIMounter(this, {
        spec,
        pod,
        driver: volSrc.driver,
        volumeHandle: makeVolumeHandle(pod.metadata.uid ?? '', spec.volume?.name ?? ''),
        readOnly: volSrc.readOnly === true,
        mode: 'Ephemeral',
      });
    }
    if (pvSrc === undefined) throw new Error(logMsg('volume source not found in volume.Spec'));
    return new CSIMounter(this, {
      spec,
      pod,
      driver: pvSrc.driver,
      volumeHandle: pvSrc.volumeHandle,
      readOnly: spec.readOnly,
      mode: 'Persistent',
    });
  }

  newUnmounter(volumeName: string, podUID: string): Unmounter {
    return new CSIUnmounter(this, volumeName, podUID);
  }

  /** `<root>/pods/<uid>/volumes/kubernetes.io~csi/<volName>/mount` (upstream GetCSIMounterPath). */
  podMountPath(podUID: string, volumeName: string): string {
    return join(
      this.host.getPodVolumeDir(podUID, csiPluginName, escapePluginName(volumeName)),
      mountInPodVolumeDir,
    );
  }

  /**
   * Rebuilds the spec from `<pod volume dir>/vol_data.json` (upstream ConstructVolumeSpec): a
   * PersistentVolume with the CSI driver and handle, or an inline CSI volume for ephemeral ones. The
   * device mount path follows from driver and handle, so it can be recomputed.
   */
  async constructVolumeSpec(volumeName: string, mountPath: string): Promise<ReconstructedVolume> {
    let data: Record<string, string>;
    try {
      data = await loadVolumeData(mountPath);
    } catch (err) {
      throw new Error(
        logMsg(`plugin.ConstructVolumeSpec failed loading volume data using [${mountPath}]: ${errMsg(err)}`),
        { cause: err },
      );
    }
    const specVolID = data[volDataKey.specVolID] ?? volumeName;
    const driver = data[volDataKey.driverName] ?? '';
    const seLinux = data[volDataKey.seLinuxMountContext];
    const extra = seLinux === undefined ? {} : { seLinuxMountContext: seLinux };
    if (data[volDataKey.volumeLifecycleMode] === 'Ephemeral') {
      return { spec: specFromVolume({ name: specVolID, csi: { driver } }), ...extra };
    }
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: specVolID },
      spec: {
        csi: { driver, volumeHandle: data[volDataKey.volHandle] ?? '' },
        volumeMode: 'Filesystem',
      },
    };
    return { spec: specFromPersistentVolume(pv, false), ...extra };
  }

  // ---- attach / device mount ----

  newAttacher(): Attacher {
    return new CSIAttacher(this);
  }

  newDetacher(): Detacher {
    return new CSIAttacher(this);
  }

  newDeviceMounter(): DeviceMounter {
    return new CSIAttacher(this);
  }

  newDeviceUnmounter(): DeviceUnmounter {
    return new CSIAttacher(this);
  }

  /** False for ephemeral inline volumes and for drivers whose CSIDriver says attachRequired: false. */
  canAttach(spec: Spec): boolean {
    if (lifecycleModeOf(spec) === 'Ephemeral') return false;
    const pvSrc = spec.persistentVolume?.spec?.csi;
    if (pvSrc == null) return false;
    return this.cachedDriverPolicy(pvSrc.driver).attachRequired;
  }

  /** PersistentVolumes have a device mount (staged or not); ephemeral inline volumes do not. */
  canDeviceMount(spec: Spec): boolean {
    return lifecycleModeOf(spec) !== 'Ephemeral';
  }

  /** Mount points that share the device mounted at `deviceMountPath` (upstream GetMountRefs). */
  async getDeviceMountRefs(deviceMountPath: string): Promise<string[]> {
    const table = await this.host.getMounter().list();
    const at = findMount(table, deviceMountPath);
    if (at === undefined) return [];
    return table
      .filter((m) => m.id !== at.id && m.major === at.major && m.minor === at.minor && m.root === at.root)
      .map((m) => m.path);
  }

  // ---- block ----

  newBlockVolumeMapper(spec: Spec, pod: Pod): BlockVolumeMapper {
    const pvSrc = spec.persistentVolume?.spec?.csi;
    if (pvSrc == null) throw new Error('CSIPersistentVolumeSource not defined in spec');
    return new CSIBlockMapper(this, spec, pod, pvSrc);
  }

  newBlockVolumeUnmapper(volumeName: string, podUID: string): BlockVolumeUnmapper {
    return new CSIBlockUnmapper(this, volumeName, podUID);
  }

  async constructBlockVolumeSpec(_podUID: string, volumeName: string, mapPath: string): Promise<Spec> {
    let data: Record<string, string>;
    try {
      data = await loadVolumeData(volumeDeviceDataDir(this.host, volumeName));
    } catch (err) {
      throw new Error(
        logMsg(
          `plugin.ConstructBlockVolumeSpec failed loading volume data using [${mapPath}]: ${errMsg(err)}`,
        ),
        { cause: err },
      );
    }
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: data[volDataKey.specVolID] ?? volumeName },
      spec: {
        csi: { driver: data[volDataKey.driverName] ?? '', volumeHandle: data[volDataKey.volHandle] ?? '' },
        volumeMode: 'Block',
      },
    };
    return specFromPersistentVolume(pv, false);
  }

  // ---- node expansion ----

  requiresFSResize(): boolean {
    return true;
  }

  nodeExpand(opts: NodeExpandOptions, op: CSIOperationOptions = {}): Promise<boolean> {
    return nodeExpand(this, opts, op);
  }
}

function findMount(table: readonly MountPoint[], path: string): MountPoint | undefined {
  let found: MountPoint | undefined;
  for (const m of table) if (m.path === path) found = m; // the last one is on top
  return found;
}

/** A TransientOperationFailure for a driver that is not registered (upstream treats it as transient). */
export function transientClientError(what: string, err: unknown): TransientOperationFailure {
  return new TransientOperationFailure(logMsg(`${what}: ${errMsg(err)}`), { cause: err });
}

/** The CSI plugin for the node agent's plugin list. */
export function probeVolumePlugins(opts: { drivers: CSIDriverRegistry }): VolumePlugin[] {
  return [new CSIPlugin({ drivers: opts.drivers })];
}
