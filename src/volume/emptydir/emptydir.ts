// The emptyDir plugin (`kubernetes.io/empty-dir`, upstream pkg/volume/emptydir/empty_dir.go): a
// directory on the kubelet's filesystem, a tmpfs (medium Memory) or a hugetlbfs (medium HugePages),
// made ready once per pod and removed when the pod goes. It also backs the wrapper volumes of secret,
// configMap, downwardAPI and projected (see wrapped.ts).
//
// Concurrency: the operation executor runs one operation per volume at a time; mounts of different
// pods (unique names are per pod) run in parallel and touch disjoint directories.
import * as fs from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import type { Pod, Volume as PodVolume } from '../../api/index.ts';
import { parseQuantity, type Quantity } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import {
  escapePluginName,
  HostedPlugin,
  type ReconstructedVolume,
  type VolumeHost,
  type VolumeOptions,
  type VolumePlugin,
} from '../plugins.ts';
import type { MountInterface } from '../util/mount/index.ts';
import { setVolumeOwnership, VolumePermissionChangeInProgress } from '../util/ownership/index.ts';
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
import { isNotExist, metricsDu, pathExists } from './fsutil.ts';
import { podMemoryLimit } from './resources.ts';

const log = logger('emptydir');

export const emptyDirPluginName = 'kubernetes.io/empty-dir';

/** Upstream defaultPerm: the volume directory is world-writable (issue 2630). */
export const emptyDirPerm = 0o777;
const hugePagesPageSizeMountOption = 'pagesize';
/** The readiness marker's file name inside the volume's plugin dir (upstream volumeutil readyFileName). */
export const readyFileName = 'ready';

export const StorageMedium = {
  Default: '',
  Memory: 'Memory',
  HugePages: 'HugePages',
} as const;

const hugePagesMediumPrefix = 'HugePages-';

export function isHugePageMedium(medium: string): boolean {
  return medium === StorageMedium.HugePages || medium.startsWith(hugePagesMediumPrefix);
}

/** The pod volume directory of an emptyDir (upstream getPath). */
export function emptyDirPath(host: VolumeHost, podUID: string, volName: string): string {
  return host.getPodVolumeDir(podUID, escapePluginName(emptyDirPluginName), volName);
}

export class EmptyDirPlugin extends HostedPlugin implements VolumePlugin {
  readonly name = emptyDirPluginName;

  getVolumeName(spec: Spec): string {
    if (spec.volume?.emptyDir == null) throw new Error('spec does not reference an emptyDir volume type');
    // The pod's own volume name: emptyDirs are ephemeral and never shared.
    return specName(spec);
  }

  canSupport(spec: Spec): boolean {
    return spec.volume?.emptyDir != null;
  }

  requiresRemount(_spec: Spec): boolean {
    return false;
  }

  supportsMountOption(): boolean {
    return false;
  }

  newMounter(spec: Spec, pod: Pod, _opts: VolumeOptions): Mounter {
    const source = spec.volume?.emptyDir;
    if (source == null) throw new Error('spec does not reference an emptyDir volume type');
    const medium = source.medium ?? StorageMedium.Default;
    let sizeLimit: bigint | undefined;
    if (medium === StorageMedium.Memory) {
      sizeLimit = calculateEmptyDirMemorySize(
        BigInt(Math.floor(this.host.getNodeAllocatableMemory())),
        source.sizeLimit,
        pod,
      );
    }
    return new EmptyDir(this, pod, specName(spec), medium, sizeLimit);
  }

  newUnmounter(volumeName: string, podUID: string): Unmounter {
    // The medium is found again from the mount table at teardown.
    const pod: Pod = { metadata: { uid: podUID } };
    return new EmptyDir(this, pod, volumeName, StorageMedium.Default, undefined);
  }

  constructVolumeSpec(volumeName: string, _mountPath: string): Promise<ReconstructedVolume> {
    const volume: PodVolume = { name: volumeName, emptyDir: {} };
    return Promise.resolve({ spec: specFromVolume(volume) });
  }
}

/**
 * The tmpfs size for a Memory emptyDir (upstream calculateEmptyDirMemorySize): node allocatable memory,
 * lowered to the pod's memory limit and then to the volume's sizeLimit when those are positive and
 * smaller.
 */
