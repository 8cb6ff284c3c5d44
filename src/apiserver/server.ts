// The HTTP(S) front of the API server: authentication, routing of Kubernetes URLs, content negotiation
// (JSON, Table, aggregated discovery), request bodies, watch streaming, health and metrics. Semantics
// live in the registry; this module only translates between HTTP and ObjectStore calls, and maps every
// error to a metav1.Status in one place (writeError).
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import {
  type Binding,
  type DeleteOptions,
  type FieldValidation,
  isStatusError,
  type KubeObject,
  newBadRequest,
  newInternalError,
  newMethodNotAllowed,
  newNotAcceptable,
  newNotFound,
  newTooLarge,
  newUnauthorized,
  newUnsupportedMediaType,
  openapiDocument,
  openapiIndex,
  type PatchType,
  patchTypes,
  type RequestContext,
  Resources,
  type ResourceType,
  resourceFor,
  type Scope,
  type Status,
  StatusError,
  successStatus,
  type WatchEvent,
} from '../api/index.ts';
import { type Clock, logger, metricsRegistry, realClock } from '../component/index.ts';
import type { CachedObject } from './cache.ts';
import { buildDiscovery } from './discovery.ts';
import { type HealthChecks, serveHealth } from './health.ts';
import { recordRequest, requestsInFlight } from './metrics.ts';
import { printTable } from './printers/index.ts';
import { decodeProtobuf, protobufContentType } from './protobuf.ts';
import type { Registry } from './registry.ts';

const log = logger('apiserver');

/** kube-apiserver's default --max-request-body-bytes (3 MiB). */
export const maxRequestBodyBytes = 3 * 1024 * 1024;

export const version = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kvol.0.1.0',
  gitCommit: 'kvol',
  gitTreeState: 'clean',
  buildDate: '2026-11-21T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export interface ApiServerOptions {
  readonly registry: Registry;
  /** Returns the user for an Authorization header, or undefined. Without it every request is admin. */
  readonly authenticate?: (authorization: string | undefined) => { user: string } | undefined;
  /** PEM certificate and key: serve HTTPS. Without them, plain HTTP. */
  readonly tls?: { cert: string; key: string };
  readonly host?: string;
  readonly port?: number;
  readonly clock?: Clock;
  readonly health?: HealthChecks;
  readonly maxBodyBytes?: number;
  /** Watches without timeoutSeconds end after a random time in [min, 2*min) as upstream's minRequestTimeout. */
  readonly minWatchTimeoutSeconds?: number;
}

interface Route {
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  legacyWatch: boolean;
}

type Verb = 'GET' | 'LIST' | 'WATCH' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'DELETECOLLECTION';

class RequestInfo {
  verb: Verb | string = '';
  group = '';
  version = '';
  resource = '';
  subresource = '';
  scope = '';
  dryRun = false;
}

const tableAccept = /as=Table/;

/** The shape readObject checks a Binding body against. */
const bindingType = { ...Resources.pods, kind: 'Binding' } as ResourceType;

export class ApiServer {
  readonly #opts: ApiServerOptions;
  readonly #registry: Registry;
  readonly #clock: Clock;
  readonly #discovery = buildDiscovery();
  readonly #sockets = new Set<Socket>();
  readonly #watchAborts = new Set<AbortController>();
  #server: ReturnType<typeof createHttpServer> | undefined;
  #address = '';

  constructor(opts: ApiServerOptions) {
    this.#opts = opts;
    this.#registry = opts.registry;
    this.#clock = opts.clock ?? realClock;
  }

  get url(): string {
    return this.#address;
  }

