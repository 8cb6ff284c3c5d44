// JSON patch (RFC 6902) with the semantics of evanphx/json-patch v4, the version kube-apiserver vendors:
// `replace` of a missing object member adds it (csi-snapshotter replaces /metadata/annotations on objects
// that have none), negative array indexes count from the end, `-` appends, a `null` member counts as
// missing when walking a path, and failures carry v4's exact error text. Root-path (`""`) operations
// behave as in v4: `replace` swaps the whole document, `test` compares it, `add`/`remove` fail.
import { JsonPatchError, PatchDecodeError, PatchTooLargeError } from './errors.ts';
import { deepCopy, deepEqual, isJsonObject, type JsonObject, type JsonValue } from './json.ts';

/** kube-apiserver's maxJSONPatchOperations. */
export const maxJsonPatchOperations = 10000;

type Container = JsonObject | JsonValue[];
type Op = Record<string, unknown>;

/** A failure inside the library whose text gets wrapped by the operation (Go's errors.Wrapf chain). */
class Fail {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

const errMissing = 'missing value';
const errInvalidIndex = 'invalid index referenced';
const errTestFailed = 'test failed';

/**
 * Applies the decoded JSON patch `ops` to `target` and returns the new document; inputs are not
 * modified. Throws PatchDecodeError (400) when `ops` is not an array of objects, PatchTooLargeError
 * (413) beyond 10000 operations, and JsonPatchError (422) when an operation does not apply.
 */
export function applyJsonPatch(target: unknown, ops: unknown): JsonValue {
  const decoded = decodeOps(ops);
  if (decoded.length > maxJsonPatchOperations) {
    throw new PatchTooLargeError(decoded.length, maxJsonPatchOperations);
  }
  let doc = deepCopy(target) as JsonValue;
  if (!isJsonObject(doc) && !Array.isArray(doc)) {
    throw new JsonPatchError('', 'json: cannot unmarshal into Go value of type jsonpatch.partialDoc');
  }
  const root = { doc: doc as Container };
  for (const op of decoded) {
    const kind = opKind(op);
    const r = applyOne(root, kind, op);
    if (r instanceof Fail) throw new JsonPatchError(kind, r.text);
  }
  doc = root.doc;
  return doc;
}

function goJsonTypeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function decodeOps(ops: unknown): Op[] {
  if (ops === null || ops === undefined) return [];
  if (!Array.isArray(ops)) {
    throw new PatchDecodeError(
      `json: cannot unmarshal ${goJsonTypeOf(ops)} into Go value of type jsonpatch.Patch`,
    );
  }
  return ops.map((o) => {
    if (o === null) return {};
    if (!isJsonObject(o)) {
      throw new PatchDecodeError(
        `json: cannot unmarshal ${goJsonTypeOf(o)} into Go value of type jsonpatch.Operation`,
      );
    }
    return deepCopy(o) as Op;
  });
}

function opKind(op: Op): string {
  const k = op['op'];
  return typeof k === 'string' ? k : 'unknown';
}

/** Operation.Path()/From(): a string, or the Go error text. */
function stringField(op: Op, field: 'path' | 'from'): string | Fail {
  const v = op[field];
  if (v === undefined || v === null) {
    return new Fail(
      field === 'path'
        ? `operation missing path field: ${errMissing}`
        : `operation, missing from field: ${errMissing}`,
    );
  }
  if (typeof v !== 'string') {
    return new Fail(`json: cannot unmarshal ${goJsonTypeOf(v)} into Go value of type string`);
  }
  return v;
}

function opValue(op: Op): JsonValue {
  const v = op['value'];
  return v === undefined ? null : (v as JsonValue);
}

function applyOne(root: { doc: Container }, kind: string, op: Op): Fail | undefined {
  switch (kind) {
    case 'add':
      return opAdd(root, op);
    case 'remove':
      return opRemove(root, op);
    case 'replace':
      return opReplace(root, op);
    case 'move':
      return opMove(root, op);
    case 'test':
      return opTest(root, op);
    case 'copy':
      return opCopy(root, op);
    default:
      return new Fail(`Unexpected kind: ${kind}`);
  }
}

function opAdd(root: { doc: Container }, op: Op): Fail | undefined {
  const path = stringField(op, 'path');
  if (path instanceof Fail) return new Fail(`add operation failed to decode path: ${errMissing}`);
  const found = findObject(root.doc, path);
  if (found === undefined) {
    return new Fail(`add operation does not apply: doc is missing path: "${path}": ${errMissing}`);
  }
  const r = add(found.con, found.key, opValue(op));
  return r === undefined ? undefined : new Fail(`error in add for path: '${path}': ${r.text}`);
}

function opRemove(root: { doc: Container }, op: Op): Fail | undefined {
  const path = stringField(op, 'path');
  if (path instanceof Fail) return new Fail(`remove operation failed to decode path: ${errMissing}`);
  const found = findObject(root.doc, path);
  if (found === undefined) {
    return new Fail(`remove operation does not apply: doc is missing path: "${path}": ${errMissing}`);
  }
  const r = remove(found.con, found.key);
  return r === undefined ? undefined : new Fail(`error in remove for path: '${path}': ${r.text}`);
}

function opReplace(root: { doc: Container }, op: Op): Fail | undefined {
  const path = stringField(op, 'path');
  if (path instanceof Fail) return new Fail(`replace operation failed to decode path: ${path.text}`);
  if (path === '') {
    const v = opValue(op);
    // v4 wraps a nil error here, so a scalar value is silently ignored.
    if (isJsonObject(v) || Array.isArray(v)) root.doc = v;
    return undefined;
  }
  const found = findObject(root.doc, path);
  if (found === undefined) {
    return new Fail(`replace operation does not apply: doc is missing path: ${path}: ${errMissing}`);
  }
  const got = get(found.con, found.key);
  if (got instanceof Fail) {
    return new Fail(`replace operation does not apply: doc is missing key: ${path}: ${errMissing}`);
  }
  // An object member that is missing passes get() in v4: replace acts as add.
  const r = set(found.con, found.key, opValue(op));
  return r === undefined ? undefined : new Fail(`error in remove for path: '${path}': ${r.text}`);
}

function opMove(root: { doc: Container }, op: Op): Fail | undefined {
  const from = stringField(op, 'from');
  if (from instanceof Fail) return new Fail(`move operation failed to decode from: ${from.text}`);
  const src = findObject(root.doc, from);
  if (src === undefined) {
    return new Fail(`move operation does not apply: doc is missing from path: ${from}: ${errMissing}`);
  }
  const val = get(src.con, src.key);
  if (val instanceof Fail) return new Fail(`error in move for path: '${src.key}': ${val.text}`);
  const rm = remove(src.con, src.key);
  if (rm !== undefined) return new Fail(`error in move for path: '${src.key}': ${rm.text}`);
  const path = stringField(op, 'path');
  if (path instanceof Fail) return new Fail(`move operation failed to decode path: ${path.text}`);
  const dst = findObject(root.doc, path);
  if (dst === undefined) {
    return new Fail(`move operation does not apply: doc is missing destination path: ${path}: ${errMissing}`);
  }
  const r = add(dst.con, dst.key, val ?? null);
  return r === undefined ? undefined : new Fail(`error in move for path: '${path}': ${r.text}`);
}

function opTest(root: { doc: Container }, op: Op): Fail | undefined {
  const path = stringField(op, 'path');
  if (path instanceof Fail) return new Fail(`test operation failed to decode path: ${path.text}`);
  const failed = new Fail(`testing value ${path} failed: ${errTestFailed}`);
  if (path === '') return deepEqual(root.doc, opValue(op)) ? undefined : failed;
  const found = findObject(root.doc, path);
  if (found === undefined) {
    return new Fail(`test operation does not apply: is missing path: ${path}: ${errMissing}`);
  }
  const val = get(found.con, found.key);
  if (val instanceof Fail) return new Fail(`error in test for path: '${path}': ${val.text}`);
  const want = opValue(op);
  if (val === undefined) return want === null ? undefined : failed;
  return deepEqual(val, want) ? undefined : failed;
}

function opCopy(root: { doc: Container }, op: Op): Fail | undefined {
  const from = stringField(op, 'from');
  if (from instanceof Fail) return new Fail(`copy operation failed to decode from: ${from.text}`);
  const src = findObject(root.doc, from);
  if (src === undefined) {
    return new Fail(`copy operation does not apply: doc is missing from path: ${from}: ${errMissing}`);
  }
  const val = get(src.con, src.key);
  if (val instanceof Fail) return new Fail(`error in copy for from: '${from}': ${val.text}`);
  const path = stringField(op, 'path');
  if (path instanceof Fail) return new Fail(`copy operation failed to decode path: ${errMissing}`);
  const dst = findObject(root.doc, path);
  if (dst === undefined) {
    return new Fail(`copy operation does not apply: doc is missing destination path: ${path}: ${errMissing}`);
  }
  const r = add(dst.con, dst.key, deepCopy(val ?? null));
  return r === undefined ? undefined : new Fail(`error while adding value during copy: ${r.text}`);
}

/** RFC 6901 unescaping: `~1` is `/`, `~0` is `~`, replaced in one pass. */
export function decodePointerToken(token: string): string {
  return token.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

/** RFC 6901 escaping of one reference token. */
export function encodePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function findObject(doc: Container, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let con: Container = doc;
  for (const part of split.slice(1, -1)) {
    const next = get(con, decodePointerToken(part));
    if (next instanceof Fail || next === undefined) return undefined;
    if (!isJsonObject(next) && !Array.isArray(next)) return undefined;
    con = next;
  }
  return { con, key: decodePointerToken(split[split.length - 1]!) };
}

/** strconv.Atoi. */
function atoi(s: string): number | Fail {
  if (!/^[+-]?\d+$/.test(s)) return new Fail(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n))
    return new Fail(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

const invalidIndex = (idx: number): Fail =>
  new Fail(`Unable to access invalid index: ${idx}: ${errInvalidIndex}`);

/** The value at key; undefined when an object member is missing or null (v4 treats both alike). */
function get(con: Container, key: string): JsonValue | undefined | Fail {
  if (!Array.isArray(con)) {
    const v = Object.hasOwn(con, key) ? con[key] : undefined;
    return v === null ? undefined : v;
  }
  let idx = atoi(key);
  if (idx instanceof Fail) return idx;
  if (idx < 0) {
    if (idx < -con.length) return invalidIndex(idx);
    idx += con.length;
  }
  if (idx >= con.length) return invalidIndex(idx);
  const v = con[idx];
  return v === null ? undefined : v;
}

function set(con: Container, key: string, val: JsonValue): Fail | undefined {
  if (!Array.isArray(con)) {
    con[key] = val;
    return undefined;
  }
  let idx = atoi(key);
  if (idx instanceof Fail) return idx;
  if (idx < 0) {
    if (idx < -con.length) return invalidIndex(idx);
    idx += con.length;
  }
  con[idx] = val;
  return undefined;
}

function add(con: Container, key: string, val: JsonValue): Fail | undefined {
  if (!Array.isArray(con)) {
    con[key] = val;
    return undefined;
  }
  if (key === '-') {
    con.push(val);
    return undefined;
  }
  let idx = atoi(key);
  if (idx instanceof Fail) return new Fail(`value was not a proper array index: '${key}': ${idx.text}`);
  const size = con.length + 1;
  if (idx >= size) return invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) return invalidIndex(idx);
    idx += size;
  }
  con.splice(idx, 0, val);
  return undefined;
}

function remove(con: Container, key: string): Fail | undefined {
  if (!Array.isArray(con)) {
    if (!Object.hasOwn(con, key)) return new Fail(`Unable to remove nonexistent key: ${key}: ${errMissing}`);
    delete con[key];
    return undefined;
  }
  let idx = atoi(key);
  if (idx instanceof Fail) return idx;
  if (idx >= con.length) return invalidIndex(idx);
  if (idx < 0) {
    if (idx < -con.length) return invalidIndex(idx);
    idx += con.length;
  }
  con.splice(idx, 1);
  return undefined;
}
