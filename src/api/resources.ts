// The resource types kvol serves, with the names, scopes, short names and categories of Kubernetes 1.32
// discovery. Everything that needs to know "which resources exist" (discovery, routing, storage keys,
// clients) reads this one table.

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  /** `v1` for the core group, otherwise `group/version`. */
  readonly apiVersion: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  readonly categories: readonly string[];
  /** Served subresources; only `status` exists today. */
  readonly subresources: readonly 'status'[];
  readonly verbs: readonly Verb[];
}

const allVerbs: readonly Verb[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

interface Def {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  verbs?: Verb[];
}

function def(d: Def): ResourceType {
  return Object.freeze({
    group: d.group,
    version: d.version,
    apiVersion: d.group === '' ? d.version : `${d.group}/${d.version}`,
    kind: d.kind,
    listKind: `${d.kind}List`,
    plural: d.plural,
    singular: d.kind.toLowerCase(),
    shortNames: Object.freeze(d.shortNames ?? []),
    namespaced: d.namespaced,
    categories: Object.freeze(d.categories ?? []),
    subresources: Object.freeze(d.status === true ? (['status'] as const) : []),
    verbs: Object.freeze(d.verbs ?? allVerbs),
  });
}

const core = (kind: string, plural: string, namespaced: boolean, extra: Partial<Def> = {}): ResourceType =>
  def({ group: '', version: 'v1', kind, plural, namespaced, ...extra });
const storage = (kind: string, plural: string, namespaced: boolean, extra: Partial<Def> = {}): ResourceType =>
  def({ group: 'storage.k8s.io', version: 'v1', kind, plural, namespaced, ...extra });
const snapshot = (
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<Def> = {},
): ResourceType =>
  def({ group: 'snapshot.storage.k8s.io', version: 'v1', kind, plural, namespaced, ...extra });

export const Resources = {
  namespaces: core('Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    status: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  nodes: core('Node', 'nodes', false, { shortNames: ['no'], status: true }),
  pods: core('Pod', 'pods', true, { shortNames: ['po'], categories: ['all'], status: true }),
  persistentvolumes: core('PersistentVolume', 'persistentvolumes', false, {
    shortNames: ['pv'],
    status: true,
  }),
  persistentvolumeclaims: core('PersistentVolumeClaim', 'persistentvolumeclaims', true, {
    shortNames: ['pvc'],
    status: true,
  }),
  configmaps: core('ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  secrets: core('Secret', 'secrets', true),
  events: core('Event', 'events', true, { shortNames: ['ev'] }),
  storageclasses: storage('StorageClass', 'storageclasses', false, { shortNames: ['sc'] }),
  csidrivers: storage('CSIDriver', 'csidrivers', false),
  csinodes: storage('CSINode', 'csinodes', false),
  volumeattachments: storage('VolumeAttachment', 'volumeattachments', false, { status: true }),
  csistoragecapacities: storage('CSIStorageCapacity', 'csistoragecapacities', true),
  volumeattributesclasses: def({
    group: 'storage.k8s.io',
    version: 'v1beta1',
    kind: 'VolumeAttributesClass',
    plural: 'volumeattributesclasses',
    namespaced: false,
    shortNames: ['vac'],
  }),
  volumesnapshots: snapshot('VolumeSnapshot', 'volumesnapshots', true, { shortNames: ['vs'], status: true }),
  volumesnapshotcontents: snapshot('VolumeSnapshotContent', 'volumesnapshotcontents', false, {
    shortNames: ['vsc', 'vscs'],
    status: true,
  }),
  volumesnapshotclasses: snapshot('VolumeSnapshotClass', 'volumesnapshotclasses', false, {
    shortNames: ['vsclass', 'vsclasses'],
  }),
  leases: def({
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    plural: 'leases',
    namespaced: true,
  }),
} as const;

export type ResourceName = keyof typeof Resources;

export const allResources: readonly ResourceType[] = Object.freeze(Object.values(Resources));

const byGVR = new Map<string, ResourceType>(
  allResources.map((r) => [`${r.group}/${r.version}/${r.plural}`, r]),
);
const byGVK = new Map<string, ResourceType>(allResources.map((r) => [`${r.apiVersion}/${r.kind}`, r]));

/** Looks a resource up by group, version and plural name, as URLs name it. */
export function resourceFor(group: string, version: string, plural: string): ResourceType | undefined {
  return byGVR.get(`${group}/${version}/${plural}`);
}

/** Looks a resource up by apiVersion and kind, as objects name themselves. */
export function resourceForKind(apiVersion: string, kind: string): ResourceType | undefined {
  return byGVK.get(`${apiVersion}/${kind}`);
}

/** Groups in discovery order, each with its versions (preferred first). */
export function servedGroups(): { name: string; versions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const r of allResources) {
    const vs = groups.get(r.group) ?? [];
    if (!vs.includes(r.version)) vs.push(r.version);
    groups.set(r.group, vs);
  }
  return [...groups].map(([name, versions]) => ({ name, versions }));
}
