// Running a FlexVolume driver: exec `<driver> <command> <args...>`, collect its combined stdout and
// stderr (upstream uses CombinedOutput), parse the one JSON object it prints, and map every way this can
// go wrong (missing binary, not JSON, non-zero exit, Failure, timeout) to a typed error.
//
// Concurrency: calls are independent processes; several calls to one driver may run at once (upstream
// does the same). A timed-out driver is killed with its whole process group (SIGTERM, then SIGKILL after
// a grace period), so shell drivers do not leave children behind.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Clock, Timer } from '../../component/index.ts';
import { logger } from '../../component/index.ts';
import { MAX_OUTPUT_BYTES, StatusNotSupported, StatusSuccess } from './constants.ts';
import { DriverCallError, DriverTimeoutError, NotSupportedError } from './errors.ts';

const log = logger('flexvolume');

export interface ExecOptions {
  /** Kill the driver after this long; 0 or less means no timeout. */
  readonly timeoutMs: number;
  /** Time between SIGTERM and SIGKILL for a timed-out driver. */
  readonly killGraceMs: number;
  readonly clock: Clock;
  readonly maxOutputBytes?: number;
  /** Working directory of the process; default the current one. */
  readonly cwd?: string;
}

export interface ExecResult {
  /** stdout and stderr interleaved in arrival order, as UTF-8. */
  readonly output: string;
  readonly truncated: boolean;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started (ENOENT, EACCES, ...). */
  readonly spawnError: NodeJS.ErrnoException | undefined;
  readonly timedOut: boolean;
}

/** Runs file with args in its own process group; never rejects. Also used for git (gitRepo). */
export function execDriver(file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  const max = opts.maxOutputBytes ?? MAX_OUTPUT_BYTES;
  return new Promise<ExecResult>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let timedOut = false;
    let exited = false;
    let settled = false;
    let exitCode: number | null = null;
    let signal: NodeJS.Signals | null = null;
    let timer: Timer | undefined;
    let graceTimer: Timer | undefined;

    let child: ChildProcess;
    try {
      child = spawn(file, [...args], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: process.env,
        ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      });
    } catch (err) {
      // Invalid arguments (a NUL byte in a value) throw synchronously.
      const e = (err instanceof Error ? err : new Error(String(err))) as NodeJS.ErrnoException;
      resolve({ output: '', truncated: false, exitCode: null, signal: null, spawnError: e, timedOut: false });
      return;
    }

    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        try {
          child.kill(sig);
        } catch {
          // already gone
        }
      }
    };

    const finish = (spawnError?: NodeJS.ErrnoException): void => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      graceTimer?.cancel();
      if (timedOut) {
        // Anything the driver left in its group (a shell's `sleep`) goes with it.
        killGroup('SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
      resolve({
        output: Buffer.concat(chunks).toString('utf8'),
        truncated,
        exitCode,
        signal,
        spawnError,
        timedOut,
      });
    };

    const collect = (b: Buffer): void => {
      if (size >= max) {
        truncated = true;
        return;
      }
      const take = b.subarray(0, max - size);
      if (take.length < b.length) truncated = true;
      chunks.push(take);
      size += take.length;
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.stdout?.on('error', () => undefined);
    child.stderr?.on('error', () => undefined);

    child.on('error', (err: NodeJS.ErrnoException) => finish(err));
    child.on('exit', (code, sig) => {
      exited = true;
      exitCode = code;
      signal = sig;
      if (timedOut) finish();
    });
    child.on('close', () => finish());

    if (opts.timeoutMs > 0) {
      timer = opts.clock.setTimer(opts.timeoutMs, () => {
        if (settled) return;
        timedOut = true;
        if (exited) {
          // The driver is gone but something it started still holds its output open.
          finish();
          return;
        }
        killGroup('SIGTERM');
        graceTimer = opts.clock.setTimer(opts.killGraceMs, () => killGroup('SIGKILL'));
      });
    }
  });
}

export interface DriverCapabilities {
  readonly attach: boolean;
  readonly selinuxRelabel: boolean;
  readonly supportsMetrics: boolean;
  readonly fsGroup: boolean;
  readonly requiresFSResize: boolean;
}

