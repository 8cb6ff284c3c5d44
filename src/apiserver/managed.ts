// managedFields bookkeeping for ordinary writes (operation Update): the fields a write changes become
// owned by its field manager.
import { formatTime, type KubeObject, type ManagedFieldsEntry, type ResourceType } from '../api/index.ts';
import type { Clock } from '../component/index.ts';
import { updateManagedFields } from './patch/index.ts';
import { metaLookup } from './patching.ts';

export function managedFieldsForUpdate(
  rt: ResourceType,
  old: KubeObject | undefined,
  next: KubeObject,
  manager: string | undefined,
  subresource: 'status' | undefined,
  clock: Clock,
): ManagedFieldsEntry[] | undefined {
  return updateManagedFields({
    old,
    next,
    manager: manager ?? 'unknown',
    operation: 'Update',
    subresource,
    apiVersion: rt.apiVersion,
    now: formatTime(clock.now()),
    meta: metaLookup(rt),
    ignoredFields: resetFields(rt, next, subresource),
  });
}

/**
 * Fields a write cannot change, so it must not own them (upstream's strategy GetResetFields): status
 * through the main resource of kinds with a status subresource, everything but status through status.
 */
export function resetFields(
  rt: ResourceType,
  obj: KubeObject,
  subresource: 'status' | undefined,
): (readonly string[])[] {
  if (!rt.subresources.includes('status')) return [];
  if (subresource !== 'status') return [['status']];
  return Object.keys(obj)
    .filter((k) => k !== 'status' && k !== 'metadata' && k !== 'apiVersion' && k !== 'kind')
    .map((k) => [k]);
}
