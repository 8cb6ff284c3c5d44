// The plugin registration API v1 loaded at run time from api.proto: the service definition (for
// servers such as a registrar or a test fake) and a promise-based client the kubelet dials.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** PluginInfo as it arrives over the wire (keepCase, defaults filled in). */
export interface PluginInfo {
  type: string;
  name: string;
  endpoint: string;
  supported_versions: string[];
}

export interface RegistrationStatus {
  plugin_registered: boolean;
  error: string;
}

/** Plugin types of upstream's handlers (pkg/kubelet/pluginmanager). */
export const PluginType = {
  csi: 'CSIPlugin',
  device: 'DevicePlugin',
  dra: 'DRAPlugin',
} as const;

export const PROTO_PATH = join(import.meta.dirname, 'api.proto');

let cached: grpc.ServiceDefinition | undefined;

/** The Registration service definition (package pluginregistration). */
export function registrationService(): grpc.ServiceDefinition {
  if (cached !== undefined) return cached;
  const def = protoLoader.loadSync(PROTO_PATH, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const svc = def['pluginregistration.Registration'];
  if (svc === undefined || !('GetInfo' in svc)) {
    throw new Error(`${PROTO_PATH}: service pluginregistration.Registration not found`);
  }
  cached = svc as grpc.ServiceDefinition;
  return cached;
}

/** Implementation a plugin (or a fake registrar) serves on its registration socket. */
export interface RegistrationServer {
  getInfo(): PluginInfo | Promise<PluginInfo>;
  notifyRegistrationStatus(status: RegistrationStatus): void | Promise<void>;
}

/** Adapts a RegistrationServer to grpc-js handlers for `server.addService(registrationService(), …)`. */
export function registrationHandlers(impl: RegistrationServer): grpc.UntypedServiceImplementation {
  return {
    GetInfo: (_call: grpc.ServerUnaryCall<unknown, PluginInfo>, cb: grpc.sendUnaryData<PluginInfo>) => {
      Promise.resolve()
        .then(() => impl.getInfo())
        .then(
          (info) => cb(null, info),
          (err: unknown) => cb({ code: grpc.status.INTERNAL, details: String(err) }),
        );
    },
    NotifyRegistrationStatus: (
      call: grpc.ServerUnaryCall<RegistrationStatus, object>,
      cb: grpc.sendUnaryData<object>,
    ) => {
      Promise.resolve()
        .then(() => impl.notifyRegistrationStatus(call.request))
        .then(
          () => cb(null, {}),
          (err: unknown) => cb({ code: grpc.status.INTERNAL, details: String(err) }),
        );
    },
  };
}

/** The kubelet side of one registration socket. close() must be called. */
export interface RegistrationClient {
  getInfo(timeoutMs: number): Promise<PluginInfo>;
  notifyRegistrationStatus(status: RegistrationStatus, timeoutMs: number): Promise<void>;
  close(): void;
}

type UnaryFn = (
  req: object,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res?: unknown) => void,
) => void;

/**
 * Dials the unix socket and waits until the channel is ready or `timeoutMs` passes (upstream dials
 * with WithBlock and a 10 s timeout).
 */
export async function dialRegistration(socketPath: string, timeoutMs: number): Promise<RegistrationClient> {
  const Ctor = grpc.makeGenericClientConstructor(registrationService(), 'Registration');
  const client = new Ctor(`unix:${socketPath}`, grpc.credentials.createInsecure());
  try {
    await new Promise<void>((resolve, reject) => {
      client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve()));
    });
  } catch (err) {
    client.close();
    throw new Error(`failed to dial socket ${socketPath}, err: ${errText(err)}`, { cause: err });
  }
  const call = <T>(method: string, req: object, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const fn = (client as unknown as Record<string, UnaryFn>)[method];
      if (fn === undefined) {
        reject(new Error(`no method ${method}`));
        return;
      }
      fn.call(client, req, { deadline: Date.now() + timeoutMs }, (err, res) =>
        err ? reject(err) : resolve(res as T),
      );
    });
  return {
    getInfo: (t) => call<PluginInfo>('GetInfo', {}, t),
    notifyRegistrationStatus: async (status, t) => {
      await call<object>('NotifyRegistrationStatus', status, t);
    },
    close: () => client.close(),
  };
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
