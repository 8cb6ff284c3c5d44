// FakeVolumeHost: the VolumeHost of unit tests (upstream pkg/volume/testing fakeVolumeHost). Paths follow
// the kubelet layout under a root the test chooses (normally a fresh temp dir); the mounter is the one
// the test passes (FakeMounter, or RealMounter for tests that mount for real); secrets and configMaps
// come from in-memory maps or, when a Client is given, from the API; events go to a FakeRecorder. Its
// wrapper mounters are emptyDirs from a private emptyDir plugin initialised with this host.
import { join } from 'node:path';
import type { ConfigMap, Node, PersistentVolume, Pod, Secret } from '../../api/index.ts';
import { isNotFound, newNotFound, Resources } from '../../api/index.ts';
import type { Client, EventRecorder } from '../../client/index.ts';
import { FakeRecorder } from '../../client/testing/index.ts';
import { type Clock, realClock } from '../../component/index.ts';
import { EmptyDirPlugin } from '../emptydir/emptydir.ts';
import { newWrapperMounter, newWrapperUnmounter, type WrapperMedium } from '../emptydir/wrapper.ts';
import { escapePluginName, type VolumeHost, type VolumePlugin, VolumePluginMgr } from '../plugins.ts';
import type { MountInterface } from '../util/mount/index.ts';
import type { Mounter, Unmounter } from '../volume.ts';

