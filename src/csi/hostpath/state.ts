// The hostpath driver's durable state: every volume and snapshot it knows, with where each volume is
// staged and published, kept in `<stateDir>/state.json`. Every change is written atomically (temp
// file, fsync, rename, fsync of the directory) before the RPC that made it answers, so a kill -9
// loses nothing that was acknowledged. Records are written *before* the work they describe
// (`ready: false`, a staged or published entry) and the work is redone idempotently on a replay.
// Concurrency: the in-memory state is mutated synchronously by the driver; writes are serialised
// and coalesced (a caller waits for a write that started after its change).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';

export type AccessType = 'mount' | 'block';

/** The parts of a VolumeCapability the driver remembers to compare later calls against. */
export interface StoredCapability {
  accessType: AccessType;
  accessMode: string;
  fsType: string;
  mountFlags: string[];
  volumeMountGroup: string;
}

export interface StagedEntry {
  stagingPath: string;
  capability: StoredCapability;
  /** Block volumes: the loop device the stage attached. */
  loopDevice?: string;
}

export interface PublishedEntry {
  targetPath: string;
  stagingPath: string;
  capability: StoredCapability;
  readonly: boolean;
}

export interface ControllerPublication {
  nodeId: string;
  readonly: boolean;
  capability: StoredCapability;
}

export interface ContentSourceRecord {
  type: 'snapshot' | 'volume';
  id: string;
}

export interface VolumeRecord {
  id: string;
  name: string;
  sizeBytes: number;
  accessType: AccessType;
  /** Directory (mount) or image file (block) holding the data. */
  path: string;
  parameters: Record<string, string>;
  contentSource?: ContentSourceRecord;
  ephemeral: boolean;
  /** False until the directory/file exists and its content is copied. */
  ready: boolean;
  createdAtMs: number;
  controllerPublished: ControllerPublication[];
  staged: StagedEntry[];
  published: PublishedEntry[];
}

export interface SnapshotRecord {
  id: string;
  name: string;
  sourceVolumeId: string;
  sizeBytes: number;
  accessType: AccessType;
  /** Copy of the source: a directory or an image file. */
  path: string;
  ready: boolean;
  createdAtMs: number;
}

export interface HostPathState {
  volumes: VolumeRecord[];
  snapshots: SnapshotRecord[];
}

const stateVersion = 1;

export const stateFileName = 'state.json';

/** Loads and persists one HostPathState. */
export class StateStore {
  readonly state: HostPathState;
  private readonly file: string;
  private readonly dir: string;
  private queued: Promise<void> | undefined;
  private writing: Promise<void> | undefined;

  private constructor(dir: string, state: HostPathState) {
    this.dir = dir;
    this.file = join(dir, stateFileName);
    this.state = state;
  }

  /** Reads `<dir>/state.json`, or starts empty when there is none. */
  static load(dir: string): StateStore {
    const file = join(dir, stateFileName);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return new StateStore(dir, { volumes: [], snapshots: [] });
      }
      throw err;
    }
    const parsed = JSON.parse(text) as { version?: number } & Partial<HostPathState>;
    if (parsed.version !== stateVersion) {
      throw new Error(`${file}: unsupported state version ${String(parsed.version)}`);
    }
    return new StateStore(dir, { volumes: parsed.volumes ?? [], snapshots: parsed.snapshots ?? [] });
  }

  /** Resolves once a write that began after this call has reached the disk. */
  persist(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    const after = this.writing ?? Promise.resolve();
    const p: Promise<void> = after
      .then(
        () => undefined,
        () => undefined,
      )
      .then(async () => {
        this.queued = undefined;
        this.writing = p;
        try {
          await this.write();
        } finally {
          if (this.writing === p) this.writing = undefined;
        }
      });
    this.queued = p;
    return p;
  }

  /** Synchronous variant for shutdown paths. */
  persistSync(): void {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, this.serialise());
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    const dfd = openSync(this.dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }

  private serialise(): string {
    return `${JSON.stringify({ version: stateVersion, ...this.state }, null, 1)}\n`;
  }

  private async write(): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(this.serialise());
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}
