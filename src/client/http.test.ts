import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import forge from 'node-forge';
import {
  isGone,
  isNotFound,
  isStatusError,
  type KubeObject,
  Resources,
  type StatusError,
} from '../api/index.ts';
import type { Clock } from '../component/index.ts';
import type { ClientWatchEvent } from './client.ts';
import { HttpClient, isConnectionError, loadKubeconfig, parseWarningHeaders } from './http.ts';

interface Seen {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Route = (req: Seen, res: http.ServerResponse) => void;

const status = (code: number, reason: string, message: string): string =>
  JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });

const pvList = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeList',
  metadata: { resourceVersion: '17' },
  items: [{ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1', resourceVersion: '12' } }],
};

/** A clock whose sleeps return at once and are recorded. */
function instantClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    now: () => 0,
    setTimer: (_ms, fn) => {
      const t = setTimeout(fn, 0);
      return { cancel: () => clearTimeout(t) };
    },
    sleep: async (ms) => {
      slept.push(ms);
    },
  };
}

describe('HttpClient', () => {
  const seen: Seen[] = [];
  let route: Route = (_req, res) => res.end();
  let server: http.Server;
  let base = '';
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kvol-client-http-'));
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const s: Seen = {
          method: req.method ?? '',
          url: new URL(req.url ?? '/', 'http://x'),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        seen.push(s);
        route(s, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient =>
    new HttpClient({ server: base, token: 'secret-token', userAgent: 'kvol-test/1.0', qps: -1, ...extra });

  it('lists with client-go query parameters, bearer token, user agent and JSON accept', async () => {
    seen.length = 0;
    route = (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(pvList));
    };
    const list = await client().resource(Resources.persistentvolumes).list({
      labelSelector: 'a=b',
      fieldSelector: 'metadata.name=pv-1',
      limit: 500,
      continue: 'tok',
      resourceVersion: '0',
      resourceVersionMatch: 'NotOlderThan',
    });
    assert.equal(list.metadata.resourceVersion, '17');
    assert.equal(list.items[0]?.metadata.name, 'pv-1');
    const req = seen[0]!;
    assert.equal(req.method, 'GET');
    assert.equal(req.url.pathname, '/api/v1/persistentvolumes');
    assert.deepEqual(Object.fromEntries(req.url.searchParams), {
      labelSelector: 'a=b',
      fieldSelector: 'metadata.name=pv-1',
      limit: '500',
      continue: 'tok',
      resourceVersion: '0',
      resourceVersionMatch: 'NotOlderThan',
    });
    assert.equal(req.headers['authorization'], 'Bearer secret-token');
    assert.equal(req.headers['user-agent'], 'kvol-test/1.0');
    assert.equal(req.headers['accept'], 'application/json');
  });

  it('builds group paths and status subresource paths and sends write parameters', async () => {
    seen.length = 0;
    route = (req, res) => res.end(req.body.startsWith('{') ? req.body : '{}');
    const c = client();
    const sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' } };
    await c
      .resource(Resources.storageclasses)
      .create(sc, { dryRun: true, fieldManager: 'me', fieldValidation: 'Strict' });
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'c', namespace: 'ns1' },
    };
    await c.resource(Resources.persistentvolumeclaims, 'ns1').updateStatus(claim);
    await c.resource(Resources.persistentvolumeclaims).update(claim);
    await c
      .resource(Resources.volumesnapshots, 'ns1')
      .patch('s', 'application/apply-patch+yaml', 'metadata:\n  name: s\n', { force: true });
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url.pathname}?${s.url.searchParams}`),
      [
        'POST /apis/storage.k8s.io/v1/storageclasses?dryRun=All&fieldManager=me&fieldValidation=Strict',
        'PUT /api/v1/namespaces/ns1/persistentvolumeclaims/c/status?',
        'PUT /api/v1/namespaces/ns1/persistentvolumeclaims/c?',
        'PATCH /apis/snapshot.storage.k8s.io/v1/namespaces/ns1/volumesnapshots/s?fieldManager=kvol-test&force=true',
      ],
    );
    assert.equal(seen[0]!.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(seen[0]!.body), sc);
    assert.equal(seen[3]!.headers['content-type'], 'application/apply-patch+yaml');
  });

  it('sends DeleteOptions as the body of a delete and reads whether the object is gone', async () => {
    seen.length = 0;
    route = (_req, res) =>
      res.end(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: {
            name: 'p',
            deletionTimestamp: '2026-01-01T00:00:00Z',
            finalizers: ['kubernetes.io/pv-protection'],
          },
        }),
      );
    const r = await client()
      .resource(Resources.persistentvolumes)
      .delete('p', { propagationPolicy: 'Background', preconditions: { uid: 'u' }, dryRun: true });
    assert.equal(r.deleted, false);
    assert.equal(seen[0]!.method, 'DELETE');
    assert.deepEqual(JSON.parse(seen[0]!.body), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      preconditions: { uid: 'u' },
      propagationPolicy: 'Background',
      dryRun: ['All'],
    });
    route = (_req, res) =>
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'p' } }));
    assert.equal((await client().resource(Resources.persistentvolumes).delete('p')).deleted, true);
  });

  it('turns a Status body into the same StatusError the server threw', async () => {
    route = (_req, res) => {
      res.statusCode = 404;
      res.end(status(404, 'NotFound', 'persistentvolumeclaims "x" not found'));
    };
    await assert.rejects(
      client().resource(Resources.persistentvolumeclaims, 'ns1').get('x'),
      (err: unknown) => {
        assert.ok(isNotFound(err));
        assert.equal((err as StatusError).message, 'persistentvolumeclaims "x" not found');
        assert.equal((err as StatusError).code, 404);
        return true;
      },
    );
  });

  it('turns a non-Status error body into a StatusError with the code and the text', async () => {
    route = (_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    };
    await assert.rejects(client().resource(Resources.persistentvolumes).get('p'), (err: unknown) => {
      assert.ok(isStatusError(err));
      assert.equal(err.code, 500);
      assert.equal(err.reason, 'InternalError');
      assert.equal(
        err.message,
        'an error on the server ("boom") has prevented the request from succeeding (get persistentvolumes p)',
      );
      assert.equal(err.status.details?.causes?.[0]?.message, 'boom');
      return true;
    });
    route = (_req, res) => {
      res.statusCode = 404;
      res.end('404 page not found');
    };
    await assert.rejects(client().resource(Resources.storageclasses).get('x'), (err: unknown) => {
      assert.ok(isNotFound(err));
      assert.equal(
        (err as Error).message,
        'the server could not find the requested resource (get storageclasses.storage.k8s.io x)',
      );
      return true;
    });
  });

  it('retries a 429 after its Retry-After', async () => {
    let calls = 0;
    route = (_req, res) => {
      calls++;
      if (calls < 3) {
        res.statusCode = 429;
        res.setHeader('Retry-After', '2');
        res.end(status(429, 'TooManyRequests', 'slow down'));
        return;
      }
      res.end(JSON.stringify(pvList));
    };
    const clock = instantClock();
    const list = await client({ clock }).resource(Resources.persistentvolumes).list();
    assert.equal(list.items.length, 1);
    assert.deepEqual(clock.slept, [2000, 2000]);
  });

  it('gives up on 429 after maxRetries', async () => {
    route = (_req, res) => {
      res.statusCode = 429;
      res.setHeader('Retry-After', '1');
      res.end(status(429, 'TooManyRequests', 'slow down'));
    };
    const clock = instantClock();
    await assert.rejects(
      client({ clock, maxRetries: 2 }).resource(Resources.persistentvolumes).list(),
      (err: unknown) => isStatusError(err) && err.code === 429,
    );
    assert.equal(clock.slept.length, 2);
  });

  it('hands Warning headers to the warning handler', async () => {
    route = (_req, res) => {
      res.setHeader('Warning', ['299 - "v1beta1 is deprecated"', '299 - "second \\"quoted\\""']);
      res.end(JSON.stringify(pvList));
    };
    const warnings: string[] = [];
    await client({ onWarning: (w) => warnings.push(w) })
      .resource(Resources.persistentvolumes)
      .list();
    assert.deepEqual(warnings, ['v1beta1 is deprecated', 'second "quoted"']);
    assert.deepEqual(parseWarningHeaders(['299 - "a", 299 - "b"']), ['a', 'b']);
  });

  it('reads newline-delimited watch events from a chunked response until the server ends it', async () => {
    seen.length = 0;
    route = (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.flushHeaders();
      const added = JSON.stringify({
        type: 'ADDED',
        object: { metadata: { name: 'a', resourceVersion: '5' } },
      });
      res.write(`${added}\n{"type":"MODIFIED","obj`);
      setTimeout(() => {
        res.write('ect":{"metadata":{"name":"a","resourceVersion":"6"}}}\n');
        res.write(
          `${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } })}\n`,
        );
        res.end(
          `${JSON.stringify({ type: 'ERROR', object: JSON.parse(status(410, 'Expired', 'too old resource version: 1 (5)')) })}\n`,
        );
      }, 10);
    };
    const events: ClientWatchEvent[] = [];
    await client()
      .resource(Resources.persistentvolumes)
      .watch(
        { resourceVersion: '4', allowWatchBookmarks: true, timeoutSeconds: 300, labelSelector: 'x=y' },
        (ev) => events.push(ev),
        new AbortController().signal,
      );
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.object.metadata?.resourceVersion ?? ''}`),
      ['ADDED 5', 'MODIFIED 6', 'BOOKMARK 9', 'ERROR '],
    );
    const last = events[3]!;
    assert.ok(last.type === 'ERROR' && last.object.code === 410);
    assert.deepEqual(Object.fromEntries(seen[0]!.url.searchParams), {
      labelSelector: 'x=y',
      resourceVersion: '4',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '300',
      watch: 'true',
    });
  });

  it('ends a watch quietly when its signal aborts', async () => {
    route = (_req, res) => {
      res.flushHeaders();
      res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } })}\n`);
    };
    const ac = new AbortController();
    const events: ClientWatchEvent[] = [];
    const done = client()
      .resource(Resources.persistentvolumes)
      .watch(
        {},
        (ev) => {
          events.push(ev);
          ac.abort();
        },
        ac.signal,
      );
    await done;
    assert.equal(events.length, 1);
  });

  it('rejects a watch the server refuses with 410 as Expired', async () => {
    route = (_req, res) => {
      res.statusCode = 410;
      res.end(status(410, 'Expired', 'too old resource version: 1 (5)'));
    };
    await assert.rejects(
      client()
        .resource(Resources.persistentvolumes)
        .watch({ resourceVersion: '1' }, () => {}, new AbortController().signal),
      isGone,
    );
  });

  it('reports a refused connection as a ConnectionError', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    await assert.rejects(
      new HttpClient({ server: `http://127.0.0.1:${port}`, qps: -1 })
        .resource(Resources.persistentvolumes)
        .list(),
      (err: unknown) => isConnectionError(err) && err.code === 503,
    );
  });

  it('reads server, CA, token and namespace from the current context of a kubeconfig', async () => {
    const path = join(dir, 'kubeconfig');
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: kvol',
        'clusters:',
        '- name: other',
        '  cluster: {server: "https://wrong:1"}',
        '- name: kvol',
        '  cluster:',
        `    server: ${base}`,
        `    certificate-authority-data: ${Buffer.from(ca).toString('base64')}`,
        'contexts:',
        '- name: kvol',
        '  context: {cluster: kvol, user: admin, namespace: apps}',
        'users:',
        '- name: admin',
        '  user: {token: kubeconfig-token}',
      ].join('\n'),
    );
    const cfg = loadKubeconfig(path);
    assert.equal(cfg.server, base);
    assert.equal(cfg.caData, ca);
    assert.equal(cfg.token, 'kubeconfig-token');
    assert.equal(cfg.namespace, 'apps');
    seen.length = 0;
    route = (_req, res) => res.end(JSON.stringify(pvList));
    await HttpClient.fromKubeconfig(path, { qps: -1 }).resource(Resources.persistentvolumes).list();
    assert.equal(seen[0]!.headers['authorization'], 'Bearer kubeconfig-token');
  });
});

describe('HttpClient over HTTPS', () => {
  let server: https.Server;
  let base = '';
  let caPem = '';

  before(async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(Date.now() - 3600_000);
    cert.validity.notAfter = new Date(Date.now() + 3600_000);
    const attrs = [{ name: 'commonName', value: 'kvol-test' }];
    cert.setSubject(attrs);
    cert.setIssuer(attrs);
    cert.setExtensions([
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ]);
    cert.sign(forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
    caPem = forge.pki.certificateToPem(cert);
    server = https.createServer({ key: keyPem, cert: caPem }, (_req, res) => res.end(JSON.stringify(pvList)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('trusts the server through the configured CA', async () => {
    const c = new HttpClient({ server: base, caData: caPem, qps: -1 });
    assert.equal((await c.resource(Resources.persistentvolumes).list()).items.length, 1);
    c.close();
  });

  it('refuses a server its CA did not sign', async () => {
    const c = new HttpClient({ server: base, qps: -1 });
    await assert.rejects(c.resource(Resources.persistentvolumes).list(), isConnectionError);
    c.close();
  });
});
