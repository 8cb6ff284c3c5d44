// The controller manager: builds the storage controllers over one client and one shared informer
// factory, starts the informers once every controller has registered its own, and runs them until the
// signal aborts (kube-controller-manager's role for the storage controllers).

import { setMaxListeners } from 'node:events';
import { type CSIDriver, Resources } from '../api/index.ts';
import { type Client, Recorder, type SharedInformerFactory } from '../client/index.ts';
import { type Clock, logger } from '../component/index.ts';
import type { CSIDriverRegistry } from '../csi/index.ts';
import {
  CapacityQueueName,
  CsiAttacherController,
  CsiCapacityController,
  type CsiControllerContext,
  CsiProvisionerController,
  CsiResizer,
  CsiSnapshotter,
  DriverCapabilityCache,
  ResizerName,
} from './csi/index.ts';
import { ExpandController, ExpandControllerName, ExpandEventSource } from './expand/index.ts';
import { ControllerComponent, PersistentVolumeController } from './persistentvolume/index.ts';
import { PVCProtectionController, PVProtectionController } from './protection/index.ts';
import { SnapshotController, SnapshotControllerName, SnapshotterName } from './snapshot/index.ts';

const log = logger('controller-manager');

export interface ControllerManagerOptions {
  readonly client: Client;
  readonly informers: SharedInformerFactory;
  readonly clock?: Clock;
  /** Workers per controller (upstream's --concurrent-*-syncs). */
  readonly workers?: number;
  /** Where the in-tree hostPath provisioner makes volumes (`<root>/pvc-<uid>`); unset disables it. */
  readonly hostPathRoot?: string;
  /** CSI drivers reachable from this process; the built-in CSI controller logic drives them. */
  readonly csiDrivers?: CSIDriverRegistry;
}

export interface RunningControllers {
  /** Resolves when every controller has stopped after the signal aborted. */
  readonly done: Promise<void>;
}

/**
 * Constructs the controllers (which registers their informers), then runs them. The caller starts the
 * informer factory after this returns and aborts `signal` to stop everything.
 */
export function startControllers(opts: ControllerManagerOptions, signal: AbortSignal): RunningControllers {
  const common = {
    client: opts.client,
    informers: opts.informers,
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
  };
  const workers = opts.workers ?? 2;
  const runs: { name: string; run: () => Promise<void> }[] = [];
  // Every controller and informer listens on this one signal.
  setMaxListeners(0, signal);
  /** Runs a controller with its own event recorder (events carry the upstream component name). */
  const withRecorder = (
    component: string,
    name: string,
    make: (recorder: Recorder) => { run(signal: AbortSignal, workers: number): Promise<void> },
  ): void => {
    const recorder = new Recorder({ client: opts.client, source: { component } });
    const controller = make(recorder);
    runs.push({
      name,
      run: async () => {
        try {
          await controller.run(signal, workers);
        } finally {
          recorder.shutdown();
        }
      },
    });
  };
  withRecorder(
    ControllerComponent,
    'persistentvolume-binder',
    (recorder) =>
      new PersistentVolumeController({
        ...common,
        recorder,
        claimWorkers: 8,
        ...(opts.hostPathRoot !== undefined ? { hostPathRoot: opts.hostPathRoot } : {}),
      }),
  );
  if (opts.csiDrivers !== undefined) {
    // The built-in CSI sidecar logic, for every driver in the registry whose CSIDriver leaves it on.
    const csiDriverInformer = opts.informers.informerFor<CSIDriver>(Resources.csidrivers);
    const csi: CsiControllerContext = {
      drivers: opts.csiDrivers,
      csiDriver: (name) => csiDriverInformer.getByKey(name),
    };
    const capabilities = new DriverCapabilityCache(opts.csiDrivers);
    signal.addEventListener('abort', () => capabilities.close(), { once: true });
    const csiOpts = { ...common, csi, capabilities };
    const provisioner = new CsiProvisionerController(csiOpts);
    runs.push({ name: 'csi-provisioner', run: () => provisioner.run(signal, workers * 4) });
    const capacity = new CsiCapacityController(csiOpts);
    runs.push({ name: CapacityQueueName, run: () => capacity.run(signal, 1) });
    const attacher = new CsiAttacherController(csiOpts);
    runs.push({ name: 'csi-attacher', run: () => attacher.run(signal, workers * 4) });
    withRecorder(
      ResizerName,
      'csi-resizer',
      (recorder) => new CsiResizer({ ...common, recorder, csi, capabilities }),
    );
    withRecorder(
      SnapshotterName,
      SnapshotterName,
      (recorder) => new CsiSnapshotter({ ...common, recorder, csi, capabilities }),
    );
  }
  withRecorder(
    ExpandEventSource,
    ExpandControllerName,
    (recorder) => new ExpandController({ ...common, recorder }),
  );
  withRecorder(
    SnapshotControllerName,
    SnapshotControllerName,
    (recorder) => new SnapshotController({ ...common, recorder }),
  );
  const pvc = new PVCProtectionController(common);
  runs.push({ name: 'pvc-protection', run: () => pvc.run(signal, workers) });
  const pv = new PVProtectionController(common);
  runs.push({ name: 'pv-protection', run: () => pv.run(signal, workers) });
  const done = Promise.all(
    runs.map(async (r) => {
      try {
        await r.run();
      } catch (err) {
        if (!signal.aborted) log.error('controller stopped with an error', err, { controller: r.name });
      }
    }),
  ).then(() => undefined);
  return { done };
}
