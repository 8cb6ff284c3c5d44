// FakeCSIDriver: a tiny CSI Identity + Node server on a unix socket for tests of the kubernetes.io/csi
// plugin (and of the volume manager driving it). It records every call with its request, performs
// real bind mounts (a directory per volume under its own backing dir; block volumes are a regular
// file bind-mounted onto the publish file), and has switches for the node capabilities and for
// injecting gRPC errors per method. Requires root (mount(2)).
//
// Concurrency: gRPC handlers run on the event loop; calls are recorded in arrival order.
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type IdentityHandlers, loadCsiProto, type NodeHandlers } from '../../../csi/index.ts';
import { isMountPoint, RealMounter } from '../../util/mount/index.ts';

export type FakeNodeCapability =
  | 'STAGE_UNSTAGE_VOLUME'
  | 'GET_VOLUME_STATS'
  | 'EXPAND_VOLUME'
  | 'VOLUME_CONDITION'
  | 'SINGLE_NODE_MULTI_WRITER'
  | 'VOLUME_MOUNT_GROUP';

export type FakeNodeMethod =
  | 'NodeGetCapabilities'
  | 'NodeStageVolume'
  | 'NodeUnstageVolume'
  | 'NodePublishVolume'
  | 'NodeUnpublishVolume'
  | 'NodeGetVolumeStats'
  | 'NodeExpandVolume';

/** One recorded call: the method and its request (secrets included: it is a test double). */
export interface FakeCSICall {
  readonly method: FakeNodeMethod;
  // biome-ignore lint/suspicious/noExplicitAny: requests of several message types
  readonly request: any;
}

export interface FakeCSIDriverOptions {
  /** Directory for the socket and the backing store; the caller removes it (after unmounting). */
  readonly dir: string;
  readonly name?: string;
  readonly capabilities?: readonly FakeNodeCapability[];
}

// biome-ignore lint/suspicious/noExplicitAny: grpc-js callbacks of several response types
type Reply = (err: any, res?: any) => void;

interface InjectedError {
  readonly code: grpc.status;
  readonly details: string;
}

export class FakeCSIDriver {
  readonly name: string;
  readonly socketPath: string;
  readonly backingDir: string;
  /** Node capabilities reported by NodeGetCapabilities; tests may change them. */
  capabilities: Set<FakeNodeCapability>;
  readonly calls: FakeCSICall[] = [];
  /** NodeGetVolumeStats answer's volume condition. */
  volumeCondition = { abnormal: false, message: 'healthy' };
  readonly #errors = new Map<FakeNodeMethod, InjectedError[]>();
  readonly #server = new grpc.Server();
  readonly #mounter = new RealMounter();

