// The mount interface the node agent and the plugins use (upstream k8s.io/mount-utils Interface).
// The real implementation calls mount(2)/umount2(2) directly and falls back to mount(8) only where a
// filesystem helper is needed; a fake records calls for unit tests.

/** One line of /proc/self/mountinfo. */
export interface MountPoint {
  /** Mount source (device or `tmpfs`, `none`, ...). */
  readonly device: string;
  /** Where it is mounted. */
  readonly path: string;
  readonly type: string;
  /** Per-mount and superblock options, e.g. ['rw', 'relatime', 'size=1024k']. */
  readonly opts: readonly string[];
  /** The mount's root within its filesystem (bind mounts of subdirectories show it). */
  readonly root: string;
  readonly major: number;
  readonly minor: number;
  readonly id: number;
  readonly parentId: number;
}

export interface MountOptions {
  /** Filesystem type: `tmpfs`, `ext4`, ... Empty for bind mounts. */
  readonly fstype?: string;
  /** Options as mount(8) takes them: `bind`, `ro`, `size=64m`, `noexec`, ... */
  readonly options?: readonly string[];
  /** Options that must not be logged (secrets in CIFS passwords and the like). */
  readonly sensitiveOptions?: readonly string[];
}

export interface MountInterface {
  /** Mounts source at target. A `bind` with `ro` is done as bind then read-only remount, as mount(8) does. */
  mount(source: string, target: string, opts?: MountOptions): Promise<void>;
  /** Unmounts target. Throws when it is not mounted (callers use cleanupMountPoint for idempotence). */
  unmount(target: string): Promise<void>;
  /** Every mount on the node, read once from /proc/self/mountinfo. */
  list(): Promise<MountPoint[]>;
  /**
   * Fast check without reading the mount table: true when `path` is on the same device as its parent
   * (so it is likely not a mount point). Bind mounts within one filesystem are missed: use list() when
   * that matters. Throws ENOENT when the path does not exist.
   */
  isLikelyNotMountPoint(path: string): Promise<boolean>;
  /**
   * Optional fast check without reading the mount table: the type of the filesystem holding `path`
   * (statfs(2)), named for the types callers tell apart (`tmpfs`, `hugetlbfs`), else the magic number
   * in hex. On a mount point this is the type of the topmost mount there. Throws ENOENT when the path
   * does not exist. Callers fall back to list() where a mounter does not have it.
   */
  filesystemType?(path: string): Promise<string>;
}
