// The CSI client kvol's node agent and controllers use to drive any CSI driver over its unix socket.
// It owns the wire: csi.proto is loaded at run time with the same proto-loader options that made
// src/csi/gen, one gRPC channel serves the Identity, Node and Controller stubs of one endpoint, every
// call has a deadline, failures become a typed CsiError, and each call is timed in the upstream
// `csi_operations_seconds` histogram. Requests are never logged: several carry `csi_secret` maps.
// Concurrency: calls on one client may run in parallel; the CO serialises calls per volume.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { getOrCreate, Histogram, metricsRegistry } from '../component/index.ts';
import type { ControllerClient } from './gen/csi/v1/Controller.ts';
import type { ControllerExpandVolumeRequest } from './gen/csi/v1/ControllerExpandVolumeRequest.ts';
import type { ControllerExpandVolumeResponse__Output } from './gen/csi/v1/ControllerExpandVolumeResponse.ts';
import type { ControllerGetCapabilitiesResponse__Output } from './gen/csi/v1/ControllerGetCapabilitiesResponse.ts';
import type { ControllerPublishVolumeRequest } from './gen/csi/v1/ControllerPublishVolumeRequest.ts';
import type { ControllerPublishVolumeResponse__Output } from './gen/csi/v1/ControllerPublishVolumeResponse.ts';
import type { ControllerUnpublishVolumeRequest } from './gen/csi/v1/ControllerUnpublishVolumeRequest.ts';
import type { ControllerUnpublishVolumeResponse__Output } from './gen/csi/v1/ControllerUnpublishVolumeResponse.ts';
import type { CreateSnapshotRequest } from './gen/csi/v1/CreateSnapshotRequest.ts';
import type { CreateSnapshotResponse__Output } from './gen/csi/v1/CreateSnapshotResponse.ts';
import type { CreateVolumeRequest } from './gen/csi/v1/CreateVolumeRequest.ts';
import type { CreateVolumeResponse__Output } from './gen/csi/v1/CreateVolumeResponse.ts';
import type { DeleteSnapshotRequest } from './gen/csi/v1/DeleteSnapshotRequest.ts';
import type { DeleteSnapshotResponse__Output } from './gen/csi/v1/DeleteSnapshotResponse.ts';
import type { DeleteVolumeRequest } from './gen/csi/v1/DeleteVolumeRequest.ts';
import type { DeleteVolumeResponse__Output } from './gen/csi/v1/DeleteVolumeResponse.ts';
import type { GetCapacityRequest } from './gen/csi/v1/GetCapacityRequest.ts';
import type { GetCapacityResponse__Output } from './gen/csi/v1/GetCapacityResponse.ts';
import type { GetPluginCapabilitiesResponse__Output } from './gen/csi/v1/GetPluginCapabilitiesResponse.ts';
import type { GetPluginInfoResponse__Output } from './gen/csi/v1/GetPluginInfoResponse.ts';
import type { GetSnapshotRequest } from './gen/csi/v1/GetSnapshotRequest.ts';
import type { GetSnapshotResponse__Output } from './gen/csi/v1/GetSnapshotResponse.ts';
import type { IdentityClient } from './gen/csi/v1/Identity.ts';
import type { ListSnapshotsRequest } from './gen/csi/v1/ListSnapshotsRequest.ts';
import type { ListSnapshotsResponse__Output } from './gen/csi/v1/ListSnapshotsResponse.ts';
import type { ListVolumesRequest } from './gen/csi/v1/ListVolumesRequest.ts';
import type { ListVolumesResponse__Output } from './gen/csi/v1/ListVolumesResponse.ts';
import type { NodeClient } from './gen/csi/v1/Node.ts';
import type { NodeExpandVolumeRequest } from './gen/csi/v1/NodeExpandVolumeRequest.ts';
import type { NodeExpandVolumeResponse__Output } from './gen/csi/v1/NodeExpandVolumeResponse.ts';
import type { NodeGetCapabilitiesResponse__Output } from './gen/csi/v1/NodeGetCapabilitiesResponse.ts';
import type { NodeGetInfoResponse__Output } from './gen/csi/v1/NodeGetInfoResponse.ts';
import type { NodeGetVolumeStatsRequest } from './gen/csi/v1/NodeGetVolumeStatsRequest.ts';
import type { NodeGetVolumeStatsResponse__Output } from './gen/csi/v1/NodeGetVolumeStatsResponse.ts';
import type { NodePublishVolumeRequest } from './gen/csi/v1/NodePublishVolumeRequest.ts';
import type { NodePublishVolumeResponse__Output } from './gen/csi/v1/NodePublishVolumeResponse.ts';
import type { NodeStageVolumeRequest } from './gen/csi/v1/NodeStageVolumeRequest.ts';
import type { NodeStageVolumeResponse__Output } from './gen/csi/v1/NodeStageVolumeResponse.ts';
import type { NodeUnpublishVolumeRequest } from './gen/csi/v1/NodeUnpublishVolumeRequest.ts';
import type { NodeUnpublishVolumeResponse__Output } from './gen/csi/v1/NodeUnpublishVolumeResponse.ts';
import type { NodeUnstageVolumeRequest } from './gen/csi/v1/NodeUnstageVolumeRequest.ts';
import type { NodeUnstageVolumeResponse__Output } from './gen/csi/v1/NodeUnstageVolumeResponse.ts';
import type { ProbeResponse__Output } from './gen/csi/v1/ProbeResponse.ts';
import type { ValidateVolumeCapabilitiesRequest } from './gen/csi/v1/ValidateVolumeCapabilitiesRequest.ts';
import type { ValidateVolumeCapabilitiesResponse__Output } from './gen/csi/v1/ValidateVolumeCapabilitiesResponse.ts';
import type { ProtoGrpcType } from './gen/csi.ts';

