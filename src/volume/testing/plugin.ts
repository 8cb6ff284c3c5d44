// FakeVolumePlugin and FakeAttachableVolumePlugin: plugins for volume manager and operation executor
// tests (upstream pkg/volume/testing FakeVolumePlugin). They record every call, let a test inject an
// error (or an UncertainProgressError) per operation and volume, and do the least real work that keeps
// the on-disk layout honest: setUp creates the pod volume dir, tearDown removes it, mountDevice creates
// the device mount dir.
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import type { PersistentVolumeAccessMode, Pod } from '../../api/index.ts';
import {
  type AttachableVolumePlugin,
  escapePluginName,
  type PersistentVolumePlugin,
  type ReconstructedVolume,
  type VolumeHost,
  type VolumeOptions,
} from '../plugins.ts';
import {
  type Attacher,
  type Attributes,
  type Detacher,
  type DeviceMounter,
  type DeviceUnmounter,
  type Mounter,
  type MounterArgs,
  type Spec,
  specFromVolume,
  specName,
  type Unmounter,
} from '../volume.ts';

export type FakeVolumeOp =
  | 'newMounter'
  | 'newUnmounter'
  | 'setUp'
  | 'tearDown'
  | 'constructVolumeSpec'
  | 'attach'
  | 'waitForAttach'
  | 'volumesAreAttached'
  | 'detach'
  | 'mountDevice'
  | 'unmountDevice';

export interface FakeVolumeCall {
  readonly op: FakeVolumeOp;
  /** Pod volume name, PV name or device mount path, whichever the operation knows. */
  readonly volumeName: string;
  readonly podUID?: string;
  readonly dir?: string;
  readonly args?: MounterArgs;
  readonly nodeName?: string;
}

export interface FakeVolumePluginOptions {
  /** Default `kubernetes.io/fake-plugin`. */
  readonly name?: string;
  /** Which specs the plugin claims; default every spec (as upstream's fake). */
  readonly supports?: (spec: Spec) => boolean;
  readonly requiresRemount?: boolean;
  readonly accessModes?: readonly PersistentVolumeAccessMode[];
  readonly attributes?: Partial<Attributes>;
}

interface Injected {
  op: FakeVolumeOp;
  volumeName: string | undefined;
  error: Error;
  times: number;
}

export class FakeVolumePlugin implements PersistentVolumePlugin {
  readonly name: string;
  host: VolumeHost | undefined;
  initCalls = 0;
  /** Every call, in order. */
  readonly calls: FakeVolumeCall[] = [];
  /** Directories currently set up, by path. */
  readonly setUpDirs = new Set<string>();
  readonly #supports: (spec: Spec) => boolean;
  readonly #requiresRemount: boolean;
  readonly #accessModes: PersistentVolumeAccessMode[];
  readonly #attributes: Attributes;
  readonly #injected: Injected[] = [];

  constructor(opts: FakeVolumePluginOptions = {}) {
    this.name = opts.name ?? 'kubernetes.io/fake-plugin';
    this.#supports = opts.supports ?? (() => true);
    this.#requiresRemount = opts.requiresRemount ?? false;
    this.#accessModes = [...(opts.accessModes ?? ['ReadWriteOnce'])];
    this.#attributes = { readOnly: false, managed: true, seLinuxRelabel: true, ...opts.attributes };
  }

  /**
   * Makes the next `times` calls of `op` (for `volumeName`, or any volume) throw `error`. Default once.
   * Use an UncertainProgressError to simulate a timed-out mount.
   */
  injectError(op: FakeVolumeOp, error: Error, opts: { volumeName?: string; times?: number } = {}): void {
    this.#injected.push({ op, volumeName: opts.volumeName, error, times: opts.times ?? 1 });
  }

  clearErrors(): void {
    this.#injected.length = 0;
  }

  /** The recorded calls of one operation. */
  callsOf(op: FakeVolumeOp): FakeVolumeCall[] {
    return this.calls.filter((c) => c.op === op);
  }

