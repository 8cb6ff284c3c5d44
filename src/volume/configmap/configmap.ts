// The configMap plugin (`kubernetes.io/configmap`, upstream pkg/volume/configmap/configmap.go): the
// ConfigMap's data and binaryData keys as files on disk (a wrapped default-medium emptyDir at the volume
// dir), written with the AtomicWriter. Set up again on every pod sync (requiresRemount) so updates reach
// the pod; a missing optional ConfigMap gives an empty volume.
//
// Concurrency: one operation per volume at a time (operation executor); pods never share these volumes.
import type { ConfigMap, ConfigMapVolumeSource, Pod, Volume as PodVolume } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import { fetchOptional, PayloadPluginBase, PayloadVolumeMounter } from '../emptydir/wrapped.ts';
import type { ReconstructedVolume, VolumeOptions, VolumePlugin } from '../plugins.ts';
import type { FileProjection } from '../util/atomicwriter/index.ts';
import { type Mounter, type Spec, specFromVolume, specName } from '../volume.ts';

const _log = logger('configmap');

export const configMapPluginName = 'kubernetes.io/configmap';

function getVolumeSource(spec: Spec): ConfigMapVolumeSource | undefined {
  return spec.volume?.configMap ?? undefined;
}

export class ConfigMapPlugin extends PayloadPluginBase implements VolumePlugin {
  readonly name = configMapPluginName;

  getVolumeName(spec: Spec): string {
    const source = getVolumeSource(spec);
    if (source === undefined) throw new Error('spec does not reference a ConfigMap volume type');
    return `${specName(spec)}/${source.name ?? ''}`;
  }

  canSupport(spec: Spec): boolean {
    return spec.volume?.configMap != null;
  }

  newMounter(spec: Spec, pod: Pod, _opts: VolumeOptions): Mounter {
    const source = getVolumeSource(spec);
    if (source === undefined) throw new Error('spec does not reference a ConfigMap volume type');
    const namespace = pod.metadata.namespace ?? '';
    const name = source.name ?? '';
    const optional = source.optional === true;
    return new PayloadVolumeMounter(this, specName(spec), pod, '', async () => {
      const configMap = await fetchOptional<ConfigMap>(
        () => this.host.getConfigMap(namespace, name),
        optional,
        () => ({ metadata: { namespace, name } }),
        { kind: 'configMap', namespace, name },
      );
      return makeConfigMapPayload(source.items, configMap, source.defaultMode, optional);
    });
  }

  constructVolumeSpec(volumeName: string, _mountPath: string): Promise<ReconstructedVolume> {
    const volume: PodVolume = { name: volumeName, configMap: {} };
    return Promise.resolve({ spec: specFromVolume(volume) });
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
