// HttpClient: the Client over the Kubernetes REST protocol (HTTPS with a custom CA and a bearer token, or
// plain HTTP), sending the paths, query parameters and bodies client-go sends. Every failure becomes a
// StatusError: the server's Status when it sent one, else one built from the HTTP code the way client-go's
// NewGenericServerResponse does; transport failures become 503 ServiceUnavailable with the cause attached.
// Requests share one keep-alive agent and one token bucket (qps/burst); HTTP 429 is retried after
// Retry-After a few times.
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { dirname, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  type DeleteResult,
  type KubeList,
  type KubeObject,
  newBadRequest,
  type PatchType,
  qualifiedResource,
  type ResourceType,
  type Status,
  type StatusCause,
  StatusError,
  type StatusReason,
  type WatchOptions,
} from '../api/index.ts';
import { type Clock, logger, realClock } from '../component/index.ts';
import {
  type Client,
  type ClientDeleteOptions,
  type ClientGetOptions,
  type ClientListOptions,
  type ClientPatchOptions,
  type ClientWatchEvent,
  type ClientWriteOptions,
  type ResourceClient,
  resourcePath,
  type WarningHandler,
} from './client.ts';
import { TokenBucket } from './ratelimit.ts';

const log = logger('client');

export interface HttpClientConfig {
  /** `https://host:port` or `http://host:port` (tests). */
  server: string;
  /** Bearer token. */
  token?: string;
  /** PEM of the CA that signed the server certificate. */
  caData?: string;
  /** PEM client certificate and key, for kubeconfigs that authenticate with certificates. */
  certData?: string;
  keyData?: string;
  insecureSkipTLSVerify?: boolean;
  /** Defaults to `kvol/<version> (<os>/<arch>) kvol`, the shape of client-go's default. */
  userAgent?: string;
  /** Client-side rate limit; defaults 50 qps, burst 100. A negative qps disables limiting. */
  qps?: number;
  burst?: number;
  /** Field manager sent on writes that name none; unset lets the server derive it from the user agent. */
  fieldManager?: string;
  /** How many times a 429 answer is retried (after its Retry-After); default 5. */
  maxRetries?: number;
  onWarning?: WarningHandler;
  clock?: Clock;
}

export const defaultUserAgent = `kvol/v0.1.0 (${process.platform}/${process.arch}) kvol`;

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query: URLSearchParams;
  body?: string;
  contentType?: string;
  signal?: AbortSignal | undefined;
  /** For error messages: the resource and name the request is about. */
  resource?: ResourceType;
  name?: string;
}

export class HttpClient implements Client {
  readonly server: URL;
  readonly #config: HttpClientConfig;
  readonly #agent: http.Agent;
  readonly #transport: typeof http | typeof https;
  readonly #limiter: TokenBucket | undefined;
  readonly #clock: Clock;
  readonly #onWarning: WarningHandler;

  constructor(config: HttpClientConfig) {
    this.#config = config;
    this.server = new URL(config.server);
    this.#clock = config.clock ?? realClock;
    this.#onWarning = config.onWarning ?? ((message) => log.warn('API warning', { warning: message }));
    const qps = config.qps ?? 50;
    this.#limiter = qps < 0 ? undefined : new TokenBucket(qps, config.burst ?? 100, this.#clock);
    if (this.server.protocol === 'https:') {
      const opts: https.AgentOptions = { keepAlive: true };
      if (config.caData !== undefined) opts.ca = config.caData;
      if (config.certData !== undefined) opts.cert = config.certData;
      if (config.keyData !== undefined) opts.key = config.keyData;
      if (config.insecureSkipTLSVerify === true) opts.rejectUnauthorized = false;
      this.#agent = new https.Agent(opts);
      this.#transport = https;
    } else if (this.server.protocol === 'http:') {
      this.#agent = new http.Agent({ keepAlive: true });
      this.#transport = http;
    } else {
      throw new TypeError(`unsupported server URL scheme ${this.server.protocol} in ${config.server}`);
    }
  }