export function calculateEmptyDirMemorySize(
  nodeAllocatableMemory: bigint,
  sizeLimit: string | undefined,
  pod: Pod,
): bigint {
  let size = nodeAllocatableMemory;
  const podLimit = podMemoryLimit(pod);
  if (podLimit !== undefined && podLimit > 0n && podLimit <= size) size = podLimit;
  if (sizeLimit !== undefined && sizeLimit !== '') {
    const v = parseQuantity(sizeLimit).value();
    if (v > 0n && v <= size) size = v;
  }
  return size;
}

let noswapSupported: boolean | undefined;

/**
 * Whether tmpfs takes `noswap` (upstream swap.IsTmpfsNoswapOptionSupported): Linux 6.4 and later.
 * Older kernels are not probed with a test mount; they simply get no `noswap`.
 */
export function isTmpfsNoswapOptionSupported(): boolean {
  if (noswapSupported === undefined) {
    const m = /^(\d+)\.(\d+)/.exec(release());
    noswapSupported =
      process.platform === 'linux' &&
      m !== null &&
      (Number(m[1]) > 6 || (Number(m[1]) === 6 && Number(m[2]) >= 4));
  }
  return noswapSupported;
}

/** Options for the tmpfs of a Memory emptyDir (upstream generateTmpfsMountOptions). */
export function tmpfsMountOptions(sizeLimit: bigint | undefined): string[] {
  const options: string[] = [];
  if (sizeLimit !== undefined && sizeLimit > 0n) options.push(`size=${sizeLimit}`);
  if (isTmpfsNoswapOptionSupported()) options.push('noswap');
  return options;
}

/** The medium backing a path and whether the path is that mount's root (upstream GetMountMedium). */
export async function getMountMedium(
  mounter: MountInterface,
  dir: string,
): Promise<{ medium: string; isMnt: boolean; pageSize?: string }> {
  const notMnt = await mounter.isLikelyNotMountPoint(dir);
  if (notMnt) return { medium: StorageMedium.Default, isMnt: false };
  // statfs names the topmost mount's type without reading the whole mount table (upstream does the
  // same); the table is read only for a hugetlbfs page size, or when the mounter cannot statfs.
  if (mounter.filesystemType !== undefined) {
    const type = await mounter.filesystemType(dir);
    if (type === 'tmpfs') return { medium: StorageMedium.Memory, isMnt: true };
    if (type !== 'hugetlbfs') return { medium: StorageMedium.Default, isMnt: true };
  }
  const mounts = (await mounter.list()).filter((m) => m.path === dir);
  const top = mounts[mounts.length - 1];
  if (top === undefined) return { medium: StorageMedium.Default, isMnt: true };
  if (top.type === 'tmpfs') return { medium: StorageMedium.Memory, isMnt: true };
  if (top.type === 'hugetlbfs') {
    const opt = top.opts.find((o) => o.startsWith(`${hugePagesPageSizeMountOption}=`));
    const res: { medium: string; isMnt: boolean; pageSize?: string } = {
      medium: StorageMedium.HugePages,
      isMnt: true,
    };
    if (opt !== undefined) res.pageSize = opt.slice(hugePagesPageSizeMountOption.length + 1);
    return res;
  }
  return { medium: StorageMedium.Default, isMnt: true };
}

/** True when `<dir>/ready` is a regular file (upstream volumeutil.IsReady). */
export async function isReady(dir: string): Promise<boolean> {
  try {
    return (await fs.stat(join(dir, readyFileName))).isFile();
  } catch {
    return false;
  }
}

/** Creates `<dir>/ready` (upstream volumeutil.SetReady); failures are logged only. */
export async function setReady(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o750 });
    await (await fs.open(join(dir, readyFileName), 'w', 0o666)).close();
  } catch (err) {
    log.error("can't mark volume ready", err, { dir });
  }
}

