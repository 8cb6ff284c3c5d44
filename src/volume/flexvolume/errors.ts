// Typed errors of FlexVolume driver calls. The volume manager shows err.message in FailedMount /
// FailedAttachVolume events, so every message names the driver, the command and what went wrong; code
// branches on the predicates, never on the text.
import { UncertainProgressError } from '../volume.ts';
import { StatusNotSupported } from './constants.ts';

/**
 * The driver answered `"status": "Not supported"` (or did so earlier: the plugin remembers). Callers
 * fall back to the built-in default for the command. The message is upstream's.
 */
export class NotSupportedError extends Error {
  override readonly name = 'FlexVolumeNotSupportedError';
  readonly driver: string;
  readonly command: string;

  constructor(driver: string, command: string) {
    super(StatusNotSupported);
    this.driver = driver;
    this.command = command;
  }
}

export const isNotSupportedError = (e: unknown): e is NotSupportedError => e instanceof NotSupportedError;

/**
 * Why a call failed:
 * - `Failure`: the driver replied with a status other than Success (its message is in the error);
 * - `InvalidOutput`: the output is not one JSON object of the expected shape (also a missing reply);
 * - `ExecFailed`: the executable could not be run (missing, not executable, bad interpreter);
 * - `DriverBug`: the driver exited non-zero but replied Success.
 */
export type DriverCallFailure = 'Failure' | 'InvalidOutput' | 'ExecFailed' | 'DriverBug';

export class DriverCallError extends Error {
  override readonly name = 'FlexVolumeDriverCallError';
  readonly driver: string;
  readonly command: string;
  readonly reason: DriverCallFailure;
  /** Combined stdout and stderr as the driver printed them (truncated). */
  readonly output: string;
  /** Exit code, or null when the driver did not run or was killed by a signal. */
  readonly exitCode: number | null;
  /** The `status` and `message` of a parsed reply. */
  readonly status: string | undefined;
  readonly driverMessage: string | undefined;

  constructor(
    message: string,
    fields: {
      driver: string;
      command: string;
      reason: DriverCallFailure;
      output?: string;
      exitCode?: number | null;
      status?: string;
      driverMessage?: string;
      cause?: unknown;
    },
  ) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.driver = fields.driver;
    this.command = fields.command;
    this.reason = fields.reason;
    this.output = fields.output ?? '';
    this.exitCode = fields.exitCode ?? null;
    this.status = fields.status;
    this.driverMessage = fields.driverMessage;
  }
}

export const isDriverCallError = (e: unknown): e is DriverCallError => e instanceof DriverCallError;

/**
 * The call ran past its timeout and the driver was killed. Whatever it was doing may have happened
 * (a mount may exist), so this is an UncertainProgressError: the volume manager records the volume as
 * uncertain and tears it down even if the pod goes away.
 */
export class DriverTimeoutError extends UncertainProgressError {
  // name stays 'UncertainProgressError' (the base declares it as a literal type).
  readonly driver: string;
  readonly command: string;
  readonly timeoutMs: number;

  constructor(driver: string, command: string, timeoutMs: number) {
    super(
      `flexvolume driver ${JSON.stringify(driver)}: ${command} timed out after ${formatDuration(timeoutMs)}; the driver was killed`,
    );
    this.driver = driver;
    this.command = command;
    this.timeoutMs = timeoutMs;
  }
}

export const isDriverTimeoutError = (e: unknown): e is DriverTimeoutError => e instanceof DriverTimeoutError;

/** Flex volume spec problems (not a flex volume, secret of the wrong type, ...). */
export class FlexVolumeSpecError extends Error {
  override readonly name = 'FlexVolumeSpecError';
}

export const isFlexVolumeSpecError = (e: unknown): e is FlexVolumeSpecError =>
  e instanceof FlexVolumeSpecError;

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
