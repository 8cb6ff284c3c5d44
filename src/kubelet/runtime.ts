// Where a container runtime plugs into the node agent. kvol does not run containers yet: the agent
// calls the runtime once a pod's volumes are mounted and reports the statuses it returns; the no-op
// runtime says every container started at once. A real runtime (CRI client, or processes in mount
// namespaces) implements the same three calls.
import type { Pod } from '../api/index.ts';
import type { Clock } from '../component/index.ts';
import type { VolumeInfo } from './volumemanager/index.ts';

export interface ContainerState {
  readonly name: string;
  readonly image: string;
  readonly imageID: string;
  readonly containerID: string;
  readonly running: boolean;
  /** ms since the epoch. */
  readonly startedAt: number;
}

export interface ContainerRuntime {
  /**
   * Starts (or keeps running) the pod's containers with its mounted volumes (pod-spec volume name ->
   * mounter path). Called on every pod sync once the volumes are mounted; idempotent. Returns the state
   * of each regular container.
   */
  syncPod(pod: Pod, volumes: ReadonlyMap<string, VolumeInfo>): Promise<ContainerState[]>;
  /** Stops every container of the pod. Idempotent; resolves once they have exited. */
  killPod(pod: Pod): Promise<void>;
  /** True while a container of the pod may still run (its volumes must stay mounted). */
  podHasRunningContainers(podUID: string): boolean;
}

/** Runs nothing: every container is "running" from the first sync until killPod. */
export class NoopContainerRuntime implements ContainerRuntime {
  readonly #clock: Clock;
  readonly #started = new Map<string, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async syncPod(pod: Pod): Promise<ContainerState[]> {
    const uid = pod.metadata.uid ?? '';
    let at = this.#started.get(uid);
    if (at === undefined) {
      at = this.#clock.now();
      this.#started.set(uid, at);
    }
    const startedAt = at;
    return (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: c.image ?? '',
      containerID: `kvol://${uid}/${c.name}`,
      running: true,
      startedAt,
    }));
  }

  async killPod(pod: Pod): Promise<void> {
    this.#started.delete(pod.metadata.uid ?? '');
  }

  podHasRunningContainers(podUID: string): boolean {
    return this.#started.has(podUID);
  }
}
