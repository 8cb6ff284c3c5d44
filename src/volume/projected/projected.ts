// The projected plugin (`kubernetes.io/projected`, upstream pkg/volume/projected/projected.go): secret,
// configMap and downwardAPI sources merged into one AtomicWriter payload on a tmpfs (a wrapped Memory
// emptyDir at the volume dir). Later sources overwrite earlier ones at the same path, as upstream's map
// merge does (API validation rejects such duplicates). serviceAccountToken and clusterTrustBundle
// sources are refused: kvol has no token issuer and no ClusterTrustBundle API yet.
//
// Concurrency: one operation per volume at a time (operation executor); pods never share these volumes.
import type { ConfigMap, Pod, Volume as PodVolume, ProjectedVolumeSource, Secret } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import { makeConfigMapPayload } from '../configmap/index.ts';
import { AggregatedError, collectDownwardAPIData } from '../downwardapi/index.ts';
import { fetchOptional, PayloadPluginBase, PayloadVolumeMounter } from '../emptydir/wrapped.ts';
import type { ReconstructedVolume, VolumeHost, VolumeOptions, VolumePlugin } from '../plugins.ts';
import { makeSecretPayload } from '../secret/index.ts';
import type { FileProjection } from '../util/atomicwriter/index.ts';
import { type Mounter, type Spec, specFromVolume, specName } from '../volume.ts';

const log = logger('projected');

export const projectedPluginName = 'kubernetes.io/projected';

/** A projection kvol does not implement; names the field, as refusals must. */
export class UnsupportedProjectionError extends Error {
  override readonly name = 'UnsupportedProjectionError';
  readonly field: string;

  constructor(field: string, why: string) {
    super(`${field}: ${why}`);
    this.field = field;
  }
}

export function isUnsupportedProjectionError(err: unknown): err is UnsupportedProjectionError {
  return err instanceof UnsupportedProjectionError;
}

export class ProjectedPlugin extends PayloadPluginBase implements VolumePlugin {
  readonly name = projectedPluginName;

  getVolumeName(spec: Spec): string {
    if (spec.volume?.projected == null) throw new Error('spec does not reference a projected volume type');
    return specName(spec);
  }

  canSupport(spec: Spec): boolean {
    return spec.volume?.projected != null;
  }

  newMounter(spec: Spec, pod: Pod, _opts: VolumeOptions): Mounter {
    const source = spec.volume?.projected;
    if (source == null) throw new Error('spec does not reference a projected volume type');
    return new PayloadVolumeMounter(this, specName(spec), pod, 'Memory', () =>
      collectProjectedData(source, pod, this.host),
    );
  }

  constructVolumeSpec(volumeName: string, _mountPath: string): Promise<ReconstructedVolume> {
    const volume: PodVolume = { name: volumeName, projected: {} };
    return Promise.resolve({ spec: specFromVolume(volume) });
  }
}

/**
 * The merged payload of every source (upstream collectData). A failing source does not stop the others
 * from being evaluated; all failures come back as one aggregate error.
 */
export async function collectProjectedData(
  source: ProjectedVolumeSource,
  pod: Pod,
  host: VolumeHost,
): Promise<Record<string, FileProjection>> {
  const defaultMode = source.defaultMode;
  if (defaultMode === undefined) throw new Error('no defaultMode used, not even the default value for it');
  const namespace = pod.metadata.namespace ?? '';
  const errors: Error[] = [];
  const payload: Record<string, FileProjection> = {};
  const sources = source.sources ?? [];
  for (const [i, s] of sources.entries()) {
    try {
      if (s.secret != null) {
        const name = s.secret.name ?? '';
        const optional = s.secret.optional === true;
        const secret = await fetchOptional<Secret>(
          () => host.getSecret(namespace, name),
          optional,
          () => ({ metadata: { namespace, name } }),
          { kind: 'secret', namespace, name },
        );
        Object.assign(payload, makeSecretPayload(s.secret.items, secret, defaultMode, optional));
      } else if (s.configMap != null) {
        const name = s.configMap.name ?? '';
        const optional = s.configMap.optional === true;
        const configMap = await fetchOptional<ConfigMap>(
          () => host.getConfigMap(namespace, name),
          optional,
          () => ({ metadata: { namespace, name } }),
          { kind: 'configMap', namespace, name },
        );
        Object.assign(payload, makeConfigMapPayload(s.configMap.items, configMap, defaultMode, optional));
      } else if (s.downwardAPI != null) {
        Object.assign(payload, await collectDownwardAPIData(s.downwardAPI.items, pod, host, defaultMode));
      } else if (s.serviceAccountToken != null) {
        throw new UnsupportedProjectionError(
          `projected.sources[${i}].serviceAccountToken`,
          'service account token projection is not supported by kvol (no token issuer)',
        );
      } else if (s.clusterTrustBundle != null) {
        throw new UnsupportedProjectionError(
          `projected.sources[${i}].clusterTrustBundle`,
          'cluster trust bundle projection is not supported by kvol',
        );
      }
    } catch (err) {
      log.error("couldn't collect projected source", err, {
        pod: `${namespace}/${pod.metadata.name ?? ''}`,
        source: i,
      });
      errors.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  if (errors.length > 0) throw new AggregatedError(errors);
  return payload;
}
