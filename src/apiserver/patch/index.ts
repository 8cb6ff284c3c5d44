// PATCH machinery of the API server: JSON merge patch, JSON patch, strategic merge patch, server-side
// apply and managedFields bookkeeping, as pure functions over plain JSON values. The registry decodes
// request bodies, calls these, and maps their errors with patchErrorToStatusError.
export * from './errors.ts';
export * from './fieldset.ts';
export * from './json.ts';
export * from './jsonpatch.ts';
export * from './managedfields.ts';
export * from './mergepatch.ts';
export * from './meta.ts';
export * from './strategic.ts';
