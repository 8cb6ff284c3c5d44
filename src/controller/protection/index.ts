// Storage object in-use protection: the controllers that remove the `kubernetes.io/pvc-protection` and
// `kubernetes.io/pv-protection` finalizers once a claim is no longer used by a pod, or a PV no longer bound.
export * from './constants.ts';
export { hasFinalizer, isDeletionCandidate, type RemoveOutcome, removeFinalizer } from './finalizer.ts';
export { isPVBeingUsed, PVProtectionController } from './pv_protection.ts';
export {
  ephemeralVolumeClaimName,
  isPodTerminated,
  type ProtectionControllerOptions,
  PVCProtectionController,
  podIsShutDown,
  podPVCIndexFunc,
  podUsesPVC,
} from './pvc_protection.ts';
