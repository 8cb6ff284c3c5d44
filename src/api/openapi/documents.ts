// The /openapi/v3 discovery index and the per-group-version documents kubectl downloads: paths for every
// served resource (collection, item and status subresource, with the query parameters kubectl checks for,
// notably fieldValidation on PATCH) and the component schemas reachable from that group-version's kinds.
// Each document is serialised once and cached with its hash; the index points at it by that hash.

import { createHash } from 'node:crypto';
import { allResources, type ResourceType } from '../resources.ts';
import { allSchemas, kindSchemaName } from './schema.ts';
import type { SchemaNode } from './types.ts';

const ref = (name: string) => `#/components/schemas/${name}`;
const metaRef = (kind: string) => ref(`io.k8s.apimachinery.pkg.apis.meta.v1.${kind}`);

type Param = Readonly<{
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: object;
}>;

const q = (name: string, description: string, schema: object = { type: 'string' }): Param => ({
  description,
  in: 'query',
  name,
  schema,
});
const uniqueString = { type: 'string', uniqueItems: true };
const P = {
  pretty: q('pretty', "If 'true', the output is pretty printed.", uniqueString),
  dryRun: q(
    'dryRun',
    'When present, modifications are not persisted. The only valid value is All.',
    uniqueString,
  ),
  fieldManager: q(
    'fieldManager',
    'Name of the actor making the change; required for apply patches.',
    uniqueString,
  ),
  fieldValidation: q(
    'fieldValidation',
    'How to treat unknown or duplicate fields: Ignore, Warn (the default) or Strict.',
    uniqueString,
  ),
  force: q('force', 'Force an apply patch to take fields owned by other managers.', {
    type: 'boolean',
    uniqueItems: true,
  }),
  allowWatchBookmarks: q('allowWatchBookmarks', 'Request BOOKMARK watch events.', {
    type: 'boolean',
    uniqueItems: true,
  }),
  continue: q('continue', 'Continue token of a previous paginated list.', uniqueString),
  fieldSelector: q('fieldSelector', 'Restrict returned objects by their fields.', uniqueString),
  labelSelector: q('labelSelector', 'Restrict returned objects by their labels.', uniqueString),
  limit: q('limit', 'Maximum number of items to return.', { type: 'integer', uniqueItems: true }),
  resourceVersion: q('resourceVersion', 'Resource version constraint of the request.', uniqueString),
  resourceVersionMatch: q('resourceVersionMatch', 'How resourceVersion applies to list calls.', uniqueString),
  sendInitialEvents: q('sendInitialEvents', 'Start a watch with synthetic events for the current state.', {
    type: 'boolean',
    uniqueItems: true,
  }),
  timeoutSeconds: q('timeoutSeconds', 'Timeout of the list or watch call.', {
    type: 'integer',
    uniqueItems: true,
  }),
  watch: q('watch', 'Watch for changes instead of listing.', { type: 'boolean', uniqueItems: true }),
  gracePeriodSeconds: q(
    'gracePeriodSeconds',
    'Seconds before the object is deleted; zero means immediately.',
    {
      type: 'integer',
      uniqueItems: true,
    },
  ),
  ignoreStoreReadError: q(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'Delete objects that cannot be read from storage.',
    { type: 'boolean', uniqueItems: true },
  ),
  orphanDependents: q('orphanDependents', 'Deprecated; use propagationPolicy.', {
    type: 'boolean',
    uniqueItems: true,
  }),
  propagationPolicy: q(
    'propagationPolicy',
    'Garbage collection policy: Orphan, Background or Foreground.',
    uniqueString,
  ),
} as const;
const pathParam = (name: string, description: string): Param => ({
  description,
  in: 'path',
  name,
  required: true,
  schema: { type: 'string', uniqueItems: true },
});
const nameParam = (r: ResourceType) => pathParam('name', `name of the ${r.kind}`);
const namespaceParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

const listParams = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];
const writeParams = [P.dryRun, P.fieldManager, P.fieldValidation];
const patchParams = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
const deleteParams = [
  P.dryRun,
  P.gracePeriodSeconds,
  P.ignoreStoreReadError,
  P.orphanDependents,
  P.propagationPolicy,
];

const wireTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const content = (schemaRef: string, types: readonly string[] = wireTypes) =>
  Object.fromEntries(types.map((t) => [t, { schema: { $ref: schemaRef } }]));
const ok = (schemaRef: string, description = 'OK') => ({ description, content: content(schemaRef) });
const unauthorized = { description: 'Unauthorized' };
const body = (schemaRef: string) => ({ content: { '*/*': { schema: { $ref: schemaRef } } }, required: true });
const patchBody = {
  content: Object.fromEntries(
    [
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ].map((t) => [t, { schema: { $ref: metaRef('Patch') } }]),
  ),
  required: true,
};

/** Upstream's operation id prefix: CoreV1, StorageV1, CoordinationV1, SnapshotStorageK8sIoV1. */
function opPrefix(r: ResourceType): string {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const group =
    r.group === ''
      ? 'Core'
      : (r.group.endsWith('.k8s.io') && r.group.split('.').length === 3
          ? r.group.slice(0, -'.k8s.io'.length)
          : r.group
        )
          .split('.')
          .map(cap)
          .join('');
  return `${group}${cap(r.version)}`;
}

function gvkOf(r: ResourceType) {
  return { group: r.group, kind: r.kind, version: r.version };
}

function resourcePaths(r: ResourceType): Record<string, object> {
  const schema = kindSchemaName(r.apiVersion, r.kind);
  const listSchema = kindSchemaName(r.apiVersion, r.listKind);
  if (schema === undefined || listSchema === undefined) {
    throw new Error(`openapi: no schema for ${r.apiVersion} ${r.kind} or ${r.listKind}`);
  }
  const kindRef = ref(schema);
  const listRef = ref(listSchema);
  const statusRef = metaRef('Status');
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ns = r.namespaced ? 'Namespaced' : '';
  const prefix = opPrefix(r);
  const gvk = gvkOf(r);
  const can = (v: string) => r.verbs.includes(v as ResourceType['verbs'][number]);
  const op = (verb: string, action: string, rest: Record<string, unknown>, suffix = '', nsPart = ns) => ({
    description: `${action} ${r.kind}`,
    operationId: `${verb}${prefix}${nsPart}${r.kind}${suffix}`,
    tags: [r.group === '' ? `core_${r.version}` : `${r.group}_${r.version}`],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...rest,
  });
  const collection = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
  const item = `${collection}/{name}`;
  const scopeParams = r.namespaced ? [namespaceParam] : [];
  const paths: Record<string, object> = {};

  const coll: Record<string, unknown> = { parameters: [...scopeParams, P.pretty] };
  if (can('list')) {
    coll.get = op('list', 'list', {
      parameters: listParams,
      responses: { '200': ok(listRef), '401': unauthorized },
    });
  }
  if (can('create')) {
    coll.post = op('create', 'post', {
      parameters: writeParams,
      requestBody: body(kindRef),
      responses: {
        '200': ok(kindRef),
        '201': ok(kindRef, 'Created'),
        '202': ok(kindRef, 'Accepted'),
        '401': unauthorized,
      },
    });
  }
  if (can('deletecollection')) {
    coll.delete = op(
      'delete',
      'deletecollection',
      {
        parameters: [
          ...deleteParams,
          ...listParams.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks'),
        ],
        requestBody: { content: { '*/*': { schema: { $ref: metaRef('DeleteOptions') } } } },
        responses: { '200': ok(statusRef), '401': unauthorized },
      },
      '',
      `Collection${ns}`,
    );
  }
  paths[collection] = coll;

  const it: Record<string, unknown> = { parameters: [nameParam(r), ...scopeParams, P.pretty] };
  if (can('get')) it.get = op('read', 'get', { responses: { '200': ok(kindRef), '401': unauthorized } });
  if (can('update')) {
    it.put = op('replace', 'put', {
      parameters: writeParams,
      requestBody: body(kindRef),
      responses: { '200': ok(kindRef), '201': ok(kindRef, 'Created'), '401': unauthorized },
    });
  }
  if (can('patch')) {
    it.patch = op('patch', 'patch', {
      parameters: patchParams,
      requestBody: patchBody,
      responses: { '200': ok(kindRef), '201': ok(kindRef, 'Created'), '401': unauthorized },
    });
  }
  if (can('delete')) {
    it.delete = op('delete', 'delete', {
      parameters: deleteParams,
      requestBody: { content: { '*/*': { schema: { $ref: metaRef('DeleteOptions') } } } },
      responses: {
        '200': ok(kindRef),
        '202': ok(kindRef, 'Accepted'),
        '401': unauthorized,
      },
    });
  }
  paths[item] = it;

  if (r.subresources.includes('status')) {
    paths[`${item}/status`] = {
      parameters: [nameParam(r), ...scopeParams, P.pretty],
      get: op('read', 'get', { responses: { '200': ok(kindRef), '401': unauthorized } }, 'Status'),
      put: op(
        'replace',
        'put',
        {
          parameters: writeParams,
          requestBody: body(kindRef),
          responses: { '200': ok(kindRef), '201': ok(kindRef, 'Created'), '401': unauthorized },
        },
        'Status',
      ),
      patch: op(
        'patch',
        'patch',
        {
          parameters: patchParams,
          requestBody: patchBody,
          responses: { '200': ok(kindRef), '201': ok(kindRef, 'Created'), '401': unauthorized },
        },
        'Status',
      ),
    };
  }
  if (r.namespaced && can('list')) {
    paths[`${base}/${r.plural}`] = {
      parameters: [...listParams, P.pretty],
      get: op(
        'list',
        'list',
        { responses: { '200': ok(listRef), '401': unauthorized } },
        'ForAllNamespaces',
        '',
      ),
    };
  }
  return paths;
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectRefs(n, into);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
      const name = v.slice('#/components/schemas/'.length);
      if (!into.has(name)) {
        into.add(name);
        collectRefs(allSchemas[name], into);
      }
    } else collectRefs(v, into);
  }
}

