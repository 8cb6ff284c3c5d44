// The downwardAPI plugin (`kubernetes.io/downward-api`, upstream pkg/volume/downwardapi): pod metadata
// and container resources as files on a tmpfs (a wrapped Memory emptyDir at the volume dir), written
// with the AtomicWriter and re-evaluated on every pod sync so label and annotation changes show.
//
// Concurrency: one operation per volume at a time (operation executor); pods never share these volumes.
import { availableParallelism } from 'node:os';
import { normalize } from 'node:path';
import type { DownwardAPIVolumeFile, Pod, Volume as PodVolume, ResourceList } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import { PayloadPluginBase, PayloadVolumeMounter } from '../emptydir/wrapped.ts';
import type { ReconstructedVolume, VolumeHost, VolumeOptions, VolumePlugin } from '../plugins.ts';
import type { FileProjection } from '../util/atomicwriter/index.ts';
import { type Mounter, type Spec, specFromVolume, specName } from '../volume.ts';
import { AggregatedError } from './aggregate.ts';
import { extractFieldPathAsString, extractResourceValue } from './fieldpath.ts';

const log = logger('downwardapi');

export const downwardAPIPluginName = 'kubernetes.io/downward-api';

export class DownwardAPIPlugin extends PayloadPluginBase implements VolumePlugin {
  readonly name = downwardAPIPluginName;

  getVolumeName(spec: Spec): string {
    if (spec.volume?.downwardAPI == null)
      throw new Error('spec does not reference a DownwardAPI volume type');
    // The pod's own volume name: downwardAPI volumes are never shared.
    return specName(spec);
  }

  canSupport(spec: Spec): boolean {
    return spec.volume?.downwardAPI != null;
  }

  newMounter(spec: Spec, pod: Pod, _opts: VolumeOptions): Mounter {
    const source = spec.volume?.downwardAPI;
    if (source == null) throw new Error('spec does not reference a DownwardAPI volume type');
    return new PayloadVolumeMounter(this, specName(spec), pod, 'Memory', () =>
      collectDownwardAPIData(source.items, pod, this.host, source.defaultMode),
    );
  }

  constructVolumeSpec(volumeName: string, _mountPath: string): Promise<ReconstructedVolume> {
    const volume: PodVolume = { name: volumeName, downwardAPI: {} };
    return Promise.resolve({ spec: specFromVolume(volume) });
  }
}

/**
 * Node allocatable as the downward API sees it: the Node object's allocatable, with the host's memory
 * figure and the CPU count filling in what the Node does not say.
 */
export async function nodeAllocatable(host: VolumeHost): Promise<ResourceList> {
  const node = await host.getNode();
  const alloc: ResourceList = { ...(node?.status?.allocatable ?? {}) };
  alloc['memory'] ??= String(Math.floor(host.getNodeAllocatableMemory()));
  alloc['cpu'] ??= String(availableParallelism());
  return alloc;
}

/**
 * The files of a downwardAPI volume or projection (upstream CollectData). Every item is evaluated;
 * failures are gathered into one aggregate error.
 */
export async function collectDownwardAPIData(
  items: readonly DownwardAPIVolumeFile[] | undefined,
  pod: Pod,
  host: VolumeHost,
  defaultMode: number | undefined,
): Promise<Record<string, FileProjection>> {
  if (defaultMode === undefined) throw new Error('no defaultMode used, not even the default value for it');
  const errors: Error[] = [];
  const data: Record<string, FileProjection> = {};
  let alloc: ResourceList | undefined;
  for (const item of items ?? []) {
    const path = cleanRelPath(item.path);
    const projection: FileProjection = { data: Buffer.alloc(0), mode: item.mode ?? defaultMode };
    try {
      if (item.fieldRef != null) {
        projection.data = Buffer.from(extractFieldPathAsString(pod, item.fieldRef.fieldPath), 'utf8');
      } else if (item.resourceFieldRef != null) {
        alloc ??= await nodeAllocatable(host);
        projection.data = Buffer.from(extractResourceValue(item.resourceFieldRef, pod, alloc), 'utf8');
      }
    } catch (err) {
      log.error('unable to extract field', err, { path: item.path });
      errors.push(err instanceof Error ? err : new Error(String(err)));
    }
    data[path] = projection;
  }
  if (errors.length > 0) throw new AggregatedError(errors);
  return data;
}

/** Go's filepath.Clean of a relative path. */
function cleanRelPath(p: string): string {
  if (p === '') return '.';
  const n = normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
