// Mount utilities: the Mounter interface, its real implementation and a fake.
export * from './types.ts';
