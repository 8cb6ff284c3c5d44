// The node agent's VolumeHost (upstream pkg/kubelet/volume_host.go kubeletVolumeHost): paths under the
// kubelet root dir, the mounter, the API client for secrets/configMaps/PVs, and wrapper emptyDirs for
// the plugins that stand on one (secret, configMap, downwardAPI, projected).
import { totalmem } from 'node:os';
import { join } from 'node:path';
import {
  type ConfigMap,
  isNotFound,
  type Node,
  newNotFound,
  type PersistentVolume,
  type Pod,
  Resources,
  type Secret,
} from '../api/index.ts';
import type { Client, EventRecorder } from '../client/index.ts';
import type { Clock } from '../component/index.ts';
import {
  escapePluginName,
  type Mounter,
  type MountInterface,
  specFromVolume,
  type Unmounter,
  type VolumeHost,
  type VolumePluginMgr,
} from '../volume/index.ts';

export const emptyDirPluginName = 'kubernetes.io/empty-dir';
export const wrappedVolumePrefix = 'wrapped_';

export interface KubeletVolumeHostOptions {
  rootDir: string;
  nodeName: string;
  client: Client;
  mounter: MountInterface;
  recorder: EventRecorder;
  clock: Clock;
  pluginMgr: VolumePluginMgr;
  /** Bytes; default the machine's memory. */
  nodeAllocatableMemory?: number;
}

/** The kubelet's secret and configMap managers say `secret "x" not found` (singular). */
function reshapeNotFound(err: unknown, resource: string, name: string): unknown {
  return isNotFound(err) ? newNotFound('', resource, name) : err;
}

export class KubeletVolumeHost implements VolumeHost {
  readonly #o: KubeletVolumeHostOptions;

  constructor(opts: KubeletVolumeHostOptions) {
    this.#o = opts;
  }

  getPluginDir(pluginName: string): string {
    return join(this.#o.rootDir, 'plugins', pluginName);
  }

  getPodsDir(): string {
    return join(this.#o.rootDir, 'pods');
  }

  getPodVolumeDir(podUID: string, pluginName: string, volumeName: string): string {
    return join(this.#o.rootDir, 'pods', podUID, 'volumes', escapePluginName(pluginName), volumeName);
  }

  getPodPluginDir(podUID: string, pluginName: string): string {
    return join(this.#o.rootDir, 'pods', podUID, 'plugins', escapePluginName(pluginName));
  }

  getMounter(): MountInterface {
    return this.#o.mounter;
  }

  getNodeName(): string {
    return this.#o.nodeName;
  }

  async getNode(): Promise<Node | undefined> {
    try {
      return await this.#o.client.resource<Node>(Resources.nodes).get(this.#o.nodeName);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  getClient(): Client {
    return this.#o.client;
  }

  async getSecret(namespace: string, name: string): Promise<Secret> {
    try {
      return await this.#o.client.resource<Secret>(Resources.secrets, namespace).get(name);
    } catch (err) {
      throw reshapeNotFound(err, 'secret', name);
    }
  }

  async getConfigMap(namespace: string, name: string): Promise<ConfigMap> {
    try {
      return await this.#o.client.resource<ConfigMap>(Resources.configmaps, namespace).get(name);
    } catch (err) {
      throw reshapeNotFound(err, 'configmap', name);
    }
  }

  getPersistentVolume(name: string): Promise<PersistentVolume> {
    return this.#o.client.resource<PersistentVolume>(Resources.persistentvolumes).get(name);
  }

  getNodeAllocatableMemory(): number {
    return this.#o.nodeAllocatableMemory ?? totalmem();
  }

  getEventRecorder(): EventRecorder {
    return this.#o.recorder;
  }

  getClock(): Clock {
    return this.#o.clock;
  }

  newWrapperMounter(volumeName: string, medium: '' | 'Memory', pod: Pod): Mounter {
    const volume = { name: `${wrappedVolumePrefix}${volumeName}`, emptyDir: medium === '' ? {} : { medium } };
    return this.#o.pluginMgr.findPluginByName(emptyDirPluginName).newMounter(specFromVolume(volume), pod, {});
  }

  newWrapperUnmounter(volumeName: string, podUID: string): Unmounter {
    return this.#o.pluginMgr
      .findPluginByName(emptyDirPluginName)
      .newUnmounter(`${wrappedVolumePrefix}${volumeName}`, podUID);
  }
}
