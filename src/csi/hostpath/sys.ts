// The host operations the hostpath driver needs: bind mounts, loop devices, copies, usage. Each is
// idempotent where the driver relies on it (mount checks, detaching what is attached). losetup and cp
// run through execFile with argument arrays (no shell); mounts are syscalls.
// Concurrency: none of its own; callers hold the per-volume lock.
import { execFile } from 'node:child_process';
import { lstat, readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RealMounter } from '../../volume/util/mount/index.ts';

const execFileP = promisify(execFile);

/** A host command failed; `stderr` is its own message. */
export class HostCommandError extends Error {
  override readonly name = 'HostCommandError';
  readonly command: string;
  readonly stderr: string;
  constructor(command: string, stderr: string, options?: { cause?: unknown }) {
    super(`${command}: ${stderr.trim() || 'failed'}`, options);
    this.command = command;
    this.stderr = stderr;
  }
}

export function isHostCommandError(err: unknown): err is HostCommandError {
  return err instanceof HostCommandError;
}

async function run(cmd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileP(cmd, [...args], { maxBuffer: 4 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    throw new HostCommandError(`${cmd} ${args.join(' ')}`, e.stderr ?? e.message ?? String(err), {
      cause: err,
    });
  }
}

// mount(2)/umount2(2) in process (the kubelet's mount library), not mount(8): a publish is a
// syscall, not a process start.
const mounter = new RealMounter();

/** Mount points from /proc/self/mountinfo, in mount order. */
export async function mountPoints(): Promise<string[]> {
  return (await mounter.list()).map((m) => m.path);
}

export async function isMountPoint(path: string): Promise<boolean> {
  return (await mountPoints()).includes(path);
}

export async function bindMount(source: string, target: string, readonly: boolean): Promise<void> {
  await mounter.mount(source, target, { options: readonly ? ['bind', 'ro'] : ['bind'] });
}

/** Unmounts every mount stacked on `path`; no-op when nothing is mounted there. */
export async function unmountAll(path: string): Promise<void> {
  for (let i = 0; i < 16 && (await isMountPoint(path)); i++) {
    await mounter.unmount(path);
  }
}

/** Loop devices currently backed by `file`. */
export async function loopDevicesOf(file: string): Promise<string[]> {
  const out = await run('losetup', ['-j', file]);
  const devs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\/dev\/[^:]+):/.exec(line);
    if (m?.[1] !== undefined) devs.push(m[1]);
  }
  return devs;
}

/** The loop device of `file`, attaching one when there is none. */
export async function ensureLoopDevice(file: string): Promise<string> {
  const existing = await loopDevicesOf(file);
  if (existing[0] !== undefined) return existing[0];
  return (await run('losetup', ['-f', '--show', file])).trim();
}

export async function detachLoopDevices(file: string): Promise<void> {
  for (const dev of await loopDevicesOf(file)) await run('losetup', ['-d', dev]);
}

/** Makes attached loop devices see a grown backing file. */
export async function refreshLoopDevices(file: string): Promise<void> {
  for (const dev of await loopDevicesOf(file)) await run('losetup', ['-c', dev]);
}

/** Copies a directory's content or a file, keeping ownership, modes and holes. */
export async function copyTree(source: string, target: string, isDir: boolean): Promise<void> {
  if (isDir) await run('cp', ['-a', '--sparse=always', `${source}/.`, `${target}/`]);
  else await run('cp', ['-a', '--sparse=always', source, target]);
}

/** Bytes allocated under `path` (like du), not following symlinks. */
export async function diskUsage(path: string): Promise<{ bytes: number; inodes: number }> {
  let bytes = 0;
  let inodes = 0;
  const walk = async (p: string): Promise<void> => {
    const st = await lstat(p);
    bytes += st.blocks * 512;
    inodes++;
    if (!st.isDirectory()) return;
    for (const name of await readdir(p)) await walk(join(p, name));
  };
  await walk(path);
  return { bytes, inodes };
}

export interface FsStats {
  totalBytes: number;
  availableBytes: number;
  totalInodes: number;
  freeInodes: number;
}

export async function fsStats(path: string): Promise<FsStats> {
  const s = await statfs(path);
  return {
    totalBytes: s.blocks * s.bsize,
    availableBytes: s.bavail * s.bsize,
    totalInodes: s.files,
    freeInodes: s.ffree,
  };
}
