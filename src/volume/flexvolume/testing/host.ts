// Test support for the flexvolume and gitrepo tests: a VolumeHost over a temporary kubelet root, a
// mounter that shells out to mount(8)/umount(8), and a cleanup that unmounts everything under a root.
// Kept here (not in src/volume/testing) so these tests do not depend on the other node-agent folders.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ConfigMap, KubeObject, Node, Pod, Secret } from '../../../api/index.ts';
import type { Client, EventRecorder, EventType } from '../../../client/index.ts';
import type { Clock } from '../../../component/index.ts';
import { realClock } from '../../../component/index.ts';
import type { VolumeHost } from '../../plugins.ts';
import { escapePluginName } from '../../plugins.ts';
import type { MountInterface, MountOptions, MountPoint } from '../../util/mount/types.ts';
import type { Metrics, Mounter, MounterArgs, Unmounter } from '../../volume.ts';

const run = promisify(execFile);

function unescapeMountInfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

export function parseMountInfoText(text: string): MountPoint[] {
  const out: MountPoint[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [pre, post] = line.split(' - ');
    const f = (pre ?? '').split(' ');
    const g = (post ?? '').split(' ');
    const [major, minor] = (f[2] ?? '0:0').split(':').map(Number);
    out.push({
      id: Number(f[0]),
      parentId: Number(f[1]),
      major: major ?? 0,
      minor: minor ?? 0,
      root: unescapeMountInfo(f[3] ?? ''),
      path: unescapeMountInfo(f[4] ?? ''),
      opts: [...(f[5] ?? '').split(','), ...(g[2] ?? '').split(',')],
      type: g[0] ?? '',
      device: unescapeMountInfo(g[1] ?? ''),
    });
  }
  return out;
}

/** MountInterface through mount(8)/umount(8); records calls. */
export class ExecMounter implements MountInterface {
  readonly calls: string[] = [];

  async mount(source: string, target: string, opts: MountOptions = {}): Promise<void> {
    this.calls.push(`mount ${source} ${target} ${(opts.options ?? []).join(',')}`);
    const args: string[] = [];
    if (opts.fstype !== undefined && opts.fstype !== '') args.push('-t', opts.fstype);
    const o = [...(opts.options ?? []), ...(opts.sensitiveOptions ?? [])];
    if (o.length > 0) args.push('-o', o.join(','));
    await run('mount', [...args, source, target]);
  }

  async unmount(target: string): Promise<void> {
    this.calls.push(`unmount ${target}`);
    await run('umount', [target]);
  }

  async list(): Promise<MountPoint[]> {
    return parseMountInfoText(await readFile('/proc/self/mountinfo', 'utf8'));
  }

  async isLikelyNotMountPoint(path: string): Promise<boolean> {
    const s = await stat(path);
    const p = await stat(join(path, '..'));
    return s.dev === p.dev;
  }
}

/** Unmounts every mount at or under root (deepest first), then removes root. */
export async function cleanupRoot(root: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const mps = parseMountInfoText(await readFile('/proc/self/mountinfo', 'utf8'))
      .filter((m) => m.path === root || m.path.startsWith(`${root}/`))
      .sort((a, b) => b.path.length - a.path.length);
    if (mps.length === 0) break;
    for (const m of mps) await run('umount', ['-l', m.path]).catch(() => undefined);
  }
  await rm(root, { recursive: true, force: true });
}

export interface RecordedEvent {
  readonly object: KubeObject;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export class RecordingRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];

  event(object: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push({ object, type, reason, message });
  }

  eventf(object: KubeObject, type: EventType, reason: string, format: string, ...args: unknown[]): void {
    let i = 0;
    this.event(
      object,
      type,
      reason,
      format.replace(/%[sdvq]/g, () => String(args[i++])),
    );
  }

  annotatedEventf(
    object: KubeObject,
    _annotations: Record<string, string>,
    type: EventType,
    reason: string,
    format: string,
    ...args: unknown[]
  ): void {
    this.eventf(object, type, reason, format, ...args);
  }
}

/**
 * A stand-in for the emptyDir wrapper: a directory on disk with upstream's readiness marker at
 * `pods/<uid>/plugins/kubernetes.io~empty-dir/wrapped_<name>/ready`.
 */
