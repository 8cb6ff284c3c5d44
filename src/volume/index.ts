// The volume plugin framework and the in-tree plugins.
export * from './plugins.ts';
export * from './util/mount/index.ts';
export * from './volume.ts';
