// Names, keys and paths of the kubernetes.io/csi volume plugin (upstream pkg/volume/csi), declared once.

export const csiPluginName = 'kubernetes.io/csi';

/** Separates driver and handle in the volume name (`<driver>^<volumeHandle>`). */
export const volNameSep = '^';

/** The file next to every mount target that lets teardown and reconstruction work without the API. */
export const volDataFileName = 'vol_data.json';

/** The last element of a NodeStage target path. */
export const globalMountInGlobalPath = 'globalmount';

/** The pod volume subdirectory handed to NodePublishVolume as target_path. */
export const mountInPodVolumeDir = 'mount';

/** Kubelet's fsType for block volumes (csi_client.go fsTypeBlockName). */
export const fsTypeBlockName = 'block';

/** Deadline of every CSI call (upstream csiTimeout). */
export const csiTimeoutMs = 2 * 60_000;

/** Keys of vol_data.json (upstream volDataKey). */
export const volDataKey = {
  specVolID: 'specVolID',
  volHandle: 'volumeHandle',
  driverName: 'driverName',
  nodeName: 'nodeName',
  attachmentID: 'attachmentID',
  volumeLifecycleMode: 'volumeLifecycleMode',
  seLinuxMountContext: 'seLinuxMountContext',
} as const;

/** volume_context keys added for CSIDriver podInfoOnMount (upstream getPodInfoAttrs). */
export const podInfoKey = {
  podName: 'csi.storage.k8s.io/pod.name',
  podNamespace: 'csi.storage.k8s.io/pod.namespace',
  podUID: 'csi.storage.k8s.io/pod.uid',
  serviceAccountName: 'csi.storage.k8s.io/serviceAccount.name',
  ephemeral: 'csi.storage.k8s.io/ephemeral',
} as const;

/** Node service capabilities the plugin looks at (csi.proto NodeServiceCapability.RPC.Type). */
export const nodeCapability = {
  stageUnstage: 'STAGE_UNSTAGE_VOLUME',
  getVolumeStats: 'GET_VOLUME_STATS',
  expandVolume: 'EXPAND_VOLUME',
  volumeCondition: 'VOLUME_CONDITION',
  singleNodeMultiWriter: 'SINGLE_NODE_MULTI_WRITER',
  volumeMountGroup: 'VOLUME_MOUNT_GROUP',
} as const;

export type NodeCapability = (typeof nodeCapability)[keyof typeof nodeCapability];