  /** Reads the current context of a kubeconfig file (see loadKubeconfig). */
  static fromKubeconfig(path: string, overrides: Partial<HttpClientConfig> = {}): HttpClient {
    return new HttpClient({ ...loadKubeconfig(path), ...overrides });
  }

  resource<T extends KubeObject = KubeObject>(rt: ResourceType, namespace?: string): ResourceClient<T> {
    return new HttpResourceClient<T>(this, rt, rt.namespaced ? namespace : undefined);
  }

  /** Closes idle keep-alive connections; the client stays usable. */
  close(): void {
    this.#agent.destroy();
  }

  get fieldManager(): string | undefined {
    return this.#config.fieldManager;
  }

  /** The manager name for apply patches that name none, as the apiserver derives it from the user agent. */
  get applyFieldManager(): string {
    return this.#config.fieldManager ?? (this.#config.userAgent ?? defaultUserAgent).split('/')[0] ?? 'kvol';
  }

  #headers(spec: RequestSpec, accept: string): http.OutgoingHttpHeaders {
    const h: http.OutgoingHttpHeaders = {
      Accept: accept,
      'User-Agent': this.#config.userAgent ?? defaultUserAgent,
    };
    if (this.#config.token !== undefined) h['Authorization'] = `Bearer ${this.#config.token}`;
    if (spec.body !== undefined) {
      h['Content-Type'] = spec.contentType ?? 'application/json';
      h['Content-Length'] = Buffer.byteLength(spec.body);
    }
    return h;
  }

