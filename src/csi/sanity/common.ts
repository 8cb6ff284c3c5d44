// Shared machinery of the CSI conformance suite: the configuration, the per-run context (one
// CsiClient plus raw stubs for the RPCs CsiClient does not wrap), the per-check runner with its
// resource tracker (sanity's resources.go: everything a check creates is unpublished, unstaged and
// deleted afterwards, even when the check failed) and the assertion helpers.
// Concurrency: checks run one at a time (node:test runs the tests of a file in sequence); a
// Resources instance belongs to one check.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import {
  CsiClient,
  CsiError,
  csiTarget,
  grpcCodeName,
  isCsiError,
  isCsiNotFound,
  loadCsiProto,
} from '../client.ts';
import type { ControllerPublishVolumeRequest } from '../gen/csi/v1/ControllerPublishVolumeRequest.ts';
import type { ControllerPublishVolumeResponse__Output } from '../gen/csi/v1/ControllerPublishVolumeResponse.ts';
import type { CreateSnapshotRequest } from '../gen/csi/v1/CreateSnapshotRequest.ts';
import type { CreateSnapshotResponse__Output } from '../gen/csi/v1/CreateSnapshotResponse.ts';
import type { CreateVolumeRequest } from '../gen/csi/v1/CreateVolumeRequest.ts';
import type { CreateVolumeResponse__Output } from '../gen/csi/v1/CreateVolumeResponse.ts';
import type { DeleteSnapshotRequest } from '../gen/csi/v1/DeleteSnapshotRequest.ts';
import type { DeleteVolumeRequest } from '../gen/csi/v1/DeleteVolumeRequest.ts';
import type { Snapshot__Output } from '../gen/csi/v1/Snapshot.ts';
import type { VolumeCapability } from '../gen/csi/v1/VolumeCapability.ts';

/** Secrets passed to each RPC, as csi-sanity's CSISecrets file names them. All optional. */
export interface SanitySecrets {
  createVolumeSecret?: Record<string, string>;
  deleteVolumeSecret?: Record<string, string>;
  controllerPublishVolumeSecret?: Record<string, string>;
  controllerUnpublishVolumeSecret?: Record<string, string>;
  controllerValidateVolumeCapabilitiesSecret?: Record<string, string>;
  nodeStageVolumeSecret?: Record<string, string>;
  nodePublishVolumeSecret?: Record<string, string>;
  createSnapshotSecret?: Record<string, string>;
  deleteSnapshotSecret?: Record<string, string>;
  listSnapshotsSecret?: Record<string, string>;
  controllerExpandVolumeSecret?: Record<string, string>;
  controllerModifyVolumeSecret?: Record<string, string>;
}

/** IDs that name nothing on the driver (csi-sanity's DefaultIDGenerator). */
export interface SanityIdGenerator {
  uniqueValidVolumeId(): string;
  invalidVolumeId(): string;
  uniqueValidNodeId(): string;
}

