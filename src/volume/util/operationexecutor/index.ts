// The operation executor: nested pending operations with per-key backoff, the operations the kubelet's
// volume manager runs, the states and shapes it shares with the volume manager's caches.
export * from './events.ts';
export * from './executor.ts';
export * from './metrics.ts';
export * from './nestedpendingoperations.ts';
export * from './nodeexpand.ts';
export * from './types.ts';
export * from './volumepathhandler.ts';
