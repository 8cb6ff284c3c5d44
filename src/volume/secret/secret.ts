// The secret plugin (`kubernetes.io/secret`, upstream pkg/volume/secret/secret.go): the Secret's keys as
// files on a tmpfs (a wrapped Memory emptyDir at the volume dir), written with the AtomicWriter. Set up
// again on every pod sync (requiresRemount) so updates reach the pod; a missing optional Secret gives an
// empty volume. Secret bytes never touch the node's disk.
//
// Concurrency: one operation per volume at a time (operation executor); pods never share these volumes.
import type { Pod, Volume as PodVolume, Secret, SecretVolumeSource } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import { fetchOptional, PayloadPluginBase, PayloadVolumeMounter } from '../emptydir/wrapped.ts';
import type { ReconstructedVolume, VolumeOptions, VolumePlugin } from '../plugins.ts';
import type { FileProjection } from '../util/atomicwriter/index.ts';
import { type Mounter, type Spec, specFromVolume, specName } from '../volume.ts';

const _log = logger('secret');

export const secretPluginName = 'kubernetes.io/secret';

function getVolumeSource(spec: Spec): SecretVolumeSource | undefined {
  return spec.volume?.secret ?? undefined;
}

export class SecretPlugin extends PayloadPluginBase implements VolumePlugin {
  readonly name = secretPluginName;

  getVolumeName(spec: Spec): string {
    const source = getVolumeSource(spec);
    if (source === undefined) throw new Error('spec does not reference a Secret volume type');
    return source.secretName ?? '';
  }

  canSupport(spec: Spec): boolean {
    return spec.volume?.secret != null;
  }

  newMounter(spec: Spec, pod: Pod, _opts: VolumeOptions): Mounter {
    const source = getVolumeSource(spec);
    if (source === undefined) throw new Error('spec does not reference a Secret volume type');
    const namespace = pod.metadata.namespace ?? '';
    const name = source.secretName ?? '';
    const optional = source.optional === true;
    return new PayloadVolumeMounter(this, specName(spec), pod, 'Memory', async () => {
      const secret = await fetchOptional<Secret>(
        () => this.host.getSecret(namespace, name),
        optional,
        () => ({ metadata: { namespace, name } }),
        { kind: 'secret', namespace, name },
      );
      return makeSecretPayload(source.items, secret, source.defaultMode, optional);
    });
  }

  constructVolumeSpec(volumeName: string, _mountPath: string): Promise<ReconstructedVolume> {
    const volume: PodVolume = { name: volumeName, secret: { secretName: volumeName } };
    return Promise.resolve({ spec: specFromVolume(volume) });
  }
}

/**
 * The files of a Secret volume (upstream MakePayload, also used by projected): every key, or only the
 * listed items at their paths; values are the decoded bytes. A listed key that is missing is an error
 * unless the source is optional.
 */
export function makeSecretPayload(
  items: readonly { key: string; path: string; mode?: number }[] | undefined,
  secret: Secret,
  defaultMode: number | undefined,
  optional: boolean,
): Record<string, FileProjection> {
  if (defaultMode === undefined) throw new Error('no defaultMode used, not even the default value for it');
  const data = secret.data ?? {};
  const payload: Record<string, FileProjection> = {};
  if (items === undefined || items.length === 0) {
    for (const [name, value] of Object.entries(data)) {
      payload[name] = { data: Buffer.from(value, 'base64'), mode: defaultMode };
    }
    return payload;
  }
  for (const ktp of items) {
    const value = data[ktp.key];
    if (value === undefined) {
      if (optional) continue;
      throw new Error(`references non-existent secret key: ${ktp.key}`);
    }
    payload[ktp.path] = { data: Buffer.from(value, 'base64'), mode: ktp.mode ?? defaultMode };
  }
  return payload;
}
