// Storage object in-use protection: the controllers that remove the `kubernetes.io/pvc-protection` and
// `kubernetes.io/pv-protection` finalizers once a claim is no longer used by a pod, or a PV no longer bound.
// The door exports only what other code needs, so that `export *` from src/controller/index.ts stays free
// of name clashes with other controllers.
export {
  podPVCIndex,
  pvcProtectionControllerName,
  pvcProtectionFinalizer,
  pvProtectionControllerName,
  pvProtectionFinalizer,
} from './constants.ts';
export { isPVBeingUsed, PVProtectionController } from './pv_protection.ts';
export {
  type ProtectionControllerOptions,
  PVCProtectionController,
  podPVCIndexFunc,
  podUsesPVC,
} from './pvc_protection.ts';
