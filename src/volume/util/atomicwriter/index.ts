// AtomicWriter (upstream pkg/volume/util/atomic_writer.go): projects a set of files into a volume
// directory so that readers see either the whole old set or the whole new set. The files live in a
// hidden timestamped directory `..2006_01_02_15_04_05.<random>`; `..data` is a symlink to it, swapped
// by renaming a fresh `..data_tmp` symlink over it (rename(2) is atomic); the user-visible entries are
// symlinks of the first path element, `key -> ..data/key`, `conf -> ..data/conf`.
//
// Paths starting with `..` are reserved for the writer. Not safe for concurrent use on one directory:
// the caller serialises writes per volume (the operation executor runs one operation per volume).
import { randomInt } from 'node:crypto';
import type { Stats } from 'node:fs';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { posix } from 'node:path';
import { type Clock, logger, realClock } from '../../../component/index.ts';

const log = logger('atomic_writer.go');

export const maxFileNameLength = 255;
export const maxPathLength = 4096;
export const dataDirName = '..data';
export const newDataDirName = '..data_tmp';

/** One file to project: its bytes, its mode, and optionally its owner. */
export interface FileProjection {
  data: Buffer;
  mode: number;
  fsUser?: number;
}

export interface AtomicWriterOptions {
  /** Names the timestamped directories. */
  readonly clock?: Clock;
}

/** A payload path the writer refuses; the message is upstream's. */
export class InvalidPathError extends Error {
  override readonly name = 'InvalidPathError';
  readonly path: string;
  constructor(message: string, path: string) {
    super(message);
    this.path = path;
  }
}

export function isInvalidPathError(err: unknown): err is InvalidPathError {
  return err instanceof InvalidPathError;
}

/**
 * Throws InvalidPathError unless `targetPath` is a usable payload path: not empty, relative, at most
 * 4096 characters, no `..` element, no element over 255 characters, and a first element that does not
 * start with `..` (reserved for the writer's own entries).
 */
export function validatePath(targetPath: string): void {
  if (targetPath === '') throw new InvalidPathError('invalid path: must not be empty: ""', targetPath);
  if (targetPath.startsWith('/')) {
    throw new InvalidPathError(`invalid path: must be relative path: ${targetPath}`, targetPath);
  }
  // Go's len() counts bytes.
  if (Buffer.byteLength(targetPath) > maxPathLength) {
    throw new InvalidPathError(
      `invalid path: must be less than or equal to ${maxPathLength} characters`,
      targetPath,
    );
  }
  const items = targetPath.split('/');
  for (const item of items) {
    if (item === '..')
      throw new InvalidPathError(`invalid path: must not contain '..': ${targetPath}`, targetPath);
    if (Buffer.byteLength(item) > maxFileNameLength) {
      throw new InvalidPathError(
        `invalid path: filenames must be less than or equal to ${maxFileNameLength} characters`,
        targetPath,
      );
    }
  }
  const first = items[0] ?? '';
  if (first.startsWith('..') && first.length > 2) {
    throw new InvalidPathError(`invalid path: must not start with '..': ${targetPath}`, targetPath);
  }
}

/** Go's filepath.Clean for the relative paths validatePath lets through. */
function cleanPath(p: string): string {
  const c = posix.normalize(p);
  return c.length > 1 && c.endsWith('/') ? c.slice(0, -1) : c;
}

/** Go's time.Format("2006_01_02_15_04_05") in UTC. */
function timestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return (
    `${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_` +
    `${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}`
  );
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === code;
}

export class AtomicWriter {
  readonly #targetDir: string;
  readonly #logContext: string;
  readonly #clock: Clock;

  constructor(targetDir: string, logContext: string, options: AtomicWriterOptions = {}) {
    this.#targetDir = targetDir;
    this.#logContext = logContext;
    this.#clock = options.clock ?? realClock;
  }

  get targetDir(): string {
    return this.#targetDir;
  }

