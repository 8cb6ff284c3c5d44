// What every built-in CSI controller (provisioner, attacher, resizer, snapshotter) shares: the
// per-driver switch that hands a driver over to its own upstream sidecars, and the lookup of a
// driver's client. The built-in logic acts for a driver only while the driver is registered (its
// socket is reachable from this process) and its switch is on.
import type { CSIDriver } from '../../api/index.ts';
import type { CSIDriverRegistry, CsiClient } from '../../csi/index.ts';

/**
 * CSIDriver annotation that turns kvol's built-in controller logic off for that driver, so that the
 * driver's own upstream sidecars (external-provisioner, -attacher, -resizer, csi-snapshotter) can act
 * against kvol's API server instead. Any value but "false" (or no annotation) keeps it on.
 */
export const BuiltinSidecarsAnnotation = 'kvol.io/builtin-sidecars';

/** True when kvol's built-in controller logic drives this CSI driver. */
export function builtinSidecarsEnabled(csiDriver: CSIDriver | undefined): boolean {
  return csiDriver?.metadata.annotations?.[BuiltinSidecarsAnnotation] !== 'false';
}

/** What the CSI controllers are given: the drivers they can reach and the CSIDriver objects. */
export interface CsiControllerContext {
  readonly drivers: CSIDriverRegistry;
  /** The CSIDriver object of a driver, from an informer cache (undefined when there is none). */
  csiDriver(name: string): CSIDriver | undefined;
}

/**
 * The client for `driver` when kvol's built-in logic should act for it: registered here, and not
 * switched off by its CSIDriver object. Undefined otherwise (the claim, attachment or snapshot is
 * then left to whoever else serves the driver).
 */
export function builtinClient(ctx: CsiControllerContext, driver: string): CsiClient | undefined {
  if (!builtinSidecarsEnabled(ctx.csiDriver(driver))) return undefined;
  return ctx.drivers.client(driver);
}
