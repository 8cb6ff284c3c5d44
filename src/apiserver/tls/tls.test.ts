import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { get, createServer as httpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { Clock } from '../../component/index.ts';
import { realClock } from '../../component/index.ts';
import { writeFileAtomic } from './files.ts';
import {
  adminUser,
  ensureAdminToken,
  ensurePki,
  pkiPaths,
  readTokenFile,
  TokenAuthenticator,
  tokenFilePath,
  writeKubeconfig,
  writeTokenFile,
} from './index.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kvol-tls-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const day = 24 * 60 * 60 * 1000;
const fixedClock = (ms: number): Clock => ({ ...realClock, now: () => ms });
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('ensurePki', () => {
  it('makes a CA and a serving certificate that verifies against it with the standard SANs', async () => {
    const dir = tempDir();
    const pki = await ensurePki(dir, { hostname: 'box.example', extraSans: ['10.1.2.3', 'api.kvol.test'] });
    const ca = new X509Certificate(pki.caPem);
    const cert = new X509Certificate(pki.certPem);
    assert.equal(ca.subject, 'CN=kvol-ca');
    assert.equal(ca.ca, true);
    assert.ok(cert.checkIssued(ca));
    assert.ok(cert.verify(ca.publicKey));
    const san = cert.subjectAltName ?? '';
    for (const want of [
      'DNS:localhost',
      'DNS:box.example',
      'DNS:api.kvol.test',
      'IP Address:127.0.0.1',
      'IP Address:10.1.2.3',
    ]) {
      assert.ok(san.includes(want), `${want} in ${san}`);
    }
    assert.match(san, /IP Address:(0:0:0:0:0:0:0:1|::1)/);
    assert.ok(cert.checkIP('127.0.0.1'));
    const validDays = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / day;
    assert.ok(validDays > 3649 && validDays < 3651, `CA valid for ${validDays} days`);
    const certDays = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / day;
    assert.ok(certDays > 364 && certDays < 366, `serving cert valid for ${certDays} days`);
  });

  it('writes the files with keys readable only by the owner', async () => {
    const dir = tempDir();
    await ensurePki(dir);
    const p = pkiPaths(dir);
    assert.equal(mode(p.caKeyFile), 0o600);
    assert.equal(mode(p.keyFile), 0o600);
    assert.equal(readFileSync(p.caFile, 'utf8').startsWith('-----BEGIN CERTIFICATE-----'), true);
  });

  it('reuses the files on a second start', async () => {
    const dir = tempDir();
    const first = await ensurePki(dir, { hostname: 'h' });
    const second = await ensurePki(dir, { hostname: 'h' });
    assert.deepEqual(second, first);
  });

  it('re-issues the serving certificate for a new SAN but keeps the CA', async () => {
    const dir = tempDir();
    const first = await ensurePki(dir, { hostname: 'h' });
    const second = await ensurePki(dir, { hostname: 'h', extraSans: ['192.168.7.7'] });
    assert.equal(second.caPem, first.caPem);
    assert.notEqual(second.certPem, first.certPem);
    assert.ok(new X509Certificate(second.certPem).checkIP('192.168.7.7'));
    const third = await ensurePki(dir, { hostname: 'h', extraSans: ['192.168.7.7'] });
    assert.equal(third.certPem, second.certPem);
  });

  it('re-issues the serving certificate within 30 days of expiry, not before', async () => {
    const dir = tempDir();
    const t0 = Date.now();
    const first = await ensurePki(dir, { hostname: 'h', clock: fixedClock(t0) });
    const later = await ensurePki(dir, { hostname: 'h', clock: fixedClock(t0 + 300 * day) });
    assert.equal(later.certPem, first.certPem);
    const renewed = await ensurePki(dir, { hostname: 'h', clock: fixedClock(t0 + 340 * day) });
    assert.notEqual(renewed.certPem, first.certPem);
    assert.equal(renewed.caPem, first.caPem);
  });

  it('re-issues a serving certificate whose key file does not match it', async () => {
    const dir = tempDir();
    const first = await ensurePki(dir, { hostname: 'h' });
    const p = pkiPaths(dir);
    // Put the CA key where the serving key belongs: the pair no longer matches.
    const caKey = readFileSync(p.caKeyFile, 'utf8');
    writeFileAtomic(p.keyFile, caKey, 0o600);
    const second = await ensurePki(dir, { hostname: 'h' });
    assert.notEqual(second.certPem, first.certPem);
    assert.notEqual(second.keyPem, caKey);
  });

  it('serves TLS that a client trusting only the CA accepts', async () => {
    const dir = tempDir();
    const pki = await ensurePki(dir);
    const server = httpsServer({ cert: pki.certPem, key: pki.keyPem }, (_req, res) => {
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const fetchWith = (ca: string | undefined, host: string): Promise<string> =>
        new Promise((resolve, reject) => {
          const req = get({ host, port, path: '/', ...(ca === undefined ? {} : { ca }) }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => {
              body += c.toString();
            });
            res.on('end', () => resolve(body));
          });
          req.on('error', reject);
        });
      assert.equal(await fetchWith(pki.caPem, '127.0.0.1'), 'ok');
      assert.equal(await fetchWith(pki.caPem, 'localhost'), 'ok');
      await assert.rejects(fetchWith(undefined, '127.0.0.1'));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('tokens', () => {
  it('creates one admin token and returns the same one afterwards', () => {
    const dir = tempDir();
    const token = ensureAdminToken(dir);
    assert.match(token, /^[0-9a-f]{64}$/);
    assert.equal(ensureAdminToken(dir), token);
    assert.equal(mode(tokenFilePath(dir)), 0o600);
    const entries = readTokenFile(tokenFilePath(dir));
    assert.deepEqual(entries, [{ token, user: adminUser, uid: adminUser, groups: ['system:masters'] }]);
  });

  it('reads the kube-apiserver token file format with quoted groups', () => {
    const dir = tempDir();
    const path = join(dir, 'tokens.csv');
    writeTokenFile(path, [
      { token: 't1', user: 'alice', uid: '1', groups: ['a', 'b'] },
      { token: 't2', user: 'bob', uid: '2', groups: [] },
    ]);
    assert.equal(readFileSync(path, 'utf8'), 't1,alice,1,"a,b"\nt2,bob,2,\n');
    assert.deepEqual(
      readTokenFile(path).map((e) => [e.user, e.groups]),
      [
        ['alice', ['a', 'b']],
        ['bob', []],
      ],
    );
  });

  it('authenticates the admin token and rejects anything else', () => {
    const dir = tempDir();
    const token = ensureAdminToken(dir);
    const auth = TokenAuthenticator.fromDataDir(dir);
    assert.deepEqual(auth.authenticate(`Bearer ${token}`), {
      user: adminUser,
      uid: adminUser,
      groups: ['system:masters'],
    });
    assert.equal(auth.authenticate(`bearer ${token}`)?.user, adminUser);
    const other = `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    assert.equal(auth.authenticate(`Bearer ${other}`), undefined);
    assert.equal(auth.authenticate(`Bearer ${token}x`), undefined);
    assert.equal(auth.authenticate('Bearer '), undefined);
    assert.equal(auth.authenticate(`Basic ${token}`), undefined);
    assert.equal(auth.authenticate(token), undefined);
    assert.equal(auth.authenticate(undefined), undefined);
  });
});

describe('writeKubeconfig', () => {
  it('writes a standard kubeconfig with the CA inline, mode 0600', async () => {
    const dir = tempDir();
    const pki = await ensurePki(dir);
    const path = join(dir, 'kubeconfig');
    writeKubeconfig(path, {
      server: 'https://127.0.0.1:6443',
      caPem: pki.caPem,
      token: 'abc',
      namespace: 'dev',
    });
    assert.equal(mode(path), 0o600);
    const cfg = parse(readFileSync(path, 'utf8'));
    assert.equal(cfg.apiVersion, 'v1');
    assert.equal(cfg.kind, 'Config');
    assert.equal(cfg['current-context'], 'kvol');
    assert.deepEqual(cfg.clusters[0].name, 'kvol');
    assert.equal(cfg.clusters[0].cluster.server, 'https://127.0.0.1:6443');
    assert.equal(
      Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
      pki.caPem,
    );
    assert.deepEqual(cfg.users, [{ name: 'kvol-admin', user: { token: 'abc' } }]);
    assert.deepEqual(cfg.contexts, [
      { name: 'kvol', context: { cluster: 'kvol', user: 'kvol-admin', namespace: 'dev' } },
    ]);
  });

  it('leaves the namespace out of the context when none is given', () => {
    const dir = tempDir();
    const path = join(dir, 'kubeconfig');
    writeKubeconfig(path, {
      server: 'https://h:1',
      caPem: 'x',
      token: 't',
      clusterName: 'c',
      userName: 'u',
      contextName: 'ctx',
    });
    const cfg = parse(readFileSync(path, 'utf8'));
    assert.deepEqual(cfg.contexts, [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }]);
    assert.equal(cfg['current-context'], 'ctx');
  });
});
