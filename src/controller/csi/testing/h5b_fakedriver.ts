// RecordingCsiDriver (helper H5b's, for the resizer and snapshot tests): a fake CSI driver: a real gRPC server (grpc-js) on a unix socket speaking
// csi.proto through loadCsiProto(), with switchable capabilities, idempotent snapshots kept by name,
// every call recorded (secrets included, for assertions) and failures injectable per method.
// Concurrency: calls are served as they come; `inFlight` counts calls not yet answered.
import * as grpc from '@grpc/grpc-js';
import { loadCsiProto } from '../../../csi/index.ts';

export interface RecordingCsiDriverOptions {
  name: string;
  /** Advertise the Controller service (PluginCapability CONTROLLER_SERVICE); default true. */
  controllerService?: boolean;
  /** ControllerServiceCapability RPC types; default EXPAND_VOLUME, CREATE_DELETE_SNAPSHOT, LIST_SNAPSHOTS. */
  controllerCapabilities?: string[];
  /** NodeServiceCapability RPC types; default EXPAND_VOLUME. */
  nodeCapabilities?: string[];
  /** ControllerExpandVolume's node_expansion_required; default true. */
  nodeExpansionRequired?: boolean;
  /** A snapshot is ready_to_use from its n-th CreateSnapshot call on; default 1 (at once). */
  snapshotReadyAfterCalls?: number;
  /** size_bytes of every snapshot; default 1 GiB. */
  snapshotSizeBytes?: number;
}

export interface RecordedCsiCall {
  method: string;
  request: Record<string, unknown>;
}

interface FakeSnapshot {
  id: string;
  name: string;
  source: string;
  createCalls: number;
  seconds: number;
}

type Handler = (req: Record<string, unknown>) => unknown;

export class RecordingCsiDriver {
  readonly name: string;
  readonly calls: RecordedCsiCall[] = [];
  /** Backend snapshots by id. */
  readonly snapshots = new Map<string, FakeSnapshot>();
  inFlight = 0;
  nodeExpansionRequired: boolean;
  controllerCapabilities: string[];
  nodeCapabilities: string[];
  controllerService: boolean;
  snapshotReadyAfterCalls: number;
  readonly #sizeBytes: number;
  readonly #failures = new Map<string, { code: grpc.status; details: string }[]>();
  readonly #holds = new Set<string>();
  readonly #held: (() => void)[] = [];
  readonly #server = new grpc.Server();

