// The revisioned key-value store behind the apiserver: the Backend contract and its implementations.
export * from './backend.ts';
