// A minimal HTTPS client for kvol's API, shared by the end-to-end tests and the benchmarks: they talk to
// a `kvol up` process as any client would, with the kubeconfig's bearer token and CA, and need raw
// status codes and bodies rather than the client library's typed errors.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';

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

/**
 * Starts `kvol up --port 0` on `dataDir` as its own process and connects to it once it prints its URL
 * (benchmarks). `nodeArgs` go to Node itself; by default they come from KVOL_BENCH_NODE_ARGS (for
 * example `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
export async function startKvolUp(
  dataDir: string,
  opts: { extraArgs?: string[]; nodeArgs?: string[]; maxSockets?: number } = {},
): Promise<{ proc: ChildProcess; conn: Conn }> {
  const nodeArgs =
    opts.nodeArgs ?? (process.env['KVOL_BENCH_NODE_ARGS'] ?? '').split(/\s+/).filter((a) => a !== '');
  const bin = join(import.meta.dirname, '..', 'bin', 'kvol.js');
  const proc = spawn(
    process.execPath,
    [...nodeArgs, bin, 'up', '--data-dir', dataDir, '--port', '0', ...(opts.extraArgs ?? [])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /API server at (https:\/\/\S+)/.exec(out);
      if (m !== null) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`kvol exited ${code}`)));
  });
  return { proc, conn: connectKubeconfig(join(dataDir, 'kubeconfig'), url, opts.maxSockets ?? 64) };
}

/** A running watch: `stop()` ends it; `ended` resolves when the stream closes for any reason. */
export interface WatchStream {
  stop(): void;
  readonly ended: Promise<void>;
}

/**
 * Opens a watch (`?watch=true` is added to `path`) and calls `onEvent(type, object, receivedAt)` for
 * every newline-framed event as it arrives (`receivedAt` is performance.now() when its chunk came).
 * Errors end the stream quietly: callers check what they saw.
 */
export function watchStream<T>(
  c: Conn,
  path: string,
  onEvent: (type: string, object: T, receivedAt: number) => void,
): WatchStream {
  let stop = (): void => {};
  const ended = new Promise<void>((resolve) => {
    const req = request(
      `${c.url}${path}${path.includes('?') ? '&' : '?'}watch=true`,
      { headers: { authorization: `Bearer ${c.token}` }, ca: c.ca },
      (res) => {
        let buf = '';
        res.on('data', (b: Buffer) => {
          const at = performance.now();
          buf += b.toString();
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line === '') continue;
            const ev = JSON.parse(line) as { type: string; object: T };
            onEvent(ev.type, ev.object, at);
          }
        });
        res.on('close', () => resolve());
        res.on('error', () => resolve());
      },
    );
    req.on('error', () => resolve());
    req.end();
    stop = () => req.destroy();
  });
  return { stop: () => stop(), ended };
}
