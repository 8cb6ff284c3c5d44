// Table printers for core/v1 kinds (pkg/printers/internalversion/printers.go): Pod, Node,
// Namespace, Event, ConfigMap, Secret, PersistentVolume and PersistentVolumeClaim.

import type { KubeObject } from '../../api/index.ts';
import { ageSince, humanDuration, parseTime } from './duration.ts';
import { arr, isObj, num, obj, objs, optBool, optStr, str, strs } from './fields.ts';
import { canonicalQuantity } from './quantity.ts';
import type { PrintedRow, Printer, TableRowCondition } from './table.ts';
import { ageColumn, column, nameColumn, registerPrinter } from './table.ts';

/** volume.beta.kubernetes.io/storage-class still wins over spec.storageClassName. */
export const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';
const nodeLostReason = 'NodeLost';
const schedulingGatedReason = 'SchedulingGated';
const labelNodeRolePrefix = 'node-role.kubernetes.io/';
const nodeLabelRole = 'kubernetes.io/role';

const accessModeAbbreviations: readonly (readonly [string, string])[] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** helper.GetAccessModesAsString: always in the order RWO,ROX,RWX,RWOP, without duplicates. */
export function accessModesAsString(modes: readonly string[]): string {
  return accessModeAbbreviations
    .filter(([mode]) => modes.includes(mode))
    .map(([, short]) => short)
    .join(',');
}

const annotation = (o: KubeObject, key: string): string | undefined => o.metadata.annotations?.[key];
const name = (o: KubeObject): string => o.metadata.name ?? '';
const age = (o: KubeObject, now: number): string => ageSince(o.metadata.creationTimestamp, now);

// ---- Pod -------------------------------------------------------------------------------------

const podSucceeded: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const podFailed: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

const isRestartableInit = (c: unknown): boolean => isObj(c) && c.restartPolicy === 'Always';

function conditionTrue(conditions: readonly unknown[], type: string): boolean {
  return conditions.some((c) => isObj(c) && c.type === type && c.status === 'True');
}

/** The later of two optional times (Go's `if last.Before(&t) { last = t }`). */
const later = (a: number | undefined, b: number | undefined): number | undefined =>
  b !== undefined && (a === undefined || a < b) ? b : a;

function terminatedReason(terminated: Record<string, unknown>, prefix: string): string {
  const reason = str(terminated, 'reason');
  if (reason !== '') return prefix + reason;
  const signal = num(terminated, 'signal');
  return signal !== 0 ? `${prefix}Signal:${signal}` : `${prefix}ExitCode:${num(terminated, 'exitCode')}`;
}

