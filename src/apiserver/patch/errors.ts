// Typed errors of the patch machinery and, in `patchErrorToStatusError`, the one place that maps them to
// the metav1.Status that kube-apiserver returns for the same failure (handlers/patch.go,
// interpretStrategicMergePatchError, fieldmanager's NewConflictError). Code branches on the predicates;
// the Status text is upstream's, including where upstream throws the detail away (JSON patch → 422 with
// a generic message) or answers 500 for a malformed patch (strategic merge key errors).
import {
  type Status,
  type StatusCause,
  type StatusDetails,
  StatusError,
  type StatusReason,
} from '../../api/index.ts';

/**
 * The patch body cannot be decoded as the patch type requires (not JSON, not an array of operations,
 * a merge patch that is `null`). Upstream: 400 BadRequest, message = the decoder's text.
 */
export class PatchDecodeError extends Error {
  override readonly name = 'PatchDecodeError';
}
export const isPatchDecodeError = (err: unknown): err is PatchDecodeError => err instanceof PatchDecodeError;

/**
 * A JSON patch (RFC 6902) operation failed: missing path, failed `test`, bad index. `message` is the
 * evanphx/json-patch v4 text (e.g. `testing value /metadata/name failed: test failed`), useful for logs.
 * Upstream answers 422 reason Invalid with the generic message
 * `the server rejected our request due to an error in our request` and empty details
 * (errors.NewGenericServerResponse), so kubectl prints `The request is invalid: the server rejected ...`.
 */
export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
  /** The failing operation's `op`. */
  readonly op: string;
  constructor(op: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.op = op;
  }
}
export const isJsonPatchError = (err: unknown): err is JsonPatchError => err instanceof JsonPatchError;

/** More than 10000 operations in one JSON patch. Upstream: 413 RequestEntityTooLarge. */
export class PatchTooLargeError extends Error {
  override readonly name = 'PatchTooLargeError';
  readonly operations: number;
  constructor(operations: number, max: number) {
    super(`The allowed maximum operations in a JSON patch is ${max}, got ${operations}`);
    this.operations = operations;
  }
}
export const isPatchTooLargeError = (err: unknown): err is PatchTooLargeError =>
  err instanceof PatchTooLargeError;

/**
 * A strategic merge patch cannot be applied. `code` is what upstream answers:
 * - 400 BadRequest for mergepatch.ErrBadJSONDoc, ErrBadPatchFormatForPrimitiveList,
 *   ErrBadPatchFormatForRetainKeys, ErrBadPatchFormatForSetElementOrderList,
 *   ErrUnsupportedStrategicMergePatchFormat;
 * - 422 Invalid (generic message, the text is lost as for JSON patch) for ErrNoListOfLists and
 *   ErrPatchContentNotMatchRetainKeys;
 * - 500 with an empty reason and the raw text for everything else (missing merge key, unknown `$patch`
 *   value, element order mismatch), because upstream returns those as plain Go errors.
 */
export class StrategicMergePatchError extends Error {
  override readonly name = 'StrategicMergePatchError';
  readonly code: 400 | 422 | 500;
  constructor(code: 400 | 422 | 500, message: string) {
    super(message);
    this.code = code;
  }
}
export const isStrategicMergePatchError = (err: unknown): err is StrategicMergePatchError =>
  err instanceof StrategicMergePatchError;

/** One field owned by another manager whose value the apply would change. */
export interface ApplyConflict {
  /** The other manager's name (`kubectl-client-side-apply`). */
  readonly manager: string;
  /** Upstream's printManager text: `"kubectl-client-side-apply" using v1`. */
  readonly managerText: string;
  /** The field path as structured-merge-diff prints it: `.metadata.labels.app`, `.spec.containers[name="c"].image`. */
  readonly field: string;
}

/**
 * Server-side apply would take fields owned by other managers, and force was not set. Upstream: 409
 * reason Conflict, message `Apply failed with 1 conflict: conflict with "m" using v1: .metadata.labels.app`
 * (several: `Apply failed with 2 conflicts: conflicts with "m" using v1:\n- .a\n- .b`), details.causes
 * `[{reason:"FieldManagerConflict", message:"conflict with \"m\" using v1", field:".metadata.labels.app"}]`.
 */
export class ApplyConflictError extends Error {
  override readonly name = 'ApplyConflictError';
  readonly conflicts: readonly ApplyConflict[];
  constructor(conflicts: readonly ApplyConflict[]) {
    super(conflictMessage(conflicts));
    this.conflicts = conflicts;
  }
}
export const isApplyConflictError = (err: unknown): err is ApplyConflictError =>
  err instanceof ApplyConflictError;

function conflictMessage(conflicts: readonly ApplyConflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${c.managerText}: ${c.field}`;
  }
  const byManager = new Map<string, { text: string; fields: string[] }>();
  for (const c of conflicts) {
    const e = byManager.get(c.manager) ?? { text: c.managerText, fields: [] };
    e.fields.push(c.field);
    byManager.set(c.manager, e);
  }
  const lines: string[] = [];
  for (const key of [...byManager.keys()].sort()) {
    const e = byManager.get(key)!;
    lines.push(`conflicts with ${e.text}:`);
    for (const f of e.fields) lines.push(`- ${f}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/**
 * The apply request itself is malformed: managedFields in the body, an apiVersion other than the
 * endpoint's. Upstream: 400 BadRequest with this message.
 */
export class ApplyBadRequestError extends Error {
  override readonly name = 'ApplyBadRequestError';
}
export const isApplyBadRequestError = (err: unknown): err is ApplyBadRequestError =>
  err instanceof ApplyBadRequestError;

/** True for every error class of this module. */
export function isPatchError(err: unknown): boolean {
  return (
    isPatchDecodeError(err) ||
    isJsonPatchError(err) ||
    isPatchTooLargeError(err) ||
    isStrategicMergePatchError(err) ||
    isApplyConflictError(err) ||
    isApplyBadRequestError(err)
  );
}

const genericInvalid = 'the server rejected our request due to an error in our request';

function status(code: number, reason: StatusReason, message: string, details?: StatusDetails): StatusError {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code };
  if (reason !== '') s.reason = reason;
  if (details !== undefined) s.details = details;
  return new StatusError(s);
}

/**
 * The Status kube-apiserver returns for a patch error of this module; undefined for any other error.
 * This is the single place where patch failures get their wire form.
 */
export function patchErrorToStatusError(err: unknown): StatusError | undefined {
  if (isPatchDecodeError(err) || isApplyBadRequestError(err)) {
    return status(400, 'BadRequest', err.message);
  }
  if (isJsonPatchError(err)) return status(422, 'Invalid', genericInvalid, {});
  if (isPatchTooLargeError(err)) {
    return status(413, 'RequestEntityTooLarge', `Request entity too large: ${err.message}`);
  }
  if (isStrategicMergePatchError(err)) {
    if (err.code === 400) return status(400, 'BadRequest', err.message);
    if (err.code === 422) return status(422, 'Invalid', genericInvalid, {});
    return status(500, '', err.message);
  }
  if (isApplyConflictError(err)) {
    const causes: StatusCause[] = err.conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${c.managerText}`,
      field: c.field,
    }));
    return status(409, 'Conflict', err.message, { causes });
  }
  return undefined;
}

/**
 * For callers that catch everything around a patch: the mapped StatusError for errors of this module,
 * the error itself otherwise. The extra arguments are accepted for call-site symmetry and unused, as
 * upstream's patch Status carries no object details.
 */
export function toStatusError(err: unknown, ..._context: unknown[]): unknown {
  return patchErrorToStatusError(err) ?? err;
}
