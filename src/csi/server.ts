// The driver side of CSI: serving Identity, Controller and Node handlers on one unix socket, and the
// one place where a handler's failure becomes a gRPC status. Handlers throw CsiServerError with the
// code the spec asks for; anything else is a bug and travels as INTERNAL with its message. Status
// `details` (the binary trailer) is always empty, as the spec requires. Requests are never logged:
// several carry `csi_secret` maps.
// Concurrency: grpc-js runs handlers concurrently; serialising per volume is the driver's business.
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { logger } from '../component/index.ts';
import { csiTarget, grpcCodeName, loadCsiProto } from './client.ts';
import type { ControllerHandlers } from './gen/csi/v1/Controller.ts';
import type { IdentityHandlers } from './gen/csi/v1/Identity.ts';
import type { NodeHandlers } from './gen/csi/v1/Node.ts';

const log = logger('csi-server');

/** A failure a CSI handler reports to its caller with a specific gRPC status code. */
export class CsiServerError extends Error {
  override readonly name = 'CsiServerError';
  readonly code: grpc.status;

  constructor(code: grpc.status, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isCsiServerError(err: unknown): err is CsiServerError {
  return err instanceof CsiServerError;
}

/** Shorthands for the codes the spec uses, so handlers read as the spec's tables. */
export const csiErrors = {
  invalidArgument: (msg: string) => new CsiServerError(grpc.status.INVALID_ARGUMENT, msg),
  notFound: (msg: string) => new CsiServerError(grpc.status.NOT_FOUND, msg),
  alreadyExists: (msg: string) => new CsiServerError(grpc.status.ALREADY_EXISTS, msg),
  failedPrecondition: (msg: string) => new CsiServerError(grpc.status.FAILED_PRECONDITION, msg),
  resourceExhausted: (msg: string) => new CsiServerError(grpc.status.RESOURCE_EXHAUSTED, msg),
  outOfRange: (msg: string) => new CsiServerError(grpc.status.OUT_OF_RANGE, msg),
  aborted: (msg: string) => new CsiServerError(grpc.status.ABORTED, msg),
  unimplemented: (msg: string) => new CsiServerError(grpc.status.UNIMPLEMENTED, msg),
} as const;

/** The wire status of a handler failure: the single mapping from errors to gRPC codes. */
export function toGrpcStatus(err: unknown): grpc.ServerErrorResponse {
  if (isCsiServerError(err))
    return { name: err.name, message: err.message, code: err.code, details: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { name: 'Error', message, code: grpc.status.INTERNAL, details: message };
}

/**
 * Adapts an async function to a grpc-js unary handler: the resolved value is the reply, a thrown
 * error goes through toGrpcStatus. `method` names the RPC in the logs (never the request).
 */
export function unary<Req, Res>(
  method: string,
  fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        (res) => {
          log.v(5, 'CSI call succeeded', { method });
          callback(null, res);
        },
        (err: unknown) => {
          const status = toGrpcStatus(err);
          if (status.code === grpc.status.INTERNAL) log.error('CSI call failed', err, { method });
          else
            log.v(4, 'CSI call failed', {
              method,
              code: grpcCodeName(status.code ?? 2),
              msg: status.details,
            });
          callback(status);
        },
      );
  };
}

/** The services one CSI endpoint serves. Missing methods answer UNIMPLEMENTED (grpc-js default). */
export interface CsiServices {
  identity: Partial<IdentityHandlers>;
  controller?: Partial<ControllerHandlers>;
  node?: Partial<NodeHandlers>;
}

export interface RunningCsiServer {
  /** The socket path the server listens on. */
  readonly socketPath: string;
  /** Stops accepting calls, waits briefly for calls in flight, and removes the socket file. */
  close(): Promise<void>;
}

/** The filesystem path of a `unix:` endpoint. */
export function csiSocketPath(endpoint: string): string {
  const target = csiTarget(endpoint);
  let path = target.slice('unix:'.length);
  if (path.startsWith('//')) path = path.slice(2);
  if (path === '') throw new Error(`CSI endpoint ${JSON.stringify(endpoint)}: empty socket path`);
  return path;
}

function removeStaleSocket(path: string): void {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) {
    throw new Error(`CSI endpoint ${path} exists and is not a socket; refusing to remove it`);
  }
  rmSync(path, { force: true });
}

/**
 * Serves the given services on a unix socket. A socket file left by a previous run is removed
 * first. The server does not check `:authority` (clients send `localhost`, the path, or anything).
 */
export async function serveCsi(endpoint: string, services: CsiServices): Promise<RunningCsiServer> {
  const socketPath = csiSocketPath(endpoint);
  mkdirSync(dirname(socketPath), { recursive: true });
  removeStaleSocket(socketPath);
  const v1 = loadCsiProto().csi.v1;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  server.addService(v1.Identity.service, services.identity as grpc.UntypedServiceImplementation);
  if (services.controller !== undefined) {
    server.addService(v1.Controller.service, services.controller as grpc.UntypedServiceImplementation);
  }
  if (services.node !== undefined) {
    server.addService(v1.Node.service, services.node as grpc.UntypedServiceImplementation);
  }
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    );
  });
  let closed: Promise<void> | undefined;
  return {
    socketPath,
    close() {
      closed ??= (async () => {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 2000);
          server.tryShutdown(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        rmSync(socketPath, { force: true });
      })();
      return closed;
    },
  };
}
