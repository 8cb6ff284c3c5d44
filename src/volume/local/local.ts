// The local plugin (`kubernetes.io/local-volume`, upstream pkg/volume/local/local.go): a PersistentVolume
// whose `spec.local.path` is a directory on the node, bind-mounted at the pod volume dir (read-only when
// the mount is). Scheduling to the right node is the PV node affinity's job. Teardown unmounts the bind
// and removes the pod dir; the data stays. A filesystem volume must be a directory: a block device
// path in filesystem mode (device mount + format) is refused with a clear error.
//
// Raw block volumes (`volumeMode: Block`, used through container volumeDevices): the path must be a
// block device, which the volume manager maps for the pod (upstream localVolumeMapper: no
// setUpDevice, mapPodDevice returns the device path); the global map path is
// `<root>/plugins/kubernetes.io/local-volume/volumeDevices/<pv>`.
//
// Concurrency: one operation per pod volume at a time (operation executor); different pods may bind the
// same local path in parallel, each at its own directory.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import type {
  LocalVolumeSource,
  PersistentVolume,
  PersistentVolumeAccessMode,
  Pod,
} from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import { isNotExist, metricsDu } from '../emptydir/index.ts';
import {
  type BlockVolumePlugin,
  escapePluginName,
  HostedPlugin,
  type PersistentVolumePlugin,
  type ReconstructedVolume,
  type VolumeOptions,
} from '../plugins.ts';
import {
  cleanupMountPoint,
  isNotMountPoint,
  type MountInterface,
  type MountPoint,
} from '../util/mount/index.ts';
import { setVolumeOwnership, VolumePermissionChangeInProgress } from '../util/ownership/index.ts';
import {
  type Attributes,
  type BlockVolumeMapper,
  type BlockVolumeUnmapper,
  type Metrics,
  type Mounter,
  type MounterArgs,
  type Spec,
  specFromPersistentVolume,
  specName,
  type Unmounter,
} from '../volume.ts';

const log = logger('local-volume');

export const localVolumePluginName = 'kubernetes.io/local-volume';

/** Event reason when pods with different fsGroups share a local volume (pkg/volume/events). */
export const WarnAlreadyMountedVolume = 'AlreadyMountedVolume';

function getVolumeSource(spec: Spec): { source: LocalVolumeSource; readOnly: boolean } {
  const local = spec.persistentVolume?.spec?.local;
  if (local == null) throw new Error('Spec does not reference a Local volume type');
  return { source: local, readOnly: spec.readOnly };
}

export class LocalVolumePlugin extends HostedPlugin implements PersistentVolumePlugin, BlockVolumePlugin {
  readonly name = localVolumePluginName;

  getVolumeName(spec: Spec): string {
    // Only a PV source, so the PV name is unique.
    return specName(spec);
  }

  canSupport(spec: Spec): boolean {
    return spec.persistentVolume?.spec?.local != null;
  }

  requiresRemount(_spec: Spec): boolean {
    return false;
  }

  supportsMountOption(): boolean {
    return true;
  }

  getAccessModes(): PersistentVolumeAccessMode[] {
    return ['ReadWriteOnce', 'ReadWriteOncePod'];
  }

  newMounter(spec: Spec, pod: Pod, _opts: VolumeOptions): Mounter {
    const { source, readOnly } = getVolumeSource(spec);
    if (spec.persistentVolume?.spec?.volumeMode === 'Block') {
      throw new Error(
        `local volume ${JSON.stringify(specName(spec))} has volumeMode Block: it is mapped (volumeDevices), not mounted`,
      );
    }
    return new LocalVolumeMounter(
      this,
      pod,
      specName(spec),
      source.path,
      readOnly,
      spec.persistentVolume?.spec?.mountOptions ?? [],
    );
  }

  newUnmounter(volumeName: string, podUID: string): Unmounter {
    return new LocalVolumeUnmounter(this, podUID, volumeName);
  }

  constructVolumeSpec(volumeName: string, _mountPath: string): Promise<ReconstructedVolume> {
    // Enough to tear the pod mount down: a directory source needs no global path.
    const pv: PersistentVolume = {
      metadata: { name: volumeName },
      spec: { local: { path: '' }, volumeMode: 'Filesystem' },
    };
    return Promise.resolve({ spec: specFromPersistentVolume(pv, false) });
  }

  volumePath(podUID: string, volName: string): string {
    return this.host.getPodVolumeDir(podUID, escapePluginName(localVolumePluginName), volName);
  }

  newBlockVolumeMapper(spec: Spec, pod: Pod): BlockVolumeMapper {
    const { source } = getVolumeSource(spec);
    return new LocalBlockVolume(this, pod.metadata.uid ?? '', specName(spec), source.path);
  }

