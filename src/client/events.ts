// The event recorder, as client-go's tools/record package with core/v1 Events: recorder.event() builds the
// Event at once, runs it through the EventCorrelator (spam filter, aggregation of similar events,
// de-duplication into count/lastTimestamp patches) and queues the write. Writes happen one at a time, in
// order, in the background; they never block or throw into the caller: failures are logged, transport
// failures retried (12 tries, 10 s apart) as upstream.
import {
  deepCopy,
  formatTime,
  isAlreadyExists,
  isNotFound,
  isStatusError,
  type KubeObject,
  Resources,
} from '../api/index.ts';
import { type Clock, logger, realClock } from '../component/index.ts';
import type { Client } from './client.ts';
import { isConnectionError } from './http.ts';
import { TokenBucket } from './ratelimit.ts';

const log = logger('events');

export type EventType = 'Normal' | 'Warning';

export const EventTypeNormal: EventType = 'Normal';
export const EventTypeWarning: EventType = 'Warning';

export interface EventSource {
  component: string;
  host?: string;
}

/** core/v1 ObjectReference, as involvedObject. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** core/v1 Event, the fields the recorder writes. */
export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  source: EventSource;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  type: string;
  reportingComponent: string;
  reportingInstance: string;
}

export interface EventRecorder {
  /** Records an event about obj. Never blocks, never throws; the write happens in the background. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
  /** event() with a Go-style format (`%s`, `%v`, `%d`, `%q`, `%%`). */
  eventf(obj: KubeObject, type: EventType, reason: string, format: string, ...args: unknown[]): void;
  annotatedEventf(
    obj: KubeObject,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    format: string,
    ...args: unknown[]
  ): void;
}

export interface EventRecorderOptions {
  client: Client;
  source: EventSource;
  clock?: Clock;
  /** Spam filter per source + object: burst 25, refill 1 per 300 s (client-go defaults). */
  spamBurst?: number;
  spamQps?: number;
  /** Aggregation: this many distinct messages of one reason within the interval are combined; 10 / 600 s. */
  aggregateMaxEvents?: number;
  aggregateIntervalSeconds?: number;
  /** LRU size of each correlator cache; 4096. */
  cacheSize?: number;
  /** Sleep between tries of a write that failed in transport; 10 s (the first one randomised). */
  retrySleepMs?: number;
  /** Tries per event; 12. */
  maxTries?: number;
  /** Events waiting to be written beyond this are dropped with an error log; 1000. */
  maxQueued?: number;
}

/** A Map that forgets its least recently used entry beyond `max` (groupcache/lru). */
class Lru<V> {
  readonly #max: number;
  readonly #m = new Map<string, V>();

  constructor(max: number) {
    this.#max = max;
  }

  get(k: string): V | undefined {
    const v = this.#m.get(k);
    if (v !== undefined) {
      this.#m.delete(k);
      this.#m.set(k, v);
    }
    return v;
  }

  set(k: string, v: V): void {
    this.#m.delete(k);
    this.#m.set(k, v);
    if (this.#m.size > this.#max) this.#m.delete(this.#m.keys().next().value!);
  }
}

function eventKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [
    e.source.component,
    e.source.host ?? '',
    o.kind ?? '',
    o.namespace ?? '',
    o.name ?? '',
    o.fieldPath ?? '',
    o.uid ?? '',
    o.apiVersion ?? '',
    e.type,
    e.reason,
    e.message,
  ].join('');
}

function spamKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [
    e.source.component,
    e.source.host ?? '',
    o.kind ?? '',
    o.namespace ?? '',
    o.name ?? '',
    o.uid ?? '',
    o.apiVersion ?? '',
  ].join('');
}

function aggregateKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [
    e.source.component,
    e.source.host ?? '',
    o.kind ?? '',
    o.namespace ?? '',
    o.name ?? '',
    o.uid ?? '',
    o.apiVersion ?? '',
    e.type,
    e.reason,
    e.reportingComponent,
    e.reportingInstance,
  ].join('');
}

interface EventLog {
  count: number;
  firstTimestamp: string;
  name: string;
  resourceVersion: string;
}

interface Correlated {
  event: CoreEvent;
  /** Strategic merge patch for an existing event, when count > 1. */
  patch: Record<string, unknown> | undefined;
}

