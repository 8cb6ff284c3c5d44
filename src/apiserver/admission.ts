// Admission for the storage kinds (upstream's admission plugins that matter here):
// DefaultStorageClass, StorageObjectInUseProtection, PersistentVolumeClaimResize. Mutating steps run
// before defaulting and validation, validating steps after, as in kube-apiserver.
import { type KubeObject, newForbidden, Resources, type ResourceType } from '../api/index.ts';

export interface AdmissionContext {
  lookup(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined;
  list(rt: ResourceType): KubeObject[];
}

export interface Admission {
  mutateCreate(ctx: AdmissionContext, rt: ResourceType, obj: KubeObject): Promise<void>;
  validateCreate(ctx: AdmissionContext, rt: ResourceType, obj: KubeObject): Promise<void>;
  validateUpdate(
    ctx: AdmissionContext,
    rt: ResourceType,
    obj: KubeObject,
    old: KubeObject,
    subresource: 'status' | undefined,
  ): Promise<void>;
}

export const isDefaultClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
export const betaIsDefaultClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';
export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection';
export const pvProtectionFinalizer = 'kubernetes.io/pv-protection';

function isDefaultClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[isDefaultClassAnnotation] === 'true' || a[betaIsDefaultClassAnnotation] === 'true';
}

/**
 * The default StorageClass, as upstream's GetDefaultClass picks it: among classes annotated default,
 * the newest (ties broken by name).
 */
export function defaultStorageClass(classes: readonly KubeObject[]): KubeObject | undefined {
  let best: KubeObject | undefined;
  for (const sc of classes) {
    if (!isDefaultClass(sc)) continue;
    if (best === undefined) {
      best = sc;
      continue;
    }
    const a = sc.metadata.creationTimestamp ?? '';
    const b = best.metadata.creationTimestamp ?? '';
    if (a > b || (a === b && (sc.metadata.name ?? '') < (best.metadata.name ?? ''))) best = sc;
  }
  return best;
}

function addFinalizer(obj: KubeObject, f: string): void {
  const fs = (obj.metadata.finalizers ??= []);
  if (!fs.includes(f)) fs.push(f);
}

function storageRequest(pvc: KubeObject): string | undefined {
  const spec = pvc['spec'] as { resources?: { requests?: Record<string, string> } } | undefined;
  return spec?.resources?.requests?.['storage'];
}

export const defaultAdmission: Admission = {
  async mutateCreate(ctx, rt, obj) {
    if (rt === Resources.persistentvolumeclaims) {
      const spec = (obj['spec'] ??= {}) as { storageClassName?: string | null };
      if (spec.storageClassName === undefined || spec.storageClassName === null) {
        const def = defaultStorageClass(ctx.list(Resources.storageclasses));
        if (def?.metadata.name !== undefined) spec.storageClassName = def.metadata.name;
      }
      addFinalizer(obj, pvcProtectionFinalizer);
    } else if (rt === Resources.persistentvolumes) {
      addFinalizer(obj, pvProtectionFinalizer);
    }
  },

  async validateCreate() {},

  async validateUpdate(ctx, rt, obj, old, subresource) {
    if (rt !== Resources.persistentvolumeclaims || subresource === 'status') return;
    const before = storageRequest(old);
    const after = storageRequest(obj);
    if (before === undefined || after === undefined || before === after) return;
    // Only growth reaches here: validation already refused a shrink or an unbound claim's change.
    const { compareQuantities } = await import('./quantities.ts');
    if (compareQuantities(after, before) <= 0) return;
    const spec = old['spec'] as { storageClassName?: string; volumeName?: string } | undefined;
    const scName = spec?.storageClassName ?? '';
    const sc = scName === '' ? undefined : ctx.lookup(Resources.storageclasses, undefined, scName);
    const pvName = spec?.volumeName ?? '';
    const pv = pvName === '' ? undefined : ctx.lookup(Resources.persistentvolumes, undefined, pvName);
    const pvClass = (pv?.['spec'] as { storageClassName?: string } | undefined)?.storageClassName ?? '';
    const allowed =
      sc !== undefined && sc['allowVolumeExpansion'] === true && pv !== undefined && pvClass === scName;
    if (!allowed) {
      throw newForbidden(
        rt.group,
        rt.plural,
        obj.metadata.name ?? '',
        'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
      );
    }
  },
};