/** Upstream HugePageSizeFromMedium: `HugePages-2Mi` -> 2Mi. */
function hugePageSizeFromMedium(medium: string): Quantity {
  if (!medium.startsWith(hugePagesMediumPrefix)) {
    throw new Error(`medium: ${medium} is not a hugepage medium`);
  }
  return parseQuantity(medium.slice(hugePagesMediumPrefix.length));
}

/** Upstream getPageSizeMountOption: `pagesize=<size>` from the medium or from the pod's requests. */
export function getPageSizeMountOption(medium: string, pod: Pod): string {
  let pageSize: Quantity | undefined;
  const mediumPageSize = medium === StorageMedium.HugePages ? undefined : hugePageSizeFromMedium(medium);
  const lists: Record<string, string>[] = [];
  if (pod.spec?.resources?.requests !== undefined) lists.push(pod.spec.resources.requests);
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    lists.push(c.resources?.requests ?? {});
  }
  for (const list of lists) {
    for (const name of Object.keys(list)) {
      if (!name.startsWith('hugepages-')) continue;
      const current = parseQuantity(name.slice('hugepages-'.length));
      if (mediumPageSize === undefined) {
        if (pageSize !== undefined && pageSize.cmp(current) !== 0) {
          throw new Error(`medium: ${medium} can't be used if container requests multiple huge page sizes`);
        }
        pageSize = current;
      } else if (current.cmp(mediumPageSize) === 0) {
        pageSize = current;
      }
    }
  }
  if (pageSize === undefined) {
    throw new Error(
      `medium ${medium}: hugePages storage requested, but there is no resource request for huge pages`,
    );
  }
  return `${hugePagesPageSizeMountOption}=${pageSize.toString()}`;
}

/** One emptyDir of one pod; both its Mounter and its Unmounter. */
export class EmptyDir implements Mounter, Unmounter {
  readonly #plugin: EmptyDirPlugin;
  readonly #pod: Pod;
  readonly #podUID: string;
  readonly volName: string;
  #medium: string;
  readonly sizeLimit: bigint | undefined;

  constructor(
    plugin: EmptyDirPlugin,
    pod: Pod,
    volName: string,
    medium: string,
    sizeLimit: bigint | undefined,
  ) {
    this.#plugin = plugin;
    this.#pod = pod;
    this.#podUID = pod.metadata.uid ?? '';
    this.volName = volName;
    this.#medium = medium;
    this.sizeLimit = sizeLimit;
  }

  get medium(): string {
    return this.#medium;
  }

