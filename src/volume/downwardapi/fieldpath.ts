// What a downwardAPI file holds (upstream pkg/fieldpath and pkg/api/v1/resource): pod metadata fields,
// label and annotation maps as sorted `key="value"` lines with Go's %q quoting, and container resource
// limits/requests divided by a divisor and rounded up, a missing limit reading as node allocatable.
import type { Container, Pod, ResourceFieldSelector, ResourceList } from '../../api/index.ts';
import { parseQuantity, type Quantity } from '../../api/index.ts';

/** `metadata.labels['app']` -> ['metadata.labels', 'app'] (upstream SplitMaybeSubscriptedPath). */
export function splitMaybeSubscriptedPath(
  fieldPath: string,
): { path: string; subscript: string } | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const i = s.indexOf("['");
  if (i <= 0) return undefined;
  return { path: s.slice(0, i), subscript: s.slice(i + 2) };
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const shortEscapes: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** Go's strconv.Quote (`%q` of a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const raw of s) {
    // A lone surrogate is not valid UTF-8; it reaches the file as U+FFFD.
    const ch = /^[\ud800-\udfff]$/.test(raw) ? '\ufffd' : raw;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
      continue;
    }
    if (printable.test(ch)) {
      out += ch;
      continue;
    }
    const short = shortEscapes[ch];
    if (short !== undefined) {
      out += short;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp > 0xffff) out += `\\U${cp.toString(16).padStart(8, '0')}`;
    else out += `\\u${cp.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** Sorted `key="value"` lines without a trailing newline (upstream fieldpath.FormatMap). */
export function formatMap(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((k) => `${k}=${goQuote(m?.[k] ?? '')}`).join('\n');
}

const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Upstream validation.IsQualifiedName, reduced to pass/fail with its main message. */
function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  let name = value;
  if (parts.length === 2) {
    const [prefix, n] = parts as [string, string];
    if (prefix.length === 0) return ['prefix part must be non-empty'];
    if (prefix.length > 253 || !dns1123Subdomain.test(prefix)) {
      return [
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      ];
    }
    name = n;
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) return ['name part must be non-empty'];
  if (name.length > 63) return ['name part must be no more than 63 characters'];
  if (!qualifiedNamePart.test(name)) {
    return [
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ];
  }
  return [];
}

/**
 * The value of a pod field for a downwardAPI volume file (upstream fieldpath.ExtractFieldPathAsString).
 * Only metadata fields are supported in volumes; API validation rejects the others.
 */
export function extractFieldPathAsString(pod: Pod, fieldPath: string): string {
  const sub = splitMaybeSubscriptedPath(fieldPath);
  if (sub !== undefined) {
    if (sub.path === 'metadata.annotations') {
      const errs = qualifiedNameErrors(sub.subscript.toLowerCase());
      if (errs.length > 0) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
      return pod.metadata.annotations?.[sub.subscript] ?? '';
    }
    if (sub.path === 'metadata.labels') {
      const errs = qualifiedNameErrors(sub.subscript);
      if (errs.length > 0) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
      return pod.metadata.labels?.[sub.subscript] ?? '';
    }
    throw new Error(`fieldPath ${JSON.stringify(fieldPath)} does not support subscript`);
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

function findContainerInPod(pod: Pod, containerName: string | undefined): Container {
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    if (c.name === containerName) return c;
  }
  throw new Error(`container ${containerName ?? ''} not found`);
}

const mergedFromAllocatable = ['cpu', 'memory', 'ephemeral-storage'];

function quantityOf(list: ResourceList | undefined, name: string): Quantity {
  const v = list?.[name];
  return v === undefined || v === '' ? parseQuantity('0') : parseQuantity(v);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Error('division by zero divisor');
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}

/**
 * The value of a container resource for a downwardAPI file (upstream
 * ExtractResourceValueByContainerNameAndNodeAllocatable): limits the container does not set read as
 * node allocatable; the result is divided by the divisor (default 1) and rounded up.
 */
export function extractResourceValue(
  fs: ResourceFieldSelector,
  pod: Pod,
  nodeAllocatable: ResourceList,
): string {
  const container = findContainerInPod(pod, fs.containerName);
  const limits: ResourceList = { ...(container.resources?.limits ?? {}) };
  const requests: ResourceList = container.resources?.requests ?? {};
  for (const name of mergedFromAllocatable) {
    const alloc = nodeAllocatable[name];
    if ((limits[name] === undefined || limits[name] === '') && alloc !== undefined) limits[name] = alloc;
  }
  let divisor =
    fs.divisor === undefined || fs.divisor === '' ? parseQuantity('1') : parseQuantity(fs.divisor);
  if (divisor.isZero()) divisor = parseQuantity('1');

  const [kind, ...rest] = fs.resource.split('.');
  const name = rest.join('.');
  const list = kind === 'limits' ? limits : kind === 'requests' ? requests : undefined;
  if (list !== undefined) {
    if (name === 'cpu') return ceilDiv(quantityOf(list, 'cpu').milliValue(), divisor.milliValue()).toString();
    if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) {
      return ceilDiv(quantityOf(list, name).value(), divisor.value()).toString();
    }
  }
  throw new Error(`unsupported container resource : ${fs.resource}`);
}