  constructor(opts: FakeCSIDriverOptions) {
    this.name = opts.name ?? 'fake.csi.kvol.io';
    this.socketPath = join(opts.dir, 'csi.sock');
    this.backingDir = join(opts.dir, 'backing');
    mkdirSync(this.backingDir, { recursive: true });
    this.capabilities = new Set(opts.capabilities ?? ['STAGE_UNSTAGE_VOLUME']);
    const v1 = loadCsiProto().csi.v1;
    this.#server.addService(v1.Identity.service, this.#identity() as grpc.UntypedServiceImplementation);
    this.#server.addService(v1.Node.service, this.#node() as grpc.UntypedServiceImplementation);
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(`unix://${this.socketPath}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err === null ? resolve() : reject(err),
      );
    });
  }

  stop(): void {
    this.#server.forceShutdown();
  }

  /** The next call(s) of `method` fail with `code` (one per call, in order). */
  failNext(method: FakeNodeMethod, code: grpc.status, details = 'injected failure'): void {
    const list = this.#errors.get(method) ?? [];
    list.push({ code, details });
    this.#errors.set(method, list);
  }

  callsOf(method: FakeNodeMethod): FakeCSICall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The backing directory of a filesystem volume (made on first use), where its data lives. */
  volumeDir(volumeID: string): string {
    const d = join(this.backingDir, encodeURIComponent(volumeID));
    mkdirSync(d, { recursive: true });
    return d;
  }

  /** The backing file of a block volume (made on first use). */
  volumeFile(volumeID: string): string {
    const f = join(this.backingDir, `${encodeURIComponent(volumeID)}.img`);
    try {
      writeFileSync(f, Buffer.alloc(4096), { flag: 'wx' });
    } catch {
      // exists
    }
    return f;
  }

  /** Removes the backing store (after everything is unmounted). */
  removeBacking(): void {
    rmSync(this.backingDir, { recursive: true, force: true });
  }

  #identity(): Partial<IdentityHandlers> {
    return {
      GetPluginInfo: (_call, cb) => cb(null, { name: this.name, vendor_version: '0.0.1' }),
      GetPluginCapabilities: (_call, cb) => cb(null, { capabilities: [] }),
      Probe: (_call, cb) => cb(null, { ready: { value: true } }),
    };
  }

  /** Records the call; returns an injected error, if any. */
  #enter(method: FakeNodeMethod, request: unknown): InjectedError | undefined {
    this.calls.push({ method, request: structuredClone(request) });
    const list = this.#errors.get(method);
    return list?.shift();
  }

  #run(method: FakeNodeMethod, request: unknown, cb: Reply, fn: () => Promise<object>): void {
    const injected = this.#enter(method, request);
    if (injected !== undefined) {
      cb({ code: injected.code, details: injected.details });
      return;
    }
    fn().then(
      (res) => cb(null, res),
      (err: unknown) =>
        cb({ code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) }),
    );
  }

  async #mounted(path: string): Promise<boolean> {
    try {
      return await isMountPoint(this.#mounter, path);
    } catch {
      return false;
    }
  }

  async #unmountAndRemove(path: string): Promise<void> {
    if (await this.#mounted(path)) await this.#mounter.unmount(path);
    await rm(path, { force: true, recursive: false }).catch(async () => {
      await rm(path, { recursive: true, force: true });
    });
  }

  #node(): Partial<NodeHandlers> {
    return {
      NodeGetCapabilities: (call, cb) => {
        this.#run('NodeGetCapabilities', call.request, cb, async () => ({
          capabilities: [...this.capabilities].map((type) => ({ rpc: { type } })),
        }));
      },
      NodeGetInfo: (_call, cb) => cb(null, { node_id: 'fake-node' }),
      NodeStageVolume: (call, cb) => {
        this.#run('NodeStageVolume', call.request, cb, async () => {
          const req = call.request;
          const target = req.staging_target_path ?? '';
          if (req.volume_capability?.block != null) {
            // Block: nothing to mount at the staging dir; remember the device there.
            await writeFile(join(target, 'device'), this.volumeFile(req.volume_id ?? ''));
            return {};
          }
          if (!(await this.#mounted(target))) {
            await this.#mounter.mount(this.volumeDir(req.volume_id ?? ''), target, { options: ['bind'] });
          }
          return {};
        });
      },
      NodeUnstageVolume: (call, cb) => {
        this.#run('NodeUnstageVolume', call.request, cb, async () => {
          const target = call.request.staging_target_path ?? '';
          if (await this.#mounted(target)) await this.#mounter.unmount(target);
          await rm(join(target, 'device'), { force: true });
          return {};
        });
      },
      NodePublishVolume: (call, cb) => {
        this.#run('NodePublishVolume', call.request, cb, async () => {
          const req = call.request;
          const target = req.target_path ?? '';
          const options = req.readonly === true ? ['bind', 'ro'] : ['bind'];
          if (req.volume_capability?.block != null) {
            await writeFile(target, '', { flag: 'a' });
            if (!(await this.#mounted(target))) {
              await this.#mounter.mount(this.volumeFile(req.volume_id ?? ''), target, { options });
            }
            return {};
          }
          await mkdir(target, { recursive: true });
          if (!(await this.#mounted(target))) {
            const staging = req.staging_target_path ?? '';
            const source = staging !== '' ? staging : this.volumeDir(req.volume_id ?? '');
            await this.#mounter.mount(source, target, { options });
          }
          return {};
        });
      },
      NodeUnpublishVolume: (call, cb) => {
        this.#run('NodeUnpublishVolume', call.request, cb, async () => {
          const target = call.request.target_path ?? '';
          try {
            await lstat(target);
          } catch {
            return {};
          }
          await this.#unmountAndRemove(target);
          return {};
        });
      },
      NodeGetVolumeStats: (call, cb) => {
        this.#run('NodeGetVolumeStats', call.request, cb, async () => {
          const st = statfsSync(call.request.volume_path ?? '');
          const res: Record<string, unknown> = {
            usage: [
              {
                unit: 'BYTES',
                total: String(st.blocks * st.bsize),
                available: String(st.bavail * st.bsize),
                used: String((st.blocks - st.bfree) * st.bsize),
              },
              {
                unit: 'INODES',
                total: String(st.files),
                available: String(st.ffree),
                used: String(st.files - st.ffree),
              },
            ],
          };
          if (this.capabilities.has('VOLUME_CONDITION')) res.volume_condition = { ...this.volumeCondition };
          return res;
        });
      },
      NodeExpandVolume: (call, cb) => {
        this.#run('NodeExpandVolume', call.request, cb, async () => ({
          capacity_bytes: call.request.capacity_range?.required_bytes ?? '0',
        }));
      },
    };
  }
}
