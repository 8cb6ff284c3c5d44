// Storage keys for API objects, laid out as kube-apiserver lays them out in etcd:
// /registry/<resource>/<namespace>/<name> for the core and storage.k8s.io groups (upstream's
// historical layout) and /registry/<group>/<resource>/... for the others.
import type { ResourceType } from '../api/index.ts';

export const registryRoot = '/registry/';

const unprefixedGroups = new Set(['', 'storage.k8s.io']);

export function resourcePrefix(rt: ResourceType): string {
  return unprefixedGroups.has(rt.group)
    ? `${registryRoot}${rt.plural}/`
    : `${registryRoot}${rt.group}/${rt.plural}/`;
}

/** Prefix of everything listable in one scope: all namespaces when namespace is undefined. */
export function listPrefix(rt: ResourceType, namespace: string | undefined): string {
  const p = resourcePrefix(rt);
  return rt.namespaced && namespace !== undefined ? `${p}${namespace}/` : p;
}

export function objectKey(rt: ResourceType, namespace: string | undefined, name: string): string {
  return rt.namespaced ? `${resourcePrefix(rt)}${namespace ?? ''}/${name}` : `${resourcePrefix(rt)}${name}`;
}
