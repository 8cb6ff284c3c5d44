// Pod-level mount and unmount of a flex volume (upstream mounter.go, unmounter.go and their -defaults):
// `mount <dir> <json>` with the pod's identity, secrets and fsGroup in the options; `unmount <dir>`.
// When the driver does not support mount, the kubelet bind-mounts the device mount path itself; when
// it does not support unmount, the kubelet unmounts. Both are idempotent: a mounted dir is not mounted
// again, a missing dir counts as torn down.
import { mkdir, rmdir, stat, statfs } from 'node:fs/promises';
import type { Pod } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import type { MountInterface } from '../util/mount/index.ts';
import { cleanupMountPoint } from '../util/mount/index.ts';
import type { Attributes, Metrics, Mounter, MounterArgs, Spec, Unmounter } from '../volume.ts';
import { specName } from '../volume.ts';
import { Cmd, OptionKey } from './constants.ts';
import { isNotSupportedError } from './errors.ts';
import { addSecretsToOptions, getReadOnly } from './options.ts';
import type { FlexVolumePlugin } from './plugin.ts';

const log = logger('flexvolume');

const isErrno = (err: unknown, code: string): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;

export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

/** Creates dir (0750) if missing; true when something is already mounted there. */
export async function prepareForMount(mounter: MountInterface, dir: string): Promise<boolean> {
  try {
    return !(await mounter.isLikelyNotMountPoint(dir));
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
    await mkdir(dir, { recursive: true, mode: 0o750 });
    return false;
  }
}

/** Removes dir if it is there and empty, as os.Remove does; other failures are returned. */
async function removeDirIfExists(dir: string): Promise<void> {
  try {
    await rmdir(dir);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
}

/** Other mount points of the filesystem mounted at path (bind mounts of it), as GetMountRefs. */
export async function getMountRefs(mounter: MountInterface, path: string): Promise<string[]> {
  const mps = await mounter.list();
  const target = mps.find((m) => m.path === path);
  if (target === undefined) return [];
  return mps
    .filter(
      (m) =>
        m.path !== path && m.major === target.major && m.minor === target.minor && m.root === target.root,
    )
    .map((m) => m.path);
}

async function statfsMetrics(path: string): Promise<Metrics> {
  const s = await statfs(path);
  return {
    capacity: s.blocks * s.bsize,
    available: s.bavail * s.bsize,
    used: (s.blocks - s.bfree) * s.bsize,
    inodes: s.files,
    inodesFree: s.ffree,
    inodesUsed: s.files - s.ffree,
  };
}

export class FlexVolumeMounter implements Mounter {
  readonly #plugin: FlexVolumePlugin;
  readonly #spec: Spec;
  readonly #podName: string;
  readonly #podNamespace: string;
  readonly #podUID: string;
  readonly #serviceAccountName: string;
  readonly #volName: string;
  readonly #readOnly: boolean;

  constructor(plugin: FlexVolumePlugin, spec: Spec, pod: Pod) {
    this.#plugin = plugin;
    this.#spec = spec;
    this.#podName = pod.metadata.name ?? '';
    this.#podNamespace = pod.metadata.namespace ?? '';
    this.#podUID = pod.metadata.uid ?? '';
    this.#serviceAccountName = pod.spec?.serviceAccountName ?? '';
    this.#volName = specName(spec);
    this.#readOnly = getReadOnly(spec);
  }

  getPath(): string {
    return this.#plugin.host.getPodVolumeDir(this.#podUID, this.#plugin.name, this.#volName);
  }

  setUp(args: MounterArgs): Promise<void> {
    return this.setUpAt(this.getPath(), args);
  }

  async setUpAt(dir: string, args: MounterArgs): Promise<void> {
    const plugin = this.#plugin;
    const mounter = plugin.host.getMounter();
    if (await prepareForMount(mounter, dir)) return;

    try {
      const extra: Record<string, string> = {
        [OptionKey.podName]: this.#podName,
        [OptionKey.podNamespace]: this.#podNamespace,
        [OptionKey.podUID]: this.#podUID,
        [OptionKey.serviceAccountName]: this.#serviceAccountName,
      };
      await addSecretsToOptions(extra, this.#spec, this.#podNamespace, plugin.driverName, plugin.host);
      if (args.fsGroup !== undefined) extra[OptionKey.fsGroup] = String(args.fsGroup);
      try {
        await plugin.driver.call(Cmd.mount, [dir, plugin.optionsJSON(this.#spec, extra)]);
      } catch (err) {
        if (!isNotSupportedError(err)) throw err;
        // Default: bind-mount the device mount path (the driver mounted the device in mountdevice).
        log.warn(`flexVolume driver ${plugin.driverName}: using default SetUpAt to ${dir}`);
        const src = await plugin.getDeviceMountPath(this.#spec);
        await mounter.mount(src, dir, { options: ['bind'] });
      }
    } catch (err) {
      await removeDirIfExists(dir).catch(() => undefined);
      throw err;
    }

    if (!this.#readOnly && plugin.capabilities.fsGroup) {
      await plugin.driver.ownership(dir, args.fsGroup, args.fsGroupChangePolicy, false);
    }
  }

  getAttributes(): Attributes {
    return {
      readOnly: this.#readOnly,
      managed: !this.#readOnly,
      seLinuxRelabel: this.#plugin.capabilities.selinuxRelabel,
    };
  }

  async getMetrics(): Promise<Metrics | undefined> {
    if (!this.#plugin.capabilities.supportsMetrics) return undefined;
    return statfsMetrics(this.getPath());
  }
}

export class FlexVolumeUnmounter implements Unmounter {
  readonly #plugin: FlexVolumePlugin;
  readonly #volName: string;
  readonly #podUID: string;

  constructor(plugin: FlexVolumePlugin, volName: string, podUID: string) {
    this.#plugin = plugin;
    this.#volName = volName;
    this.#podUID = podUID;
  }

  getPath(): string {
    return this.#plugin.host.getPodVolumeDir(this.#podUID, this.#plugin.name, this.#volName);
  }

  tearDown(): Promise<void> {
    return this.tearDownAt(this.getPath());
  }

  async tearDownAt(dir: string): Promise<void> {
    const plugin = this.#plugin;
    if (!(await pathExists(dir))) {
      log.warn(`Warning: Unmount skipped because path does not exist: ${dir}`);
      return;
    }
    try {
      await plugin.driver.call(Cmd.unmount, [dir]);
    } catch (err) {
      if (!isNotSupportedError(err)) throw err;
      log.warn(`flexVolume driver ${plugin.driverName}: using default TearDownAt for ${dir}`);
      await cleanupMountPoint(plugin.host.getMounter(), dir, false);
    }
    // The driver may have removed the directory itself.
    await removeDirIfExists(dir);
  }

  async getMetrics(): Promise<Metrics | undefined> {
    if (!this.#plugin.capabilities.supportsMetrics) return undefined;
    return statfsMetrics(this.getPath());
  }
}
