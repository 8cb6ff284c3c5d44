// The cluster's own certificate authority and the apiserver's serving certificate, kept under
// `<dataDir>/pki/`. Made on first start and reused afterwards; the serving certificate is re-issued
// when it is missing, does not match its key or the CA, expires within 30 days, or lacks a SAN that
// is asked for. Keys are RSA 2048 and signatures are made by Node's native crypto (forge's pure-JS
// RSA is slow); node-forge builds the certificates. Not safe to run twice at once on one directory
// (the last writer wins; each file is replaced atomically).

import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  privateEncrypt,
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

/** RSA 2048 from Node's native crypto, on the libuv thread pool (forge's pure-JS keygen takes seconds). */
function newKeyPair(): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      },
      (err, publicKey, privateKey) => {
        if (err !== null) reject(err);
        else resolve({ privatePem: privateKey, publicPem: publicKey });
      },
    );
  });
}

/** DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256. */
const sha256DigestInfo = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * Signs a forge certificate with Node's native RSA: forge builds the TBSCertificate and hashes it,
 * then hands the digest to this key, which does the PKCS#1 v1.5 private-key operation.
 */
function signCertificate(cert: forge.pki.Certificate, signerKeyPem: string): void {
  const nativeKey = {
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      const block = Buffer.concat([sha256DigestInfo, digest]);
      return privateEncrypt({ key: signerKeyPem, padding: constants.RSA_PKCS1_PADDING }, block).toString(
        'binary',
      );
    },
  };
  cert.sign(nativeKey as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
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

function makeCa(keys: KeyPair, now: number): { certPem: string; keyPem: string } {
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
  signCertificate(cert, keys.privatePem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

function makeServing(
  ca: { certPem: string; keyPem: string },
  keys: KeyPair,
  sans: readonly San[],
  now: number,
): { certPem: string; keyPem: string } {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
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
  signCertificate(cert, ca.keyPem);
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
 * with mode 0600, certificates 0644. Call it once at startup; new keys are made in parallel.
 */
export async function ensurePki(dataDir: string, options: PkiOptions = {}): Promise<Pki> {
  const clock = options.clock ?? realClock;
  const now = clock.now();
  const paths = pkiPaths(dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const sans = sanList((options.hostname ?? osHostname()).toLowerCase(), options.extraSans ?? []);

  let caPem = readIfExists(paths.caFile);
  let caKeyPem = readIfExists(paths.caKeyFile);
  const caOk = usableCa(caPem, caKeyPem, now);
  const certPem = readIfExists(paths.certFile);
  const keyPem = readIfExists(paths.keyFile);
  if (
    caOk &&
    caPem !== undefined &&
    caKeyPem !== undefined &&
    usableServing(certPem, keyPem, caPem, sans, now)
  ) {
    return { caPem, certPem: certPem ?? '', keyPem: keyPem ?? '', ...filesOf(paths) };
  }

  const [caKeys, servingKeys] = await Promise.all([caOk ? undefined : newKeyPair(), newKeyPair()]);
  if (caKeys !== undefined || caPem === undefined || caKeyPem === undefined) {
    const ca = makeCa(caKeys ?? (await newKeyPair()), now);
    writeFileAtomic(paths.caKeyFile, ca.keyPem, 0o600);
    writeFileAtomic(paths.caFile, ca.certPem, 0o644);
    caPem = ca.certPem;
    caKeyPem = ca.keyPem;
  }
  const serving = makeServing({ certPem: caPem, keyPem: caKeyPem }, servingKeys, sans, now);
  writeFileAtomic(paths.keyFile, serving.keyPem, 0o600);
  writeFileAtomic(paths.certFile, serving.certPem, 0o644);
  return { caPem, certPem: serving.certPem, keyPem: serving.keyPem, ...filesOf(paths) };
}

function filesOf(paths: ReturnType<typeof pkiPaths>): Pick<Pki, 'caFile' | 'certFile' | 'keyFile'> {
  return { caFile: paths.caFile, certFile: paths.certFile, keyFile: paths.keyFile };
}
