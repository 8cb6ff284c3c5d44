// The gitRepo plugin (`kubernetes.io/git-repo`, upstream pkg/volume/git_repo), deprecated upstream since
// v1.11 and disabled by default there since v1.33 (feature gate GitRepoVolumeDriver). The volume is an
// emptyDir (through the host's wrapper) into which the kubelet runs `git clone -- <repository>
// [<directory>]`, then, for a revision, `git checkout <revision>` and `git reset --hard` in the clone.
// A readiness marker at `pods/<uid>/plugins/kubernetes.io~git-repo/<volume>/ready` makes later setups
// no-ops; teardown is the emptyDir's.
//
// Values are validated again here (the API validates them too, but objects may predate that): none may
// start with `-` (they would be git options), a directory must be relative and without `..`, and with a
// revision the directory must be a single path element (upstream's fix for CVE-2024-10220). kvol also
// refuses `..` path elements in the repository, as the reference asks.
//
// Concurrency: the volume manager runs one operation per volume at a time; different pods' volumes are
// independent directories.
import { readdir } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { GitRepoVolumeSource, Pod } from '../../api/index.ts';
import type { Clock } from '../../component/index.ts';
import { logger } from '../../component/index.ts';
import { isReady, setReady } from '../emptydir/index.ts';
import { DEFAULT_KILL_GRACE_MS, execDriver } from '../flexvolume/index.ts';
import { HostedPlugin, type ReconstructedVolume, type VolumeOptions, type VolumePlugin } from '../plugins.ts';
import { setVolumeOwnership } from '../util/ownership/index.ts';
import type { Attributes, Mounter, MounterArgs, Spec, Unmounter } from '../volume.ts';
import { specFromVolume, specName } from '../volume.ts';

const log = logger('git-repo');

export const gitRepoPluginName = 'kubernetes.io/git-repo';

/** The feature gate that enables the plugin upstream (default off since v1.33). */
export const GitRepoVolumeDriverFeatureGate = 'GitRepoVolumeDriver';

/** Upstream's SetUp error when the feature gate is off. */
export const gitRepoDisabledMessage =
  'git-repo volume plugin has been disabled; if necessary, it may be re-enabled by enabling the feature-gate `GitRepoVolumeDriver`';

/**
 * Event reason and message of the deprecation warning recorded on the pod at each clone. Upstream's
 * kubelet records no such event (its warning is the API server's `spec.volumes[i].gitRepo: deprecated
 * in v1.11`); the reason is kvol's, the message is upstream's API documentation of the field.
 */
export const GitRepoDeprecatedReason = 'GitRepoDeprecated';
export const gitRepoDeprecationMessage =
  "GitRepo is deprecated. To provision a container with a git repo, mount an EmptyDir into an InitContainer that clones the repo using git, then mount the EmptyDir into the Pod's container.";

/** The gitRepo source is unusable (flag-like or escaping values). Messages are upstream's. */
export class GitRepoValidationError extends Error {
  override readonly name = 'GitRepoValidationError';
  readonly field: 'repository' | 'revision' | 'directory';
  readonly value: string;

  constructor(message: string, field: 'repository' | 'revision' | 'directory', value: string) {
    super(message);
    this.field = field;
    this.value = value;
  }
}

export const isGitRepoValidationError = (e: unknown): e is GitRepoValidationError =>
  e instanceof GitRepoValidationError;

/** A git command failed, or the clone left an unexpected layout. */
export class GitRepoSetupError extends Error {
  override readonly name = 'GitRepoSetupError';
  /** `git clone -- <repo>`, ...; empty for layout problems. */
  readonly command: string;
  readonly output: string;
  readonly exitCode: number | null;

  constructor(
    message: string,
    fields: { command?: string; output?: string; exitCode?: number | null; cause?: unknown },
  ) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.command = fields.command ?? '';
    this.output = fields.output ?? '';
    this.exitCode = fields.exitCode ?? null;
  }
}

export const isGitRepoSetupError = (e: unknown): e is GitRepoSetupError => e instanceof GitRepoSetupError;

export class GitRepoDisabledError extends Error {
  override readonly name = 'GitRepoDisabledError';

  constructor() {
    super(gitRepoDisabledMessage);
  }
}

export const isGitRepoDisabledError = (e: unknown): e is GitRepoDisabledError =>
  e instanceof GitRepoDisabledError;

