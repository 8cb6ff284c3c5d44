// The controller workqueue, as client-go's workqueue package: a deduplicating FIFO of keys (a key queued
// twice is processed once; a key re-added while being processed is processed again after done()), with
// delayed adds and per-key rate-limited retries, and the upstream workqueue_* metrics labelled by queue
// name. runWorkers() is the usual processNextWorkItem loop.
//
// Concurrency: a key is handed to at most one worker at a time, however many workers run. Time (delays,
// backoff, metric durations) comes from the injected Clock.
import {
  type Clock,
  Counter,
  Gauge,
  getOrCreate,
  Histogram,
  logger,
  metricsRegistry,
  realClock,
  type Timer,
} from '../component/index.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './ratelimit.ts';

const log = logger('workqueue');

// ---- metrics (k8s.io/component-base/metrics/prometheus/workqueue) -------------------------------------

/** prometheus.ExponentialBuckets(10e-9, 10, 10). */
const durationBuckets = Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i);

interface Live {
  name: string;
  unfinished(): number;
  longest(): number;
}

const liveQueues = new Set<Live>();

function metrics(): {
  depth: Gauge<'name'>;
  adds: Counter<'name'>;
  latency: Histogram<'name'>;
  workDuration: Histogram<'name'>;
  retries: Counter<'name'>;
  unfinished: Gauge<'name'>;
  longest: Gauge<'name'>;
} {
  return {
    depth: getOrCreate(
      'workqueue_depth',
      () =>
        new Gauge({
          name: 'workqueue_depth',
          help: 'Current depth of workqueue',
          labelNames: ['name'],
          registers: [metricsRegistry],
        }),
    ),
    adds: getOrCreate(
      'workqueue_adds_total',
      () =>
        new Counter({
          name: 'workqueue_adds_total',
          help: 'Total number of adds handled by workqueue',
          labelNames: ['name'],
          registers: [metricsRegistry],
        }),
    ),
    latency: getOrCreate(
      'workqueue_queue_duration_seconds',
      () =>
        new Histogram({
          name: 'workqueue_queue_duration_seconds',
          help: 'How long in seconds an item stays in workqueue before being requested.',
          labelNames: ['name'],
          buckets: durationBuckets,
          registers: [metricsRegistry],
        }),
    ),
    workDuration: getOrCreate(
      'workqueue_work_duration_seconds',
      () =>
        new Histogram({
          name: 'workqueue_work_duration_seconds',
          help: 'How long in seconds processing an item from workqueue takes.',
          labelNames: ['name'],
          buckets: durationBuckets,
          registers: [metricsRegistry],
        }),
    ),
    retries: getOrCreate(
      'workqueue_retries_total',
      () =>
        new Counter({
          name: 'workqueue_retries_total',
          help: 'Total number of retries handled by workqueue',
          labelNames: ['name'],
          registers: [metricsRegistry],
        }),
    ),
    unfinished: getOrCreate(
      'workqueue_unfinished_work_seconds',
      () =>
        new Gauge({
          name: 'workqueue_unfinished_work_seconds',
          help:
            "How many seconds of work has done that is in progress and hasn't been observed by work_duration. " +
            'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the ' +
            'rate at which this increases.',
          labelNames: ['name'],
          registers: [metricsRegistry],
          collect() {
            for (const q of liveQueues) this.set({ name: q.name }, q.unfinished());
          },
        }),
    ),
    longest: getOrCreate(
      'workqueue_longest_running_processor_seconds',
      () =>
        new Gauge({
          name: 'workqueue_longest_running_processor_seconds',
          help: 'How many seconds has the longest running processor for workqueue been running.',
          labelNames: ['name'],
          registers: [metricsRegistry],
          collect() {
            for (const q of liveQueues) this.set({ name: q.name }, q.longest());
          },
        }),
    ),
  };
}

// ---- the queue ---------------------------------------------------------------------------------------

export interface WorkQueueOptions<K> {
  /** Queue name: the `name` label of the metrics. Unnamed queues record no metrics, as upstream. */
  name?: string;
  clock?: Clock;
  /** Defaults to client-go's DefaultTypedControllerRateLimiter (5 ms..1000 s per key, 10 qps burst 100). */
  rateLimiter?: RateLimiter<K>;
}

export type GetResult<K> = { key: K; shutdown: false } | { key: undefined; shutdown: true };