/** Path of the CSI spec v1.12 proto this package speaks. */
export const csiProtoPath = join(import.meta.dirname, 'csi.proto');

/** The proto-loader options of both the run-time loader and tools/gen-csi.ts. */
export const csiLoaderOptions: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

let loaded: ProtoGrpcType | undefined;

/** The `csi.v1` package, loaded once per process. */
export function loadCsiProto(): ProtoGrpcType {
  if (loaded === undefined) {
    const def = protoLoader.loadSync(csiProtoPath, csiLoaderOptions);
    loaded = grpc.loadPackageDefinition(def) as unknown as ProtoGrpcType;
  }
  return loaded;
}

/** The gRPC target for a CSI endpoint given as `unix:///path/x.sock`, `unix:/path` or a plain path. */
export function csiTarget(endpoint: string): string {
  if (endpoint.startsWith('unix:')) return endpoint;
  if (endpoint.includes('://')) {
    throw new Error(`CSI endpoint ${JSON.stringify(endpoint)}: only unix sockets are supported`);
  }
  return `unix:${endpoint}`;
}

// ---- errors ----

/** gRPC status code names as Go's codes.Code.String() prints them (the metric label values). */
const codeNames: Readonly<Record<number, string>> = {
  0: 'OK',
  1: 'Canceled',
  2: 'Unknown',
  3: 'InvalidArgument',
  4: 'DeadlineExceeded',
  5: 'NotFound',
  6: 'AlreadyExists',
  7: 'PermissionDenied',
  8: 'ResourceExhausted',
  9: 'FailedPrecondition',
  10: 'Aborted',
  11: 'OutOfRange',
  12: 'Unimplemented',
  13: 'Internal',
  14: 'Unavailable',
  15: 'DataLoss',
  16: 'Unauthenticated',
};

export function grpcCodeName(code: number): string {
  return codeNames[code] ?? `Code(${code})`;
}

/** A CSI call that ended with a non-OK gRPC status. */
export class CsiError extends Error {
  override readonly name = 'CsiError';
  /** The gRPC status code (grpc.status). */
  readonly code: grpc.status;
  /** Full method, e.g. `/csi.v1.Node/NodePublishVolume`. */
  readonly method: string;
  /** The driver's status message. */
  readonly details: string;

  constructor(method: string, code: grpc.status, details: string, options?: { cause?: unknown }) {
    super(`${method}: rpc error: code = ${grpcCodeName(code)} desc = ${details}`, options);
    this.method = method;
    this.code = code;
    this.details = details;
  }
}

export function isCsiError(err: unknown): err is CsiError {
  return err instanceof CsiError;
}

function hasCode(err: unknown, code: grpc.status): boolean {
  return err instanceof CsiError && err.code === code;
}

export const isCsiNotFound = (err: unknown): boolean => hasCode(err, grpc.status.NOT_FOUND);
export const isCsiAlreadyExists = (err: unknown): boolean => hasCode(err, grpc.status.ALREADY_EXISTS);
export const isCsiInvalidArgument = (err: unknown): boolean => hasCode(err, grpc.status.INVALID_ARGUMENT);
export const isCsiFailedPrecondition = (err: unknown): boolean =>
  hasCode(err, grpc.status.FAILED_PRECONDITION);
