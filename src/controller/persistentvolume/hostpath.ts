// The in-tree hostPath test provisioner (`kubernetes.io/host-path`, pkg/volume/hostpath's provisioner,
// deleter and recycler): provisions a directory `<root>/<pv name>` (`pvc-<claim uid>`) on the machine
// the controller runs on, deletes it on reclaim Delete, and scrubs its contents on Recycle. Meant for
// single-node setups and tests, as upstream's (`--enable-hostpath-provisioner`).
//
// Concurrency: the controller runs at most one operation per claim or volume at a time; each call here
// touches only its own directory. Every call is idempotent.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { PersistentVolume } from '../../api/index.ts';
import { AnnDynamicallyCreatedBy } from './annotations.ts';
import {
  PluginSetupError,
  type RecyclablePlugin,
  type RecyclerEventSink,
  type VolumeOptions,
} from './plugins.ts';

export const HostPathPluginName = 'kubernetes.io/host-path';

export interface HostPathProvisionerOptions {
  /** Directory under which volumes are created; must be absolute. */
  root: string;
  /**
   * When set, provisioned PVs get required node affinity to this node (`kubernetes.io/hostname`), so a
   * multi-node cluster schedules their pods where the directory is. Upstream sets none.
   */
  nodeName?: string;
}

export class HostPathProvisioner implements RecyclablePlugin {
  readonly name = HostPathPluginName;
  readonly #root: string;
  readonly #nodeName: string | undefined;

  constructor(opts: HostPathProvisionerOptions) {
    if (!isAbsolute(opts.root)) throw new Error(`hostPath provisioner root must be absolute: ${opts.root}`);
    this.#root = resolve(opts.root);
    this.#nodeName = opts.nodeName;
  }

  get root(): string {
    return this.#root;
  }

  canSupport(pv: PersistentVolume): boolean {
    return pv.spec?.hostPath !== undefined;
  }

  supportsMountOptions(): boolean {
    return false;
  }

  async provision(options: VolumeOptions): Promise<PersistentVolume> {
    const pvc = options.pvc;
    if (pvc.spec?.volumeMode === 'Block') {
      throw new PluginSetupError(this.name, `${this.name} does not support block volume provisioning`);
    }
    const path = join(this.#root, options.pvName);
    await mkdir(path, { recursive: true, mode: 0o750 });
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name: options.pvName,
        annotations: { [AnnDynamicallyCreatedBy]: 'hostpath-dynamic-provisioner' },
      },
      spec: {
        persistentVolumeReclaimPolicy: options.persistentVolumeReclaimPolicy,
        accessModes:
          (pvc.spec?.accessModes ?? []).length > 0 ? [...(pvc.spec?.accessModes ?? [])] : ['ReadWriteOnce'],
        capacity: { storage: pvc.spec?.resources?.requests?.['storage'] ?? '0' },
        hostPath: { path },
        volumeMode: 'Filesystem',
      },
    };
    if (this.#nodeName !== undefined) {
      pv.spec!.nodeAffinity = {
        required: {
          nodeSelectorTerms: [
            {
              matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [this.#nodeName] }],
            },
          ],
        },
      };
    }
    return pv;
  }

  async delete(pv: PersistentVolume): Promise<void> {
    const path = this.#ownedPath(pv, 'deleter');
    await rm(path, { recursive: true, force: true });
  }

  async recycle(pv: PersistentVolume, events: RecyclerEventSink): Promise<void> {
    const path = this.#ownedPath(pv, 'recycler');
    let entries: string[];
    try {
      if (!(await stat(path)).isDirectory()) throw new Error(`${path} is not a directory`);
      entries = await readdir(path);
    } catch (err) {
      throw new Error(`cannot scrub ${path}: ${(err as Error).message}`, { cause: err });
    }
    for (const e of entries) await rm(join(path, e), { recursive: true, force: true });
    const left = await readdir(path);
    if (left.length > 0) throw new Error(`${path} is not empty after scrubbing`);
    events('Normal', `Successfully scrubbed ${path}`);
  }

  /** Only directories directly under the root are ours to delete or scrub (upstream: only /tmp/.+). */
  #ownedPath(pv: PersistentVolume, what: string): string {
    const p = pv.spec?.hostPath?.path;
    if (p === undefined)
      throw new PluginSetupError(this.name, `spec.hostPath.path is not set on ${pv.metadata.name ?? ''}`);
    const rel = relative(this.#root, resolve(p));
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.includes('/')) {
      throw new PluginSetupError(
        this.name,
        `host_path ${what} only supports ${this.#root}/.+ but received provided ${p}`,
      );
    }
    return resolve(p);
  }
}
