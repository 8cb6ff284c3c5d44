// The pod's memory limit as the kubelet computes it for the pod cgroup (upstream cm.ResourceConfigForPod
// with resource.PodLimits): set only when every container declares one; regular containers and
// restartable init containers (sidecars) add up, other init containers count by their maximum, and the
// pod overhead is added. A pod-level `spec.resources.limits.memory` wins.
import type { Container, Pod } from '../../api/index.ts';
import { parseQuantity } from '../../api/index.ts';

function memoryOf(c: Container): bigint {
  const v = c.resources?.limits?.['memory'];
  return v === undefined || v === '' ? 0n : parseQuantity(v).value();
}

/** The pod's memory limit in bytes, or undefined when it has none (some container sets no limit). */
export function podMemoryLimit(pod: Pod): bigint | undefined {
  const spec = pod.spec;
  if (spec === undefined) return undefined;
  const podLevel = spec.resources?.limits?.['memory'];
  if (podLevel !== undefined && podLevel !== '') return parseQuantity(podLevel).value();

  const containers = spec.containers ?? [];
  const inits = spec.initContainers ?? [];
  if (containers.length === 0 && inits.length === 0) return undefined;
  for (const c of [...containers, ...inits]) {
    if (memoryOf(c) === 0n) return undefined;
  }

  let limit = 0n;
  for (const c of containers) limit += memoryOf(c);
  let sidecars = 0n;
  let initMax = 0n;
  for (const c of inits) {
    let effective: bigint;
    if (c.restartPolicy === 'Always') {
      limit += memoryOf(c);
      sidecars += memoryOf(c);
      effective = sidecars;
    } else {
      effective = memoryOf(c) + sidecars;
    }
    if (effective > initMax) initMax = effective;
  }
  if (initMax > limit) limit = initMax;
  const overhead = spec.overhead?.['memory'];
  if (overhead !== undefined && overhead !== '') limit += parseQuantity(overhead).value();
  return limit;
}