  constructor(opts: RecordingCsiDriverOptions) {
    this.name = opts.name;
    this.controllerService = opts.controllerService ?? true;
    this.controllerCapabilities = opts.controllerCapabilities ?? [
      'EXPAND_VOLUME',
      'CREATE_DELETE_SNAPSHOT',
      'LIST_SNAPSHOTS',
    ];
    this.nodeCapabilities = opts.nodeCapabilities ?? ['EXPAND_VOLUME'];
    this.nodeExpansionRequired = opts.nodeExpansionRequired ?? true;
    this.snapshotReadyAfterCalls = opts.snapshotReadyAfterCalls ?? 1;
    this.#sizeBytes = opts.snapshotSizeBytes ?? 1024 ** 3;
    const v1 = loadCsiProto().csi.v1;
    this.#server.addService(
      v1.Identity.service,
      this.#wrap({
        GetPluginInfo: () => ({ name: this.name, vendor_version: '0.0.1' }),
        GetPluginCapabilities: () => ({
          capabilities: this.controllerService ? [{ service: { type: 'CONTROLLER_SERVICE' } }] : [],
        }),
        Probe: () => ({ ready: { value: true } }),
      }),
    );
    this.#server.addService(
      v1.Controller.service,
      this.#wrap({
        ControllerGetCapabilities: () => ({
          capabilities: this.controllerCapabilities.map((type) => ({ rpc: { type } })),
        }),
        ControllerExpandVolume: (req) => {
          const range = req['capacity_range'] as { required_bytes?: string } | null;
          return {
            capacity_bytes: range?.required_bytes ?? '0',
            node_expansion_required: this.nodeExpansionRequired,
          };
        },
        CreateSnapshot: (req) => this.#createSnapshot(req),
        DeleteSnapshot: (req) => {
          this.snapshots.delete(String(req['snapshot_id']));
          return {};
        },
        ListSnapshots: (req) => {
          const s = this.snapshots.get(String(req['snapshot_id']));
          return { entries: s === undefined ? [] : [{ snapshot: this.#snapshotMessage(s) }], next_token: '' };
        },
      }),
    );
    this.#server.addService(
      v1.Node.service,
      this.#wrap({
        NodeGetCapabilities: () => ({
          capabilities: this.nodeCapabilities.map((type) => ({ rpc: { type } })),
        }),
      }),
    );
  }

  /** Serves on `socketPath` (a path, not a URL). */
  start(socketPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(`unix:${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err === null ? resolve() : reject(err),
      );
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.tryShutdown(() => resolve());
      // Calls held open by a test must not keep the shutdown waiting.
      setTimeout(() => this.#server.forceShutdown(), 100).unref();
    });
  }

  /** The next call of `method` (e.g. "CreateSnapshot") fails with this status; queued per method. */
  failNext(method: string, code: grpc.status, details = 'injected failure'): void {
    const list = this.#failures.get(method) ?? [];
    list.push({ code, details });
    this.#failures.set(method, list);
  }

  /**
   * The next call of `method` is recorded but answered only at release() (as a driver still working
   * when its caller died). A held call does not count in `inFlight`.
   */
  holdNext(method: string): void {
    this.#holds.add(method);
  }

  /** Answers the held calls (their callers may be gone). */
  release(): void {
    for (const answer of this.#held.splice(0)) answer();
  }

  /** Number of calls held by holdNext. */
  get held(): number {
    return this.#held.length;
  }

  /** The recorded requests of one method. */
  callsOf(method: string): Record<string, unknown>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.request);
  }

  /** A snapshot that exists on the backend already (for pre-provisioned contents). */
  addSnapshot(id: string, source: string): void {
    this.snapshots.set(id, {
      id,
      name: id,
      source,
      createCalls: this.snapshotReadyAfterCalls,
      seconds: 1_700_000_000,
    });
  }

  #createSnapshot(req: Record<string, unknown>): unknown {
    const name = String(req['name']);
    const source = String(req['source_volume_id']);
    let s = [...this.snapshots.values()].find((x) => x.name === name);
    if (s !== undefined && s.source !== source) {
      throw Object.assign(new Error('snapshot exists with another source'), {
        code: grpc.status.ALREADY_EXISTS,
      });
    }
    if (s === undefined) {
      s = { id: `snap-${name}`, name, source, createCalls: 0, seconds: 1_700_000_000 + this.snapshots.size };
      this.snapshots.set(s.id, s);
    }
    s.createCalls++;
    return { snapshot: this.#snapshotMessage(s) };
  }

  #snapshotMessage(s: FakeSnapshot): unknown {
    return {
      size_bytes: String(this.#sizeBytes),
      snapshot_id: s.id,
      source_volume_id: s.source,
      creation_time: { seconds: String(s.seconds), nanos: 0 },
      ready_to_use: s.createCalls >= this.snapshotReadyAfterCalls,
    };
  }

  #wrap(handlers: Record<string, Handler>): grpc.UntypedServiceImplementation {
    const out: grpc.UntypedServiceImplementation = {};
    for (const [method, fn] of Object.entries(handlers)) {
      out[method] = (
        call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        this.calls.push({ method, request: structuredClone(call.request) });
        if (this.#holds.delete(method)) {
          this.#held.push(() => {
            try {
              cb(null, fn(call.request) as never);
            } catch {
              // The caller is gone; nothing to answer.
            }
          });
          return;
        }
        this.inFlight++;
        const done = (err: grpc.ServiceError | null, res?: unknown): void => {
          this.inFlight--;
          cb(err, res);
        };
        const failure = this.#failures.get(method)?.shift();
        if (failure !== undefined) {
          done(
            Object.assign(new Error(failure.details), {
              code: failure.code,
              details: failure.details,
            }) as grpc.ServiceError,
          );
          return;
        }
        try {
          done(null, fn(call.request));
        } catch (err) {
          const e = err as { code?: number; message?: string };
          done(
            Object.assign(new Error(e.message ?? 'error'), {
              code: e.code ?? grpc.status.INTERNAL,
              details: e.message ?? 'error',
            }) as grpc.ServiceError,
          );
        }
      };
    }
    return out;
  }
}
