// FakeMounter: the MountInterface in memory, for unit tests of plugins and the volume manager. It keeps
// a mount table with the real mounter's semantics (mounts stack on a target, unmounting a path that is
// not mounted fails with EINVAL "not mounted", a missing target fails with ENOENT), records every call,
// and lets a test inject an error per operation and target.
//
// Paths are checked on the real filesystem by default (the tests create their directories in a temp
// root, as upstream plugin tests do); pass `checkPaths: false` for purely symbolic paths.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MountError, mountMessage, umountMessage } from './errors.ts';
import { parseMountOptions, splitOptions } from './options.ts';
import type { MountInterface, MountOptions, MountPoint } from './types.ts';

export type FakeMountOp = 'mount' | 'unmount' | 'list' | 'isLikelyNotMountPoint';

/** One recorded call. Sensitive options are recorded as `<masked>`. */
export interface FakeMountCall {
  readonly op: FakeMountOp;
  /** The target (or the path asked about); empty for list. */
  readonly target: string;
  readonly source?: string;
  readonly fstype?: string;
  readonly options?: readonly string[];
}

export interface FakeMounterOptions {
  /** Check targets (and bind sources) exist on the real filesystem, like mount(2) does. Default true. */
  readonly checkPaths?: boolean;
  /** Initial mount table. */
  readonly mountPoints?: readonly MountPoint[];
}

interface InjectedError {
  error: Error;
  /** Remaining failures; Infinity until cleared. */
  times: number;
}

const ENOENT = 2;
const EINVAL = 22;

export class FakeMounter implements MountInterface {
  /** The mount table, in mount order (a later entry on the same path is on top). */
  mountPoints: MountPoint[];
  readonly calls: FakeMountCall[] = [];
  readonly #checkPaths: boolean;
  readonly #errors = new Map<string, InjectedError>();
  #nextId = 1000;

  constructor(options: FakeMounterOptions = {}) {
    this.#checkPaths = options.checkPaths ?? true;
    this.mountPoints = [...(options.mountPoints ?? [])];
  }

  /**
   * Makes `op` on `target` (any target when omitted) fail with `error`, `times` times (default: until
   * cleared with clearErrors). The failing call is still recorded and changes nothing.
   */
  injectError(
    op: FakeMountOp,
    target: string | undefined,
    error: Error,
    times = Number.POSITIVE_INFINITY,
  ): void {
    this.#errors.set(errorKey(op, target === undefined ? undefined : resolve(target)), { error, times });
  }

  clearErrors(): void {
    this.#errors.clear();
  }

  /** Forgets the recorded calls. */
  resetLog(): void {
    this.calls.length = 0;
  }

  /** The recorded calls of one kind. */
  callsOf(op: FakeMountOp): FakeMountCall[] {
    return this.calls.filter((c) => c.op === op);
  }

  /** The topmost mount at `path`, if any. */
  mountAt(path: string): MountPoint | undefined {
    const p = resolve(path);
    return this.mountPoints.findLast((m) => m.path === p);
  }

