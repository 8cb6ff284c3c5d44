// `--csi-controller-endpoint`: an endpoint that comes up late is retried until it answers, then joins
// the registry under the name its driver reports; only unix sockets are accepted.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { CSIDriverRegistry, loadCsiProto } from '../csi/index.ts';
import { controllerView, parseCsiEndpoints, registerCsiEndpoints } from './csiendpoints.ts';

describe('CSI controller endpoints from the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvol-csiep-'));
  const servers: grpc.Server[] = [];
  after(() => {
    for (const s of servers) s.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an endpoint that is not a unix socket', () => {
    assert.throws(() => parseCsiEndpoints(['tcp://10.0.0.1:9000']), /only unix sockets are supported/);
    assert.deepEqual(parseCsiEndpoints(['unix:///run/x.sock']), ['unix:///run/x.sock']);
  });

  it('registers a driver that starts listening after kvol asked for it', async () => {
    const sock = join(dir, 'late.sock');
    const registry = new CSIDriverRegistry();
    const seen: string[] = [];
    registry.subscribe((name, info) => seen.push(`${name}=${info?.endpoint ?? ''}`));
    const ac = new AbortController();
    const done = registerCsiEndpoints(registry, [`unix://${sock}`], ac.signal, { initialDelayMs: 20 });
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(registry.names(), [], 'nothing is registered while the socket is missing');
    const server = new grpc.Server();
    servers.push(server);
    server.addService(loadCsiProto().csi.v1.Identity.service, {
      GetPluginInfo: (_call: unknown, cb: grpc.sendUnaryData<object>) =>
        cb(null, { name: 'late.csi.example.com', vendor_version: '1' }),
      GetPluginCapabilities: (_call: unknown, cb: grpc.sendUnaryData<object>) =>
        cb(null, { capabilities: [] }),
      Probe: (_call: unknown, cb: grpc.sendUnaryData<object>) => cb(null, {}),
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix:${sock}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err === null ? resolve() : reject(err),
      ),
    );
    await done;
    assert.deepEqual(registry.names(), ['late.csi.example.com']);
    assert.equal(registry.get('late.csi.example.com')?.endpoint, sock);
    assert.deepEqual(seen, [`late.csi.example.com=${sock}`]);
    registry.close();
  });

  it('stops retrying when the signal aborts', async () => {
    const ac = new AbortController();
    const registry = new CSIDriverRegistry();
    const done = registerCsiEndpoints(registry, [`unix://${join(dir, 'never.sock')}`], ac.signal, {
      initialDelayMs: 10,
    });
    ac.abort();
    await done;
    assert.deepEqual(registry.names(), []);
  });

  it("gives the controllers the node's drivers, except one pinned to its own controller endpoint", () => {
    const node = new CSIDriverRegistry();
    node.set('a.csi.example.com', { endpoint: '/node/a.sock', highestSupportedVersion: '1.0.0' });
    const view = controllerView(node);
    try {
      assert.deepEqual(view.registry.names(), ['a.csi.example.com'], 'drivers registered before are seen');
      node.set('b.csi.example.com', { endpoint: '/node/b.sock', highestSupportedVersion: '1.0.0' });
      view.pin('b.csi.example.com');
      view.registry.set('b.csi.example.com', { endpoint: '/ctrl/b.sock', highestSupportedVersion: '1.0.0' });
      node.set('b.csi.example.com', { endpoint: '/node/b2.sock', highestSupportedVersion: '1.0.0' });
      node.delete('b.csi.example.com');
      assert.equal(
        view.registry.get('b.csi.example.com')?.endpoint,
        '/ctrl/b.sock',
        'the pinned endpoint stays',
      );
      node.delete('a.csi.example.com');
      assert.deepEqual(
        view.registry.names(),
        ['b.csi.example.com'],
        'a node deregistration reaches the view',
      );
    } finally {
      view.close();
      node.close();
    }
  });
});
