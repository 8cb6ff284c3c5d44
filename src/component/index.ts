// Shared plumbing for every kvol component: clock, metrics registry, logging.
export * from './clock.ts';
export * from './log.ts';
export * from './metrics.ts';
