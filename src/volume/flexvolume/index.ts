// FlexVolume: out-of-tree exec drivers found at run time under the volume plugin directory.
export * from './constants.ts';
export type { DriverCapabilities, DriverStatus, ExecOptions, ExecResult } from './drivercall.ts';
export { decodeDriverStatus, defaultCapabilities, execDriver } from './drivercall.ts';
export * from './errors.ts';
export { marshalOptions, newOptionsForDriver } from './options.ts';
export * from './plugin.ts';
export * from './prober.ts';
