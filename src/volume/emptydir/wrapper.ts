// The wrapper volumes a VolumeHost hands out to secret, configMap, downwardAPI and projected (upstream
// NewWrapperMounter/NewWrapperUnmounter): an emptyDir named `wrapped_<name>`, so its readiness marker
// cannot collide with a real emptyDir of the pod, set up by the outer plugin at its own directory.
import type { Pod } from '../../api/index.ts';
import type { VolumePlugin } from '../plugins.ts';
import { type Mounter, specFromVolume, type Unmounter } from '../volume.ts';

export const wrappedVolumePrefix = 'wrapped_';

/** The medium of a wrapper emptyDir: tmpfs for secrets and the like, disk for configMaps. */
export type WrapperMedium = '' | 'Memory';

/**
 * The emptyDir mounter standing in for `volumeName` (upstream VolumeHost.NewWrapperMounter). Hosts
 * implement `newWrapperMounter` with this, passing their emptyDir plugin.
 */
export function newWrapperMounter(
  emptyDirPlugin: VolumePlugin,
  volumeName: string,
  medium: WrapperMedium,
  pod: Pod,
): Mounter {
  const volume = { name: `${wrappedVolumePrefix}${volumeName}`, emptyDir: medium === '' ? {} : { medium } };
  return emptyDirPlugin.newMounter(specFromVolume(volume), pod, {});
}

/** The emptyDir unmounter for a wrapped volume (upstream VolumeHost.NewWrapperUnmounter). */
export function newWrapperUnmounter(
  emptyDirPlugin: VolumePlugin,
  volumeName: string,
  podUID: string,
): Unmounter {
  return emptyDirPlugin.newUnmounter(`${wrappedVolumePrefix}${volumeName}`, podUID);
}
