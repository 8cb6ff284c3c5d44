// kvol's bundled CSI driver `hostpath.csi.kvol.io`: Identity, Controller and Node services for
// volumes kept on this machine. Filesystem volumes are directories under the state dir with
// accounted (not enforced) capacity; block volumes are sparse image files attached to loop devices;
// snapshots and clones are copies. Validation and error codes follow the CSI spec v1.12 tables
// (shared/reference/csi.md §2.4–2.7) and what csi-sanity checks.
// Concurrency: one operation per volume id and per volume/snapshot name at a time (a KeyedLock; a
// second call waits). Every change is in state.json before the RPC answers; records are written
// before the work they describe, and a replayed call redoes that work idempotently.
import { randomUUID } from 'node:crypto';
import { chmod, chown, mkdir, open, rm, stat, truncate } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Quantity } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import type { CapacityRange__Output } from '../gen/csi/v1/CapacityRange.ts';
import type { ControllerExpandVolumeRequest__Output } from '../gen/csi/v1/ControllerExpandVolumeRequest.ts';
import type { ControllerExpandVolumeResponse } from '../gen/csi/v1/ControllerExpandVolumeResponse.ts';
import type { ControllerGetCapabilitiesResponse } from '../gen/csi/v1/ControllerGetCapabilitiesResponse.ts';
import type { ControllerPublishVolumeRequest__Output } from '../gen/csi/v1/ControllerPublishVolumeRequest.ts';
import type { ControllerPublishVolumeResponse } from '../gen/csi/v1/ControllerPublishVolumeResponse.ts';
import type { ControllerUnpublishVolumeRequest__Output } from '../gen/csi/v1/ControllerUnpublishVolumeRequest.ts';
import type { CreateSnapshotRequest__Output } from '../gen/csi/v1/CreateSnapshotRequest.ts';
import type { CreateSnapshotResponse } from '../gen/csi/v1/CreateSnapshotResponse.ts';
import type { CreateVolumeRequest__Output } from '../gen/csi/v1/CreateVolumeRequest.ts';
import type { CreateVolumeResponse } from '../gen/csi/v1/CreateVolumeResponse.ts';
import type { DeleteSnapshotRequest__Output } from '../gen/csi/v1/DeleteSnapshotRequest.ts';
import type { DeleteVolumeRequest__Output } from '../gen/csi/v1/DeleteVolumeRequest.ts';
import type { GetCapacityRequest__Output } from '../gen/csi/v1/GetCapacityRequest.ts';
import type { GetCapacityResponse } from '../gen/csi/v1/GetCapacityResponse.ts';
import type { GetPluginCapabilitiesResponse } from '../gen/csi/v1/GetPluginCapabilitiesResponse.ts';
import type { GetPluginInfoResponse } from '../gen/csi/v1/GetPluginInfoResponse.ts';
import type { GetSnapshotRequest__Output } from '../gen/csi/v1/GetSnapshotRequest.ts';
import type { GetSnapshotResponse } from '../gen/csi/v1/GetSnapshotResponse.ts';
import type { ListSnapshotsRequest__Output } from '../gen/csi/v1/ListSnapshotsRequest.ts';
import type { ListSnapshotsResponse } from '../gen/csi/v1/ListSnapshotsResponse.ts';
import type { ListVolumesRequest__Output } from '../gen/csi/v1/ListVolumesRequest.ts';
import type { ListVolumesResponse } from '../gen/csi/v1/ListVolumesResponse.ts';
import type { NodeExpandVolumeRequest__Output } from '../gen/csi/v1/NodeExpandVolumeRequest.ts';
import type { NodeExpandVolumeResponse } from '../gen/csi/v1/NodeExpandVolumeResponse.ts';
import type { NodeGetCapabilitiesResponse } from '../gen/csi/v1/NodeGetCapabilitiesResponse.ts';
import type { NodeGetInfoResponse } from '../gen/csi/v1/NodeGetInfoResponse.ts';
import type { NodeGetVolumeStatsRequest__Output } from '../gen/csi/v1/NodeGetVolumeStatsRequest.ts';
import type { NodeGetVolumeStatsResponse } from '../gen/csi/v1/NodeGetVolumeStatsResponse.ts';
import type { NodePublishVolumeRequest__Output } from '../gen/csi/v1/NodePublishVolumeRequest.ts';
import type { NodeStageVolumeRequest__Output } from '../gen/csi/v1/NodeStageVolumeRequest.ts';
import type { NodeUnpublishVolumeRequest__Output } from '../gen/csi/v1/NodeUnpublishVolumeRequest.ts';
import type { NodeUnstageVolumeRequest__Output } from '../gen/csi/v1/NodeUnstageVolumeRequest.ts';
import type { Snapshot } from '../gen/csi/v1/Snapshot.ts';
import type { Topology } from '../gen/csi/v1/Topology.ts';
import type { TopologyRequirement__Output } from '../gen/csi/v1/TopologyRequirement.ts';
import type { ValidateVolumeCapabilitiesRequest__Output } from '../gen/csi/v1/ValidateVolumeCapabilitiesRequest.ts';
import type { ValidateVolumeCapabilitiesResponse } from '../gen/csi/v1/ValidateVolumeCapabilitiesResponse.ts';
import type { Volume } from '../gen/csi/v1/Volume.ts';
import type { VolumeCapability, VolumeCapability__Output } from '../gen/csi/v1/VolumeCapability.ts';
import { csiErrors } from '../server.ts';
import { KeyedLock } from './locks.ts';
import type {
  AccessType,
  ContentSourceRecord,
  PublishedEntry,
  SnapshotRecord,
  StoredCapability,
  VolumeRecord,
} from './state.ts';
import { StateStore } from './state.ts';
import {
  bindMount,
  copyTree,
  detachLoopDevices,
  diskUsage,
  ensureLoopDevice,
  fsStats,
  isMountPoint,
  loopDevicesOf,
  refreshLoopDevices,
  unmountAll,
} from './sys.ts';