function validateNonFlagArgument(arg: string, argName: 'repository' | 'revision' | 'directory'): void {
  if (arg.length > 0 && arg[0] === '-') {
    throw new GitRepoValidationError(
      `${JSON.stringify(arg)} is an invalid value for ${argName}`,
      argName,
      arg,
    );
  }
}

function hasBackstep(p: string): boolean {
  return p.split(/[/\\]/).includes('..');
}

/** Upstream validateVolume, plus the API's directory checks and a `..` check on the repository. */
export function validateGitRepoSource(src: GitRepoVolumeSource): void {
  const repository = src.repository ?? '';
  const revision = src.revision ?? '';
  const directory = src.directory ?? '';
  validateNonFlagArgument(repository, 'repository');
  validateNonFlagArgument(revision, 'revision');
  validateNonFlagArgument(directory, 'directory');
  if (hasBackstep(repository)) {
    throw new GitRepoValidationError(
      `${JSON.stringify(repository)} is an invalid value for repository: must not contain '..'`,
      'repository',
      repository,
    );
  }
  if (directory.startsWith('/')) {
    throw new GitRepoValidationError(
      `${JSON.stringify(directory)} is an invalid value for directory: must be a relative path`,
      'directory',
      directory,
    );
  }
  if (hasBackstep(directory)) {
    throw new GitRepoValidationError(
      `${JSON.stringify(directory)} is an invalid value for directory: must not contain '..'`,
      'directory',
      directory,
    );
  }
  if (revision !== '' && directory !== '') {
    const cleaned = normalize(directory).replace(/\/+$/, '');
    if (cleaned.includes('/') || cleaned.includes('\\')) {
      throw new GitRepoValidationError(
        `${JSON.stringify(directory)} is not a valid directory, it must not contain a directory separator`,
        'directory',
        directory,
      );
    }
  }
}

export interface GitRepoPluginOptions {
  /** Feature gate GitRepoVolumeDriver. Upstream default is off since v1.33; kvol's default is on. */
  readonly enabled?: boolean;
  /** The git executable. Default `git` (from PATH). */
  readonly gitCommand?: string;
  /** Time limit per git command; 0 (the default, as upstream) means none. */
  readonly timeoutMs?: number;
  /** Clock for the time limit; default the host's. */
  readonly clock?: Clock;
}

export class GitRepoPlugin extends HostedPlugin implements VolumePlugin {
  readonly name = gitRepoPluginName;
  readonly #opts: GitRepoPluginOptions;

  constructor(opts: GitRepoPluginOptions = {}) {
    super();
    this.#opts = opts;
  }

  get options(): GitRepoPluginOptions {
    return this.#opts;
  }

  /** `<repository>:<revision>:<directory>` */
  getVolumeName(spec: Spec): string {
    const src = spec.volume?.gitRepo;
    if (src === undefined) throw new Error('Spec does not reference a Git repo volume type');
    return `${src.repository ?? ''}:${src.revision ?? ''}:${src.directory ?? ''}`;
  }

  canSupport(spec: Spec): boolean {
    return spec.volume?.gitRepo !== undefined;
  }

  requiresRemount(_spec: Spec): boolean {
    return false;
  }

  supportsMountOption(): boolean {
    return false;
  }

  /** Throws GitRepoValidationError for flag-like or escaping values. */
  newMounter(spec: Spec, pod: Pod, _opts: VolumeOptions): Mounter {
    const src = spec.volume?.gitRepo;
    if (src === undefined) throw new Error('Spec does not reference a Git repo volume type');
    validateGitRepoSource(src);
    return new GitRepoMounter(this, specName(spec), pod, src);
  }

  newUnmounter(volumeName: string, podUID: string): Unmounter {
    return new GitRepoUnmounter(this, volumeName, podUID);
  }

  async constructVolumeSpec(volumeName: string, _mountPath: string): Promise<ReconstructedVolume> {
    return { spec: specFromVolume({ name: volumeName, gitRepo: { repository: '' } }) };
  }

  podVolumeDir(podUID: string, volName: string): string {
    return this.host.getPodVolumeDir(podUID, gitRepoPluginName, volName);
  }

  /** `pods/<uid>/plugins/kubernetes.io~git-repo/<volume>`: where the ready marker lives. */
  metaDir(podUID: string, volName: string): string {
    return join(this.host.getPodPluginDir(podUID, gitRepoPluginName), volName);
  }
}

export class GitRepoMounter implements Mounter {
  readonly #plugin: GitRepoPlugin;
  readonly #volName: string;
  readonly #pod: Pod;
  readonly #podUID: string;
  readonly #source: string;
  readonly #revision: string;
  readonly #target: string;

