// The volume plugin framework (upstream pkg/volume/plugins.go): the VolumePlugin interface, the
// capability interfaces a plugin may add (each with a type guard), the VolumeHost a plugin is given,
// and the manager that finds exactly one plugin for a spec or a name.
//
// Plugins are registered by name (`kubernetes.io/empty-dir`, `kubernetes.io/csi`, ...); nothing
// switches over volume kinds outside the plugins themselves: each plugin's canSupport looks for its own
// source field, so at most one plugin matches a spec.
import type {
  ConfigMap,
  KubeObject,
  Node,
  PersistentVolume,
  PersistentVolumeAccessMode,
  Pod,
  Secret,
} from '../api/index.ts';
import type { Client, EventRecorder } from '../client/index.ts';
import type { Clock } from '../component/index.ts';
import type { MountInterface } from './util/mount/index.ts';
import type {
  Attacher,
  BlockVolumeMapper,
  BlockVolumeUnmapper,
  Detacher,
  DeviceMounter,
  DeviceUnmounter,
  Mounter,
  Spec,
  Unmounter,
} from './volume.ts';

/** A volume reconstructed from disk after a restart (upstream ReconstructedVolume). */
export interface ReconstructedVolume {
  readonly spec: Spec;
  readonly seLinuxMountContext?: string;
}

export interface VolumeOptions {
  /** The pod-spec volume name (outer name) as the pod refers to it. */
  readonly outerVolumeName?: string;
}

export interface VolumePlugin {
  /** Called once by the manager before any other method. */
  init(host: VolumeHost): Promise<void> | void;
  /** `kubernetes.io/<name>` for in-tree plugins. */
  readonly name: string;
  /** A name unique to the volume (not the pod), e.g. the PV or driver+handle; used in unique names. */
  getVolumeName(spec: Spec): string;
  /** True when the spec carries this plugin's source. Mutually exclusive across plugins. */
  canSupport(spec: Spec): boolean;
  /** True when content must be refreshed on every pod sync (configMap, secret, downwardAPI, projected). */
  requiresRemount(spec: Spec): boolean;
  newMounter(spec: Spec, pod: Pod, opts: VolumeOptions): Mounter;
  newUnmounter(volumeName: string, podUID: string): Unmounter;
  /** Rebuilds a spec from a pod volume directory after a restart. */
  constructVolumeSpec(volumeName: string, mountPath: string): Promise<ReconstructedVolume>;
  supportsMountOption(): boolean;
}

export interface PersistentVolumePlugin extends VolumePlugin {
  getAccessModes(): PersistentVolumeAccessMode[];
}

export interface DeviceMountableVolumePlugin extends VolumePlugin {
  newDeviceMounter(): DeviceMounter;
  newDeviceUnmounter(): DeviceUnmounter;
  /** Pod mount paths that still use a device mount path. */
  getDeviceMountRefs(deviceMountPath: string): Promise<string[]>;
  canDeviceMount(spec: Spec): boolean;
}

export interface AttachableVolumePlugin extends DeviceMountableVolumePlugin {
  newAttacher(): Attacher;
  newDetacher(): Detacher;
  canAttach(spec: Spec): boolean;
}

export interface ExpandableVolumePlugin extends VolumePlugin {
  expandVolumeDevice(spec: Spec, newSize: string, oldSize: string): Promise<string>;
  requiresFSResize(): boolean;
}

export interface NodeExpandableVolumePlugin extends VolumePlugin {
  requiresFSResize(): boolean;
  nodeExpand(opts: {
    spec: Spec;
    devicePath?: string;
    deviceMountPath?: string;
    newSize: string;
    oldSize: string;
  }): Promise<boolean>;
}

/** A plugin that can hand a raw block device to pods (volumeMode: Block, container volumeDevices). */
export interface BlockVolumePlugin extends VolumePlugin {
  newBlockVolumeMapper(spec: Spec, pod: Pod): BlockVolumeMapper;
  newBlockVolumeUnmapper(volumeName: string, podUID: string): BlockVolumeUnmapper;
  /** Rebuilds a spec from `<root>/pods/<uid>/volumeDevices/<plugin>/<volumeName>` after a restart. */
  constructBlockVolumeSpec(podUID: string, volumeName: string, mapPath: string): Promise<Spec>;
}

