// The volume manager's caches: the desired and the actual state of the world.
export * from './asw.ts';
export * from './dsw.ts';