/** printPod: the READY, STATUS and RESTARTS logic of `kubectl get pods`. */
function printPod(pod: KubeObject, now: number): PrintedRow {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const conditions = arr(status, 'conditions');
  const containers = arr(spec, 'containers');
  const initSpecs = objs(spec, 'initContainers');
  const initByName = new Map(initSpecs.map((c) => [str(c, 'name'), c]));

  let restarts = 0;
  let restartableInitRestarts = 0;
  const totalContainers = containers.length + initSpecs.filter(isRestartableInit).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;

  const phase = str(status, 'phase');
  let reason = str(status, 'reason') !== '' ? str(status, 'reason') : phase;
  for (const c of conditions) {
    if (isObj(c) && c.type === 'PodScheduled' && c.reason === schedulingGatedReason)
      reason = schedulingGatedReason;
  }

  let rowConditions: TableRowCondition[] | undefined;
  if (phase === 'Succeeded') rowConditions = podSucceeded;
  else if (phase === 'Failed') rowConditions = podFailed;

  let initializing = false;
  const initStatuses = objs(status, 'initContainerStatuses');
  for (const [i, container] of initStatuses.entries()) {
    const restartCount = num(container, 'restartCount');
    restarts += restartCount;
    const lastTerminated = obj(container, 'lastState', 'terminated');
    const lastFinished = parseTime(lastTerminated.finishedAt);
    if (isObj(obj(container, 'lastState').terminated)) lastRestart = later(lastRestart, lastFinished);
    const restartable = isRestartableInit(initByName.get(str(container, 'name')));
    if (restartable) {
      restartableInitRestarts += restartCount;
      if (isObj(obj(container, 'lastState').terminated)) {
        lastRestartableInitRestart = later(lastRestartableInitRestart, lastFinished);
      }
    }
    const state = obj(container, 'state');
    const terminated = isObj(state.terminated) ? state.terminated : undefined;
    const waiting = isObj(state.waiting) ? state.waiting : undefined;
    if (terminated !== undefined && num(terminated, 'exitCode') === 0) continue;
    if (restartable && optBool(container, 'started') === true) {
      if (container.ready === true) readyContainers++;
      continue;
    }
    if (terminated !== undefined) {
      reason = terminatedReason(terminated, 'Init:');
    } else if (
      waiting !== undefined &&
      str(waiting, 'reason') !== '' &&
      str(waiting, 'reason') !== 'PodInitializing'
    ) {
      reason = `Init:${str(waiting, 'reason')}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(conditions, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = objs(status, 'containerStatuses');
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i] ?? {};
      restarts += num(container, 'restartCount');
      if (isObj(obj(container, 'lastState').terminated)) {
        lastRestart = later(lastRestart, parseTime(obj(container, 'lastState', 'terminated').finishedAt));
      }
      const state = obj(container, 'state');
      const waiting = isObj(state.waiting) ? state.waiting : undefined;
      const terminated = isObj(state.terminated) ? state.terminated : undefined;
      if (waiting !== undefined && str(waiting, 'reason') !== '') {
        reason = str(waiting, 'reason');
      } else if (terminated !== undefined) {
        reason = terminatedReason(terminated, '');
      } else if (container.ready === true && isObj(state.running)) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = conditionTrue(conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (deleting && str(status, 'reason') === nodeLostReason) reason = 'Unknown';
  else if (deleting && phase !== 'Failed' && phase !== 'Succeeded') reason = 'Terminating';

  const restartsCell =
    restarts !== 0 && lastRestart !== undefined
      ? `${restarts} (${humanDuration(now - lastRestart)} ago)`
      : String(restarts);

  const podIPs = objs(status, 'podIPs');
  const podIP = (podIPs.length > 0 ? str(podIPs[0] ?? {}, 'ip') : str(status, 'podIP')) || '<none>';
  const nodeName = str(spec, 'nodeName') || '<none>';
  const nominated = str(status, 'nominatedNodeName') || '<none>';
  const gates = objs(spec, 'readinessGates');
  let readinessGates = '<none>';
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const found = conditions.find((c) => isObj(c) && c.type === gate.conditionType);
      if (isObj(found) && found.status === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  const row: PrintedRow = {
    cells: [
      name(pod),
      `${readyContainers}/${totalContainers}`,
      reason,
      restartsCell,
      age(pod, now),
      podIP,
      nodeName,
      nominated,
      readinessGates,
    ],
  };
  if (rowConditions !== undefined) row.conditions = rowConditions;
  return row;
}

const podPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageColumn(),
    column(
      'IP',
      'string',
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      { priority: 1 },
    ),
    column(
      'Node',
      'string',
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
      { priority: 1 },
    ),
    column(
      'Nominated Node',
      'string',
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
      { priority: 1 },
    ),
    column(
      'Readiness Gates',
      'string',
      'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
      { priority: 1 },
    ),
  ],
  print: printPod,
};

// ---- Node ------------------------------------------------------------------------------------

function nodeAddress(node: KubeObject, type: string): string {
  const found = objs(obj(node.status), 'addresses').find((a) => a.type === type);
  return found === undefined ? '<none>' : str(found, 'address');
}

/** findNodeRoles: `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value, sorted. */
export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(labelNodeRolePrefix)) {
      const role = k.slice(labelNodeRolePrefix.length);
      if (role !== '') roles.add(role);
    } else if (k === nodeLabelRole && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

const nodePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'string', nodeAddressesDoc(), { priority: 1 }),
    column('External-IP', 'string', nodeAddressesDoc(), { priority: 1 }),
    column(
      'OS-Image',
      'string',
      'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      { priority: 1 },
    ),
    column(
      'Kernel-Version',
      'string',
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      {
        priority: 1,
      },
    ),
    column(
      'Container-Runtime',
      'string',
      'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      { priority: 1 },
    ),
  ],
  print(node, now) {
    const status = obj(node.status);
    let ready: Record<string, unknown> | undefined;
    for (const c of objs(status, 'conditions')) if (c.type === 'Ready') ready = c;
    const parts: string[] = [];
    if (ready !== undefined) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    if (parts.length === 0) parts.push('Unknown');
    if (obj(node.spec).unschedulable === true) parts.push('SchedulingDisabled');
    const roles = nodeRoles(node).join(',') || '<none>';
    const info = obj(status, 'nodeInfo');
    return {
      cells: [
        name(node),
        parts.join(','),
        roles,
        age(node, now),
        str(info, 'kubeletVersion'),
        nodeAddress(node, 'InternalIP'),
        nodeAddress(node, 'ExternalIP'),
        str(info, 'osImage') || '<unknown>',
        str(info, 'kernelVersion') || '<unknown>',
        str(info, 'containerRuntimeVersion') || '<unknown>',
      ],
    };
  },
};

