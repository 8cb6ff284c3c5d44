// Label and field selectors compiled once per request into one predicate over objects.
import {
  behaviorFor,
  fieldLabelAliases,
  isFieldSelectorParseError,
  isLabelSelectorParseError,
  type KubeObject,
  newBadRequest,
  parseFieldSelector,
  parseLabelSelector,
  type ResourceName,
  type ResourceType,
  supportedFieldLabels,
  unsupportedFieldLabel,
} from '../api/index.ts';

export interface Selectors {
  readonly empty: boolean;
  matches(obj: KubeObject): boolean;
}

const supportedCache = new Map<ResourceType, Set<string>>();

/** Field names a kind can be selected on: metadata.name, metadata.namespace and the kind's own labels. */
export function supportedFields(rt: ResourceType): Set<string> {
  let s = supportedCache.get(rt);
  if (s === undefined) {
    s = new Set([
      'metadata.name',
      'metadata.namespace',
      ...(supportedFieldLabels[rt.plural as ResourceName] ?? []),
    ]);
    for (const alias of Object.keys(fieldLabelAliases[rt.plural as ResourceName] ?? {})) s.add(alias);
    supportedCache.set(rt, s);
  }
  return s;
}

export function fieldSet(rt: ResourceType, obj: KubeObject): Record<string, string> {
  const f: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (rt.namespaced) f['metadata.namespace'] = obj.metadata.namespace ?? '';
  const fl = behaviorFor(rt).fieldLabels;
  if (fl !== undefined) Object.assign(f, fl(obj));
  for (const [alias, real] of Object.entries(fieldLabelAliases[rt.plural as ResourceName] ?? {}))
    f[alias] = f[real] ?? '';
  return f;
}

export function compileSelectors(rt: ResourceType, label?: string, field?: string): Selectors {
  let ls: ReturnType<typeof parseLabelSelector> | undefined;
  let fs: ReturnType<typeof parseFieldSelector> | undefined;
  try {
    if (label !== undefined && label !== '') ls = parseLabelSelector(label);
  } catch (err) {
    if (isLabelSelectorParseError(err)) throw newBadRequest(`unable to parse requirement: ${err.message}`);
    throw err;
  }
  try {
    if (field !== undefined && field !== '') fs = parseFieldSelector(field);
  } catch (err) {
    if (isFieldSelectorParseError(err)) throw newBadRequest(err.message);
    throw err;
  }
  if (fs !== undefined) {
    const bad = fs.unsupportedFields(supportedFields(rt));
    if (bad.length > 0) throw newBadRequest(unsupportedFieldLabel(bad[0]!));
  }
  const lsel = ls !== undefined && !ls.empty() ? ls : undefined;
  const fsel = fs !== undefined && !fs.empty() ? fs : undefined;
  if (lsel === undefined && fsel === undefined) return { empty: true, matches: () => true };
  return {
    empty: false,
    matches: (obj) =>
      (lsel === undefined || lsel.matches(obj.metadata.labels)) &&
      (fsel === undefined || fsel.matches(fieldSet(rt, obj))),
  };
}