export interface SanityConfig {
  /**
   * Where the driver listens: a fixed endpoint, or a start hook that starts the driver (once, before
   * the first check) and returns its endpoint. `stop` runs after the last check.
   */
  endpoint?: () => string;
  start?: () => Promise<string>;
  stop?: () => Promise<void>;
  /** Base directory; each check gets a fresh directory in it and publishes at `<that>/target`. */
  targetPath: string;
  /** Base directory; each check gets a fresh staging directory in it (the CO creates it). */
  stagingPath: string;
  /** Bytes requested by CreateVolume. Default 10 MiB. */
  testVolumeSize?: number;
  /** Bytes requested by the expansion checks. Default testVolumeSize + 1 GiB, as csi-sanity. */
  testVolumeExpandSize?: number;
  /** `mount` (default) or `block`: the access type of every capability the suite sends. */
  testVolumeAccessType?: 'mount' | 'block';
  testVolumeParameters?: Record<string, string>;
  /** mutable_parameters the driver accepts, for the ModifyVolume checks. */
  testVolumeMutableParameters?: Record<string, string>;
  testSnapshotParameters?: Record<string, string>;
  secrets?: SanitySecrets;
  /** How often each lifecycle call is repeated in the idempotent variant. Default 10. */
  idempotentCount?: number;
  /** Runs the "more volumes than the node max attach limit" check (csi-sanity's flag). */
  testNodeVolumeAttachLimit?: boolean;
  /**
   * Accept the capabilities newer than csi-sanity v5.3.1 knows (GET_SNAPSHOT, SNAPSHOT_METADATA_SERVICE,
   * i.e. csi-test v5.4+ behaviour). Default false: v5.3.1 fails a driver that advertises them.
   */
  acceptSpec112Capabilities?: boolean;
  /** How long to wait for a snapshot to become ready_to_use. Default 60 s. */
  snapshotReadyTimeoutMs?: number;
  /** Deadline of each call. Default 60 s. */
  callTimeoutMs?: number;
  idGenerator?: SanityIdGenerator;
  /**
   * Checks expected to fail against this driver, by full name (`<group> > ... > <check>`), with the
   * reason. They run as node:test `todo`, so their failure is reported but does not fail the run.
   */
  knownFailures?: Readonly<Record<string, string>>;
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
/** csi-sanity's MaxNameLength: names of this length must be accepted. */
export const maxNameLength = 128;
const defaultExpandIncrement = GiB;

export const defaultIdGenerator: SanityIdGenerator = {
  uniqueValidVolumeId: () => `fake-vol-id-${randomBytes(5).toString('hex')}`,
  invalidVolumeId: () => 'fake-vol-id',
  uniqueValidNodeId: () => `fake-node-id-${randomBytes(5).toString('hex')}`,
};

/** The run's state, filled by the suite's `before` hook. */
export class SanityContext {
  readonly config: SanityConfig;
  readonly size: number;
  readonly expandSize: number;
  readonly idempotentCount: number;
  readonly ids: SanityIdGenerator;
  readonly secrets: SanitySecrets;
  private clientValue: CsiClient | undefined;
  private rawController: grpc.Client | undefined;
  private rawGroup: grpc.Client | undefined;
  private readonly runId = randomBytes(4).toString('hex');
  private counter = 0;

  constructor(config: SanityConfig) {
    this.config = config;
    this.size = config.testVolumeSize ?? 10 * MiB;
    this.expandSize = config.testVolumeExpandSize ?? this.size + defaultExpandIncrement;
    this.idempotentCount = config.idempotentCount ?? 10;
    this.ids = config.idGenerator ?? defaultIdGenerator;
    this.secrets = config.secrets ?? {};
  }

  get client(): CsiClient {
    if (this.clientValue === undefined) throw new Error('sanity: the driver endpoint is not connected yet');
    return this.clientValue;
  }

  async connect(): Promise<void> {
    let endpoint: string;
    if (this.config.start !== undefined) endpoint = await this.config.start();
    else if (this.config.endpoint !== undefined) endpoint = this.config.endpoint();
    else throw new Error('sanity: SanityConfig needs endpoint or start');
    const timeoutMs = this.config.callTimeoutMs ?? 60_000;
    this.clientValue = new CsiClient(endpoint, { defaultTimeoutMs: timeoutMs });
    const v1 = loadCsiProto().csi.v1;
    const creds = grpc.credentials.createInsecure();
    // CsiClient wraps neither ControllerModifyVolume nor GroupController: one raw channel for both.
    this.rawController = new v1.Controller(csiTarget(endpoint), creds);
    this.rawGroup = new v1.GroupController(csiTarget(endpoint), creds, {
      channelOverride: this.rawController.getChannel(),
    });
  }

  async close(): Promise<void> {
    this.clientValue?.close();
    this.clientValue = undefined;
    this.rawController?.close();
    this.rawController = undefined;
    this.rawGroup = undefined;
    await this.config.stop?.();
  }