export class WorkQueue<K = string> {
  readonly name: string;
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<K>;
  /** Keys waiting to be handed out, in order. */
  #queue: K[] = [];
  /** Keys that need processing (queued, or re-added while processing). */
  readonly #dirty = new Set<K>();
  /** Keys handed to a worker and not yet done. */
  readonly #processing = new Set<K>();
  readonly #waiters: ((r: GetResult<K>) => void)[] = [];
  readonly #delayed = new Map<K, { at: number; timer: Timer }>();
  #shuttingDown = false;
  #drainWaiters: (() => void)[] = [];
  // metrics bookkeeping
  readonly #m: ReturnType<typeof metrics> | undefined;
  readonly #addTimes = new Map<K, number>();
  readonly #processingStart = new Map<K, number>();
  readonly #live: Live | undefined;

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.name = opts.name ?? '';
    this.#clock = opts.clock ?? realClock;
    this.#limiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>(this.#clock);
    if (this.name !== '') {
      this.#m = metrics();
      const clock = this.#clock;
      const starts = this.#processingStart;
      this.#live = {
        name: this.name,
        unfinished() {
          const now = clock.now();
          let total = 0;
          for (const s of starts.values()) total += now - s;
          return total / 1000;
        },
        longest() {
          const now = clock.now();
          let max = 0;
          for (const s of starts.values()) max = Math.max(max, now - s);
          return max / 1000;
        },
      };
      liveQueues.add(this.#live);
      this.#m.depth.set({ name: this.name }, 0);
    }
  }

  /** Marks the key as needing processing. No-op when it is already queued or the queue is shutting down. */
  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    if (this.#m !== undefined) {
      this.#m.adds.inc({ name: this.name });
      if (!this.#addTimes.has(key)) this.#addTimes.set(key, this.#clock.now());
    }
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  #push(key: K): void {
    this.#queue.push(key);
    this.#m?.depth.inc({ name: this.name });
    this.#dispatch();
  }

  /** Hands queued keys to waiting get() calls. */
  #dispatch(): void {
    while (this.#queue.length > 0 && this.#waiters.length > 0) {
      const waiter = this.#waiters.shift()!;
      waiter({ key: this.#take(), shutdown: false });
    }
  }

  #take(): K {
    const key = this.#queue.shift()!;
    if (this.#m !== undefined) {
      const now = this.#clock.now();
      this.#m.depth.dec({ name: this.name });
      const added = this.#addTimes.get(key);
      if (added !== undefined) {
        this.#m.latency.observe({ name: this.name }, (now - added) / 1000);
        this.#addTimes.delete(key);
      }
      this.#processingStart.set(key, now);
    }
    this.#processing.add(key);
    this.#dirty.delete(key);
    return key;
  }

  /** Number of keys waiting to be handed out. */
  len(): number {
    return this.#queue.length;
  }

  /**
   * Waits for the next key; the caller must call done(key) when finished with it. Resolves with
   * `shutdown: true` once the queue is shutting down and empty.
   */
  get(): Promise<GetResult<K>> {
    if (this.#queue.length > 0) return Promise.resolve({ key: this.#take(), shutdown: false });
    if (this.#shuttingDown) return Promise.resolve({ key: undefined, shutdown: true });
    return new Promise<GetResult<K>>((resolve) => this.#waiters.push(resolve));
  }

  /** Ends processing of the key; if it was re-added meanwhile it is queued again. */
  done(key: K): void {
    if (this.#m !== undefined) {
      const start = this.#processingStart.get(key);
      if (start !== undefined) {
        this.#m.workDuration.observe({ name: this.name }, (this.#clock.now() - start) / 1000);
        this.#processingStart.delete(key);
      }
    }
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#push(key);
    else if (this.#processing.size === 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Stops accepting keys; waiting get() calls resolve with shutdown, pending delayed adds are dropped. */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const d of this.#delayed.values()) d.timer.cancel();
    this.#delayed.clear();
    for (const w of this.#waiters.splice(0)) w({ key: undefined, shutdown: true });
    if (this.#live !== undefined) {
      liveQueues.delete(this.#live);
      this.#m?.unfinished.set({ name: this.name }, 0);
      this.#m?.longest.set({ name: this.name }, 0);
    }
  }

  /** shutDown(), then waits until every key handed out has been marked done. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return;
    await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
  }

  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Adds the key after `ms` milliseconds; an earlier pending add of the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.#shuttingDown) return;
    this.#m?.retries.inc({ name: this.name });
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + ms;
    const pending = this.#delayed.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      pending.timer.cancel();
    }
    const timer = this.#clock.setTimer(ms, () => {
      this.#delayed.delete(key);
      this.add(key);
    });
    this.#delayed.set(key, { at, timer });
  }

  /** Adds the key after the rate limiter's delay for it (per-key backoff and the overall bucket). */
  addRateLimited(key: K): void {
    this.addAfter(key, this.#limiter.when(key));
  }

  /** Resets the key's backoff: call after it was processed successfully. */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.#limiter.numRequeues(key);
  }
}

/**
 * Runs `n` workers until the signal aborts (then shuts the queue down and waits for them): each takes a
 * key, calls fn, forgets the key on success and re-adds it rate-limited on failure. fn is never called
 * for one key by two workers at once.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  n: number,
  fn: (key: K) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const onAbort = (): void => queue.shutDown();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const worker = async (): Promise<void> => {
    for (;;) {
      const r = await queue.get();
      if (r.shutdown) return;
      try {
        await fn(r.key);
        queue.forget(r.key);
      } catch (err) {
        log.error('Error syncing; requeuing', err, { queue: queue.name, key: String(r.key) });
        queue.addRateLimited(r.key);
      } finally {
        queue.done(r.key);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, n) }, () => worker()));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