/** client-go's EventCorrelator: aggregator, then logger (dedup), then spam filter. */
export class EventCorrelator {
  readonly #clock: Clock;
  readonly #spam: Lru<TokenBucket>;
  readonly #aggregate: Lru<{ localKeys: Set<string>; last: number }>;
  readonly #logs: Lru<EventLog>;
  readonly #spamBurst: number;
  readonly #spamQps: number;
  readonly #maxEvents: number;
  readonly #intervalMs: number;
  readonly #nextName: (objName: string) => string;

  constructor(
    clock: Clock,
    opts: {
      spamBurst?: number;
      spamQps?: number;
      aggregateMaxEvents?: number;
      aggregateIntervalSeconds?: number;
      cacheSize?: number;
    },
    nextName: (objName: string) => string,
  ) {
    this.#clock = clock;
    const size = opts.cacheSize ?? 4096;
    this.#spam = new Lru(size);
    this.#aggregate = new Lru(size);
    this.#logs = new Lru(size);
    this.#spamBurst = opts.spamBurst ?? 25;
    this.#spamQps = opts.spamQps ?? 1 / 300;
    this.#maxEvents = opts.aggregateMaxEvents ?? 10;
    this.#intervalMs = (opts.aggregateIntervalSeconds ?? 600) * 1000;
    this.#nextName = nextName;
  }

  /** Returns the event to write (and a patch when it updates an existing one), or undefined to skip it. */
  correlate(newEvent: CoreEvent): Correlated | undefined {
    const [aggregated, key] = this.#aggregateEvent(newEvent);
    const observed = this.#observe(aggregated, key);
    if (this.#filter(observed.event)) return undefined;
    return observed;
  }

  /** Records what the server returned, so the next duplicate patches the right name and version. */
  updateState(e: CoreEvent): void {
    this.#logs.set(eventKey(e), {
      count: e.count,
      firstTimestamp: e.firstTimestamp,
      name: e.metadata.name ?? '',
      resourceVersion: e.metadata.resourceVersion ?? '',
    });
  }

  #aggregateEvent(e: CoreEvent): [CoreEvent, string] {
    const now = this.#clock.now();
    const ekey = eventKey(e);
    const akey = aggregateKey(e);
    let record = this.#aggregate.get(akey);
    if (record === undefined || now - record.last > this.#intervalMs)
      record = { localKeys: new Set(), last: 0 };
    record.localKeys.add(e.message);
    record.last = now;
    this.#aggregate.set(akey, record);
    if (record.localKeys.size < this.#maxEvents) return [e, ekey];
    // Keep the set from growing past the threshold.
    const any = record.localKeys.values().next().value;
    if (any !== undefined) record.localKeys.delete(any);
    const ts = formatTime(now);
    const combined: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: this.#nextName(e.involvedObject.name ?? ''),
        namespace: e.metadata.namespace ?? 'default',
      },
      involvedObject: e.involvedObject,
      reason: e.reason,
      message: `(combined from similar events): ${e.message}`,
      source: e.source,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type: e.type,
      reportingComponent: '',
      reportingInstance: '',
    };
    return [combined, akey];
  }

  #observe(newEvent: CoreEvent, key: string): Correlated {
    const event = deepCopy(newEvent);
    const last = this.#logs.get(key);
    let patch: Record<string, unknown> | undefined;
    if (last !== undefined && last.count > 0) {
      event.metadata.name = last.name;
      if (last.resourceVersion === '') delete event.metadata.resourceVersion;
      else event.metadata.resourceVersion = last.resourceVersion;
      event.firstTimestamp = last.firstTimestamp;
      event.count = last.count + 1;
      // CreateTwoWayMergePatch(old with count 0, lastTimestamp epoch and no message -> event).
      patch = { count: event.count, lastTimestamp: event.lastTimestamp, message: event.message };
    }
    this.#logs.set(key, {
      count: event.count,
      firstTimestamp: event.firstTimestamp,
      name: event.metadata.name ?? '',
      resourceVersion: event.metadata.resourceVersion ?? '',
    });
    return { event, patch };
  }

  /** True when the source has used up its budget of events about this object. */
  #filter(e: CoreEvent): boolean {
    const key = spamKey(e);
    let bucket = this.#spam.get(key);
    if (bucket === undefined) bucket = new TokenBucket(this.#spamQps, this.#spamBurst, this.#clock);
    const filtered = !bucket.tryAccept();
    this.#spam.set(key, bucket);
    return filtered;
  }
}

