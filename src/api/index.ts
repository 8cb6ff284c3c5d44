// Kubernetes object types, defaulting, validation, quantities, selectors and the REST contract.
export * from './behavior.ts';
export * from './field.ts';
export * from './meta.ts';
export * from './resources.ts';
export * from './rest.ts';
export * from './status.ts';
