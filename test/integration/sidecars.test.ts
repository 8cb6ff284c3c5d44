// The API server as the upstream CSI sidecars (client-go programs) use it, request by request as
// shared/reference/api-clients.md records them: informer LIST+WATCH with their exact query strings,
// merge-patch of VolumeAttachment status (csi-attacher), strategic-merge patch of PVC status with
// $setElementOrder, a $patch:delete directive and an embedded resourceVersion precondition
// (csi-resizer), JSON patch with the lenient `replace` on a missing member (csi-snapshotter), DELETE
// with a DeleteOptions body, CSIStorageCapacity label-selector lists and 422 on an invalid name, Lease
// MicroTime precision and finalizer-aware deletion. Plain HTTP, JSON only, as the sidecars send it.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type RunningApiServer, startApiServer } from '../../src/apiserver/index.ts';
import { openBackend } from '../../src/storage/index.ts';

interface Reply {
  status: number;
  body: Record<string, unknown> & { metadata?: Record<string, unknown> };
  contentType: string;
}

let srv: RunningApiServer;

function send(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {
      accept: 'application/json, */*',
      'user-agent': 'csi-attacher/v0.0.0 (linux/amd64) kubernetes/$Format',
    };
    if (payload !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const req = request(`${srv.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({
          status: res.statusCode ?? 0,
          body: text === '' ? {} : (JSON.parse(text) as Reply['body']),
          contentType: String(res.headers['content-type'] ?? ''),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Opens a watch the way a client-go reflector does and collects its events until `stop`. */
function watch(path: string): { events: Array<{ type: string; object: Reply['body'] }>; stop: () => void } {
  const events: Array<{ type: string; object: Reply['body'] }> = [];
  let buf = '';
  const req = request(`${srv.url}${path}`, { headers: { accept: 'application/json, */*' } }, (res) => {
    res.on('data', (b: Buffer) => {
      buf += b.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line !== '') events.push(JSON.parse(line) as { type: string; object: Reply['body'] });
        nl = buf.indexOf('\n');
      }
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return { events, stop: () => req.destroy() };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const rv = (r: Reply): string => String(r.body.metadata?.['resourceVersion'] ?? '');

describe('the API server as the upstream CSI sidecars use it', { timeout: 60_000 }, () => {
  before(async () => {
    srv = await startApiServer({ store: 'memory://', port: 0, backend: await openBackend('memory://') });
  });
  after(async () => {
    await srv.close();
  });

  it('serves an informer LIST with resourceVersion=0 and limit=500, then a watch from its version', async () => {
    const list = await send('GET', '/apis/storage.k8s.io/v1/volumeattachments?limit=500&resourceVersion=0');
    assert.equal(list.status, 200);
    assert.match(list.contentType, /^application\/json/);
    assert.equal(list.body['kind'], 'VolumeAttachmentList');
    const from = rv(list);
    assert.notEqual(from, '');
    const w = watch(
      `/apis/storage.k8s.io/v1/volumeattachments?allowWatchBookmarks=true&resourceVersion=${from}&timeout=8m19s&timeoutSeconds=499&watch=true`,
    );
    try {
      const created = await send('POST', '/apis/storage.k8s.io/v1/volumeattachments', {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'VolumeAttachment',
        metadata: { name: 'csi-watched' },
        spec: { attacher: 'hostpath.csi.k8s.io', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } },
      });
      assert.equal(created.status, 201);
      await until(() => w.events.some((e) => e.type === 'ADDED'), 'the ADDED event');
      const added = w.events.find((e) => e.type === 'ADDED');
      assert.equal(added?.object.metadata?.['name'], 'csi-watched');
    } finally {
      w.stop();
    }
  });

  it('applies csi-attacher merge patches to volumeattachments and their status', async () => {
    await send('POST', '/apis/storage.k8s.io/v1/volumeattachments', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'VolumeAttachment',
      metadata: { name: 'csi-attach' },
      spec: { attacher: 'hostpath.csi.k8s.io', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } },
    });
    const fin = await send(
      'PATCH',
      '/apis/storage.k8s.io/v1/volumeattachments/csi-attach',
      { metadata: { finalizers: ['external-attacher/hostpath-csi-k8s-io'] } },
      'application/merge-patch+json',
    );
    assert.equal(fin.status, 200);
    assert.deepEqual(fin.body.metadata?.['finalizers'], ['external-attacher/hostpath-csi-k8s-io']);
    const st = await send(
      'PATCH',
      '/apis/storage.k8s.io/v1/volumeattachments/csi-attach/status',
      { status: { attached: true, attachmentMetadata: { devicePath: '/dev/x' } } },
      'application/merge-patch+json',
    );
    assert.equal(st.status, 200);
    assert.deepEqual(st.body['status'], { attached: true, attachmentMetadata: { devicePath: '/dev/x' } });
    // DELETE with the body client-go sends: the finalizer keeps the object, marked for deletion.
    const del = await send('DELETE', '/apis/storage.k8s.io/v1/volumeattachments/csi-attach', {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
    });
    assert.ok(del.status === 200 || del.status === 202, `DELETE answered ${del.status}`);
    const held = await send('GET', '/apis/storage.k8s.io/v1/volumeattachments/csi-attach');
    assert.equal(held.status, 200);
    assert.ok(
      held.body.metadata?.['deletionTimestamp'],
      'deletionTimestamp is set while the finalizer stays',
    );
    const released = await send(
      'PATCH',
      '/apis/storage.k8s.io/v1/volumeattachments/csi-attach',
      { metadata: { finalizers: null } },
      'application/merge-patch+json',
    );
    assert.equal(released.status, 200);
    assert.equal((await send('GET', '/apis/storage.k8s.io/v1/volumeattachments/csi-attach')).status, 404);
  });

  it('applies csi-resizer strategic-merge patches to PVC status with directives and a version precondition', async () => {
    const pvc = await send('POST', '/api/v1/namespaces/default/persistentvolumeclaims', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'grow' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    assert.equal(pvc.status, 201);
    const resizing = await send(
      'PATCH',
      '/api/v1/namespaces/default/persistentvolumeclaims/grow/status',
      {
        metadata: { resourceVersion: rv(pvc) },
        status: {
          conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: '2026-11-21T12:00:00Z' }],
        },
      },
      'application/strategic-merge-patch+json',
    );
    assert.equal(resizing.status, 200, JSON.stringify(resizing.body));
    const stale = await send(
      'PATCH',
      '/api/v1/namespaces/default/persistentvolumeclaims/grow/status',
      { metadata: { resourceVersion: rv(pvc) }, status: { capacity: { storage: '2Gi' } } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(stale.status, 409, 'a stale embedded resourceVersion is a Conflict');
    assert.equal(stale.body['reason'], 'Conflict');
    const done = await send(
      'PATCH',
      '/api/v1/namespaces/default/persistentvolumeclaims/grow/status',
      {
        metadata: { resourceVersion: rv(resizing) },
        status: {
          '$setElementOrder/conditions': [{ type: 'FileSystemResizePending' }],
          conditions: [
            { type: 'FileSystemResizePending', status: 'True', lastTransitionTime: '2026-11-21T12:00:01Z' },
            { $patch: 'delete', type: 'Resizing' },
          ],
        },
      },
      'application/strategic-merge-patch+json',
    );
    assert.equal(done.status, 200, JSON.stringify(done.body));
    const conds = (done.body['status'] as { conditions: Array<{ type: string }> }).conditions;
    assert.deepEqual(
      conds.map((c) => c.type),
      ['FileSystemResizePending'],
    );
  });

  it('applies csi-snapshotter JSON patches, treating replace of a missing member as add', async () => {
    await send('POST', '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents', {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotContent',
      metadata: { name: 'snapcontent-1' },
      spec: {
        deletionPolicy: 'Delete',
        driver: 'hostpath.csi.k8s.io',
        source: { volumeHandle: 'vol-1' },
        volumeSnapshotRef: { name: 'snap-1', namespace: 'default', uid: 'u-1' },
      },
    });
    const patched = await send(
      'PATCH',
      '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/snapcontent-1',
      [
        {
          op: 'replace',
          path: '/metadata/annotations',
          value: { 'snapshot.storage.kubernetes.io/volumesnapshot-being-created': 'yes' },
        },
        // With no finalizers yet, upstream adds the whole array (`/-` only appends to an existing one).
        {
          op: 'add',
          path: '/metadata/finalizers',
          value: ['snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection'],
        },
        { op: 'add', path: '/metadata/finalizers/-', value: 'example.com/second' },
      ],
      'application/json-patch+json',
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.metadata?.['annotations'], {
      'snapshot.storage.kubernetes.io/volumesnapshot-being-created': 'yes',
    });
    const removed = await send(
      'PATCH',
      '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/snapcontent-1',
      [
        {
          op: 'remove',
          path: '/metadata/annotations/snapshot.storage.kubernetes.io~1volumesnapshot-being-created',
        },
      ],
      'application/json-patch+json',
    );
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body.metadata?.['annotations'] ?? {}, {});
    // Status is written with PUT on the status subresource.
    const st = await send(
      'PUT',
      '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/snapcontent-1/status',
      {
        ...removed.body,
        status: {
          snapshotHandle: 'snap-h',
          readyToUse: true,
          restoreSize: 1048576,
          creationTime: 1763726400000000000,
        },
      },
    );
    assert.equal(st.status, 200, JSON.stringify(st.body));
    assert.equal((st.body['status'] as { readyToUse: boolean }).readyToUse, true);
  });

  it('lists CSIStorageCapacity by label selector and refuses an invalid name with 422', async () => {
    const capacity = (name: string, labels: Record<string, string>) => ({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIStorageCapacity',
      metadata: { name, namespace: 'default', labels },
      storageClassName: 'fast',
      capacity: '10Gi',
    });
    const mine = {
      'csi.storage.k8s.io/drivername': 'hostpath.csi.k8s.io',
      'csi.storage.k8s.io/managed-by': 'external-provisioner',
    };
    assert.equal(
      (
        await send(
          'POST',
          '/apis/storage.k8s.io/v1/namespaces/default/csistoragecapacities',
          capacity('csisc-a', mine),
        )
      ).status,
      201,
    );
    assert.equal(
      (
        await send(
          'POST',
          '/apis/storage.k8s.io/v1/namespaces/default/csistoragecapacities',
          capacity('csisc-b', { other: 'x' }),
        )
      ).status,
      201,
    );
    const sel = encodeURIComponent(
      'csi.storage.k8s.io/drivername=hostpath.csi.k8s.io,csi.storage.k8s.io/managed-by=external-provisioner',
    );
    const list = await send(
      'GET',
      `/apis/storage.k8s.io/v1/csistoragecapacities?labelSelector=${sel}&limit=500&resourceVersion=0`,
    );
    assert.equal(list.status, 200);
    assert.deepEqual(
      (list.body['items'] as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name),
      ['csisc-a'],
    );
    const bad = await send(
      'POST',
      '/apis/storage.k8s.io/v1/namespaces/default/csistoragecapacities',
      capacity('Not_Valid', mine),
    );
    assert.equal(bad.status, 422);
    assert.equal(bad.body['reason'], 'Invalid');
  });

  it('keeps Lease MicroTime with six fractional digits and enforces resourceVersion on PUT', async () => {
    const missing = await send(
      'GET',
      '/apis/coordination.k8s.io/v1/namespaces/default/leases/external-attacher-leader-x',
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.body['reason'], 'NotFound');
    const created = await send('POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'external-attacher-leader-x' },
      spec: {
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        acquireTime: '2026-11-21T12:23:53.685334Z',
        renewTime: '2026-11-21T12:23:53.685334Z',
      },
    });
    assert.equal(created.status, 201);
    assert.equal((created.body['spec'] as { renewTime: string }).renewTime, '2026-11-21T12:23:53.685334Z');
    const renewed = await send(
      'PUT',
      '/apis/coordination.k8s.io/v1/namespaces/default/leases/external-attacher-leader-x',
      {
        ...created.body,
        spec: { ...(created.body['spec'] as object), renewTime: '2026-11-21T12:23:58.000001Z' },
      },
    );
    assert.equal(renewed.status, 200);
    assert.notEqual(rv(renewed), rv(created));
    const stale = await send(
      'PUT',
      '/apis/coordination.k8s.io/v1/namespaces/default/leases/external-attacher-leader-x',
      created.body,
    );
    assert.equal(stale.status, 409);
  });
});
