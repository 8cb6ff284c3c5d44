// metav1.Status and the StatusError class that carries it. Everything that fails an API request throws a
// StatusError; the apiserver writes its `status` as the response body, the HTTP client re-creates it
// from the body, so callers on either side of the wire branch on the same predicates.
import { aggregateMessage, type FieldError } from './field.ts';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable'
  | '';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { resourceVersion?: string; continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  override readonly name = 'StatusError';
  readonly status: Status;

  constructor(status: Status, options?: { cause?: unknown }) {
    super(status.message ?? status.reason ?? `status ${status.code}`, options);
    this.status = status;
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): StatusReason {
    return this.status.reason ?? '';
  }
}

export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}

const reasonIs =
  (reason: StatusReason) =>
  (err: unknown): boolean =>
    isStatusError(err) && err.reason === reason;

export const isNotFound = reasonIs('NotFound');
export const isAlreadyExists = reasonIs('AlreadyExists');
export const isConflict = reasonIs('Conflict');
export const isInvalid = reasonIs('Invalid');
export const isBadRequest = reasonIs('BadRequest');
export const isGone = (err: unknown): boolean =>
  isStatusError(err) && (err.reason === 'Expired' || err.reason === 'Gone');

function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): StatusError {
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details !== undefined) status.details = details;
  return new StatusError(status);
}

/** `persistentvolumeclaims "x"` or `storageclasses.storage.k8s.io "x"` (schema.GroupResource.String()). */
export function qualifiedResource(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

function nameDetails(group: string, resource: string, name: string): StatusDetails {
  const d: StatusDetails = { name, kind: resource };
  if (group !== '') d.group = group;
  return d;
}

export const newNotFound = (group: string, resource: string, name: string): StatusError =>
  failure(
    404,
    'NotFound',
    `${qualifiedResource(group, resource)} "${name}" not found`,
    nameDetails(group, resource, name),
  );

export const newAlreadyExists = (group: string, resource: string, name: string): StatusError =>
  failure(
    409,
    'AlreadyExists',
    `${qualifiedResource(group, resource)} "${name}" already exists`,
    nameDetails(group, resource, name),
  );

export const newConflict = (group: string, resource: string, name: string, why: string): StatusError =>
  failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`,
    nameDetails(group, resource, name),
  );

export const optimisticLockMessage =
  'the object has been modified; please apply your changes to the latest version and try again';

export function newInvalid(
  group: string,
  kind: string,
  name: string,
  errs: readonly FieldError[],
): StatusError {
  const details: StatusDetails = {
    name,
    kind,
    causes: errs.map((e) => ({ reason: e.type, message: e.body(), field: e.field })),
  };
  if (group !== '') details.group = group;
  const gk = group === '' ? kind : `${kind}.${group}`;
  return failure(422, 'Invalid', `${gk} "${name}" is invalid: ${aggregateMessage(errs)}`, details);
}

export const newBadRequest = (message: string): StatusError => failure(400, 'BadRequest', message);
export const newUnauthorized = (message = 'Unauthorized'): StatusError =>
  failure(401, 'Unauthorized', message);
export const newForbidden = (group: string, resource: string, name: string, why: string): StatusError =>
  failure(
    403,
    'Forbidden',
    `${qualifiedResource(group, resource)} "${name}" is forbidden: ${why}`,
    nameDetails(group, resource, name),
  );
export const newMethodNotAllowed = (message: string): StatusError =>
  failure(405, 'MethodNotAllowed', message);
export const newNotAcceptable = (message: string): StatusError => failure(406, 'NotAcceptable', message);
export const newGone = (message: string): StatusError => failure(410, 'Expired', message);
export const newTooLarge = (message: string): StatusError => failure(413, 'RequestEntityTooLarge', message);
export const newUnsupportedMediaType = (message: string): StatusError =>
  failure(415, 'UnsupportedMediaType', message);
export const newInternalError = (message: string): StatusError =>
  failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
export const newTimeout = (message: string): StatusError => failure(504, 'Timeout', message);
export const newServiceUnavailable = (message: string): StatusError =>
  failure(503, 'ServiceUnavailable', message);
/** Generic Invalid without a field list (`The request is invalid: ...` in kubectl). */
export const newRequestInvalid = (message: string, causes: StatusCause[] = []): StatusError =>
  failure(422, 'Invalid', message, { causes });

export function successStatus(details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details !== undefined) s.details = details;
  return s;
}
