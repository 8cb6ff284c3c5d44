// Test support for the built-in CSI controllers (and the expand and snapshot controllers that work
// with them): a recording fake CSI controller driver and a controller test environment.
export * from './driver.ts';
export * from './env.ts';
