// Which pod volumes the containers use (upstream util.GetPodVolumeNames): volumes referenced by some
// init, regular or ephemeral container's volumeMounts or volumeDevices. Unreferenced volumes are
// ignored by the volume manager.
import type { Pod } from '../../api/index.ts';

export interface PodVolumeNames {
  mounts: Set<string>;
  devices: Set<string>;
}

export function getPodVolumeNames(pod: Pod): PodVolumeNames {
  const mounts = new Set<string>();
  const devices = new Set<string>();
  const spec = pod.spec;
  for (const c of [
    ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ]) {
    for (const m of c.volumeMounts ?? []) mounts.add(m.name);
    for (const d of c.volumeDevices ?? []) devices.add(d.name);
  }
  return { mounts, devices };
}

/** The pod-spec names of the volumes the pod's containers use, in pod-spec order. */
export function getExpectedVolumes(pod: Pod): string[] {
  const { mounts, devices } = getPodVolumeNames(pod);
  return (pod.spec?.volumes ?? []).map((v) => v.name).filter((n) => mounts.has(n) || devices.has(n));
}

/** The pod's unique name in the volume manager: its UID (upstream GetUniquePodName). */
export function uniquePodName(pod: Pod): string {
  return pod.metadata.uid ?? `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

/** True when the pod is in a terminal phase (Succeeded or Failed). */
export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}
