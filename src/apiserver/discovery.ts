// API discovery, aggregated (apidiscovery.k8s.io/v2 and v2beta1) and legacy (APIVersions,
// APIGroupList, APIGroup, APIResourceList), built once from the resource table.
import { allResources, type ResourceType, servedGroups } from '../api/index.ts';

export const aggregatedV2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const aggregatedV2beta1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

function resourcesOf(group: string, version: string): ResourceType[] {
  return allResources.filter((r) => r.group === group && r.version === version);
}

function aggregatedResource(r: ResourceType): Record<string, unknown> {
  const out: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: [...r.verbs],
  };
  if (r.shortNames.length > 0) out['shortNames'] = [...r.shortNames];
  if (r.categories.length > 0) out['categories'] = [...r.categories];
  const subs: Record<string, unknown>[] = r.subresources.map((s) => ({
    subresource: s,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    verbs: ['get', 'patch', 'update'],
  }));
  if (r.plural === 'pods') {
    subs.unshift({
      subresource: 'binding',
      responseKind: { group: '', version: 'v1', kind: 'Binding' },
      verbs: ['create'],
    });
  }
  if (subs.length > 0) out['subresources'] = subs;
  return out;
}

function aggregatedGroup(name: string, versions: string[]): Record<string, unknown> {
  return {
    metadata: { name, creationTimestamp: null },
    versions: versions.map((version) => ({
      version,
      resources: resourcesOf(name, version).map(aggregatedResource),
      freshness: 'Current',
    })),
  };
}

function aggregatedList(core: boolean, v: 'v2' | 'v2beta1'): string {
  const groups = servedGroups().filter((g) => (g.name === '') === core);
  return JSON.stringify({
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${v}`,
    metadata: {},
    items: groups.map((g) => aggregatedGroup(g.name, g.versions)),
  });
}

function legacyResourceList(group: string, version: string): string {
  const resources: Record<string, unknown>[] = [];
  for (const r of resourcesOf(group, version)) {
    const one: Record<string, unknown> = {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...r.verbs],
    };
    if (r.shortNames.length > 0) one['shortNames'] = [...r.shortNames];
    if (r.categories.length > 0) one['categories'] = [...r.categories];
    resources.push(one);
    if (r.plural === 'pods') {
      resources.push({
        name: 'pods/binding',
        singularName: '',
        namespaced: true,
        kind: 'Binding',
        verbs: ['create'],
      });
    }
    for (const s of r.subresources) {
      resources.push({
        name: `${r.plural}/${s}`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return JSON.stringify({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources,
  });
}

function legacyGroup(name: string, versions: string[]): Record<string, unknown> {
  const gvs = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: gvs, preferredVersion: gvs[0] };
}

export interface Discovery {
  /** Body and content type for GET /api or /apis, honouring the aggregated Accept types. */
  root(core: boolean, accept: string, serverAddress: string): { body: string; contentType: string };
  /** Legacy APIResourceList for /api/v1 or /apis/<g>/<v>. */
  resourceList(group: string, version: string): string | undefined;
  /** Legacy APIGroup for /apis/<g>. */
  group(name: string): string | undefined;
}

export function buildDiscovery(): Discovery {
  const agg = {
    core: { v2: aggregatedList(true, 'v2'), v2beta1: aggregatedList(true, 'v2beta1') },
    groups: { v2: aggregatedList(false, 'v2'), v2beta1: aggregatedList(false, 'v2beta1') },
  };
  const lists = new Map<string, string>();
  const groups = new Map<string, string>();
  for (const g of servedGroups()) {
    for (const v of g.versions) lists.set(`${g.name}/${v}`, legacyResourceList(g.name, v));
    if (g.name !== '')
      groups.set(
        g.name,
        JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...legacyGroup(g.name, g.versions) }),
      );
  }
  const groupList = JSON.stringify({
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: servedGroups()
      .filter((g) => g.name !== '')
      .map((g) => legacyGroup(g.name, g.versions)),
  });
  return {
    root(core, accept, serverAddress) {
      const a = agg[core ? 'core' : 'groups'];
      if (accept.includes('as=APIGroupDiscoveryList')) {
        // Prefer v2 when offered, as kube-apiserver does.
        const parts = accept.split(',').map((s) => s.trim());
        const version = (p: string): string | undefined => /(?:^|;)\s*v=([^;\s]+)/.exec(p)?.[1];
        if (parts.some((p) => version(p) === 'v2')) {
          return { body: a.v2, contentType: aggregatedV2 };
        }
        if (parts.some((p) => version(p) === 'v2beta1'))
          return { body: a.v2beta1, contentType: aggregatedV2beta1 };
      }
      if (core) {
        return {
          body: JSON.stringify({
            kind: 'APIVersions',
            versions: ['v1'],
            serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
          }),
          contentType: 'application/json',
        };
      }
      return { body: groupList, contentType: 'application/json' };
    },
    resourceList: (group, version) => lists.get(`${group}/${version}`),
    group: (name) => groups.get(name),
  };
}