  async mount(source: string, target: string, opts: MountOptions = {}): Promise<void> {
    const abs = resolve(target);
    const options = opts.options ?? [];
    const masked = (opts.sensitiveOptions ?? []).map(() => '<masked>');
    this.calls.push({
      op: 'mount',
      target: abs,
      source,
      fstype: opts.fstype ?? '',
      options: [...options, ...masked],
    });
    this.#maybeFail('mount', abs);
    const fstype = opts.fstype ?? '';
    const p = parseMountOptions([...options, ...(opts.sensitiveOptions ?? [])]);
    if (this.#checkPaths && !(await exists(abs))) {
      throw mountError(ENOENT, source, abs, fstype, false);
    }
    if (p.remount) {
      const i = this.mountPoints.findLastIndex((m) => m.path === abs);
      if (i < 0) throw mountError(EINVAL, source, abs, fstype, true);
      const old = this.mountPoints[i]!;
      this.mountPoints[i] = { ...old, opts: mergeRemountOpts(old.opts, options) };
      return;
    }
    let entry: MountPoint;
    if (p.bind) {
      const src = resolve(source);
      if (this.#checkPaths && !(await exists(src))) throw mountError(ENOENT, src, abs, '', true);
      // A bind mount shows the source's filesystem and device, like the kernel's table does.
      const under = this.#containingMount(src);
      const ro = (p.flags & 1) !== 0;
      entry = {
        device: under?.device ?? src,
        path: abs,
        type: under?.type ?? 'none',
        opts: [
          ro ? 'ro' : 'rw',
          ...splitOptions(options).filter((o) => !['bind', 'rbind', 'ro', 'rw'].includes(o)),
        ],
        root: under === undefined ? src : src.slice(under.path === '/' ? 0 : under.path.length) || '/',
        major: under?.major ?? 0,
        minor: under?.minor ?? 0,
        id: this.#nextId++,
        parentId: this.#containingMount(abs)?.id ?? 0,
      };
    } else {
      const ro = (p.flags & 1) !== 0;
      entry = {
        device: source,
        path: abs,
        type: fstype,
        opts: [ro ? 'ro' : 'rw', ...splitOptions(options).filter((o) => o !== 'ro' && o !== 'rw')],
        root: '/',
        major: 0,
        minor: this.#nextId,
        id: this.#nextId++,
        parentId: this.#containingMount(abs)?.id ?? 0,
      };
    }
    this.mountPoints.push(entry);
  }

  async unmount(target: string): Promise<void> {
    const abs = resolve(target);
    this.calls.push({ op: 'unmount', target: abs });
    this.#maybeFail('unmount', abs);
    const i = this.mountPoints.findLastIndex((m) => m.path === abs);
    if (i < 0) {
      const missing = this.#checkPaths && !(await exists(abs));
      const errno = missing ? ENOENT : EINVAL;
      throw new MountError(umountMessage(errno, abs), {
        code: missing ? 'ENOENT' : 'EINVAL',
        errno: -errno,
        syscall: 'umount2',
        path: abs,
      });
    }
    this.mountPoints.splice(i, 1);
  }

  async list(): Promise<MountPoint[]> {
    this.calls.push({ op: 'list', target: '' });
    this.#maybeFail('list', '');
    return this.mountPoints.map((m) => ({ ...m }));
  }

  async isLikelyNotMountPoint(path: string): Promise<boolean> {
    const abs = resolve(path);
    this.calls.push({ op: 'isLikelyNotMountPoint', target: abs });
    this.#maybeFail('isLikelyNotMountPoint', abs);
    if (this.#checkPaths) await stat(abs); // throws ENOENT like the real one
    return !this.mountPoints.some((m) => m.path === abs);
  }

  /** The type of the topmost mount at `path` or of the mount containing it (`none` outside any). */
  async filesystemType(path: string): Promise<string> {
    const abs = resolve(path);
    if (this.#checkPaths) await stat(abs);
    return (this.mountAt(abs) ?? this.#containingMount(abs))?.type ?? 'none';
  }

  #maybeFail(op: FakeMountOp, target: string): void {
    for (const key of [errorKey(op, target), errorKey(op, undefined)]) {
      const inj = this.#errors.get(key);
      if (inj === undefined) continue;
      inj.times--;
      if (inj.times <= 0) this.#errors.delete(key);
      throw inj.error;
    }
  }

  /** The mount whose path is the longest prefix of `path`. */
  #containingMount(path: string): MountPoint | undefined {
    let best: MountPoint | undefined;
    for (const m of this.mountPoints) {
      const inside = m.path === '/' || path === m.path || path.startsWith(`${m.path}/`);
      if (inside && (best === undefined || m.path.length >= best.path.length)) best = m;
    }
    return best;
  }
}

function errorKey(op: FakeMountOp, target: string | undefined): string {
  return `${op}\0${target ?? '*'}`;
}

function mountError(
  errno: number,
  source: string,
  target: string,
  fstype: string,
  targetExists: boolean,
): MountError {
  return new MountError(mountMessage(errno, source, target, fstype, targetExists), {
    code: errno === ENOENT ? 'ENOENT' : 'EINVAL',
    errno: -errno,
    syscall: 'mount',
    path: target,
    source,
    fstype,
  });
}

function mergeRemountOpts(old: readonly string[], options: readonly string[]): string[] {
  const given = splitOptions(options).filter((o) => o !== 'remount' && o !== 'bind');
  const ro = given.includes('ro') ? 'ro' : given.includes('rw') ? 'rw' : (old[0] ?? 'rw');
  const rest = old.slice(1).filter((o) => !given.includes(o));
  return [ro, ...rest, ...given.filter((o) => o !== 'ro' && o !== 'rw')];
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
