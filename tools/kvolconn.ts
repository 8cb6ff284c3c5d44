// A minimal HTTPS client for kvol's API, shared by the end-to-end tests and the benchmarks: they talk to
// a `kvol up` process as any client would, with the kubeconfig's bearer token and CA, and need raw
// status codes and bodies rather than the client library's typed errors.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';

export interface Conn {
  url: string;
  token: string;
  ca: string;
  agent: Agent;
}

/** A connection from a kubeconfig that `kvol up` wrote (server URL, token, CA). */
export function connectKubeconfig(path: string, url: string, maxSockets = 64): Conn {
  const kc = readFileSync(path, 'utf8');
  const token = /token: (\S+)/.exec(kc)?.[1] ?? '';
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(kc)?.[1] ?? '', 'base64').toString();
  return { url, token, ca, agent: new Agent({ keepAlive: true, maxSockets }) };
}

/** One request; `body` is sent as JSON (objects) or as given (strings). */
export function call(
  c: Conn,
  method: string,
  path: string,
  body?: object | string,
  accept = 'application/json',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${c.token}`, accept };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const req = request(`${c.url}${path}`, { method, headers, ca: c.ca, agent: c.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs fn(0..n-1) with at most `concurrency` calls in flight. */
export async function parallel(
  n: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}