  #url(spec: RequestSpec): URL {
    const u = new URL(this.server.toString());
    u.pathname = this.server.pathname.replace(/\/$/, '') + spec.path;
    u.search = spec.query.toString();
    return u;
  }

  /** One request with its body read to the end; 429 retried after Retry-After. Throws StatusError. */
  async request(spec: RequestSpec): Promise<unknown> {
    const maxRetries = this.#config.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      await this.#throttle(spec.signal);
      const res = await this.#once(spec);
      this.#warnings(res.headers);
      if (res.status >= 200 && res.status < 300) {
        if (res.body === '') return undefined;
        try {
          return JSON.parse(res.body) as unknown;
        } catch (err) {
          throw genericError(500, spec, `invalid JSON in response: ${String(err)}`, res.body);
        }
      }
      const retryAfter = retryAfterSeconds(res.headers);
      if (res.status === 429 && attempt < maxRetries) {
        const wait = retryAfter ?? 1;
        log.v(4, 'Got a Retry-After response', { delay: wait, attempt: attempt + 1, url: spec.path });
        await this.#clock.sleep(wait * 1000, spec.signal);
        continue;
      }
      throw errorFromResponse(res, spec, retryAfter);
    }
  }

  /**
   * A watch request: calls onEvent for each newline-delimited JSON event of the chunked response until
   * the server ends it (resolves), the signal aborts (resolves) or the stream fails (rejects).
   */
  async stream(spec: RequestSpec, onEvent: (ev: unknown) => void, signal: AbortSignal): Promise<void> {
    const maxRetries = this.#config.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#throttle(signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      const r = await this.#streamOnce(spec, onEvent, signal);
      if (r === undefined) return;
      const retryAfter = retryAfterSeconds(r.headers);
      if (r.status === 429 && attempt < maxRetries) {
        try {
          await this.#clock.sleep((retryAfter ?? 1) * 1000, signal);
        } catch {
          return;
        }
        continue;
      }
      throw errorFromResponse(r, spec, retryAfter);
    }
  }

  async #throttle(signal: AbortSignal | undefined): Promise<void> {
    if (this.#limiter !== undefined) await this.#limiter.wait(signal);
  }

  #warnings(headers: http.IncomingHttpHeaders): void {
    const raw = headers['warning'];
    if (raw === undefined) return;
    for (const w of parseWarningHeaders(Array.isArray(raw) ? raw : [raw])) this.#onWarning(w);
  }

  #once(spec: RequestSpec): Promise<RawResponse> {
    const url = this.#url(spec);
    return new Promise<RawResponse>((resolve, reject) => {
      if (spec.signal?.aborted === true) {
        reject(spec.signal.reason);
        return;
      }
      const reqOpts: http.RequestOptions = {
        method: spec.method,
        agent: this.#agent,
        headers: this.#headers(spec, 'application/json'),
      };
      if (spec.signal !== undefined) reqOpts.signal = spec.signal;
      const req = this.#transport.request(url, reqOpts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (err) => reject(this.#transportError(spec, url, err)));
      });
      req.on('error', (err) => reject(this.#transportError(spec, url, err)));
      req.end(spec.body);
    });
  }

  /** Resolves undefined when the stream ended or was aborted, or the response when it was not a 2xx. */
  #streamOnce(
    spec: RequestSpec,
    onEvent: (ev: unknown) => void,
    signal: AbortSignal,
  ): Promise<RawResponse | undefined> {
    const url = this.#url(spec);
    return new Promise<RawResponse | undefined>((resolve, reject) => {
      if (signal.aborted) {
        resolve(undefined);
        return;
      }
      let settled = false;
      const finish = (err?: unknown, res?: RawResponse): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (err !== undefined && !signal.aborted) reject(err);
        else resolve(res);
      };
      const req = this.#transport.request(
        url,
        { method: 'GET', agent: this.#agent, headers: this.#headers(spec, 'application/json') },
        (res) => {
          this.#warnings(res.headers);
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              finish(undefined, {
                status,
                headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8'),
              }),
            );
            res.on('error', (err) => finish(this.#transportError(spec, url, err)));
            return;
          }
          res.setEncoding('utf8');
          let buf = '';
          res.on('data', (chunk: string) => {
            buf += chunk;
            let nl = buf.indexOf('\n');
            while (nl >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (line !== '' && !settled && !signal.aborted) {
                try {
                  onEvent(JSON.parse(line) as unknown);
                } catch (err) {
                  req.destroy();
                  finish(err instanceof SyntaxError ? genericError(500, spec, err.message, line) : err);
                  return;
                }
              }
              nl = buf.indexOf('\n');
            }
          });
          res.on('end', () => {
            const line = buf.trim();
            if (line !== '' && !settled && !signal.aborted) {
              try {
                onEvent(JSON.parse(line) as unknown);
              } catch (err) {
                finish(err instanceof SyntaxError ? genericError(500, spec, err.message, line) : err);
                return;
              }
            }
            finish();
          });
          res.on('aborted', () => finish(this.#transportError(spec, url, new Error('watch stream aborted'))));
          res.on('error', (err) => finish(this.#transportError(spec, url, err)));
        },
      );
      const onAbort = (): void => {
        req.destroy();
        finish();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => finish(this.#transportError(spec, url, err)));
      req.end();
    });
  }

  #transportError(spec: RequestSpec, url: URL, err: Error): unknown {
    if (spec.signal?.aborted === true) return spec.signal.reason;
    const verb = spec.method.charAt(0) + spec.method.slice(1).toLowerCase();
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `${verb} "${url.toString()}": ${err.message}`,
      reason: 'ServiceUnavailable',
      code: 503,
    };
    return new ConnectionError(status, err);
  }
}

/**
 * A request that never got an answer (connection refused or reset, TLS failure): a 503 StatusError whose
 * `cause` is the transport error, so callers that only know StatusError still work, and callers that retry
 * transport failures (the event recorder, as client-go does) can tell it apart from a server's 503.
 */
export class ConnectionError extends StatusError {
  constructor(status: Status, cause: Error) {
    super(status, { cause });
  }
}

export function isConnectionError(err: unknown): err is ConnectionError {
  return err instanceof ConnectionError;
}

class HttpResourceClient<T extends KubeObject> implements ResourceClient<T> {
  readonly resource: ResourceType;
  readonly namespace: string | undefined;
  readonly #http: HttpClient;

  constructor(client: HttpClient, rt: ResourceType, namespace: string | undefined) {
    this.#http = client;
    this.resource = rt;
    this.namespace = namespace;
  }

  async get(name: string, opts: ClientGetOptions = {}): Promise<T> {
    const q = new URLSearchParams();
    if (opts.resourceVersion !== undefined) q.set('resourceVersion', opts.resourceVersion);
    return (await this.#http.request({
      method: 'GET',
      path: resourcePath(this.resource, this.#named(), name),
      query: q,
      signal: opts.signal,
      resource: this.resource,
      name,
    })) as T;
  }

  async list(opts: ClientListOptions = {}): Promise<KubeList<T>> {
    const q = new URLSearchParams();
    setIf(q, 'labelSelector', opts.labelSelector);
    setIf(q, 'fieldSelector', opts.fieldSelector);
    if (opts.limit !== undefined) q.set('limit', String(opts.limit));
    setIf(q, 'continue', opts.continue);
    setIf(q, 'resourceVersion', opts.resourceVersion);
    setIf(q, 'resourceVersionMatch', opts.resourceVersionMatch);
    return (await this.#http.request({
      method: 'GET',
      path: resourcePath(this.resource, this.namespace),
      query: q,
      signal: opts.signal,
      resource: this.resource,
    })) as KubeList<T>;
  }

  async create(obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    return (await this.#http.request({
      method: 'POST',
      path: resourcePath(this.resource, this.#namespaceFor(obj)),
      query: this.#writeQuery(opts),
      body: JSON.stringify(obj),
      signal: opts.signal,
      resource: this.resource,
      name: obj.metadata.name ?? '',
    })) as T;
  }

  update(obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    return this.#put(obj, opts, undefined);
  }

  updateStatus(obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    return this.#put(obj, opts, 'status');
  }

  async #put(obj: T, opts: ClientWriteOptions, subresource: 'status' | undefined): Promise<T> {
    const name = obj.metadata.name;
    if (name === undefined || name === '') throw newBadRequest('resource name may not be empty');
    return (await this.#http.request({
      method: 'PUT',
      path: resourcePath(this.resource, this.#namespaceFor(obj), name, subresource),
      query: this.#writeQuery(opts),
      body: JSON.stringify(obj),
      signal: opts.signal,
      resource: this.resource,
      name,
    })) as T;
  }

  async patch(
    name: string,
    type: PatchType,
    body: string | object,
    opts: ClientPatchOptions = {},
  ): Promise<T> {
    const q = this.#writeQuery(opts);
    if (type === 'application/apply-patch+yaml' && !q.has('fieldManager')) {
      q.set('fieldManager', this.#http.applyFieldManager);
    }
    if (opts.force !== undefined) q.set('force', String(opts.force));
    return (await this.#http.request({
      method: 'PATCH',
      path: resourcePath(this.resource, this.#named(), name, opts.subresource),
      query: q,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      contentType: type,
      signal: opts.signal,
      resource: this.resource,
      name,
    })) as T;
  }

  async bindPod(
    name: string,
    nodeName: string,
    opts: ClientWriteOptions & { annotations?: Record<string, string> } = {},
  ): Promise<void> {
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, ...(opts.annotations !== undefined ? { annotations: opts.annotations } : {}) },
      target: { kind: 'Node', name: nodeName },
    };
    await this.#http.request({
      method: 'POST',
      path: resourcePath(this.resource, this.#named(), name, 'binding'),
      query: this.#writeQuery(opts),
      body: JSON.stringify(binding),
      contentType: 'application/json',
      signal: opts.signal,
      resource: this.resource,
      name,
    });
  }

  async delete(name: string, opts: ClientDeleteOptions = {}): Promise<DeleteResult> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts.gracePeriodSeconds !== undefined) body['gracePeriodSeconds'] = opts.gracePeriodSeconds;
    if (opts.preconditions !== undefined) body['preconditions'] = opts.preconditions;
    if (opts.propagationPolicy !== undefined) body['propagationPolicy'] = opts.propagationPolicy;
    if (opts.dryRun === true) body['dryRun'] = ['All'];
    const res = (await this.#http.request({
      method: 'DELETE',
      path: resourcePath(this.resource, this.#named(), name),
      query: new URLSearchParams(),
      body: JSON.stringify(body),
      signal: opts.signal,
      resource: this.resource,
      name,
    })) as KubeObject | Status | undefined;
    return deleteResult(res, name);
  }

  async watch(
    opts: WatchOptions,
    handler: (ev: ClientWatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const q = new URLSearchParams();
    setIf(q, 'labelSelector', opts.labelSelector);
    setIf(q, 'fieldSelector', opts.fieldSelector);
    setIf(q, 'resourceVersion', opts.resourceVersion);
    if (opts.allowWatchBookmarks !== undefined)
      q.set('allowWatchBookmarks', String(opts.allowWatchBookmarks));
    if (opts.sendInitialEvents !== undefined) q.set('sendInitialEvents', String(opts.sendInitialEvents));
    if (opts.timeoutSeconds !== undefined) q.set('timeoutSeconds', String(opts.timeoutSeconds));
    q.set('watch', 'true');
    await this.#http.stream(
      { method: 'GET', path: resourcePath(this.resource, this.namespace), query: q, resource: this.resource },
      (raw) => handler(toWatchEvent<T>(raw)),
      signal,
    );
  }

  #writeQuery(opts: ClientWriteOptions): URLSearchParams {
    const q = new URLSearchParams();
    if (opts.dryRun === true) q.set('dryRun', 'All');
    setIf(q, 'fieldManager', opts.fieldManager ?? this.#http.fieldManager);
    setIf(q, 'fieldValidation', opts.fieldValidation);
    return q;
  }

  #named(): string | undefined {
    if (this.resource.namespaced && this.namespace === undefined) {
      throw newBadRequest(`a namespace is required to name a ${this.resource.singular}`);
    }
    return this.namespace;
  }

  #namespaceFor(obj: KubeObject): string | undefined {
    if (!this.resource.namespaced) return undefined;
    const ns = this.namespace ?? obj.metadata.namespace;
    if (ns === undefined || ns === '') {
      throw newBadRequest(`a namespace is required to write a ${this.resource.singular}`);
    }
    return ns;
  }
}