  /** A unary call CsiClient does not wrap (ControllerModifyVolume, the GroupController RPCs). */
  raw<Res>(service: 'Controller' | 'GroupController', method: string, req: unknown): Promise<Res> {
    const stub = service === 'Controller' ? this.rawController : this.rawGroup;
    if (stub === undefined) throw new Error('sanity: the driver endpoint is not connected yet');
    const fullMethod = `/csi.v1.${service}/${method}`;
    const fn = (stub as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new Error(`sanity: no method ${fullMethod}`);
    const deadline = new Date(Date.now() + (this.config.callTimeoutMs ?? 60_000));
    return new Promise<Res>((resolve, reject) => {
      fn.call(stub, req, new grpc.Metadata(), { deadline }, (err: grpc.ServiceError | null, res?: Res) => {
        if (err !== null) reject(new CsiError(fullMethod, err.code, err.details, { cause: err }));
        else resolve(res as Res);
      });
    });
  }

  /** csi-sanity's UniqueString: the prefix plus a suffix unique in this run. */
  uniqueString(prefix: string): string {
    this.counter++;
    return `${prefix}-${this.runId}-${this.counter}`;
  }

  /** csi-sanity's UniqueStringWithLength: a unique string of exactly `length` characters. */
  uniqueStringWithLength(prefix: string, length: number): string {
    const base = this.uniqueString(prefix);
    return base.length >= length ? base.slice(base.length - length) : base + 'x'.repeat(length - base.length);
  }

  capability(mode: string): VolumeCapability {
    const access = { access_mode: { mode: mode as 'SINGLE_NODE_WRITER' } };
    return this.config.testVolumeAccessType === 'block' ? { block: {}, ...access } : { mount: {}, ...access };
  }

  snwCapability(): VolumeCapability {
    return this.capability('SINGLE_NODE_WRITER');
  }

  /** csi-sanity's MakeCreateVolumeReq: SINGLE_NODE_WRITER, required = limit = testVolumeSize. */
  createVolumeRequest(name: string): CreateVolumeRequest {
    return {
      name,
      volume_capabilities: [this.snwCapability()],
      capacity_range: { required_bytes: this.size, limit_bytes: this.size },
      parameters: this.config.testVolumeParameters ?? {},
      secrets: this.secrets.createVolumeSecret ?? {},
    };
  }

  createSnapshotRequest(name: string, sourceVolumeId: string): CreateSnapshotRequest {
    return {
      name,
      source_volume_id: sourceVolumeId,
      parameters: this.config.testSnapshotParameters ?? {},
      secrets: this.secrets.createSnapshotSecret ?? {},
    };
  }

  async controllerCapabilities(): Promise<Set<string>> {
    const res = await this.client.controllerGetCapabilities();
    return new Set(res.capabilities.map((c) => String(c.rpc?.type)));
  }

  async nodeCapabilities(): Promise<Set<string>> {
    const res = await this.client.nodeGetCapabilities();
    return new Set(res.capabilities.map((c) => String(c.rpc?.type)));
  }

  async pluginServices(): Promise<Set<string>> {
    const res = await this.client.getPluginCapabilities();
    return new Set(res.capabilities.flatMap((c) => (c.service ? [String(c.service.type)] : [])));
  }
}

/** Thrown by `skip` inside a check: the runner turns it into a node:test skip with the reason. */
export class SanitySkip extends Error {
  override readonly name = 'SanitySkip';
}

export function isSanitySkip(err: unknown): err is SanitySkip {
  return err instanceof SanitySkip;
}

export function skip(reason: string): never {
  throw new SanitySkip(reason);
}

/** Per-check directories: `targetDir` (publish at `<targetDir>/target`) and `stagingDir`. */
export interface CheckPaths {
  targetDir: string;
  target: string;
  stagingDir: string;
}

function makePaths(config: SanityConfig): CheckPaths {
  mkdirSync(config.targetPath, { recursive: true });
  mkdirSync(config.stagingPath, { recursive: true });
  const targetDir = mkdtempSync(join(config.targetPath, 'sanity-'));
  const stagingDir = mkdtempSync(join(config.stagingPath, 'sanity-'));
  return { targetDir, target: join(targetDir, 'target'), stagingDir };
}

function mountPoints(): string[] {
  // Field 5 of each /proc/self/mountinfo line is the mount point (octal escapes for spaces).
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .flatMap((line) => {
      const mp = line.split(' ')[4];
      return mp === undefined
        ? []
        : [mp.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)))];
    });
}

