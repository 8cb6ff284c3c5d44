// Kubernetes object types, defaulting, validation, quantities, selectors and the REST contract.
export * from './behavior.ts';
export * from './copy.ts';
export * from './field.ts';
export * from './fields.ts';
export * from './kinds.ts';
export * from './labels.ts';
export * from './meta.ts';
export * from './openapi/index.ts';
export * from './quantity.ts';
export * from './resources.ts';
export * from './rest.ts';
export * from './status.ts';
export * from './types/index.ts';
