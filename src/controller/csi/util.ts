// Helpers of the built-in CSI controllers: access modes to CSI (csi-lib-utils accessmodes), the
// StorageClass secret templates (external-provisioner getSecretReference), secrets as CSI credentials,
// quantities as bytes, and the finalizer name of the attacher. Pure functions except getCredentials and
// readSecret.
import {
  type PersistentVolumeAccessMode,
  type PersistentVolumeClaim,
  Quantity,
  Resources,
  type Secret,
  type SecretReference,
} from '../../api/index.ts';
import type { Client } from '../../client/index.ts';
import type { VolumeCapability } from '../../csi/index.ts';
import {
  CsiParameterPrefix,
  DefaultSecretParams,
  ReservedParameterKeys,
  type SecretParams,
} from './constants.ts';

export function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A failure the controller reports and retries; `final` says the driver certainly is not working on it. */
export class CsiControllerError extends Error {
  override readonly name = 'CsiControllerError';
}

export function isCsiControllerError(err: unknown): err is CsiControllerError {
  return err instanceof CsiControllerError;
}

type CsiAccessMode = NonNullable<NonNullable<VolumeCapability['access_mode']>['mode']>;

/** accessmodes.ToCSIAccessMode: the CSI access mode of a set of Kubernetes access modes. */
export function toCsiAccessMode(
  modes: readonly PersistentVolumeAccessMode[],
  supportsSingleNodeMultiWriter: boolean,
): CsiAccessMode {
  const m = new Set<string>(modes);
  if (m.has('ReadWriteOncePod')) {
    if (modes.length > 1) {
      throw new CsiControllerError(
        'Kubernetes does not support use of ReadWriteOncePod with other access modes on the same PersistentVolume',
      );
    }
    return supportsSingleNodeMultiWriter ? 'SINGLE_NODE_SINGLE_WRITER' : 'SINGLE_NODE_WRITER';
  }
  if (m.has('ReadWriteMany')) return 'MULTI_NODE_MULTI_WRITER';
  if (m.has('ReadOnlyMany') && m.has('ReadWriteOnce')) {
    throw new CsiControllerError(
      'CSI does not support ReadOnlyMany and ReadWriteOnce on the same PersistentVolume',
    );
  }
  if (m.has('ReadOnlyMany')) return 'MULTI_NODE_READER_ONLY';
  if (m.has('ReadWriteOnce'))
    return supportsSingleNodeMultiWriter ? 'SINGLE_NODE_MULTI_WRITER' : 'SINGLE_NODE_WRITER';
  throw new CsiControllerError(`unsupported access mode: ${[...modes].join(',')}`);
}

/** A block or mount capability with one access mode. */
export function volumeCapability(
  block: boolean,
  mode: CsiAccessMode,
  fsType: string,
  mountFlags: readonly string[] | undefined,
): VolumeCapability {
  return block
    ? { block: {}, access_mode: { mode } }
    : { mount: { fs_type: fsType, mount_flags: [...(mountFlags ?? [])] }, access_mode: { mode } };
}

/** removePrefixedParameters: the class parameters without the reserved keys; unknown reserved keys fail. */
export function removePrefixedParameters(params: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (k.startsWith(CsiParameterPrefix)) {
      if (!ReservedParameterKeys.has(k)) {
        throw new CsiControllerError(
          `found unknown parameter key "${k}" with reserved namespace ${CsiParameterPrefix}`,
        );
      }
    } else {
      out[k] = v;
    }
  }
  return out;
}

function templates(
  p: SecretParams,
  params: Record<string, string>,
): { name: string; namespace: string } | undefined {
  let name = '';
  let namespace = '';
  let numName = 0;
  let numNamespace = 0;
  for (const [key, isName] of [
    [p.deprecatedSecretNameKey, true],
    [p.deprecatedSecretNamespaceKey, false],
    [p.secretNameKey, true],
    [p.secretNamespaceKey, false],
  ] as const) {
    if (key === undefined || !Object.hasOwn(params, key)) continue;
    const v = params[key] ?? '';
    if (isName) {
      name = v;
      numName++;
    } else {
      namespace = v;
      numNamespace++;
    }
  }
  if (numName > 1 || numNamespace > 1) {
    throw new CsiControllerError(
      `${p.name} secrets specified in parameters with both "csi" and "${CsiParameterPrefix}" keys`,
    );
  }
  if (numName !== numNamespace) {
    throw new CsiControllerError(
      `either name and namespace for ${p.name} secrets specified, Both must be specified`,
    );
  }
  if (numName === 0) return undefined;
  if (name === '' || namespace === '') {
    throw new CsiControllerError(
      `${p.name} secrets specified in parameters but value of either namespace or name is empty`,
    );
  }
  return { name, namespace };
}

/** os.Expand over `${token}`; unknown tokens fail with upstream's message. */
export function resolveTemplate(template: string, params: Record<string, string>): string {
  const missing = new Set<string>();
  const out = template.replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (_m, braced: string | undefined, bare) => {
    const k = braced ?? (bare as string);
    if (!Object.hasOwn(params, k)) {
      missing.add(k);
      return '';
    }
    return params[k] ?? '';
  });
  if (missing.size > 0) {
    throw new CsiControllerError(
      `invalid tokens: [${[...missing]
        .sort()
        .map((k) => JSON.stringify(k))
        .join(' ')}]`,
    );
  }
  return out;
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * getSecretReference: the secret a StorageClass names for one purpose (falling back to the default
 * `csi.storage.k8s.io/secret-*` keys), with `${pv.name}`, `${pvc.name}`, `${pvc.namespace}` and
 * `${pvc.annotations['k']}` resolved. Undefined when the class names none.
 */
