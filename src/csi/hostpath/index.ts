// The bundled CSI driver hostpath.csi.kvol.io: starting it on a unix socket. `kvol csi-hostpath`
// and `kvol up` run it as its own process; tests and benchmarks may run it in-process.
import type { IdentityHandlers } from '../gen/csi/v1/Identity.ts';
import { type CsiServices, serveCsi, unary } from '../server.ts';
import { HostPathDriver, type HostPathDriverConfig } from './driver.ts';

export {
  EphemeralContextKey,
  EphemeralSizeAttribute,
  HostPathDriver,
  type HostPathDriverConfig,
  HostPathDriverName,
  HostPathTopologyKey,
} from './driver.ts';
export { type HostPathState, type SnapshotRecord, stateFileName, type VolumeRecord } from './state.ts';

export interface HostPathDriverOptions extends HostPathDriverConfig {
  /** `unix:///path/csi.sock` or a plain socket path. */
  endpoint: string;
}

export interface RunningHostPathDriver {
  readonly endpoint: string;
  /** The socket path. */
  readonly socketPath: string;
  /** The driver (state and logic), e.g. for tests. */
  readonly driver: HostPathDriver;
  /** Stops serving, waits for state writes and removes the socket. Mounts and volumes stay. */
  stop(): Promise<void>;
}

/** The grpc-js handlers of the three services over one HostPathDriver. */
export function hostPathServices(d: HostPathDriver): CsiServices {
  const identity: Partial<IdentityHandlers> = {
    GetPluginInfo: unary('GetPluginInfo', () => d.getPluginInfo()),
    GetPluginCapabilities: unary('GetPluginCapabilities', () => d.getPluginCapabilities()),
    Probe: unary('Probe', () => ({ ready: { value: true } })),
  };
  const controller: CsiServices['controller'] = {
    CreateVolume: unary('CreateVolume', (r) => d.createVolume(r)),
    DeleteVolume: unary('DeleteVolume', (r) => d.deleteVolume(r)),
    ValidateVolumeCapabilities: unary('ValidateVolumeCapabilities', (r) => d.validateVolumeCapabilities(r)),
    ListVolumes: unary('ListVolumes', (r) => d.listVolumes(r)),
    GetCapacity: unary('GetCapacity', (r) => d.getCapacity(r)),
    ControllerGetCapabilities: unary('ControllerGetCapabilities', () => d.controllerGetCapabilities()),
    CreateSnapshot: unary('CreateSnapshot', (r) => d.createSnapshot(r)),
    DeleteSnapshot: unary('DeleteSnapshot', (r) => d.deleteSnapshot(r)),
    ListSnapshots: unary('ListSnapshots', (r) => d.listSnapshots(r)),
    ControllerExpandVolume: unary('ControllerExpandVolume', (r) => d.controllerExpandVolume(r)),
  };
  if (d.config.enableAttach) {
    controller.ControllerPublishVolume = unary('ControllerPublishVolume', (r) =>
      d.controllerPublishVolume(r),
    );
    controller.ControllerUnpublishVolume = unary('ControllerUnpublishVolume', (r) =>
      d.controllerUnpublishVolume(r),
    );
  }
  if (d.config.enableGetSnapshot) controller.GetSnapshot = unary('GetSnapshot', (r) => d.getSnapshot(r));
  const node: CsiServices['node'] = {
    NodeStageVolume: unary('NodeStageVolume', (r) => d.nodeStageVolume(r)),
    NodeUnstageVolume: unary('NodeUnstageVolume', (r) => d.nodeUnstageVolume(r)),
    NodePublishVolume: unary('NodePublishVolume', (r) => d.nodePublishVolume(r)),
    NodeUnpublishVolume: unary('NodeUnpublishVolume', (r) => d.nodeUnpublishVolume(r)),
    NodeGetVolumeStats: unary('NodeGetVolumeStats', (r) => d.nodeGetVolumeStats(r)),
    NodeExpandVolume: unary('NodeExpandVolume', (r) => d.nodeExpandVolume(r)),
    NodeGetCapabilities: unary('NodeGetCapabilities', () => d.nodeGetCapabilities()),
    NodeGetInfo: unary('NodeGetInfo', () => d.nodeGetInfo()),
  };
  return { identity, controller, node };
}

/** Loads the state in `stateDir` and serves the driver on `endpoint`. */
export async function startHostPathDriver(opts: HostPathDriverOptions): Promise<RunningHostPathDriver> {
  const driver = await HostPathDriver.open(opts);
  const server = await serveCsi(opts.endpoint, hostPathServices(driver));
  let stopped: Promise<void> | undefined;
  return {
    endpoint: opts.endpoint,
    socketPath: server.socketPath,
    driver,
    stop() {
      stopped ??= (async () => {
        await server.close();
        await driver.flush();
      })();
      return stopped;
    },
  };
}
