// Drives CsiClient against a tiny grpc-js CSI Identity+Node server on a unix socket in a temp dir.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { metricsRegistry } from '../component/index.ts';
import type { IdentityHandlers, NodeHandlers } from './index.ts';
import {
  CsiClient,
  csiTarget,
  isCsiCanceled,
  isCsiDeadlineExceeded,
  isCsiError,
  isCsiNotFound,
  isFinalCsiError,
  loadCsiProto,
} from './index.ts';

describe('CsiClient', () => {
  let dir: string;
  let sock: string;
  let server: grpc.Server;
  let client: CsiClient;
  const published: Array<{ volume_id: string; target_path: string; secrets: Record<string, string> }> = [];
  const hung: Array<grpc.ServerUnaryCall<unknown, unknown>> = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kvol-csi-'));
    sock = join(dir, 'csi.sock');
    const v1 = loadCsiProto().csi.v1;
    server = new grpc.Server();
    const identity: Partial<IdentityHandlers> = {
      GetPluginInfo: (_call, cb) => cb(null, { name: 'test.csi.kvol.io', vendor_version: '0.0.1' }),
      Probe: (_call, cb) => cb(null, { ready: { value: true } }),
      // Never answers: the client's deadline must end the call.
      GetPluginCapabilities: (call) => {
        hung.push(call as unknown as grpc.ServerUnaryCall<unknown, unknown>);
      },
    };
    const node: Partial<NodeHandlers> = {
      NodeGetInfo: (_call, cb) =>
        cb(null, {
          node_id: 'node-1',
          max_volumes_per_node: '7',
          accessible_topology: { segments: { zone: 'z1' } },
        }),
      NodePublishVolume: (call, cb) => {
        const req = call.request;
        if (req.volume_id === 'missing') {
          cb({ code: grpc.status.NOT_FOUND, details: 'volume missing not found' });
          return;
        }
        published.push({ volume_id: req.volume_id, target_path: req.target_path, secrets: req.secrets });
        cb(null, {});
      },
    };
    server.addService(v1.Identity.service, identity as unknown as grpc.UntypedServiceImplementation);
    server.addService(v1.Node.service, node as unknown as grpc.UntypedServiceImplementation);
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(`unix://${sock}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err === null ? resolve() : reject(err),
      );
    });
    client = new CsiClient(`unix://${sock}`);
  });

  after(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the plugin name and readiness over the socket', async () => {
    const info = await client.getPluginInfo();
    assert.equal(info.name, 'test.csi.kvol.io');
    assert.equal(info.vendor_version, '0.0.1');
    client.setDriverName(info.name);
    const probe = await client.probe();
    assert.equal(probe.ready?.value, true);
  });

  it('decodes NodeGetInfo with int64 as a string and topology segments', async () => {
    const res = await client.nodeGetInfo();
    assert.equal(res.node_id, 'node-1');
    assert.equal(res.max_volumes_per_node, '7');
    assert.deepEqual(res.accessible_topology?.segments, { zone: 'z1' });
  });

  it('sends NodePublishVolume fields, secrets included, to the driver', async () => {
    await client.nodePublishVolume({
      volume_id: 'vol-1',
      target_path: join(dir, 'target'),
      volume_capability: { mount: { fs_type: 'ext4' }, access_mode: { mode: 'SINGLE_NODE_WRITER' } },
      secrets: { password: 'hunter2' },
    });
    assert.deepEqual(published.at(-1), {
      volume_id: 'vol-1',
      target_path: join(dir, 'target'),
      secrets: { password: 'hunter2' },
    });
  });

  it('maps a NOT_FOUND status to a CsiError that isCsiNotFound recognises and that leaks no secrets', async () => {
    const err = await client
      .nodePublishVolume({ volume_id: 'missing', target_path: '/t', secrets: { password: 'hunter2' } })
      .then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      );
    assert.ok(isCsiError(err));
    assert.ok(isCsiNotFound(err));
    assert.equal(err.code, grpc.status.NOT_FOUND);
    assert.equal(err.method, '/csi.v1.Node/NodePublishVolume');
    assert.equal(err.details, 'volume missing not found');
    assert.ok(isFinalCsiError(err));
    assert.doesNotMatch(`${err.message} ${JSON.stringify(err)}`, /hunter2/);
  });

  it('fails a call the driver never answers with DEADLINE_EXCEEDED after timeoutMs', async () => {
    const err = await client.getPluginCapabilities({ timeoutMs: 100 }).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(isCsiDeadlineExceeded(err), String(err));
    assert.equal(isFinalCsiError(err), false);
  });

  it('cancels a call when its AbortSignal fires', async () => {
    const ac = new AbortController();
    const p = client.getPluginCapabilities({ signal: ac.signal, timeoutMs: 60_000 });
    setImmediate(() => ac.abort());
    const err = await p.then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(isCsiCanceled(err), String(err));
  });

  it('records csi_operations_seconds with upstream labels', async () => {
    const text = await metricsRegistry.metrics();
    assert.match(
      text,
      /csi_operations_seconds_count\{driver_name="test\.csi\.kvol\.io",method_name="\/csi\.v1\.Node\/NodePublishVolume",grpc_status_code="NotFound",migrated="false"\} 1/,
    );
    assert.match(
      text,
      /csi_operations_seconds_count\{driver_name="test\.csi\.kvol\.io",method_name="\/csi\.v1\.Identity\/GetPluginCapabilities",grpc_status_code="DeadlineExceeded",migrated="false"\} 1/,
    );
    assert.match(text, /method_name="\/csi\.v1\.Identity\/Probe",grpc_status_code="OK"/);
  });

  it('records csi_sidecar_operations_seconds, without migrated, for a client doing a sidecar job', async () => {
    const sidecar = new CsiClient(`unix://${sock}`, { driverName: 'sidecar.csi.kvol.io', sidecar: true });
    try {
      await sidecar.probe();
    } finally {
      sidecar.close();
    }
    const text = await metricsRegistry.metrics();
    assert.match(
      text,
      /csi_sidecar_operations_seconds_count\{driver_name="sidecar\.csi\.kvol\.io",method_name="\/csi\.v1\.Identity\/Probe",grpc_status_code="OK"\} 1/,
    );
    assert.doesNotMatch(text, /csi_operations_seconds_count\{driver_name="sidecar\.csi\.kvol\.io"/);
  });
});

describe('csiTarget', () => {
  it('accepts unix URLs as they are and turns a plain path into a unix target', () => {
    assert.equal(csiTarget('unix:///run/csi/csi.sock'), 'unix:///run/csi/csi.sock');
    assert.equal(csiTarget('/run/csi/csi.sock'), 'unix:/run/csi/csi.sock');
    assert.throws(() => csiTarget('tcp://127.0.0.1:10000'), /only unix sockets/);
  });
});
