// Attach-side calls of an attachable flex driver (upstream attacher.go, detacher.go and -defaults):
// attach/detach/isattached run where attach is managed (the attach/detach controller, or the kubelet);
// waitforattach, mountdevice and unmountdevice run on the node. "Not supported" answers fall back to
// upstream's defaults: attach returns no device, waitforattach returns the device it was given,
// mountdevice mounts the device itself (or does nothing without a device), unmountdevice unmounts,
// detach does nothing, isattached assumes attached.

import { rmdir } from 'node:fs/promises';
import type { Pod } from '../../api/index.ts';
import { logger } from '../../component/index.ts';
import { cleanupMountPoint } from '../util/mount/index.ts';
import type { Attacher, Detacher, Spec } from '../volume.ts';
import { specName } from '../volume.ts';
import { Cmd } from './constants.ts';
import type { DriverStatus } from './drivercall.ts';
import { isNotSupportedError } from './errors.ts';
import { pathExists, prepareForMount } from './mounter.ts';
import { getFSType, getReadOnly } from './options.ts';
import type { FlexVolumeAttachablePlugin } from './plugin.ts';

const log = logger('flexvolume');

export class FlexVolumeAttacher implements Attacher {
  readonly #plugin: FlexVolumeAttachablePlugin;

  constructor(plugin: FlexVolumeAttachablePlugin) {
    this.#plugin = plugin;
  }

  /** `attach <json> <node>`; returns the device path the driver reports. */
  async attach(spec: Spec, nodeName: string): Promise<string> {
    const p = this.#plugin;
    let ds: DriverStatus;
    try {
      ds = await p.driver.call(Cmd.attach, [p.optionsJSON(spec), nodeName]);
    } catch (err) {
      if (!isNotSupportedError(err)) throw err;
      log.warn(
        `flexVolume driver ${p.driverName}: using default Attach for volume ${specName(spec)}, host ${nodeName}`,
      );
      return '';
    }
    return ds.device;
  }

  /** `waitforattach <device> <json>`, bounded by the caller's timeout. */
  async waitForAttach(spec: Spec, devicePath: string, _pod: Pod, timeoutMs: number): Promise<string> {
    const p = this.#plugin;
    let ds: DriverStatus;
    try {
      ds = await p.driver.call(Cmd.waitForAttach, [devicePath, p.optionsJSON(spec)], timeoutMs);
    } catch (err) {
      if (!isNotSupportedError(err)) throw err;
      log.warn(
        `flexVolume driver ${p.driverName}: using default WaitForAttach for volume ${specName(spec)}, device ${devicePath}`,
      );
      return devicePath;
    }
    return ds.device;
  }

  getDeviceMountPath(spec: Spec): Promise<string> {
    return this.#plugin.getDeviceMountPath(spec);
  }

  /** `mountdevice <device mount path> <device> <json>`, once: a mounted path is left alone. */
  async mountDevice(
    spec: Spec,
    devicePath: string,
    deviceMountPath: string,
    _args: { fsGroup?: number; seLinuxLabel?: string },
  ): Promise<void> {
    const p = this.#plugin;
    const mounter = p.host.getMounter();
    if (await prepareForMount(mounter, deviceMountPath)) return;
    try {
      await p.driver.call(Cmd.mountDevice, [deviceMountPath, devicePath, p.optionsJSON(spec)]);
    } catch (err) {
      if (!isNotSupportedError(err)) throw err;
      // Without a device the driver does not attach; there is nothing to mount.
      if (devicePath === '') return;
      log.warn(
        `flexVolume driver ${p.driverName}: using default MountDevice for volume ${specName(spec)}, device ${devicePath}, deviceMountPath ${deviceMountPath}`,
      );
      const fstype = getFSType(spec);
      await mounter.mount(devicePath, deviceMountPath, {
        ...(fstype === '' ? {} : { fstype }),
        options: [getReadOnly(spec) ? 'ro' : 'rw'],
      });
    }
  }

  /**
   * `isattached <json> <node>` per spec. A failed call keeps the volume counted as attached; "Not
   * supported" means the driver cannot tell, and every volume counts as attached.
   */
  async volumesAreAttached(specs: readonly Spec[], nodeName: string): Promise<Map<Spec, boolean>> {
    const p = this.#plugin;
    const result = new Map<Spec, boolean>();
    for (const spec of specs) result.set(spec, true);
    for (const spec of specs) {
      let ds: DriverStatus;
      try {
        ds = await p.driver.call(Cmd.isAttached, [p.optionsJSON(spec), nodeName]);
      } catch (err) {
        if (isNotSupportedError(err)) {
          for (const s of specs) result.set(s, true);
          return result;
        }
        log.v(2, 'VolumesAreAttached: isattached failed', { volume: specName(spec), err });
        continue;
      }
      if (!ds.attached) {
        result.set(spec, false);
        log.v(
          2,
          `VolumesAreAttached: check volume (${JSON.stringify(specName(spec))}) is no longer attached`,
        );
      }
    }
    return result;
  }
}

export class FlexVolumeDetacher implements Detacher {
  readonly #plugin: FlexVolumeAttachablePlugin;

  constructor(plugin: FlexVolumeAttachablePlugin) {
    this.#plugin = plugin;
  }

  /** `detach <volume name> <node>`. */
  async detach(volumeName: string, nodeName: string): Promise<void> {
    const p = this.#plugin;
    try {
      await p.driver.call(Cmd.detach, [volumeName, nodeName]);
    } catch (err) {
      if (!isNotSupportedError(err)) throw err;
      log.warn(
        `flexVolume driver ${p.driverName}: using default Detach for volume ${volumeName}, host ${nodeName}`,
      );
    }
  }

  /** `unmountdevice <device mount path>` when something is mounted there; then removes the dir. */
  async unmountDevice(deviceMountPath: string): Promise<void> {
    const p = this.#plugin;
    if (!(await pathExists(deviceMountPath))) {
      log.warn(`Warning: Unmount skipped because path does not exist: ${deviceMountPath}`);
      return;
    }
    const mounter = p.host.getMounter();
    const notMounted = await mounter.isLikelyNotMountPoint(deviceMountPath);
    if (notMounted) {
      log.warn(`Warning: Path: ${deviceMountPath} already unmounted`);
    } else {
      try {
        await p.driver.call(Cmd.unmountDevice, [deviceMountPath]);
      } catch (err) {
        if (!isNotSupportedError(err)) throw err;
        log.warn(
          `flexVolume driver ${p.driverName}: using default UnmountDevice for device mount path ${deviceMountPath}`,
        );
        await cleanupMountPoint(mounter, deviceMountPath, false);
      }
    }
    // The driver may have removed the directory itself.
    try {
      await rmdir(deviceMountPath);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'ENOENT') throw err;
    }
  }
}
