// Test doubles for the volume manager's tests (and the node agent's): the pod source it reads pods
// from, and a mounter with nothing mounted. Not used outside tests.
import type { Pod } from '../../../api/index.ts';
import type { MountInterface } from '../../../volume/index.ts';

/** Mounts nothing and reports nothing mounted (for plugins that do not mount, such as the fakes). */
export const noMounts: MountInterface = {
  mount: async () => {},
  unmount: async () => {},
  list: async () => [],
  isLikelyNotMountPoint: async () => true,
};

/**
 * The pod manager and pod state provider of a VolumeManager: the pods in `pods` are the node's; a pod
 * that is not there any more, or is in `terminating`, is terminating and may be removed.
 */
export class FakePodManager {
  readonly pods = new Map<string, Pod>();
  readonly terminating = new Set<string>();
  getPods = (): Pod[] => [...this.pods.values()];
  getPodByUID = (uid: string): Pod | undefined => this.pods.get(uid);
  shouldPodContainersBeTerminating = (uid: string): boolean =>
    !this.pods.has(uid) || this.terminating.has(uid);
  shouldPodRuntimeBeRemoved = (uid: string): boolean => this.shouldPodContainersBeTerminating(uid);
}