const log = logger('csi-hostpath');

/** The driver's CSI name. */
export const HostPathDriverName = 'hostpath.csi.kvol.io';
/** Topology key whose value is the node ID. */
export const HostPathTopologyKey = 'topology.hostpath.csi.kvol.io/node';
/** Volume context key with which the CO marks a CSI ephemeral inline volume. */
export const EphemeralContextKey = 'csi.storage.k8s.io/ephemeral';
/** Volume attribute (of an inline volume) giving its size as a quantity. */
export const EphemeralSizeAttribute = 'size';

const GiB = 1024 * 1024 * 1024;

export interface HostPathDriverConfig {
  nodeId: string;
  stateDir: string;
  /** Default HostPathDriverName. */
  driverName?: string;
  /** GetPluginInfo vendor_version. Default '0.1.0'. */
  vendorVersion?: string;
  /** NodeGetInfo max_volumes_per_node and the ControllerPublish attach limit; 0 = no limit. */
  maxVolumesPerNode?: number;
  /** Total capacity accounted over all volumes; undefined: what the state dir's filesystem has free. */
  capacityBytes?: number;
  /** Largest volume; larger requests are OUT_OF_RANGE. Undefined: no limit. */
  maxVolumeSizeBytes?: number;
  /** Size of a volume whose request gives no capacity. Default 1 GiB. */
  defaultVolumeSizeBytes?: number;
  /** Topology: volumes are accessible from `{HostPathTopologyKey: nodeId}`. Default true. */
  enableTopology?: boolean;
  /** Advertise PUBLISH_UNPUBLISH_VOLUME (+PUBLISH_READONLY, LIST_VOLUMES_PUBLISHED_NODES). Default false. */
  enableAttach?: boolean;
  /** Advertise GET_SNAPSHOT (spec 1.12 alpha) and serve GetSnapshot. Default false. */
  enableGetSnapshot?: boolean;
  /** Advertise SINGLE_NODE_MULTI_WRITER (controller and node). Default true. */
  enableSingleNodeMultiWriter?: boolean;
  /** Advertise VOLUME_MOUNT_GROUP and apply volume_mount_group to mount volumes. Default false. */
  enableVolumeMountGroup?: boolean;
}

type Caps = Required<Omit<HostPathDriverConfig, 'capacityBytes' | 'maxVolumeSizeBytes'>> &
  Pick<HostPathDriverConfig, 'capacityBytes' | 'maxVolumeSizeBytes'>;

const multiModes = new Set([
  'MULTI_NODE_READER_ONLY',
  'MULTI_NODE_SINGLE_WRITER',
  'MULTI_NODE_MULTI_WRITER',
  'SINGLE_NODE_MULTI_WRITER',
]);

function parseCapability(cap: VolumeCapability__Output | null | undefined, field: string): StoredCapability {
  if (cap === null || cap === undefined) throw csiErrors.invalidArgument(`${field} missing in request`);
  const mode = cap.access_mode?.mode;
  if (mode === undefined || mode === 'UNKNOWN') {
    throw csiErrors.invalidArgument(`${field}.access_mode missing in request`);
  }
  if (cap.access_type === 'block' || (cap.block !== null && cap.block !== undefined)) {
    return { accessType: 'block', accessMode: mode, fsType: '', mountFlags: [], volumeMountGroup: '' };
  }
  const mount = cap.mount;
  if (cap.access_type === 'mount' || (mount !== null && mount !== undefined)) {
    return {
      accessType: 'mount',
      accessMode: mode,
      fsType: mount?.fs_type ?? '',
      mountFlags: [...(mount?.mount_flags ?? [])],
      volumeMountGroup: mount?.volume_mount_group ?? '',
    };
  }
  throw csiErrors.invalidArgument(`${field}: access type (block or mount) missing in request`);
}

function sameCapability(a: StoredCapability, b: StoredCapability): boolean {
  return (
    a.accessType === b.accessType &&
    a.accessMode === b.accessMode &&
    a.fsType === b.fsType &&
    a.volumeMountGroup === b.volumeMountGroup &&
    a.mountFlags.join('\0') === b.mountFlags.join('\0')
  );
}

function capabilityMessage(c: StoredCapability): VolumeCapability {
  return c.accessType === 'block'
    ? { block: {}, access_mode: { mode: c.accessMode as never } }
    : {
        mount: { fs_type: c.fsType, mount_flags: c.mountFlags, volume_mount_group: c.volumeMountGroup },
        access_mode: { mode: c.accessMode as never },
      };
}

function int64(s: string | undefined, field: string): number {
  const n = Number(s ?? '0');
  if (!Number.isSafeInteger(n) || n < 0)
    throw csiErrors.invalidArgument(`${field} must be a non-negative integer`);
  return n;
}

