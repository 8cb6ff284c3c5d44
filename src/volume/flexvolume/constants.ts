// Names the FlexVolume exec protocol fixes (upstream pkg/volume/flexvolume/driver-call.go): driver
// commands, option keys of the JSON argument, statuses of the reply, and the plugin naming.

/** The kubelet's default `--volume-plugin-dir`. */
export const DEFAULT_PLUGIN_DIR = '/usr/libexec/kubernetes/kubelet-plugins/volume/exec/';

/** Registered plugin names are this prefix + the driver name (`flexvolume-<vendor>/<driver>`). */
export const PLUGIN_NAME_PREFIX = 'flexvolume-';

/** Device mounts live under `<root>/plugins/kubernetes.io/flexvolume/<driver>/mounts/<volume>`. */
export const FLEX_VOLUME_PLUGIN_DIR_NAME = 'kubernetes.io/flexvolume';

export const Cmd = {
  init: 'init',
  getVolumeName: 'getvolumename',
  isAttached: 'isattached',
  attach: 'attach',
  waitForAttach: 'waitforattach',
  mountDevice: 'mountdevice',
  detach: 'detach',
  unmountDevice: 'unmountdevice',
  mount: 'mount',
  unmount: 'unmount',
  expandVolume: 'expandvolume',
  expandFS: 'expandfs',
} as const;

export type DriverCommand = (typeof Cmd)[keyof typeof Cmd];

export const OptionKey = {
  fsType: 'kubernetes.io/fsType',
  readWrite: 'kubernetes.io/readwrite',
  /** Prefix: each secret key becomes `kubernetes.io/secret/<key>` with the value in base64. */
  secret: 'kubernetes.io/secret',
  fsGroup: 'kubernetes.io/mounterArgs.FsGroup',
  pvOrVolumeName: 'kubernetes.io/pvOrVolumeName',
  podName: 'kubernetes.io/pod.name',
  podNamespace: 'kubernetes.io/pod.namespace',
  podUID: 'kubernetes.io/pod.uid',
  serviceAccountName: 'kubernetes.io/serviceAccount.name',
} as const;

export const StatusSuccess = 'Success';
export const StatusFailure = 'Failure';
export const StatusNotSupported = 'Not supported';

/**
 * Per-call timeout when the caller gives none. Upstream runs driver calls without a timeout (only
 * waitforattach gets the operation's); kvol bounds every call so a hung driver cannot wedge a volume
 * operation or a plugin lookup forever.
 */
export const DEFAULT_CALL_TIMEOUT_MS = 2 * 60 * 1000;

/** After SIGTERM, how long a timed-out driver gets before SIGKILL (k8s.io/utils/exec Stop()). */
export const DEFAULT_KILL_GRACE_MS = 10 * 1000;

/** Driver output kept for parsing and messages; more is dropped (and makes the reply invalid). */
export const MAX_OUTPUT_BYTES = 1024 * 1024;