  /**
   * Projects `payload` (relative path → file) into the target directory, which must exist:
   *  1. validate every path (InvalidPathError, nothing touched);
   *  2. read `..data` to find the current timestamped dir;
   *  3. walk it to find paths no longer in the payload;
   *  4. compare the payload with it (bytes, mode, owner); if nothing differs and nothing is to be
   *     removed, only the user-visible symlinks are checked (a deleted one is put back);
   *  5. otherwise write every file into a new timestamped dir, 6. call `setPerms(dirName)`,
   *  7. symlink `..data_tmp` to it and rename it over `..data` (the atomic switch);
   *  8. create missing user-visible symlinks, 9. remove the ones of dropped paths,
   *  10. remove the old timestamped dir.
   * A crash at any point leaves either the old or the new version visible; the next write repairs.
   *
   * Mode comparison goes beyond upstream (which compares bytes only): a file whose mode differs is
   * rewritten. When `setPerms` is given, group and owner bits it may have added are tolerated.
   */
  async write(
    payload: Record<string, FileProjection>,
    setPerms?: (dataDirName: string) => Promise<void>,
  ): Promise<void> {
    await stat(this.#targetDir); // upstream NewAtomicWriter: the target dir must exist
    // (1)
    let clean: Map<string, FileProjection>;
    try {
      clean = validatePayload(payload);
    } catch (err) {
      log.error(`${this.#logContext}: invalid payload`, err);
      throw err;
    }

    // (2)
    const dataDirPath = posix.join(this.#targetDir, dataDirName);
    let oldTsDir = '';
    try {
      oldTsDir = await readlink(dataDirPath);
    } catch (err) {
      if (!isCode(err, 'ENOENT')) {
        log.error(`${this.#logContext}: error reading link for data directory`, err);
        throw err;
      }
    }
    const oldTsPath = posix.join(this.#targetDir, oldTsDir);

    let pathsToRemove = new Set<string>();
    let shouldWrite = true;
    if (oldTsDir !== '') {
      // (3)
      pathsToRemove = await this.#pathsToRemove(clean, oldTsPath);
      // (4)
      if (!(await shouldWritePayload(clean, oldTsPath, setPerms !== undefined)) && pathsToRemove.size === 0) {
        log.v(4, `${this.#logContext}: write not required for data directory ${oldTsDir}`);
        // Up to date, but the user-visible symlinks are still checked (upstream issue 121472); the
        // current dir must not be removed.
        shouldWrite = false;
        oldTsDir = '';
      } else {
        log.v(4, `${this.#logContext}: write required for target directory ${this.#targetDir}`);
      }
    }

    if (shouldWrite) {
      // (5)
      const tsDir = await this.#newTimestampDir();
      const tsDirName = posix.basename(tsDir);
      try {
        await this.#writePayloadToDir(clean, tsDir);
        // (6)
        if (setPerms !== undefined) await setPerms(tsDirName);
      } catch (err) {
        // Upstream leaves the half-written dir behind; it is never referenced, so remove it.
        await rm(tsDir, { recursive: true, force: true });
        log.error(`${this.#logContext}: error writing payload to ts data directory ${tsDir}`, err);
        throw err;
      }
      // (7)
      const newDataDirPath = posix.join(this.#targetDir, newDataDirName);
      try {
        await symlink(tsDirName, newDataDirPath);
      } catch (err) {
        if (isCode(err, 'EEXIST')) {
          // A leftover from a crash between symlink and rename: replace it.
          await unlink(newDataDirPath);
          await symlink(tsDirName, newDataDirPath);
        } else {
          await rm(tsDir, { recursive: true, force: true });
          log.error(`${this.#logContext}: error creating symbolic link for atomic update`, err);
          throw err;
        }
      }
      try {
        await rename(newDataDirPath, dataDirPath);
      } catch (err) {
        await unlink(newDataDirPath).catch(() => undefined);
        await rm(tsDir, { recursive: true, force: true });
        log.error(
          `${this.#logContext}: error renaming symbolic link for data directory ${newDataDirPath}`,
          err,
        );
        throw err;
      }
    }

    // (8)
    try {
      await this.#createUserVisibleFiles(clean);
    } catch (err) {
      log.error(`${this.#logContext}: error creating visible symlinks in ${this.#targetDir}`, err);
      throw err;
    }
    // (9)
    try {
      await this.#removeUserVisiblePaths(pathsToRemove);
    } catch (err) {
      log.error(`${this.#logContext}: error removing old visible symlinks`, err);
      throw err;
    }
    // (10)
    if (oldTsDir !== '') {
      try {
        await rm(oldTsPath, { recursive: true, force: true });
      } catch (err) {
        log.error(`${this.#logContext}: error removing old data directory ${oldTsDir}`, err);
        throw err;
      }
    }
  }

  /** Every path in the old timestamped dir (files and dirs) that the new payload does not cover. */
  async #pathsToRemove(payload: Map<string, FileProjection>, oldTsDir: string): Promise<Set<string>> {
    const paths = new Set<string>();
    const walk = async (dir: string, rel: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true });
      for (const e of entries) {
        const r = rel === '' ? e.name : `${rel}/${e.name}`;
        paths.add(r);
        if (e.isDirectory()) await walk(posix.join(dir, e.name), r);
      }
    };
    try {
      await walk(oldTsDir, '');
    } catch (err) {
      if (isCode(err, 'ENOENT')) return new Set();
      log.error(`${this.#logContext}: error determining user-visible files to remove`, err);
      throw err;
    }
    const newPaths = new Set<string>();
    for (const file of payload.keys()) {
      // every parent too, so non-empty dirs are not removed
      for (let sub = file; sub !== '' && sub !== '.'; sub = posix.dirname(sub)) newPaths.add(sub);
    }
    for (const p of newPaths) paths.delete(p);
    return paths;
  }

  /** os.MkdirTemp(targetDir, "..<UTC timestamp>.") then chmod 0755 whatever the umask. */
  async #newTimestampDir(): Promise<string> {
    const prefix = `..${timestamp(this.#clock.now())}.`;
    for (let attempt = 0; ; attempt++) {
      const dir = posix.join(this.#targetDir, `${prefix}${randomInt(0, 2 ** 32 - 1)}`);
      try {
        await mkdir(dir, { mode: 0o700 });
      } catch (err) {
        if (isCode(err, 'EEXIST') && attempt < 10000) continue;
        log.error(`${this.#logContext}: unable to create new temp directory`, err);
        throw err;
      }
      await chmod(dir, 0o755);
      return dir;
    }
  }

  async #writePayloadToDir(payload: Map<string, FileProjection>, dir: string): Promise<void> {
    for (const [userVisiblePath, fp] of payload) {
      const fullPath = posix.join(dir, userVisiblePath);
      await mkdir(posix.dirname(fullPath), { recursive: true, mode: 0o777 });
      await writeFile(fullPath, fp.data, { mode: fp.mode });
      // writeFile's mode goes through the umask; the projected mode must not.
      await chmod(fullPath, fp.mode);
      if (fp.fsUser !== undefined) await chown(fullPath, fp.fsUser, -1);
    }
  }

