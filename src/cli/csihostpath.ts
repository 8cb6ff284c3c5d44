// `kvol csi-hostpath`: the bundled CSI driver hostpath.csi.kvol.io as its own process on a unix
// socket. With --registration-dir it also plays node-driver-registrar: it serves the kubelet plugin
// registration API on `<dir>/<driver>-reg.sock`, and exits non-zero when the kubelet reports that
// the registration failed (as upstream's registrar does, so that it is restarted).
// Concurrency: one driver and one registration server per process; stopping is idempotent.
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { logger } from '../component/index.ts';
import { HostPathDriverName, startHostPathDriver } from '../csi/index.ts';
import { PluginType, registrationHandlers, registrationService } from '../kubelet/index.ts';
import { CliError } from './up.ts';

const log = logger('csi-hostpath');

/** The registration API versions the driver supports (node-driver-registrar's `1.0.0`). */
export const supportedRegistrationVersions = ['1.0.0'] as const;

export interface CsiHostPathOptions {
  /** `unix:///path/csi.sock`. */
  endpoint: string;
  nodeId: string;
  stateDir: string;
  driverName?: string;
  maxVolumesPerNode?: number;
  capacityBytes?: number;
  maxVolumeSizeBytes?: number;
  enableAttach?: boolean;
  enableGetSnapshot?: boolean;
  /** `<kubelet root>/plugins_registry`: serve the plugin registration API there. */
  registrationDir?: string;
  /** Stop when stdin reaches its end (the parent died or closed the pipe). */
  exitWithParent?: boolean;
  /** Stops the driver when aborted (tests); SIGINT/SIGTERM always do. */
  signal?: AbortSignal;
}

/** The path of the registration socket node-driver-registrar would create for `driverName`. */
export function registrationSocketPath(registrationDir: string, driverName: string): string {
  return join(registrationDir, `${driverName}-reg.sock`);
}

function removeSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) rmSync(path, { force: true });
  } catch {
    // nothing there
  }
}

/**
 * Runs the driver until SIGINT/SIGTERM, the end of stdin (exitWithParent) or `signal`; resolves
 * after a clean stop. Rejects with a CliError when the kubelet refuses the registration.
 */
export async function runCsiHostPath(opts: CsiHostPathOptions): Promise<void> {
  const driverName = opts.driverName ?? HostPathDriverName;
  const running = await startHostPathDriver({
    endpoint: opts.endpoint,
    nodeId: opts.nodeId,
    stateDir: opts.stateDir,
    driverName,
    ...(opts.maxVolumesPerNode === undefined ? {} : { maxVolumesPerNode: opts.maxVolumesPerNode }),
    ...(opts.capacityBytes === undefined ? {} : { capacityBytes: opts.capacityBytes }),
    ...(opts.maxVolumeSizeBytes === undefined ? {} : { maxVolumeSizeBytes: opts.maxVolumeSizeBytes }),
    enableAttach: opts.enableAttach === true,
    enableGetSnapshot: opts.enableGetSnapshot === true,
  });
  log.info('CSI driver is serving', {
    driver: driverName,
    endpoint: running.socketPath,
    nodeId: opts.nodeId,
    stateDir: opts.stateDir,
  });

  let finish!: (err?: Error) => void;
  const finished = new Promise<Error | undefined>((resolve) => {
    finish = (err) => resolve(err);
  });

  let regServer: grpc.Server | undefined;
  let regSocket: string | undefined;
  try {
    if (opts.registrationDir !== undefined) {
      mkdirSync(opts.registrationDir, { recursive: true });
      regSocket = registrationSocketPath(opts.registrationDir, driverName);
      removeSocket(regSocket);
      regServer = new grpc.Server();
      regServer.addService(
        registrationService(),
        registrationHandlers({
          getInfo: () => {
            log.v(2, 'received GetInfo call from the kubelet', { driver: driverName });
            return {
              type: PluginType.csi,
              name: driverName,
              endpoint: running.socketPath,
              supported_versions: [...supportedRegistrationVersions],
            };
          },
          notifyRegistrationStatus: (status) => {
            if (status.plugin_registered) {
              log.info('the kubelet registered the driver', { driver: driverName });
              return;
            }
            log.error('Registration process failed, exiting', new Error(status.error), {
              driver: driverName,
            });
            finish(new CliError(`the kubelet did not register ${driverName}: ${status.error}`));
          },
        }),
      );
      const server = regServer;
      const sock = regSocket;
      await new Promise<void>((resolve, reject) => {
        server.bindAsync(`unix:${sock}`, grpc.ServerCredentials.createInsecure(), (err) =>
          err ? reject(err) : resolve(),
        );
      });
      log.info('serving the plugin registration API', { socket: regSocket });
    }
  } catch (err) {
    await running.stop();
    throw err;
  }

  const onSignal = (sig: string) => () => {
    log.info('stopping', { signal: sig });
    finish();
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const onStdinEnd = (): void => {
    log.info('stdin closed (the parent is gone); stopping');
    finish();
  };
  if (opts.exitWithParent === true) {
    process.stdin.on('end', onStdinEnd);
    process.stdin.on('close', onStdinEnd);
    process.stdin.on('error', onStdinEnd);
    process.stdin.resume();
  }
  const onAbort = (): void => finish();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted === true) finish();

  const err = await finished;
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  opts.signal?.removeEventListener('abort', onAbort);
  if (opts.exitWithParent === true) {
    process.stdin.off('end', onStdinEnd);
    process.stdin.off('close', onStdinEnd);
    process.stdin.off('error', onStdinEnd);
    process.stdin.pause();
  }
  // tryShutdown lets the reply to a refused registration reach the kubelet before we exit.
  const reg = regServer;
  if (reg !== undefined) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        reg.forceShutdown();
        resolve();
      }, 2000);
      reg.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  if (regSocket !== undefined) removeSocket(regSocket);
  await running.stop();
  log.info('CSI driver stopped', { driver: driverName });
  if (err !== undefined) throw err;
}