function setIf(q: URLSearchParams, key: string, value: string | undefined): void {
  if (value !== undefined && value !== '') q.set(key, value);
}

function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

function toWatchEvent<T extends KubeObject>(raw: unknown): ClientWatchEvent<T> {
  const ev = raw as { type?: unknown; object?: unknown };
  switch (ev.type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
    case 'BOOKMARK':
      return { type: ev.type, object: ev.object as T };
    case 'ERROR':
      if (isStatus(ev.object)) return { type: 'ERROR', object: ev.object };
      break;
  }
  throw new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `unexpected watch event: ${JSON.stringify(raw).slice(0, 200)}`,
    reason: 'InternalError',
    code: 500,
  });
}

/** Interprets a DELETE response: the object (still present when finalizers hold it) or a Success Status. */
function deleteResult(res: KubeObject | Status | undefined, name: string): DeleteResult {
  if (res === undefined || isStatus(res)) {
    const meta: KubeObject['metadata'] = { name: res?.details?.name ?? name };
    if (res?.details?.uid !== undefined) meta.uid = res.details.uid;
    return { object: { metadata: meta }, deleted: true };
  }
  const pending = res.metadata.deletionTimestamp !== undefined && (res.metadata.finalizers ?? []).length > 0;
  return { object: res, deleted: !pending };
}