  newBlockVolumeUnmapper(volumeName: string, podUID: string): BlockVolumeUnmapper {
    return new LocalBlockVolume(this, podUID, volumeName, '');
  }

  constructBlockVolumeSpec(_podUID: string, volumeName: string, _mapPath: string): Promise<Spec> {
    // Enough to unmap: the global map path needs only the PV name.
    const pv: PersistentVolume = {
      metadata: { name: volumeName },
      spec: { local: { path: '' }, volumeMode: 'Block' },
    };
    return Promise.resolve(specFromPersistentVolume(pv, false));
  }

  /** `<root>/plugins/kubernetes.io/local-volume/volumeDevices/<pv>` */
  globalMapPath(volName: string): string {
    return join(this.host.getPluginDir(localVolumePluginName), 'volumeDevices', volName);
  }

  /** `<root>/pods/<uid>/volumeDevices/kubernetes.io~local-volume` */
  podDeviceMapDir(podUID: string): string {
    return join(this.host.getPodsDir(), podUID, 'volumeDevices', escapePluginName(localVolumePluginName));
  }
}

/**
 * A local PV on a block device, mapped for one pod (upstream localVolumeMapper / localVolumeUnmapper).
 * Nothing to stage or publish: mapPodDevice hands the device path to the volume manager.
 */
class LocalBlockVolume implements BlockVolumeMapper, BlockVolumeUnmapper {
  readonly #plugin: LocalVolumePlugin;
  readonly #podUID: string;
  readonly #volName: string;
  readonly #devicePath: string;

  constructor(plugin: LocalVolumePlugin, podUID: string, volName: string, devicePath: string) {
    this.#plugin = plugin;
    this.#podUID = podUID;
    this.#volName = volName;
    this.#devicePath = devicePath;
  }

