// Upstream names the scheduler uses, declared once: scheduler name, event reasons, pod condition reasons,
// annotation keys shared with the PV controller, plugin names and the reason strings of each filter
// (pkg/scheduler/framework/plugins/*, pkg/scheduler/framework/types.go).

export const DefaultSchedulerName = 'default-scheduler';

// ---- events (pkg/scheduler/schedule_one.go) ----
export const EventReasonScheduled = 'Scheduled';
export const EventReasonFailedScheduling = 'FailedScheduling';

// ---- pod condition (k8s.io/api/core/v1) ----
export const PodScheduledCondition = 'PodScheduled';
export const PodReasonUnschedulable = 'Unschedulable';
export const PodReasonSchedulerError = 'SchedulerError';

// ---- annotations (k8s.io/component-helpers/storage/volume) ----
export const AnnBindCompleted = 'pv.kubernetes.io/bind-completed';
export const AnnBoundByController = 'pv.kubernetes.io/bound-by-controller';
export const AnnSelectedNode = 'volume.kubernetes.io/selected-node';
export const AnnBetaStorageClass = 'volume.beta.kubernetes.io/storage-class';
export const NotSupportedProvisioner = 'kubernetes.io/no-provisioner';

// ---- node taints the node lifecycle controller would add (k8s.io/api/core/v1/well_known_taints.go) ----
export const TaintNodeNotReady = 'node.kubernetes.io/not-ready';
export const TaintNodeUnreachable = 'node.kubernetes.io/unreachable';
export const TaintNodeUnschedulable = 'node.kubernetes.io/unschedulable';

// ---- plugin names ----
export const PluginVolumeBinding = 'VolumeBinding';
export const PluginNodeVolumeLimits = 'NodeVolumeLimits';
export const PluginDefaultBinder = 'DefaultBinder';

// ---- filter reasons ----
export const ErrReasonUnschedulable = 'node(s) were unschedulable';
export const ErrReasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";
export const ErrReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
export const ErrReasonNodeConflict = 'node(s) had volume node affinity conflict';
export const ErrReasonNotEnoughSpace = 'node(s) did not have enough free storage';
export const ErrReasonPVNotExist =
  'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ErrReasonMaxVolumeCountExceeded = 'node(s) exceed max volume count';
export const ErrReasonUnboundImmediate = 'pod has unbound immediate PersistentVolumeClaims';

/** framework.FitError: NoNodeAvailableMsg and SeparatorFormat. */
export const NoNodeAvailableMsg = (n: number): string => `0/${n} nodes are available`;
export const ErrNoNodesAvailable = 'no nodes available to schedule pods';

// ---- DefaultPreemption's messages (kvol never evicts; see fiterror.ts) ----
export const PreemptionNotHelpful = 'Preemption is not helpful for scheduling';
export const PreemptionNoVictims = 'No preemption victims found for incoming pod';
export const PreemptionPolicyNever = 'not eligible due to preemptionPolicy=Never.';
