// What each kind contributes to the generic registry: defaulting, validation, field-selector labels.
// The apiserver's registry calls these and adds what is generic (names, metadata, resourceVersion).
import type { FieldError } from './field.ts';
import type { KubeObject } from './meta.ts';

export interface KindBehavior<T extends KubeObject = KubeObject> {
  /** Sets defaults in place, as SetDefaults_<Kind> does. Called on create and update before validation. */
  default?(obj: T): void;
  /** Validation on create (Validate<Kind>), metadata included. Returns every error found. */
  validate(obj: T): FieldError[];
  /** Validation on update of the main resource, metadata and immutability included. */
  validateUpdate(obj: T, old: T): FieldError[];
  /** Validation on update of the status subresource. Defaults to metadata checks only. */
  validateStatusUpdate?(obj: T, old: T): FieldError[];
  /**
   * Field-selector values beyond metadata.name and metadata.namespace (which the registry always adds),
   * e.g. `spec.nodeName` for pods, `involvedObject.uid` for events, `status.phase` for PVs.
   */
  fieldLabels?(obj: T): Record<string, string>;
}
