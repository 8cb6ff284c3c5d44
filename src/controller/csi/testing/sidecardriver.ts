// A fake CSI controller plugin for the built-in provisioner, capacity and attacher tests: a real
// grpc-js server on a unix socket (csi.proto from src/csi) serving Identity and Controller, keeping
// volumes by name so that CreateVolume is idempotent as the spec requires, recording every call
// (secrets included, for assertions) and failing the next calls of a method on request.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadCsiProto } from '../../../csi/index.ts';

export interface FakeDriverOptions {
  name: string;
  /** Plugin service capabilities; default CONTROLLER_SERVICE and VOLUME_ACCESSIBILITY_CONSTRAINTS. */
  plugin?: string[];
  /** Controller RPC capabilities; default CREATE_DELETE_VOLUME. */
  controller?: string[];
  /** GetCapacity answer in bytes per request; default 10 GiB everywhere. */
  capacity?: (req: Record<string, unknown>) => { available: number; max?: number };
}

export interface FakeSidecarCall {
  method: string;
  request: Record<string, unknown>;
}

type Cb = (err: { code: grpc.status; details: string } | null, res?: unknown) => void;

export class FakeSidecarDriver {
  readonly name: string;
  readonly socket: string;
  readonly calls: FakeSidecarCall[] = [];
  /** volume name -> volume; ids are `vol-<name>`. */
  readonly volumes = new Map<string, { id: string; bytes: string; contentSource: unknown }>();
  /** `volumeId@nodeId` published. */
  readonly published = new Set<string>();
  readonly #failures: { method: string; code: grpc.status; details: string }[] = [];
  readonly #opts: FakeDriverOptions;
  #server: grpc.Server | undefined;

  constructor(dir: string, opts: FakeDriverOptions) {
    this.name = opts.name;
    this.socket = join(dir, `${opts.name}.sock`);
    this.#opts = opts;
  }

  /** The next call of `method` fails with `code`. */
  failNext(method: string, code: grpc.status, details = 'injected failure'): void {
    this.#failures.push({ method, code, details });
  }

  callsOf(method: string): Record<string, unknown>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.request);
  }

  async start(): Promise<void> {
    const v1 = loadCsiProto().csi.v1;
    const server = new grpc.Server();
    const o = this.#opts;
    const handle =
      (method: string, fn: (req: Record<string, unknown>) => unknown) =>
      (call: { request: unknown }, cb: Cb): void => {
        const req = call.request as Record<string, unknown>;
        this.calls.push({ method, request: req });
        const i = this.#failures.findIndex((f) => f.method === method);
        const f = i === -1 ? undefined : this.#failures.splice(i, 1)[0];
        if (f !== undefined) {
          cb({ code: f.code, details: f.details });
          return;
        }
        cb(null, fn(req));
      };
    const identity: Record<string, unknown> = {
      GetPluginInfo: handle('GetPluginInfo', () => ({ name: this.name, vendor_version: '1.0.0' })),
      Probe: handle('Probe', () => ({ ready: { value: true } })),
      GetPluginCapabilities: handle('GetPluginCapabilities', () => ({
        capabilities: (o.plugin ?? ['CONTROLLER_SERVICE', 'VOLUME_ACCESSIBILITY_CONSTRAINTS']).map((t) => ({
          service: { type: t },
        })),
      })),
    };
    const controller: Record<string, unknown> = {
      ControllerGetCapabilities: handle('ControllerGetCapabilities', () => ({
        capabilities: (o.controller ?? ['CREATE_DELETE_VOLUME']).map((t) => ({ rpc: { type: t } })),
      })),
      CreateVolume: handle('CreateVolume', (req) => {
        const name = String(req.name);
        const range = req.capacity_range as { required_bytes?: string } | null;
        let v = this.volumes.get(name);
        if (v === undefined) {
          v = {
            id: `vol-${name}`,
            bytes: range?.required_bytes ?? '0',
            contentSource: req.volume_content_source ?? null,
          };
          this.volumes.set(name, v);
        }
        const ar = req.accessibility_requirements as {
          preferred: { segments: Record<string, string> }[];
          requisite: { segments: Record<string, string> }[];
        } | null;
        const first = ar?.preferred[0] ?? ar?.requisite[0];
        return {
          volume: {
            volume_id: v.id,
            capacity_bytes: v.bytes,
            volume_context: { fake: 'yes' },
            content_source: v.contentSource,
            accessible_topology: first !== undefined ? [first] : [],
          },
        };
      }),
      DeleteVolume: handle('DeleteVolume', (req) => {
        for (const [n, v] of this.volumes) if (v.id === req.volume_id) this.volumes.delete(n);
        return {};
      }),
      ControllerPublishVolume: handle('ControllerPublishVolume', (req) => {
        this.published.add(`${String(req.volume_id)}@${String(req.node_id)}`);
        return { publish_context: { devicePath: `/dev/fake/${String(req.volume_id)}` } };
      }),
      ControllerUnpublishVolume: handle('ControllerUnpublishVolume', (req) => {
        this.published.delete(`${String(req.volume_id)}@${String(req.node_id)}`);
        return {};
      }),
      GetCapacity: handle('GetCapacity', (req) => {
        const c = o.capacity?.(req) ?? { available: 10 * 1024 ** 3 };
        return {
          available_capacity: String(c.available),
          ...(c.max !== undefined ? { maximum_volume_size: { value: String(c.max) } } : {}),
        };
      }),
    };
    server.addService(v1.Identity.service, identity as unknown as grpc.UntypedServiceImplementation);
    server.addService(v1.Controller.service, controller as unknown as grpc.UntypedServiceImplementation);
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(`unix://${this.socket}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err === null ? resolve() : reject(err),
      );
    });
    this.#server = server;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s === undefined) return;
    await new Promise<void>((resolve) => s.tryShutdown(() => resolve()));
    s.forceShutdown();
  }
}