/** Go's fmt.Sprintf for the verbs event messages use. */
export function sprintf(format: string, ...args: unknown[]): string {
  let i = 0;
  const out = format.replace(
    /%([-+# 0]*)(\d*)(?:\.(\d+))?([%vsdqfgtTxXe])/g,
    (_m, _flags: string, _w: string, prec: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      if (i >= args.length) return `%!${verb}(MISSING)`;
      const a = args[i++];
      switch (verb) {
        case 'q':
          return JSON.stringify(typeof a === 'string' ? a : String(a));
        case 'd':
          return typeof a === 'number' ? String(Math.trunc(a)) : String(a);
        case 'f':
        case 'e':
        case 'g':
          return typeof a === 'number'
            ? prec !== undefined
              ? a.toFixed(Number(prec))
              : String(a)
            : String(a);
        case 'x':
        case 'X': {
          const s = typeof a === 'number' ? a.toString(16) : Buffer.from(String(a)).toString('hex');
          return verb === 'X' ? s.toUpperCase() : s;
        }
        case 'T':
          return typeof a;
        case 't':
          return String(a);
        default:
          if (a instanceof Error) return a.message;
          if (a !== null && typeof a === 'object') return JSON.stringify(a);
          return String(a);
      }
    },
  );
  if (i < args.length) {
    return `${out}%!(EXTRA ${args
      .slice(i)
      .map((a) => `${typeof a}=${String(a)}`)
      .join(', ')})`;
  }
  return out;
}

/** The recorder. One per component; shares its correlator across every event it records. */
export class Recorder implements EventRecorder {
  readonly #client: Client;
  readonly #source: EventSource;
  readonly #clock: Clock;
  readonly #correlator: EventCorrelator;
  readonly #retrySleepMs: number;
  readonly #maxTries: number;
  readonly #maxQueued: number;
  readonly #queue: Correlated[] = [];
  readonly #stop = new AbortController();
  #draining: Promise<void> | undefined;
  #lastNanos = 0n;

  constructor(opts: EventRecorderOptions) {
    this.#client = opts.client;
    this.#source = { ...opts.source };
    this.#clock = opts.clock ?? realClock;
    this.#retrySleepMs = opts.retrySleepMs ?? 10_000;
    this.#maxTries = opts.maxTries ?? 12;
    this.#maxQueued = opts.maxQueued ?? 1000;
    this.#correlator = new EventCorrelator(this.#clock, opts, (n) => this.#name(n));
  }

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.#generate(obj, undefined, type, reason, message);
  }

  eventf(obj: KubeObject, type: EventType, reason: string, format: string, ...args: unknown[]): void {
    this.#generate(obj, undefined, type, reason, sprintf(format, ...args));
  }

  annotatedEventf(
    obj: KubeObject,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    format: string,
    ...args: unknown[]
  ): void {
    this.#generate(obj, annotations, type, reason, sprintf(format, ...args));
  }

  /** Resolves when every event recorded so far has been written (or given up on). */
  async flush(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  /** Stops writing: queued events are dropped, a write in progress is not retried. */
  shutdown(): void {
    this.#stop.abort();
    this.#queue.length = 0;
  }

  /** `<name>.<hex nanoseconds>`, strictly increasing so two events never share a name. */
  #name(objName: string): string {
    let nanos = BigInt(this.#clock.now()) * 1_000_000n;
    if (nanos <= this.#lastNanos) nanos = this.#lastNanos + 1n;
    this.#lastNanos = nanos;
    return `${objName}.${nanos.toString(16)}`;
  }

  #generate(
    obj: KubeObject,
    annotations: Record<string, string> | undefined,
    type: EventType,
    reason: string,
    message: string,
  ): void {
    try {
      if (this.#stop.signal.aborted) return;
      if (
        obj.kind === undefined ||
        obj.kind === '' ||
        obj.apiVersion === undefined ||
        obj.apiVersion === ''
      ) {
        log.error(
          'Could not construct reference, will not report event',
          new Error('object has no kind or apiVersion'),
          {
            object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`,
            eventType: type,
            reason,
            message,
          },
        );
        return;
      }
      if (type !== 'Normal' && type !== 'Warning') {
        log.error('Unsupported event type', new Error(`unsupported event type ${String(type)}`), {
          eventType: type,
        });
        return;
      }
      const ref: ObjectReference = { kind: obj.kind, apiVersion: obj.apiVersion };
      const m = obj.metadata;
      if (m.namespace !== undefined && m.namespace !== '') ref.namespace = m.namespace;
      if (m.name !== undefined) ref.name = m.name;
      if (m.uid !== undefined) ref.uid = m.uid;
      if (m.resourceVersion !== undefined) ref.resourceVersion = m.resourceVersion;
      const now = this.#clock.now();
      const ts = formatTime(now);
      const meta: KubeObject['metadata'] = {
        name: this.#name(ref.name ?? ''),
        namespace: ref.namespace ?? 'default',
      };
      if (annotations !== undefined) meta.annotations = { ...annotations };
      const event: CoreEvent = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: meta,
        involvedObject: ref,
        reason,
        message,
        source: { ...this.#source },
        firstTimestamp: ts,
        lastTimestamp: ts,
        count: 1,
        type,
        reportingComponent: this.#source.component,
        reportingInstance: this.#source.host ?? '',
      };
      const result = this.#correlator.correlate(event);
      if (result === undefined) return;
      if (this.#queue.length >= this.#maxQueued) {
        log.error('Unable to record event: too many queued events, dropped event', new Error('queue full'), {
          reason,
          object: `${ref.namespace ?? ''}/${ref.name ?? ''}`,
        });
        return;
      }
      this.#queue.push(result);
      if (this.#draining === undefined) {
        this.#draining = this.#drain().finally(() => {
          this.#draining = undefined;
        });
      }
    } catch (err) {
      log.error('Unable to record event', err, { reason });
    }
  }

  async #drain(): Promise<void> {
    for (;;) {
      const next = this.#queue.shift();
      if (next === undefined) return;
      try {
        await this.#recordToSink(next);
      } catch (err) {
        log.error('Unable to write event', err, { reason: next.event.reason });
      }
    }
  }

  async #recordToSink(c: Correlated): Promise<void> {
    for (let tries = 1; ; tries++) {
      if (this.#stop.signal.aborted) return;
      if (await this.#recordEvent(c)) return;
      if (tries >= this.#maxTries) {
        log.error('Unable to write event (retry limit exceeded!)', new Error('retry limit exceeded'), {
          reason: c.event.reason,
        });
        return;
      }
      // Randomise the first sleep so that clients do not retry in step after an apiserver outage.
      const delay = tries === 1 ? Math.floor(this.#retrySleepMs * Math.random()) : this.#retrySleepMs;
      try {
        await this.#clock.sleep(delay, this.#stop.signal);
      } catch {
        return;
      }
    }
  }

  /** One try. True when written or abandoned, false when it should be retried. */
  async #recordEvent(c: Correlated): Promise<boolean> {
    const event = c.event;
    const events = this.#client.resource<CoreEvent>(Resources.events, event.metadata.namespace);
    let written: CoreEvent | undefined;
    let error: unknown;
    if (event.count > 1 && c.patch !== undefined) {
      try {
        written = await events.patch(
          event.metadata.name ?? '',
          'application/strategic-merge-patch+json',
          c.patch,
        );
      } catch (err) {
        error = err;
      }
    }
    if (event.count <= 1 || c.patch === undefined || isNotFound(error)) {
      error = undefined;
      const fresh = deepCopy(event);
      delete fresh.metadata.resourceVersion;
      try {
        written = await events.create(fresh);
      } catch (err) {
        error = err;
      }
    }
    if (error === undefined && written !== undefined) {
      this.#correlator.updateState(written);
      return true;
    }
    if (isConnectionError(error) || !isStatusError(error)) {
      log.error('Unable to write event (may retry after sleeping)', error, { reason: event.reason });
      return false;
    }
    if (isAlreadyExists(error))
      log.v(5, 'Server rejected event (will not retry!)', { reason: event.reason, err: error });
    else log.error('Server rejected event (will not retry!)', error, { reason: event.reason });
    return true;
  }
}

/** A recorder for components that run without an API (tests, dry runs): events are only logged. */
export class LoggingRecorder implements EventRecorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    log.info('Event occurred', {
      object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`,
      kind: obj.kind,
      type,
      reason,
      message,
    });
  }

  eventf(obj: KubeObject, type: EventType, reason: string, format: string, ...args: unknown[]): void {
    this.event(obj, type, reason, sprintf(format, ...args));
  }

  annotatedEventf(
    obj: KubeObject,
    _annotations: Record<string, string>,
    type: EventType,
    reason: string,
    format: string,
    ...args: unknown[]
  ): void {
    this.event(obj, type, reason, sprintf(format, ...args));
  }
}
