// The CSI registration handler behind a real PluginManager: a fake CSI driver (grpc-js Identity+Node
// server) and a fake node-driver-registrar socket in <root>/plugins_registry, over FakeObjectStore +
// InProcessClient. Checks the CSINode entry, the Node label and nodeid annotation, deregistration
// when the registrar socket goes away, and the refusal of a driver without a CSI 1.x version.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { type CSINode, type Node, Resources } from '../api/index.ts';
import { InProcessClient } from '../client/index.ts';
import { FakeObjectStore } from '../client/testing/index.ts';
import { FakeClock } from '../component/index.ts';
import { type IdentityHandlers, loadCsiProto, type NodeHandlers } from '../csi/index.ts';
import { FakeVolumePlugin } from '../volume/testing/index.ts';
import { NodeAgent } from './agent.ts';
import { CSINodeIDAnnotation, CSIRegistrationHandler, highestSupportedVersion } from './csiregistration.ts';
import {
  PLUGINS_REGISTRY_DIR,
  PluginManager,
  PluginType,
  type RegistrationStatus,
  registrationHandlers,
  registrationService,
} from './pluginmanager/index.ts';

const driverName = 'hostpath.csi.k8s.io';
const topologyKey = 'topology.hostpath.csi/node';

function bind(server: grpc.Server, sock: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`unix:${sock}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

function fakeDriver(): grpc.Server {
  const v1 = loadCsiProto().csi.v1;
  const server = new grpc.Server();
  const identity: Partial<IdentityHandlers> = {
    GetPluginInfo: (_call, cb) => cb(null, { name: driverName, vendor_version: '1.0.0' }),
    Probe: (_call, cb) => cb(null, { ready: { value: true } }),
  };
  const node: Partial<NodeHandlers> = {
    NodeGetInfo: (_call, cb) =>
      cb(null, {
        node_id: 'n1',
        max_volumes_per_node: '5',
        accessible_topology: { segments: { [topologyKey]: 'n1' } },
      }),
  };
  server.addService(v1.Identity.service, identity as unknown as grpc.UntypedServiceImplementation);
  server.addService(v1.Node.service, node as unknown as grpc.UntypedServiceImplementation);
  return server;
}

function fakeRegistrar(endpoint: string, versions: string[], statuses: RegistrationStatus[]): grpc.Server {
  const server = new grpc.Server();
  server.addService(
    registrationService(),
    registrationHandlers({
      getInfo: () => ({ type: PluginType.csi, name: driverName, endpoint, supported_versions: versions }),
      notifyRegistrationStatus: (s) => {
        statuses.push(s);
      },
    }),
  );
  return server;
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting until ${what}`);
}

interface Env {
  root: string;
  store: FakeObjectStore;
  handler: CSIRegistrationHandler;
  manager: PluginManager;
  servers: grpc.Server[];
  regSock: string;
  statuses: RegistrationStatus[];
}

let env: Env | undefined;

beforeEach(async () => {
  const root = mkdtempSync(join(tmpdir(), 'kvol-csireg-'));
  const clock = new FakeClock();
  const store = new FakeObjectStore({ clock });
  store.seed(Resources.nodes, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
  } as Node);
  const client = new InProcessClient(store);
  const handler = new CSIRegistrationHandler({ client, nodeName: 'node-1' });
  const manager = new PluginManager({ root, clock });
  manager.addHandler(PluginType.csi, handler);
  await mkdir(join(root, 'plugins', driverName), { recursive: true });
  env = {
    root,
    store,
    handler,
    manager,
    servers: [],
    regSock: join(root, PLUGINS_REGISTRY_DIR, `${driverName}-reg.sock`),
    statuses: [],
  };
});

afterEach(async () => {
  if (env === undefined) return;
  await env.manager.stop();
  for (const s of env.servers) s.forceShutdown();
  await env.handler.settled();
  rmSync(env.root, { recursive: true, force: true });
  env = undefined;
});

async function startDriverAndRegistrar(e: Env, versions: string[]): Promise<void> {
  const endpoint = join(e.root, 'plugins', driverName, 'csi.sock');
  const driver = fakeDriver();
  e.servers.push(driver);
  await bind(driver, endpoint);
  await e.manager.start();
  const registrar = fakeRegistrar(endpoint, versions, e.statuses);
  e.servers.push(registrar);
  await bind(registrar, e.regSock);
}

const csiNode = (e: Env) => e.store.object<CSINode>(Resources.csinodes, undefined, 'node-1');
const node = (e: Env) => e.store.object<Node>(Resources.nodes, undefined, 'node-1')!;

