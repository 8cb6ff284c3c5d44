// Names and timings of the node agent, upstream's (pkg/kubelet, k8s.io/api well-known labels).
export const LabelHostname = 'kubernetes.io/hostname';
export const LabelOS = 'kubernetes.io/os';
export const LabelArch = 'kubernetes.io/arch';
export const LabelOSBeta = 'beta.kubernetes.io/os';
export const LabelArchBeta = 'beta.kubernetes.io/arch';
/** Set on registration when the attach/detach controller manages the node's volumes. */
export const ControllerManagedAttachAnnotation = 'volumes.kubernetes.io/controller-managed-attach-detach';
export const NodeLeaseNamespace = 'kube-node-lease';
/** Lease duration (upstream nodeLeaseDurationSeconds, 40 s); renewed every quarter of it. */
export const nodeLeaseDurationSeconds = 40;
export const defaultLeaseRenewIntervalMs = 10_000;
/** How often node status is computed (upstream nodeStatusUpdateFrequency). */
export const defaultNodeStatusUpdateFrequencyMs = 10_000;
/** Unchanged node status is still written this often (upstream nodeStatusReportFrequency). */
export const defaultNodeStatusReportFrequencyMs = 5 * 60_000;
/** Retry of a pod whose sync failed (upstream pod worker backoff). */
export const defaultPodWorkerBackoffMs = 10_000;
/** Event reasons (pkg/kubelet/events). */
export const FailedMountVolume = 'FailedMount';
export const NodeReady = 'NodeReady';
export const Starting = 'Starting';
/** The kubelet's version as it reports it. */
export const kubeletVersion = 'v1.32.0-kvol.0.1.0';
export const kubeletComponent = 'kubelet';
