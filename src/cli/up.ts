// `kvol up` and `kvol server`: the API server on the embedded SQLite store (or another store URL), with
// HTTPS, a bearer token and a kubeconfig that kubectl uses as it is. Runs in the foreground; SIGINT or
// SIGTERM stops it cleanly (watches ended, store flushed and closed).

import { setMaxListeners } from 'node:events';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ensureAdminToken,
  ensurePki,
  type RunningApiServer,
  startApiServer,
  TokenAuthenticator,
  writeKubeconfig,
} from '../apiserver/index.ts';
import { InProcessClient, Recorder, SharedInformerFactory } from '../client/index.ts';
import { logger } from '../component/index.ts';
import { startControllers } from '../controller/index.ts';
import { CSIDriverRegistry } from '../csi/index.ts';
import { NodeAgent, type NodeAgentOptions } from '../kubelet/index.ts';
import { Scheduler } from '../scheduler/index.ts';
import { isIncompatibleStore } from '../storage/index.ts';
import { probeInTreeVolumePlugins, RealMounter } from '../volume/index.ts';
import { type RunningCsiHostPathChild, startCsiHostPathChild } from './csichild.ts';
import { controllerView, registerCsiEndpoints } from './csiendpoints.ts';

const log = logger('kvol');

export class CliError extends Error {
  override readonly name = 'CliError';
}

export interface UpOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  /** Store URL; defaults to SQLite under the data dir. */
  readonly store?: string;
  /** Print the kubeconfig hints (false for `kvol server` in scripts). */
  readonly quiet?: boolean;
  /** Run the node agent for this machine under this node name; undefined: no agent (`kvol server`). */
  readonly nodeName?: string;
  /** Node agent settings from the command line (volume plugin dir, timings). */
  readonly agent?: AgentTuning;
  /** CSI controller endpoints the built-in CSI controller logic drives besides registered drivers. */
  readonly csiControllerEndpoints?: readonly string[];
  /** Run the bundled CSI driver hostpath.csi.kvol.io as a child process (with the agent). Default true. */
  readonly csiHostPath?: boolean;
}

/** The node agent options `kvol up` and `kvol agent` take from their flags. */
export type AgentTuning = Pick<
  NodeAgentOptions,
  'volumePluginDir' | 'flexVolumeCallTimeoutMs' | 'evictionMonitoringPeriodMs'
>;

export interface Running {
  readonly server: RunningApiServer;
  /** Stops the controllers, then the API server. */
  stop(): Promise<void>;
  readonly kubeconfig: string;
  readonly dataDir: string;
}

function checkDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new CliError(
      `the data directory ${dir} is not writable (${code}); pass --data-dir with a directory you can write to`,
    );
  }
}

