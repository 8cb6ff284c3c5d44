// End-to-end harness: starts `kvol up` as a real process on a random port with its own data dir, and
// runs the real kubectl against it with its own kubeconfig and --cache-dir. Everything it starts is
// stopped and removed in `stop()`, which tests call from an `after` hook.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseMountInfo } from '../../src/volume/util/mount/index.ts';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
const kvolBin = join(repoRoot, 'bin', 'kvol.js');

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Kvol {
  readonly dataDir: string;
  readonly cacheDir: string;
  #proc: ChildProcess | undefined;
  #url = '';
  #log = '';
  readonly #ownsDir: boolean;

  constructor(dataDir?: string) {
    this.#ownsDir = dataDir === undefined;
    this.dataDir = dataDir ?? mkdtempSync(join(tmpdir(), 'kvol-e2e-'));
    this.cacheDir = join(this.dataDir, 'kubectl-cache');
  }

  get url(): string {
    return this.#url;
  }

  get kubeconfig(): string {
    return join(this.dataDir, 'kubeconfig');
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  /** Output of the kvol process so far (for failure messages). */
  get output(): string {
    return this.#log;
  }

  /** Starts `kvol up --port 0` and resolves once it prints its URL. */
  async start(extraArgs: string[] = []): Promise<void> {
    this.#log = '';
    const proc = spawn(
      process.execPath,
      [kvolBin, 'up', '--data-dir', this.dataDir, '--port', '0', ...extraArgs],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env },
      },
    );
    this.#proc = proc;
    this.#url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`kvol did not start in 60s:\n${this.#log}`)), 60_000);
      const onData = (b: Buffer): void => {
        this.#log += b.toString();
        const m = /API server at (https:\/\/\S+)/.exec(this.#log);
        if (m !== null) {
          clearTimeout(timer);
          resolveUrl(m[1]!);
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', (b: Buffer) => {
        this.#log += b.toString();
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`kvol exited with ${code} before starting:\n${this.#log}`));
      });
    });
  }

  /** Kills the process with SIGKILL (no cleanup inside it), waiting for it to be gone. */
  async kill9(): Promise<void> {
    const p = this.#proc;
    this.#proc = undefined;
    if (p === undefined || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGKILL');
    });
  }

  /** Stops with SIGINT as Ctrl-C would, and returns the exit code. */
  async interrupt(): Promise<number | null> {
    const p = this.#proc;
    this.#proc = undefined;
    if (p === undefined || p.exitCode !== null) return p?.exitCode ?? null;
    return new Promise<number | null>((r) => {
      const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
      p.once('exit', (code) => {
        clearTimeout(t);
        r(code);
      });
      p.kill('SIGINT');
    });
  }

  async stop(): Promise<void> {
    await this.interrupt();
    // kvol keeps pods' volumes mounted across its own restarts, as the kubelet does; the test's data
    // dir goes away, so whatever is still mounted under it is unmounted first.
    unmountUnder(this.dataDir);
    if (this.#ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The admin token from the kubeconfig. */
  token(): string {
    const m = /token: (\S+)/.exec(readFileSync(this.kubeconfig, 'utf8'));
    return m?.[1] ?? '';
  }

  caPem(): string {
    const m = /certificate-authority-data: (\S+)/.exec(readFileSync(this.kubeconfig, 'utf8'));
    return Buffer.from(m?.[1] ?? '', 'base64').toString();
  }

  /** Runs kubectl with this instance's kubeconfig and cache dir. */
  kubectl(
    args: string[],
    opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<KubectlResult> {
    return new Promise((resolveRun, reject) => {
      const p = spawn('kubectl', ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, HOME: this.dataDir, ...opts.env },
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
      });
      p.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      p.on('error', reject);
      p.on('close', (code) => {
        clearTimeout(t);
        resolveRun({ code: code ?? -1, stdout, stderr });
      });
      p.stdin.end(opts.input ?? '');
    });
  }

  /** Runs kubectl and fails with its output when it does not exit 0. */
  async ok(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
    const r = await this.kubectl(args, opts);
    if (r.code !== 0) {
      throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    return r.stdout;
  }

  /** Starts a long-running kubectl (for `get -w`), returning a handle to read and stop it. */
  spawnKubectl(args: string[]): { proc: ChildProcess; output: () => string; stop: () => Promise<void> } {
    const p = spawn('kubectl', ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: this.dataDir },
    });
    let out = '';
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    p.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    return {
      proc: p,
      output: () => out,
      stop: () =>
        new Promise<void>((r) => {
          if (p.exitCode !== null) return r();
          p.once('close', () => r());
          p.kill('SIGKILL');
        }),
    };
  }
}

/** One mount as the e2e tests look at it (from /proc/self/mountinfo, escapes decoded). */
export interface MountEntry {
  path: string;
  /** The mount's root within its filesystem (bind mounts of subdirectories show it). */
  root: string;
  /** Mount source (device, `tmpfs`, ...). */
  source: string;
  type: string;
  /** Per-mount and superblock options, comma-separated. */
  options: string;
}

/** The mounts at or below `dir`, in mount order. */
export function mountsUnder(dir: string): MountEntry[] {
  return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .filter((m) => m.path === dir || m.path.startsWith(`${dir}/`))
    .map((m) => ({ path: m.path, root: m.root, source: m.device, type: m.type, options: m.opts.join(',') }));
}

export function isMountPoint(path: string): boolean {
  return mountsUnder(path).some((m) => m.path === path);
}

/** Unmounts every mount point below `root`, deepest first. */
export function unmountUnder(root: string): void {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const points = mountsUnder(root)
    .map((m) => m.path)
    .filter((p) => p.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
  for (const p of points) spawnSync('umount', ['-l', p]);
}

/** Polls `check` until it returns true (for processes outside our control), failing after timeoutMs. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