export const isCsiAborted = (err: unknown): boolean => hasCode(err, grpc.status.ABORTED);
export const isCsiOutOfRange = (err: unknown): boolean => hasCode(err, grpc.status.OUT_OF_RANGE);
export const isCsiResourceExhausted = (err: unknown): boolean => hasCode(err, grpc.status.RESOURCE_EXHAUSTED);
export const isCsiUnimplemented = (err: unknown): boolean => hasCode(err, grpc.status.UNIMPLEMENTED);
export const isCsiDeadlineExceeded = (err: unknown): boolean => hasCode(err, grpc.status.DEADLINE_EXCEEDED);
export const isCsiUnavailable = (err: unknown): boolean => hasCode(err, grpc.status.UNAVAILABLE);
export const isCsiCanceled = (err: unknown): boolean => hasCode(err, grpc.status.CANCELLED);

/**
 * Whether the operation certainly stopped (upstream csi-lib-utils IsFinalError). Canceled,
 * DeadlineExceeded, Unavailable, ResourceExhausted and Aborted mean it may still be running in the
 * driver, so the caller must keep treating it as in progress and retry; any other error is final.
 */
export function isFinalCsiError(err: unknown): boolean {
  if (!(err instanceof CsiError)) return true;
  switch (err.code) {
    case grpc.status.CANCELLED:
    case grpc.status.DEADLINE_EXCEEDED:
    case grpc.status.UNAVAILABLE:
    case grpc.status.RESOURCE_EXHAUSTED:
    case grpc.status.ABORTED:
      return false;
    default:
      return true;
  }
}

// ---- metrics ----

/** Upstream kubelet/csi-lib-utils `csi_operations_seconds`. */
export const csiOperationsSecondsName = 'csi_operations_seconds';
/** The histogram the upstream CSI sidecars (csi-lib-utils) record: no `migrated` label. */
export const csiSidecarOperationsSecondsName = 'csi_sidecar_operations_seconds';
const csiBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 25, 50, 120, 300, 600];

function operationsSeconds(): Histogram<'driver_name' | 'method_name' | 'grpc_status_code' | 'migrated'> {
  return getOrCreate(
    csiOperationsSecondsName,
    () =>
      new Histogram({
        name: csiOperationsSecondsName,
        help: 'Container Storage Interface operation duration with gRPC error code status total',
        labelNames: ['driver_name', 'method_name', 'grpc_status_code', 'migrated'] as const,
        buckets: csiBuckets,
        registers: [metricsRegistry],
      }),
  );
}

function sidecarOperationsSeconds(): Histogram<'driver_name' | 'method_name' | 'grpc_status_code'> {
  return getOrCreate(
    csiSidecarOperationsSecondsName,
    () =>
      new Histogram({
        name: csiSidecarOperationsSecondsName,
        help: 'Container Storage Interface operation duration with gRPC error code status total',
        labelNames: ['driver_name', 'method_name', 'grpc_status_code'] as const,
        buckets: csiBuckets,
        registers: [metricsRegistry],
      }),
  );
}

// ---- client ----

/** Per-call options. */
export interface CsiCallOptions {
  /** Aborting cancels the call; it then fails with a CsiError of code CANCELLED. */
  signal?: AbortSignal;
  /** Deadline for this call; defaults to the client's defaultTimeoutMs. */
  timeoutMs?: number;
}

export interface CsiClientOptions {
  /** driver_name label value until setDriverName is called (usually after GetPluginInfo). Default ''. */
  driverName?: string;
  /** migrated label: true when the call serves an in-tree volume migrated to CSI. Default false. */
  migrated?: boolean;
  /** Deadline of a call that gives no timeoutMs. Default 120 s (kubelet's csiTimeout is 2 min). */
  defaultTimeoutMs?: number;
  /**
   * The caller does a CSI sidecar's job (provisioner, attacher, resizer, snapshotter): calls are timed
   * in `csi_sidecar_operations_seconds` as the upstream sidecars do, not in the kubelet's
   * `csi_operations_seconds`. Default false.
   */
  sidecar?: boolean;
}

type Service = 'Identity' | 'Node' | 'Controller';
type Callback<Res> = (err: grpc.ServiceError | null, res?: Res) => void;
type UnaryMethod = (
  req: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  cb: Callback<unknown>,
) => grpc.ClientUnaryCall;

