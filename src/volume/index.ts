// The volume plugin framework and the in-tree plugins.
export * from './plugins.ts';
export {
  AtomicWriter,
  type AtomicWriterOptions,
  type FileProjection,
  InvalidPathError,
  isInvalidPathError,
  validatePath,
} from './util/atomicwriter/index.ts';
export { type FsInfo, fsInfo, measureUsage, type UsageInfo } from './util/fs/index.ts';
export * from './util/mount/index.ts';
export * from './util/operationexecutor/index.ts';
export {
  type FSGroupChangePolicy as OwnershipChangePolicy,
  progressReportDurationMs,
  requiresPermissionChange,
  type SetVolumeOwnershipOptions,
  setVolumeOwnership,
  VolumePermissionChangeInProgress,
} from './util/ownership/index.ts';
export * from './volume.ts';