  constructor(plugin: GitRepoPlugin, volName: string, pod: Pod, src: GitRepoVolumeSource) {
    this.#plugin = plugin;
    this.#volName = volName;
    this.#pod = pod;
    this.#podUID = pod.metadata.uid ?? '';
    this.#source = src.repository ?? '';
    this.#revision = src.revision ?? '';
    this.#target = src.directory ?? '';
  }

  getPath(): string {
    return this.#plugin.podVolumeDir(this.#podUID, this.#volName);
  }

  getAttributes(): Attributes {
    return { readOnly: false, managed: true, seLinuxRelabel: true };
  }

  setUp(args: MounterArgs): Promise<void> {
    return this.setUpAt(this.getPath(), args);
  }

  async setUpAt(dir: string, args: MounterArgs): Promise<void> {
    const plugin = this.#plugin;
    const host = plugin.host;
    const metaDir = plugin.metaDir(this.#podUID, this.#volName);
    if (await isReady(metaDir)) return;
    if (plugin.options.enabled === false) throw new GitRepoDisabledError();

    host.getEventRecorder().event(this.#pod, 'Warning', GitRepoDeprecatedReason, gitRepoDeprecationMessage);

    // The emptyDir does the directory (and its ownership) first.
    await host.newWrapperMounter(this.#volName, '', this.#pod).setUpAt(dir, args);

    const cloneArgs = ['clone', '--', this.#source];
    if (this.#target !== '') cloneArgs.push(this.#target);
    await this.#git(cloneArgs, dir);

    const files = (await readdir(dir)).sort();
    if (this.#revision === '') {
      await setReady(metaDir);
      return;
    }

    let subdir: string;
    if (this.#target !== '' && normalize(this.#target).replace(/\/+$/, '') === '.') {
      subdir = dir;
    } else if (files.length === 1) {
      subdir = join(dir, files[0] ?? '');
    } else {
      throw new GitRepoSetupError(`unexpected directory contents: [${files.join(' ')}]`, {});
    }

    await this.#git(['checkout', this.#revision], subdir);
    await this.#git(['reset', '--hard'], subdir);

    await setVolumeOwnership(dir, args.fsGroup, undefined, false);
    await setReady(metaDir);
  }

  async #git(args: string[], cwd: string): Promise<void> {
    const opts = this.#plugin.options;
    const gitCommand = opts.gitCommand ?? 'git';
    const res = await execDriver(gitCommand, args, {
      timeoutMs: opts.timeoutMs ?? 0,
      killGraceMs: DEFAULT_KILL_GRACE_MS,
      clock: opts.clock ?? this.#plugin.host.getClock(),
      cwd,
    });
    const command = `git ${args.join(' ')}`;
    let why: string | undefined;
    if (res.spawnError !== undefined) {
      why =
        res.spawnError.code === 'ENOENT'
          ? `exec: ${JSON.stringify(gitCommand)}: executable file not found in $PATH`
          : res.spawnError.message;
    } else if (res.timedOut) {
      why = `timed out after ${opts.timeoutMs ?? 0}ms; git was killed`;
    } else if (res.signal !== null) {
      why = `signal: ${res.signal}`;
    } else if (res.exitCode !== 0) {
      why = `exit status ${res.exitCode ?? -1}`;
    }
    if (why === undefined) return;
    log.warn('git failed', { command, dir: cwd, output: res.output, error: why });
    throw new GitRepoSetupError(`failed to exec '${command}': ${res.output}: ${why}`, {
      command,
      output: res.output,
      exitCode: res.exitCode,
      cause: res.spawnError,
    });
  }
}

export class GitRepoUnmounter implements Unmounter {
  readonly #plugin: GitRepoPlugin;
  readonly #volName: string;
  readonly #podUID: string;

  constructor(plugin: GitRepoPlugin, volName: string, podUID: string) {
    this.#plugin = plugin;
    this.#volName = volName;
    this.#podUID = podUID;
  }

  getPath(): string {
    return this.#plugin.podVolumeDir(this.#podUID, this.#volName);
  }

  tearDown(): Promise<void> {
    return this.tearDownAt(this.getPath());
  }

  /** Deletes everything, through the emptyDir (upstream UnmountViaEmptyDir). */
  tearDownAt(dir: string): Promise<void> {
    return this.#plugin.host.newWrapperUnmounter(this.#volName, this.#podUID).tearDownAt(dir);
  }
}
