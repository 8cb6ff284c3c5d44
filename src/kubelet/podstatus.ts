// Pod status as the kubelet reports it (upstream generateAPIPodStatus, reduced to what kvol knows):
// Pending with ContainerCreating while volumes are set up, Running with every condition True once the
// runtime reports the containers running.
import type { ContainerStatus, Pod, PodCondition, PodStatus } from '../api/index.ts';
import { formatTime } from '../api/index.ts';
import type { ContainerState } from './runtime.ts';

function condition(
  old: PodStatus | undefined,
  type: string,
  status: 'True' | 'False',
  now: string,
  reason?: string,
  message?: string,
): PodCondition {
  const prev = old?.conditions?.find((c) => c.type === type);
  const c: PodCondition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: prev !== undefined && prev.status === status ? (prev.lastTransitionTime ?? now) : now,
  };
  if (reason !== undefined) c.reason = reason;
  if (message !== undefined) c.message = message;
  return c;
}

function base(pod: Pod, hostIP: string, now: number): PodStatus {
  const old = pod.status;
  const s: PodStatus = { ...old };
  s.hostIP = hostIP;
  s.hostIPs = [{ ip: hostIP }];
  s.startTime = old?.startTime ?? formatTime(now);
  return s;
}

/** Volumes not ready: Pending, containers waiting in ContainerCreating. */
export function pendingPodStatus(pod: Pod, hostIP: string, now: number): PodStatus {
  const t = formatTime(now);
  const old = pod.status;
  const s = base(pod, hostIP, now);
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const notReady = `containers with unready status: [${names.join(' ')}]`;
  s.phase = 'Pending';
  s.conditions = [
    condition(old, 'PodReadyToStartContainers', 'False', t),
    condition(old, 'Initialized', 'True', t),
    condition(old, 'Ready', 'False', t, 'ContainersNotReady', notReady),
    condition(old, 'ContainersReady', 'False', t, 'ContainersNotReady', notReady),
    condition(old, 'PodScheduled', 'True', t),
  ];
  s.containerStatuses = (pod.spec?.containers ?? []).map(
    (c): ContainerStatus => ({
      name: c.name,
      state: { waiting: { reason: 'ContainerCreating' } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: c.image ?? '',
      imageID: '',
      started: false,
    }),
  );
  return s;
}

/** Volumes mounted and the runtime's containers running: Running, every condition True. */
export function runningPodStatus(
  pod: Pod,
  hostIP: string,
  containers: readonly ContainerState[],
  now: number,
): PodStatus {
  const t = formatTime(now);
  const old = pod.status;
  const s = base(pod, hostIP, now);
  const allRunning = containers.every((c) => c.running);
  s.phase = 'Running';
  s.conditions = [
    condition(old, 'PodReadyToStartContainers', 'True', t),
    condition(old, 'Initialized', 'True', t),
    condition(old, 'Ready', allRunning ? 'True' : 'False', t),
    condition(old, 'ContainersReady', allRunning ? 'True' : 'False', t),
    condition(old, 'PodScheduled', 'True', t),
  ];
  s.containerStatuses = containers.map(
    (c): ContainerStatus => ({
      name: c.name,
      state: c.running
        ? { running: { startedAt: formatTime(c.startedAt) } }
        : { waiting: { reason: 'ContainerCreating' } },
      lastState: {},
      ready: c.running,
      restartCount: 0,
      image: c.image,
      imageID: c.imageID,
      containerID: c.containerID,
      started: c.running,
    }),
  );
  return s;
}

/**
 * The pod was stopped by the node (an eviction): Failed with the reason and message, containers
 * terminated as a kill leaves them (exit code 137), Ready and ContainersReady False with PodFailed.
 */
export function failedPodStatus(
  pod: Pod,
  hostIP: string,
  reason: string,
  message: string,
  now: number,
): PodStatus {
  const t = formatTime(now);
  const old = pod.status;
  const s = base(pod, hostIP, now);
  s.phase = 'Failed';
  s.reason = reason;
  s.message = message;
  s.conditions = [
    condition(old, 'PodReadyToStartContainers', 'False', t),
    condition(old, 'Initialized', 'True', t),
    condition(old, 'Ready', 'False', t, 'PodFailed'),
    condition(old, 'ContainersReady', 'False', t, 'PodFailed'),
    condition(old, 'PodScheduled', 'True', t),
  ];
  s.containerStatuses = (pod.spec?.containers ?? []).map((c): ContainerStatus => {
    const prev = old?.containerStatuses?.find((x) => x.name === c.name);
    const terminated = prev?.state?.terminated;
    const startedAt = prev?.state?.running?.startedAt ?? terminated?.startedAt;
    return {
      name: c.name,
      state: {
        terminated: terminated ?? {
          exitCode: 137,
          reason: 'Error',
          ...(startedAt === undefined ? {} : { startedAt }),
          finishedAt: t,
          ...(prev?.containerID === undefined ? {} : { containerID: prev.containerID }),
        },
      },
      lastState: {},
      ready: false,
      restartCount: prev?.restartCount ?? 0,
      image: prev?.image ?? c.image ?? '',
      imageID: prev?.imageID ?? '',
      ...(prev?.containerID === undefined ? {} : { containerID: prev.containerID }),
      started: false,
    };
  });
  return s;
}
