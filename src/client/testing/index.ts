// Test doubles for the client folder: an in-memory ObjectStore and a recording EventRecorder.
export * from './fakestore.ts';
export * from './recorder.ts';
export * from './selectors.ts';
