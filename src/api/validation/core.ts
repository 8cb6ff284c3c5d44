// Validation of core/v1 kinds as pkg/apis/core/validation/validation.go (v1.32) and
// pkg/volume/validation: Namespace, Node, Pod, PersistentVolume, PersistentVolumeClaim, ConfigMap,
// Secret, Event. Objects arrive defaulted (SetDefaults_*), as upstream validates after defaulting.
import { deepCopy } from '../copy.ts';
import {
  duplicate,
  FieldError,
  forbidden,
  invalid,
  notFound,
  notSupported,
  required,
  tooLong,
} from '../field.ts';
import type { LabelSelector, ObjectMeta } from '../meta.ts';
import type {
  Affinity,
  ConfigMap,
  Container,
  CSIPersistentVolumeSource,
  CSIVolumeSource,
  DownwardAPIVolumeFile,
  Event,
  KeyToPath,
  Namespace,
  Node,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeClaimSpec,
  PersistentVolumeSpec,
  Pod,
  PodAffinityTerm,
  PodSpec,
  Secret,
  SecretReference,
  Toleration,
  TypedObjectReference,
  Volume,
  VolumeSource,
} from '../types/index.ts';
import { goCmpDiff } from './diff.ts';
import {
  child,
  deepEqual,
  index,
  isNegativeErrorMsg,
  key,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  parseQuantityField,
  semanticEqual,
  validateAnnotations,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateImmutableField,
  validateLabelName,
  validateLabelSelector,
  validateLabels,
  validateNonnegativeQuantity,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validatePathSegmentName,
  validatePositiveQuantityValue,
  validateQualifiedName,
} from './meta.ts';
import {
  byteLen,
  inclusiveRangeError,
  isConfigMapKey,
  isDNS1123Subdomain,
  isValidLabelValue,
} from './strings.ts';

type E = FieldError[];

/** A FieldError whose bad value Go prints with %v of a Stringer (unquoted), e.g. a *field.Path. */
class StringerValueError extends FieldError {
  override body(): string {
    let s = `Invalid value: ${String(this.badValue)}`;
    if (this.detail !== '') s += `: ${this.detail}`;
    return s;
  }
}

// ---- names ----

export const validatePodName = nameIsDNSSubdomain;
export const validateNodeName = nameIsDNSSubdomain;
export const validatePersistentVolumeName = nameIsDNSSubdomain;
export const validateClassName = nameIsDNSSubdomain;
export const validateSecretName = nameIsDNSSubdomain;
export const validateConfigMapName = nameIsDNSSubdomain;
export const validateServiceAccountName = nameIsDNSSubdomain;

/** ValidateCSIDriverName (pkg/apis/core/validation). */
export function validateCSIDriverName(driverName: string, p: string): E {
  const errs: E = [];
  if (driverName.length === 0) errs.push(required(p));
  if (byteLen(driverName) > 63) errs.push(tooLong(p, 63));
  for (const m of isDNS1123Subdomain(driverName.toLowerCase())) errs.push(invalid(p, driverName, m));
  return errs;
}

// ---- paths ----

function validatePathNoBacksteps(target: string, p: string): E {
  return target.split('/').includes('..') ? [invalid(p, target, "must not contain '..'")] : [];
}

function validateLocalDescendingPath(target: string, p: string): E {
  const errs: E = [];
  if (target.startsWith('/')) errs.push(invalid(p, target, 'must be a relative path'));
  errs.push(...validatePathNoBacksteps(target, p));
  return errs;
}

function validateLocalNonReservedPath(target: string, p: string): E {
  const errs = validateLocalDescendingPath(target, p);
  if (target.startsWith('..') && !target.startsWith('../'))
    errs.push(invalid(p, target, "must not start with '..'"));
  return errs;
}

// ---- access modes, modes, policies ----

const supportedAccessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const supportedVolumeModes = ['Block', 'Filesystem'];
const supportedReclaimPolicy = ['Delete', 'Recycle', 'Retain'];
const supportedHostPathTypes = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];
const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateAccessModes(modes: readonly string[] | undefined, p: string, requiredDetail: string): E {
  const errs: E = [];
  const list = modes ?? [];
  if (list.length === 0) errs.push(required(p, requiredDetail));
  let rwop = false;
  let other = false;
  for (const m of list) {
    if (!supportedAccessModes.includes(m)) errs.push(notSupported(p, m, supportedAccessModes));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (supportedAccessModes.includes(m)) other = true;
  }
  if (rwop && other) errs.push(forbidden(p, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

// ---- node selectors and affinity ----

function validateNodeSelectorRequirement(rq: NodeSelectorRequirement, p: string): E {
  const errs: E = [];
  const values = rq.values ?? [];
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0)
        errs.push(
          forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
        );
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1)
        errs.push(
          required(child(p, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"),
        );
      break;
    default:
      errs.push(invalid(child(p, 'operator'), rq.operator, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(rq.key ?? '', child(p, 'key')));
  values.forEach((v, i) => {
    for (const m of isValidLabelValue(v)) errs.push(invalid(index(child(p, 'values'), i), v, m));
  });
  return errs;
}

function validateNodeFieldSelectorRequirement(rq: NodeSelectorRequirement, p: string): E {
  const errs: E = [];
  const values = rq.values ?? [];
  if (rq.operator === 'In' || rq.operator === 'NotIn') {
    if (values.length !== 1)
      errs.push(
        required(
          child(p, 'values'),
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
        ),
      );
  } else {
    errs.push(invalid(child(p, 'operator'), rq.operator, 'not a valid selector operator'));
  }
  if (rq.key !== 'metadata.name') {
    errs.push(invalid(child(p, 'key'), rq.key, 'not a valid field selector key'));
  } else {
    values.forEach((v, i) => {
      for (const m of validateNodeName(v, false)) errs.push(invalid(index(child(p, 'values'), i), v, m));
    });
  }
  return errs;
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, p: string): E {
  const errs: E = [];
  (term.matchExpressions ?? []).forEach((r, j) => {
    errs.push(...validateNodeSelectorRequirement(r, index(child(p, 'matchExpressions'), j)));
  });
  (term.matchFields ?? []).forEach((r, j) => {
    errs.push(...validateNodeFieldSelectorRequirement(r, index(child(p, 'matchFields'), j)));
  });
  return errs;
}

/** ValidateNodeSelector. */
export function validateNodeSelector(ns: NodeSelector, p: string): E {
  const tp = child(p, 'nodeSelectorTerms');
  const terms = ns.nodeSelectorTerms ?? [];
  if (terms.length === 0) return [required(tp, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(t, index(tp, i)));
}

function validatePodAffinityTerm(term: PodAffinityTerm, p: string): E {
  const errs: E = [];
  errs.push(...validateLabelSelector(term.labelSelector, {}, child(p, 'labelSelector')));
  errs.push(...validateLabelSelector(term.namespaceSelector, {}, child(p, 'namespaceSelector')));
  for (const name of term.namespaces ?? []) {
    for (const m of nameIsDNSLabel(name, false)) errs.push(invalid(child(p, 'namespace'), name, m));
  }
  if ((term.topologyKey ?? '') === '') errs.push(required(child(p, 'topologyKey'), 'can not be empty'));
  else errs.push(...validateLabelName(term.topologyKey, child(p, 'topologyKey')));
  return errs;
}

function validateAffinity(a: Affinity | undefined, p: string): E {
  const errs: E = [];
  if (a === undefined) return errs;
  const na = a.nodeAffinity;
  if (na !== undefined) {
    const np = child(p, 'nodeAffinity');
    if (na.requiredDuringSchedulingIgnoredDuringExecution !== undefined) {
      errs.push(
        ...validateNodeSelector(
          na.requiredDuringSchedulingIgnoredDuringExecution,
          child(np, 'requiredDuringSchedulingIgnoredDuringExecution'),
        ),
      );
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = index(child(np, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      if (t.weight <= 0 || t.weight > 100)
        errs.push(invalid(child(tp, 'weight'), t.weight, 'must be in the range 1-100'));
      errs.push(...validateNodeSelectorTerm(t.preference ?? {}, child(tp, 'preference')));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = a[kind];
    if (pa === undefined) continue;
    const pp = child(p, kind);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      errs.push(
        ...validatePodAffinityTerm(t, index(child(pp, 'requiredDuringSchedulingIgnoredDuringExecution'), i)),
      );
    });
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = index(child(pp, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      if (t.weight <= 0 || t.weight > 100)
        errs.push(invalid(child(tp, 'weight'), t.weight, 'must be in the range 1-100'));
      errs.push(...validatePodAffinityTerm(t.podAffinityTerm, child(tp, 'podAffinityTerm')));
    });
  }
  return errs;
}

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** ValidateTolerations. */
export function validateTolerations(tolerations: readonly Toleration[] | undefined, p: string): E {
  const errs: E = [];
  (tolerations ?? []).forEach((t, i) => {
    const ip = index(p, i);
    const k = t.key ?? '';
    const op = t.operator ?? '';
    if (k !== '') errs.push(...validateLabelName(k, child(ip, 'key')));
    if (k === '' && op !== 'Exists') {
      errs.push(
        invalid(
          child(ip, 'operator'),
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(
        invalid(
          child(ip, 'effect'),
          t.effect ?? '',
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    if (op === 'Equal' || op === '') {
      const m = isValidLabelValue(t.value ?? '');
      if (m.length > 0) errs.push(invalid(child(ip, 'operator'), t.value ?? '', m.join(';')));
    } else if (op === 'Exists') {
      if ((t.value ?? '') !== '')
        errs.push(invalid(child(ip, 'operator'), t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(child(ip, 'operator'), op, ['Equal', 'Exists']));
    }
    if ((t.effect ?? '') !== '' && !taintEffects.includes(t.effect!)) {
      errs.push(notSupported(child(ip, 'effect'), t.effect, taintEffects));
    }
  });
  return errs;
}

// ---- volume sources ----

function validateHostPath(hp: { path?: string; type?: string }, p: string): E {
  if ((hp.path ?? '') === '') return [required(child(p, 'path'))];
  const errs = validatePathNoBacksteps(hp.path!, child(p, 'path'));
  if (hp.type !== undefined && hp.type !== null && !supportedHostPathTypes.includes(hp.type)) {
    errs.push(notSupported(child(p, 'type'), hp.type, supportedHostPathTypes));
  }
  return errs;
}

function validateMode(mode: number | undefined, p: string): E {
  return mode !== undefined && mode !== null && (mode > 0o777 || mode < 0)
    ? [invalid(p, mode, fileModeErrorMsg)]
    : [];
}

function validateKeyToPath(kp: KeyToPath, p: string): E {
  const errs: E = [];
  if ((kp.key ?? '') === '') errs.push(required(child(p, 'key')));
  if ((kp.path ?? '') === '') errs.push(required(child(p, 'path')));
  errs.push(...validateLocalNonReservedPath(kp.path ?? '', child(p, 'path')));
  errs.push(...validateMode(kp.mode, child(p, 'mode')));
  return errs;
}

const downwardAPIVolumeFieldPaths = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];

function validateObjectFieldSelector(fs: { apiVersion?: string; fieldPath?: string }, p: string): E {
  if ((fs.apiVersion ?? '') === '') return [required(child(p, 'apiVersion'))];
  if ((fs.fieldPath ?? '') === '') return [required(child(p, 'fieldPath'))];
  if (fs.apiVersion !== 'v1') {
    return [
      invalid(
        child(p, 'fieldPath'),
        fs.fieldPath,
        `error converting fieldPath: unsupported pod version: ${fs.apiVersion}`,
      ),
    ];
  }
  const fp = fs.fieldPath!;
  const m = /^(.*)\['(.*)'\]$/.exec(fp);
  if (m !== null) {
    const [, path, subscript] = m as unknown as [string, string, string];
    if (path === 'metadata.annotations') return validateQualifiedName(subscript.toLowerCase(), p);
    if (path === 'metadata.labels') return validateQualifiedName(subscript, p);
    return [invalid(p, path, 'does not support subscript')];
  }
  if (!downwardAPIVolumeFieldPaths.includes(fp))
    return [notSupported(child(p, 'fieldPath'), fp, downwardAPIVolumeFieldPaths)];
  return [];
}

const resourceFieldPaths = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];

function validateDownwardAPIVolumeFile(file: DownwardAPIVolumeFile, p: string): E {
  const errs: E = [];
  if ((file.path ?? '') === '') errs.push(required(child(p, 'path')));
  errs.push(...validateLocalNonReservedPath(file.path ?? '', child(p, 'path')));
  if (file.fieldRef !== undefined && file.fieldRef !== null) {
    errs.push(...validateObjectFieldSelector(file.fieldRef, child(p, 'fieldRef')));
    if (file.resourceFieldRef !== undefined && file.resourceFieldRef !== null) {
      errs.push(invalid(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    }
  } else if (file.resourceFieldRef !== undefined && file.resourceFieldRef !== null) {
    const rp = child(p, 'resourceFieldRef');
    const res = file.resourceFieldRef.resource ?? '';
    if (res === '') errs.push(required(child(rp, 'resource')));
    else if (!resourceFieldPaths.includes(res) && !/^(limits|requests)\.hugepages-/.test(res)) {
      errs.push(notSupported(child(rp, 'resource'), res, resourceFieldPaths));
    }
  } else {
    errs.push(required(p, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...validateMode(file.mode, child(p, 'mode')));
  return errs;
}

function validateCSISecretRef(ref: SecretReference | undefined, p: string): E {
  if (ref === undefined || ref === null) return [];
  const errs: E = [];
  if ((ref.name ?? '') === '') errs.push(required(child(p, 'name')));
  else errs.push(...validateDNS1123Subdomain(ref.name!, child(p, 'name')));
  if ((ref.namespace ?? '') === '') errs.push(required(child(p, 'namespace')));
  else errs.push(...validateDNS1123Label(ref.namespace!, child(p, 'namespace')));
  return errs;
}

function validateCSIPersistentVolumeSource(csi: CSIPersistentVolumeSource, p: string): E {
  const errs = validateCSIDriverName(csi.driver ?? '', child(p, 'driver'));
  if ((csi.volumeHandle ?? '') === '') errs.push(required(child(p, 'volumeHandle')));
  for (const r of [
    'controllerPublishSecretRef',
    'nodeStageSecretRef',
    'nodePublishSecretRef',
    'controllerExpandSecretRef',
    'nodeExpandSecretRef',
  ] as const) {
    errs.push(...validateCSISecretRef(csi[r], child(p, r)));
  }
  return errs;
}

function validateCSIVolumeSource(csi: CSIVolumeSource, p: string): E {
  const errs = validateCSIDriverName(csi.driver ?? '', child(p, 'driver'));
  const ref = csi.nodePublishSecretRef;
  if (ref !== undefined && ref !== null) {
    if ((ref.name ?? '') === '') errs.push(required(child(p, 'nodePublishSecretRef', 'name')));
    else
      for (const m of validateSecretName(ref.name!, false)) errs.push(invalid(child(p, 'name'), ref.name, m));
  }
  return errs;
}

function validateFlexOptions(options: Record<string, string> | undefined, p: string): E {
  const errs: E = [];
  for (const k of Object.keys(options ?? {})) {
    const ns = k.includes('/') ? k.slice(0, k.indexOf('/')) : k;
    const normalized = `.${ns.toLowerCase()}`;
    if (normalized.endsWith('.kubernetes.io') || normalized.endsWith('.k8s.io')) {
      errs.push(invalid(key(child(p, 'options'), k), k, 'kubernetes.io and k8s.io namespaces are reserved'));
    }
  }
  return errs;
}

function validateNFS(nfs: { server?: string; path?: string }, p: string): E {
  const errs: E = [];
  if ((nfs.server ?? '') === '') errs.push(required(child(p, 'server')));
  if ((nfs.path ?? '') === '') errs.push(required(child(p, 'path')));
  if (!(nfs.path ?? '').startsWith('/'))
    errs.push(invalid(child(p, 'path'), nfs.path ?? '', 'must be an absolute path'));
  return errs;
}

type SourceCheck = (src: never, p: string) => E;
const noCheck: SourceCheck = () => [];

/** Pod volume sources in upstream's order, each with its own checks. */
const podVolumeSources: [keyof VolumeSource, SourceCheck][] = [
  ['hostPath', validateHostPath as SourceCheck],
  [
    'gitRepo',
    ((g: { repository?: string; directory?: string }, p: string) => {
      const errs: E = [];
      if ((g.repository ?? '') === '') errs.push(required(child(p, 'repository')));
      errs.push(...validateLocalDescendingPath(g.directory ?? '', child(p, 'directory')));
      return errs;
    }) as SourceCheck,
  ],
  ['gcePersistentDisk', noCheck],
  ['awsElasticBlockStore', noCheck],
  [
    'secret',
    ((s: { secretName?: string; defaultMode?: number; items?: KeyToPath[] }, p: string) => {
      const errs: E = [];
      if ((s.secretName ?? '') === '') errs.push(required(child(p, 'secretName')));
      errs.push(...validateMode(s.defaultMode, child(p, 'defaultMode')));
      (s.items ?? []).forEach((kp, i) => {
        errs.push(...validateKeyToPath(kp, index(child(p, 'items'), i)));
      });
      return errs;
    }) as SourceCheck,
  ],
  ['nfs', validateNFS as SourceCheck],
  ['iscsi', validateISCSI as SourceCheck],
  ['glusterfs', noCheck],
  ['flocker', noCheck],
  [
    'persistentVolumeClaim',
    ((c: { claimName?: string }, p: string) =>
      (c.claimName ?? '') === '' ? [required(child(p, 'claimName'))] : []) as SourceCheck,
  ],
  ['rbd', validateRBD as SourceCheck],
  ['cinder', noCheck],
  ['cephfs', noCheck],
  ['quobyte', noCheck],
  [
    'downwardAPI',
    ((d: { defaultMode?: number; items?: DownwardAPIVolumeFile[] }, p: string) => {
      const errs = validateMode(d.defaultMode, child(p, 'defaultMode'));
      for (const f of d.items ?? []) errs.push(...validateDownwardAPIVolumeFile(f, p));
      return errs;
    }) as SourceCheck,
  ],
  ['fc', noCheck],
  [
    'flexVolume',
    ((f: { driver?: string; options?: Record<string, string> }, p: string) => {
      const errs: E = [];
      if ((f.driver ?? '') === '') errs.push(required(child(p, 'driver')));
      errs.push(...validateFlexOptions(f.options, p));
      return errs;
    }) as SourceCheck,
  ],
  [
    'configMap',
    ((c: { name?: string; defaultMode?: number; items?: KeyToPath[] }, p: string) => {
      const errs: E = [];
      if ((c.name ?? '') === '') errs.push(required(child(p, 'name')));
      errs.push(...validateMode(c.defaultMode, child(p, 'defaultMode')));
      (c.items ?? []).forEach((kp, i) => {
        errs.push(...validateKeyToPath(kp, index(child(p, 'items'), i)));
      });
      return errs;
    }) as SourceCheck,
  ],
  ['azureFile', noCheck],
  ['vsphereVolume', noCheck],
  ['photonPersistentDisk', noCheck],
  ['portworxVolume', noCheck],
  ['azureDisk', noCheck],
  ['storageos', noCheck],
  ['projected', validateProjected as SourceCheck],
  ['scaleIO', noCheck],
  ['csi', validateCSIVolumeSource as SourceCheck],
  ['ephemeral', noCheck],
  ['image', noCheck],
];

function validateISCSI(s: { targetPortal?: string; iqn?: string; lun?: number }, p: string): E {
  const errs: E = [];
  if ((s.targetPortal ?? '') === '') errs.push(required(child(p, 'targetPortal')));
  if ((s.iqn ?? '') === '') errs.push(required(child(p, 'iqn')));
  if (s.lun !== undefined && (s.lun < 0 || s.lun > 255))
    errs.push(invalid(child(p, 'lun'), s.lun, inclusiveRangeError(0, 255)));
  return errs;
}

function validateRBD(s: { monitors?: string[]; image?: string }, p: string): E {
  const errs: E = [];
  if ((s.monitors ?? []).length === 0) errs.push(required(child(p, 'monitors')));
  if ((s.image ?? '') === '') errs.push(required(child(p, 'image')));
  return errs;
}

function validateProjected(
  proj: {
    defaultMode?: number;
    sources?: {
      secret?: { name?: string; items?: KeyToPath[] };
      configMap?: { name?: string; items?: KeyToPath[] };
      downwardAPI?: { items?: DownwardAPIVolumeFile[] };
      serviceAccountToken?: { expirationSeconds?: number; path?: string };
      clusterTrustBundle?: unknown;
    }[];
  },
  p: string,
): E {
  const errs = validateMode(proj.defaultMode, child(p, 'defaultMode'));
  const allPaths = new Set<string>();
  (proj.sources ?? []).forEach((source, i) => {
    let n = 0;
    const sp = index(child(p, 'sources'), i);
    for (const kind of ['secret', 'configMap'] as const) {
      const s = source[kind];
      if (s === undefined || s === null) continue;
      n++;
      const pp = child(sp, kind);
      if ((s.name ?? '') === '') errs.push(required(child(pp, 'name')));
      (s.items ?? []).forEach((kp, j) => {
        errs.push(...validateKeyToPath(kp, index(child(pp, 'items'), j)));
        if ((kp.path ?? '') !== '') {
          if (allPaths.has(kp.path)) errs.push(invalid(p, s.name ?? '', 'conflicting duplicate paths'));
          else allPaths.add(kp.path);
        }
      });
    }
    if (source.downwardAPI !== undefined && source.downwardAPI !== null) {
      n++;
      for (const f of source.downwardAPI.items ?? []) {
        errs.push(...validateDownwardAPIVolumeFile(f, child(sp, 'downwardAPI')));
        if ((f.path ?? '') !== '') {
          if (allPaths.has(f.path)) errs.push(invalid(p, f.path, 'conflicting duplicate paths'));
          else allPaths.add(f.path);
        }
      }
    }
    const sat = source.serviceAccountToken;
    if (sat !== undefined && sat !== null) {
      n++;
      const exp = sat.expirationSeconds ?? 0;
      const ep = child(sp, 'serviceAccountToken', 'expirationSeconds');
      if (exp < 600) errs.push(invalid(ep, exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) errs.push(invalid(ep, exp, 'may not specify a duration larger than 2^32 seconds'));
      if ((sat.path ?? '') === '') errs.push(required(child(p, 'path')));
    }
    if (source.clusterTrustBundle !== undefined && source.clusterTrustBundle !== null) n++;
    if (n > 1) errs.push(forbidden(sp, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

const present = (v: unknown): boolean => v !== undefined && v !== null;

function validateVolumeSource(vol: Volume, p: string, podName: string): E {
  const errs: E = [];
  let n = 0;
  if (present(vol.emptyDir)) {
    n++;
    const sl = vol.emptyDir!.sizeLimit;
    if (present(sl)) {
      const q = parseQuantityField(sl, child(p, 'emptyDir', 'sizeLimit'), errs);
      if (q !== undefined && q.sign() < 0)
        errs.push(
          forbidden(child(p, 'emptyDir', 'sizeLimit'), 'SizeLimit field must be a valid resource quantity'),
        );
    }
  }
  for (const [name, check] of podVolumeSources) {
    const src = vol[name];
    if (!present(src)) continue;
    if (n > 0) {
      errs.push(forbidden(child(p, name), 'may not specify more than 1 volume type'));
      continue;
    }
    n++;
    if (name === 'ephemeral') {
      errs.push(...validateEphemeral(vol, p, podName));
      continue;
    }
    errs.push(...(check as (s: unknown, p: string) => E)(src, child(p, name)));
  }
  if (n === 0) errs.push(required(p, 'must specify a volume type'));
  return errs;
}

const allowedTemplateObjectMetaFields = new Set(['annotations', 'labels']);

function validateEphemeral(vol: Volume, p: string, podName: string): E {
  const ep = child(p, 'ephemeral');
  const errs: E = [];
  const tmpl = vol.ephemeral!.volumeClaimTemplate;
  if (!present(tmpl)) {
    errs.push(required(child(ep, 'volumeClaimTemplate')));
  } else {
    const tp = child(ep, 'volumeClaimTemplate');
    const meta = (tmpl!.metadata ?? {}) as ObjectMeta;
    errs.push(...validateAnnotations(meta.annotations, child(tp, 'metadata', 'annotations')));
    errs.push(...validateLabels(meta.labels, child(tp, 'metadata', 'labels')));
    for (const [k, v] of Object.entries(meta)) {
      if (
        !allowedTemplateObjectMetaFields.has(k) &&
        present(v) &&
        !(Array.isArray(v) && v.length === 0) &&
        v !== ''
      ) {
        errs.push(forbidden(child(tp, 'metadata', k), 'cannot be set for an ephemeral volume'));
      }
    }
    errs.push(...validatePersistentVolumeClaimSpec(tmpl!.spec ?? {}, child(tp, 'spec')));
  }
  if (podName !== '' && (vol.name ?? '') !== '') {
    const pvcName = `${podName}-${vol.name}`;
    for (const m of validatePersistentVolumeName(pvcName, false)) {
      errs.push(invalid(child(p, 'name'), vol.name, `PVC name ${JSON.stringify(pvcName)}: ${m}`));
    }
  }
  return errs;
}

/** ValidateVolumes: returns the valid volumes by name and all errors. */
export function validateVolumes(
  volumes: readonly Volume[] | undefined,
  podName: string,
  p: string,
): { vols: Map<string, Volume>; errs: E } {
  const errs: E = [];
  const vols = new Map<string, Volume>();
  const names = new Set<string>();
  const createdPVCs = new Set<string>();
  if (podName !== '')
    for (const v of volumes ?? []) if (present(v.ephemeral)) createdPVCs.add(`${podName}-${v.name}`);
  (volumes ?? []).forEach((vol, i) => {
    const ip = index(p, i);
    const np = child(ip, 'name');
    const el = validateVolumeSource(vol, ip, podName);
    const name = vol.name ?? '';
    if (name === '') el.push(required(np));
    else el.push(...validateDNS1123Label(name, np));
    if (names.has(name)) el.push(duplicate(np, name));
    if (el.length === 0) {
      names.add(name);
      vols.set(name, vol);
    } else {
      errs.push(...el);
    }
    if (present(vol.persistentVolumeClaim) && createdPVCs.has(vol.persistentVolumeClaim!.claimName)) {
      errs.push(
        invalid(
          child(ip, 'persistentVolumeClaim', 'claimName'),
          vol.persistentVolumeClaim!.claimName,
          'must not reference a PVC that gets created for an ephemeral volume',
        ),
      );
    }
  });
  return { vols, errs };
}

// ---- containers ----

function validateVolumeMounts(c: Container, vols: Map<string, Volume>, p: string): E {
  const errs: E = [];
  const mountpoints = new Set<string>();
  const devices = new Map((c.volumeDevices ?? []).map((d) => [d.name, d.devicePath]));
  const devicePaths = new Set(devices.values());
  (c.volumeMounts ?? []).forEach((m, i) => {
    const ip = index(p, i);
    if ((m.name ?? '') === '') errs.push(required(child(ip, 'name')));
    if (!vols.has(m.name)) errs.push(notFound(child(ip, 'name'), m.name ?? ''));
    if ((m.mountPath ?? '') === '') errs.push(required(child(ip, 'mountPath')));
    if (mountpoints.has(m.mountPath))
      errs.push(invalid(child(ip, 'mountPath'), m.mountPath, 'must be unique'));
    mountpoints.add(m.mountPath);
    if (devices.has(m.name))
      errs.push(invalid(child(ip, 'name'), m.name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(m.mountPath)) {
      errs.push(
        invalid(child(ip, 'mountPath'), m.mountPath, 'must not already exist as a path in volumeDevices'),
      );
    }
    if ((m.subPath ?? '') !== '') errs.push(...validateLocalDescendingPath(m.subPath!, child(p, 'subPath')));
    if ((m.subPathExpr ?? '') !== '') {
      if ((m.subPath ?? '') !== '') {
        errs.push(
          invalid(child(ip, 'subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'),
        );
      }
      errs.push(...validateLocalDescendingPath(m.subPathExpr!, child(p, 'subPathExpr')));
    }
    if (present(m.mountPropagation)) {
      const supported = ['Bidirectional', 'HostToContainer', 'None'];
      if (!supported.includes(m.mountPropagation!)) {
        errs.push(notSupported(child(p, 'mountPropagation'), m.mountPropagation, supported));
      } else if (m.mountPropagation === 'Bidirectional' && c.securityContext?.privileged !== true) {
        errs.push(
          forbidden(
            child(p, 'mountPropagation'),
            'Bidirectional mount propagation is available only to privileged containers',
          ),
        );
      }
    }
  });
  return errs;
}

function validateVolumeDevices(c: Container, vols: Map<string, Volume>, p: string): E {
  const errs: E = [];
  const paths = new Set<string>();
  const names = new Set<string>();
  const mounts = new Map((c.volumeMounts ?? []).map((m) => [m.name, m.mountPath]));
  const mountPaths = new Set(mounts.values());
  (c.volumeDevices ?? []).forEach((d, i) => {
    const ip = index(p, i);
    const name = d.name ?? '';
    const dp = d.devicePath ?? '';
    const vol = vols.get(name);
    const isPVC = vol !== undefined && (present(vol.persistentVolumeClaim) || present(vol.ephemeral));
    if (name === '') errs.push(required(child(ip, 'name')));
    if (names.has(name)) errs.push(invalid(child(ip, 'name'), name, 'must be unique'));
    if (vol !== undefined && !isPVC) {
      errs.push(
        invalid(
          child(ip, 'name'),
          name,
          'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode',
        ),
      );
    }
    if (vol === undefined) errs.push(notFound(child(ip, 'name'), name));
    if (dp === '') errs.push(required(child(ip, 'devicePath')));
    if (paths.has(dp)) errs.push(invalid(child(ip, 'devicePath'), dp, 'must be unique'));
    if (dp !== '' && validatePathNoBacksteps(dp, '').length > 0) {
      errs.push(invalid(child(ip, 'devicePath'), dp, "can not contain backsteps ('..')"));
    } else {
      paths.add(dp);
    }
    if (mounts.has(name))
      errs.push(invalid(child(ip, 'name'), name, 'must not already exist in volumeMounts'));
    if (mountPaths.has(dp))
      errs.push(invalid(child(ip, 'devicePath'), dp, 'must not already exist as a path in volumeMounts'));
    if (name !== '') names.add(name);
  });
  return errs;
}

function validateResourceRequirements(c: Container, p: string): E {
  const errs: E = [];
  const r = c.resources ?? {};
  const limits = new Map<string, ReturnType<typeof parseQuantityField>>();
  for (const [name, v] of Object.entries(r.limits ?? {})) {
    const q = parseQuantityField(v, key(child(p, 'limits'), name), errs);
    if (q !== undefined) {
      errs.push(...validateNonnegativeQuantity(q, key(child(p, 'limits'), name)));
      limits.set(name, q);
    }
  }
  for (const [name, v] of Object.entries(r.requests ?? {})) {
    const rp = key(child(p, 'requests'), name);
    const q = parseQuantityField(v, rp, errs);
    if (q === undefined) continue;
    errs.push(...validateNonnegativeQuantity(q, rp));
    const l = limits.get(name);
    if (l !== undefined && q.cmp(l) > 0) {
      errs.push(invalid(rp, q.toString(), `must be less than or equal to ${name} limit of ${l.toString()}`));
    }
  }
  return errs;
}

function validateContainer(c: Container, vols: Map<string, Volume>, p: string): E {
  const errs: E = [];
  const np = child(p, 'name');
  if ((c.name ?? '') === '') errs.push(required(np));
  else errs.push(...validateDNS1123Label(c.name, np));
  if ((c.image ?? '') === '') errs.push(required(child(p, 'image')));
  const tmp = c.terminationMessagePolicy ?? '';
  if (tmp === '') {
    errs.push(required(child(p, 'terminationMessagePolicy'), "must be 'File' or 'FallbackToLogsOnError'"));
  } else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(notSupported(child(p, 'terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validateVolumeMounts(c, vols, child(p, 'volumeMounts')));
  errs.push(...validateVolumeDevices(c, vols, child(p, 'volumeDevices')));
  const pull = c.imagePullPolicy ?? '';
  if (pull === '') errs.push(required(child(p, 'imagePullPolicy')));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull)) {
    errs.push(notSupported(child(p, 'imagePullPolicy'), pull, ['Always', 'IfNotPresent', 'Never']));
  }
  errs.push(...validateResourceRequirements(c, child(p, 'resources')));
  return errs;
}

function validateContainers(
  containers: readonly Container[] | undefined,
  vols: Map<string, Volume>,
  p: string,
): E {
  const list = containers ?? [];
  if (list.length === 0) return [required(p)];
  const errs: E = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const ip = index(p, i);
    errs.push(...validateContainer(c, vols, ip));
    if (names.has(c.name)) errs.push(duplicate(child(ip, 'name'), c.name));
    else names.add(c.name);
    if (present(c.restartPolicy))
      errs.push(forbidden(child(ip, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  return errs;
}

function validateInitContainers(
  inits: readonly Container[] | undefined,
  containers: readonly Container[] | undefined,
  vols: Map<string, Volume>,
  p: string,
): E {
  const errs: E = [];
  const names = new Set((containers ?? []).map((c) => c.name));
  (inits ?? []).forEach((c, i) => {
    const ip = index(p, i);
    errs.push(...validateContainer(c, vols, ip));
    if (names.has(c.name)) errs.push(duplicate(child(ip, 'name'), c.name));
    else names.add(c.name);
    if (present(c.restartPolicy) && c.restartPolicy !== 'Always') {
      errs.push(notSupported(child(ip, 'restartPolicy'), c.restartPolicy, ['Always']));
    }
  });
  return errs;
}

/** ValidatePodSpec. */
export function validatePodSpec(spec: PodSpec | undefined, meta: ObjectMeta | undefined, p = 'spec'): E {
  const s = spec ?? ({ containers: [] } as PodSpec);
  const errs: E = [];
  if (!present(s.terminationGracePeriodSeconds))
    errs.push(required(child(p, 'terminationGracePeriodSeconds')));
  const { vols, errs: vErrs } = validateVolumes(s.volumes, meta?.name ?? '', child(p, 'volumes'));
  errs.push(...vErrs);
  errs.push(...validateContainers(s.containers, vols, child(p, 'containers')));
  errs.push(...validateInitContainers(s.initContainers, s.containers, vols, child(p, 'initContainers')));
  const rp = s.restartPolicy ?? '';
  if (rp === '') errs.push(required(child(p, 'restartPolicy')));
  else if (!['Always', 'OnFailure', 'Never'].includes(rp)) {
    errs.push(notSupported(child(p, 'restartPolicy'), rp, ['Always', 'OnFailure', 'Never']));
  }
  const dns = s.dnsPolicy ?? '';
  const dnsValues = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (dns === '') errs.push(required(child(p, 'dnsPolicy')));
  else if (!dnsValues.includes(dns)) errs.push(notSupported(child(p, 'dnsPolicy'), dns, dnsValues));
  errs.push(...validateLabels(s.nodeSelector, child(p, 'nodeSelector')));
  (s.imagePullSecrets ?? []).forEach((r, i) => {
    if ((r.name ?? '') === '') errs.push(required(child(index(child(p, 'imagePullSecrets'), i), 'name')));
  });
  errs.push(...validateAffinity(s.affinity, child(p, 'affinity')));
  if ((s.serviceAccountName ?? '') !== '') {
    for (const m of validateServiceAccountName(s.serviceAccountName!, false)) {
      errs.push(invalid(child(p, 'serviceAccountName'), s.serviceAccountName, m));
    }
  }
  if ((s.nodeName ?? '') !== '') {
    for (const m of validateNodeName(s.nodeName!, false))
      errs.push(invalid(child(p, 'nodeName'), s.nodeName, m));
  }
  if (present(s.activeDeadlineSeconds)) {
    const v = s.activeDeadlineSeconds!;
    if (v < 1 || v > 2147483647) {
      errs.push(invalid(child(p, 'activeDeadlineSeconds'), v, inclusiveRangeError(1, 2147483647)));
    }
  }
  if ((s.hostname ?? '') !== '') errs.push(...validateDNS1123Label(s.hostname!, child(p, 'hostname')));
  if ((s.subdomain ?? '') !== '') errs.push(...validateDNS1123Label(s.subdomain!, child(p, 'subdomain')));
  if ((s.tolerations ?? []).length > 0)
    errs.push(...validateTolerations(s.tolerations, child(p, 'tolerations')));
  return errs;
}

function validatePodMetadataAndSpec(pod: Pod): E {
  return [
    ...validateObjectMeta(pod.metadata, true, validatePodName, 'metadata'),
    ...validatePodSpec(pod.spec as PodSpec | undefined, pod.metadata),
  ];
}

/** ValidatePodCreate. */
export function validatePod(pod: Pod): E {
  const errs = validatePodMetadataAndSpec(pod);
  const spec = (pod.spec ?? {}) as PodSpec;
  if ((spec.ephemeralContainers ?? []).length > 0)
    errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if ((spec.nodeName ?? '') !== '' && (spec.schedulingGates ?? []).length > 0) {
    errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

const updatablePodSpecFieldsNoResources = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

const podSpecFieldOrder = [
  'volumes',
  'initContainers',
  'containers',
  'ephemeralContainers',
  'restartPolicy',
  'terminationGracePeriodSeconds',
  'activeDeadlineSeconds',
  'dnsPolicy',
  'nodeSelector',
  'serviceAccountName',
  'automountServiceAccountToken',
  'nodeName',
  'securityContext',
  'imagePullSecrets',
  'hostname',
  'subdomain',
  'setHostnameAsFQDN',
  'affinity',
  'schedulerName',
  'tolerations',
  'hostAliases',
  'priorityClassName',
  'priority',
  'preemptionPolicy',
  'dnsConfig',
  'readinessGates',
  'runtimeClassName',
  'overhead',
  'enableServiceLinks',
  'topologySpreadConstraints',
  'os',
  'schedulingGates',
  'resourceClaims',
  'resources',
];

function validateContainerUpdates(
  news: readonly Container[] | undefined,
  olds: readonly Container[] | undefined,
  p: string,
): { errs: E; stop: boolean } {
  const n = news ?? [];
  const o = olds ?? [];
  if (n.length !== o.length)
    return { errs: [forbidden(p, 'pod updates may not add or remove containers')], stop: true };
  const errs: E = [];
  n.forEach((c, i) => {
    const img = c.image ?? '';
    if (img === '') errs.push(required(child(index(p, i), 'image')));
    if (img.trim().length !== img.length) {
      errs.push(invalid(child(index(p, i), 'image'), img, 'must not have leading or trailing whitespace'));
    }
  });
  return { errs, stop: false };
}

/** ValidatePodUpdate. */
export function validatePodUpdate(pod: Pod, old: Pod): E {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata, 'metadata');
  errs.push(...validatePodMetadataAndSpec(pod));
  const ns = (pod.spec ?? {}) as PodSpec;
  const os = (old.spec ?? {}) as PodSpec;
  let r = validateContainerUpdates(ns.containers, os.containers, 'spec.containers');
  errs.push(...r.errs);
  if (r.stop) return errs;
  r = validateContainerUpdates(ns.initContainers, os.initContainers, 'spec.initContainers');
  errs.push(...r.errs);
  if (r.stop) return errs;
  if (present(ns.activeDeadlineSeconds)) {
    const v = ns.activeDeadlineSeconds!;
    if (v < 0 || v > 2147483647) {
      errs.push(invalid('spec.activeDeadlineSeconds', v, inclusiveRangeError(0, 2147483647)));
      return errs;
    }
    if (present(os.activeDeadlineSeconds) && os.activeDeadlineSeconds! < v) {
      errs.push(invalid('spec.activeDeadlineSeconds', v, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (present(os.activeDeadlineSeconds)) {
    errs.push(
      invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'),
    );
  }
  for (const ot of os.tolerations ?? []) {
    const found = (ns.tolerations ?? []).some((nt) =>
      deepEqual({ ...ot, tolerationSeconds: nt.tolerationSeconds }, nt),
    );
    if (!found) {
      errs.push(
        forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'),
      );
      break;
    }
  }
  if (!errs.some((e) => e.field === 'spec.tolerations'))
    errs.push(...validateTolerations(ns.tolerations, 'spec.tolerations'));
  const oldGates = (os.schedulingGates ?? []).map((g) => g.name);
  for (const g of ns.schedulingGates ?? []) {
    if (!oldGates.includes(g.name)) {
      errs.push(
        forbidden(
          'spec.schedulingGates',
          'only deletion is allowed, but found new scheduling gate ' + JSON.stringify(g.name),
        ),
      );
    }
  }
  if (semanticEqual(ns, os)) return errs;
  const munged: Record<string, unknown> = { ...ns };
  munged['containers'] = (ns.containers ?? []).map((c, i) => ({ ...c, image: os.containers?.[i]?.image }));
  if (ns.initContainers !== undefined) {
    munged['initContainers'] = ns.initContainers.map((c, i) => ({
      ...c,
      image: os.initContainers?.[i]?.image,
    }));
  }
  munged['activeDeadlineSeconds'] = os.activeDeadlineSeconds;
  munged['schedulingGates'] = os.schedulingGates;
  munged['tolerations'] = os.tolerations;
  if (
    (os.terminationGracePeriodSeconds ?? 0) < 0 &&
    present(os.terminationGracePeriodSeconds) &&
    ns.terminationGracePeriodSeconds === 1
  ) {
    munged['terminationGracePeriodSeconds'] = os.terminationGracePeriodSeconds;
  }
  for (const k of Object.keys(munged)) if (munged[k] === undefined) delete munged[k];
  if (!semanticEqual(munged, os)) {
    const diff = goCmpDiff(
      'core.PodSpec',
      podSpecFieldOrder,
      os as unknown as Record<string, unknown>,
      munged,
    );
    errs.push(
      forbidden(
        'spec',
        `pod updates may not change fields other than ${updatablePodSpecFieldsNoResources.join(',')}\n${diff}`,
      ),
    );
  }
  return errs;
}

/** ValidatePodStatusUpdate (metadata and the node binding). */
export function validatePodStatusUpdate(pod: Pod, old: Pod): E {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata, 'metadata');
  const nominated = (pod.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName ?? '';
  if (nominated !== '') {
    for (const m of validateNodeName(nominated, false))
      errs.push(invalid('status.nominatedNodeName', nominated, m));
  }
  return errs;
}

// ---- PersistentVolume ----

const pvSourceOrder = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'glusterfs',
  'flocker',
  'nfs',
  'rbd',
  'quobyte',
  'cephfs',
  'iscsi',
  'cinder',
  'fc',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'scaleIO',
  'local',
  'storageos',
  'csi',
] as const;

const mountOptionAnnotation = 'volume.beta.kubernetes.io/mount-options';
const mountOptionSources = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'glusterfs',
  'nfs',
  'rbd',
  'quobyte',
  'iscsi',
  'cinder',
  'cephfs',
  'azureFile',
  'vsphereVolume',
  'azureDisk',
  'photonPersistentDisk',
] as const;

/** ValidatePersistentVolumeSpec. `inline` is the CSI-migration inline-volume form (VolumeAttachment). */
export function validatePersistentVolumeSpec(
  spec: PersistentVolumeSpec | undefined,
  inline: boolean,
  p: string,
): E {
  const s = spec ?? {};
  const errs: E = [];
  if (inline) {
    if (present(s.claimRef))
      errs.push(forbidden(child(p, 'claimRef'), 'may not be specified in the context of inline volumes'));
    if (Object.keys(s.capacity ?? {}).length !== 0) {
      errs.push(forbidden(child(p, 'capacity'), 'may not be specified in the context of inline volumes'));
    }
    if (!present(s.csi))
      errs.push(required(child(p, 'csi'), 'has to be specified in the context of inline volumes'));
  }
  errs.push(...validateAccessModes(s.accessModes, child(p, 'accessModes'), ''));
  if (!inline) {
    const cap = s.capacity ?? {};
    const names = Object.keys(cap);
    if (names.length === 0) errs.push(required(child(p, 'capacity')));
    if (!Object.hasOwn(cap, 'storage') || names.length > 1) {
      errs.push(notSupported(child(p, 'capacity'), goResourceList(cap), ['storage']));
    }
    for (const [r, v] of Object.entries(cap)) {
      const cp = key(child(p, 'capacity'), r);
      const q = parseQuantityField(v, cp, errs);
      if (q !== undefined) errs.push(...validatePositiveQuantityValue(q, cp));
    }
  }
  if ((s.storageClassName ?? '') !== '') {
    for (const m of validateClassName(s.storageClassName!, false)) {
      errs.push(invalid(child(p, 'storageClassName'), s.storageClassName, m));
    }
  }
  if (present(s.volumeMode) && !supportedVolumeModes.includes(s.volumeMode!)) {
    errs.push(notSupported(child(p, 'volumeMode'), s.volumeMode, supportedVolumeModes));
  }
  if (present(s.volumeAttributesClassName)) {
    if (s.volumeAttributesClassName === '') {
      errs.push(required(child(p, 'volumeAttributesClassName'), 'an empty string is disallowed'));
    } else {
      for (const m of validateClassName(s.volumeAttributesClassName!, false)) {
        errs.push(invalid(child(p, 'volumeAttributesClassName'), s.volumeAttributesClassName, m));
      }
    }
    if (!present(s.csi))
      errs.push(required(child(p, 'csi'), 'has to be specified when using volumeAttributesClassName'));
  }
  const policy = s.persistentVolumeReclaimPolicy ?? '';
  if (policy !== '') {
    if (inline) {
      if (policy !== 'Retain') {
        errs.push(
          forbidden(
            child(p, 'persistentVolumeReclaimPolicy'),
            'may only be Retain in the context of inline volumes',
          ),
        );
      }
    } else if (!supportedReclaimPolicy.includes(policy)) {
      errs.push(notSupported(child(p, 'persistentVolumeReclaimPolicy'), policy, supportedReclaimPolicy));
    }
  }
  let nodeAffinitySpecified = false;
  if (present(s.nodeAffinity)) {
    if (inline) {
      errs.push(forbidden(child(p, 'nodeAffinity'), 'may not be specified in the context of inline volumes'));
    } else {
      nodeAffinitySpecified = true;
      const req = s.nodeAffinity!.required;
      if (present(req)) errs.push(...validateNodeSelector(req!, child(p, 'nodeAffinity', 'required')));
      else
        errs.push(required(child(p, 'nodeAffinity', 'required'), 'must specify required node constraints'));
    }
  }
  let n = 0;
  for (const name of pvSourceOrder) {
    const src = s[name] as unknown;
    if (!present(src)) continue;
    const sp = child(p, name);
    if (n > 0) {
      errs.push(forbidden(sp, 'may not specify more than 1 volume type'));
      continue;
    }
    n++;
    switch (name) {
      case 'hostPath':
        errs.push(...validateHostPath(src as { path?: string; type?: string }, sp));
        break;
      case 'nfs':
        errs.push(...validateNFS(src as { server?: string; path?: string }, sp));
        break;
      case 'rbd':
        errs.push(...validateRBD(src as { monitors?: string[]; image?: string }, sp));
        break;
      case 'iscsi':
        errs.push(...validateISCSI(src as { targetPortal?: string; iqn?: string }, sp));
        break;
      case 'flexVolume': {
        const f = src as { driver?: string; options?: Record<string, string> };
        if ((f.driver ?? '') === '') errs.push(required(child(sp, 'driver')));
        errs.push(...validateFlexOptions(f.options, sp));
        break;
      }
      case 'local': {
        const l = src as { path?: string };
        if ((l.path ?? '') === '') errs.push(required(child(sp, 'path')));
        else errs.push(...validatePathNoBacksteps(l.path!, child(sp, 'path')));
        if (!nodeAffinitySpecified)
          errs.push(required(child(p, 'nodeAffinity'), 'Local volume requires node affinity'));
        break;
      }
      case 'csi':
        errs.push(...validateCSIPersistentVolumeSource(src as CSIPersistentVolumeSource, sp));
        break;
      default:
        break;
    }
  }
  if (n === 0) errs.push(required(p, 'must specify a volume type'));
  if (present(s.hostPath) && cleanPath(s.hostPath!.path ?? '') === '/' && policy === 'Recycle') {
    errs.push(
      forbidden(
        child(p, 'persistentVolumeReclaimPolicy'),
        "may not be 'recycle' for a hostPath mount of '/'",
      ),
    );
  }
  return errs;
}

function cleanPath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(part);
  }
  const s = out.join('/');
  return abs ? `/${s}` : s === '' ? '.' : s;
}

/** Go's %#v of a core.ResourceList, e.g. core.ResourceList{"cpu":resource.Quantity{...}}; keys only. */
function goResourceList(list: Record<string, unknown>): string {
  return `core.ResourceList{${Object.keys(list)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(list[k]))}`)
    .join(', ')}}`;
}

function checkMountOption(pv: PersistentVolume): E {
  const s = (pv.spec ?? {}) as PersistentVolumeSpec;
  if (mountOptionSources.some((k) => present(s[k]))) return [];
  if (Object.hasOwn(pv.metadata?.annotations ?? {}, mountOptionAnnotation)) {
    return [
      forbidden(
        child('metadata', 'annotations', mountOptionAnnotation),
        'may not specify mount options for this volume type',
      ),
    ];
  }
  return [];
}

/** ValidatePersistentVolume (core) plus volumevalidation.ValidatePersistentVolume, as the strategy runs them. */
export function validatePersistentVolume(pv: PersistentVolume): E {
  return [
    ...validateObjectMeta(pv.metadata, false, validatePersistentVolumeName, 'metadata'),
    ...validatePersistentVolumeSpec(pv.spec, false, 'spec'),
    ...checkMountOption(pv),
  ];
}

const pvSourceFieldOrder: string[] = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'hostPath',
  'glusterfs',
  'nfs',
  'rbd',
  'iscsi',
  'cinder',
  'cephfs',
  'fc',
  'flocker',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'local',
  'storageos',
  'csi',
];

function pvSource(spec: PersistentVolumeSpec | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const s = (spec ?? {}) as Record<string, unknown>;
  for (const k of pvSourceFieldOrder) if (present(s[k])) out[k] = s[k];
  return out;
}

/** ValidatePersistentVolumeUpdate. */
export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): E {
  const errs = validatePersistentVolume(pv);
  errs.unshift(...validateObjectMetaUpdate(pv.metadata, old.metadata, 'metadata'));
  const ns = pvSource(pv.spec);
  const os = pvSource(old.spec);
  const ocsi = os['csi'] as CSIPersistentVolumeSource | undefined;
  const ncsi = ns['csi'] as CSIPersistentVolumeSource | undefined;
  if (
    ocsi !== undefined &&
    !present(ocsi.controllerExpandSecretRef) &&
    ncsi !== undefined &&
    present(ncsi.controllerExpandSecretRef)
  ) {
    const { controllerExpandSecretRef: _drop, ...rest } = ncsi;
    ns['csi'] = rest;
  }
  if (!semanticEqual(ns, os)) {
    const diff = goCmpDiff('core.PersistentVolumeSource', pvSourceFieldOrder, os, ns);
    errs.push(
      forbidden(
        'spec.persistentvolumesource',
        `spec.persistentvolumesource is immutable after creation\n${diff}`,
      ),
    );
  }
  errs.push(...validateImmutableField(pv.spec?.volumeMode, old.spec?.volumeMode, 'volumeMode'));
  if (present(old.spec?.nodeAffinity) && !deepEqual(pv.spec?.nodeAffinity, old.spec?.nodeAffinity)) {
    errs.push(
      invalid(
        'nodeAffinity',
        pv.spec?.nodeAffinity ?? null,
        'field is immutable, except for updating from beta label to GA',
      ),
    );
  }
  if (!deepEqual(old.spec?.volumeAttributesClassName, pv.spec?.volumeAttributesClassName)) {
    if (present(old.spec?.volumeAttributesClassName) && !present(pv.spec?.volumeAttributesClassName)) {
      errs.push(forbidden('spec.volumeAttributesClassName', 'update from non-nil value to nil is forbidden'));
    }
  }
  return errs;
}

/** ValidatePersistentVolumeStatusUpdate. */
export function validatePersistentVolumeStatusUpdate(pv: PersistentVolume, old: PersistentVolume): E {
  const errs = validateObjectMetaUpdate(pv.metadata, old.metadata, 'metadata');
  const phase = pv.status?.phase;
  const oldPhase = old.status?.phase;
  if (present(pv.status?.lastPhaseTransitionTime) && phase === oldPhase) {
    // An unchanged phase keeps its transition time (upstream resets it in the strategy, not here).
  }
  if (present(phase) && !['Pending', 'Available', 'Bound', 'Released', 'Failed'].includes(phase!)) {
    errs.push(notSupported('status.phase', phase, ['Available', 'Bound', 'Failed', 'Pending', 'Released']));
  }
  return errs;
}

// ---- PersistentVolumeClaim ----

function validateDataSource(
  ds: { apiGroup?: string; kind?: string; name?: string; namespace?: string },
  p: string,
  isRef: boolean,
): E {
  const errs: E = [];
  if ((ds.name ?? '') === '') errs.push(required(child(p, 'name')));
  if ((ds.kind ?? '') === '') errs.push(required(child(p, 'kind')));
  const group = ds.apiGroup ?? '';
  if (group === '' && ds.kind !== 'PersistentVolumeClaim') {
    errs.push(
      invalid(
        child(p, 'kind'),
        ds.kind ?? '',
        "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
      ),
    );
  }
  if (group !== '') {
    for (const m of isDNS1123Subdomain(group)) errs.push(invalid(child(p, 'apiGroup'), group, m));
  }
  if (isRef && (ds.namespace ?? '') !== '') {
    for (const m of nameIsDNSLabel(ds.namespace!, false))
      errs.push(invalid(child(p, 'namespace'), ds.namespace, m));
  }
  return errs;
}

function dataSourceEqualsRef(ds: TypedObjectReference, ref: TypedObjectReference): boolean {
  return (ds.apiGroup ?? '') === (ref.apiGroup ?? '') && ds.kind === ref.kind && ds.name === ref.name;
}

/** ValidatePersistentVolumeClaimSpec. */
export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec, p: string): E {
  const errs: E = [];
  const modes = spec.accessModes ?? [];
  if (modes.length === 0) errs.push(required(child(p, 'accessModes'), 'at least 1 access mode is required'));
  if (present(spec.selector))
    errs.push(...validateLabelSelector(spec.selector as LabelSelector, {}, child(p, 'selector')));
  if (modes.length > 0) errs.push(...validateAccessModes(modes, child(p, 'accessModes'), ''));
  const requests = spec.resources?.requests ?? {};
  const sp = key(child(p, 'resources'), 'storage');
  if (!Object.hasOwn(requests, 'storage')) {
    errs.push(required(sp));
  } else {
    const q = parseQuantityField(requests['storage'], sp, errs);
    if (q !== undefined) errs.push(...validatePositiveQuantityValue(q, sp));
  }
  if ((spec.storageClassName ?? '') !== '') {
    for (const m of validateClassName(spec.storageClassName!, false)) {
      errs.push(invalid(child(p, 'storageClassName'), spec.storageClassName, m));
    }
  }
  if (present(spec.volumeMode) && !supportedVolumeModes.includes(spec.volumeMode!)) {
    errs.push(notSupported(child(p, 'volumeMode'), spec.volumeMode, supportedVolumeModes));
  }
  if (present(spec.dataSource))
    errs.push(...validateDataSource(spec.dataSource!, child(p, 'dataSource'), false));
  if (present(spec.dataSourceRef))
    errs.push(...validateDataSource(spec.dataSourceRef!, child(p, 'dataSourceRef'), true));
  if (present(spec.dataSourceRef) && (spec.dataSourceRef!.namespace ?? '') !== '') {
    if (present(spec.dataSource)) {
      errs.push(
        new StringerValueError(
          'FieldValueInvalid',
          p,
          child(p, 'dataSource'),
          'may not be specified when dataSourceRef.namespace is specified',
        ),
      );
    }
  } else if (present(spec.dataSource) && present(spec.dataSourceRef)) {
    if (!dataSourceEqualsRef(spec.dataSource!, spec.dataSourceRef!)) {
      errs.push(
        new StringerValueError('FieldValueInvalid', p, child(p, 'dataSource'), 'must match dataSourceRef'),
      );
    }
  }
  if ((spec.volumeAttributesClassName ?? '') !== '') {
    for (const m of validateClassName(spec.volumeAttributesClassName!, false)) {
      errs.push(invalid(child(p, 'volumeAttributesClassName'), spec.volumeAttributesClassName, m));
    }
  }
  return errs;
}

/** ValidatePersistentVolumeClaim. */
export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): E {
  return [
    ...validateObjectMeta(pvc.metadata, true, validatePersistentVolumeName, 'metadata'),
    ...validatePersistentVolumeClaimSpec((pvc.spec ?? {}) as PersistentVolumeClaimSpec, 'spec'),
  ];
}

const pvcSpecFieldOrder = [
  'accessModes',
  'selector',
  'resources',
  'volumeName',
  'storageClassName',
  'volumeMode',
  'dataSource',
  'dataSourceRef',
  'volumeAttributesClassName',
];

const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

/** ValidatePersistentVolumeClaimUpdate. */
export function validatePersistentVolumeClaimUpdate(
  pvc: PersistentVolumeClaim,
  old: PersistentVolumeClaim,
): E {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata, 'metadata');
  errs.push(...validatePersistentVolumeClaim(pvc));
  const ns = deepCopy((pvc.spec ?? {}) as PersistentVolumeClaimSpec) as Record<string, unknown> &
    PersistentVolumeClaimSpec;
  const os = deepCopy((old.spec ?? {}) as PersistentVolumeClaimSpec) as Record<string, unknown> &
    PersistentVolumeClaimSpec;
  if ((os.volumeName ?? '') === '') {
    if (ns.volumeName === undefined) delete os.volumeName;
    else os.volumeName = ns.volumeName;
  }
  const oldAnn = old.metadata?.annotations ?? {};
  const newAnn = pvc.metadata?.annotations ?? {};
  if (
    Object.hasOwn(oldAnn, betaStorageClassAnnotation) &&
    !present(os.storageClassName) &&
    newAnn[betaStorageClassAnnotation] === ns.storageClassName
  ) {
    delete ns.storageClassName;
  } else {
    if ((newAnn[betaStorageClassAnnotation] ?? '') !== (oldAnn[betaStorageClassAnnotation] ?? '')) {
      errs.push(
        invalid(
          child('metadata', 'annotations', betaStorageClassAnnotation),
          newAnn[betaStorageClassAnnotation] ?? '',
          'field is immutable',
        ),
      );
    }
    if (
      !present(os.storageClassName) &&
      !Object.hasOwn(oldAnn, betaStorageClassAnnotation) &&
      present(ns.storageClassName)
    ) {
      // Setting the class on a claim that had none is allowed once (upgrade from nil).
      delete ns.storageClassName;
    }
  }
  const bound = (pvc.status as { phase?: string } | undefined)?.phase === 'Bound';
  if (bound && present(ns.resources?.requests)) {
    const oldStorage = os.resources?.requests?.['storage'];
    if (oldStorage === undefined) delete ns.resources!.requests!['storage'];
    else ns.resources!.requests!['storage'] = oldStorage;
  }
  if (bound && present(ns.volumeAttributesClassName)) {
    if (os.volumeAttributesClassName === undefined) delete ns.volumeAttributesClassName;
    else ns.volumeAttributesClassName = os.volumeAttributesClassName;
  }
  if (!semanticEqual(ns, os)) {
    const diff = goCmpDiff('core.PersistentVolumeClaimSpec', pvcSpecFieldOrder, os, ns);
    errs.push(
      forbidden(
        'spec',
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${diff}`,
      ),
    );
  }
  const scratch: E = [];
  const oldSize = parseQuantityField(old.spec?.resources?.requests?.['storage'] ?? '0', '', scratch);
  const newSize = parseQuantityField(pvc.spec?.resources?.requests?.['storage'] ?? '0', '', scratch);
  if (oldSize !== undefined && newSize !== undefined && newSize.cmp(oldSize) < 0) {
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  errs.push(...validateImmutableField(pvc.spec?.volumeMode, old.spec?.volumeMode, 'volumeMode'));
  if (!deepEqual(old.spec?.volumeAttributesClassName, pvc.spec?.volumeAttributesClassName)) {
    if (present(old.spec?.volumeAttributesClassName)) {
      if (!present(pvc.spec?.volumeAttributesClassName)) {
        errs.push(
          forbidden('spec.volumeAttributesClassName', 'update from non-nil value to nil is forbidden'),
        );
      } else if (pvc.spec?.volumeAttributesClassName === '') {
        errs.push(
          forbidden(
            'spec.volumeAttributesClassName',
            'update from non-nil value to an empty string is forbidden',
          ),
        );
      }
    }
  }
  return errs;
}

/** ValidatePersistentVolumeClaimStatusUpdate. */
export function validatePersistentVolumeClaimStatusUpdate(
  pvc: PersistentVolumeClaim,
  old: PersistentVolumeClaim,
): E {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata, 'metadata');
  if ((pvc.metadata?.resourceVersion ?? '') === '') {
    // already reported by the metadata update check
  }
  const status = (pvc.status ?? {}) as {
    capacity?: Record<string, string>;
    allocatedResources?: Record<string, string>;
  };
  for (const [field, list] of [
    ['capacity', status.capacity],
    ['allocatedResources', status.allocatedResources],
  ] as const) {
    for (const [r, v] of Object.entries(list ?? {})) {
      const fp = key(child('status', field), r);
      const q = parseQuantityField(v, fp, errs);
      if (q !== undefined) errs.push(...validateNonnegativeQuantity(q, fp));
    }
  }
  return errs;
}

// ---- ConfigMap and Secret ----

const maxSecretSize = 1024 * 1024;
const maxConfigMapSize = 1024 * 1024;

/** ValidateConfigMap. */
export function validateConfigMap(cm: ConfigMap): E {
  const errs = validateObjectMeta(cm.metadata, true, validateConfigMapName, 'metadata');
  let total = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key('data', k), k, m));
    if (Object.hasOwn(cm.binaryData ?? {}, k)) {
      errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    }
    total += byteLen(String(v));
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key('binaryData', k), k, m));
    total += Buffer.from(String(v), 'base64').length;
  }
  if (total > maxConfigMapSize) errs.push(tooLong('', maxConfigMapSize));
  return errs;
}

/** ValidateConfigMapUpdate. */
export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): E {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata, 'metadata');
  if (old.immutable === true) {
    if (cm.immutable !== true)
      errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!deepEqual(cm.data ?? {}, old.data ?? {}))
      errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
    if (!deepEqual(cm.binaryData ?? {}, old.binaryData ?? {})) {
      errs.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
    }
  }
  errs.push(...validateConfigMap(cm));
  return errs;
}

/** ValidateSecret. */
export function validateSecret(secret: Secret): E {
  const errs = validateObjectMeta(secret.metadata, true, validateSecretName, 'metadata');
  const dp = 'data';
  const data = secret.data ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key(dp, k), k, m));
    total += Buffer.from(String(v), 'base64').length;
  }
  if (total > maxSecretSize) errs.push(tooLong(dp, maxSecretSize));
  const has = (k: string): boolean => Object.hasOwn(data, k);
  const decoded = (k: string): string => Buffer.from(String(data[k] ?? ''), 'base64').toString('utf8');
  switch (secret.type ?? 'Opaque') {
    case 'kubernetes.io/service-account-token': {
      const ann = secret.metadata?.annotations ?? {};
      if ((ann['kubernetes.io/service-account.name'] ?? '') === '') {
        errs.push(required(child('metadata', 'annotations', 'kubernetes.io/service-account.name')));
      }
      break;
    }
    case 'kubernetes.io/dockercfg': {
      if (!has('.dockercfg')) errs.push(required(key(dp, '.dockercfg')));
      else if (!isJSON(decoded('.dockercfg')))
        errs.push(invalid(key(dp, '.dockercfg'), '<secret contents redacted>', 'invalid JSON'));
      break;
    }
    case 'kubernetes.io/dockerconfigjson': {
      if (!has('.dockerconfigjson')) errs.push(required(key(dp, '.dockerconfigjson')));
      else if (!isJSON(decoded('.dockerconfigjson'))) {
        errs.push(invalid(key(dp, '.dockerconfigjson'), '<secret contents redacted>', 'invalid JSON'));
      }
      break;
    }
    case 'kubernetes.io/basic-auth': {
      if (!has('username') && !has('password')) {
        errs.push(required(key(dp, 'username')));
        errs.push(required(key(dp, 'password')));
      }
      break;
    }
    case 'kubernetes.io/ssh-auth': {
      if ((data['ssh-privatekey'] ?? '') === '') errs.push(required(key(dp, 'ssh-privatekey')));
      break;
    }
    case 'kubernetes.io/tls': {
      if (!has('tls.crt')) errs.push(required(key(dp, 'tls.crt')));
      if (!has('tls.key')) errs.push(required(key(dp, 'tls.key')));
      break;
    }
    default:
      break;
  }
  return errs;
}

function isJSON(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** ValidateSecretUpdate. */
export function validateSecretUpdate(secret: Secret, old: Secret): E {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata, 'metadata');
  errs.push(...validateImmutableField(secret.type ?? 'Opaque', old.type ?? 'Opaque', 'type'));
  if (old.immutable === true) {
    if (secret.immutable !== true)
      errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!deepEqual(secret.data ?? {}, old.data ?? {}))
      errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
  }
  errs.push(...validateSecret(secret));
  return errs;
}

// ---- Namespace and Node ----

const standardFinalizers = ['kubernetes'];

/** ValidateNamespace. */
export function validateNamespace(ns: Namespace): E {
  const errs = validateObjectMeta(ns.metadata, false, nameIsDNSLabel, 'metadata');
  (ns.spec?.finalizers ?? []).forEach((f) => {
    errs.push(...validateFinalizerName(f, 'spec.finalizers'));
  });
  return errs;
}

function validateFinalizerName(f: string, p: string): E {
  const errs = validateQualifiedName(f, p);
  if (!f.includes('/') && !standardFinalizers.includes(f)) errs.push(notSupported(p, f, standardFinalizers));
  return errs;
}

/** ValidateNamespaceUpdate. */
export function validateNamespaceUpdate(ns: Namespace, old: Namespace): E {
  return validateObjectMetaUpdate(ns.metadata, old.metadata, 'metadata');
}

/** ValidateNamespaceStatusUpdate. */
export function validateNamespaceStatusUpdate(ns: Namespace, old: Namespace): E {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata, 'metadata');
  const phase = ns.status?.phase;
  if (!present(ns.metadata?.deletionTimestamp)) {
    if (phase !== 'Active') {
      errs.push(invalid('status.Phase', phase ?? '', "may only be 'Active' if `deletionTimestamp` is empty"));
    }
  } else if (phase !== 'Terminating') {
    errs.push(
      invalid('status.Phase', phase ?? '', "may only be 'Terminating' if `deletionTimestamp` is not empty"),
    );
  }
  return errs;
}

/** ValidateNamespaceFinalizeUpdate. */
export function validateNamespaceFinalizeUpdate(ns: Namespace, old: Namespace): E {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata, 'metadata');
  (ns.spec?.finalizers ?? []).forEach((f, i) => {
    errs.push(...validateFinalizerName(f, index('spec.finalizers', i)));
  });
  return errs;
}

/** ValidateNode. */
export function validateNode(node: Node): E {
  const errs = validateObjectMeta(node.metadata, false, validateNodeName, 'metadata');
  (node.spec?.taints ?? []).forEach((t, i) => {
    const tp = index('spec.taints', i);
    errs.push(...validateLabelName(t.key ?? '', child(tp, 'key')));
    if ((t.value ?? '') !== '') {
      for (const m of isValidLabelValue(t.value!)) errs.push(invalid(child(tp, 'value'), t.value, m));
    }
    if (((t.effect as string | undefined) ?? '') === '') errs.push(required(child(tp, 'effect')));
    else if (!taintEffects.includes(t.effect))
      errs.push(notSupported(child(tp, 'effect'), t.effect, taintEffects));
  });
  return errs;
}

/** ValidateNodeUpdate. */
export function validateNodeUpdate(node: Node, old: Node): E {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata, 'metadata');
  errs.push(...validateNode(node).filter((e) => !e.field.startsWith('metadata')));
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  if (oldCIDRs.length > 0 && !deepEqual(node.spec?.podCIDRs ?? [], oldCIDRs)) {
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if ((old.spec?.providerID ?? '') !== '' && node.spec?.providerID !== old.spec?.providerID) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

/** Node status updates go through the same checks. */
export function validateNodeStatusUpdate(node: Node, old: Node): E {
  return validateNodeUpdate(node, old);
}

// ---- Event ----

/**
 * ValidateEventCreate for core/v1 (legacyValidateEvent), followed by the generic ObjectMeta check the
 * registry runs for every kind (path-segment names).
 */
export function validateEvent(ev: Event): E {
  const errs = legacyValidateEvent(ev);
  errs.push(...validateObjectMeta(ev.metadata, true, validatePathSegmentName, 'metadata'));
  return errs;
}

function legacyValidateEvent(ev: Event): E {
  const errs: E = [];
  const evNs = ev.metadata?.namespace ?? '';
  const io = ev.involvedObject ?? ({} as Event['involvedObject']);
  const ioNs = io.namespace ?? '';
  if (!present(ev.eventTime) || ev.eventTime === '') {
    if (ioNs === '') {
      if (evNs !== '' && evNs !== 'default') {
        errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
      }
    } else if (evNs !== ioNs) {
      errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    }
  } else {
    if (ioNs === '' && evNs !== 'default' && evNs !== 'kube-system') {
      errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    }
    const rc = ev.reportingComponent ?? '';
    if (rc === '') errs.push(required('reportingComponent'));
    errs.push(...validateQualifiedName(rc, 'reportingComponent'));
    const ri = ev.reportingInstance ?? '';
    if (ri === '') errs.push(required('reportingInstance'));
    if (byteLen(ri) > 128) errs.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = ev.action ?? '';
    if (action === '') errs.push(required('action'));
    if (byteLen(action) > 128) errs.push(invalid('action', '', 'can have at most 128 characters'));
    const reason = ev.reason ?? '';
    if (reason === '') errs.push(required('reason'));
    if (byteLen(reason) > 128) errs.push(invalid('reason', '', 'can have at most 128 characters'));
    if (byteLen(ev.message ?? '') > 1024)
      errs.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  for (const m of isDNS1123Subdomain(evNs)) errs.push(invalid('namespace', evNs, m));
  return errs;
}

/** ValidateEventUpdate for core/v1: legacy checks on the new object plus the generic metadata update rules. */
export function validateEventUpdate(ev: Event, old: Event): E {
  return [...legacyValidateEvent(ev), ...validateObjectMetaUpdate(ev.metadata, old.metadata, 'metadata')];
}

export { isNegativeErrorMsg };
