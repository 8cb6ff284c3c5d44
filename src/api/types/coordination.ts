// coordination.k8s.io/v1 Lease (k8s.io/api/coordination/v1/types.go), used for leader election and
// node heartbeats. Times are metav1.MicroTime strings (RFC 3339 with microseconds).
import type { KubeObject } from '../meta.ts';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime. */
  acquireTime?: string;
  /** MicroTime. */
  renewTime?: string;
  leaseTransitions?: number;
  /** `OldestEmulationVersion` (coordination.k8s.io/v1alpha2 strategies); carried only. */
  strategy?: string;
  preferredHolder?: string;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}