describe('CSIRegistrationHandler', () => {
  it('publishes a registered driver in CSINode and on the Node, and removes it when its socket goes', async () => {
    const e = env!;
    await startDriverAndRegistrar(e, ['1.0.0']);
    await until('the registrar is told it is registered', () => e.statuses.length > 0);
    assert.deepEqual(e.statuses[0], { plugin_registered: true, error: '' });

    assert.equal(
      e.handler.drivers.get(driverName)?.endpoint,
      join(e.root, 'plugins', driverName, 'csi.sock'),
    );
    const cn = csiNode(e);
    assert.ok(cn !== undefined, 'CSINode node-1 was created');
    assert.deepEqual(cn.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: node(e).metadata.uid },
    ]);
    assert.deepEqual(cn.spec.drivers, [
      { name: driverName, nodeID: 'n1', topologyKeys: [topologyKey], allocatable: { count: 5 } },
    ]);
    const n = node(e);
    assert.equal(n.metadata.labels?.[topologyKey], 'n1');
    assert.equal(n.metadata.labels?.['kubernetes.io/hostname'], 'node-1');
    assert.deepEqual(JSON.parse(n.metadata.annotations?.[CSINodeIDAnnotation] ?? '{}'), {
      [driverName]: 'n1',
    });

    await rm(e.regSock);
    await until('the CSINode entry is removed', () => (csiNode(e)?.spec.drivers ?? [1]).length === 0);
    await e.handler.settled();
    assert.equal(e.handler.drivers.get(driverName), undefined);
    assert.equal(node(e).metadata.annotations?.[CSINodeIDAnnotation], undefined);
    // Upstream leaves the topology labels in place.
    assert.equal(node(e).metadata.labels?.[topologyKey], 'n1');
  });

  it('refuses a driver that reports no CSI 1.x version', async () => {
    const e = env!;
    await startDriverAndRegistrar(e, ['0.3.0']);
    await until('the registrar is told it is not registered', () => e.statuses.length > 0);
    assert.equal(e.statuses[0]?.plugin_registered, false);
    assert.match(
      e.statuses[0]?.error ?? '',
      /none of the CSI versions reported by this driver are supported/,
    );
    assert.equal(e.handler.drivers.get(driverName), undefined);
    assert.equal(csiNode(e), undefined);
    assert.equal(node(e).metadata.annotations?.[CSINodeIDAnnotation], undefined);
  });

  it('picks the highest 1.x version and refuses to replace a driver registered with a higher one', async () => {
    assert.equal(highestSupportedVersion('d', ['0.3.0', '1.2.0', '1.10.1', '2.0.0']), '1.10.1');
    const e = env!;
    e.handler.drivers.set(driverName, { endpoint: '/x', highestSupportedVersion: '1.5.0' });
    await assert.rejects(
      e.handler.validatePlugin(driverName, '/y', ['1.0.0']),
      /already registered with a higher supported version: "1.5.0"/,
    );
    await e.handler.validatePlugin(driverName, '/y', ['1.5.0', '1.6.0']);
  });
});

describe('NodeAgent plugin registration', () => {
  it('registers a CSI driver whose registrar socket is already in <rootDir>/plugins_registry', async () => {
    const e = env!;
    await mkdir(join(e.root, PLUGINS_REGISTRY_DIR), { recursive: true });
    const endpoint = join(e.root, 'plugins', driverName, 'csi.sock');
    const driver = fakeDriver();
    e.servers.push(driver);
    await bind(driver, endpoint);
    const registrar = fakeRegistrar(endpoint, ['1.0.0'], e.statuses);
    e.servers.push(registrar);
    await bind(registrar, e.regSock);
    const agent = new NodeAgent({
      client: new InProcessClient(e.store),
      nodeName: 'node-1',
      rootDir: e.root,
      plugins: [new FakeVolumePlugin()],
      mounter: {
        mount: async () => {},
        unmount: async () => {},
        list: async () => [],
        isLikelyNotMountPoint: async () => true,
      },
      clock: new FakeClock(),
      machineInfo: {
        cpus: 1,
        memoryBytes: 1024 ** 3,
        ephemeralStorageBytes: 1024 ** 3,
        internalIP: '10.0.0.1',
        hostname: 'node-1',
        machineID: 'm',
        bootID: 'b',
        kernelVersion: '6.1.0',
        osImage: 'Debian',
        architecture: 'amd64',
      },
      evictionMonitoringPeriodMs: 0,
    });
    const abort = new AbortController();
    const running = agent.run(abort.signal);
    try {
      await until('the registrar is told it is registered', () => e.statuses.length > 0);
      assert.equal((csiNode(e)?.spec.drivers ?? []).length, 1);
      assert.equal(agent.csiDrivers.get(driverName)?.endpoint, endpoint);
      assert.deepEqual(e.statuses, [{ plugin_registered: true, error: '' }]);
    } finally {
      abort.abort();
      await running;
    }
  });
});