/** Removes a check's directories unless something is still mounted in them (left for the caller). */
function removePaths(paths: CheckPaths): string[] {
  const leftovers: string[] = [];
  for (const dir of [paths.targetDir, paths.stagingDir]) {
    const mounted = mountPoints().filter((mp) => mp === dir || mp.startsWith(`${dir}/`));
    if (mounted.length > 0) {
      leftovers.push(...mounted);
      continue;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return leftovers;
}

interface TrackedVolume {
  kind: 'volume';
  id: string;
  nodeId: string;
}
interface TrackedSnapshot {
  kind: 'snapshot';
  id: string;
}

/**
 * csi-sanity's Resources: wraps the calls that create things and remembers what to undo. cleanup()
 * undoes in reverse order: for a volume NodeUnpublish at the check's target, NodeUnstage when the
 * driver stages, ControllerUnpublish when it was published to a node, then DeleteVolume; for a
 * snapshot DeleteSnapshot. NOT_FOUND from the node calls is fine; any other error is reported.
 */
export class Resources {
  readonly ctx: SanityContext;
  readonly paths: CheckPaths;
  private readonly tracked: Array<TrackedVolume | TrackedSnapshot> = [];

  constructor(ctx: SanityContext, paths: CheckPaths) {
    this.ctx = ctx;
    this.paths = paths;
  }

  get client(): CsiClient {
    return this.ctx.client;
  }

  private trackVolume(id: string, nodeId = ''): void {
    const existing = this.tracked.find((t): t is TrackedVolume => t.kind === 'volume' && t.id === id);
    if (existing !== undefined) {
      if (nodeId !== '') existing.nodeId = nodeId;
      return;
    }
    this.tracked.push({ kind: 'volume', id, nodeId });
  }

  private untrack(id: string): void {
    const i = this.tracked.findIndex((t) => t.id === id);
    if (i >= 0) this.tracked.splice(i, 1);
  }

  async createVolume(req: CreateVolumeRequest): Promise<CreateVolumeResponse__Output> {
    const res = await this.client.createVolume(req);
    const id = res.volume?.volume_id ?? '';
    if (id !== '') this.trackVolume(id);
    return res;
  }

  async mustCreateVolume(req: CreateVolumeRequest): Promise<CreateVolumeResponse__Output> {
    const res = await this.createVolume(req);
    assert.ok(res.volume !== null, 'volume in response is nil');
    assert.notEqual(res.volume.volume_id, '', 'volume ID in response is missing');
    return res;
  }

  async deleteVolume(req: DeleteVolumeRequest): Promise<void> {
    await this.client.deleteVolume(req);
    if (req.volume_id !== undefined && req.volume_id !== '') this.untrack(req.volume_id);
  }

  async controllerPublishVolume(
    req: ControllerPublishVolumeRequest,
  ): Promise<ControllerPublishVolumeResponse__Output> {
    const res = await this.client.controllerPublishVolume(req);
    if (req.volume_id && req.node_id) this.trackVolume(req.volume_id, req.node_id);
    return res;
  }

  async createSnapshot(req: CreateSnapshotRequest): Promise<CreateSnapshotResponse__Output> {
    const res = await this.client.createSnapshot(req);
    const id = res.snapshot?.snapshot_id ?? '';
    if (id !== '') this.tracked.push({ kind: 'snapshot', id });
    return res;
  }

  async mustCreateSnapshot(req: CreateSnapshotRequest): Promise<CreateSnapshotResponse__Output> {
    const res = await this.createSnapshot(req);
    verifySnapshotInfo(res.snapshot);
    return res;
  }

  /** Creates a volume, then a snapshot of it (both tracked). */
  async mustCreateSnapshotFromVolumeRequest(
    req: CreateVolumeRequest,
    snapshotName: string,
  ): Promise<{ snapshot: CreateSnapshotResponse__Output; volume: CreateVolumeResponse__Output }> {
    const volume = await this.mustCreateVolume(req);
    const snapshot = await this.mustCreateSnapshot(
      this.ctx.createSnapshotRequest(snapshotName, volume.volume?.volume_id ?? ''),
    );
    return { snapshot, volume };
  }

  async deleteSnapshot(req: DeleteSnapshotRequest): Promise<void> {
    await this.client.deleteSnapshot(req);
    if (req.snapshot_id !== undefined && req.snapshot_id !== '') this.untrack(req.snapshot_id);
  }

  /** Undoes everything tracked, newest first; returns the errors instead of stopping at the first. */
  async cleanup(): Promise<Error[]> {
    const errors: Error[] = [];
    const s = this.ctx.secrets;
    let stages: boolean | undefined;
    while (this.tracked.length > 0) {
      const t = this.tracked.pop();
      if (t === undefined) break;
      const attempt = async (
        what: string,
        fn: () => Promise<unknown>,
        notFoundOk: boolean,
      ): Promise<void> => {
        try {
          await fn();
        } catch (err) {
          if (notFoundOk && isCsiNotFound(err)) return;
          errors.push(
            new Error(`${what} for ${t.kind} ID ${t.id} failed: ${errorText(err)}`, { cause: err }),
          );
        }
      };
      if (t.kind === 'snapshot') {
        await attempt(
          'DeleteSnapshot',
          () => this.client.deleteSnapshot({ snapshot_id: t.id, secrets: s.deleteSnapshotSecret ?? {} }),
          false,
        );
        continue;
      }
      await attempt(
        'NodeUnpublishVolume',
        () => this.client.nodeUnpublishVolume({ volume_id: t.id, target_path: this.paths.target }),
        true,
      );
      if (stages === undefined) {
        try {
          stages = (await this.ctx.nodeCapabilities()).has('STAGE_UNSTAGE_VOLUME');
        } catch (err) {
          errors.push(new Error(`NodeGetCapabilities failed: ${errorText(err)}`, { cause: err }));
          stages = false;
        }
      }
      if (stages) {
        await attempt(
          'NodeUnstageVolume',
          () =>
            this.client.nodeUnstageVolume({ volume_id: t.id, staging_target_path: this.paths.stagingDir }),
          true,
        );
      }
      if (t.nodeId !== '') {
        await attempt(
          'ControllerUnpublishVolume',
          () =>
            this.client.controllerUnpublishVolume({
              volume_id: t.id,
              node_id: t.nodeId,
              secrets: s.controllerUnpublishVolumeSecret ?? {},
            }),
          false,
        );
      }
      await attempt(
        'DeleteVolume',
        () => this.client.deleteVolume({ volume_id: t.id, secrets: s.deleteVolumeSecret ?? {} }),
        false,
      );
    }
    return errors;
  }
}

/**
 * Runs one check with its own directories and resource tracker. Cleanup always runs; a failure of
 * the check wins over a cleanup failure, and a cleanup failure fails an otherwise passing check.
 */
export async function runCheck(
  ctx: SanityContext,
  t: { skip(message?: string): void },
  body: (r: Resources) => Promise<void>,
): Promise<void> {
  const paths = makePaths(ctx.config);
  const r = new Resources(ctx, paths);
  let failure: unknown;
  let skipped: string | undefined;
  try {
    await body(r);
  } catch (err) {
    if (isSanitySkip(err)) skipped = err.message;
    else failure = err;
  }
  const errors = await r.cleanup();
  const leftovers = removePaths(paths);
  if (failure !== undefined) throw failure;
  if (errors.length > 0)
    throw new AggregateError(errors, `resource cleanup failed: ${errors.map((e) => e.message).join('; ')}`);
  if (leftovers.length > 0) throw new Error(`still mounted after cleanup: ${leftovers.join(', ')}`);
  if (skipped !== undefined) t.skip(skipped);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Asserts that `call` fails with the gRPC `code` (sanity's ExpectErrorCode). */
export async function expectCode(call: Promise<unknown>, code: grpc.status): Promise<void> {
  let res: unknown;
  try {
    res = await call;
  } catch (err) {
    if (!isCsiError(err)) throw err;
    assert.equal(
      grpcCodeName(err.code),
      grpcCodeName(code),
      `expected ${grpcCodeName(code)}, got ${grpcCodeName(err.code)}: ${err.details}`,
    );
    return;
  }
  assert.fail(`expected ${grpcCodeName(code)}, got OK: ${JSON.stringify(res)}`);
}

export function verifySnapshotInfo(snapshot: Snapshot__Output | null | undefined): void {
  assert.ok(snapshot !== null && snapshot !== undefined, 'snapshot is nil');
  assert.notEqual(snapshot.snapshot_id, '', 'snapshot ID is empty');
  assert.notEqual(snapshot.source_volume_id, '', 'snapshot source volume ID is empty');
  assert.ok(snapshot.creation_time !== null, 'snapshot creation time is zero');
  assert.ok(
    Number(snapshot.creation_time.seconds) !== 0 || snapshot.creation_time.nanos !== 0,
    'snapshot creation time is zero',
  );
}

/** Polls CreateSnapshot (the CO's way to wait) until the snapshot is ready_to_use. */
export async function mustCreateReadySnapshot(
  r: Resources,
  req: CreateSnapshotRequest,
): Promise<CreateSnapshotResponse__Output> {
  const deadline = Date.now() + (r.ctx.config.snapshotReadyTimeoutMs ?? 60_000);
  for (;;) {
    const snap = await r.mustCreateSnapshot(req);
    if (snap.snapshot?.ready_to_use === true) return snap;
    assert.ok(Date.now() < deadline, `snapshot ${req.name} did not become ready_to_use`);
    await sleep(100);
  }
}

export { grpc };