/** Upstream's defaults: a driver that says nothing about a capability has it (except metrics). */
export function defaultCapabilities(): DriverCapabilities {
  return {
    attach: true,
    selinuxRelabel: true,
    supportsMetrics: false,
    fsGroup: true,
    requiresFSResize: true,
  };
}

/** The reply of a driver call (upstream DriverStatus). */
export interface DriverStatus {
  readonly status: string;
  readonly message: string;
  /** attach, waitforattach */
  readonly device: string;
  /** getvolumename */
  readonly volumeName: string;
  /** isattached */
  readonly attached: boolean;
  /** init */
  readonly capabilities: DriverCapabilities;
  /** expandvolume */
  readonly volumeNewSize: number;
}

type FieldKind = 'string' | 'bool' | 'int64';
const statusFields: Record<string, [keyof DriverStatus, FieldKind]> = {
  status: ['status', 'string'],
  message: ['message', 'string'],
  device: ['device', 'string'],
  volumename: ['volumeName', 'string'],
  attached: ['attached', 'bool'],
  volumenewsize: ['volumeNewSize', 'int64'],
};
const capabilityFields: Record<string, keyof DriverCapabilities> = {
  attach: 'attach',
  selinuxrelabel: 'selinuxRelabel',
  supportsmetrics: 'supportsMetrics',
  fsgroup: 'fsGroup',
  requiresfsresize: 'requiresFSResize',
};

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function checkKind(v: unknown, kind: FieldKind, field: string): unknown {
  const ok =
    (kind === 'string' && typeof v === 'string') ||
    (kind === 'bool' && typeof v === 'boolean') ||
    (kind === 'int64' && typeof v === 'number' && Number.isInteger(v));
  if (!ok) {
    throw new Error(
      `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${field} of type ${kind === 'bool' ? 'bool' : kind}`,
    );
  }
  return v;
}

/**
 * Decodes a reply as Go's encoding/json would into upstream's DriverStatus: one JSON value, an object,
 * field names matched case-insensitively, unknown fields ignored, null leaves the default, a value of
 * the wrong type is an error. Capabilities start from the defaults and the reply overrides them.
 */
export function decodeDriverStatus(output: string): DriverStatus {
  const value: unknown = JSON.parse(output);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(
      `json: cannot unmarshal ${jsonKind(value)} into Go value of type flexvolume.DriverStatus`,
    );
  }
  const out: Record<string, unknown> = {
    status: '',
    message: '',
    device: '',
    volumeName: '',
    attached: false,
    volumeNewSize: 0,
  };
  const caps: Record<string, boolean> = { ...defaultCapabilities() };
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const lower = key.toLowerCase();
    if (v === null) continue;
    const field = statusFields[lower];
    if (field !== undefined) {
      out[field[0]] = checkKind(v, field[1], `DriverStatus.${key}`);
      continue;
    }
    if (lower === 'capabilities') {
      if (typeof v !== 'object' || Array.isArray(v)) {
        throw new Error(
          `json: cannot unmarshal ${jsonKind(v)} into Go struct field DriverStatus.Capabilities of type flexvolume.DriverCapabilities`,
        );
      }
      for (const [ck, cv] of Object.entries(v as Record<string, unknown>)) {
        const cf = capabilityFields[ck.toLowerCase()];
        if (cf === undefined || cv === null) continue;
        caps[cf] = checkKind(cv, 'bool', `DriverStatus.Capabilities.${ck}`) as boolean;
      }
    }
  }
  return {
    ...(out as unknown as Omit<DriverStatus, 'capabilities'>),
    capabilities: caps as unknown as DriverCapabilities,
  };
}

/** What a driver call needs from its plugin. */
export interface DriverContext {
  readonly driverName: string;
  readonly execPath: string;
  isUnsupported(command: string): boolean;
  markUnsupported(command: string): void;
  execOptions(timeoutMs?: number): ExecOptions;
}

const MAX_MESSAGE_OUTPUT = 2000;

function quoteOutput(output: string): string {
  const s = output.length > MAX_MESSAGE_OUTPUT ? `${output.slice(0, MAX_MESSAGE_OUTPUT)}...` : output;
  return JSON.stringify(s);
}

