// The JSON options a driver receives (upstream NewOptionsForDriver, addSecretsToOptions): fsType,
// readwrite, the spec name, call-specific extras (pod, service account, fsGroup, secrets), then the
// user's flexVolume.options, which win over everything else. Marshalled as Go's json.Marshal does
// (keys sorted, `<`, `>`, `&` escaped) so drivers see byte-for-byte what upstream sends.
import type { FlexPersistentVolumeSource, FlexVolumeSource } from '../../api/index.ts';
import type { VolumeHost } from '../plugins.ts';
import type { Spec } from '../volume.ts';
import { specName } from '../volume.ts';
import { OptionKey } from './constants.ts';
import { FlexVolumeSpecError } from './errors.ts';

const notFlexVolume = (): FlexVolumeSpecError => new FlexVolumeSpecError('not a flex volume');

/** The flexVolume source of an inline volume or a PV, or undefined. */
export function getFlexSource(spec: Spec): FlexVolumeSource | FlexPersistentVolumeSource | undefined {
  return spec.volume?.flexVolume ?? spec.persistentVolume?.spec?.flexVolume;
}

export function getDriver(spec: Spec): string {
  const src = getFlexSource(spec);
  if (src === undefined) throw notFlexVolume();
  return src.driver;
}

export function getFSType(spec: Spec): string {
  const src = getFlexSource(spec);
  if (src === undefined) throw notFlexVolume();
  return src.fsType ?? '';
}

/** Inline volumes carry readOnly in the source; for PVs it is the spec's (set from the claim). */
export function getReadOnly(spec: Spec): boolean {
  if (spec.volume?.flexVolume !== undefined) return spec.volume.flexVolume.readOnly ?? false;
  if (spec.persistentVolume?.spec?.flexVolume !== undefined) return spec.readOnly;
  throw notFlexVolume();
}

export function getOptions(spec: Spec): Record<string, string> {
  const src = getFlexSource(spec);
  if (src === undefined) throw notFlexVolume();
  return src.options ?? {};
}

/** The secret to pass, if any: inline volumes use the pod's namespace, PVs their own or the pod's. */
export function getSecretNameAndNamespace(
  spec: Spec,
  podNamespace: string,
): { name: string; namespace: string } | undefined {
  const inline = spec.volume?.flexVolume;
  if (inline !== undefined) {
    if (inline.secretRef === undefined) return undefined;
    return { name: inline.secretRef.name ?? '', namespace: podNamespace };
  }
  const pv = spec.persistentVolume?.spec?.flexVolume;
  if (pv !== undefined) {
    if (pv.secretRef === undefined) return undefined;
    const ns = pv.secretRef.namespace ?? '';
    return { name: pv.secretRef.name ?? '', namespace: ns === '' ? podNamespace : ns };
  }
  throw notFlexVolume();
}

export function newOptionsForDriver(spec: Spec, extra: Record<string, string> = {}): Record<string, string> {
  const options: Record<string, string> = {};
  options[OptionKey.fsType] = getFSType(spec);
  options[OptionKey.readWrite] = getReadOnly(spec) ? 'ro' : 'rw';
  options[OptionKey.pvOrVolumeName] = specName(spec);
  Object.assign(options, extra);
  Object.assign(options, getOptions(spec));
  return options;
}

/** json.Marshal of a map[string]string: sorted keys, HTML-safe escaping. */
export function marshalOptions(options: Record<string, string>): string {
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(options).sort()) sorted[k] = options[k] ?? '';
  return JSON.stringify(sorted)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/**
 * Adds `kubernetes.io/secret/<key>` = base64(value) for each key of the referenced secret. The secret
 * must have `type: <driver name>` (upstream GetSecretForPV); messages are upstream's.
 */
export async function addSecretsToOptions(
  options: Record<string, string>,
  spec: Spec,
  podNamespace: string,
  driverName: string,
  host: VolumeHost,
): Promise<void> {
  const ref = getSecretNameAndNamespace(spec, podNamespace);
  if (ref === undefined || ref.name === '' || ref.namespace === '') return;
  let data: Record<string, string>;
  try {
    const secret = await host.getSecret(ref.namespace, ref.name);
    if ((secret.type as string | undefined) !== driverName) {
      throw new Error(`cannot get secret of type ${driverName}`);
    }
    data = secret.data ?? {};
  } catch (err) {
    throw new FlexVolumeSpecError(
      `couldn't get secret ${ref.namespace}/${ref.name} err: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  for (const [key, value] of Object.entries(data)) {
    // data is base64 on the wire already; decoding and re-encoding normalises it.
    options[`${OptionKey.secret}/${key}`] = Buffer.from(value, 'base64').toString('base64');
  }
}
