// Volume expansion on the control plane: the expand controller (`persistentvolume-expander`) that hands
// claims to an external resizer, and the annotation, event and message names the resizers share.
export * from './constants.ts';
export {
  capacityStorage,
  ExpandController,
  type ExpandControllerOptions,
  requestedStorage,
  storageOf,
} from './expand_controller.ts';
