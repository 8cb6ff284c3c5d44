// Mount utilities: the Mounter interface, its real implementation (mount(2) through koffi), a fake,
// the mountinfo parser and the mount point helpers every plugin uses.
export { cleanupMountPoint, isMountPoint, isNotMountPoint } from './cleanup.ts';
export {
  errnoName,
  isCorruptedMountError,
  isMountError,
  isNotExistError,
  isNotMountedError,
  MountError,
} from './errors.ts';
export type { FakeMountCall, FakeMounterOptions, FakeMountOp } from './fake.ts';
export { FakeMounter } from './fake.ts';
export type { MountInfo } from './mountinfo.ts';
export { isMountInfoParseError, MountInfoParseError, parseMountInfo, unescapeOctal } from './mountinfo.ts';
export type { ParsedMountOptions } from './options.ts';
export { MNT, MS, needsMountHelper, parseMountOptions, splitOptions } from './options.ts';
export type { RealMounterOptions } from './real.ts';
export { RealMounter } from './real.ts';
export { makeTestRoot, removeTestRoot } from './testroot.ts';
export * from './types.ts';