  /** Starts listening. Rejects with the listen error (EADDRINUSE, EACCES) so the CLI can explain it. */
  async listen(): Promise<{ port: number; url: string }> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.#handle(req, res).catch((err: unknown) => {
        log.error('request failed', err, { url: req.url });
        if (!res.headersSent) this.#writeError(res, new RequestInfo(), err);
        else res.destroy();
      });
    };
    const server =
      this.#opts.tls !== undefined
        ? createHttpsServer({ cert: this.#opts.tls.cert, key: this.#opts.tls.key }, handler)
        : createHttpServer(handler);
    server.keepAliveTimeout = 65_000;
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => this.#sockets.delete(s));
    });
    server.on('secureConnection', (s: Socket) => s.setNoDelay(true));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#opts.port ?? 0, this.#opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.#address = `${this.#opts.tls !== undefined ? 'https' : 'http'}://${host}:${addr.port}`;
    return { port: addr.port, url: this.#address };
  }

  async close(): Promise<void> {
    for (const a of this.#watchAborts) a.abort();
    const s = this.#server;
    if (s === undefined) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      for (const sock of this.#sockets) sock.destroy();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const info = new RequestInfo();
    requestsInFlight.inc();
    res.on('close', () => {
      requestsInFlight.dec();
      if (info.verb !== '' && info.resource !== '')
        recordRequest(info, res.statusCode, performance.now() - started);
    });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path =
      url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
    try {
      if (path === '/version') return this.#json(res, 200, JSON.stringify(version));
      if (/^\/(livez|readyz|healthz)(\/|$)/.test(path))
        return await serveHealth(this.#opts.health ?? {}, path, url, res);

      const user = this.#authenticate(req);
      const ctx: RequestContext = { user, warnings: [] };

      if (path === '/metrics') {
        const body = await metricsRegistry.metrics();
        res.writeHead(200, { 'Content-Type': metricsRegistry.contentType });
        res.end(body);
        return;
      }
      if (path === '/api' || path === '/apis') {
        const host = req.headers.host ?? '127.0.0.1';
        const d = this.#discovery.root(path === '/api', String(req.headers.accept ?? ''), host);
        return this.#send(res, 200, d.body, d.contentType);
      }
      if (path.startsWith('/openapi/')) return this.#openapi(res, path);

      const segs = path.split('/').filter((s) => s !== '');
      if (segs[0] === 'api' && segs.length === 2) {
        const body = this.#discovery.resourceList('', segs[1]!);
        if (body !== undefined) return this.#json(res, 200, body);
      }
      if (segs[0] === 'apis' && segs.length === 2) {
        const body = this.#discovery.group(segs[1]!);
        if (body !== undefined) return this.#json(res, 200, body);
      }
      if (segs[0] === 'apis' && segs.length === 3) {
        const body = this.#discovery.resourceList(segs[1]!, segs[2]!);
        if (body !== undefined) return this.#json(res, 200, body);
      }
      const route = this.#route(segs);
      if (route === undefined) throw notFoundPath();
      await this.#resource(req, res, url, route, ctx, info);
    } catch (err) {
      this.#writeError(res, info, err);
    }
  }

  #authenticate(req: IncomingMessage): string {
    const auth = this.#opts.authenticate;
    if (auth === undefined) return 'system:admin';
    const u = auth(req.headers.authorization);
    if (u === undefined) throw newUnauthorized();
    return u.user;
  }

  /** Parses /api/v1/... and /apis/<g>/<v>/... into a resource route (upstream's RequestInfoFactory). */
  #route(segs: string[]): Route | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 3) {
      group = '';
      version = segs[1]!;
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 4) {
      group = segs[1]!;
      version = segs[2]!;
      rest = segs.slice(3);
    } else {
      return undefined;
    }
    let legacyWatch = false;
    if (rest[0] === 'watch') {
      legacyWatch = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const maybe = resourceFor(group, version, rest[2]!);
      if (maybe?.namespaced === true) {
        namespace = rest[1]!;
        rest = rest.slice(2);
      }
    }
    const rt = resourceFor(group, version, rest[0] ?? '');
    if (rt === undefined || rest.length > 3) return undefined;
    if (!rt.namespaced && namespace !== undefined) return undefined;
    const r: Route = { rt, legacyWatch };
    if (namespace !== undefined) r.namespace = namespace;
    if (rest[1] !== undefined) r.name = rest[1];
    if (rest[2] !== undefined) r.subresource = rest[2];
    return r;
  }

  async #resource(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: Route,
    ctx: RequestContext,
    info: RequestInfo,
  ): Promise<void> {
    const { rt, name } = route;
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    info.group = rt.group;
    info.version = rt.version;
    info.resource = rt.plural;
    info.subresource = route.subresource ?? '';
    info.scope = name !== undefined ? 'resource' : route.namespace !== undefined ? 'namespace' : 'cluster';
    const scope: Scope =
      route.namespace !== undefined ? { resource: rt, namespace: route.namespace } : { resource: rt };
    let subresource: 'status' | undefined;
    if (route.subresource !== undefined) {
      if (route.subresource === 'status' && rt.subresources.includes('status')) subresource = 'status';
      else if (route.subresource === 'binding' && rt.plural === 'pods' && name !== undefined) {
        info.verb = 'POST';
        if (req.method !== 'POST')
          throw newMethodNotAllowed('the server does not allow this method on the requested resource');
        const body = (await readObject(req, this.#opts.maxBodyBytes, bindingType)) as unknown as Binding;
        const status = await this.#registry.bindPod(ctx, route.namespace ?? '', name, body, {
          dryRun: parseDryRun(q),
        });
        return this.#json(res, 201, JSON.stringify(status), ctx);
      } else throw notFoundPath();
    }
    const watch = route.legacyWatch || q.get('watch') === 'true' || q.get('watch') === '1';
    const accept = String(req.headers.accept ?? '');
    checkAcceptable(accept);

    if (method === 'GET' && name === undefined) {
      if (watch) {
        info.verb = 'WATCH';
        return this.#watch(req, res, q, scope, ctx, accept);
      }
      info.verb = 'LIST';
      return this.#list(res, q, scope, ctx, accept);
    }
    if (method === 'GET' && name !== undefined) {
      info.verb = 'GET';
      if (watch) {
        info.verb = 'WATCH';
        q.set('fieldSelector', joinSelector(q.get('fieldSelector'), `metadata.name=${name}`));
        return this.#watch(req, res, q, scope, ctx, accept);
      }
      const c = this.#registry.getCached(scope, name);
      if (tableAccept.test(accept))
        return this.#json(res, 200, this.#table(rt, [c], q, c.obj.metadata.resourceVersion));
      return this.#json(res, 200, c.json());
    }

    const dryRun = parseDryRun(q);
    info.dryRun = dryRun;
    const fieldValidation = parseFieldValidation(q);
    const fieldManager = q.get('fieldManager') ?? defaultFieldManager(req);
    if (fieldManager.length > 128) {
      throw newBadRequest(`fieldManager: Too long: may not be more than 128 bytes`);
    }
    const writeOpts = {
      dryRun,
      fieldManager,
      fieldValidation,
      ...(subresource !== undefined ? { subresource } : {}),
    };

    switch (method) {
      case 'POST': {
        info.verb = 'POST';
        if (name !== undefined)
          throw newMethodNotAllowed(`the server does not allow this method on the requested resource`);
        const obj = await readObject(req, this.#opts.maxBodyBytes, rt);
        const created = await this.#registry.create(ctx, scope, obj, writeOpts);
        return this.#object(res, dryRun ? 201 : 201, created, ctx);
      }
      case 'PUT': {
        info.verb = 'PUT';
        if (name === undefined)
          throw newMethodNotAllowed(`the server does not allow this method on the requested resource`);
        const obj = await readObject(req, this.#opts.maxBodyBytes, rt);
        if (obj.metadata?.name !== undefined && obj.metadata.name !== name) {
          throw newBadRequest(
            `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
          );
        }
        obj.metadata = { ...(obj.metadata ?? {}), name };
        const updated = await this.#registry.update(ctx, scope, obj, writeOpts);
        return this.#object(res, 200, updated, ctx);
      }
      case 'PATCH': {
        info.verb = 'PATCH';
        if (name === undefined)
          throw newMethodNotAllowed(`the server does not allow this method on the requested resource`);
        const ct = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim() as PatchType;
        if (!patchTypes.includes(ct)) {
          throw newUnsupportedMediaType(
            `the body of the request was in an unknown format - accepted media types include: ${patchTypes.join(', ')}`,
          );
        }
        const body = await readBody(req, this.#opts.maxBodyBytes);
        const force = q.get('force') === 'true';
        if (q.has('force') && ct !== 'application/apply-patch+yaml') {
          throw newBadRequest('force: Invalid value: true: may not be specified for non-apply patch');
        }
        const r = await this.#registry.patch(ctx, scope, name, ct, body, { ...writeOpts, force });
        return this.#object(res, r.created ? 201 : 200, r.object, ctx);
      }
      case 'DELETE': {
        if (name === undefined) {
          info.verb = 'DELETECOLLECTION';
          return this.#deleteCollection(req, res, q, scope, ctx, dryRun);
        }
        info.verb = 'DELETE';
        const opts = await readDeleteOptions(req, q, this.#opts.maxBodyBytes);
        if (dryRun) opts.dryRun = true;
        const r = await this.#registry.delete(ctx, scope, name, opts);
        if (r.deleted && rt.plural !== 'pods') {
          const details: NonNullable<Status['details']> = { name, kind: rt.plural };
          if (rt.group !== '') details.group = rt.group;
          if (r.object.metadata.uid !== undefined) details.uid = r.object.metadata.uid;
          return this.#json(res, 200, JSON.stringify(successStatus(details)), ctx);
        }
        return this.#object(res, 200, r.object, ctx);
      }
      default:
        throw newMethodNotAllowed(`the server does not allow this method on the requested resource`);
    }
  }

  async #list(
    res: ServerResponse,
    q: URLSearchParams,
    scope: Scope,
    ctx: RequestContext,
    accept: string,
  ): Promise<void> {
    const page = await this.#registry.listPage(scope, listOptions(q));
    const rt = page.rt;
    if (tableAccept.test(accept)) {
      return this.#json(
        res,
        200,
        this.#table(rt, page.items, q, page.resourceVersion, page.continue, page.remainingItemCount),
        ctx,
      );
    }
    const meta: Record<string, unknown> = { resourceVersion: page.resourceVersion };
    if (page.continue !== undefined) meta['continue'] = page.continue;
    if (page.remainingItemCount !== undefined) meta['remainingItemCount'] = page.remainingItemCount;
    const parts: string[] = new Array(page.items.length);
    for (let i = 0; i < page.items.length; i++) parts[i] = itemJson(page.items[i]!);
    const body = `{"kind":${JSON.stringify(rt.listKind)},"apiVersion":${JSON.stringify(rt.apiVersion)},"metadata":${JSON.stringify(meta)},"items":[${parts.join(',')}]}`;
    return this.#json(res, 200, body, ctx);
  }

  #table(
    rt: ResourceType,
    items: readonly (CachedObject | KubeObject)[],
    q: URLSearchParams,
    resourceVersion: string | undefined,
    cont?: string,
    remaining?: number,
  ): string {
    const include = (q.get('includeObject') ?? 'Metadata') as 'None' | 'Object' | 'Metadata';
    if (!['None', 'Object', 'Metadata'].includes(include)) {
      throw newBadRequest(
        `includeObject: Unsupported value: "${include}": supported values: "None", "Metadata", "Object"`,
      );
    }
    const objs = items.map(itemObject);
    const t = printTable(rt.kind, objs, { now: this.#clock.now(), includeObject: include });
    const metadata: Record<string, unknown> = {};
    if (resourceVersion !== undefined) metadata['resourceVersion'] = resourceVersion;
    if (cont !== undefined) metadata['continue'] = cont;
    if (remaining !== undefined) metadata['remainingItemCount'] = remaining;
    return JSON.stringify({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata,
      columnDefinitions: t.columnDefinitions,
      rows: t.rows,
    });
  }

  async #watch(
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    scope: Scope,
    ctx: RequestContext,
    accept: string,
  ): Promise<void> {
    const rt = scope.resource;
    const table = tableAccept.test(accept);
    const timeoutParam = q.get('timeoutSeconds');
    let timeoutSeconds = timeoutParam !== null ? Number(timeoutParam) : Number.NaN;
    if (timeoutParam !== null && (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0)) {
      throw newBadRequest(`timeoutSeconds: Invalid value: "${timeoutParam}": must be a non-negative integer`);
    }
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds === 0) {
      const min = this.#opts.minWatchTimeoutSeconds ?? 1800;
      timeoutSeconds = min + Math.floor(Math.random() * min);
    }
    const abort = new AbortController();
    this.#watchAborts.add(abort);
    const onClose = (): void => abort.abort();
    req.on('close', onClose);
    res.on('close', onClose);
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Transfer-Encoding': 'chunked',
        'Cache-Control': 'no-cache, private',
      });
      res.flushHeaders();
    };
    const include = q.get('includeObject') ?? 'Metadata';
    const sink = (ev: WatchEvent<KubeObject | Status>): void => {
      start();
      let object: string;
      if (table && ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') {
        const t = printTable(rt.kind, [ev.object as KubeObject], {
          now: this.#clock.now(),
          includeObject: include as 'None' | 'Object' | 'Metadata',
        });
        object = JSON.stringify({
          kind: 'Table',
          apiVersion: 'meta.k8s.io/v1',
          metadata: { resourceVersion: ev.object.metadata.resourceVersion ?? '' },
          columnDefinitions: t.columnDefinitions,
          rows: t.rows,
        });
      } else {
        object = JSON.stringify(ev.object);
      }
      res.write(`{"type":"${ev.type}","object":${object}}\n`);
      // A client that stops reading is dropped rather than buffered without bound (upstream does the same).
      if (res.writableLength > 64 * 1024 * 1024) abort.abort();
    };
    try {
      const opts = watchOptions(q);
      opts.timeoutSeconds = timeoutSeconds;
      const p = this.#registry.watch(ctx, scope, opts, sink, abort.signal);
      // Headers go out at once, so clients awaiting them (client-node informers) do not hang.
      start();
      await p;
    } catch (err) {
      if (!started && !(isStatusError(err) && err.code === 410)) throw err;
      start();
      const status = isStatusError(err) ? err.status : newInternalError(String(err)).status;
      res.write(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
    } finally {
      this.#watchAborts.delete(abort);
      req.off('close', onClose);
    }
    res.end();
  }

  async #deleteCollection(
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    scope: Scope,
    ctx: RequestContext,
    dryRun: boolean,
  ): Promise<void> {
    const opts = await readDeleteOptions(req, q, this.#opts.maxBodyBytes);
    if (dryRun) opts.dryRun = true;
    const list = await this.#registry.list(ctx, scope, listOptions(q));
    const items: KubeObject[] = [];
    for (const item of list.items) {
      const s: Scope = scope.resource.namespaced
        ? { resource: scope.resource, namespace: item.metadata.namespace ?? '' }
        : { resource: scope.resource };
      try {
        const r = await this.#registry.delete(ctx, s, item.metadata.name ?? '', opts);
        items.push(r.object);
      } catch (err) {
        if (!(isStatusError(err) && err.code === 404)) throw err;
      }
    }
    const rt = scope.resource;
    return this.#json(
      res,
      200,
      JSON.stringify({ kind: rt.listKind, apiVersion: rt.apiVersion, metadata: {}, items }),
      ctx,
    );
  }

  #openapi(res: ServerResponse, path: string): void {
    if (path === '/openapi/v3') {
      this.#json(res, 200, JSON.stringify(openapiIndex()));
      return;
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiDocument(path.slice('/openapi/v3/'.length));
      if (doc !== undefined) {
        res.setHeader('Etag', `"${doc.hash}"`);
        this.#json(res, 200, doc.json);
        return;
      }
    }
    throw notFoundPath();
  }

  #object(res: ServerResponse, code: number, obj: KubeObject, ctx: RequestContext): void {
    this.#json(res, code, JSON.stringify(obj), ctx);
  }

  #json(res: ServerResponse, code: number, body: string, ctx?: RequestContext): void {
    this.#send(res, code, body, 'application/json', ctx);
  }

  #send(res: ServerResponse, code: number, body: string, contentType: string, ctx?: RequestContext): void {
    const headers: Record<string, string | string[]> = {
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-cache, private',
    };
    if (ctx !== undefined && ctx.warnings.length > 0) {
      headers['Warning'] = ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
    }
    res.writeHead(code, headers);
    res.end(body);
  }

  /** The single place where errors become HTTP responses. */
  #writeError(res: ServerResponse, _info: RequestInfo, err: unknown): void {
    let status: Status;
    if (isStatusError(err)) status = err.status;
    else {
      log.error('internal error', err);
      status = newInternalError(err instanceof Error ? err.message : String(err)).status;
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
    };
    if (status.code === 429 && status.details?.retryAfterSeconds !== undefined) {
      headers['Retry-After'] = String(status.details.retryAfterSeconds);
    }
    const body = JSON.stringify(status);
    headers['Content-Length'] = String(Buffer.byteLength(body));
    res.writeHead(status.code, headers);
    res.end(body);
  }
}

function notFoundPath(): StatusError {
  const s = newNotFound('', '', '').status;
  return new StatusError({ ...s, message: 'the server could not find the requested resource', details: {} });
}

function itemJson(i: CachedObject | KubeObject): string {
  return typeof (i as CachedObject).json === 'function' ? (i as CachedObject).json() : JSON.stringify(i);
}

function itemObject(i: CachedObject | KubeObject): KubeObject {
  return typeof (i as CachedObject).json === 'function' ? (i as CachedObject).obj : (i as KubeObject);
}

function checkAcceptable(accept: string): void {
  if (accept === '') return;
  const ok = accept
    .split(',')
    .map((s) => s.trim().split(';')[0]!.trim())
    .some(
      (t) => t === 'application/json' || t === '*/*' || t === 'application/*' || t === 'application/yaml',
    );
  if (!ok) {
    throw newNotAcceptable(
      'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    );
  }
}

function joinSelector(a: string | null, b: string): string {
  return a === null || a === '' ? b : `${a},${b}`;
}

function parseDryRun(q: URLSearchParams): boolean {
  const vals = q.getAll('dryRun');
  if (vals.length === 0) return false;
  for (const v of vals) {
    if (v !== 'All') throw newBadRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  }
  return true;
}

function parseFieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw newBadRequest(
    `fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`,
  );
}

function defaultFieldManager(req: IncomingMessage): string {
  const ua = String(req.headers['user-agent'] ?? 'unknown');
  const first = ua.split('/')[0] ?? 'unknown';
  return first.slice(0, 128);
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw newBadRequest(`${name}: Invalid value: "${v}": must be an integer`);
  return n;
}

function listOptions(q: URLSearchParams): import('../api/index.ts').ListOptions {
  const o: import('../api/index.ts').ListOptions = {};
  const ls = q.get('labelSelector');
  if (ls !== null) o.labelSelector = ls;
  const fs = q.get('fieldSelector');
  if (fs !== null) o.fieldSelector = fs;
  const limit = intParam(q, 'limit');
  if (limit !== undefined) o.limit = limit;
  const c = q.get('continue');
  if (c !== null && c !== '') o.continue = c;
  const rv = q.get('resourceVersion');
  if (rv !== null) o.resourceVersion = rv;
  const m = q.get('resourceVersionMatch');
  if (m !== null && m !== '') {
    if (m !== 'Exact' && m !== 'NotOlderThan') {
      throw newBadRequest(
        `resourceVersionMatch: Unsupported value: "${m}": supported values: "Exact", "NotOlderThan"`,
      );
    }
    o.resourceVersionMatch = m;
  }
  return o;
}

function watchOptions(q: URLSearchParams): import('../api/index.ts').WatchOptions {
  const o: import('../api/index.ts').WatchOptions = {};
  const ls = q.get('labelSelector');
  if (ls !== null) o.labelSelector = ls;
  const fs = q.get('fieldSelector');
  if (fs !== null) o.fieldSelector = fs;
  const rv = q.get('resourceVersion');
  if (rv !== null) o.resourceVersion = rv;
  if (q.get('allowWatchBookmarks') === 'true') o.allowWatchBookmarks = true;
  if (q.get('sendInitialEvents') === 'true') o.sendInitialEvents = true;
  return o;
}

export async function readBody(req: IncomingMessage, limit = maxRequestBodyBytes): Promise<string> {
  return (await readBodyBytes(req, limit)).toString('utf8');
}

async function readBodyBytes(req: IncomingMessage, limit = maxRequestBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw newTooLarge(`Request entity too large: limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) {
      req.resume();
      throw newTooLarge(`Request entity too large: limit is ${limit}`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

async function readObject(
  req: IncomingMessage,
  limit: number | undefined,
  rt: ResourceType,
): Promise<KubeObject> {
  const ct = String(req.headers['content-type'] ?? 'application/json')
    .split(';')[0]!
    .trim();
  const raw = await readBodyBytes(req, limit);
  if (ct === protobufContentType) {
    try {
      return decodeProtobuf(rt, raw) as KubeObject;
    } catch (err) {
      if (isStatusError(err)) throw err;
      throw newBadRequest(
        `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: ${(err as Error).message}`,
      );
    }
  }
  const body = raw.toString('utf8');
  let v: unknown;
  if (ct === 'application/json' || ct === '' || ct === '*/*') {
    try {
      v = JSON.parse(body);
    } catch (err) {
      throw newBadRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  } else if (ct === 'application/yaml') {
    try {
      v = parseYaml(body, { version: '1.1' });
    } catch (err) {
      throw newBadRequest(`couldn't get version/kind; yaml parse error: ${(err as Error).message}`);
    }
  } else {
    throw newUnsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    );
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw newBadRequest(
      `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: the body must be a JSON object`,
    );
  }
  return v as KubeObject;
}

async function readDeleteOptions(
  req: IncomingMessage,
  q: URLSearchParams,
  limit: number | undefined,
): Promise<DeleteOptions> {
  const body = await readBody(req, limit);
  let o: DeleteOptions = {};
  if (body.trim() !== '') {
    try {
      o = JSON.parse(body) as DeleteOptions;
    } catch (err) {
      throw newBadRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
    if (typeof o !== 'object' || o === null) throw newBadRequest('DeleteOptions must be a JSON object');
    const raw = o as Record<string, unknown>;
    delete raw['kind'];
    delete raw['apiVersion'];
    if (Array.isArray(raw['dryRun'])) {
      const dr = raw['dryRun'] as string[];
      delete raw['dryRun'];
      if (dr.length > 0) {
        if (dr.some((d) => d !== 'All'))
          throw newBadRequest(`dryRun: Unsupported value: "${dr.join(',')}": supported values: "All"`);
        o.dryRun = true;
      }
    }
  }
  const grace = intParam(q, 'gracePeriodSeconds');
  if (grace !== undefined) o.gracePeriodSeconds = grace;
  const pp = q.get('propagationPolicy');
  if (pp !== null && pp !== '') {
    if (pp !== 'Background' && pp !== 'Foreground' && pp !== 'Orphan') {
      throw newBadRequest(
        `propagationPolicy: Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    o.propagationPolicy = pp;
  }
  return o;
}