function retryAfterSeconds(headers: http.IncomingHttpHeaders): number | undefined {
  const v = headers['retry-after'];
  if (v === undefined) return undefined;
  const n = Number.parseInt(Array.isArray(v) ? (v[0] ?? '') : v, 10);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The messages of `Warning: 299 - "text"` headers (RFC 7234), as client-go's warning handler gets them. */
export function parseWarningHeaders(values: readonly string[]): string[] {
  const out: string[] = [];
  const re = /(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?/g;
  for (const v of values) {
    for (const m of v.matchAll(re)) {
      if (m[1] !== '299') continue;
      out.push((m[3] ?? '').replace(/\\(.)/g, '$1'));
    }
  }
  return out;
}

function errorFromResponse(res: RawResponse, spec: RequestSpec, retryAfter: number | undefined): StatusError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed) && parsed.status !== 'Success') {
    const st = parsed;
    if (st.code === undefined || st.code === 0) st.code = res.status;
    if (st.metadata === undefined) st.metadata = {};
    return new StatusError(st);
  }
  return genericError(res.status, spec, res.body.trim(), res.body, retryAfter);
}

/** client-go's apierrors.NewGenericServerResponse for answers that carry no Status. */
function genericError(
  code: number,
  spec: RequestSpec,
  serverMessage: string,
  body: string,
  retryAfter?: number,
): StatusError {
  let reason: StatusReason = '';
  let message = `the server responded with the status code ${code} but did not return more information`;
  switch (code) {
    case 409:
      reason = spec.method === 'POST' ? 'AlreadyExists' : 'Conflict';
      message = 'the server reported a conflict';
      break;
    case 404:
      reason = 'NotFound';
      message = 'the server could not find the requested resource';
      break;
    case 400:
      reason = 'BadRequest';
      message = 'the server rejected our request for an unknown reason';
      break;
    case 401:
      reason = 'Unauthorized';
      message = 'the server has asked for the client to provide credentials';
      break;
    case 403:
      reason = 'Forbidden';
      message = serverMessage;
      break;
    case 406:
      reason = 'NotAcceptable';
      message =
        serverMessage === '' || serverMessage === 'unknown'
          ? 'the server was unable to respond with a content type that the client supports'
          : serverMessage;
      break;
    case 415:
      reason = 'UnsupportedMediaType';
      message = serverMessage;
      break;
    case 405:
      reason = 'MethodNotAllowed';
      message = 'the server does not allow this method on the requested resource';
      break;
    case 422:
      reason = 'Invalid';
      message = 'the server rejected our request due to an error in our request';
      break;
    case 503:
      reason = 'ServiceUnavailable';
      message = 'the server is currently unable to handle the request';
      break;
    case 504:
      reason = 'Timeout';
      message =
        'the server was unable to return a response in the time allotted, but may still be processing the request';
      break;
    case 429:
      reason = 'TooManyRequests';
      message = 'the server has received too many requests and has asked us to try again later';
      break;
    default:
      if (code >= 500) {
        reason = 'InternalError';
        message = `an error on the server (${JSON.stringify(serverMessage)}) has prevented the request from succeeding`;
      }
  }
  const verb = spec.method.toLowerCase();
  const rt = spec.resource;
  const qr = rt === undefined ? '' : qualifiedResource(rt.group, rt.plural);
  if (qr !== '' && spec.name !== undefined && spec.name !== '')
    message = `${message} (${verb} ${qr} ${spec.name})`;
  else if (qr !== '') message = `${message} (${verb} ${qr})`;
  const causes: StatusCause[] = [{ reason: 'UnexpectedServerResponse', message: body }];
  const details: Status['details'] = { causes };
  if (rt !== undefined) {
    details.kind = rt.plural;
    if (rt.group !== '') details.group = rt.group;
  }
  if (spec.name !== undefined && spec.name !== '') details.name = spec.name;
  if (retryAfter !== undefined && retryAfter > 0) details.retryAfterSeconds = retryAfter;
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details,
    code,
  });
}

