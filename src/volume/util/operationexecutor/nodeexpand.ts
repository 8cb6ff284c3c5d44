// Node-side volume expansion (upstream operation_generator nodeExpandVolume /
// legacyCallNodeExpandOnPlugin and pkg/volume/util/resize_util.go MarkFSResizeFinished): once the
// control plane grew a volume (PV capacity raised, claim marked FileSystemResizePending or
// allocatedResourceStatuses.storage=NodeResizePending), the node grows the filesystem through the
// plugin's nodeExpand and records the result on the claim: status.capacity = the PV's capacity, the
// resize conditions removed, the allocated-resource status cleared.
//
// Concurrency: runs inside a mount or a volume_fs_resize operation, which the executor serialises per
// volume; the claim's status is written with optimistic concurrency (re-read and retried on conflict).
import {
  isConflict,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type PersistentVolumeClaimCondition,
  parseQuantity,
  Resources,
} from '../../../api/index.ts';
import { type Client, type EventRecorder, EventTypeNormal, EventTypeWarning } from '../../../client/index.ts';
import {
  isNodeExpandableVolumePlugin,
  type NodeExpandableVolumePlugin,
  type VolumePlugin,
} from '../../plugins.ts';
import type { Spec } from '../../volume.ts';

/** Event reasons (upstream pkg/kubelet/events). */
export const FileSystemResizeFailed = 'FileSystemResizeFailed';
export const FileSystemResizeSuccessful = 'FileSystemResizeSuccessful';

/** Claim condition and allocated-resource status types of expansion (core/v1). */
export const PersistentVolumeClaimResizing = 'Resizing';
export const PersistentVolumeClaimFileSystemResizePending = 'FileSystemResizePending';
export const PersistentVolumeClaimControllerResizeError = 'ControllerResizeError';
export const PersistentVolumeClaimNodeResizeError = 'NodeResizeError';
export const PersistentVolumeClaimNodeResizePending = 'NodeResizePending';

const resizeConditionTypes: ReadonlySet<string> = new Set([
  PersistentVolumeClaimResizing,
  PersistentVolumeClaimFileSystemResizePending,
  PersistentVolumeClaimControllerResizeError,
  PersistentVolumeClaimNodeResizeError,
]);

/** The claim asks the node to finish an expansion. */
export function claimNodeExpansionPending(pvc: PersistentVolumeClaim | undefined): boolean {
  if (pvc === undefined) return false;
  if (pvc.status?.allocatedResourceStatuses?.storage === PersistentVolumeClaimNodeResizePending) return true;
  return (
    pvc.status?.conditions?.some(
      (c) => c.type === PersistentVolumeClaimFileSystemResizePending && c.status === 'True',
    ) ?? false
  );
}

/** Compares two quantity strings; an unparsable or missing one counts as zero. */
export function compareSizes(a: string | undefined, b: string | undefined): -1 | 0 | 1 {
  const qa = a === undefined ? undefined : tryParse(a);
  const qb = b === undefined ? undefined : tryParse(b);
  if (qa === undefined && qb === undefined) return 0;
  if (qa === undefined) return qb?.isZero() === true ? 0 : -1;
  if (qb === undefined) return qa.isZero() ? 0 : 1;
  return qa.cmp(qb);
}

function tryParse(s: string): ReturnType<typeof parseQuantity> | undefined {
  try {
    return parseQuantity(s);
  } catch {
    return undefined;
  }
}

/** The node-expandable plugin for a spec when its filesystem needs growing on the node, else undefined. */
export function nodeExpandablePluginFor(plugin: VolumePlugin): NodeExpandableVolumePlugin | undefined {
  return isNodeExpandableVolumePlugin(plugin) && plugin.requiresFSResize() ? plugin : undefined;
}

/**
 * The claim's expansion is pending on the node, but was not when the desired state last looked:
 * nothing is done, and the operation backs off until the claim's change reaches the desired state.
 */
export class NodeExpansionNotPendingError extends Error {
  override readonly name = 'NodeExpansionNotPendingError';
}

export const isNodeExpansionNotPendingError = (e: unknown): e is NodeExpansionNotPendingError =>
  e instanceof NodeExpansionNotPendingError;

export interface NodeExpandParams {
  client: Client;
  recorder: EventRecorder;
  plugin: NodeExpandableVolumePlugin;
  spec: Spec;
  /** The pod the event goes to (with the claim). */
  podRef: Parameters<EventRecorder['event']>[0];
  /** `"<prefix> for volume "x"`-style event messages use this name. */
  volumeName: string;
  devicePath?: string;
  deviceMountPath?: string;
  /** The size the filesystem has now (ASW), when known; else the claim's status capacity. */
  oldSize?: string;
}

export type NodeExpandOutcome =
  /** Nothing to do: no claim, read-only, or already grown. `size` is what the filesystem has. */
  | { kind: 'notNeeded'; size: string | undefined }
  /** The plugin could not do it yet (CSI publish path not there before SetUp): try again later. */
  | { kind: 'notDone' }
  | { kind: 'done'; size: string };

