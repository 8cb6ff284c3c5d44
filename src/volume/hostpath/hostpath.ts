// The hostPath plugin (`kubernetes.io/host-path`, upstream pkg/volume/hostpath/host_path.go): the volume
// is a path on the node itself, inline or as a PersistentVolume. Nothing is mounted; setUp checks (and
// for the *OrCreate types creates) the path by its type, with upstream's messages. The kubelet never
// changes its ownership (managed false). Provisioning, deletion and recycling of hostPath PVs live in
// the PV controller.
import * as fs from 'node:fs/promises';
import type {
  HostPathVolumeSource,
  PersistentVolumeAccessMode,
  Pod,
  Volume as PodVolume,
} from '../../api/index.ts';
import {
  HostedPlugin,
  type PersistentVolumePlugin,
  type ReconstructedVolume,
  type VolumeOptions,
} from '../plugins.ts';
import {
  type Attributes,
  type Mounter,
  type MounterArgs,
  type Spec,
  specFromVolume,
  type Unmounter,
} from '../volume.ts';

export const hostPathPluginName = 'kubernetes.io/host-path';

function getVolumeSource(spec: Spec): { source: HostPathVolumeSource; readOnly: boolean } {
  if (spec.volume?.hostPath != null) return { source: spec.volume.hostPath, readOnly: spec.readOnly };
  if (spec.persistentVolume?.spec?.hostPath != null) {
    return { source: spec.persistentVolume.spec.hostPath, readOnly: spec.readOnly };
  }
  throw new Error('spec does not reference an HostPath volume type');
}

export class HostPathPlugin extends HostedPlugin implements PersistentVolumePlugin {
  readonly name = hostPathPluginName;

  getVolumeName(spec: Spec): string {
    return getVolumeSource(spec).source.path;
  }

  canSupport(spec: Spec): boolean {
    return spec.volume?.hostPath != null || spec.persistentVolume?.spec?.hostPath != null;
  }

  requiresRemount(_spec: Spec): boolean {
    return false;
  }

  supportsMountOption(): boolean {
    return false;
  }

  getAccessModes(): PersistentVolumeAccessMode[] {
    return ['ReadWriteOnce'];
  }

  newMounter(spec: Spec, _pod: Pod, _opts: VolumeOptions): Mounter {
    const { source, readOnly } = getVolumeSource(spec);
    return new HostPathMounter(source.path, source.type ?? '', readOnly);
  }

  newUnmounter(_volumeName: string, _podUID: string): Unmounter {
    return new HostPathUnmounter();
  }

  constructVolumeSpec(volumeName: string, _mountPath: string): Promise<ReconstructedVolume> {
    // The host path cannot be recovered from the pod directory; upstream uses the volume name.
    const volume: PodVolume = { name: volumeName, hostPath: { path: volumeName } };
    return Promise.resolve({ spec: specFromVolume(volume) });
  }
}

/** Upstream validation.ValidatePathNoBacksteps. */
export function validatePathNoBacksteps(targetPath: string): void {
  if (targetPath.split('/').includes('..')) throw new Error("must not contain '..'");
}

type FileKind = 'Directory' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice' | 'Unknown';

/** The kind of the file at a path, following symlinks (upstream hostutil GetFileType); undefined if missing. */
async function fileType(path: string): Promise<FileKind | undefined> {
  let st: Awaited<ReturnType<typeof fs.stat>>;
  try {
    st = await fs.stat(path);
  } catch {
    return undefined;
  }
  if (st.isDirectory()) return 'Directory';
  if (st.isFile()) return 'File';
  if (st.isSocket()) return 'Socket';
  if (st.isCharacterDevice()) return 'CharDevice';
  if (st.isBlockDevice()) return 'BlockDevice';
  return 'Unknown';
}

function goPathError(op: string, path: string, err: unknown): Error {
  const code = (err as { code?: string }).code;
  const text: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    ENOTDIR: 'not a directory',
    EEXIST: 'file exists',
    EROFS: 'read-only file system',
  };
  const why = (code !== undefined ? text[code] : undefined) ?? (err as Error).message;
  return new Error(`${op} ${path}: ${why}`, { cause: err });
}

/**
 * Checks the path against its hostPath type (upstream checkTypeInternal); the *OrCreate types create a
 * missing path (directories 0755 with parents, files 0644 without) and stop there.
 */
export async function checkType(path: string, pathType: string): Promise<void> {
  const kind = await fileType(path);
  switch (pathType) {
    case 'DirectoryOrCreate':
      if (kind === undefined) {
        try {
          await fs.mkdir(path, { recursive: true, mode: 0o755 });
        } catch (err) {
          throw goPathError('mkdir', path, err);
        }
        return;
      }
      if (kind !== 'Directory') throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'Directory':
      if (kind !== 'Directory') throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'FileOrCreate':
      if (kind === undefined) {
        try {
          // O_CREATE without O_EXCL, as upstream: a file that appeared meanwhile is fine.
          await (await fs.open(path, fs.constants.O_RDONLY | fs.constants.O_CREAT, 0o644)).close();
        } catch (err) {
          throw goPathError('open', path, err);
        }
        return;
      }
      if (kind !== 'File') throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'File':
      if (kind !== 'File') throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Socket':
      if (kind !== 'Socket') throw new Error(`hostPath type check failed: ${path} is not a socket file`);
      return;
    case 'CharDevice':
      if (kind !== 'CharDevice')
        throw new Error(`hostPath type check failed: ${path} is not a character device`);
      return;
    case 'BlockDevice':
      if (kind !== 'BlockDevice')
        throw new Error(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
      throw new Error(`${pathType} is an invalid volume type`);
  }
}

export class HostPathMounter implements Mounter {
  readonly #path: string;
  readonly #pathType: string;
  readonly #readOnly: boolean;

  constructor(path: string, pathType: string, readOnly: boolean) {
    this.#path = path;
    this.#pathType = pathType;
    this.#readOnly = readOnly;
  }

  getPath(): string {
    return this.#path;
  }

  getAttributes(): Attributes {
    return { readOnly: this.#readOnly, managed: false, seLinuxRelabel: false };
  }

  async setUp(_args: MounterArgs): Promise<void> {
    try {
      validatePathNoBacksteps(this.#path);
    } catch (err) {
      throw new Error(`invalid HostPath \`${this.#path}\`: ${(err as Error).message}`);
    }
    if (this.#pathType === '') return;
    await checkType(this.#path, this.#pathType);
  }

  setUpAt(_dir: string, _args: MounterArgs): Promise<void> {
    return Promise.reject(new Error('SetUpAt() does not make sense for host paths'));
  }
}

/** Nothing to undo: the data stays on the node. */
export class HostPathUnmounter implements Unmounter {
  getPath(): string {
    return '';
  }

  tearDown(): Promise<void> {
    return Promise.resolve();
  }

  tearDownAt(_dir: string): Promise<void> {
    return Promise.reject(new Error('TearDownAt() does not make sense for host paths'));
  }
}