/** The connection settings of a kubeconfig's current context, plus that context's namespace. */
export interface KubeconfigContext extends HttpClientConfig {
  namespace?: string;
}

interface NamedEntry<T> {
  name?: string;
  [k: string]: unknown;
  value?: T;
}

/**
 * Reads a kubeconfig (YAML or JSON) and returns the connection of its current context: cluster.server,
 * certificate-authority-data (or certificate-authority, relative to the file), insecure-skip-tls-verify,
 * user.token (or tokenFile), client-certificate-data / client-key-data. Throws when the current context
 * or what it names is missing.
 */
export function loadKubeconfig(path: string): KubeconfigContext {
  const text = readFileSync(path, 'utf8');
  const cfg = parseYaml(text) as Record<string, unknown> | null;
  if (cfg === null || typeof cfg !== 'object') throw new Error(`kubeconfig ${path}: not a mapping`);
  const current = cfg['current-context'];
  if (typeof current !== 'string' || current === '') {
    throw new Error(`kubeconfig ${path}: current-context is not set`);
  }
  const pick = (list: string, name: string, field: string): Record<string, unknown> => {
    const entries = (cfg[list] ?? []) as NamedEntry<unknown>[];
    const e = entries.find((x) => x.name === name);
    const v = e?.[field];
    if (v === undefined || v === null || typeof v !== 'object') {
      throw new Error(`kubeconfig ${path}: ${list.replace(/s$/, '')} "${name}" not found`);
    }
    return v as Record<string, unknown>;
  };
  const ctx = pick('contexts', current, 'context');
  const cluster = pick('clusters', String(ctx['cluster'] ?? ''), 'cluster');
  const userName = ctx['user'];
  const user = typeof userName === 'string' && userName !== '' ? pick('users', userName, 'user') : {};
  const base = dirname(path);
  const str = (o: Record<string, unknown>, k: string): string | undefined =>
    typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined;
  const fileOrData = (o: Record<string, unknown>, dataKey: string, fileKey: string): string | undefined => {
    const data = str(o, dataKey);
    if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
    const file = str(o, fileKey);
    return file === undefined ? undefined : readFileSync(resolvePath(base, file), 'utf8');
  };
  const server = str(cluster, 'server');
  if (server === undefined)
    throw new Error(`kubeconfig ${path}: cluster "${String(ctx['cluster'])}" has no server`);
  const out: KubeconfigContext = { server };
  const ca = fileOrData(cluster, 'certificate-authority-data', 'certificate-authority');
  if (ca !== undefined) out.caData = ca;
  if (cluster['insecure-skip-tls-verify'] === true) out.insecureSkipTLSVerify = true;
  const token =
    str(user, 'token') ??
    (str(user, 'tokenFile') === undefined
      ? undefined
      : readFileSync(resolvePath(base, str(user, 'tokenFile')!), 'utf8').trim());
  if (token !== undefined) out.token = token;
  const cert = fileOrData(user, 'client-certificate-data', 'client-certificate');
  if (cert !== undefined) out.certData = cert;
  const key = fileOrData(user, 'client-key-data', 'client-key');
  if (key !== undefined) out.keyData = key;
  const ns = str(ctx, 'namespace');
  if (ns !== undefined) out.namespace = ns;
  return out;
}

/** Convenience: an HttpClient for the kubeconfig's current context. */
export function fromKubeconfig(path: string, overrides: Partial<HttpClientConfig> = {}): HttpClient {
  return HttpClient.fromKubeconfig(path, overrides);
}
