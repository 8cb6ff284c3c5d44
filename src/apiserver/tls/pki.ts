// The cluster's own certificate authority and the apiserver's serving certificate, kept under
// `<dataDir>/pki/`. Made on first start and reused afterwards; the serving certificate is re-issued
// when it is missing, does not match its key or the CA, expires within 30 days, or lacks a SAN that
// is asked for. Keys are RSA 2048 made by Node's crypto (fast, native); node-forge builds and signs
// the certificates. Not safe to run twice at once on one directory (the last writer wins; each
// file is replaced atomically).

import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import type { Clock } from '../../component/index.ts';
import { realClock } from '../../component/index.ts';
import { writeFileAtomic } from './files.ts';

export const caCommonName = 'kvol-ca';
export const servingCommonName = 'kvol-apiserver';
const day = 24 * 60 * 60 * 1000;
export const caValidity = 3650 * day;
export const servingValidity = 365 * day;
/** A serving certificate that expires sooner than this is re-issued. */
export const renewBefore = 30 * day;
/** Certificates start slightly in the past so small clock differences between machines do not matter. */
const backdate = 5 * 60 * 1000;

export interface PkiOptions {
  /** More subject alternative names for the serving certificate: IP addresses or DNS names. */
  extraSans?: readonly string[];
  /** The machine hostname to put in the certificate; defaults to os.hostname(). */
  hostname?: string;
  clock?: Clock;
}

export interface Pki {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Paths of the files, for servers and tools that want them. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** The files of a data directory's PKI. */
export function pkiPaths(dataDir: string): {
  dir: string;
  caFile: string;
  caKeyFile: string;
  certFile: string;
  keyFile: string;
} {
  const dir = join(dataDir, 'pki');
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    caKeyFile: join(dir, 'ca.key'),
    certFile: join(dir, 'apiserver.crt'),
    keyFile: join(dir, 'apiserver.key'),
  };
}

interface KeyPair {
  privatePem: string;
  publicPem: string;
}

function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

/** A positive 128-bit serial number in hex (the top bit clear keeps DER from reading it as negative). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** True when the PEM key is the private half of the certificate's public key. */
function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
    return fromKey.equals(fromCert);
  } catch {
    return false;
  }
}

/** node-forge's IP parser (present at runtime, missing from its type definitions). */
const forgeIp = forge.util as unknown as { bytesFromIP(ip: string): string | null };
const ipBytes = (ip: string): string | null => forgeIp.bytesFromIP(ip);

interface San {
  type: 'dns' | 'ip';
  value: string;
}