export async function up(opts: UpOptions): Promise<Running> {
  const dataDir = resolve(opts.dataDir);
  checkDataDir(dataDir);
  const pki = await ensurePki(dataDir, {});
  const token = ensureAdminToken(dataDir);
  const auth = TokenAuthenticator.fromDataDir(dataDir);
  const store = opts.store ?? `sqlite://${join(dataDir, 'kvol.db')}`;
  let server: RunningApiServer;
  try {
    server = await startApiServer({
      store,
      host: opts.host,
      port: opts.port,
      tls: { cert: pki.certPem, key: pki.keyPem },
      authenticate: (header) => auth.authenticate(header),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new CliError(
        `port ${opts.port} on ${opts.host} is already in use (another kvol or kube-apiserver?); stop it, or pass --port with a free port (--port 0 picks one)`,
      );
    }
    if (code === 'EACCES') {
      throw new CliError(
        `not allowed to listen on ${opts.host}:${opts.port}; pass --port above 1023 or run as root`,
      );
    }
    if (isIncompatibleStore(err)) throw new CliError(err.message);
    throw err;
  }
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  const serverUrl = `https://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  const kubeconfig = join(dataDir, 'kubeconfig');
  writeKubeconfig(kubeconfig, { server: serverUrl, caPem: pki.caPem, token });
  if (opts.quiet !== true) {
    log.info('kvol API server is running', { url: serverUrl, store });
    process.stdout.write(
      `kvol is up: API server at ${serverUrl} (store ${store})\n` +
        `kubeconfig: ${kubeconfig}\n\n` +
        `Try:\n  export KUBECONFIG=${kubeconfig}\n  kubectl get storageclasses,pv,pvc -A\n\n` +
        'Press Ctrl-C to stop.\n',
    );
  }
  const stopControllers = startControlPlane(
    server,
    dataDir,
    opts.nodeName,
    opts.agent ?? {},
    opts.csiControllerEndpoints ?? [],
    opts.csiHostPath ?? true,
  );
  let stopped: Promise<void> | undefined;
  return {
    server,
    kubeconfig,
    dataDir,
    stop() {
      stopped ??= (async () => {
        await stopControllers();
        await server.close();
      })();
      return stopped;
    },
  };
}

/**
 * Runs the controllers in this process over the in-process client (no HTTP, same semantics), and
 * returns the function that stops them.
 */
function startControlPlane(
  server: RunningApiServer,
  dataDir: string,
  nodeName: string | undefined,
  agentTuning: AgentTuning,
  csiControllerEndpoints: readonly string[],
  csiHostPath: boolean,
): () => Promise<void> {
  const ac = new AbortController();
  // Every controller and informer listens on this one signal.
  setMaxListeners(0, ac.signal);
  const client = new InProcessClient(server.registry, { user: 'system:kube-controller-manager' });
  const informers = new SharedInformerFactory(client, { resyncPeriodMs: 5 * 60_000 });
  // The node agent's registry of CSI drivers, and the controllers' view of it: a driver that
  // registers on this node through plugins_registry is served by the built-in controller logic too.
  const csiDrivers = new CSIDriverRegistry();
  const controllerDrivers = controllerView(csiDrivers);
  const endpointsRegistered = registerCsiEndpoints(
    controllerDrivers.registry,
    csiControllerEndpoints,
    ac.signal,
    { onRegistered: (name) => controllerDrivers.pin(name) },
  );
  const controllers = startControllers(
    {
      client,
      informers,
      hostPathRoot: join(dataDir, 'hostpath-provisioner'),
      csiDrivers: controllerDrivers.registry,
    },
    ac.signal,
  );
  const schedulerClient = new InProcessClient(server.registry, {
    user: 'system:kube-scheduler',
    fieldManager: 'kube-scheduler',
  });
  const schedulerEvents = new Recorder({
    client: schedulerClient,
    source: { component: 'default-scheduler' },
  });
  const scheduler = new Scheduler({ client: schedulerClient, informers, recorder: schedulerEvents });
  const scheduling = scheduler.run(ac.signal).catch((err: unknown) => {
    if (!ac.signal.aborted) log.error('scheduler stopped with an error', err);
  });
  informers.start(ac.signal);
  let agentDone: Promise<void> = Promise.resolve();
  let csiChild: RunningCsiHostPathChild | undefined;
  if (nodeName !== undefined) {
    if (csiHostPath) csiChild = startCsiHostPathChild({ dataDir, nodeName, client });
    const agent = new NodeAgent({
      client: new InProcessClient(server.registry, {
        user: `system:node:${nodeName}`,
        fieldManager: 'kubelet',
      }),
      nodeName,
      rootDir: join(dataDir, 'kubelet'),
      plugins: probeInTreeVolumePlugins(),
      mounter: new RealMounter(),
      csiDrivers,
      // kvol has no attach/detach controller yet: the agent attaches and detaches (FlexVolume drivers).
      enableControllerAttachDetach: false,
      ...agentTuning,
    });
    agentDone = agent.run(ac.signal).catch((err: unknown) => {
      if (!ac.signal.aborted) log.error('node agent stopped with an error', err);
    });
  }
  return async () => {
    ac.abort();
    await Promise.all([controllers.done, scheduling, agentDone, endpointsRegistered, csiChild?.stop()]);
    schedulerEvents.shutdown();
    await informers.shutdown();
    csiDrivers.close();
    controllerDrivers.close();
  };
}

/** Runs until SIGINT/SIGTERM, then shuts down cleanly and resolves. */
export async function runUntilSignal(running: Running): Promise<void> {
  await new Promise<void>((resolveStop) => {
    const stop = (sig: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      log.info('shutting down', { signal: sig });
      running.stop().then(resolveStop, (err: unknown) => {
        log.error('shutdown failed', err);
        resolveStop();
      });
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}
