// Node-side expansion of CSI volumes (upstream pkg/volume/csi/expander.go): NodeExpandVolume when the
// driver's node service has EXPAND_VOLUME, success without a call otherwise.
import { Quantity } from '../../api/index.ts';
import { isCsiFailedPrecondition, isCsiInvalidArgument, isCsiOutOfRange } from '../../csi/index.ts';
import { type Spec, TransientOperationFailure } from '../volume.ts';
import { blockStagingPath } from './block.ts';
import { fsTypeBlockName, nodeCapability } from './constants.ts';
import type { CSIOperationOptions, CSIPlugin } from './plugin.ts';
import {
  deviceMountPathFor,
  errMsg,
  firstAccessMode,
  getCredentialsFromSecret,
  logMsg,
  volumeCapability,
} from './util.ts';

/** NodeExpandableVolumePlugin.nodeExpand's argument, plus the staging path when the caller knows it. */
export interface NodeExpandOptions {
  readonly spec: Spec;
  /** Block volumes: the device (or map) path given to the driver as volume_path. */
  readonly devicePath?: string;
  /** Filesystem volumes: the pod's mount path (volume_path). */
  readonly deviceMountPath?: string;
  /** The NodeStage path; computed from the spec when not given and the driver stages. */
  readonly deviceStagePath?: string;
  /** The new size as a quantity string. */
  readonly newSize: string;
  readonly oldSize: string;
}

/** NodeExpandVolume failed. `inUse`: FailedPrecondition (the driver cannot expand a volume in use); `infeasible`: InvalidArgument or OutOfRange. */
export class CSINodeExpandError extends Error {
  override readonly name = 'CSINodeExpandError';
  readonly inUse: boolean;
  readonly infeasible: boolean;
  constructor(err: unknown) {
    super(`Expander.NodeExpand failed to expand the volume : ${errMsg(err)}`, { cause: err });
    this.inUse = isCsiFailedPrecondition(err);
    this.infeasible = isCsiInvalidArgument(err) || isCsiOutOfRange(err);
  }
}

export const isCSINodeExpandError = (err: unknown): err is CSINodeExpandError =>
  err instanceof CSINodeExpandError;

export async function nodeExpand(
  plugin: CSIPlugin,
  o: NodeExpandOptions,
  opts: CSIOperationOptions,
): Promise<boolean> {
  const pv = o.spec.persistentVolume;
  const src = pv?.spec?.csi;
  if (pv === undefined || src == null) {
    throw new Error(
      logMsg(
        'Expander.NodeExpand failed to get CSI persistent source: CSIPersistentVolumeSource not defined in spec',
      ),
    );
  }
  let client: ReturnType<CSIPlugin['csiClient']>;
  try {
    client = plugin.csiClient(src.driver);
  } catch (err) {
    throw new TransientOperationFailure(errMsg(err), { cause: err });
  }
  let supported: boolean;
  try {
    supported = await plugin.nodeSupports(src.driver, client, nodeCapability.expandVolume, opts);
  } catch (err) {
    throw new Error(`Expander.NodeExpand failed to check if node supports expansion : ${errMsg(err)}`, {
      cause: err,
    });
  }
  // Upstream returns OperationNotSupported, which the volume manager treats as done.
  if (!supported) return true;
  let secrets: Record<string, string> = {};
  const ref = src.nodeExpandSecretRef;
  if (ref != null) {
    try {
      secrets = await getCredentialsFromSecret(plugin.host, ref);
    } catch (err) {
      throw new Error(
        `expander.NodeExpand failed to get NodeExpandSecretRef ${ref.namespace ?? ''}/${ref.name ?? ''}: ${errMsg(err)}`,
        { cause: err },
      );
    }
  }
  const block = pv.spec?.volumeMode === 'Block';
  let stagingPath = o.deviceStagePath;
  if (stagingPath === undefined) {
    const stage = await plugin.nodeSupports(src.driver, client, nodeCapability.stageUnstage, opts);
    stagingPath = !stage
      ? ''
      : block
        ? blockStagingPath(plugin.host, pv.metadata.name ?? '')
        : deviceMountPathFor(plugin.host, src.driver, src.volumeHandle);
  }
  const snmw = await plugin.nodeSupports(src.driver, client, nodeCapability.singleNodeMultiWriter, opts);
  try {
    await client.nodeExpandVolume(
      {
        volume_id: src.volumeHandle,
        volume_path: (block ? o.devicePath : o.deviceMountPath) ?? '',
        capacity_range: { required_bytes: Quantity.parse(o.newSize).value().toString() },
        staging_target_path: stagingPath,
        volume_capability: volumeCapability({
          fsType: block ? fsTypeBlockName : (src.fsType ?? ''),
          accessMode: firstAccessMode(pv.spec?.accessModes),
          mountOptions: pv.spec?.mountOptions,
          supportsSingleNodeMultiWriter: snmw,
        }),
        secrets,
      },
      plugin.callOptions(opts),
    );
  } catch (err) {
    throw new CSINodeExpandError(err);
  }
  return true;
}
