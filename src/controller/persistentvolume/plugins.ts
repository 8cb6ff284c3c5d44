// The provisioning side of volume plugins as the persistentvolume controller sees them (upstream's
// ProvisionableVolumePlugin / DeletableVolumePlugin / RecyclableVolumePlugin, folded into one role
// interface plus a recycling capability), their typed errors, and the registry that finds them by name.
import type {
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeReclaimPolicy,
  TopologySelectorTerm,
} from '../../api/index.ts';

/** What the controller hands a provisioner (vol.VolumeOptions). */
export interface VolumeOptions {
  /** From the StorageClass (default Delete). */
  persistentVolumeReclaimPolicy: PersistentVolumeReclaimPolicy;
  mountOptions: string[];
  /** `pvc-<claim uid>`: the provisioner should name the PV so. */
  pvName: string;
  pvc: PersistentVolumeClaim;
  /** StorageClass.parameters. */
  parameters: Record<string, string>;
  /** The node the scheduler picked (WaitForFirstConsumer), when there is one. */
  selectedNode?: Node;
  allowedTopologies?: TopologySelectorTerm[];
}

/**
 * A plugin that can create and delete storage for PVs, registered under its name
 * (`kubernetes.io/host-path`). Every call may take long; the controller runs them as background
 * operations, at most one per claim or volume at a time, and retries with back-off after a failure.
 */
export interface ProvisionerPlugin {
  /** The plugin name, `kubernetes.io/<name>` for in-tree plugins; StorageClass.provisioner refers to it. */
  readonly name: string;
  /** Whether this plugin owns the storage behind the PV (used to find a deleter for a PV by its spec). */
  canSupport(pv: PersistentVolume): boolean;
  /** Whether PVs it provisions may carry StorageClass.mountOptions. */
  supportsMountOptions(): boolean;
  /**
   * Creates the storage and returns the PV object describing it (name, capacity, access modes, reclaim
   * policy, source); the controller then binds it to the claim and saves it. Throw PluginSetupError when
   * the plugin cannot even start (bad parameters), any other error for a failed attempt.
   */
  provision(options: VolumeOptions): Promise<PersistentVolume>;
  /**
   * Deletes the storage behind the PV. Idempotent: storage already gone is success. Throw
   * DeletedVolumeInUseError when the storage is still in use (the controller retries later and does not
   * mark the PV Failed), PluginSetupError when the deleter cannot be created for this PV.
   */
  delete(pv: PersistentVolume): Promise<void>;
}

/** Forwards a recycler's progress as events on the PV (`RecyclerPod`). */
export type RecyclerEventSink = (eventType: 'Normal' | 'Warning', message: string) => void;

/** The deprecated Recycle reclaim policy: scrub the volume so it can be reused (hostPath, NFS). */
export interface RecyclablePlugin extends ProvisionerPlugin {
  /** Removes all data from the volume. Idempotent. */
  recycle(pv: PersistentVolume, events: RecyclerEventSink): Promise<void>;
}

export function isRecyclablePlugin(p: ProvisionerPlugin): p is RecyclablePlugin {
  return typeof (p as Partial<RecyclablePlugin>).recycle === 'function';
}

/** The plugin could not create its provisioner, deleter or recycler for this request. */
export class PluginSetupError extends Error {
  override readonly name = 'PluginSetupError';
  readonly plugin: string;

  constructor(plugin: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.plugin = plugin;
  }
}

export function isPluginSetupError(err: unknown): err is PluginSetupError {
  return err instanceof PluginSetupError;
}

/** volerr.DeletedVolumeInUseError: the storage cannot be deleted yet because something still uses it. */
export class DeletedVolumeInUseError extends Error {
  override readonly name = 'DeletedVolumeInUseError';
}

export function isDeletedVolumeInUse(err: unknown): err is DeletedVolumeInUseError {
  return err instanceof DeletedVolumeInUseError;
}

/** No plugin with the name, or for the PV (the VolumePluginMgr finder errors). */
export class NoPluginError extends Error {
  override readonly name = 'NoPluginError';
}

export function isNoPluginError(err: unknown): err is NoPluginError {
  return err instanceof NoPluginError;
}

/** Plugins by name; the lookups keep VolumePluginMgr's error messages. */
export class ProvisionerRegistry {
  readonly #byName = new Map<string, ProvisionerPlugin>();

  constructor(plugins: readonly ProvisionerPlugin[] = []) {
    for (const p of plugins) this.register(p);
  }

  register(p: ProvisionerPlugin): void {
    if (this.#byName.has(p.name))
      throw new Error(`volume plugin ${JSON.stringify(p.name)} was registered more than once`);
    this.#byName.set(p.name, p);
  }

  /** FindProvisionablePluginByName / FindDeletablePluginByName. */
  byName(name: string): ProvisionerPlugin {
    const p = this.#byName.get(name);
    if (p === undefined) throw new NoPluginError(`no volume plugin matched name: ${name}`);
    return p;
  }

  /** FindDeletablePluginBySpec. */
  bySpec(pv: PersistentVolume): ProvisionerPlugin {
    const matches = [...this.#byName.values()].filter((p) => p.canSupport(pv));
    if (matches.length === 0) throw new NoPluginError('no volume plugin matched');
    if (matches.length > 1) {
      throw new NoPluginError(`multiple volume plugins matched: ${matches.map((p) => p.name).join(',')}`);
    }
    return matches[0]!;
  }

  /** FindRecyclablePluginBySpec. */
  recyclerBySpec(pv: PersistentVolume): RecyclablePlugin {
    const matches = [...this.#byName.values()].filter(
      (p): p is RecyclablePlugin => isRecyclablePlugin(p) && p.canSupport(pv),
    );
    if (matches.length === 0) throw new NoPluginError('no volume plugin matched');
    return matches[0]!;
  }
}
