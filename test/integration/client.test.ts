// The client library against the real API server (not the fake store): the in-process client over the
// registry, and an informer over HTTP that lives through a server restart with compacted history,
// relisting after the 410 and reporting what it missed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type KubeObject, Resources } from '../../src/api/index.ts';
import { type RunningApiServer, startApiServer } from '../../src/apiserver/index.ts';
import { HttpClient, InProcessClient, SharedIndexInformer } from '../../src/client/index.ts';
import { openBackend } from '../../src/storage/index.ts';

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cm = (name: string, data: Record<string, string> = { k: 'v' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data,
});

describe('client library against the API server', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvol-client-'));
  const store = `sqlite://${join(dir, 'kvol.db')}`;
  const servers: RunningApiServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, reads, patches and deletes through the in-process client with registry semantics', async () => {
    const srv = await startApiServer({ store: 'memory://', backend: await openBackend('memory://') });
    servers.push(srv);
    const client = new InProcessClient(srv.registry);
    const pvcs = client.resource(Resources.persistentvolumeclaims, 'default');
    const created = await pvcs.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'c1' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    assert.deepEqual(created.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    assert.equal((created['spec'] as { volumeMode: string }).volumeMode, 'Filesystem');
    const patched = await pvcs.patch('c1', 'application/strategic-merge-patch+json', {
      metadata: { labels: { a: 'b' } },
    });
    assert.equal(patched.metadata.labels?.['a'], 'b');
    await assert.rejects(
      pvcs.update({ ...created, metadata: { ...created.metadata, labels: { x: 'y' } } }),
      (err: Error & { code?: number }) => err.code === 409,
    );
    const del = await pvcs.delete('c1');
    assert.equal(del.deleted, false, 'the protection finalizer holds the claim');
    await pvcs.patch('c1', 'application/merge-patch+json', { metadata: { finalizers: null } });
    await assert.rejects(pvcs.get('c1'), (err: Error & { code?: number }) => err.code === 404);
  });

  it('keeps an informer in step across a restart whose history was compacted', async () => {
    const srv1 = await startApiServer({ store });
    servers.push(srv1);
    const port = srv1.port;
    const client = new HttpClient({ server: srv1.url, qps: -1 });
    const informer = new SharedIndexInformer(client.resource(Resources.configmaps));
    const added: string[] = [];
    const deleted: { name: string; unknown: boolean }[] = [];
    informer.addEventHandler({
      onAdd: (o) => added.push(o.metadata.name ?? ''),
      onUpdate: () => {},
      onDelete: (o, unknown) => deleted.push({ name: o.metadata.name ?? '', unknown }),
    });
    const ac = new AbortController();
    informer.start(ac.signal);
    try {
      assert.equal(await informer.waitForSync(ac.signal), true);
      await client.resource(Resources.configmaps, 'default').create(cm('before'));
      await until(() => added.includes('before'), 'the informer to see the create');

      await srv1.close();
      // While the server is down, history moves on and is compacted away (another server on another
      // port does the writes, so the informer cannot see them live).
      const offline = await startApiServer({ store });
      const inproc = new InProcessClient(offline.registry);
      await inproc.resource(Resources.configmaps, 'default').create(cm('during'));
      await inproc.resource(Resources.configmaps, 'default').delete('before');
      await offline.compact(offline.registry.cache.revision);
      await offline.close();
      const srv2 = await startApiServer({ store, port });
      servers.push(srv2);

      await until(() => added.includes('during'), 'the informer to relist and see the new object');
      await until(() => deleted.some((d) => d.name === 'before'), 'the informer to notice the deletion');
      const keys = informer
        .list()
        .map((o) => o.metadata.name)
        .sort();
      assert.deepEqual(keys, ['during']);
    } finally {
      ac.abort();
      informer.stop();
    }
  });
});
