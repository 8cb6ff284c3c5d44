// Validation of coordination.k8s.io/v1 Lease as pkg/apis/coordination/validation.
import { type FieldError, invalid } from '../field.ts';
import type { Lease } from '../types/index.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';

type E = FieldError[];

function validateLeaseSpec(lease: Lease): E {
  const errs: E = [];
  const s = lease.spec ?? {};
  if (
    s.leaseDurationSeconds !== undefined &&
    s.leaseDurationSeconds !== null &&
    s.leaseDurationSeconds <= 0
  ) {
    errs.push(invalid('spec.leaseDurationSeconds', s.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (s.leaseTransitions !== undefined && s.leaseTransitions !== null && s.leaseTransitions < 0) {
    errs.push(invalid('spec.leaseTransitions', s.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}

/** ValidateLease. */
export function validateLease(lease: Lease): E {
  return [
    ...validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain, 'metadata'),
    ...validateLeaseSpec(lease),
  ];
}

/** ValidateLeaseUpdate. */
export function validateLeaseUpdate(lease: Lease, old: Lease): E {
  return [...validateObjectMetaUpdate(lease.metadata, old.metadata, 'metadata'), ...validateLeaseSpec(lease)];
}