/**
 * A client for one CSI endpoint. The channel connects lazily and reconnects on its own; call close()
 * when the driver goes away. Every method is a single unary RPC; retries are the caller's business.
 */
export class CsiClient {
  readonly endpoint: string;
  private driverName: string;
  private readonly migrated: string;
  private readonly defaultTimeoutMs: number;
  private readonly sidecar: boolean;
  private readonly identity: IdentityClient;
  private readonly node: NodeClient;
  private readonly controller: ControllerClient;

  constructor(endpoint: string, options: CsiClientOptions = {}) {
    this.endpoint = endpoint;
    this.driverName = options.driverName ?? '';
    this.migrated = options.migrated === true ? 'true' : 'false';
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 120_000;
    this.sidecar = options.sidecar === true;
    const v1 = loadCsiProto().csi.v1;
    const target = csiTarget(endpoint);
    const creds = grpc.credentials.createInsecure();
    this.identity = new v1.Identity(target, creds);
    // The three stubs share the Identity stub's channel: one connection per endpoint.
    const shared = { channelOverride: this.identity.getChannel() };
    this.node = new v1.Node(target, creds, shared);
    this.controller = new v1.Controller(target, creds, shared);
  }

  /** Sets the driver_name metric label, e.g. from GetPluginInfo. */
  setDriverName(name: string): void {
    this.driverName = name;
  }

  /** Closes the channel; calls in flight fail. */
  close(): void {
    this.identity.close();
  }

  // Identity

  getPluginInfo(opts?: CsiCallOptions): Promise<GetPluginInfoResponse__Output> {
    return this.call('Identity', 'GetPluginInfo', {}, opts);
  }
  getPluginCapabilities(opts?: CsiCallOptions): Promise<GetPluginCapabilitiesResponse__Output> {
    return this.call('Identity', 'GetPluginCapabilities', {}, opts);
  }
  probe(opts?: CsiCallOptions): Promise<ProbeResponse__Output> {
    return this.call('Identity', 'Probe', {}, opts);
  }

  // Node

  nodeGetInfo(opts?: CsiCallOptions): Promise<NodeGetInfoResponse__Output> {
    return this.call('Node', 'NodeGetInfo', {}, opts);
  }
  nodeGetCapabilities(opts?: CsiCallOptions): Promise<NodeGetCapabilitiesResponse__Output> {
    return this.call('Node', 'NodeGetCapabilities', {}, opts);
  }
  nodeStageVolume(
    req: NodeStageVolumeRequest,
    opts?: CsiCallOptions,
  ): Promise<NodeStageVolumeResponse__Output> {
    return this.call('Node', 'NodeStageVolume', req, opts);
  }
  nodeUnstageVolume(
    req: NodeUnstageVolumeRequest,
    opts?: CsiCallOptions,
  ): Promise<NodeUnstageVolumeResponse__Output> {
    return this.call('Node', 'NodeUnstageVolume', req, opts);
  }
  nodePublishVolume(
    req: NodePublishVolumeRequest,
    opts?: CsiCallOptions,
  ): Promise<NodePublishVolumeResponse__Output> {
    return this.call('Node', 'NodePublishVolume', req, opts);
  }
  nodeUnpublishVolume(
    req: NodeUnpublishVolumeRequest,
    opts?: CsiCallOptions,
  ): Promise<NodeUnpublishVolumeResponse__Output> {
    return this.call('Node', 'NodeUnpublishVolume', req, opts);
  }
  nodeGetVolumeStats(
    req: NodeGetVolumeStatsRequest,
    opts?: CsiCallOptions,
  ): Promise<NodeGetVolumeStatsResponse__Output> {
    return this.call('Node', 'NodeGetVolumeStats', req, opts);
  }
  nodeExpandVolume(
    req: NodeExpandVolumeRequest,
    opts?: CsiCallOptions,
  ): Promise<NodeExpandVolumeResponse__Output> {
    return this.call('Node', 'NodeExpandVolume', req, opts);
  }

  // Controller