class DirWrapper implements Mounter, Unmounter {
  readonly #host: TestVolumeHost;
  readonly #name: string;
  readonly #podUID: string;

  constructor(host: TestVolumeHost, name: string, podUID: string) {
    this.#host = host;
    this.#name = name;
    this.#podUID = podUID;
  }

  getPath(): string {
    return this.#host.getPodVolumeDir(this.#podUID, 'kubernetes.io/empty-dir', `wrapped_${this.#name}`);
  }

  getMetrics(): Promise<Metrics | undefined> {
    return Promise.resolve(undefined);
  }

  setUp(args: MounterArgs): Promise<void> {
    return this.setUpAt(this.getPath(), args);
  }

  async setUpAt(dir: string, _args: MounterArgs): Promise<void> {
    this.#host.wrapperCalls.push(`setUpAt ${dir}`);
    await mkdir(dir, { recursive: true, mode: 0o750 });
    const meta = join(
      this.#host.getPodPluginDir(this.#podUID, 'kubernetes.io/empty-dir'),
      `wrapped_${this.#name}`,
    );
    await mkdir(meta, { recursive: true, mode: 0o750 });
    await rm(join(meta, 'ready'), { force: true });
    await writeFile(join(meta, 'ready'), '', { mode: 0o600 });
  }

  getAttributes(): { readOnly: boolean; managed: boolean; seLinuxRelabel: boolean } {
    return { readOnly: false, managed: true, seLinuxRelabel: true };
  }

  tearDown(): Promise<void> {
    return this.tearDownAt(this.getPath());
  }

  async tearDownAt(dir: string): Promise<void> {
    this.#host.wrapperCalls.push(`tearDownAt ${dir}`);
    await rm(dir, { recursive: true, force: true });
  }
}

export interface TestVolumeHostOptions {
  readonly root: string;
  readonly mounter?: MountInterface;
  readonly clock?: Clock;
  readonly nodeName?: string;
}

export class TestVolumeHost implements VolumeHost {
  readonly root: string;
  readonly mounter: MountInterface;
  readonly clock: Clock;
  readonly nodeName: string;
  readonly recorder = new RecordingRecorder();
  readonly secrets = new Map<string, Secret>();
  readonly wrapperCalls: string[] = [];

  constructor(opts: TestVolumeHostOptions) {
    this.root = opts.root;
    this.mounter = opts.mounter ?? new ExecMounter();
    this.clock = opts.clock ?? realClock;
    this.nodeName = opts.nodeName ?? 'node-1';
  }

  getPluginDir(pluginName: string): string {
    return join(this.root, 'plugins', pluginName);
  }

  getPodsDir(): string {
    return join(this.root, 'pods');
  }

  getPodVolumeDir(podUID: string, pluginName: string, volumeName: string): string {
    return join(this.root, 'pods', podUID, 'volumes', escapePluginName(pluginName), volumeName);
  }

  getPodPluginDir(podUID: string, pluginName: string): string {
    return join(this.root, 'pods', podUID, 'plugins', escapePluginName(pluginName));
  }

  getMounter(): MountInterface {
    return this.mounter;
  }

  getNodeName(): string {
    return this.nodeName;
  }

  getNode(): Promise<Node | undefined> {
    return Promise.resolve(undefined);
  }

  getClient(): Client {
    throw new Error('no client in TestVolumeHost');
  }

  getSecret(namespace: string, name: string): Promise<Secret> {
    const s = this.secrets.get(`${namespace}/${name}`);
    if (s === undefined) return Promise.reject(new Error(`secrets "${name}" not found`));
    return Promise.resolve(s);
  }

  getConfigMap(_namespace: string, name: string): Promise<ConfigMap> {
    return Promise.reject(new Error(`configmaps "${name}" not found`));
  }

  getNodeAllocatableMemory(): number {
    return 1 << 30;
  }

  getEventRecorder(): EventRecorder {
    return this.recorder;
  }

  getClock(): Clock {
    return this.clock;
  }

  newWrapperMounter(volumeName: string, _medium: '' | 'Memory', pod: Pod): Mounter {
    return new DirWrapper(this, volumeName, pod.metadata.uid ?? '');
  }

  newWrapperUnmounter(volumeName: string, podUID: string): Unmounter {
    return new DirWrapper(this, volumeName, podUID);
  }
}