async function getClaim(client: Client, pv: PersistentVolume): Promise<PersistentVolumeClaim | undefined> {
  const ref = pv.spec?.claimRef;
  if (ref?.name === undefined || ref.namespace === undefined) return undefined;
  try {
    return await client
      .resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, ref.namespace)
      .get(ref.name);
  } catch (err) {
    throw new Error(`mountVolume.NodeExpandVolume get PVC failed : ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Grows the volume's filesystem when its claim asks for it (upstream nodeExpandVolume): reads the
 * claim, calls plugin.nodeExpand with the PV's capacity as the new size, then marks the resize finished
 * on the claim and records FileSystemResizeSuccessful on the pod and the claim. `requirePending`
 * (online expansion) throws NodeExpansionNotPendingError when the claim no longer asks for it.
 */
export async function nodeExpandVolume(
  p: NodeExpandParams,
  opts: { requirePending: boolean; newSize?: string },
): Promise<NodeExpandOutcome> {
  const pv = p.spec.persistentVolume;
  if (pv === undefined) return { kind: 'notNeeded', size: undefined };
  const pvc = await getClaim(p.client, pv);
  if (pvc === undefined) return { kind: 'notNeeded', size: undefined };
  const claimCap = pvc.status?.capacity?.storage;
  const newSize = opts.newSize ?? pv.spec?.capacity?.storage;
  if (newSize === undefined || compareSizes(claimCap, newSize) >= 0) {
    return { kind: 'notNeeded', size: claimCap };
  }
  if (!claimNodeExpansionPending(pvc)) {
    if (opts.requirePending) {
      throw new NodeExpansionNotPendingError(
        `PVC ${pvc.metadata.namespace ?? ''}/${pvc.metadata.name ?? ''} does not wait for a node expansion`,
      );
    }
    return { kind: 'notNeeded', size: claimCap };
  }
  if (p.spec.readOnly) {
    const msg = `MountVolume.NodeExpandVolume failed for volume ${JSON.stringify(p.volumeName)} requested read-only file system`;
    p.recorder.event(p.podRef, EventTypeWarning, FileSystemResizeFailed, msg);
    p.recorder.event(pvc, EventTypeWarning, FileSystemResizeFailed, msg);
    return { kind: 'notNeeded', size: claimCap };
  }
  const oldSize = p.oldSize ?? claimCap ?? '0';
  const args: Parameters<NodeExpandableVolumePlugin['nodeExpand']>[0] = {
    spec: p.spec,
    newSize,
    oldSize,
    ...(p.devicePath === undefined || p.devicePath === '' ? {} : { devicePath: p.devicePath }),
    ...(p.deviceMountPath === undefined || p.deviceMountPath === ''
      ? {}
      : { deviceMountPath: p.deviceMountPath }),
  };
  let done: boolean;
  try {
    done = await p.plugin.nodeExpand(args);
  } catch (err) {
    const msg = `MountVolume.NodeExpandVolume failed for volume ${JSON.stringify(p.volumeName)} : ${(err as Error).message}`;
    p.recorder.event(p.podRef, EventTypeWarning, FileSystemResizeFailed, msg);
    p.recorder.event(pvc, EventTypeWarning, FileSystemResizeFailed, msg);
    throw err;
  }
  if (!done) return { kind: 'notDone' };
  const msg = `MountVolume.NodeExpandVolume succeeded for volume ${JSON.stringify(p.volumeName)}`;
  p.recorder.event(p.podRef, EventTypeNormal, FileSystemResizeSuccessful, msg);
  p.recorder.event(pvc, EventTypeNormal, FileSystemResizeSuccessful, msg);
  try {
    await markFSResizeFinished(p.client, pvc, newSize);
  } catch (err) {
    // NodeExpand is idempotent: the next try grows nothing and writes the status again.
    throw new Error(`mountVolume.NodeExpandVolume update PVC status failed : ${(err as Error).message}`, {
      cause: err,
    });
  }
  return { kind: 'done', size: newSize };
}

/**
 * Records a finished node expansion on the claim (upstream MarkFSResizeFinished): status.capacity =
 * newSize, the resize conditions removed, allocatedResourceStatuses.storage cleared. Status
 * subresource; re-read and retried on conflict.
 */
export async function markFSResizeFinished(
  client: Client,
  pvc: PersistentVolumeClaim,
  newSize: string,
): Promise<PersistentVolumeClaim> {
  const pvcs = client.resource<PersistentVolumeClaim>(
    Resources.persistentvolumeclaims,
    pvc.metadata.namespace ?? 'default',
  );
  let cur = pvc;
  for (let attempt = 0; ; attempt++) {
    const status = { ...cur.status };
    status.capacity = { ...status.capacity, storage: newSize };
    const conditions: PersistentVolumeClaimCondition[] = (status.conditions ?? []).filter(
      (c) => !resizeConditionTypes.has(c.type),
    );
    if (conditions.length > 0) status.conditions = conditions;
    else delete status.conditions;
    if (status.allocatedResourceStatuses !== undefined) {
      const rest = { ...status.allocatedResourceStatuses };
      delete rest.storage;
      if (Object.keys(rest).length > 0) status.allocatedResourceStatuses = rest;
      else delete status.allocatedResourceStatuses;
    }
    try {
      return await pvcs.updateStatus({ ...cur, status });
    } catch (err) {
      if (!isConflict(err) || attempt >= 4) throw err;
      cur = await pvcs.get(pvc.metadata.name ?? '');
      if (cur.metadata.uid !== pvc.metadata.uid) throw err;
    }
  }
}
