// The bundled CSI driver as a child process of `kvol up`: `kvol csi-hostpath` on
// `<data-dir>/kubelet/plugins/hostpath.csi.kvol.io/csi.sock`, registering itself through
// `<data-dir>/kubelet/plugins_registry` like any third-party driver. It is restarted with backoff
// when it dies, stopped with SIGTERM, and exits by itself when kvol dies (stdin closes). Its log
// lines go to kvol's stderr. The CSIDriver object is created when missing (an existing one is left
// as the user made it).
// Concurrency: one child at a time; stop() is idempotent and waits for the child's exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type CSIDriver, isAlreadyExists, Resources } from '../api/index.ts';
import type { Client } from '../client/index.ts';
import { type Clock, logger, realClock, type Timer } from '../component/index.ts';
import { HostPathDriverName } from '../csi/index.ts';

const log = logger('kvol');

const kvolBin = resolve(import.meta.dirname, '../../bin/kvol.js');

/** The CSIDriver object kvol up keeps for the bundled driver. */
export function hostPathCSIDriver(name: string = HostPathDriverName): CSIDriver {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'kvol' } },
    spec: {
      attachRequired: false,
      podInfoOnMount: true,
      volumeLifecycleModes: ['Persistent', 'Ephemeral'],
      fsGroupPolicy: 'File',
      storageCapacity: true,
      requiresRepublish: false,
    },
  };
}

/** Where kvol up runs the bundled driver, under its data dir. */
export function csiHostPathPaths(dataDir: string): {
  socket: string;
  stateDir: string;
  registrationDir: string;
} {
  const kubeletRoot = join(dataDir, 'kubelet');
  return {
    socket: join(kubeletRoot, 'plugins', HostPathDriverName, 'csi.sock'),
    stateDir: join(dataDir, 'csi-hostpath'),
    registrationDir: join(kubeletRoot, 'plugins_registry'),
  };
}

export interface CsiHostPathChildOptions {
  dataDir: string;
  /** Node ID of the driver: the Node's name. */
  nodeName: string;
  /** Creates the CSIDriver object when missing. */
  client: Client;
  /** First restart delay; doubles up to maxBackoffMs. Default 1 s. */
  initialBackoffMs?: number;
  /** Default 30 s. */
  maxBackoffMs?: number;
  /** A child that lived this long resets the backoff. Default 60 s. */
  stableAfterMs?: number;
  /** Time to wait for the child after SIGTERM before SIGKILL. Default 10 s. */
  stopTimeoutMs?: number;
  clock?: Clock;
  /** Command to run instead of this node + bin/kvol.js (tests). Receives the csi-hostpath arguments. */
  command?: (args: string[]) => { file: string; args: string[] };
}

export interface RunningCsiHostPathChild {
  /** The CSI endpoint of the driver. */
  readonly endpoint: string;
  /** The current child's pid, if one runs. */
  pid(): number | undefined;
  stop(): Promise<void>;
}

/** The node flags of this process that a child needs to load TypeScript the same way. */
function inheritedExecArgv(): string[] {
  return process.execArgv.filter((a) => !a.startsWith('--test') && !a.startsWith('--inspect'));
}

function verbosity(): number {
  let v = 0;
  while (v < 10 && log.enabled(v + 1)) v++;
  return v;
}

async function ensureCSIDriver(client: Client): Promise<void> {
  const obj = hostPathCSIDriver();
  try {
    await client.resource<CSIDriver>(Resources.csidrivers).create(obj);
    log.info('created the CSIDriver object of the bundled driver', { name: obj.metadata.name });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** Starts `kvol csi-hostpath` as a child of this process and keeps it running until stop(). */
export function startCsiHostPathChild(opts: CsiHostPathChildOptions): RunningCsiHostPathChild {
  const clock = opts.clock ?? realClock;
  const initialBackoff = opts.initialBackoffMs ?? 1000;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const stableAfter = opts.stableAfterMs ?? 60_000;
  const stopTimeout = opts.stopTimeoutMs ?? 10_000;
  const paths = csiHostPathPaths(opts.dataDir);
  const endpoint = `unix://${paths.socket}`;
  const cliArgs = [
    '-v',
    String(verbosity()),
    'csi-hostpath',
    '--endpoint',
    endpoint,
    '--node-id',
    opts.nodeName,
    '--state-dir',
    paths.stateDir,
    '--registration-dir',
    paths.registrationDir,
    '--exit-with-parent',
  ];
  const cmd = opts.command?.(cliArgs) ?? {
    file: process.execPath,
    args: [...inheritedExecArgv(), kvolBin, ...cliArgs],
  };

  let stopping = false;
  let child: ChildProcess | undefined;
  let childExited: Promise<void> = Promise.resolve();
  let restartTimer: Timer | undefined;
  let backoff = initialBackoff;

  const forward = (stream: NodeJS.ReadableStream | null): void => {
    if (stream === null) return;
    createInterface({ input: stream }).on('line', (line) => {
      process.stderr.write(`${line}\n`);
    });
  };

  const launch = (): void => {
    restartTimer = undefined;
    if (stopping) return;
    const started = clock.now();
    const c = spawn(cmd.file, cmd.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    child = c;
    forward(c.stdout);
    forward(c.stderr);
    // The pipe is our lifeline: the child stops when it closes. Errors on it (EPIPE) are expected.
    c.stdin?.on('error', () => {});
    childExited = new Promise<void>((res) => {
      c.on('error', (err) => {
        log.error('could not start the bundled CSI driver', err, { command: cmd.file });
      });
      c.on('close', (code, signal) => {
        if (child === c) child = undefined;
        res();
        if (stopping) return;
        if (clock.now() - started >= stableAfter) backoff = initialBackoff;
        log.warn('the bundled CSI driver exited; restarting it', {
          code,
          signal,
          restartInMs: backoff,
        });
        restartTimer = clock.setTimer(backoff, launch);
        backoff = Math.min(backoff * 2, maxBackoff);
      });
    });
    log.v(2, 'started the bundled CSI driver', { pid: c.pid, endpoint });
  };

  ensureCSIDriver(opts.client).catch((err: unknown) => {
    log.error('could not create the CSIDriver object of the bundled driver', err, {
      name: HostPathDriverName,
    });
  });
  launch();

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    pid: () => child?.pid,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        restartTimer?.cancel();
        const c = child;
        if (c === undefined || c.exitCode !== null || c.signalCode !== null) {
          await childExited;
          return;
        }
        c.kill('SIGTERM');
        const killer = clock.setTimer(stopTimeout, () => {
          log.warn('the bundled CSI driver did not stop in time; killing it', { pid: c.pid });
          c.kill('SIGKILL');
        });
        await childExited;
        killer.cancel();
      })();
      return stopped;
    },
  };
}
