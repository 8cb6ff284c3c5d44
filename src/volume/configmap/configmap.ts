// The configMap plugin (`kubernetes.io/configmap`, upstream pkg/volume/configmap/configmap.go): the
// ConfigMap's data and binaryData keys as files on disk (a wrapped default-medium emptyDir at the volume
// dir), written with the AtomicWriter. Set up again on every pod sync (requiresRemount) so updates reach
// the pod; a missing optional ConfigMap gives an empty volume.
//
// Concurrency: one operation per volume at a time (operation executor); pods never share these volumes.
import type { ConfigMap, ConfigMapVolumeSource, Pod, Volume as PodVolume } from '../../api/index.ts';
import { isNotFound } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import { metricsDu } from '../emptydir/index.ts';
import { setUpWrapped, unmountViaEmptyDir } from '../emptydir/wrapped.ts';
import {
  escapePluginName,
  type ReconstructedVolume,
  type VolumeHost,
  type VolumeOptions,
  type VolumePlugin,
} from '../plugins.ts';
import type { FileProjection } from '../util/atomicwriter/index.ts';
import {
  type Attributes,
  type Metrics,
  type Mounter,
  type MounterArgs,
  type Spec,
  specFromVolume,
  specName,
  type Unmounter,
} from '../volume.ts';

const log = logger('configmap');

export const configMapPluginName = 'kubernetes.io/configmap';

function getVolumeSource(spec: Spec): ConfigMapVolumeSource | undefined {
  return spec.volume?.configMap ?? undefined;
}

export class ConfigMapPlugin implements VolumePlugin {
  readonly name = configMapPluginName;
  #host: VolumeHost | undefined;

  init(host: VolumeHost): void {
    this.#host = host;
  }

  get host(): VolumeHost {
    if (this.#host === undefined) throw new Error(`volume plugin ${this.name} used before init`);
    return this.#host;
  }

  getVolumeName(spec: Spec): string {
    const source = getVolumeSource(spec);
    if (source === undefined) throw new Error('spec does not reference a ConfigMap volume type');
    return `${specName(spec)}/${source.name ?? ''}`;
  }

  canSupport(spec: Spec): boolean {
    return spec.volume?.configMap != null;
  }

  requiresRemount(_spec: Spec): boolean {
    return true;
  }

  supportsMountOption(): boolean {
    return false;
  }

  newMounter(spec: Spec, pod: Pod, _opts: VolumeOptions): Mounter {
    const source = getVolumeSource(spec);
    if (source === undefined) throw new Error('spec does not reference a ConfigMap volume type');
    return new ConfigMapVolumeMounter(this, specName(spec), pod, source);
  }

  newUnmounter(volumeName: string, podUID: string): Unmounter {
    return new ConfigMapVolumeUnmounter(this, volumeName, podUID);
  }

  constructVolumeSpec(volumeName: string, _mountPath: string): Promise<ReconstructedVolume> {
    const volume: PodVolume = { name: volumeName, configMap: {} };
    return Promise.resolve({ spec: specFromVolume(volume) });
  }

  volumePath(podUID: string, volName: string): string {
    return this.host.getPodVolumeDir(podUID, escapePluginName(configMapPluginName), volName);
  }
}

/**
 * The files of a ConfigMap volume (upstream MakePayload, also used by projected): every data and
 * binaryData key, or only the listed items at their paths. A listed key that is in neither map is an
 * error unless the source is optional.
 */
export function makeConfigMapPayload(
  items: readonly { key: string; path: string; mode?: number }[] | undefined,
  configMap: ConfigMap,
  defaultMode: number | undefined,
  optional: boolean,
): Record<string, FileProjection> {
  if (defaultMode === undefined) throw new Error('no defaultMode used, not even the default value for it');
  const data = configMap.data ?? {};
  const binaryData = configMap.binaryData ?? {};
  const payload: Record<string, FileProjection> = {};
  if (items === undefined || items.length === 0) {
    for (const [name, value] of Object.entries(data)) {
      payload[name] = { data: Buffer.from(value, 'utf8'), mode: defaultMode };
    }
    for (const [name, value] of Object.entries(binaryData)) {
      payload[name] = { data: Buffer.from(value, 'base64'), mode: defaultMode };
    }
    return payload;
  }
  for (const ktp of items) {
    let bytes: Buffer;
    const s = data[ktp.key];
    const b = binaryData[ktp.key];
    if (s !== undefined) bytes = Buffer.from(s, 'utf8');
    else if (b !== undefined) bytes = Buffer.from(b, 'base64');
    else {
      if (optional) continue;
      throw new Error(`configmap references non-existent config key: ${ktp.key}`);
    }
    payload[ktp.path] = { data: bytes, mode: ktp.mode ?? defaultMode };
  }
  return payload;
}

class ConfigMapVolume {
  readonly plugin: ConfigMapPlugin;
  readonly volName: string;
  readonly podUID: string;

  constructor(plugin: ConfigMapPlugin, volName: string, podUID: string) {
    this.plugin = plugin;
    this.volName = volName;
    this.podUID = podUID;
  }

  getPath(): string {
    return this.plugin.volumePath(this.podUID, this.volName);
  }

  getMetrics(): Promise<Metrics | undefined> {
    return metricsDu(this.getPath());
  }
}

class ConfigMapVolumeMounter extends ConfigMapVolume implements Mounter {
  readonly #pod: Pod;
  readonly #source: ConfigMapVolumeSource;

  constructor(plugin: ConfigMapPlugin, volName: string, pod: Pod, source: ConfigMapVolumeSource) {
    super(plugin, volName, pod.metadata.uid ?? '');
    this.#pod = pod;
    this.#source = source;
  }

  getAttributes(): Attributes {
    return { readOnly: true, managed: true, seLinuxRelabel: true };
  }

  setUp(args: MounterArgs): Promise<void> {
    return this.setUpAt(this.getPath(), args);
  }

  async setUpAt(dir: string, args: MounterArgs): Promise<void> {
    log.v(3, 'setting up volume', { volume: this.volName, pod: this.podUID, dir });
    const host = this.plugin.host;
    const namespace = this.#pod.metadata.namespace ?? '';
    const name = this.#source.name ?? '';
    const optional = this.#source.optional === true;
    let configMap: ConfigMap;
    try {
      configMap = await host.getConfigMap(namespace, name);
    } catch (err) {
      if (!(isNotFound(err) && optional)) {
        log.error("couldn't get configMap", err, { configMap: `${namespace}/${name}` });
        throw err;
      }
      configMap = { metadata: { namespace, name } };
    }
    const payload = makeConfigMapPayload(this.#source.items, configMap, this.#source.defaultMode, optional);
    await setUpWrapped({
      host,
      volName: this.volName,
      pod: this.#pod,
      dir,
      args,
      medium: '',
      payload,
      cleanUp: () => this.plugin.newUnmounter(this.volName, this.podUID).tearDown(),
    });
  }
}

class ConfigMapVolumeUnmounter extends ConfigMapVolume implements Unmounter {
  tearDown(): Promise<void> {
    return this.tearDownAt(this.getPath());
  }

  tearDownAt(dir: string): Promise<void> {
    return unmountViaEmptyDir(dir, this.plugin.host, this.volName, this.podUID);
  }
}
