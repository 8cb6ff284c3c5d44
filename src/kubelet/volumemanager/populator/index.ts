// The desired-state-of-world populator.
export * from './populator.ts';
