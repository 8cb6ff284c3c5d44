// Object types of every kind kvol serves, with the string-union constants (phases, access modes,
// policies) that go with them. Other folders import types from here.
export * from './coordination.ts';
export * from './core.ts';
export * from './snapshot.ts';
export * from './storage.ts';