function describeExit(res: ExecResult): string {
  if (res.signal !== null) return `signal: ${res.signal}`;
  return `exit status ${res.exitCode ?? -1}`;
}

function describeSpawnError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
      return 'permission denied';
    case 'ENOEXEC':
      return 'exec format error';
    default:
      return err.message;
  }
}

/**
 * Interprets a reply (upstream handleCmdResponse): not Success is an error, Not supported a
 * NotSupportedError (and the command is remembered as unsupported).
 */
function handleResponse(ctx: DriverContext, command: string, res: ExecResult): DriverStatus {
  let status: DriverStatus;
  try {
    status = decodeDriverStatus(res.output);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const failed = res.exitCode !== 0;
    throw new DriverCallError(
      failed
        ? `flexvolume driver ${JSON.stringify(ctx.driverName)}: ${command} failed: ${describeExit(res)}, output: ${quoteOutput(res.output)} (not a JSON reply: ${why})`
        : `flexvolume driver ${JSON.stringify(ctx.driverName)}: failed to unmarshal output for command: ${command}, output: ${quoteOutput(res.output)}, error: ${why}`,
      {
        driver: ctx.driverName,
        command,
        reason: 'InvalidOutput',
        output: res.output,
        exitCode: res.exitCode,
        cause: err,
      },
    );
  }
  if (status.status === StatusNotSupported) {
    ctx.markUnsupported(command);
    log.v(5, `${command} command is not supported by the driver`, { driver: ctx.driverName });
    throw new NotSupportedError(ctx.driverName, command);
  }
  if (status.status !== StatusSuccess) {
    throw new DriverCallError(
      `${command} command failed, status: ${status.status}, reason: ${status.message}`,
      {
        driver: ctx.driverName,
        command,
        reason: 'Failure',
        output: res.output,
        exitCode: res.exitCode,
        status: status.status,
        driverMessage: status.message,
      },
    );
  }
  return status;
}

/**
 * Runs one driver call (upstream DriverCall.Run). Throws NotSupportedError, DriverCallError or
 * DriverTimeoutError; never anything else.
 */
export async function runDriverCall(
  ctx: DriverContext,
  command: string,
  args: readonly string[],
  timeoutMs?: number,
): Promise<DriverStatus> {
  if (ctx.isUnsupported(command)) throw new NotSupportedError(ctx.driverName, command);
  const opts = ctx.execOptions(timeoutMs);
  log.v(4, 'FlexVolume: driver call', { driver: ctx.driverName, executable: ctx.execPath, command });
  const res = await execDriver(ctx.execPath, [command, ...args], opts);
  if (res.timedOut) {
    log.warn('FlexVolume: driver call timed out', {
      driver: ctx.driverName,
      command,
      timeoutMs: opts.timeoutMs,
    });
    throw new DriverTimeoutError(ctx.driverName, command, opts.timeoutMs);
  }
  if (res.spawnError !== undefined) {
    throw new DriverCallError(
      `flexvolume driver ${JSON.stringify(ctx.driverName)}: ${command}: exec ${ctx.execPath}: ${describeSpawnError(res.spawnError)}`,
      { driver: ctx.driverName, command, reason: 'ExecFailed', cause: res.spawnError },
    );
  }
  if (res.exitCode !== 0) {
    let status: DriverStatus;
    try {
      status = handleResponse(ctx, command, res);
    } catch (err) {
      if (!(err instanceof NotSupportedError)) {
        log.warn('FlexVolume: driver call failed', {
          executable: ctx.execPath,
          command,
          error: describeExit(res),
          output: res.output,
        });
      }
      throw err;
    }
    log.warn(
      `FlexVolume: driver bug: ${ctx.execPath}: exec error (${describeExit(res)}) but no error in response.`,
    );
    throw new DriverCallError(
      `flexvolume driver ${JSON.stringify(ctx.driverName)}: driver bug: ${command}: exec error (${describeExit(res)}) but no error in response (status ${JSON.stringify(status.status)})`,
      { driver: ctx.driverName, command, reason: 'DriverBug', output: res.output, exitCode: res.exitCode },
    );
  }
  return handleResponse(ctx, command, res);
}