function sanList(hostname: string, extra: readonly string[]): San[] {
  const out: San[] = [];
  const seen = new Set<string>();
  const add = (raw: string): void => {
    const v = raw.trim();
    if (v === '') return;
    const san: San = isIP(v) !== 0 ? { type: 'ip', value: v } : { type: 'dns', value: v.toLowerCase() };
    const key = san.type === 'ip' ? `ip:${ipBytes(san.value) ?? san.value}` : `dns:${san.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(san);
  };
  for (const s of ['localhost', hostname, '127.0.0.1', '::1', ...extra]) add(s);
  return out;
}

/** Whether a certificate names every wanted SAN (IPs compared as bytes, DNS names case-insensitively). */
function coversSans(cert: forge.pki.Certificate, wanted: readonly San[]): boolean {
  const ext = cert.getExtension('subjectAltName') as
    | { altNames?: { type: number; value: string }[] }
    | undefined;
  const names = ext?.altNames ?? [];
  const dns = new Set(names.filter((n) => n.type === 2).map((n) => n.value.toLowerCase()));
  const ips = new Set(names.filter((n) => n.type === 7).map((n) => n.value));
  return wanted.every((s) => (s.type === 'dns' ? dns.has(s.value) : ips.has(ipBytes(s.value) ?? '')));
}

function makeCa(now: number): { certPem: string; keyPem: string } {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now - backdate);
  cert.validity.notAfter = new Date(now + caValidity);
  const subject = [{ name: 'commonName', value: caCommonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

function makeServing(
  ca: { certPem: string; keyPem: string },
  sans: readonly San[],
  now: number,
): { certPem: string; keyPem: string } {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now - backdate);
  cert.validity.notAfter = new Date(Math.min(now + servingValidity, caCert.validity.notAfter.getTime()));
  cert.setSubject([{ name: 'commonName', value: servingCommonName }]);
  cert.setIssuer(caCert.subject.attributes);
  const caKeyId = caCert.generateSubjectKeyIdentifier().getBytes();
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: caKeyId },
    {
      name: 'subjectAltName',
      altNames: sans.map((s) => (s.type === 'dns' ? { type: 2, value: s.value } : { type: 7, ip: s.value })),
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

function usableCa(certPem: string | undefined, keyPem: string | undefined, now: number): boolean {
  if (certPem === undefined || keyPem === undefined || !keyMatches(certPem, keyPem)) return false;
  try {
    const ca = forge.pki.certificateFromPem(certPem);
    return ca.validity.notAfter.getTime() > now;
  } catch {
    return false;
  }
}

function usableServing(
  certPem: string | undefined,
  keyPem: string | undefined,
  caPem: string,
  sans: readonly San[],
  now: number,
): boolean {
  if (certPem === undefined || keyPem === undefined || !keyMatches(certPem, keyPem)) return false;
  try {
    const x509 = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!x509.checkIssued(ca) || !x509.verify(ca.publicKey)) return false;
    const cert = forge.pki.certificateFromPem(certPem);
    if (cert.validity.notAfter.getTime() - now < renewBefore) return false;
    if (cert.validity.notBefore.getTime() > now) return false;
    return coversSans(cert, sans);
  } catch {
    return false;
  }
}

/**
 * Makes sure `<dataDir>/pki/` holds a CA (`ca.crt`, `ca.key`, CN kvol-ca, 10 years) and a serving
 * certificate it signed (`apiserver.crt`, `apiserver.key`, 1 year) for localhost, the hostname,
 * 127.0.0.1, ::1 and `extraSans`. Reuses what is there when still good; idempotent. Keys are written
 * with mode 0600, certificates 0644. Synchronous: call it once at startup.
 */
export function ensurePki(dataDir: string, options: PkiOptions = {}): Pki {
  const clock = options.clock ?? realClock;
  const now = clock.now();
  const paths = pkiPaths(dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const sans = sanList((options.hostname ?? osHostname()).toLowerCase(), options.extraSans ?? []);

  let caPem = readIfExists(paths.caFile);
  let caKeyPem = readIfExists(paths.caKeyFile);
  let caChanged = false;
  if (caPem === undefined || caKeyPem === undefined || !usableCa(caPem, caKeyPem, now)) {
    const ca = makeCa(now);
    writeFileAtomic(paths.caKeyFile, ca.keyPem, 0o600);
    writeFileAtomic(paths.caFile, ca.certPem, 0o644);
    caPem = ca.certPem;
    caKeyPem = ca.keyPem;
    caChanged = true;
  }

  let certPem = readIfExists(paths.certFile);
  let keyPem = readIfExists(paths.keyFile);
  if (
    caChanged ||
    certPem === undefined ||
    keyPem === undefined ||
    !usableServing(certPem, keyPem, caPem, sans, now)
  ) {
    const serving = makeServing({ certPem: caPem, keyPem: caKeyPem }, sans, now);
    writeFileAtomic(paths.keyFile, serving.keyPem, 0o600);
    writeFileAtomic(paths.certFile, serving.certPem, 0o644);
    certPem = serving.certPem;
    keyPem = serving.keyPem;
  }
  return { caPem, certPem, keyPem, caFile: paths.caFile, certFile: paths.certFile, keyFile: paths.keyFile };
}