function nodeAddressesDoc(): string {
  return "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";
}

// ---- Namespace, ConfigMap, Secret ------------------------------------------------------------

const namespacePrinter: Printer = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  print: (ns, now) => ({ cells: [name(ns), str(obj(ns.status), 'phase'), age(ns, now)] }),
};

const keyCount = (v: unknown): number => (isObj(v) ? Object.keys(v).length : 0);

const configMapPrinter: Printer = {
  columns: [
    nameColumn(),
    column(
      'Data',
      'string',
      "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
    ),
    ageColumn(),
  ],
  print: (cm, now) => ({ cells: [name(cm), keyCount(cm.data) + keyCount(cm.binaryData), age(cm, now)] }),
};

const secretPrinter: Printer = {
  columns: [
    nameColumn(),
    column(
      'Type',
      'string',
      'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
    ),
    column(
      'Data',
      'string',
      "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
    ),
    ageColumn(),
  ],
  print: (s, now) => ({
    cells: [name(s), typeof s.type === 'string' ? s.type : '', keyCount(s.data), age(s, now)],
  }),
};

// ---- Event -----------------------------------------------------------------------------------

/** formatEventSource: component (or reportingController), then `, host` (or reportingInstance). */
function eventSource(ev: KubeObject): string {
  const source = obj(ev.source);
  const component =
    str(source, 'component') || (typeof ev.reportingComponent === 'string' ? ev.reportingComponent : '');
  const instance =
    str(source, 'host') || (typeof ev.reportingInstance === 'string' ? ev.reportingInstance : '');
  return instance === '' ? component : `${component}, ${instance}`;
}

const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column(
      'Reason',
      'string',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column('Object', 'string', 'The object that this event is about.'),
    column('Subobject', 'string', fieldPathDoc(), { priority: 1 }),
    column(
      'Source',
      'string',
      'The component reporting this event. Should be a short machine understandable string.',
      {
        priority: 1,
      },
    ),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column(
      'First Seen',
      'string',
      'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
      {
        priority: 1,
      },
    ),
    column('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
    column('Name', 'string', nameColumn().description, { format: 'name', priority: 1 }),
  ],
  print(ev, now) {
    const first =
      parseTime(ev.firstTimestamp) !== undefined
        ? ageSince(ev.firstTimestamp, now)
        : ageSince(ev.eventTime, now);
    let last = parseTime(ev.lastTimestamp) !== undefined ? ageSince(ev.lastTimestamp, now) : first;
    let count = typeof ev.count === 'number' ? ev.count : 0;
    if (isObj(ev.series)) {
      last = ageSince(ev.series.lastObservedTime, now);
      count = num(ev.series, 'count');
    } else if (count === 0) {
      count = 1;
    }
    const involved = obj(ev.involvedObject);
    const kind = str(involved, 'kind').toLowerCase();
    const target = str(involved, 'name') !== '' ? `${kind}/${str(involved, 'name')}` : kind;
    return {
      cells: [
        last,
        typeof ev.type === 'string' ? ev.type : '',
        typeof ev.reason === 'string' ? ev.reason : '',
        target,
        str(involved, 'fieldPath'),
        eventSource(ev),
        (typeof ev.message === 'string' ? ev.message : '').trim(),
        first,
        count,
        name(ev),
      ],
    };
  },
};