  createVolume(req: CreateVolumeRequest, opts?: CsiCallOptions): Promise<CreateVolumeResponse__Output> {
    return this.call('Controller', 'CreateVolume', req, opts);
  }
  deleteVolume(req: DeleteVolumeRequest, opts?: CsiCallOptions): Promise<DeleteVolumeResponse__Output> {
    return this.call('Controller', 'DeleteVolume', req, opts);
  }
  controllerPublishVolume(
    req: ControllerPublishVolumeRequest,
    opts?: CsiCallOptions,
  ): Promise<ControllerPublishVolumeResponse__Output> {
    return this.call('Controller', 'ControllerPublishVolume', req, opts);
  }
  controllerUnpublishVolume(
    req: ControllerUnpublishVolumeRequest,
    opts?: CsiCallOptions,
  ): Promise<ControllerUnpublishVolumeResponse__Output> {
    return this.call('Controller', 'ControllerUnpublishVolume', req, opts);
  }
  validateVolumeCapabilities(
    req: ValidateVolumeCapabilitiesRequest,
    opts?: CsiCallOptions,
  ): Promise<ValidateVolumeCapabilitiesResponse__Output> {
    return this.call('Controller', 'ValidateVolumeCapabilities', req, opts);
  }
  listVolumes(req: ListVolumesRequest, opts?: CsiCallOptions): Promise<ListVolumesResponse__Output> {
    return this.call('Controller', 'ListVolumes', req, opts);
  }
  getCapacity(req: GetCapacityRequest, opts?: CsiCallOptions): Promise<GetCapacityResponse__Output> {
    return this.call('Controller', 'GetCapacity', req, opts);
  }
  controllerGetCapabilities(opts?: CsiCallOptions): Promise<ControllerGetCapabilitiesResponse__Output> {
    return this.call('Controller', 'ControllerGetCapabilities', {}, opts);
  }
  createSnapshot(req: CreateSnapshotRequest, opts?: CsiCallOptions): Promise<CreateSnapshotResponse__Output> {
    return this.call('Controller', 'CreateSnapshot', req, opts);
  }
  deleteSnapshot(req: DeleteSnapshotRequest, opts?: CsiCallOptions): Promise<DeleteSnapshotResponse__Output> {
    return this.call('Controller', 'DeleteSnapshot', req, opts);
  }
  listSnapshots(req: ListSnapshotsRequest, opts?: CsiCallOptions): Promise<ListSnapshotsResponse__Output> {
    return this.call('Controller', 'ListSnapshots', req, opts);
  }
  /** Spec 1.12 alpha (GET_SNAPSHOT). */
  getSnapshot(req: GetSnapshotRequest, opts?: CsiCallOptions): Promise<GetSnapshotResponse__Output> {
    return this.call('Controller', 'GetSnapshot', req, opts);
  }
  controllerExpandVolume(
    req: ControllerExpandVolumeRequest,
    opts?: CsiCallOptions,
  ): Promise<ControllerExpandVolumeResponse__Output> {
    return this.call('Controller', 'ControllerExpandVolume', req, opts);
  }

  private stub(service: Service): grpc.Client {
    switch (service) {
      case 'Identity':
        return this.identity;
      case 'Node':
        return this.node;
      case 'Controller':
        return this.controller;
    }
  }

  private call<Res>(service: Service, method: string, req: unknown, opts: CsiCallOptions = {}): Promise<Res> {
    const fullMethod = `/csi.v1.${service}/${method}`;
    const stub = this.stub(service);
    const fn = (stub as unknown as Record<string, UnaryMethod>)[method];
    if (fn === undefined) throw new Error(`CSI client: no method ${fullMethod}`);
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const started = performance.now();
    const observe = (code: grpc.status): void => {
      const seconds = (performance.now() - started) / 1000;
      const labels = {
        driver_name: this.driverName,
        method_name: fullMethod,
        grpc_status_code: grpcCodeName(code),
      };
      if (this.sidecar) sidecarOperationsSeconds().observe(labels, seconds);
      else operationsSeconds().observe({ ...labels, migrated: this.migrated }, seconds);
    };
    return new Promise<Res>((resolve, reject) => {
      const signal = opts.signal;
      if (signal?.aborted === true) {
        observe(grpc.status.CANCELLED);
        reject(
          new CsiError(fullMethod, grpc.status.CANCELLED, 'aborted before the call', {
            cause: signal.reason,
          }),
        );
        return;
      }
      let onAbort: (() => void) | undefined;
      const call = fn.call(
        stub,
        req,
        new grpc.Metadata(),
        { deadline: new Date(Date.now() + timeoutMs) },
        (err: grpc.ServiceError | null, res?: unknown) => {
          if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
          if (err !== null) {
            observe(err.code);
            // Only the status travels on: the request (which may hold secrets) is never attached.
            reject(new CsiError(fullMethod, err.code, err.details, { cause: err }));
            return;
          }
          observe(grpc.status.OK);
          resolve(res as Res);
        },
      );
      if (signal !== undefined) {
        onAbort = () => call.cancel();
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }
}