export interface FakeVolumeHostOptions {
  /** The kubelet root dir; everything the host hands out lies under it. */
  readonly rootDir: string;
  readonly mounter: MountInterface;
  readonly nodeName?: string;
  readonly node?: Node;
  /** Used by getSecret/getConfigMap/getPersistentVolume when set (instead of the maps). */
  readonly client?: Client;
  readonly secrets?: readonly Secret[];
  readonly configMaps?: readonly ConfigMap[];
  readonly persistentVolumes?: readonly PersistentVolume[];
  /** Bytes; default 8 GiB. */
  readonly nodeAllocatableMemory?: number;
  readonly recorder?: EventRecorder;
  readonly clock?: Clock;
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class FakeVolumeHost implements VolumeHost {
  readonly rootDir: string;
  readonly mounter: MountInterface;
  readonly recorder: EventRecorder;
  nodeName: string;
  node: Node | undefined;
  nodeAllocatableMemory: number;
  /** Secrets and configMaps by `namespace/name`; tests may change them between calls. */
  readonly secrets = new Map<string, Secret>();
  readonly configMaps = new Map<string, ConfigMap>();
  readonly persistentVolumes = new Map<string, PersistentVolume>();
  /** Errors the next getSecret/getConfigMap calls throw (instead of looking anything up), in order. */
  readonly getSecretErrors: Error[] = [];
  readonly getConfigMapErrors: Error[] = [];
  /** `namespace/name` of every getSecret and getConfigMap call, in order. */
  readonly secretGets: string[] = [];
  readonly configMapGets: string[] = [];
  /** A plugin manager with the plugins passed to initPlugins (tests find plugins through it). */
  readonly pluginMgr = new VolumePluginMgr();
  readonly #client: Client | undefined;
  readonly #clock: Clock;
  readonly #emptyDir = new EmptyDirPlugin();

  constructor(opts: FakeVolumeHostOptions) {
    this.rootDir = opts.rootDir;
    this.mounter = opts.mounter;
    this.nodeName = opts.nodeName ?? 'fake-node';
    this.node = opts.node;
    this.#client = opts.client;
    this.nodeAllocatableMemory = opts.nodeAllocatableMemory ?? 8 * 1024 ** 3;
    this.recorder = opts.recorder ?? new FakeRecorder();
    this.#clock = opts.clock ?? realClock;
    for (const s of opts.secrets ?? []) this.setSecret(s);
    for (const c of opts.configMaps ?? []) this.setConfigMap(c);
    for (const pv of opts.persistentVolumes ?? []) this.persistentVolumes.set(pv.metadata.name ?? '', pv);
    this.#emptyDir.init(this);
  }

  /** Registers plugins with this host (init is called); returns the init errors. */
  initPlugins(plugins: readonly VolumePlugin[]): Promise<Error[]> {
    return this.pluginMgr.initPlugins(plugins, this);
  }

  setSecret(s: Secret): void {
    this.secrets.set(key(s.metadata.namespace ?? '', s.metadata.name ?? ''), structuredClone(s));
  }

  setConfigMap(c: ConfigMap): void {
    this.configMaps.set(key(c.metadata.namespace ?? '', c.metadata.name ?? ''), structuredClone(c));
  }

  getPluginDir(pluginName: string): string {
    return join(this.rootDir, 'plugins', pluginName);
  }

  getPodsDir(): string {
    return join(this.rootDir, 'pods');
  }

  getPodVolumeDir(podUID: string, pluginName: string, volumeName: string): string {
    return join(this.rootDir, 'pods', podUID, 'volumes', escapePluginName(pluginName), volumeName);
  }

  getPodPluginDir(podUID: string, pluginName: string): string {
    return join(this.rootDir, 'pods', podUID, 'plugins', escapePluginName(pluginName));
  }

  getMounter(): MountInterface {
    return this.mounter;
  }

  getNodeName(): string {
    return this.nodeName;
  }

  getNode(): Promise<Node | undefined> {
    return Promise.resolve(this.node);
  }

  getClient(): Client {
    if (this.#client === undefined) throw new Error('FakeVolumeHost has no client');
    return this.#client;
  }

  async getSecret(namespace: string, name: string): Promise<Secret> {
    this.secretGets.push(key(namespace, name));
    const injected = this.getSecretErrors.shift();
    if (injected !== undefined) throw injected;
    if (this.#client !== undefined) {
      try {
        return await this.#client.resource<Secret>(Resources.secrets, namespace).get(name);
      } catch (err) {
        throw reshapeNotFound(err, 'secret', name);
      }
    }
    const s = this.secrets.get(key(namespace, name));
    // The kubelet's secret manager says `secret "x" not found` (singular resource name).
    if (s === undefined) throw newNotFound('', 'secret', name);
    return structuredClone(s);
  }

  async getConfigMap(namespace: string, name: string): Promise<ConfigMap> {
    this.configMapGets.push(key(namespace, name));
    const injected = this.getConfigMapErrors.shift();
    if (injected !== undefined) throw injected;
    if (this.#client !== undefined) {
      try {
        return await this.#client.resource<ConfigMap>(Resources.configmaps, namespace).get(name);
      } catch (err) {
        throw reshapeNotFound(err, 'configmap', name);
      }
    }
    const c = this.configMaps.get(key(namespace, name));
    if (c === undefined) throw newNotFound('', 'configmap', name);
    return structuredClone(c);
  }

  async getPersistentVolume(name: string): Promise<PersistentVolume> {
    if (this.#client !== undefined) {
      return this.#client.resource<PersistentVolume>(Resources.persistentvolumes).get(name);
    }
    const pv = this.persistentVolumes.get(name);
    if (pv === undefined) throw newNotFound('', 'persistentvolumes', name);
    return structuredClone(pv);
  }

  getNodeAllocatableMemory(): number {
    return this.nodeAllocatableMemory;
  }

  getEventRecorder(): EventRecorder {
    return this.recorder;
  }

  getClock(): Clock {
    return this.#clock;
  }

  newWrapperMounter(volumeName: string, medium: WrapperMedium, pod: Pod): Mounter {
    return newWrapperMounter(this.#emptyDir, volumeName, medium, pod);
  }

  newWrapperUnmounter(volumeName: string, podUID: string): Unmounter {
    return newWrapperUnmounter(this.#emptyDir, volumeName, podUID);
  }
}

/** The kubelet's managers report `secret "x" not found`, not the API's plural `secrets "x"`. */
function reshapeNotFound(err: unknown, resource: string, name: string): unknown {
  return isNotFound(err) ? newNotFound('', resource, name) : err;
}