/** The document's path key in the index: `api/v1`, `apis/storage.k8s.io/v1`. */
export function gvPathOf(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function buildDocument(resources: readonly ResourceType[]): object {
  const paths: Record<string, object> = {};
  for (const r of resources) Object.assign(paths, resourcePaths(r));
  const names = new Set<string>();
  collectRefs(paths, names);
  const schemas: Record<string, SchemaNode> = {};
  for (const n of [...names].sort()) {
    const s = allSchemas[n];
    if (s === undefined) throw new Error(`openapi: dangling reference to ${n}`);
    schemas[n] = s;
  }
  const sortedPaths = Object.fromEntries(
    Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: sortedPaths,
    components: { schemas },
  };
}

interface Built {
  readonly docs: ReadonlyMap<string, { json: string; hash: string }>;
  readonly index: object;
}

let built: Built | undefined;

function build(): Built {
  if (built !== undefined) return built;
  const byGV = new Map<string, ResourceType[]>();
  for (const r of allResources) {
    const key = gvPathOf(r.group, r.version);
    const list = byGV.get(key) ?? [];
    list.push(r);
    byGV.set(key, list);
  }
  const docs = new Map<string, { json: string; hash: string }>();
  const indexPaths: Record<string, { serverRelativeURL: string }> = {};
  for (const [gvPath, resources] of byGV) {
    const json = JSON.stringify(buildDocument(resources));
    const hash = createHash('sha512').update(json).digest('hex').toUpperCase();
    docs.set(gvPath, { json, hash });
    indexPaths[gvPath] = { serverRelativeURL: `/openapi/v3/${gvPath}?hash=${hash}` };
  }
  built = { docs, index: { paths: indexPaths } };
  return built;
}

/** Body of `GET /openapi/v3`: `{paths: {'api/v1': {serverRelativeURL: '/openapi/v3/api/v1?hash=…'}, …}}`. */
export function openapiIndex(): object {
  return build().index;
}

/**
 * The serialised document of one group-version (`api/v1`, `apis/storage.k8s.io/v1`) with its hash (SHA-512,
 * upper-case hex, as upstream), or undefined for a group-version kvol does not serve. Built once and cached.
 */
export function openapiDocument(gvPath: string): { json: string; hash: string } | undefined {
  return build().docs.get(gvPath.replace(/^\/+|\/+$/g, ''));
}