export const isPersistentVolumePlugin = (p: VolumePlugin): p is PersistentVolumePlugin =>
  typeof (p as Partial<PersistentVolumePlugin>).getAccessModes === 'function';
export const isDeviceMountableVolumePlugin = (p: VolumePlugin): p is DeviceMountableVolumePlugin =>
  typeof (p as Partial<DeviceMountableVolumePlugin>).newDeviceMounter === 'function';
export const isAttachableVolumePlugin = (p: VolumePlugin): p is AttachableVolumePlugin =>
  typeof (p as Partial<AttachableVolumePlugin>).newAttacher === 'function';
export const isExpandableVolumePlugin = (p: VolumePlugin): p is ExpandableVolumePlugin =>
  typeof (p as Partial<ExpandableVolumePlugin>).expandVolumeDevice === 'function';
export const isNodeExpandableVolumePlugin = (p: VolumePlugin): p is NodeExpandableVolumePlugin =>
  typeof (p as Partial<NodeExpandableVolumePlugin>).nodeExpand === 'function';
export const isBlockVolumePlugin = (p: VolumePlugin): p is BlockVolumePlugin =>
  typeof (p as Partial<BlockVolumePlugin>).newBlockVolumeMapper === 'function';

/**
 * What the node agent gives plugins (upstream VolumeHost + KubeletVolumeHost, reduced to what kvol's
 * plugins use). Paths follow the kubelet's layout under the root dir.
 */
export interface VolumeHost {
  /** `<root>/plugins/<name>` (name unescaped, so it contains a `/`). */
  getPluginDir(pluginName: string): string;
  /** `<root>/pods` */
  getPodsDir(): string;
  /** `<root>/pods/<uid>/volumes/<escaped plugin>/<volume>` */
  getPodVolumeDir(podUID: string, pluginName: string, volumeName: string): string;
  /** `<root>/pods/<uid>/plugins/<escaped plugin>` */
  getPodPluginDir(podUID: string, pluginName: string): string;
  getMounter(): MountInterface;
  getNodeName(): string;
  getNode(): Promise<Node | undefined>;
  getClient(): Client;
  getSecret(namespace: string, name: string): Promise<Secret>;
  getConfigMap(namespace: string, name: string): Promise<ConfigMap>;
  getPersistentVolume?(name: string): Promise<PersistentVolume>;
  /** Node allocatable memory in bytes (for tmpfs sizing). */
  getNodeAllocatableMemory(): number;
  getEventRecorder(): EventRecorder;
  getClock(): Clock;
  /**
   * A mounter for an emptyDir standing in for `spec` (upstream NewWrapperMounter): the inner volume is
   * named `wrapped_<volumeName>` so its readiness marker does not collide with a real emptyDir.
   */
  newWrapperMounter(volumeName: string, medium: '' | 'Memory', pod: Pod): Mounter;
  newWrapperUnmounter(volumeName: string, podUID: string): Unmounter;
}

/** Keeps the host a plugin is given in init() (most plugins need it later). */
export abstract class HostedPlugin {
  abstract readonly name: string;
  #host: VolumeHost | undefined;

  init(host: VolumeHost): void {
    this.#host = host;
  }

  get host(): VolumeHost {
    if (this.#host === undefined) throw new Error(`volume plugin ${this.name} used before init`);
    return this.#host;
  }
}

/** `kubernetes.io/empty-dir` -> `kubernetes.io~empty-dir` (upstream EscapeQualifiedName). */
export function escapePluginName(name: string): string {
  return name.replaceAll('/', '~');
}

export function unescapePluginName(name: string): string {
  return name.replaceAll('~', '/');
}

/** Plugin lookup failures, with upstream's messages. */
export class PluginNotFoundError extends Error {
  override readonly name = 'PluginNotFoundError';
}

export class MultiplePluginsError extends Error {
  override readonly name = 'MultiplePluginsError';
}

export const isPluginNotFound = (e: unknown): e is PluginNotFoundError => e instanceof PluginNotFoundError;

/** Finds plugins by spec or by name (upstream VolumePluginMgr). */
export class VolumePluginMgr {
  readonly #plugins = new Map<string, VolumePlugin>();
  #host: VolumeHost | undefined;