  /** Records the call and throws an injected error if one matches. */
  record(call: FakeVolumeCall): void {
    this.calls.push(call);
    const i = this.#injected.findIndex(
      (e) => e.op === call.op && (e.volumeName === undefined || e.volumeName === call.volumeName),
    );
    if (i < 0) return;
    const inj = this.#injected[i]!;
    inj.times--;
    if (inj.times <= 0) this.#injected.splice(i, 1);
    throw inj.error;
  }

  init(host: VolumeHost): void {
    this.host = host;
    this.initCalls++;
  }

  get #host(): VolumeHost {
    if (this.host === undefined) throw new Error(`volume plugin ${this.name} used before init`);
    return this.host;
  }

  getVolumeName(spec: Spec): string {
    return specName(spec);
  }

  canSupport(spec: Spec): boolean {
    return this.#supports(spec);
  }

  requiresRemount(_spec: Spec): boolean {
    return this.#requiresRemount;
  }

  supportsMountOption(): boolean {
    return true;
  }

  getAccessModes(): PersistentVolumeAccessMode[] {
    return [...this.#accessModes];
  }

  podVolumeDir(podUID: string, volumeName: string): string {
    return this.#host.getPodVolumeDir(podUID, escapePluginName(this.name), volumeName);
  }

  newMounter(spec: Spec, pod: Pod, _opts: VolumeOptions): Mounter {
    const podUID = pod.metadata.uid ?? '';
    this.record({ op: 'newMounter', volumeName: specName(spec), podUID });
    return new FakeVolume(this, specName(spec), podUID, {
      ...this.#attributes,
      readOnly: this.#attributes.readOnly || spec.readOnly,
    });
  }

  newUnmounter(volumeName: string, podUID: string): Unmounter {
    this.record({ op: 'newUnmounter', volumeName, podUID });
    return new FakeVolume(this, volumeName, podUID, this.#attributes);
  }

  async constructVolumeSpec(volumeName: string, mountPath: string): Promise<ReconstructedVolume> {
    this.record({ op: 'constructVolumeSpec', volumeName, dir: mountPath });
    return { spec: specFromVolume({ name: volumeName }) };
  }
}

/** A mounted (or to-be-mounted) fake volume; both Mounter and Unmounter. */
export class FakeVolume implements Mounter, Unmounter {
  readonly #plugin: FakeVolumePlugin;
  readonly volumeName: string;
  readonly podUID: string;
  readonly #attributes: Attributes;

  constructor(plugin: FakeVolumePlugin, volumeName: string, podUID: string, attributes: Attributes) {
    this.#plugin = plugin;
    this.volumeName = volumeName;
    this.podUID = podUID;
    this.#attributes = attributes;
  }

  getPath(): string {
    return this.#plugin.podVolumeDir(this.podUID, this.volumeName);
  }

  getAttributes(): Attributes {
    return this.#attributes;
  }

  setUp(args: MounterArgs): Promise<void> {
    return this.setUpAt(this.getPath(), args);
  }

  async setUpAt(dir: string, args: MounterArgs): Promise<void> {
    this.#plugin.record({ op: 'setUp', volumeName: this.volumeName, podUID: this.podUID, dir, args });
    await fs.mkdir(dir, { recursive: true, mode: 0o750 });
    this.#plugin.setUpDirs.add(dir);
  }

  tearDown(): Promise<void> {
    return this.tearDownAt(this.getPath());
  }

  async tearDownAt(dir: string): Promise<void> {
    this.#plugin.record({ op: 'tearDown', volumeName: this.volumeName, podUID: this.podUID, dir });
    await fs.rm(dir, { recursive: true, force: true });
    this.#plugin.setUpDirs.delete(dir);
  }
}

/**
 * A fake that also attaches and device-mounts. Attached volumes are kept per node; device mounts are
 * directories under `<root>/plugins/<name>/mounts/<volume>`.
 */
export class FakeAttachableVolumePlugin extends FakeVolumePlugin implements AttachableVolumePlugin {
  /** `<volumeName>@<nodeName>` of attached volumes. */
  readonly attached = new Set<string>();
  readonly deviceMounts = new Set<string>();
  /** Whether canAttach / canDeviceMount say yes; default true. */
  attachable = true;
  deviceMountable = true;

  newAttacher(): Attacher {
    return new FakeAttacher(this);
  }

  newDetacher(): Detacher {
    return new FakeAttacher(this);
  }

  newDeviceMounter(): DeviceMounter {
    return new FakeAttacher(this);
  }

  newDeviceUnmounter(): DeviceUnmounter {
    return new FakeAttacher(this);
  }

  canAttach(_spec: Spec): boolean {
    return this.attachable;
  }

  canDeviceMount(_spec: Spec): boolean {
    return this.deviceMountable;
  }

  async getDeviceMountRefs(_deviceMountPath: string): Promise<string[]> {
    return [...this.setUpDirs];
  }

  deviceMountPath(spec: Spec): string {
    return join(this.host?.getPluginDir(this.name) ?? '', 'mounts', specName(spec));
  }
}

class FakeAttacher implements Attacher, Detacher {
  readonly #plugin: FakeAttachableVolumePlugin;

  constructor(plugin: FakeAttachableVolumePlugin) {
    this.#plugin = plugin;
  }

  async attach(spec: Spec, nodeName: string): Promise<string> {
    this.#plugin.record({ op: 'attach', volumeName: specName(spec), nodeName });
    this.#plugin.attached.add(`${specName(spec)}@${nodeName}`);
    return `/dev/fake/${specName(spec)}`;
  }

  async waitForAttach(spec: Spec, devicePath: string, _pod: Pod, _timeoutMs: number): Promise<string> {
    this.#plugin.record({ op: 'waitForAttach', volumeName: specName(spec), dir: devicePath });
    return devicePath;
  }

  async volumesAreAttached(specs: readonly Spec[], nodeName: string): Promise<Map<Spec, boolean>> {
    this.#plugin.record({ op: 'volumesAreAttached', volumeName: '', nodeName });
    return new Map(specs.map((s) => [s, this.#plugin.attached.has(`${specName(s)}@${nodeName}`)]));
  }

  async detach(volumeName: string, nodeName: string): Promise<void> {
    this.#plugin.record({ op: 'detach', volumeName, nodeName });
    this.#plugin.attached.delete(`${volumeName}@${nodeName}`);
  }

  async getDeviceMountPath(spec: Spec): Promise<string> {
    return this.#plugin.deviceMountPath(spec);
  }

  async mountDevice(
    spec: Spec,
    devicePath: string,
    deviceMountPath: string,
    _args: { fsGroup?: number; seLinuxLabel?: string },
  ): Promise<void> {
    this.#plugin.record({ op: 'mountDevice', volumeName: specName(spec), dir: deviceMountPath });
    void devicePath;
    await fs.mkdir(deviceMountPath, { recursive: true, mode: 0o750 });
    this.#plugin.deviceMounts.add(deviceMountPath);
  }

  async unmountDevice(deviceMountPath: string): Promise<void> {
    this.#plugin.record({ op: 'unmountDevice', volumeName: deviceMountPath, dir: deviceMountPath });
    await fs.rm(deviceMountPath, { recursive: true, force: true });
    this.#plugin.deviceMounts.delete(deviceMountPath);
  }
}
