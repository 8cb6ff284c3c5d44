// The Node object the agent registers and the status it reports (upstream pkg/kubelet/nodestatus):
// labels, the controller-managed-attach-detach annotation, capacity and allocatable from the machine,
// addresses, node info, the pressure and Ready conditions, and volumesInUse.
import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, hostname, networkInterfaces, release, totalmem } from 'node:os';
import type { Node, NodeCondition, NodeStatus } from '../api/index.ts';
import { formatTime } from '../api/index.ts';
import {
  ControllerManagedAttachAnnotation,
  kubeletVersion,
  LabelArch,
  LabelArchBeta,
  LabelHostname,
  LabelOS,
  LabelOSBeta,
} from './constants.ts';

/** Facts about the machine; tests pass their own. */
export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  /** Capacity of the filesystem holding the root dir. */
  ephemeralStorageBytes: number;
  internalIP: string;
  hostname: string;
  machineID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function goArch(a: string): string {
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

export function readMachineInfo(rootDir: string): MachineInfo {
  let storage = 0;
  try {
    const s = statfsSync(rootDir);
    storage = s.blocks * s.bsize;
  } catch {
    storage = 0;
  }
  let ip = '127.0.0.1';
  for (const addrs of Object.values(networkInterfaces())) {
    const a = addrs?.find((x) => x.family === 'IPv4' && !x.internal);
    if (a !== undefined) {
      ip = a.address;
      break;
    }
  }
  const osRelease = readOr('/etc/os-release', '');
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? 'Linux';
  return {
    cpus: cpus().length,
    memoryBytes: totalmem(),
    ephemeralStorageBytes: storage,
    internalIP: ip,
    hostname: hostname(),
    machineID: readOr('/etc/machine-id', ''),
    bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
    kernelVersion: release(),
    osImage: pretty,
    architecture: goArch(arch()),
  };
}

/**
 * The Node as registered (upstream initialNode). The controller-managed-attach-detach annotation is
 * set to "true" only when an attach/detach controller manages the node's volumes; otherwise it is left
 * out and the kubelet attaches and detaches.
 */
export function initialNode(nodeName: string, m: MachineInfo, controllerAttachDetach = true): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: nodeName,
      labels: {
        [LabelHostname]: nodeName,
        [LabelOS]: 'linux',
        [LabelArch]: m.architecture,
        [LabelOSBeta]: 'linux',
        [LabelArchBeta]: m.architecture,
      },
      annotations: controllerAttachDetach ? { [ControllerManagedAttachAnnotation]: 'true' } : {},
    },
    spec: {},
  };
}

const Mi = 1024 * 1024;

/** Capacity, allocatable (minus upstream's default hard eviction thresholds), addresses and node info. */
export function machineStatus(nodeName: string, m: MachineInfo): NodeStatus {
  const capacity = {
    cpu: String(m.cpus),
    memory: `${Math.floor(m.memoryBytes / 1024)}Ki`,
    'ephemeral-storage': `${Math.floor(m.ephemeralStorageBytes / 1024)}Ki`,
    pods: '110',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  };
  const allocatable = {
    ...capacity,
    memory: `${Math.floor(Math.max(0, m.memoryBytes - 100 * Mi) / 1024)}Ki`,
    'ephemeral-storage': String(Math.floor(m.ephemeralStorageBytes * 0.9)),
  };
  return {
    capacity,
    allocatable,
    addresses: [
      { type: 'InternalIP', address: m.internalIP },
      { type: 'Hostname', address: nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: m.machineID,
      systemUUID: m.machineID,
      bootID: m.bootID,
      kernelVersion: m.kernelVersion,
      osImage: m.osImage,
      containerRuntimeVersion: 'kvol://0.1.0',
      kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: m.architecture,
    },
  };
}

const conditionTemplates: readonly Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
  {
    type: 'MemoryPressure',
    status: 'False',
    reason: 'KubeletHasSufficientMemory',
    message: 'kubelet has sufficient memory available',
  },
  {
    type: 'DiskPressure',
    status: 'False',
    reason: 'KubeletHasNoDiskPressure',
    message: 'kubelet has no disk pressure',
  },
  {
    type: 'PIDPressure',
    status: 'False',
    reason: 'KubeletHasSufficientPID',
    message: 'kubelet has sufficient PID available',
  },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/**
 * The status to write: machine facts, conditions (transition times kept from `old` when the status did
 * not change; heartbeat now) and volumesInUse. volumesAttached is the attach/detach controller's.
 */
export function desiredNodeStatus(
  old: NodeStatus | undefined,
  machine: NodeStatus,
  volumesInUse: readonly string[],
  now: number,
): NodeStatus {
  const t = formatTime(now);
  const conditions: NodeCondition[] = conditionTemplates.map((c) => {
    const prev = old?.conditions?.find((x) => x.type === c.type);
    const transition = prev !== undefined && prev.status === c.status ? (prev.lastTransitionTime ?? t) : t;
    return { ...c, lastHeartbeatTime: t, lastTransitionTime: transition };
  });
  const status: NodeStatus = { ...old, ...machine, conditions };
  if (volumesInUse.length > 0) status.volumesInUse = [...volumesInUse];
  else delete status.volumesInUse;
  return status;
}

/** True when two statuses differ in anything but heartbeat times. */
export function nodeStatusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  const strip = (s: NodeStatus | undefined): unknown =>
    s === undefined
      ? undefined
      : { ...s, conditions: s.conditions?.map((c) => ({ ...c, lastHeartbeatTime: undefined })) };
  return stableJSON(strip(a)) !== stableJSON(strip(b));
}

/** JSON with object keys sorted, so key order does not count as a change. */
export function stableJSON(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val !== null && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(
          Object.entries(val as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
        )
      : val,
  );
}
