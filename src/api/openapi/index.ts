// The door of the openapi folder: published schemas, the /openapi/v3 documents and schema-driven lookups.

export { gvPathOf, openapiDocument, openapiIndex } from './documents.ts';
export {
  allSchemas,
  kindSchema,
  kindSchemaName,
  type PatchMeta,
  patchMetaAt,
  resolve,
  schemaAt,
  schemaByRef,
  strictDecodingMessage,
  unknownFields,
} from './schema.ts';
export type { GroupVersionKind, SchemaNode } from './types.ts';