  /** `<first element> -> ..data/<first element>` for every payload path, where missing. */
  async #createUserVisibleFiles(payload: Map<string, FileProjection>): Promise<void> {
    for (const userVisiblePath of payload.keys()) {
      const slash = userVisiblePath.indexOf('/');
      const linkname = slash < 0 ? userVisiblePath : userVisiblePath.slice(0, slash);
      const visibleFile = posix.join(this.#targetDir, linkname);
      try {
        await readlink(visibleFile);
      } catch (err) {
        if (!isCode(err, 'ENOENT')) continue; // something else is there: left alone, as upstream
        await symlink(posix.join(dataDirName, linkname), visibleFile);
      }
    }
  }

  /** Removes the user-visible symlinks of dropped top-level paths (nested ones went with ..data). */
  async #removeUserVisiblePaths(paths: Set<string>): Promise<void> {
    let lastErr: unknown;
    for (const p of paths) {
      if (p.includes('/')) continue;
      try {
        await unlink(posix.join(this.#targetDir, p));
      } catch (err) {
        // Already gone (someone removed it): nothing to do. Upstream fails the write here and then
        // never removes the old dir; tolerating it keeps the volume clean.
        if (isCode(err, 'ENOENT')) continue;
        log.error(`${this.#logContext}: error pruning old user-visible path ${p}`, err);
        lastErr = err;
      }
    }
    if (lastErr !== undefined) throw lastErr;
  }
}

/** Validates every path; returns the payload keyed by cleaned path. */
function validatePayload(payload: Record<string, FileProjection>): Map<string, FileProjection> {
  const clean = new Map<string, FileProjection>();
  for (const [k, content] of Object.entries(payload)) {
    validatePath(k);
    clean.set(cleanPath(k), content);
  }
  return clean;
}

async function shouldWritePayload(
  payload: Map<string, FileProjection>,
  oldTsDir: string,
  tolerateAddedBits: boolean,
): Promise<boolean> {
  for (const [p, fp] of payload) {
    if (await shouldWriteFile(posix.join(oldTsDir, p), fp, tolerateAddedBits)) return true;
  }
  return false;
}

async function shouldWriteFile(
  path: string,
  fp: FileProjection,
  tolerateAddedBits: boolean,
): Promise<boolean> {
  let st: Stats;
  try {
    await lstat(path);
    st = await stat(path);
  } catch (err) {
    if (isCode(err, 'ENOENT')) return true;
    throw err;
  }
  if (!st.isFile()) return true;
  if (!modeMatches(st.mode & 0o7777, fp.mode & 0o7777, tolerateAddedBits)) return true;
  if (fp.fsUser !== undefined && st.uid !== fp.fsUser) return true;
  const onDisk = await readFile(path);
  return !onDisk.equals(fp.data);
}

/**
 * Same mode, or (when a setPerms hook may have run, e.g. fsGroup ownership adding 0440/0660) every
 * wanted bit present and the extras limited to owner and group permission bits.
 */
function modeMatches(onDisk: number, wanted: number, tolerateAddedBits: boolean): boolean {
  if (onDisk === wanted) return true;
  if (!tolerateAddedBits) return false;
  return (onDisk & wanted) === wanted && (onDisk & ~wanted & ~0o770) === 0;
}
