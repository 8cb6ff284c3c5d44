// The reconciler and reconstruction.
export * from './reconciler.ts';
