// /livez, /readyz and /healthz as kube-apiserver serves them: 200 `ok` or 500 with the failed checks,
// `?verbose` listing `[+]name ok` / `[-]name failed: reason withheld`, `?exclude=name`, and one path per
// check (`/readyz/store`).
import type { ServerResponse } from 'node:http';

export type HealthCheck = () => Promise<void> | void;

export interface HealthChecks {
  readonly livez?: Readonly<Record<string, HealthCheck>>;
  readonly readyz?: Readonly<Record<string, HealthCheck>>;
}

export async function serveHealth(
  checks: HealthChecks,
  path: string,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const [, kind = '', only] = path.split('/');
  const set: Record<string, HealthCheck> = {
    ping: () => {},
    ...(kind === 'livez'
      ? checks.livez
      : kind === 'readyz'
        ? checks.readyz
        : { ...checks.livez, ...checks.readyz }),
  };
  const excluded = new Set(url.searchParams.getAll('exclude'));
  const names = only !== undefined ? [only] : Object.keys(set).filter((n) => !excluded.has(n));
  if (only !== undefined && set[only] === undefined) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
    return;
  }
  const lines: string[] = [];
  let failed = false;
  for (const n of names) {
    try {
      await set[n]!();
      lines.push(`[+]${n} ok`);
    } catch {
      failed = true;
      lines.push(`[-]${n} failed: reason withheld`);
    }
  }
  for (const n of excluded) if (set[n] !== undefined) lines.push(`[+]${n} excluded: ok`);
  const verbose = url.searchParams.has('verbose');
  let body: string;
  if (failed) body = `${lines.join('\n')}\n${kind} check failed\n`;
  else if (verbose) body = `${lines.join('\n')}\n${kind} check passed\n`;
  else body = 'ok';
  res.writeHead(failed ? 500 : 200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}
