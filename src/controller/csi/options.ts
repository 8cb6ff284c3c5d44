// What every built-in CSI controller of this folder is constructed with (the PV controller's shape
// plus the CSI context), and the event-recorder lifetime they share.
import type { Client, EventRecorder, SharedInformerFactory } from '../../client/index.ts';
import { Recorder } from '../../client/index.ts';
import type { Clock } from '../../component/index.ts';
import type { DriverCapabilityCache } from './capabilities.ts';
import type { CsiControllerContext } from './common.ts';

export interface CsiControllerOptions {
  readonly client: Client;
  readonly informers: SharedInformerFactory;
  /** Where events go; without one the controller records under its upstream component name. */
  readonly recorder?: EventRecorder;
  readonly clock?: Clock;
  readonly csi: CsiControllerContext;
  /** Shared between controllers so each driver is probed once; made per controller when absent. */
  readonly capabilities?: DriverCapabilityCache;
  /** Deadline of each CSI call (upstream --timeout). Default 60 s. */
  readonly csiTimeoutMs?: number;
}

export const DefaultCsiTimeoutMs = 60_000;

/** The given recorder, or a Recorder of `component` that `done()` shuts down. */
export function ownRecorder(
  opts: Pick<CsiControllerOptions, 'client' | 'recorder' | 'clock'>,
  component: string,
): { recorder: EventRecorder; done: () => void } {
  if (opts.recorder !== undefined) return { recorder: opts.recorder, done: () => {} };
  const r = new Recorder({
    client: opts.client,
    source: { component },
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
  });
  return { recorder: r, done: () => r.shutdown() };
}