export function getSecretReference(
  p: SecretParams,
  params: Record<string, string> | undefined,
  pvName: string,
  pvc: Pick<PersistentVolumeClaim, 'metadata'> | undefined,
): SecretReference | undefined {
  const all = params ?? {};
  let t: { name: string; namespace: string } | undefined;
  try {
    t = templates(p, all);
  } catch (err) {
    throw new CsiControllerError(`failed to get name and namespace template from params: ${errMsg(err)}`);
  }
  if (t === undefined) {
    try {
      t = templates(DefaultSecretParams, all);
    } catch (err) {
      throw new CsiControllerError(
        `failed to get default name and namespace template from params: ${errMsg(err)}`,
      );
    }
  }
  if (t === undefined) return undefined;
  const nsParams: Record<string, string> = { 'pv.name': pvName };
  if (pvc !== undefined) nsParams['pvc.namespace'] = pvc.metadata.namespace ?? '';
  const namespace = resolveChecked(t.namespace, nsParams, dns1123Label, 'namespace');
  const nameParams: Record<string, string> = { 'pv.name': pvName };
  if (pvc !== undefined) {
    nameParams['pvc.name'] = pvc.metadata.name ?? '';
    nameParams['pvc.namespace'] = pvc.metadata.namespace ?? '';
    for (const [k, v] of Object.entries(pvc.metadata.annotations ?? {}))
      nameParams[`pvc.annotations['${k}']`] = v;
  }
  const name = resolveChecked(t.name, nameParams, dns1123Subdomain, 'secret');
  return { name, namespace };
}

function resolveChecked(
  template: string,
  params: Record<string, string>,
  valid: RegExp,
  what: string,
): string {
  let resolved: string;
  try {
    resolved = resolveTemplate(template, params);
  } catch (err) {
    throw new CsiControllerError(`error resolving value ${JSON.stringify(template)}: ${errMsg(err)}`);
  }
  if (!valid.test(resolved) || resolved.length > (what === 'namespace' ? 63 : 253)) {
    if (template !== resolved) {
      throw new CsiControllerError(
        `${JSON.stringify(template)} resolved to ${JSON.stringify(resolved)} which is not a valid ${what} name`,
      );
    }
    throw new CsiControllerError(`${JSON.stringify(template)} is not a valid ${what} name`);
  }
  return resolved;
}

/** The Data of a Secret as CSI secrets (base64 on the wire). Never logged. */
async function secretData(
  client: Client,
  ref: SecretReference,
  signal: AbortSignal | undefined,
): Promise<Record<string, string>> {
  const secret = await client
    .resource<Secret>(Resources.secrets, ref.namespace ?? '')
    .get(ref.name ?? '', signal !== undefined ? { signal } : {});
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

/** getCredentials: the secret's data as CSI secrets; a failed read is a CsiControllerError. */
export async function getCredentials(
  client: Client,
  ref: SecretReference | undefined,
  signal?: AbortSignal,
): Promise<Record<string, string> | undefined> {
  if (ref === undefined) return undefined;
  try {
    return await secretData(client, ref, signal);
  } catch (err) {
    throw new CsiControllerError(
      `error getting secret ${ref.name ?? ''} in namespace ${ref.namespace ?? ''}: ${errMsg(err)}`,
      { cause: err },
    );
  }
}

/**
 * The secret's data as CSI secrets for the resizer and snapshotter (undefined without a named secret).
 * Throws the API error when it cannot be read.
 */
export async function readSecret(
  client: Client,
  ref: SecretReference | undefined,
  signal?: AbortSignal,
): Promise<Record<string, string> | undefined> {
  if (ref === undefined || (ref.name ?? '') === '') return undefined;
  return secretData(client, ref, signal);
}

/** Bytes of a quantity string (rounded up, as resource.Quantity.Value()); 0 when unset. */
export function quantityBytes(q: string | undefined): bigint {
  if (q === undefined || q === '') return 0n;
  return Quantity.parse(q).value();
}

/** resource.NewQuantity(bytes, BinarySI).String(). */
export function bytesToQuantity(bytes: bigint | number | string): string {
  return Quantity.fromValue(BigInt(bytes), 'BinarySI').toString();
}

/** SanitizeDriverName: every character outside [a-zA-Z0-9-] becomes '-', and no trailing '-'. */
export function sanitizeDriverName(driver: string): string {
  let name = driver.replace(/[^a-zA-Z0-9-]/g, '-');
  if (name.endsWith('-')) name += 'X';
  return name;
}

/** The finalizer external-attacher puts on VolumeAttachments and PVs of `driver`. */
export function attacherFinalizer(driver: string): string {
  return `external-attacher/${sanitizeDriverName(driver)}`;
}

/**
 * A JSON merge patch turning map `from` into map `to` (removed keys become null); undefined `to`
 * deletes the whole map.
 */
export function mapMergePatch(
  from: Record<string, string> | undefined,
  to: Record<string, string> | undefined,
): Record<string, string | null> | null {
  if (to === undefined) return null;
  const out: Record<string, string | null> = { ...to };
  for (const k of Object.keys(from ?? {})) if (!Object.hasOwn(to, k)) out[k] = null;
  return out;
}
