// The kubelet plugin manager (pkg/kubelet/pluginmanager): watches <root>/plugins_registry for
// registration sockets, registers each plugin with the handler for its type through the
// Registration API v1, and deregisters it when its socket goes away.
//
// Concurrency: one operation per socket path at a time (upstream's goroutinemap); different
// sockets are handled in parallel. Event-driven: fs.watch events and a scan at start feed the
// desired state; a failed registration is retried with exponential backoff (500 ms doubling to
// 2 min 2 s, as goroutinemap), nothing polls.
import { type FSWatcher, promises as fsp, watch } from 'node:fs';
import { basename, join } from 'node:path';
import {
  type Clock,
  Gauge,
  getOrCreate,
  logger,
  metricsRegistry,
  realClock,
  type Timer,
} from '../../component/index.ts';
import { dialRegistration, errText, type RegistrationClient } from './api.ts';

/** `DefaultKubeletPluginsRegistrationDirName`. */
export const PLUGINS_REGISTRY_DIR = 'plugins_registry';

/** Label values of plugin_manager_total_plugins' `state`. */
export const PluginState = {
  desired: 'desired_state_of_world',
  actual: 'actual_state_of_world',
} as const;

/**
 * What a kubelet subsystem implements to accept plugins of one type (upstream cache.PluginHandler).
 * Calls for one plugin are serialised; validatePlugin precedes registerPlugin; deRegisterPlugin is
 * called when the socket disappears or is replaced, also after a failed registerPlugin.
 */
export interface PluginHandler {
  /** Rejects a plugin the handler cannot accept (e.g. no supported version); nothing is recorded. */
  validatePlugin(name: string, endpoint: string, versions: readonly string[]): Promise<void>;
  /** Starts using the plugin at `endpoint`. */
  registerPlugin(name: string, endpoint: string, versions: readonly string[]): Promise<void>;
  /** Stops using the plugin. Must not throw. */
  deRegisterPlugin(name: string): void;
}

export interface PluginManagerOptions {
  /** The kubelet root dir; the manager watches `<root>/plugins_registry`. */
  root: string;
  clock?: Clock;
  /** Dial timeout for a registration socket (upstream 10 s). */
  dialTimeoutMs?: number;
  /** GetInfo deadline (upstream 1 s). */
  getInfoTimeoutMs?: number;
  /** NotifyRegistrationStatus deadline (upstream 5 s). */
  notifyTimeoutMs?: number;
  /** First retry delay after a failed registration; doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** A plugin the manager has registered (actual state of world). */
export interface RegisteredPlugin {
  socketPath: string;
  type: string;
  name: string;
  endpoint: string;
  versions: readonly string[];
}

export class RegistrationError extends Error {
  override readonly name = 'RegistrationError';
  readonly socketPath: string;
  constructor(socketPath: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.socketPath = socketPath;
  }
}

export function isRegistrationError(err: unknown): err is RegistrationError {
  return err instanceof RegistrationError;
}

interface Desired {
  generation: number;
  ino: number;
}

interface Actual extends RegisteredPlugin {
  generation: number;
  handler: PluginHandler;
}

interface PathOp {
  running: boolean;
  dirty: boolean;
  backoffMs: number;
  retry: Timer | undefined;
}

const log = logger('plugin-manager');

function totalPluginsGauge(): Gauge<'socket_path' | 'state'> {
  return getOrCreate(
    'plugin_manager_total_plugins',
    () =>
      new Gauge({
        name: 'plugin_manager_total_plugins',
        help: 'Number of plugins in Plugin Manager',
        labelNames: ['socket_path', 'state'],
        registers: [metricsRegistry],
      }),
  );
}

export class PluginManager {
  readonly dir: string;
  private readonly clock: Clock;
  private readonly dialTimeoutMs: number;
  private readonly getInfoTimeoutMs: number;
  private readonly notifyTimeoutMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly handlers = new Map<string, PluginHandler>();
  private readonly desired = new Map<string, Desired>();
  private readonly actual = new Map<string, Actual>();
  private readonly ops = new Map<string, PathOp>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly gauge = totalPluginsGauge();
  private generation = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private scanning = 0;

  constructor(opts: PluginManagerOptions) {
    this.dir = join(opts.root, PLUGINS_REGISTRY_DIR);
    this.clock = opts.clock ?? realClock;
    this.dialTimeoutMs = opts.dialTimeoutMs ?? 10_000;
    this.getInfoTimeoutMs = opts.getInfoTimeoutMs ?? 1_000;
    this.notifyTimeoutMs = opts.notifyTimeoutMs ?? 5_000;
    this.initialBackoffMs = opts.initialBackoffMs ?? 500;
    this.maxBackoffMs = opts.maxBackoffMs ?? 122_000;
  }