function fieldPathDoc(): string {
  return 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.';
}

// ---- PersistentVolume, PersistentVolumeClaim ------------------------------------------------

/** Quantity.String() of a resource list entry; a missing entry is the zero quantity, `0`. */
const storageOf = (list: unknown): string => {
  const v = obj(list).storage;
  return v === undefined ? '0' : canonicalQuantity(v);
};

const pvPrinter: Printer = {
  columns: [
    nameColumn(),
    column(
      'Capacity',
      'string',
      "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity",
    ),
    column(
      'Access Modes',
      'string',
      'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes',
    ),
    column(
      'Reclaim Policy',
      'string',
      'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming',
    ),
    column(
      'Status',
      'string',
      'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase',
    ),
    column(
      'Claim',
      'string',
      'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding',
    ),
    column('StorageClass', 'string', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    column(
      'Reason',
      'string',
      'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.',
    ),
    ageColumn(),
    column(
      'VolumeMode',
      'string',
      'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.',
      { priority: 1 },
    ),
  ],
  print(pv, now) {
    const spec = obj(pv.spec);
    const status = obj(pv.status);
    const claimRef = isObj(spec.claimRef)
      ? `${str(spec.claimRef, 'namespace')}/${str(spec.claimRef, 'name')}`
      : '';
    const phase = pv.metadata.deletionTimestamp != null ? 'Terminating' : str(status, 'phase');
    const storageClass = annotation(pv, betaStorageClassAnnotation) ?? str(spec, 'storageClassName');
    return {
      cells: [
        name(pv),
        storageOf(spec.capacity),
        accessModesAsString(strs(spec, 'accessModes')),
        str(spec, 'persistentVolumeReclaimPolicy'),
        phase,
        claimRef,
        storageClass,
        optStr(spec, 'volumeAttributesClassName') ?? '<unset>',
        str(status, 'reason'),
        age(pv, now),
        optStr(spec, 'volumeMode') ?? '<unset>',
      ],
    };
  },
};

const pvcPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    column(
      'Volume',
      'string',
      'volumeName is the binding reference to the PersistentVolume backing this claim.',
    ),
    column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    column(
      'Access Modes',
      'string',
      'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1',
    ),
    column('StorageClass', 'string', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageColumn(),
    column(
      'VolumeMode',
      'string',
      'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.',
      { priority: 1 },
    ),
  ],
  print(pvc, now) {
    const spec = obj(pvc.spec);
    const status = obj(pvc.status);
    const phase = pvc.metadata.deletionTimestamp != null ? 'Terminating' : str(status, 'phase');
    const volumeName = str(spec, 'volumeName');
    const bound = volumeName !== '';
    const storageClass =
      annotation(pvc, betaStorageClassAnnotation) ?? optStr(spec, 'storageClassName') ?? '';
    return {
      cells: [
        name(pvc),
        phase,
        volumeName,
        bound ? storageOf(status.capacity) : '',
        bound ? accessModesAsString(strs(status, 'accessModes')) : '',
        storageClass,
        optStr(spec, 'volumeAttributesClassName') ?? '<unset>',
        age(pvc, now),
        optStr(spec, 'volumeMode') ?? '<unset>',
      ],
    };
  },
};

registerPrinter('Pod', podPrinter);
registerPrinter('Node', nodePrinter);
registerPrinter('Namespace', namespacePrinter);
registerPrinter('ConfigMap', configMapPrinter);
registerPrinter('Secret', secretPrinter);
registerPrinter('Event', eventPrinter);
registerPrinter('PersistentVolume', pvPrinter);
registerPrinter('PersistentVolumeClaim', pvcPrinter);
