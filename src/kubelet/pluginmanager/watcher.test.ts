// Tests of the plugin manager against fake registrars serving the Registration API on unix sockets
// inside the watched plugins_registry directory, as node-driver-registrar does.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { FakeClock, metricsRegistry } from '../../component/index.ts';
import {
  type PluginHandler,
  type PluginInfo,
  PluginManager,
  type RegistrationStatus,
  registrationHandlers,
  registrationService,
} from './index.ts';

class FakeRegistrar {
  readonly server = new grpc.Server();
  getInfoCalls = 0;
  readonly statuses: RegistrationStatus[] = [];
  private waiters: ((s: RegistrationStatus) => void)[] = [];
  readonly socketPath: string;
  private readonly info: PluginInfo;

  constructor(socketPath: string, info: PluginInfo) {
    this.socketPath = socketPath;
    this.info = info;
    this.server.addService(
      registrationService(),
      registrationHandlers({
        getInfo: () => {
          this.getInfoCalls++;
          return this.info;
        },
        notifyRegistrationStatus: (s) => {
          this.statuses.push(s);
          this.waiters.shift()?.(s);
        },
      }),
    );
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`unix:${this.socketPath}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  /** The next NotifyRegistrationStatus not yet returned by this method. */
  nextStatus(): Promise<RegistrationStatus> {
    const i = this.consumed++;
    const s = this.statuses[i];
    if (s !== undefined) return Promise.resolve(s);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  private consumed = 0;

  async stop(): Promise<void> {
    this.server.forceShutdown();
    await rm(this.socketPath, { force: true });
  }
}

class FakeHandler implements PluginHandler {
  readonly calls: string[] = [];
  validateError: Error | undefined;
  registerError: Error | undefined;
  private deregWaiters: ((name: string) => void)[] = [];

  async validatePlugin(name: string, endpoint: string, versions: readonly string[]): Promise<void> {
    this.calls.push(`validate ${name} ${endpoint} ${versions.join(',')}`);
    if (this.validateError) throw this.validateError;
  }
  async registerPlugin(name: string, endpoint: string, versions: readonly string[]): Promise<void> {
    this.calls.push(`register ${name} ${endpoint} ${versions.join(',')}`);
    if (this.registerError) throw this.registerError;
  }
  deRegisterPlugin(name: string): void {
    this.calls.push(`deregister ${name}`);
    for (const w of this.deregWaiters.splice(0)) w(name);
  }
  nextDeregister(): Promise<string> {
    return new Promise((resolve) => this.deregWaiters.push(resolve));
  }
}

const opts = { timeout: 20_000 };

describe('PluginManager', () => {
  let root: string;
  let regDir: string;
  let manager: PluginManager;
  let handler: FakeHandler;
  let registrars: FakeRegistrar[];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kvol-pm-'));
    regDir = join(root, 'plugins_registry');
    handler = new FakeHandler();
    registrars = [];
    manager = new PluginManager({ root, clock: new FakeClock() });
    manager.addHandler('CSIPlugin', handler);
  });

  afterEach(async () => {
    await manager.stop();
    for (const r of registrars) await r.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function registrar(file: string, info: Partial<PluginInfo>): Promise<FakeRegistrar> {
    const r = new FakeRegistrar(join(regDir, file), {
      type: 'CSIPlugin',
      name: 'hostpath.csi.kvol.io',
      endpoint: '/var/lib/kubelet/plugins/hostpath/csi.sock',
      supported_versions: ['1.0.0'],
      ...info,
    });
    registrars.push(r);
    await r.start();
    return r;
  }

  it('creates the plugins_registry directory at start', opts, async () => {
    await manager.start();
    assert.equal(statSync(regDir).isDirectory(), true);
  });

  it('calls GetInfo, registers with the CSIPlugin handler and notifies success', opts, async () => {
    await manager.start();
    const r = await registrar('hostpath-reg.sock', {});
    const status = await r.nextStatus();
    assert.deepEqual(status, { plugin_registered: true, error: '' });
    assert.equal(r.getInfoCalls, 1);
    assert.deepEqual(handler.calls, [
      'validate hostpath.csi.kvol.io /var/lib/kubelet/plugins/hostpath/csi.sock 1.0.0',
      'register hostpath.csi.kvol.io /var/lib/kubelet/plugins/hostpath/csi.sock 1.0.0',
    ]);
    await manager.whenIdle();
    assert.deepEqual(
      manager.registeredPlugins().map((p) => [p.socketPath, p.type, p.name]),
      [[r.socketPath, 'CSIPlugin', 'hostpath.csi.kvol.io']],
    );
    const metrics = await metricsRegistry.getSingleMetricAsString('plugin_manager_total_plugins');
    assert.match(metrics, new RegExp(`socket_path="${r.socketPath}",state="actual_state_of_world"} 1`));
    assert.match(metrics, new RegExp(`socket_path="${r.socketPath}",state="desired_state_of_world"} 1`));
  });

  it('registers sockets that exist before start', opts, async () => {
    await mkdir(regDir, { recursive: true });
    const r = await registrar('early-reg.sock', { name: 'early.csi.io' });
    await manager.start();
    assert.equal((await r.nextStatus()).plugin_registered, true);
    assert.deepEqual(
      manager.registeredPlugins().map((p) => p.name),
      ['early.csi.io'],
    );
  });

  it('uses the registration socket as the endpoint when the plugin gives none', opts, async () => {
    await manager.start();
    const r = await registrar('noep-reg.sock', { endpoint: '' });
    assert.equal((await r.nextStatus()).plugin_registered, true);
    assert.equal(handler.calls[1], `register hostpath.csi.kvol.io ${r.socketPath} 1.0.0`);
  });

  it('refuses a plugin type without a handler with the upstream message', opts, async () => {
    await manager.start();
    const r = await registrar('dev-reg.sock', { type: 'DevicePlugin' });
    assert.deepEqual(await r.nextStatus(), {
      plugin_registered: false,
      error: `RegisterPlugin error -- no handler registered for plugin type: DevicePlugin at socket ${r.socketPath}`,
    });
    await manager.whenIdle();
    assert.deepEqual(handler.calls, []);
    assert.deepEqual(manager.registeredPlugins(), []);
  });

  it('reports a validation error to the plugin and does not register it', opts, async () => {
    handler.validateError = new Error('none of the CSI versions reported by this driver are supported');
    await manager.start();
    const r = await registrar('old-reg.sock', { supported_versions: ['0.3.0'] });
    assert.deepEqual(await r.nextStatus(), {
      plugin_registered: false,
      error:
        'RegisterPlugin error -- plugin validation failed with err: none of the CSI versions reported by this driver are supported',
    });
    await manager.whenIdle();
    assert.deepEqual(handler.calls, [
      'validate hostpath.csi.kvol.io /var/lib/kubelet/plugins/hostpath/csi.sock 0.3.0',
    ]);
    assert.deepEqual(manager.registeredPlugins(), []);
  });

  it('reports a registration error to the plugin', opts, async () => {
    handler.registerError = new Error('NodeGetInfo failed');
    await manager.start();
    const r = await registrar('bad-reg.sock', {});
    assert.deepEqual(await r.nextStatus(), {
      plugin_registered: false,
      error: 'RegisterPlugin error -- plugin registration failed with err: NodeGetInfo failed',
    });
  });

  it('deregisters the plugin when its socket is removed', opts, async () => {
    await manager.start();
    const r = await registrar('gone-reg.sock', {});
    assert.equal((await r.nextStatus()).plugin_registered, true);
    const dereg = handler.nextDeregister();
    await r.stop();
    assert.equal(await dereg, 'hostpath.csi.kvol.io');
    await manager.whenIdle();
    assert.deepEqual(manager.registeredPlugins(), []);
    assert.deepEqual(manager.desiredSockets(), []);
    const metrics = await metricsRegistry.getSingleMetricAsString('plugin_manager_total_plugins');
    assert.doesNotMatch(metrics, new RegExp(`socket_path="${r.socketPath}"`));
  });

  it('registers again when the socket is replaced', opts, async () => {
    await manager.start();
    const r1 = await registrar('again-reg.sock', {});
    assert.equal((await r1.nextStatus()).plugin_registered, true);
    const dereg = handler.nextDeregister();
    await r1.stop();
    await dereg;
    const r2 = await registrar('again-reg.sock', { name: 'hostpath.csi.kvol.io' });
    assert.equal((await r2.nextStatus()).plugin_registered, true);
    assert.deepEqual(
      handler.calls.map((c) => c.split(' ')[0]),
      ['validate', 'register', 'deregister', 'validate', 'register'],
    );
    assert.equal(manager.registeredPlugins().length, 1);
  });

  it('ignores regular files and names starting with a dot', opts, async () => {
    await manager.start();
    writeFileSync(join(regDir, 'notes.txt'), 'x');
    const hidden = await registrar('.hidden-reg.sock', {});
    const visible = await registrar('visible-reg.sock', { name: 'visible.csi.io' });
    assert.equal((await visible.nextStatus()).plugin_registered, true);
    await manager.whenIdle();
    assert.equal(hidden.getInfoCalls, 0);
    assert.deepEqual(manager.desiredSockets(), [visible.socketPath]);
  });

  it('watches sockets in sub-directories', opts, async () => {
    await manager.start();
    await mkdir(join(regDir, 'sub'));
    await manager.whenIdle();
    const r = await registrar('sub/nested-reg.sock', { name: 'nested.csi.io' });
    assert.equal((await r.nextStatus()).plugin_registered, true);
  });
});