  /** Registers the handler for plugins whose GetInfo type is `type` (e.g. "CSIPlugin"). Call before start(). */
  addHandler(type: string, handler: PluginHandler): void {
    this.handlers.set(type, handler);
  }

  /** Creates the directory, starts watching it and registers the sockets already there. */
  async start(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o750 });
    this.scanning++;
    try {
      await this.watchDir(this.dir);
    } finally {
      this.scanning--;
      this.checkIdle();
    }
  }

  /** Stops watching and retrying; waits for operations in flight. Registered plugins stay registered. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    for (const op of this.ops.values()) {
      op.retry?.cancel();
      op.retry = undefined;
    }
    await this.whenIdle();
  }

  /** Plugins currently registered (actual state of world). */
  registeredPlugins(): RegisteredPlugin[] {
    return [...this.actual.values()].map(({ socketPath, type, name, endpoint, versions }) => ({
      socketPath,
      type,
      name,
      endpoint,
      versions,
    }));
  }

  /** Socket paths seen in the directory (desired state of world). */
  desiredSockets(): string[] {
    return [...this.desired.keys()];
  }

  /** Resolves once no scan or operation is running (pending backoff retries do not count). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    if (this.scanning > 0) return false;
    for (const op of this.ops.values()) if (op.running) return false;
    return true;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // --- watching: feeds the desired state of world ---

  private async watchDir(dir: string): Promise<void> {
    if (this.stopped || this.watchers.has(dir)) return;
    try {
      const w = watch(dir, { persistent: false }, (_event, filename) => {
        if (filename === null) {
          this.track(this.rescan(dir));
        } else {
          this.track(this.handlePath(join(dir, filename.toString())));
        }
      });
      w.on('error', (err) => {
        log.v(4, 'watch ended', { path: dir, err });
        this.watchers.get(dir)?.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, w);
    } catch (err) {
      log.error('failed to watch plugin directory', err, { path: dir });
      return;
    }
    await this.rescan(dir);
  }

  private async rescan(dir: string): Promise<void> {
    let names: string[];
    try {
      names = await fsp.readdir(dir);
    } catch (err) {
      log.v(4, 'failed to read plugin directory', { path: dir, err });
      return;
    }
    await Promise.all(names.map((n) => this.handlePath(join(dir, n))));
  }

  private track(p: Promise<void>): void {
    this.scanning++;
    p.catch((err: unknown) => log.error('plugin watcher event failed', err)).finally(() => {
      this.scanning--;
      this.checkIdle();
    });
  }

  private async handlePath(path: string): Promise<void> {
    if (this.stopped || basename(path).startsWith('.')) return;
    let st: Awaited<ReturnType<typeof fsp.lstat>>;
    try {
      st = await fsp.lstat(path);
    } catch {
      this.removeUnder(path);
      return;
    }
    if (st.isDirectory()) {
      await this.watchDir(path);
    } else if (st.isSocket()) {
      const cur = this.desired.get(path);
      if (cur?.ino === st.ino) return;
      this.generation++;
      this.desired.set(path, { generation: this.generation, ino: st.ino });
      this.gauge.set({ socket_path: path, state: PluginState.desired }, 1);
      log.v(2, 'adding socket path or updating timestamp to desired state cache', { path });
      this.kick(path);
    } else {
      log.v(5, 'ignoring non-socket file', { path });
    }
  }

  /** The path disappeared: it was a socket or a directory holding sockets. */
  private removeUnder(path: string): void {
    const prefix = `${path}/`;
    for (const [dir, w] of [...this.watchers]) {
      if (dir === path || dir.startsWith(prefix)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    for (const p of [...this.desired.keys()]) {
      if (p === path || p.startsWith(prefix)) {
        this.desired.delete(p);
        this.gauge.remove({ socket_path: p, state: PluginState.desired });
        log.v(2, 'removing socket path from desired state cache', { path: p });
        this.kick(p);
      }
    }
  }

  // --- reconciling one socket path: desired vs actual ---

  private kick(path: string): void {
    let op = this.ops.get(path);
    if (op === undefined) {
      op = { running: false, dirty: false, backoffMs: 0, retry: undefined };
      this.ops.set(path, op);
    }
    if (op.running) {
      op.dirty = true;
      return;
    }
    op.retry?.cancel();
    op.retry = undefined;
    op.running = true;
    const done = (): void => {
      op.running = false;
      if (op.dirty && !this.stopped) {
        op.dirty = false;
        this.kick(path);
      } else if (op.retry === undefined && !this.desired.has(path) && !this.actual.has(path)) {
        this.ops.delete(path);
      }
      this.checkIdle();
    };
    this.runOp(path, op).then(done, (err: unknown) => {
      log.error('plugin operation failed', err, { path });
      done();
    });
  }

  private async runOp(path: string, op: PathOp): Promise<void> {
    const want = this.desired.get(path);
    const have = this.actual.get(path);
    if (have !== undefined && (want === undefined || want.generation !== have.generation)) {
      this.unregister(have);
    }
    if (want === undefined || this.actual.has(path) || this.stopped) {
      op.backoffMs = 0;
      return;
    }
    try {
      await this.register(path, want.generation);
      op.backoffMs = 0;
    } catch (err) {
      op.backoffMs =
        op.backoffMs === 0 ? this.initialBackoffMs : Math.min(op.backoffMs * 2, this.maxBackoffMs);
      log.error('operationExecutor.RegisterPlugin failed', err, { path, retryAfterMs: op.backoffMs });
      if (this.stopped) return;
      const generation = want.generation;
      op.retry = this.clock.setTimer(op.backoffMs, () => {
        op.retry = undefined;
        if (this.desired.get(path)?.generation === generation) this.kick(path);
      });
    }
  }

  private unregister(p: Actual): void {
    this.actual.delete(p.socketPath);
    this.gauge.remove({ socket_path: p.socketPath, state: PluginState.actual });
    try {
      p.handler.deRegisterPlugin(p.name);
    } catch (err) {
      log.error('DeRegisterPlugin failed', err, { pluginName: p.name, path: p.socketPath });
    }
    log.info('DeRegisterPlugin called', { pluginName: p.name, path: p.socketPath });
  }

  /** Upstream GenerateRegisterPluginFunc, with its messages. */
  private async register(socketPath: string, generation: number): Promise<void> {
    let client: RegistrationClient;
    try {
      client = await dialRegistration(socketPath, this.dialTimeoutMs);
    } catch (err) {
      throw new RegistrationError(
        socketPath,
        `RegisterPlugin error -- dial failed at socket ${socketPath}, err: ${errText(err)}`,
        { cause: err },
      );
    }
    try {
      let info: Awaited<ReturnType<RegistrationClient['getInfo']>>;
      try {
        info = await client.getInfo(this.getInfoTimeoutMs);
      } catch (err) {
        throw new RegistrationError(
          socketPath,
          `RegisterPlugin error -- failed to get plugin info using RPC GetInfo at socket ${socketPath}, err: ${errText(err)}`,
          { cause: err },
        );
      }
      const notify = async (registered: boolean, errStr: string): Promise<void> => {
        try {
          await client.notifyRegistrationStatus(
            { plugin_registered: registered, error: errStr },
            this.notifyTimeoutMs,
          );
        } catch (err) {
          const msg = registered
            ? `RegisterPlugin error -- failed to send registration status at socket ${socketPath}, err: ${errText(err)}`
            : `RegisterPlugin error -- failed to send error at socket ${socketPath}, err: ${errStr}: ${errText(err)}`;
          throw new RegistrationError(socketPath, msg, { cause: err });
        }
      };

      const handler = this.handlers.get(info.type);
      if (handler === undefined) {
        const msg = `RegisterPlugin error -- no handler registered for plugin type: ${info.type} at socket ${socketPath}`;
        await notify(false, msg);
        throw new RegistrationError(socketPath, msg);
      }
      const endpoint = info.endpoint === '' ? socketPath : info.endpoint;
      const versions = [...info.supported_versions];
      try {
        await handler.validatePlugin(info.name, endpoint, versions);
      } catch (err) {
        await notify(false, `RegisterPlugin error -- plugin validation failed with err: ${errText(err)}`);
        throw new RegistrationError(
          socketPath,
          'RegisterPlugin error -- pluginHandler.ValidatePluginFunc failed',
          {
            cause: err,
          },
        );
      }
      // Recorded before registerPlugin so that a removal during it turns into a deRegisterPlugin
      // (upstream does the same; a failed registerPlugin is not retried until the socket is re-created).
      this.actual.set(socketPath, {
        socketPath,
        type: info.type,
        name: info.name,
        endpoint,
        versions,
        generation,
        handler,
      });
      this.gauge.set({ socket_path: socketPath, state: PluginState.actual }, 1);
      try {
        await handler.registerPlugin(info.name, endpoint, versions);
      } catch (err) {
        const msg = `RegisterPlugin error -- plugin registration failed with err: ${errText(err)}`;
        log.error('RegisterPlugin failed', err, { pluginName: info.name, path: socketPath });
        await notify(false, msg).catch((e: unknown) =>
          log.error('failed to notify plugin', e, { path: socketPath }),
        );
        return;
      }
      await notify(true, '');
      log.info('Registered plugin', {
        pluginType: info.type,
        pluginName: info.name,
        path: socketPath,
        endpoint,
      });
    } finally {
      client.close();
    }
  }
}
