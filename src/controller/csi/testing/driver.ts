// FakeControllerDriver: the fake CSI driver of the built-in controller tests (provisioner, attacher,
// capacity publisher, resizer, snapshotter, and the expand and snapshot controllers beside them): a
// real gRPC server (grpc-js) on a unix socket speaking csi.proto through loadCsiProto(), serving
// Identity, Controller and Node with switchable capabilities. Volumes are kept by name and snapshots
// by id so that CreateVolume and CreateSnapshot are idempotent as the spec requires; every call is
// recorded (secrets included, for assertions); failures are injectable per method and calls can be
// held open.
// Concurrency: calls are served as they come; `inFlight` counts calls not yet answered.
import * as grpc from '@grpc/grpc-js';
import { loadCsiProto } from '../../../csi/index.ts';

export interface FakeControllerDriverOptions {
  name: string;
  /** PluginCapability.Service types; default CONTROLLER_SERVICE and VOLUME_ACCESSIBILITY_CONSTRAINTS. */
  pluginCapabilities?: string[];
  /** ControllerServiceCapability.RPC types; default CREATE_DELETE_VOLUME. */
  controllerCapabilities?: string[];
  /** NodeServiceCapability.RPC types; default EXPAND_VOLUME. */
  nodeCapabilities?: string[];
  /** GetCapacity answer in bytes per request; default 10 GiB everywhere. */
  capacity?: (req: Record<string, unknown>) => { available: number; max?: number };
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

export interface FakeVolume {
  id: string;
  bytes: string;
  contentSource: unknown;
}

export interface FakeSnapshot {
  id: string;
  name: string;
  source: string;
  createCalls: number;
  seconds: number;
}

type Handler = (req: Record<string, unknown>) => unknown;

export class FakeControllerDriver {
  readonly name: string;
  readonly calls: RecordedCsiCall[] = [];
  /** Volumes by name; ids are `vol-<name>`. */
  readonly volumes = new Map<string, FakeVolume>();
  /** `volumeId@nodeId` published. */
  readonly published = new Set<string>();
  /** Backend snapshots by id. */
  readonly snapshots = new Map<string, FakeSnapshot>();
  inFlight = 0;
  pluginCapabilities: string[];
  controllerCapabilities: string[];
  nodeCapabilities: string[];
  nodeExpansionRequired: boolean;
  snapshotReadyAfterCalls: number;
  readonly #capacity: FakeControllerDriverOptions['capacity'];
  readonly #sizeBytes: number;
  readonly #failures = new Map<string, { code: grpc.status; details: string }[]>();
  readonly #holds = new Set<string>();
  readonly #held: (() => void)[] = [];
  readonly #server = new grpc.Server();

  constructor(opts: FakeControllerDriverOptions) {
    this.name = opts.name;
    this.pluginCapabilities = opts.pluginCapabilities ?? [
      'CONTROLLER_SERVICE',
      'VOLUME_ACCESSIBILITY_CONSTRAINTS',
    ];
    this.controllerCapabilities = opts.controllerCapabilities ?? ['CREATE_DELETE_VOLUME'];
    this.nodeCapabilities = opts.nodeCapabilities ?? ['EXPAND_VOLUME'];
    this.nodeExpansionRequired = opts.nodeExpansionRequired ?? true;
    this.snapshotReadyAfterCalls = opts.snapshotReadyAfterCalls ?? 1;
    this.#capacity = opts.capacity;
    this.#sizeBytes = opts.snapshotSizeBytes ?? 1024 ** 3;
    const v1 = loadCsiProto().csi.v1;
    this.#server.addService(
      v1.Identity.service,
      this.#wrap({
        GetPluginInfo: () => ({ name: this.name, vendor_version: '1.0.0' }),
        GetPluginCapabilities: () => ({
          capabilities: this.pluginCapabilities.map((type) => ({ service: { type } })),
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
        CreateVolume: (req) => this.#createVolume(req),
        DeleteVolume: (req) => {
          for (const [n, v] of this.volumes) if (v.id === req['volume_id']) this.volumes.delete(n);
          return {};
        },
        ControllerPublishVolume: (req) => {
          this.published.add(`${String(req['volume_id'])}@${String(req['node_id'])}`);
          return { publish_context: { devicePath: `/dev/fake/${String(req['volume_id'])}` } };
        },
        ControllerUnpublishVolume: (req) => {
          this.published.delete(`${String(req['volume_id'])}@${String(req['node_id'])}`);
          return {};
        },
        GetCapacity: (req) => {
          const c = this.#capacity?.(req) ?? { available: 10 * 1024 ** 3 };
          return {
            available_capacity: String(c.available),
            ...(c.max !== undefined ? { maximum_volume_size: { value: String(c.max) } } : {}),
          };
        },
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

  #createVolume(req: Record<string, unknown>): unknown {
    const name = String(req['name']);
    const range = req['capacity_range'] as { required_bytes?: string } | null;
    let v = this.volumes.get(name);
    if (v === undefined) {
      v = {
        id: `vol-${name}`,
        bytes: range?.required_bytes ?? '0',
        contentSource: req['volume_content_source'] ?? null,
      };
      this.volumes.set(name, v);
    }
    const ar = req['accessibility_requirements'] as {
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