  getGlobalMapPath(_spec: Spec): Promise<string> {
    return Promise.resolve(this.#plugin.globalMapPath(this.#volName));
  }

  getPodDeviceMapPath(): [dir: string, name: string] {
    return [this.#plugin.podDeviceMapDir(this.#podUID), this.#volName];
  }

  async mapPodDevice(): Promise<string> {
    const path = this.#devicePath;
    if (path === '') throw new Error(`LocalVolume volume ${JSON.stringify(this.#volName)} path is empty`);
    if (path.split('/').includes('..')) throw new Error(`invalid path: ${path} must not contain '..'`);
    const st = await fs.stat(path);
    if (!st.isBlockDevice()) {
      throw new Error(`local volume ${JSON.stringify(this.#volName)}: path ${path} is not a block device`);
    }
    log.v(4, 'MapPodDevice returning path', { path });
    return path;
  }

  /** The device's size (upstream MetricsBlock): capacity only. */
  async getMetrics(): Promise<Metrics | undefined> {
    const bound = join(this.#plugin.globalMapPath(this.#volName), this.#podUID);
    const capacity = await blockDeviceSize(bound);
    return capacity === undefined ? undefined : { capacity, used: 0, available: 0 };
  }
}

/** Bytes of the block device at `path` (through /sys/dev/block/<major>:<minor>/size), or undefined. */
export async function blockDeviceSize(path: string): Promise<number | undefined> {
  let rdev: number;
  try {
    const st = await fs.stat(path);
    if (!st.isBlockDevice()) return undefined;
    rdev = st.rdev;
  } catch {
    return undefined;
  }
  const major = (rdev >> 8) & 0xfff;
  const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
  try {
    const sectors = Number.parseInt(await fs.readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8'), 10);
    return Number.isFinite(sectors) ? sectors * 512 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Mount points that show the same directory as `path` (upstream GetMountRefs for bind mounts): same
 * device and same root within it, other than `path` itself.
 */
export async function getMountRefs(mounter: MountInterface, path: string): Promise<string[]> {
  const table = await mounter.list();
  const real = await fs.realpath(path);
  let base: MountPoint | undefined;
  for (const m of table) {
    const inside = m.path === '/' || real === m.path || real.startsWith(`${m.path}/`);
    if (inside && (base === undefined || m.path.length >= base.path.length)) base = m;
  }
  // No containing mount (a fake table without `/`): the path is its own root on device 0:0.
  const major = base?.major ?? 0;
  const minor = base?.minor ?? 0;
  const rel = base === undefined || base.path === '/' ? real : real.slice(base.path.length);
  const root = base === undefined || base.root === '/' ? rel || '/' : `${base.root}${rel}`;
  return table
    .filter((m) => m.major === major && m.minor === minor && m.root === root && m.path !== real)
    .map((m) => m.path);
}

class LocalVolume {
  readonly plugin: LocalVolumePlugin;
  readonly podUID: string;
  readonly volName: string;

  constructor(plugin: LocalVolumePlugin, podUID: string, volName: string) {
    this.plugin = plugin;
    this.podUID = podUID;
    this.volName = volName;
  }

  getPath(): string {
    return this.plugin.volumePath(this.podUID, this.volName);
  }

  getMetrics(): Promise<Metrics | undefined> {
    return metricsDu(this.getPath());
  }
}

class LocalVolumeMounter extends LocalVolume implements Mounter {
  readonly #pod: Pod;
  readonly #globalPath: string;
  readonly #readOnly: boolean;
  readonly #mountOptions: readonly string[];

  constructor(
    plugin: LocalVolumePlugin,
    pod: Pod,
    volName: string,
    globalPath: string,
    readOnly: boolean,
    mountOptions: readonly string[],
  ) {
    super(plugin, pod.metadata.uid ?? '', volName);
    this.#pod = pod;
    this.#globalPath = globalPath;
    this.#readOnly = readOnly;
    this.#mountOptions = mountOptions;
  }

  getAttributes(): Attributes {
    return { readOnly: this.#readOnly, managed: !this.#readOnly, seLinuxRelabel: true };
  }

  setUp(args: MounterArgs): Promise<void> {
    return this.setUpAt(this.getPath(), args);
  }

  async setUpAt(dir: string, args: MounterArgs): Promise<void> {
    const host = this.plugin.host;
    const mounter = host.getMounter();
    if (this.#globalPath === '')
      throw new Error(`LocalVolume volume ${JSON.stringify(this.volName)} path is empty`);
    if (this.#globalPath.split('/').includes('..')) {
      throw new Error(`invalid path: ${this.#globalPath} must not contain '..'`);
    }
    let st: Awaited<ReturnType<typeof fs.stat>>;
    try {
      st = await fs.stat(this.#globalPath);
    } catch (err) {
      throw new Error(
        `local volume ${JSON.stringify(this.volName)}: path ${this.#globalPath}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    if (st.isBlockDevice()) {
      throw new Error(
        `local volume ${JSON.stringify(this.volName)}: path ${this.#globalPath} is a block device; formatting and mounting block devices is not supported by kvol's local plugin`,
      );
    }

    let notMnt = true;
    try {
      notMnt = await isNotMountPoint(mounter, dir);
    } catch (err) {
      if (!isNotExist(err)) {
        log.error('cannot validate mount point', err, { dir });
        throw err;
      }
    }
    log.v(4, 'LocalVolume mount setup', {
      podDir: dir,
      volDir: this.#globalPath,
      mounted: !notMnt,
      readOnly: this.#readOnly,
    });
    if (!notMnt) return;

    // Other pods' mounts of the same path: fsGroup is applied only by the first, and a different
    // fsGroup is worth a warning.
    const podsDir = `${host.getPodsDir()}/`;
    const refs = (await getMountRefs(mounter, this.#globalPath)).filter((r) => r.startsWith(podsDir));
    if (args.fsGroup !== undefined && refs.length > 0) {
      const gid = (await fs.stat(this.#globalPath)).gid;
      if (gid !== args.fsGroup) {
        host
          .getEventRecorder()
          .event(
            this.#pod,
            'Warning',
            WarnAlreadyMountedVolume,
            `The requested fsGroup is ${args.fsGroup}, but the volume ${this.volName} has GID ${gid}. The volume may not be shareable.`,
          );
      }
    }

    await fs.mkdir(dir, { recursive: true, mode: 0o750 });
    const options = ['bind', ...(this.#readOnly ? ['ro'] : []), ...this.#mountOptions];
    try {
      await mounter.mount(this.#globalPath, dir, { options });
    } catch (err) {
      log.error('mount of volume failed', err, { dir });
      try {
        // A half-done bind (bind succeeded, ro remount failed) must not stay behind.
        if (!(await isNotMountPoint(mounter, dir))) await mounter.unmount(dir);
        if (await isNotMountPoint(mounter, dir)) await fs.rmdir(dir).catch(() => undefined);
      } catch (cleanupErr) {
        log.error('cleanup after failed mount failed', cleanupErr, { dir });
      }
      throw err;
    }

    if (!this.#readOnly && refs.length === 0) {
      await setVolumeOwnership(dir, args.fsGroup, args.fsGroupChangePolicy, false, {
        clock: host.getClock(),
        onSlow: (message) =>
          host.getEventRecorder().event(this.#pod, 'Warning', VolumePermissionChangeInProgress, message),
      });
    }
  }
}

class LocalVolumeUnmounter extends LocalVolume implements Unmounter {
  tearDown(): Promise<void> {
    return this.tearDownAt(this.getPath());
  }

  async tearDownAt(dir: string): Promise<void> {
    log.v(4, 'unmounting volume', { volume: this.volName, dir });
    // A bind mount within one filesystem needs the mount table to be seen.
    await cleanupMountPoint(this.plugin.host.getMounter(), dir, true);
  }
}
