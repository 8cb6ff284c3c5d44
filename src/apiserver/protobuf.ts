// Decoding of Kubernetes protobuf request bodies for the kinds kubectl's typed generators send that way
// (`kubectl create namespace|configmap|secret` POST `application/vnd.kubernetes.protobuf` and do not
// fall back to JSON). The envelope is upstream's: the magic `k8s\0`, then a runtime.Unknown message
// {typeMeta{apiVersion, kind}, raw, contentEncoding, contentType} whose `raw` is the object. Field
// numbers are those of k8s.io/api/core/v1/generated.proto. Responses are always JSON, which clients
// accept.
import { newUnsupportedMediaType, type ResourceType } from '../api/index.ts';

type FieldType =
  | 'string'
  | 'bytes'
  | 'int64'
  | 'bool'
  | 'time'
  | 'stringMap'
  | 'bytesMap'
  | 'strings'
  | { message: Descriptor }
  | { messages: Descriptor };

type Descriptor = Readonly<Record<number, readonly [string, FieldType]>>;

const ownerReference: Descriptor = {
  1: ['kind', 'string'],
  3: ['name', 'string'],
  4: ['uid', 'string'],
  5: ['apiVersion', 'string'],
  6: ['controller', 'bool'],
  7: ['blockOwnerDeletion', 'bool'],
};

const objectMeta: Descriptor = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  4: ['selfLink', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['generation', 'int64'],
  8: ['creationTimestamp', 'time'],
  9: ['deletionTimestamp', 'time'],
  10: ['deletionGracePeriodSeconds', 'int64'],
  11: ['labels', 'stringMap'],
  12: ['annotations', 'stringMap'],
  13: ['ownerReferences', { messages: ownerReference }],
  14: ['finalizers', 'strings'],
};

const kinds: Readonly<Record<string, Descriptor>> = {
  Namespace: {
    1: ['metadata', { message: objectMeta }],
    2: ['spec', { message: { 1: ['finalizers', 'strings'] } }],
  },
  ConfigMap: {
    1: ['metadata', { message: objectMeta }],
    2: ['data', 'stringMap'],
    3: ['binaryData', 'bytesMap'],
    4: ['immutable', 'bool'],
  },
  Secret: {
    1: ['metadata', { message: objectMeta }],
    2: ['data', 'bytesMap'],
    3: ['type', 'string'],
    4: ['stringData', 'stringMap'],
    5: ['immutable', 'bool'],
  },
};

const typeMeta: Descriptor = { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] };
const unknown: Descriptor = {
  1: ['typeMeta', { message: typeMeta }],
  2: ['raw', 'bytes'],
  3: ['contentEncoding', 'string'],
  4: ['contentType', 'string'],
};

class Reader {
  readonly #b: Buffer;
  pos: number;
  readonly end: number;

  constructor(b: Buffer, start = 0, end = b.length) {
    this.#b = b;
    this.pos = start;
    this.end = end;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.#b[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('varint too long');
    }
  }

  bytes(): Buffer {
    const n = Number(this.varint());
    if (n < 0 || this.pos + n > this.end) throw new Error('truncated length-delimited field');
    const out = this.#b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function decodeMapEntry(buf: Buffer): [string, Buffer] {
  const r = new Reader(buf);
  let key = '';
  let value: Buffer = Buffer.alloc(0);
  while (r.pos < r.end) {
    const tag = Number(r.varint());
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) key = r.bytes().toString('utf8');
    else if (field === 2 && (tag & 7) === 2) value = r.bytes();
    else r.skip(tag & 7);
  }
  return [key, value];
}

function decodeMessage(buf: Buffer, d: Descriptor): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (r.pos < r.end) {
    const tag = Number(r.varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    const spec = d[field];
    if (spec === undefined) {
      r.skip(wire);
      continue;
    }
    const [name, type] = spec;
    switch (type) {
      case 'string':
        out[name] = r.bytes().toString('utf8');
        break;
      case 'bytes':
        out[name] = Buffer.from(r.bytes());
        break;
      case 'int64':
        out[name] = Number(BigInt.asIntN(64, r.varint()));
        break;
      case 'bool':
        out[name] = r.varint() !== 0n;
        break;
      case 'time': {
        const t = decodeMessage(r.bytes(), { 1: ['seconds', 'int64'], 2: ['nanos', 'int64'] });
        const secs = (t['seconds'] as number | undefined) ?? 0;
        // The zero time is what Go sends for an unset timestamp; JSON has null there.
        if (secs !== 0 && secs !== -62135596800)
          out[name] = new Date(secs * 1000).toISOString().replace('.000Z', 'Z');
        break;
      }
      case 'stringMap': {
        const [k, v] = decodeMapEntry(r.bytes());
        ((out[name] ??= {}) as Record<string, string>)[k] = v.toString('utf8');
        break;
      }
      case 'bytesMap': {
        const [k, v] = decodeMapEntry(r.bytes());
        ((out[name] ??= {}) as Record<string, string>)[k] = v.toString('base64');
        break;
      }
      case 'strings':
        ((out[name] ??= []) as string[]).push(r.bytes().toString('utf8'));
        break;
      default:
        if ('message' in type) out[name] = decodeMessage(r.bytes(), type.message);
        else ((out[name] ??= []) as unknown[]).push(decodeMessage(r.bytes(), type.messages));
    }
  }
  return out;
}

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a protobuf body into the JSON-shaped object, or throws 415 for kinds it cannot decode. */
export function decodeProtobuf(rt: ResourceType, body: Buffer): Record<string, unknown> {
  const d = kinds[rt.kind];
  if (d === undefined || rt.group !== '') {
    throw newUnsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    );
  }
  if (body.length < 4 || !body.subarray(0, 4).equals(magic))
    throw new Error('missing the k8s protobuf magic prefix');
  const env = decodeMessage(body.subarray(4), unknown);
  const tm = (env['typeMeta'] as Record<string, string> | undefined) ?? {};
  const obj = decodeMessage((env['raw'] as Buffer | undefined) ?? Buffer.alloc(0), d);
  return { apiVersion: tm['apiVersion'] ?? rt.apiVersion, kind: tm['kind'] ?? rt.kind, ...obj };
}

export const protobufContentType = 'application/vnd.kubernetes.protobuf';