  get #mounter(): MountInterface {
    return this.#plugin.host.getMounter();
  }

  getPath(): string {
    return emptyDirPath(this.#plugin.host, this.#podUID, this.volName);
  }

  /** `<root>/pods/<uid>/plugins/kubernetes.io~empty-dir/<volName>`, holding the readiness marker. */
  getMetaDir(): string {
    return join(
      this.#plugin.host.getPodPluginDir(this.#podUID, escapePluginName(emptyDirPluginName)),
      this.volName,
    );
  }

  getAttributes(): Attributes {
    return { readOnly: false, managed: true, seLinuxRelabel: true };
  }

  getMetrics(): Promise<Metrics | undefined> {
    return metricsDu(this.getPath());
  }

  setUp(args: MounterArgs): Promise<void> {
    return this.setUpAt(this.getPath(), args);
  }

  async setUpAt(dir: string, args: MounterArgs): Promise<void> {
    let notMnt = true;
    try {
      notMnt = await this.#mounter.isLikelyNotMountPoint(dir);
    } catch (err) {
      // The directory may not exist yet: then set it up.
      if (!isNotExist(err)) throw err;
    }

    const readyDir = this.getMetaDir();
    if (await isReady(readyDir)) {
      if (this.#medium === StorageMedium.Memory && !notMnt) return;
      if (this.#medium === StorageMedium.Default) {
        if (await pathExists(dir)) return;
        // Only when someone removed the volume dir by hand.
        log.warn('volume ready file dir exists, but volume dir does not; removing ready dir', {
          readyDir,
          dir,
        });
        await fs.rm(readyDir, { recursive: true, force: true }).catch((err: unknown) => {
          log.warn('failed to remove ready dir', { readyDir, err });
        });
      }
    }

    let setupErr: unknown;
    try {
      if (this.#medium === StorageMedium.Default) await this.#setupDir(dir);
      else if (this.#medium === StorageMedium.Memory) await this.#setupTmpfs(dir);
      else if (isHugePageMedium(this.#medium)) await this.#setupHugepages(dir);
      else throw new Error(`unknown storage medium ${JSON.stringify(this.#medium)}`);
    } catch (err) {
      setupErr = err;
    }

    // Upstream ignores ownership errors here: the directory is fresh, and a failure is logged.
    try {
      const host = this.#plugin.host;
      await setVolumeOwnership(dir, args.fsGroup, undefined, false, {
        clock: host.getClock(),
        onSlow: (message) =>
          host.getEventRecorder().event(this.#pod, 'Warning', VolumePermissionChangeInProgress, message),
      });
    } catch (err) {
      log.error('failed to set volume ownership', err, { dir, fsGroup: args.fsGroup });
    }

    if (setupErr !== undefined) throw setupErr;
    await setReady(readyDir);
  }

  async #setupDir(dir: string): Promise<void> {
    await fs.mkdir(dir, { recursive: true, mode: emptyDirPerm });
    const st = await fs.lstat(dir);
    if ((st.mode & 0o777) !== emptyDirPerm) {
      // The umask stripped bits: chmod rather than touching the process umask.
      await fs.chmod(dir, emptyDirPerm);
      const again = await fs.lstat(dir);
      if ((again.mode & 0o777) !== emptyDirPerm) {
        log.warn('unexpected directory permissions', {
          dir,
          expected: emptyDirPerm.toString(8),
          got: (again.mode & 0o777).toString(8),
        });
      }
    }
  }

  async #setupTmpfs(dir: string): Promise<void> {
    await this.#setupDir(dir);
    const { medium, isMnt } = await getMountMedium(this.#mounter, dir);
    if (isMnt && medium === StorageMedium.Memory) return;
    log.v(3, 'mounting tmpfs for volume', { pod: this.#podUID, volume: this.volName });
    await this.#mounter.mount('tmpfs', dir, { fstype: 'tmpfs', options: tmpfsMountOptions(this.sizeLimit) });
  }

  async #setupHugepages(dir: string): Promise<void> {
    await this.#setupDir(dir);
    const { medium, isMnt, pageSize } = await getMountMedium(this.#mounter, dir);
    if (isMnt && isHugePageMedium(medium)) {
      if (this.#medium === StorageMedium.HugePages) return;
      if (pageSize === undefined) {
        throw new Error(`pod ${this.#podUID}: mounted dir ${dir} pagesize is not determined`);
      }
      const want = hugePageSizeFromMedium(this.#medium);
      const got = parseQuantity(pageSize);
      if (want.cmp(got) !== 0) {
        throw new Error(
          `pod ${this.#podUID}: mounted dir ${dir} pagesize '${got.toString()}' and requested medium size '${want.toString()}' differ`,
        );
      }
      return;
    }
    const option = getPageSizeMountOption(this.#medium, this.#pod);
    log.v(3, 'mounting hugepages for volume', { pod: this.#podUID, volume: this.volName });
    await this.#mounter.mount('nodev', dir, { fstype: 'hugetlbfs', options: [option] });
  }

  tearDown(): Promise<void> {
    return this.tearDownAt(this.getPath());
  }

  async tearDownAt(dir: string): Promise<void> {
    // The marker goes first: a crash after this point makes the next setUp start from scratch.
    const readyDir = this.getMetaDir();
    try {
      await fs.rm(readyDir, { recursive: true, force: true });
    } catch (err) {
      throw new Error(`failed to remove ready dir [${readyDir}]: ${(err as Error).message}`, { cause: err });
    }

    if (!(await pathExists(dir))) {
      log.warn('Warning: Unmount skipped because path does not exist', { dir });
      return;
    }

    const { medium, isMnt } = await getMountMedium(this.#mounter, dir);
    if (isMnt && (medium === StorageMedium.Memory || medium === StorageMedium.HugePages)) {
      this.#medium = medium;
      await this.#mounter.unmount(dir);
    }
    await fs.rm(dir, { recursive: true, force: true });
  }
}
