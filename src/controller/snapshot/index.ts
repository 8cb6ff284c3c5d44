// Volume snapshots on the control plane: the snapshot controller (external-snapshotter's common
// controller) and the finalizer, annotation, parameter and event names it shares with the CSI
// snapshotter sidecar (src/controller/csi/snapshotter.ts).
export * from './constants.ts';
export {
  contentReady,
  dynamicContentName,
  isSnapshotReady,
  isSnapshotUpdateError,
  nanosToTime,
  SnapshotController,
  type SnapshotControllerOptions,
  SnapshotUpdateError,
  snapshotKey,
  snapshotterSecretRef,
} from './snapshot_controller.ts';