function requireField(value: string, name: string): string {
  if (value === '') throw csiErrors.invalidArgument(`${name} missing in request`);
  return value;
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

function timestamp(ms: number): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

function pageToken(token: string, length: number): number {
  if (token === '') return 0;
  if (!/^\d+$/.test(token)) throw csiErrors.aborted(`invalid starting_token ${JSON.stringify(token)}`);
  const i = Number(token);
  if (i > length) throw csiErrors.aborted(`starting_token ${token} is past the end of the list`);
  return i;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The driver's logic, independent of gRPC: each method is one RPC. */
export class HostPathDriver {
  readonly config: Caps;
  private readonly store: StateStore;
  private readonly locks = new KeyedLock();

  private constructor(config: Caps, store: StateStore) {
    this.config = config;
    this.store = store;
  }

  /** Loads (or starts) the state in `stateDir`. */
  static async open(cfg: HostPathDriverConfig): Promise<HostPathDriver> {
    if (cfg.nodeId === '') throw new Error('hostpath driver: nodeId must not be empty');
    const stateDir = resolve(cfg.stateDir);
    await mkdir(join(stateDir, 'volumes'), { recursive: true, mode: 0o700 });
    await mkdir(join(stateDir, 'snapshots'), { recursive: true, mode: 0o700 });
    const store = StateStore.load(stateDir);
    const config: Caps = {
      nodeId: cfg.nodeId,
      stateDir,
      driverName: cfg.driverName ?? HostPathDriverName,
      vendorVersion: cfg.vendorVersion ?? '0.1.0',
      maxVolumesPerNode: cfg.maxVolumesPerNode ?? 0,
      defaultVolumeSizeBytes: cfg.defaultVolumeSizeBytes ?? GiB,
      enableTopology: cfg.enableTopology ?? true,
      enableAttach: cfg.enableAttach ?? false,
      enableGetSnapshot: cfg.enableGetSnapshot ?? false,
      enableSingleNodeMultiWriter: cfg.enableSingleNodeMultiWriter ?? true,
      enableVolumeMountGroup: cfg.enableVolumeMountGroup ?? false,
      ...(cfg.capacityBytes === undefined ? {} : { capacityBytes: cfg.capacityBytes }),
      ...(cfg.maxVolumeSizeBytes === undefined ? {} : { maxVolumeSizeBytes: cfg.maxVolumeSizeBytes }),
    };
    return new HostPathDriver(config, store);
  }

  /** Waits for pending state writes. */
  async flush(): Promise<void> {
    await this.store.persist();
  }

  private get state() {
    return this.store.state;
  }

  private volumeById(id: string): VolumeRecord | undefined {
    return this.state.volumes.find((v) => v.id === id);
  }

  private snapshotById(id: string): SnapshotRecord | undefined {
    return this.state.snapshots.find((s) => s.id === id);
  }

  private usedBytes(): number {
    return this.state.volumes.reduce((sum, v) => sum + v.sizeBytes, 0);
  }

  private async availableBytes(): Promise<number> {
    if (this.config.capacityBytes !== undefined)
      return Math.max(0, this.config.capacityBytes - this.usedBytes());
    return (await fsStats(this.config.stateDir)).availableBytes;
  }

  private topology(): Topology[] {
    return this.config.enableTopology ? [{ segments: { [HostPathTopologyKey]: this.config.nodeId } }] : [];
  }

  private volumeMessage(v: VolumeRecord): Volume {
    const msg: Volume = {
      volume_id: v.id,
      capacity_bytes: String(v.sizeBytes),
      volume_context: {},
      accessible_topology: this.topology(),
    };
    if (v.contentSource?.type === 'snapshot')
      msg.content_source = { snapshot: { snapshot_id: v.contentSource.id } };
    if (v.contentSource?.type === 'volume')
      msg.content_source = { volume: { volume_id: v.contentSource.id } };
    return msg;
  }

  private snapshotMessage(s: SnapshotRecord): Snapshot {
    return {
      snapshot_id: s.id,
      source_volume_id: s.sourceVolumeId,
      size_bytes: String(s.sizeBytes),
      creation_time: timestamp(s.createdAtMs),
      ready_to_use: s.ready,
    };
  }

  private checkSize(size: number): void {
    const max = this.config.maxVolumeSizeBytes;
    if (max !== undefined && size > max) {
      throw csiErrors.outOfRange(`requested capacity ${size} exceeds the maximum volume size ${max}`);
    }
  }

  private async checkRoom(extra: number): Promise<void> {
    if (extra <= 0) return;
    const available = await this.availableBytes();
    if (extra > available) {
      throw csiErrors.resourceExhausted(
        `not enough capacity: requested ${extra} bytes, ${available} available`,
      );
    }
  }

  private checkTopology(req: TopologyRequirement__Output | null): void {
    if (!this.config.enableTopology || req === null) return;
    const fits = (t: { segments: Record<string, string> }): boolean =>
      t.segments[HostPathTopologyKey] === this.config.nodeId;
    if (req.requisite.length > 0 && !req.requisite.some(fits)) {
      throw csiErrors.resourceExhausted(
        `no requisite topology contains ${HostPathTopologyKey}=${this.config.nodeId}; volumes can only be provisioned on node ${this.config.nodeId}`,
      );
    }
  }

  // ---- Identity ----

  getPluginInfo(): GetPluginInfoResponse {
    return { name: this.config.driverName, vendor_version: this.config.vendorVersion, manifest: {} };
  }

  getPluginCapabilities(): GetPluginCapabilitiesResponse {
    const caps: GetPluginCapabilitiesResponse['capabilities'] = [
      { service: { type: 'CONTROLLER_SERVICE' } },
      { volume_expansion: { type: 'ONLINE' } },
    ];
    if (this.config.enableTopology) caps.push({ service: { type: 'VOLUME_ACCESSIBILITY_CONSTRAINTS' } });
    return { capabilities: caps };
  }

  // ---- Controller ----

  controllerGetCapabilities(): ControllerGetCapabilitiesResponse {
    const rpcs: string[] = [
      'CREATE_DELETE_VOLUME',
      'LIST_VOLUMES',
      'GET_CAPACITY',
      'CREATE_DELETE_SNAPSHOT',
      'LIST_SNAPSHOTS',
      'CLONE_VOLUME',
      'EXPAND_VOLUME',
    ];
    if (this.config.enableAttach)
      rpcs.push('PUBLISH_UNPUBLISH_VOLUME', 'PUBLISH_READONLY', 'LIST_VOLUMES_PUBLISHED_NODES');
    if (this.config.enableSingleNodeMultiWriter) rpcs.push('SINGLE_NODE_MULTI_WRITER');
    if (this.config.enableGetSnapshot) rpcs.push('GET_SNAPSHOT');
    return { capabilities: rpcs.map((type) => ({ rpc: { type: type as never } })) };
  }

  async createVolume(req: CreateVolumeRequest__Output): Promise<CreateVolumeResponse> {
    const name = requireField(req.name, 'name');
    if (req.volume_capabilities.length === 0)
      throw csiErrors.invalidArgument('volume_capabilities missing in request');
    const caps = req.volume_capabilities.map((c, i) => parseCapability(c, `volume_capabilities[${i}]`));
    const types = new Set(caps.map((c) => c.accessType));
    if (types.size > 1) throw csiErrors.invalidArgument('cannot have both block and mount access type');
    const accessType: AccessType = caps[0]?.accessType ?? 'mount';
    const { required, limit } = this.range(req.capacity_range);
    const source = this.contentSource(req);
    const keys = [`name:${name}`];
    if (source !== undefined) keys.push(`${source.type === 'volume' ? 'vol' : 'snap'}:${source.id}`);
    return this.locks.run(keys, async () => {
      const existing = this.state.volumes.find((v) => v.name === name && !v.ephemeral);
      if (existing !== undefined) {
        if (
          existing.sizeBytes < required ||
          (limit > 0 && existing.sizeBytes > limit) ||
          existing.accessType !== accessType ||
          existing.contentSource?.type !== source?.type ||
          existing.contentSource?.id !== source?.id ||
          !sameMap(existing.parameters, req.parameters)
        ) {
          throw csiErrors.alreadyExists(`a volume named ${name} exists with different properties`);
        }
        this.checkTopology(req.accessibility_requirements);
        if (!existing.ready) await this.materialise(existing);
        return { volume: this.volumeMessage(existing) };
      }
      this.checkTopology(req.accessibility_requirements);
      let size =
        required > 0
          ? required
          : limit > 0
            ? Math.min(limit, this.config.defaultVolumeSizeBytes)
            : this.config.defaultVolumeSizeBytes;
      if (source !== undefined) {
        const src = this.sourceRecord(source, accessType);
        if (src.sizeBytes > size) {
          if (limit > 0 && src.sizeBytes > limit) {
            throw csiErrors.outOfRange(
              `the source ${source.type} ${source.id} (${src.sizeBytes} bytes) is larger than limit_bytes ${limit}`,
            );
          }
          size = src.sizeBytes;
        }
      }
      this.checkSize(size);
      await this.checkRoom(size);
      const vol = this.newVolume(name, accessType, size, req.parameters, false, source);
      this.state.volumes.push(vol);
      await this.store.persist();
      await this.materialise(vol);
      log.v(2, 'volume created', { name, id: vol.id, size, accessType });
      return { volume: this.volumeMessage(vol) };
    });
  }

  private range(range: CapacityRange__Output | null): { required: number; limit: number } {
    const required = int64(range?.required_bytes, 'capacity_range.required_bytes');
    const limit = int64(range?.limit_bytes, 'capacity_range.limit_bytes');
    if (limit > 0 && required > limit) {
      throw csiErrors.invalidArgument(
        `capacity_range: required_bytes ${required} is larger than limit_bytes ${limit}`,
      );
    }
    const max = this.config.maxVolumeSizeBytes;
    if (max !== undefined && required > max) {
      throw csiErrors.outOfRange(`requested capacity ${required} exceeds the maximum volume size ${max}`);
    }
    return { required, limit };
  }

  private contentSource(req: CreateVolumeRequest__Output): ContentSourceRecord | undefined {
    const cs = req.volume_content_source;
    if (cs === null || cs === undefined) return undefined;
    if (cs.snapshot !== null && cs.snapshot !== undefined) {
      return {
        type: 'snapshot',
        id: requireField(cs.snapshot.snapshot_id, 'volume_content_source.snapshot.snapshot_id'),
      };
    }
    if (cs.volume !== null && cs.volume !== undefined) {
      return {
        type: 'volume',
        id: requireField(cs.volume.volume_id, 'volume_content_source.volume.volume_id'),
      };
    }
    throw csiErrors.invalidArgument('volume_content_source: neither snapshot nor volume given');
  }

  private sourceRecord(
    source: ContentSourceRecord,
    accessType: AccessType,
  ): { sizeBytes: number; path: string } {
    const rec = source.type === 'snapshot' ? this.snapshotById(source.id) : this.volumeById(source.id);
    if (rec === undefined || !rec.ready)
      throw csiErrors.notFound(`source ${source.type} ${source.id} not found`);
    if (rec.accessType !== accessType) {
      throw csiErrors.invalidArgument(
        `source ${source.type} ${source.id} has access type ${rec.accessType}, the volume asks for ${accessType}`,
      );
    }
    return rec;
  }

  private newVolume(
    name: string,
    accessType: AccessType,
    sizeBytes: number,
    parameters: Record<string, string>,
    ephemeral: boolean,
    source?: ContentSourceRecord,
    id: string = randomUUID(),
  ): VolumeRecord {
    return {
      id,
      name,
      sizeBytes,
      accessType,
      path: join(this.config.stateDir, 'volumes', accessType === 'block' ? `${id}.img` : id),
      parameters: { ...parameters },
      ...(source === undefined ? {} : { contentSource: source }),
      ephemeral,
      ready: false,
      createdAtMs: Date.now(),
      controllerPublished: [],
      staged: [],
      published: [],
    };
  }

  /** Creates the directory or image file of a volume recorded as not ready, then marks it ready. */
  private async materialise(vol: VolumeRecord): Promise<void> {
    await rm(vol.path, { recursive: true, force: true });
    if (vol.accessType === 'mount') await mkdir(vol.path, { mode: 0o777 });
    else await (await open(vol.path, 'w', 0o600)).close();
    if (vol.contentSource !== undefined) {
      const src = this.sourceRecord(vol.contentSource, vol.accessType);
      if (vol.accessType === 'mount') await copyTree(src.path, vol.path, true);
      else {
        await rm(vol.path, { force: true });
        await copyTree(src.path, vol.path, false);
      }
    }
    if (vol.accessType === 'block') await truncate(vol.path, vol.sizeBytes);
    vol.ready = true;
    await this.store.persist();
  }

  async deleteVolume(req: DeleteVolumeRequest__Output): Promise<Record<string, never>> {
    const id = requireField(req.volume_id, 'volume_id');
    return this.locks.run([`vol:${id}`], async () => {
      const vol = this.volumeById(id);
      if (vol === undefined) return {};
      await this.pruneVanishedMounts(vol);
      if (vol.published.length > 0 || vol.staged.length > 0) {
        throw csiErrors.failedPrecondition(
          `volume ${id} is still in use (published at ${vol.published.map((p) => p.targetPath).join(', ') || '-'}, staged at ${vol.staged.map((s) => s.stagingPath).join(', ') || '-'})`,
        );
      }
      await this.removeVolume(vol);
      log.v(2, 'volume deleted', { id });
      return {};
    });
  }

  private async removeVolume(vol: VolumeRecord): Promise<void> {
    if (vol.accessType === 'block') await detachLoopDevices(vol.path);
    await rm(vol.path, { recursive: true, force: true });
    this.state.volumes = this.state.volumes.filter((v) => v !== vol);
    await this.store.persist();
  }

  /**
   * Drops published/staged records whose mount is gone (e.g. removed by hand or by a reboot): a
   * publication (mount or block) without its bind mount at the target, a mount staging without its
   * bind mount, a block staging without its loop device.
   */
  private async pruneVanishedMounts(vol: VolumeRecord): Promise<void> {
    const before = vol.published.length + vol.staged.length;
    const kept: PublishedEntry[] = [];
    for (const p of vol.published) if (await isMountPoint(p.targetPath)) kept.push(p);
    vol.published = kept;
    const loops = vol.staged.some((s) => s.capability.accessType === 'block')
      ? await loopDevicesOf(vol.path)
      : [];
    const staged = [];
    for (const s of vol.staged) {
      const alive =
        s.capability.accessType === 'block'
          ? s.loopDevice === undefined
            ? loops.length > 0
            : loops.includes(s.loopDevice)
          : await isMountPoint(s.stagingPath);
      if (alive) staged.push(s);
    }
    vol.staged = staged;
    if (vol.published.length + vol.staged.length !== before) await this.store.persist();
  }

  async controllerPublishVolume(
    req: ControllerPublishVolumeRequest__Output,
  ): Promise<ControllerPublishVolumeResponse> {
    const id = requireField(req.volume_id, 'volume_id');
    const nodeId = requireField(req.node_id, 'node_id');
    const cap = parseCapability(req.volume_capability, 'volume_capability');
    return this.locks.run([`vol:${id}`], async () => {
      const vol = this.volumeById(id);
      if (vol === undefined) throw csiErrors.notFound(`volume ${id} not found`);
      if (nodeId !== this.config.nodeId) throw csiErrors.notFound(`node ${nodeId} not found`);
      if (cap.accessType !== vol.accessType) {
        throw csiErrors.invalidArgument(
          `volume ${id} is a ${vol.accessType} volume, the capability asks for ${cap.accessType}`,
        );
      }
      const cur = vol.controllerPublished.find((p) => p.nodeId === nodeId);
      if (cur !== undefined) {
        if (cur.readonly !== req.readonly || !sameCapability(cur.capability, cap)) {
          throw csiErrors.alreadyExists(
            `volume ${id} is already published to node ${nodeId} with other arguments`,
          );
        }
        return { publish_context: {} };
      }
      const limit = this.config.maxVolumesPerNode;
      if (limit > 0) {
        const attached = this.state.volumes.filter((v) =>
          v.controllerPublished.some((p) => p.nodeId === nodeId),
        ).length;
        if (attached >= limit) {
          throw csiErrors.resourceExhausted(
            `node ${nodeId} already has the maximum of ${limit} volumes attached`,
          );
        }
      }
      vol.controllerPublished.push({ nodeId, readonly: req.readonly, capability: cap });
      await this.store.persist();
      return { publish_context: {} };
    });
  }

  async controllerUnpublishVolume(
    req: ControllerUnpublishVolumeRequest__Output,
  ): Promise<Record<string, never>> {
    const id = requireField(req.volume_id, 'volume_id');
    return this.locks.run([`vol:${id}`], async () => {
      const vol = this.volumeById(id);
      // A missing volume or node can be treated as unpublished: OK.
      if (vol === undefined) return {};
      const before = vol.controllerPublished.length;
      vol.controllerPublished = vol.controllerPublished.filter(
        (p) => req.node_id !== '' && p.nodeId !== req.node_id,
      );
      if (vol.controllerPublished.length !== before) await this.store.persist();
      return {};
    });
  }

  async validateVolumeCapabilities(
    req: ValidateVolumeCapabilitiesRequest__Output,
  ): Promise<ValidateVolumeCapabilitiesResponse> {
    const id = requireField(req.volume_id, 'volume_id');
    if (req.volume_capabilities.length === 0)
      throw csiErrors.invalidArgument('volume_capabilities missing in request');
    const caps = req.volume_capabilities.map((c, i) => parseCapability(c, `volume_capabilities[${i}]`));
    const vol = this.volumeById(id);
    if (vol === undefined) throw csiErrors.notFound(`volume ${id} not found`);
    const bad = caps.find((c) => c.accessType !== vol.accessType);
    if (bad !== undefined) {
      return {
        message: `volume ${id} is a ${vol.accessType} volume and cannot be used as ${bad.accessType}`,
      };
    }
    return {
      confirmed: {
        volume_context: req.volume_context,
        volume_capabilities: req.volume_capabilities as VolumeCapability[],
        parameters: req.parameters,
        mutable_parameters: req.mutable_parameters,
      },
      message: '',
    };
  }

  listVolumes(req: ListVolumesRequest__Output): ListVolumesResponse {
    if (req.max_entries < 0) throw csiErrors.invalidArgument('max_entries must not be negative');
    const vols = this.state.volumes;
    const start = pageToken(req.starting_token, vols.length);
    const end = req.max_entries > 0 ? Math.min(vols.length, start + req.max_entries) : vols.length;
    return {
      entries: vols.slice(start, end).map((v) => ({
        volume: this.volumeMessage(v),
        status: {
          published_node_ids: v.controllerPublished.map((p) => p.nodeId),
          volume_condition: { abnormal: false, message: '' },
        },
      })),
      next_token: end < vols.length ? String(end) : '',
    };
  }

  async getCapacity(req: GetCapacityRequest__Output): Promise<GetCapacityResponse> {
    // Capacity here does not depend on the capabilities, and a CO may pass a placeholder
    // (external-provisioner sends a mount capability with access mode UNKNOWN): they are not checked.
    const topo = req.accessible_topology;
    const max = this.config.maxVolumeSizeBytes;
    const maxMsg = max === undefined ? {} : { maximum_volume_size: { value: String(max) } };
    if (this.config.enableTopology && topo !== null) {
      const value = topo.segments[HostPathTopologyKey];
      if (value !== undefined && value !== this.config.nodeId) return { available_capacity: '0', ...maxMsg };
    }
    return { available_capacity: String(await this.availableBytes()), ...maxMsg };
  }

  async createSnapshot(req: CreateSnapshotRequest__Output): Promise<CreateSnapshotResponse> {
    const name = requireField(req.name, 'name');
    const sourceId = requireField(req.source_volume_id, 'source_volume_id');
    return this.locks.run([`snapname:${name}`, `vol:${sourceId}`], async () => {
      const existing = this.state.snapshots.find((s) => s.name === name);
      if (existing !== undefined) {
        if (existing.sourceVolumeId !== sourceId) {
          throw csiErrors.alreadyExists(
            `a snapshot named ${name} exists for another source volume (${existing.sourceVolumeId})`,
          );
        }
        if (!existing.ready) await this.materialiseSnapshot(existing);
        return { snapshot: this.snapshotMessage(existing) };
      }
      const vol = this.volumeById(sourceId);
      if (vol === undefined || !vol.ready) throw csiErrors.notFound(`source volume ${sourceId} not found`);
      const id = randomUUID();
      const snap: SnapshotRecord = {
        id,
        name,
        sourceVolumeId: sourceId,
        sizeBytes: vol.sizeBytes,
        accessType: vol.accessType,
        path: join(this.config.stateDir, 'snapshots', vol.accessType === 'block' ? `${id}.img` : id),
        ready: false,
        createdAtMs: Date.now(),
      };
      this.state.snapshots.push(snap);
      await this.store.persist();
      await this.materialiseSnapshot(snap);
      log.v(2, 'snapshot created', { name, id, source: sourceId });
      return { snapshot: this.snapshotMessage(snap) };
    });
  }

  private async materialiseSnapshot(snap: SnapshotRecord): Promise<void> {
    const vol = this.volumeById(snap.sourceVolumeId);
    if (vol === undefined) throw csiErrors.notFound(`source volume ${snap.sourceVolumeId} not found`);
    await rm(snap.path, { recursive: true, force: true });
    if (snap.accessType === 'mount') {
      await mkdir(snap.path, { mode: 0o700 });
      await copyTree(vol.path, snap.path, true);
    } else {
      await copyTree(vol.path, snap.path, false);
    }
    snap.ready = true;
    await this.store.persist();
  }

  async deleteSnapshot(req: DeleteSnapshotRequest__Output): Promise<Record<string, never>> {
    const id = requireField(req.snapshot_id, 'snapshot_id');
    return this.locks.run([`snap:${id}`], async () => {
      const snap = this.snapshotById(id);
      if (snap === undefined) return {};
      await rm(snap.path, { recursive: true, force: true });
      this.state.snapshots = this.state.snapshots.filter((s) => s !== snap);
      await this.store.persist();
      return {};
    });
  }

  listSnapshots(req: ListSnapshotsRequest__Output): ListSnapshotsResponse {
    if (req.max_entries < 0) throw csiErrors.invalidArgument('max_entries must not be negative');
    let snaps = this.state.snapshots;
    if (req.snapshot_id !== '') snaps = snaps.filter((s) => s.id === req.snapshot_id);
    if (req.source_volume_id !== '') snaps = snaps.filter((s) => s.sourceVolumeId === req.source_volume_id);
    const start = pageToken(req.starting_token, snaps.length);
    const end = req.max_entries > 0 ? Math.min(snaps.length, start + req.max_entries) : snaps.length;
    return {
      entries: snaps.slice(start, end).map((s) => ({ snapshot: this.snapshotMessage(s) })),
      next_token: end < snaps.length ? String(end) : '',
    };
  }

  getSnapshot(req: GetSnapshotRequest__Output): GetSnapshotResponse {
    const id = requireField(req.snapshot_id, 'snapshot_id');
    const snap = this.snapshotById(id);
    if (snap === undefined) throw csiErrors.notFound(`snapshot ${id} not found`);
    return { snapshot: this.snapshotMessage(snap) };
  }

  async controllerExpandVolume(
    req: ControllerExpandVolumeRequest__Output,
  ): Promise<ControllerExpandVolumeResponse> {
    const id = requireField(req.volume_id, 'volume_id');
    if (req.capacity_range === null) throw csiErrors.invalidArgument('capacity_range missing in request');
    const { required } = this.range(req.capacity_range);
    if (req.volume_capability !== null) parseCapability(req.volume_capability, 'volume_capability');
    return this.locks.run([`vol:${id}`], async () => {
      const vol = this.volumeById(id);
      if (vol === undefined) throw csiErrors.notFound(`volume ${id} not found`);
      if (required > vol.sizeBytes) {
        this.checkSize(required);
        await this.checkRoom(required - vol.sizeBytes);
        if (vol.accessType === 'block') {
          await truncate(vol.path, required);
          await refreshLoopDevices(vol.path);
        }
        vol.sizeBytes = required;
        await this.store.persist();
      }
      return { capacity_bytes: String(vol.sizeBytes), node_expansion_required: vol.accessType === 'mount' };
    });
  }

  // ---- Node ----

  nodeGetCapabilities(): NodeGetCapabilitiesResponse {
    const rpcs = ['STAGE_UNSTAGE_VOLUME', 'GET_VOLUME_STATS', 'EXPAND_VOLUME'];
    if (this.config.enableSingleNodeMultiWriter) rpcs.push('SINGLE_NODE_MULTI_WRITER');
    if (this.config.enableVolumeMountGroup) rpcs.push('VOLUME_MOUNT_GROUP');
    return { capabilities: rpcs.map((type) => ({ rpc: { type: type as never } })) };
  }

  nodeGetInfo(): NodeGetInfoResponse {
    return {
      node_id: this.config.nodeId,
      max_volumes_per_node: String(this.config.maxVolumesPerNode),
      ...(this.config.enableTopology
        ? { accessible_topology: { segments: { [HostPathTopologyKey]: this.config.nodeId } } }
        : {}),
    };
  }

  async nodeStageVolume(req: NodeStageVolumeRequest__Output): Promise<Record<string, never>> {
    const id = requireField(req.volume_id, 'volume_id');
    const stagingPath = resolve(requireField(req.staging_target_path, 'staging_target_path'));
    const cap = parseCapability(req.volume_capability, 'volume_capability');
    return this.locks.run([`vol:${id}`], async () => {
      const vol = this.volumeById(id);
      if (vol === undefined || !vol.ready) throw csiErrors.notFound(`volume ${id} not found`);
      if (cap.accessType !== vol.accessType) {
        throw csiErrors.failedPrecondition(
          `volume ${id} is a ${vol.accessType} volume and cannot be staged as ${cap.accessType}`,
        );
      }
      let entry = vol.staged.find((s) => s.stagingPath === stagingPath);
      if (entry !== undefined && !sameCapability(entry.capability, cap)) {
        throw csiErrors.alreadyExists(
          `volume ${id} is already staged at ${stagingPath} with another capability`,
        );
      }
      if (entry === undefined) {
        entry = { stagingPath, capability: cap };
        vol.staged.push(entry);
        await this.store.persist();
      }
      if (vol.accessType === 'mount') {
        await mkdir(stagingPath, { recursive: true });
        await this.applyMountGroup(vol, cap);
        if (!(await isMountPoint(stagingPath))) await bindMount(vol.path, stagingPath, false);
      } else {
        const dev = await ensureLoopDevice(vol.path);
        if (entry.loopDevice !== dev) {
          entry.loopDevice = dev;
          await this.store.persist();
        }
      }
      return {};
    });
  }

  /** VOLUME_MOUNT_GROUP: the volume's root belongs to the group and new files inherit it (setgid). */
  private async applyMountGroup(vol: VolumeRecord, cap: StoredCapability): Promise<void> {
    if (!this.config.enableVolumeMountGroup || cap.volumeMountGroup === '') return;
    const gid = Number(cap.volumeMountGroup);
    if (!Number.isInteger(gid) || gid < 0) {
      throw csiErrors.invalidArgument(
        `volume_mount_group ${JSON.stringify(cap.volumeMountGroup)} is not a group ID`,
      );
    }
    const st = await stat(vol.path);
    await chown(vol.path, st.uid, gid);
    await chmod(vol.path, 0o2775);
  }

  async nodeUnstageVolume(req: NodeUnstageVolumeRequest__Output): Promise<Record<string, never>> {
    const id = requireField(req.volume_id, 'volume_id');
    const stagingPath = resolve(requireField(req.staging_target_path, 'staging_target_path'));
    return this.locks.run([`vol:${id}`], async () => {
      const vol = this.volumeById(id);
      if (vol === undefined) throw csiErrors.notFound(`volume ${id} not found`);
      const entry = vol.staged.find((s) => s.stagingPath === stagingPath);
      if (entry === undefined) return {};
      if (vol.accessType === 'mount') await unmountAll(stagingPath);
      else if (vol.published.length === 0) await detachLoopDevices(vol.path);
      vol.staged = vol.staged.filter((s) => s !== entry);
      await this.store.persist();
      return {};
    });
  }

  async nodePublishVolume(req: NodePublishVolumeRequest__Output): Promise<Record<string, never>> {
    const id = requireField(req.volume_id, 'volume_id');
    const targetPath = resolve(requireField(req.target_path, 'target_path'));
    const cap = parseCapability(req.volume_capability, 'volume_capability');
    const ephemeral = req.volume_context[EphemeralContextKey] === 'true';
    if (!ephemeral && req.staging_target_path === '') {
      throw csiErrors.failedPrecondition(
        'staging_target_path missing in request: the driver stages volumes (STAGE_UNSTAGE_VOLUME)',
      );
    }
    return this.locks.run([`vol:${id}`], async () => {
      let vol = this.volumeById(id);
      if (ephemeral) {
        if (cap.accessType !== 'mount')
          throw csiErrors.invalidArgument('ephemeral inline volumes must be mount volumes');
        if (vol === undefined) vol = await this.createEphemeral(id, req.volume_context);
        else if (!vol.ephemeral)
          throw csiErrors.alreadyExists(`volume ${id} exists and is not an ephemeral volume`);
        else if (!vol.ready) await this.materialise(vol);
      }
      if (vol === undefined || !vol.ready) throw csiErrors.notFound(`volume ${id} not found`);
      if (cap.accessType !== vol.accessType) {
        throw csiErrors.failedPrecondition(
          `volume ${id} is a ${vol.accessType} volume and cannot be published as ${cap.accessType}`,
        );
      }
      let entry = vol.published.find((p) => p.targetPath === targetPath);
      if (entry !== undefined) {
        if (entry.readonly !== req.readonly || !sameCapability(entry.capability, cap)) {
          throw csiErrors.alreadyExists(
            `volume ${id} is already published at ${targetPath} with other arguments`,
          );
        }
      } else {
        const other = vol.published[0];
        if (other !== undefined && !multiModes.has(cap.accessMode)) {
          throw csiErrors.failedPrecondition(
            `volume ${id} with access mode ${cap.accessMode} is already published at ${other.targetPath}`,
          );
        }
        entry = { targetPath, stagingPath: req.staging_target_path, capability: cap, readonly: req.readonly };
        vol.published.push(entry);
        await this.store.persist();
      }
      if (await isMountPoint(targetPath)) return {};
      if (vol.accessType === 'mount') {
        await mkdir(targetPath, { recursive: true });
        await this.applyMountGroup(vol, cap);
        await bindMount(vol.path, targetPath, req.readonly);
      } else {
        const dev = await ensureLoopDevice(vol.path);
        await (await open(targetPath, 'a', 0o600)).close();
        await bindMount(dev, targetPath, req.readonly);
      }
      return {};
    });
  }

  private async createEphemeral(id: string, context: Record<string, string>): Promise<VolumeRecord> {
    let size = this.config.defaultVolumeSizeBytes;
    const sizeAttr = context[EphemeralSizeAttribute];
    if (sizeAttr !== undefined) {
      const q = Quantity.tryParse(sizeAttr);
      if (q === undefined || q.sign() < 0) {
        throw csiErrors.invalidArgument(
          `volume attribute ${EphemeralSizeAttribute}=${JSON.stringify(sizeAttr)} is not a quantity`,
        );
      }
      size = Number(q.value());
    }
    this.checkSize(size);
    await this.checkRoom(size);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(context)) if (!k.startsWith('csi.storage.k8s.io/')) params[k] = v;
    const vol = this.newVolume(id, 'mount', size, params, true, undefined, id);
    this.state.volumes.push(vol);
    await this.store.persist();
    await this.materialise(vol);
    log.v(2, 'ephemeral volume created', { id, size });
    return vol;
  }

  async nodeUnpublishVolume(req: NodeUnpublishVolumeRequest__Output): Promise<Record<string, never>> {
    const id = requireField(req.volume_id, 'volume_id');
    const targetPath = resolve(requireField(req.target_path, 'target_path'));
    return this.locks.run([`vol:${id}`], async () => {
      const vol = this.volumeById(id);
      if (vol === undefined) {
        // Already unpublished (an ephemeral volume is gone with its last publication): OK. Something
        // left at the target that we do not know is not ours to remove.
        if (await exists(targetPath)) throw csiErrors.notFound(`volume ${id} not found`);
        return {};
      }
      await unmountAll(targetPath);
      await rm(targetPath, { recursive: false, force: true }).catch(async () => {
        await rm(targetPath, { recursive: true, force: true });
      });
      const before = vol.published.length;
      vol.published = vol.published.filter((p) => p.targetPath !== targetPath);
      if (vol.published.length !== before) await this.store.persist();
      if (vol.ephemeral && vol.published.length === 0) {
        await this.removeVolume(vol);
        log.v(2, 'ephemeral volume deleted', { id });
      } else if (vol.accessType === 'block' && vol.published.length === 0 && vol.staged.length === 0) {
        await detachLoopDevices(vol.path);
      }
      return {};
    });
  }

  async nodeGetVolumeStats(req: NodeGetVolumeStatsRequest__Output): Promise<NodeGetVolumeStatsResponse> {
    const id = requireField(req.volume_id, 'volume_id');
    const volumePath = resolve(requireField(req.volume_path, 'volume_path'));
    const vol = this.volumeById(id);
    if (vol === undefined) throw csiErrors.notFound(`volume ${id} not found`);
    const known = [
      vol.path,
      ...vol.published.map((p) => p.targetPath),
      ...vol.staged.map((s) => s.stagingPath),
    ];
    if (!known.includes(volumePath) || !(await exists(volumePath))) {
      throw csiErrors.notFound(`volume ${id} is not available at ${volumePath}`);
    }
    if (vol.accessType === 'block') {
      return { usage: [{ unit: 'BYTES', total: String(vol.sizeBytes) }] };
    }
    const [usage, fs] = await Promise.all([diskUsage(vol.path), fsStats(vol.path)]);
    const total = vol.sizeBytes > 0 ? vol.sizeBytes : fs.totalBytes;
    const available = Math.max(0, Math.min(total - usage.bytes, fs.availableBytes));
    return {
      usage: [
        { unit: 'BYTES', total: String(total), used: String(usage.bytes), available: String(available) },
        {
          unit: 'INODES',
          total: String(fs.totalInodes),
          used: String(usage.inodes),
          available: String(fs.freeInodes),
        },
      ],
      volume_condition: { abnormal: false, message: '' },
    };
  }

  async nodeExpandVolume(req: NodeExpandVolumeRequest__Output): Promise<NodeExpandVolumeResponse> {
    const id = requireField(req.volume_id, 'volume_id');
    const volumePath = resolve(requireField(req.volume_path, 'volume_path'));
    const { required } = this.range(req.capacity_range);
    if (req.volume_capability !== null) parseCapability(req.volume_capability, 'volume_capability');
    return this.locks.run([`vol:${id}`], async () => {
      const vol = this.volumeById(id);
      if (vol === undefined) throw csiErrors.notFound(`volume ${id} not found`);
      if (!(await exists(volumePath))) throw csiErrors.notFound(`volume path ${volumePath} does not exist`);
      if (required > vol.sizeBytes) {
        this.checkSize(required);
        await this.checkRoom(required - vol.sizeBytes);
        if (vol.accessType === 'block') await truncate(vol.path, required);
        vol.sizeBytes = required;
        await this.store.persist();
      }
      if (vol.accessType === 'block') await refreshLoopDevices(vol.path);
      return { capacity_bytes: String(vol.sizeBytes) };
    });
  }

  /** Capability of a recorded publication, for tests and tools. */
  static capabilityMessage(c: StoredCapability): VolumeCapability {
    return capabilityMessage(c);
  }
}
