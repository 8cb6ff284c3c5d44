// The FlexVolume plugin (upstream pkg/volume/flexvolume/plugin.go): one plugin per driver found under
// the plugin directory, named `flexvolume-<vendor>/<driver>`. The driver's `init` runs once, when the
// plugin is built; its capabilities decide the plugin's shape: `attach: true` (the default) gives an
// AttachableVolumePlugin (attach, waitforattach, mountdevice, unmountdevice, detach, isattached), else
// only mount/unmount. Commands a driver answers with "Not supported" are remembered and from then on
// replaced by the built-in defaults without calling the driver.
//
// Concurrency: a plugin is shared by all volumes of its driver; it holds no per-volume state besides
// the set of unsupported commands, so calls for different volumes run in parallel.
import { join } from 'node:path';
import type { PersistentVolumeAccessMode, Pod } from '../../api/index.ts';
import { Quantity } from '../../api/index.ts';
import type { Clock } from '../../component/index.ts';
import { logger, realClock } from '../../component/index.ts';
import type {
  AttachableVolumePlugin,
  ExpandableVolumePlugin,
  NodeExpandableVolumePlugin,
  PersistentVolumePlugin,
  ReconstructedVolume,
  VolumeHost,
  VolumeOptions,
} from '../plugins.ts';
import { HostedPlugin, unescapePluginName } from '../plugins.ts';
import { setVolumeOwnership } from '../util/ownership/index.ts';
import type {
  Attacher,
  Detacher,
  DeviceMounter,
  DeviceUnmounter,
  Mounter,
  Spec,
  Unmounter,
} from '../volume.ts';
import { specFromVolume, specName } from '../volume.ts';
import { FlexVolumeAttacher, FlexVolumeDetacher } from './attacher.ts';
import {
  Cmd,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_KILL_GRACE_MS,
  FLEX_VOLUME_PLUGIN_DIR_NAME,
  PLUGIN_NAME_PREFIX,
} from './constants.ts';
import type { DriverCapabilities, DriverContext, DriverStatus, ExecOptions } from './drivercall.ts';
import { runDriverCall } from './drivercall.ts';
import { FlexVolumeSpecError, isNotSupportedError } from './errors.ts';
import { FlexVolumeMounter, FlexVolumeUnmounter, getMountRefs } from './mounter.ts';
import { getDriver, marshalOptions, newOptionsForDriver } from './options.ts';

const log = logger('flexvolume');

/** Changes ownership of a volume for fsGroup (the mount helper's setVolumeOwnership). */
export type SetVolumeOwnership = (
  dir: string,
  fsGroup: number | undefined,
  policy: 'OnRootMismatch' | 'Always' | undefined,
  readOnly: boolean,
) => Promise<void>;

export interface FlexVolumeOptions {
  /** Clock for call timeouts; defaults to the host's once the plugin is initialised. */
  readonly clock?: Clock;
  /** Timeout of every driver call except waitforattach (which gets the caller's). Default 2 min; 0 = none. */
  readonly callTimeoutMs?: number;
  /** SIGTERM-to-SIGKILL grace for a timed-out driver. Default 10 s. */
  readonly killGraceMs?: number;
  /** Applies fsGroup after a driver mount when the driver's capabilities allow it; default the shared one. */
  readonly setVolumeOwnership?: SetVolumeOwnership;
}

/** The driver executable and what the plugin has learnt about it; implements the call context. */
export class FlexDriver implements DriverContext {
  readonly driverName: string;
  readonly execPath: string;
  readonly #unsupported = new Set<string>();
  readonly #opts: FlexVolumeOptions;
  #clock: Clock;

  /** pluginDir is the volume plugin dir; dirName is `<vendor>~<driver>`. */
  constructor(pluginDir: string, dirName: string, opts: FlexVolumeOptions = {}) {
    this.driverName = unescapePluginName(dirName);
    const parts = this.driverName.split('/');
    this.execPath = join(pluginDir, dirName, parts[parts.length - 1] ?? '');
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
  }

