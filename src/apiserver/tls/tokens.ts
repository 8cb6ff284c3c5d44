// Static bearer tokens, in kube-apiserver's --token-auth-file format (`<dataDir>/pki/tokens.csv`,
// one `token,user,uid,"group1,group2"` line each), and the authenticator that checks an
// `Authorization: Bearer …` header against them in constant time. The file is read at startup;
// the authenticator is immutable and safe to share between requests.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './files.ts';

export const adminUser = 'kvol-admin';
export const mastersGroup = 'system:masters';

export interface TokenEntry {
  token: string;
  user: string;
  uid: string;
  groups: string[];
}

/** Who a request is, once its token checked out. */
export interface UserInfo {
  user: string;
  uid: string;
  groups: string[];
}

/** Thrown for a token file line that cannot be read. */
export class TokenFileError extends Error {
  readonly path: string;
  readonly line: number;
  constructor(path: string, line: number, detail: string) {
    super(`${path}:${line}: ${detail}`);
    this.name = 'TokenFileError';
    this.path = path;
    this.line = line;
  }
}

export const isTokenFileError = (err: unknown): err is TokenFileError => err instanceof TokenFileError;

export function tokenFilePath(dataDir: string): string {
  return join(dataDir, 'pki', 'tokens.csv');
}

/** Splits one CSV record (RFC 4180 quoting, as Go's encoding/csv reads it). */
function csvFields(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i];
        i++;
      }
      if (i < line.length && line[i] !== ',') return undefined;
    } else {
      const end = line.indexOf(',', i);
      field = end === -1 ? line.slice(i) : line.slice(i, end);
      i = end === -1 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

const csvQuote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** Reads a token file; a missing file has no tokens. Upstream's rules: at least token, user, uid. */
export function readTokenFile(path: string): TokenEntry[] {
  if (!existsSync(path)) return [];
  const entries: TokenEntry[] = [];
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const fields = csvFields(line);
      if (fields === undefined) throw new TokenFileError(path, index + 1, 'malformed CSV');
      const [token = '', user = '', uid = '', groups = ''] = fields.map((f) => f.trim());
      if (fields.length < 3) throw new TokenFileError(path, index + 1, 'expected token, user and uid');
      if (token === '') throw new TokenFileError(path, index + 1, 'empty token');
      entries.push({
        token,
        user,
        uid,
        groups: groups === '' ? [] : groups.split(',').map((g) => g.trim()),
      });
    });
  return entries;
}

/** Writes a token file atomically with mode 0600. */
export function writeTokenFile(path: string, entries: readonly TokenEntry[]): void {
  const body = entries
    .map((e) => [e.token, e.user, e.uid, e.groups.join(',')].map(csvQuote).join(','))
    .join('\n');
  writeFileAtomic(path, `${body}\n`, 0o600);
}

/**
 * Returns the admin token from `<dataDir>/pki/tokens.csv`, first creating one (32 random bytes,
 * hex) for user kvol-admin in group system:masters when the file has none. Idempotent.
 */
export function ensureAdminToken(dataDir: string): string {
  const path = tokenFilePath(dataDir);
  const entries = readTokenFile(path);
  const existing = entries.find((e) => e.user === adminUser);
  if (existing !== undefined) return existing.token;
  const token = randomBytes(32).toString('hex');
  writeTokenFile(path, [...entries, { token, user: adminUser, uid: adminUser, groups: [mastersGroup] }]);
  return token;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Checks bearer tokens. Tokens are compared as SHA-256 digests with timingSafeEqual against every
 * entry, so neither the length nor the content of a guess shows in the response time.
 */
export class TokenAuthenticator {
  readonly #entries: readonly { digest: Buffer; info: UserInfo }[];

  constructor(entries: readonly TokenEntry[]) {
    this.#entries = entries.map((e) => ({
      digest: digest(e.token),
      info: { user: e.user, uid: e.uid, groups: [...e.groups] },
    }));
  }

  /** Loads the token file of a data directory (`<dataDir>/pki/tokens.csv`). */
  static fromDataDir(dataDir: string): TokenAuthenticator {
    return new TokenAuthenticator(readTokenFile(tokenFilePath(dataDir)));
  }

  /**
   * Authenticates an Authorization header value. Returns the user for `Bearer <known token>`
   * (scheme case-insensitive, as upstream), undefined for anything else, including no header.
   */
  authenticate(header: string | undefined): UserInfo | undefined {
    if (header === undefined) return undefined;
    const parts = header.trim().split(' ');
    if (parts.length < 2 || parts[0]?.toLowerCase() !== 'bearer') return undefined;
    const token = parts[1] ?? '';
    if (token === '') return undefined;
    const guess = digest(token);
    let found: UserInfo | undefined;
    for (const e of this.#entries) {
      if (timingSafeEqual(e.digest, guess) && found === undefined) found = e.info;
    }
    return found === undefined ? undefined : { ...found, groups: [...found.groups] };
  }
}
