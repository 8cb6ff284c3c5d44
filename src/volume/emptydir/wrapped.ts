// Volumes that stand on an emptyDir (secret, configMap, downwardAPI, projected): the wrapper
// mounter/unmounter a VolumeHost hands out (upstream NewWrapperMounter: the inner volume is named
// `wrapped_<name>` so its readiness marker cannot collide with a real emptyDir of the pod), the nested
// mount points (upstream MakeNestedMountpoints) and the shared set-up sequence: wrapped emptyDir at the
// volume dir, then one AtomicWriter payload whose permission hook applies the pod's fsGroup.
import * as fs from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { type Container, isNotFound, type Pod } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import { HostedPlugin, type VolumeHost } from '../plugins.ts';
import { AtomicWriter, type FileProjection } from '../util/atomicwriter/index.ts';
import { setVolumeOwnership, VolumePermissionChangeInProgress } from '../util/ownership/index.ts';
import type { Attributes, Metrics, Mounter, MounterArgs, Unmounter } from '../volume.ts';
import { metricsDu } from './fsutil.ts';
import type { WrapperMedium } from './wrapper.ts';

const log = logger('volume');

/** Tears a wrapped volume down at `dir` through its emptyDir (upstream UnmountViaEmptyDir). */
export async function unmountViaEmptyDir(
  dir: string,
  host: VolumeHost,
  volName: string,
  podUID: string,
): Promise<void> {
  log.v(3, 'tearing down volume', { volume: volName, pod: podUID, dir });
  await host.newWrapperUnmounter(volName, podUID).tearDownAt(dir);
}