  useClock(clock: Clock): void {
    if (this.#opts.clock === undefined) this.#clock = clock;
  }

  isUnsupported(command: string): boolean {
    return this.#unsupported.has(command);
  }

  markUnsupported(command: string): void {
    this.#unsupported.add(command);
  }

  execOptions(timeoutMs?: number): ExecOptions {
    return {
      timeoutMs: timeoutMs ?? this.#opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      killGraceMs: this.#opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      clock: this.#clock,
    };
  }

  /** Runs `<driver> <command> <args...>`; see runDriverCall for the errors. */
  call(command: string, args: readonly string[] = [], timeoutMs?: number): Promise<DriverStatus> {
    return runDriverCall(this, command, args, timeoutMs);
  }

  get ownership(): SetVolumeOwnership {
    return this.#opts.setVolumeOwnership ?? setVolumeOwnership;
  }
}

/**
 * Builds the plugin for the driver in `<pluginDir>/<dirName>`: runs its `init` and returns an
 * attachable plugin when the capabilities say `attach: true`. Throws the init call's error.
 */
export async function newFlexVolumePlugin(
  pluginDir: string,
  dirName: string,
  opts: FlexVolumeOptions = {},
): Promise<FlexVolumePlugin> {
  const driver = new FlexDriver(pluginDir, dirName, opts);
  const ds = await driver.call(Cmd.init);
  log.v(2, 'FlexVolume driver initialised', { driver: driver.driverName, capabilities: ds.capabilities });
  return ds.capabilities.attach
    ? new FlexVolumeAttachablePlugin(driver, ds.capabilities)
    : new FlexVolumePlugin(driver, ds.capabilities);
}

export class FlexVolumePlugin
  extends HostedPlugin
  implements PersistentVolumePlugin, ExpandableVolumePlugin, NodeExpandableVolumePlugin
{
  readonly name: string;
  readonly driver: FlexDriver;
  readonly capabilities: DriverCapabilities;

  constructor(driver: FlexDriver, capabilities: DriverCapabilities) {
    super();
    this.driver = driver;
    this.capabilities = capabilities;
    this.name = PLUGIN_NAME_PREFIX + driver.driverName;
  }

  get driverName(): string {
    return this.driver.driverName;
  }

  /** The driver's `init` already ran when the plugin was built; this only keeps the host. */
  override init(host: VolumeHost): void {
    super.init(host);
    this.driver.useClock(host.getClock());
  }

  /**
   * Upstream's effective answer: the spec name (the driver's getvolumename reply is ignored). The
   * driver is asked in getVolumeNameFromDriver, on the asynchronous paths that upstream asks it on.
   */
  getVolumeName(spec: Spec): string {
    return specName(spec);
  }

  /** Runs `getvolumename <json>` as upstream does; "Not supported" falls back to the spec name. */
  async getVolumeNameFromDriver(spec: Spec): Promise<string> {
    try {
      await this.driver.call(Cmd.getVolumeName, [this.optionsJSON(spec)]);
    } catch (err) {
      if (isNotSupportedError(err)) return specName(spec);
      throw err;
    }
    const name = specName(spec);
    log.v(
      4,
      `flexVolume driver ${this.driverName}: GetVolumeName is not supported yet. Defaulting to PV or volume name: ${name}`,
    );
    return name;
  }

  canSupport(spec: Spec): boolean {
    try {
      return getDriver(spec) === this.driverName;
    } catch {
      return false;
    }
  }

  requiresRemount(_spec: Spec): boolean {
    return false;
  }

  getAccessModes(): PersistentVolumeAccessMode[] {
    return ['ReadWriteOnce', 'ReadOnlyMany'];
  }

  newMounter(spec: Spec, pod: Pod, _opts: VolumeOptions): Mounter {
    getDriver(spec);
    return new FlexVolumeMounter(this, spec, pod);
  }

  newUnmounter(volumeName: string, podUID: string): Unmounter {
    return new FlexVolumeUnmounter(this, volumeName, podUID);
  }

  /** Options are not recoverable from disk; teardown uses only path-based commands. */
  async constructVolumeSpec(volumeName: string, _mountPath: string): Promise<ReconstructedVolume> {
    return { spec: specFromVolume({ name: volumeName, flexVolume: { driver: this.driverName } }) };
  }

  supportsMountOption(): boolean {
    return false;
  }

  requiresFSResize(): boolean {
    return this.capabilities.requiresFSResize;
  }

  /** `expandvolume <json> <new bytes> <old bytes>`; "Not supported" keeps the requested size. */
  async expandVolumeDevice(spec: Spec, newSize: string, oldSize: string): Promise<string> {
    let ds: DriverStatus;
    try {
      ds = await this.driver.call(Cmd.expandVolume, [this.optionsJSON(spec), bytes(newSize), bytes(oldSize)]);
    } catch (err) {
      if (isNotSupportedError(err)) return newSize;
      throw err;
    }
    return ds.volumeNewSize > 0 ? Quantity.fromValue(ds.volumeNewSize, 'BinarySI').toString() : newSize;
  }

  /**
   * `expandfs <json> <device path> <device mount path> <new bytes> <old bytes>`. Upstream falls back to
   * a generic resize2fs/xfs_growfs on "Not supported"; kvol has no filesystem resizer, so that is an
   * error.
   */
  async nodeExpand(opts: {
    spec: Spec;
    devicePath?: string;
    deviceMountPath?: string;
    newSize: string;
    oldSize: string;
  }): Promise<boolean> {
    try {
      await this.driver.call(Cmd.expandFS, [
        this.optionsJSON(opts.spec),
        opts.devicePath ?? '',
        opts.deviceMountPath ?? '',
        bytes(opts.newSize),
        bytes(opts.oldSize),
      ]);
    } catch (err) {
      if (isNotSupportedError(err)) {
        throw new FlexVolumeSpecError(
          `flexvolume driver ${JSON.stringify(this.driverName)} does not support expandfs and kvol has no generic filesystem resize`,
        );
      }
      throw err;
    }
    return true;
  }

  /** `<root>/plugins/kubernetes.io/flexvolume/<driver>/mounts/<volume name>` */
  async getDeviceMountPath(spec: Spec): Promise<string> {
    let volumeName: string;
    try {
      volumeName = await this.getVolumeNameFromDriver(spec);
    } catch (err) {
      throw new FlexVolumeSpecError(
        `GetVolumeName failed from getDeviceMountPath: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    return join(this.host.getPluginDir(FLEX_VOLUME_PLUGIN_DIR_NAME), this.driverName, 'mounts', volumeName);
  }

  optionsJSON(spec: Spec, extra: Record<string, string> = {}): string {
    return marshalOptions(newOptionsForDriver(spec, extra));
  }
}

function bytes(quantity: string): string {
  return Quantity.parse(quantity).value().toString();
}

/** A driver whose init said `attach: true`: attach/detach and the device mount on top of mount. */
export class FlexVolumeAttachablePlugin extends FlexVolumePlugin implements AttachableVolumePlugin {
  newAttacher(): Attacher {
    return new FlexVolumeAttacher(this);
  }

  newDetacher(): Detacher {
    return new FlexVolumeDetacher(this);
  }

  newDeviceMounter(): DeviceMounter {
    return this.newAttacher();
  }

  newDeviceUnmounter(): DeviceUnmounter {
    return this.newDetacher();
  }

  canAttach(_spec: Spec): boolean {
    return true;
  }

  canDeviceMount(_spec: Spec): boolean {
    return true;
  }

  getDeviceMountRefs(deviceMountPath: string): Promise<string[]> {
    return getMountRefs(this.host.getMounter(), deviceMountPath);
  }
}

export const isFlexVolumePlugin = (p: unknown): p is FlexVolumePlugin => p instanceof FlexVolumePlugin;
