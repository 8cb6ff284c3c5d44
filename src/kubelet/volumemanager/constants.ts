// Timing of the volume manager (upstream volume_manager.go), as documented defaults of its options.

/** How long waitForAttachAndMount / waitForUnmount wait (upstream podAttachAndMountTimeout, 2 m 3 s). */
export const podAttachAndMountTimeoutMs = 2 * 60_000 + 3_000;
/** Safety-net pass of the populator and reconciler; kvol is event-driven, upstream polls every 100 ms. */
export const defaultSyncPeriodMs = 60_000;
/** Retry of pods whose volumes could not be processed (a PVC not found or not bound yet). */
export const defaultPodRetryPeriodMs = 1_000;
/** The wrapped error of a wait that timed out, as older releases print it. */
export const timedOutWaitingMessage = 'timed out waiting for the condition';