  /**
   * Validates names, rejects duplicates, calls init(host) on each and registers it. Errors are
   * collected; plugins that initialised are kept, as upstream does.
   */
  async initPlugins(plugins: readonly VolumePlugin[], host: VolumeHost): Promise<Error[]> {
    this.#host = host;
    const errors: Error[] = [];
    for (const p of plugins) {
      if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(p.name)) {
        errors.push(new Error(`volume plugin has invalid name: ${JSON.stringify(p.name)}`));
        continue;
      }
      if (this.#plugins.has(p.name)) {
        errors.push(new Error(`volume plugin ${JSON.stringify(p.name)} was registered more than once`));
        continue;
      }
      try {
        await p.init(host);
        this.#plugins.set(p.name, p);
      } catch (err) {
        errors.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return errors;
  }

  /** Adds or replaces a plugin found at run time (FlexVolume drivers, CSI drivers). */
  async addDynamic(p: VolumePlugin): Promise<void> {
    if (this.#host !== undefined) await p.init(this.#host);
    this.#plugins.set(p.name, p);
  }

  removeDynamic(name: string): void {
    this.#plugins.delete(name);
  }

  get host(): VolumeHost | undefined {
    return this.#host;
  }

  findPluginBySpec(spec: Spec | undefined): VolumePlugin {
    if (spec === undefined) throw new PluginNotFoundError('could not find plugin because volume spec is nil');
    const matches = [...this.#plugins.values()].filter((p) => p.canSupport(spec));
    if (matches.length === 0) throw new PluginNotFoundError('no volume plugin matched');
    if (matches.length > 1) {
      throw new MultiplePluginsError(
        `multiple volume plugins matched: ${matches.map((p) => p.name).join(',')}`,
      );
    }
    return matches[0]!;
  }

  findPluginByName(name: string): VolumePlugin {
    const p = this.#plugins.get(name);
    if (p === undefined) throw new PluginNotFoundError(`no volume plugin matched name: ${name}`);
    return p;
  }

  /** The attachable plugin for a spec, or undefined when the volume needs no attach. */
  findAttachablePluginBySpec(spec: Spec): AttachableVolumePlugin | undefined {
    const p = this.findPluginBySpec(spec);
    return isAttachableVolumePlugin(p) && p.canAttach(spec) ? p : undefined;
  }

  /** The device-mountable plugin for a spec, or undefined when the volume has no global mount. */
  findDeviceMountablePluginBySpec(spec: Spec): DeviceMountableVolumePlugin | undefined {
    const p = this.findPluginBySpec(spec);
    return isDeviceMountableVolumePlugin(p) && p.canDeviceMount(spec) ? p : undefined;
  }

  plugins(): VolumePlugin[] {
    return [...this.#plugins.values()];
  }
}

/**
 * The name the volume manager keys a volume by (upstream GetUniqueVolumeName...): plugin-level for
 * attachable or device-mountable volumes (shared by pods), per pod otherwise.
 */
export function uniqueVolumeName(
  plugin: VolumePlugin,
  spec: Spec,
  podUID: string,
  mgr: VolumePluginMgr,
): string {
  const shared =
    mgr.findAttachablePluginBySpec(spec) !== undefined ||
    mgr.findDeviceMountablePluginBySpec(spec) !== undefined;
  if (shared) return `${plugin.name}/${plugin.getVolumeName(spec)}`;
  return `${plugin.name}/${podUID}-${spec.volume?.name ?? spec.persistentVolume?.metadata.name ?? ''}`;
}

export type { KubeObject };
