// Names the volume-expansion controllers share with Kubernetes (pkg/controller/volume/expand,
// pkg/controller/volume/events and kubernetes-csi/external-resizer pkg/util): declared once here.

/** On a PVC: the component expected to expand it (a CSI driver name for CSI volumes). */
export const AnnStorageResizer = 'volume.kubernetes.io/storage-resizer';

/** The kube-controller-manager controller name. */
export const ExpandControllerName = 'persistentvolume-expander';

/** The expand controller's workqueue and event source (expand_controller.go). */
export const ExpandEventSource = 'volume_expand';

/** Event reasons (object = PVC). */
export const ExpandEvents = {
  /** Expand controller: an external resizer is to expand the claim. */
  ExternalExpanding: 'ExternalExpanding',
  /** Resizer: ControllerExpandVolume is being called. */
  Resizing: 'Resizing',
  VolumeResizeFailed: 'VolumeResizeFailed',
  VolumeResizeSuccessful: 'VolumeResizeSuccessful',
  FileSystemResizeRequired: 'FileSystemResizeRequired',
} as const;

/** The ExternalExpanding message (expand_controller.go). */
export const ExternalExpandingMessage = 'waiting for an external controller to expand this PVC';

/** The FileSystemResizePending condition's message (external-resizer resize_status.go). */
export const FileSystemResizePendingMessage =
  'Waiting for user to (re-)start a pod to finish file system resize of volume on node.';