function allContainers(pod: Pod): Container[] {
  const spec = pod.spec;
  if (spec === undefined) return [];
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/**
 * Where other volumes are mounted inside this one, relative to it (upstream getNestedMountpoints): for
 * a volume at /dir with others at /dir/nested and /dir/nested/other, only `nested`.
 */
export function getNestedMountpoints(name: string, pod: Pod): string[] {
  const out: string[] = [];
  for (const container of allContainers(pod)) {
    const all: string[] = [];
    const mine: string[] = [];
    for (const vm of container.volumeMounts ?? []) {
      const cleaned = cleanPath(vm.mountPath);
      all.push(cleaned);
      if (vm.name === name) mine.push(cleaned);
    }
    all.sort();
    for (const mp of mine) {
      if (mp.startsWith(`..${sep}`)) throw new Error(`invalid container mount point ${mp}`);
      const prefix = `${mp}${sep}`;
      let prevNested = '';
      for (const other of all) {
        if (!other.startsWith(prefix)) continue;
        if (prevNested !== '' && other.startsWith(prevNested)) continue;
        prevNested = `${other}${sep}`;
        out.push(other.slice(prefix.length));
      }
    }
  }
  return out;
}

/** Go's filepath.Clean for the cases mount paths present. */
function cleanPath(p: string): string {
  if (p === '') return '.';
  const n = normalize(p);
  return n.length > 1 && n.endsWith(sep) ? n.slice(0, -1) : n;
}

/** Creates the directories other volumes are mounted on inside this one (upstream MakeNestedMountpoints). */
export async function makeNestedMountpoints(name: string, baseDir: string, pod: Pod): Promise<void> {
  for (const dir of getNestedMountpoints(name, pod)) {
    try {
      await fs.mkdir(join(baseDir, dir), { recursive: true, mode: 0o755 });
    } catch (err) {
      throw new Error(`unable to create nested volume mountpoints: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}

export interface WrappedSetUpOptions {
  readonly host: VolumeHost;
  readonly volName: string;
  readonly pod: Pod;
  readonly dir: string;
  readonly args: MounterArgs;
  readonly medium: WrapperMedium;
  readonly payload: Record<string, FileProjection>;
  /** The plugin's own teardown, run when writing fails after the wrapper was set up (upstream defer). */
  readonly cleanUp: () => Promise<void>;
}

/**
 * The second half of a wrapper plugin's SetUpAt, after its data was collected: wrapped emptyDir at the
 * dir, nested mount points, then the atomic write whose permission hook applies fsGroup to the whole
 * volume (the first write creates files outside the timestamped dir too). Idempotent: a second call
 * with the same payload rewrites nothing.
 */
export async function setUpWrapped(o: WrappedSetUpOptions): Promise<void> {
  const wrapped = o.host.newWrapperMounter(o.volName, o.medium, o.pod);
  await wrapped.setUpAt(o.dir, o.args);
  await makeNestedMountpoints(o.volName, o.dir, o.pod);
  try {
    const context = `pod ${o.pod.metadata.namespace ?? ''}/${o.pod.metadata.name ?? ''} volume ${o.volName}`;
    const writer = new AtomicWriter(o.dir, context, { clock: o.host.getClock() });
    await writer.write(o.payload, async () => {
      await setVolumeOwnership(o.dir, o.args.fsGroup, undefined, true, {
        clock: o.host.getClock(),
        onSlow: (message) =>
          o.host.getEventRecorder().event(o.pod, 'Warning', VolumePermissionChangeInProgress, message),
      });
    });
  } catch (err) {
    try {
      await o.cleanUp();
    } catch (tearDownErr) {
      log.error('error tearing down volume after a failed setup', tearDownErr, { volume: o.volName });
    }
    throw err;
  }
}

/** What a payload plugin gives the shared mounter and unmounter below. */
export interface PayloadVolumePlugin {
  readonly host: VolumeHost;
  volumePath(podUID: string, volName: string): string;
  newUnmounter(volumeName: string, podUID: string): Unmounter;
}

/**
 * The mounter of the plugins whose content is one AtomicWriter payload on a wrapped emptyDir
 * (configMap on disk; secret, downwardAPI and projected on tmpfs). `collect` fetches the objects and
 * builds the payload; it runs on every setUp, which is how updates reach running pods.
 */
export class PayloadVolumeMounter implements Mounter {
  readonly #plugin: PayloadVolumePlugin;
  readonly #volName: string;
  readonly #pod: Pod;
  readonly #medium: WrapperMedium;
  readonly #collect: () => Promise<Record<string, FileProjection>>;

  constructor(
    plugin: PayloadVolumePlugin,
    volName: string,
    pod: Pod,
    medium: WrapperMedium,
    collect: () => Promise<Record<string, FileProjection>>,
  ) {
    this.#plugin = plugin;
    this.#volName = volName;
    this.#pod = pod;
    this.#medium = medium;
    this.#collect = collect;
  }

  getPath(): string {
    return this.#plugin.volumePath(this.#pod.metadata.uid ?? '', this.#volName);
  }

  getMetrics(): Promise<Metrics | undefined> {
    return metricsDu(this.getPath());
  }

  getAttributes(): Attributes {
    return { readOnly: true, managed: true, seLinuxRelabel: true };
  }

  setUp(args: MounterArgs): Promise<void> {
    return this.setUpAt(this.getPath(), args);
  }

  async setUpAt(dir: string, args: MounterArgs): Promise<void> {
    const podUID = this.#pod.metadata.uid ?? '';
    log.v(3, 'setting up volume', { volume: this.#volName, pod: podUID, dir });
    const payload = await this.#collect();
    await setUpWrapped({
      host: this.#plugin.host,
      volName: this.#volName,
      pod: this.#pod,
      dir,
      args,
      medium: this.#medium,
      payload,
      cleanUp: () => this.#plugin.newUnmounter(this.#volName, podUID).tearDown(),
    });
  }
}

/** The unmounter of payload volumes: the wrapped emptyDir's teardown. */
export class PayloadVolumeUnmounter implements Unmounter {
  readonly #plugin: PayloadVolumePlugin;
  readonly #volName: string;
  readonly #podUID: string;

  constructor(plugin: PayloadVolumePlugin, volName: string, podUID: string) {
    this.#plugin = plugin;
    this.#volName = volName;
    this.#podUID = podUID;
  }

  getPath(): string {
    return this.#plugin.volumePath(this.#podUID, this.#volName);
  }

  getMetrics(): Promise<Metrics | undefined> {
    return metricsDu(this.getPath());
  }

  tearDown(): Promise<void> {
    return this.tearDownAt(this.getPath());
  }

  tearDownAt(dir: string): Promise<void> {
    return unmountViaEmptyDir(dir, this.#plugin.host, this.#volName, this.#podUID);
  }
}

/**
 * What the payload plugins (configMap, secret, downwardAPI, projected) have in common: the host,
 * refresh on every pod sync (requiresRemount), no mount options, the shared unmounter and the pod
 * volume path. Each plugin adds its source lookup, mounter and spec reconstruction.
 */
export abstract class PayloadPluginBase extends HostedPlugin implements PayloadVolumePlugin {
  requiresRemount(_spec: unknown): boolean {
    return true;
  }

  supportsMountOption(): boolean {
    return false;
  }

  newUnmounter(volumeName: string, podUID: string): Unmounter {
    return new PayloadVolumeUnmounter(this, volumeName, podUID);
  }

  volumePath(podUID: string, volName: string): string {
    return this.host.getPodVolumeDir(podUID, this.name.replaceAll('/', '~'), volName);
  }
}

/**
 * Fetches a referenced object; when it does not exist and the reference is optional, `empty` stands in
 * (upstream's configMap/secret SetUpAt). Other failures are logged and thrown.
 */
export async function fetchOptional<T>(
  fetch: () => Promise<T>,
  optional: boolean,
  empty: () => T,
  what: { kind: string; namespace: string; name: string },
): Promise<T> {
  try {
    return await fetch();
  } catch (err) {
    if (isNotFound(err) && optional) return empty();
    log.error(`couldn't get ${what.kind}`, err, { [what.kind]: `${what.namespace}/${what.name}` });
    throw err;
  }
}
