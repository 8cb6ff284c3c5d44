// Rate limiters shared by the HTTP client (qps/burst), the workqueue (per-item exponential backoff
// combined with an overall token bucket) and the event recorder's spam filter. Shapes follow
// golang.org/x/time/rate (reservations that may put the bucket in debt) and client-go's
// workqueue.TypedRateLimiter. Time comes from an injected Clock.
import type { Clock } from '../component/index.ts';

/** A token bucket: `burst` tokens at most, refilled at `qps` tokens per second. */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(qps: number, burst: number, clock: Clock) {
    this.qps = qps;
    this.burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  #advance(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#last) / 1000;
    this.#tokens = Math.min(this.burst, this.#tokens + elapsed * this.qps);
    this.#last = now;
  }

  /** Takes a token if one is available now; never waits (flowcontrol.RateLimiter.TryAccept). */
  tryAccept(): boolean {
    this.#advance();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    return false;
  }

  /**
   * Takes a token now, going into debt if none is left, and returns how many milliseconds the caller must
   * wait before acting on it (rate.Limiter.Reserve().Delay()).
   */
  reserve(): number {
    this.#advance();
    this.#tokens -= 1;
    if (this.#tokens >= 0) return 0;
    return Math.ceil((-this.#tokens / this.qps) * 1000);
  }

  /** Waits for a token (flowcontrol.RateLimiter.Wait). Rejects with the signal's reason on abort. */
  async wait(signal?: AbortSignal): Promise<void> {
    const delay = this.reserve();
    if (delay > 0) await this.#clock.sleep(delay, signal);
  }
}

/** Decides how long an item waits before it is retried (client-go workqueue.TypedRateLimiter). */
export interface RateLimiter<K> {
  /** Delay in milliseconds before `item` should be processed again; counts a failure. */
  when(item: K): number;
  /** Stops tracking the item: the next failure starts from the base delay again. */
  forget(item: K): void;
  /** How many failures `when` has counted for the item since it was last forgotten. */
  numRequeues(item: K): number;
}

/** base * 2^failures, capped at max (workqueue.NewTypedItemExponentialFailureRateLimiter). */
export class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  readonly #failures = new Map<K, number>();
  readonly #baseMs: number;
  readonly #maxMs: number;

  constructor(baseMs: number, maxMs: number) {
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
  }

  when(item: K): number {
    const exp = this.#failures.get(item) ?? 0;
    this.#failures.set(item, exp + 1);
    const backoff = this.#baseMs * 2 ** exp;
    return Number.isFinite(backoff) ? Math.min(backoff, this.#maxMs) : this.#maxMs;
  }

  forget(item: K): void {
    this.#failures.delete(item);
  }

  numRequeues(item: K): number {
    return this.#failures.get(item) ?? 0;
  }
}

/** One token bucket for all items (workqueue.TypedBucketRateLimiter). */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  readonly #bucket: TokenBucket;

  constructor(qps: number, burst: number, clock: Clock) {
    this.#bucket = new TokenBucket(qps, burst, clock);
  }

  when(_item: K): number {
    return this.#bucket.reserve();
  }

  forget(_item: K): void {}

  numRequeues(_item: K): number {
    return 0;
  }
}

/** The longest delay of several limiters (workqueue.NewTypedMaxOfRateLimiter). */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  readonly #limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.#limiters = limiters;
  }

  when(item: K): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: K): void {
    for (const l of this.#limiters) l.forget(item);
  }

  numRequeues(item: K): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/**
 * client-go's DefaultTypedControllerRateLimiter: per-item exponential backoff from 5 ms doubling up to
 * 1000 s, combined with an overall bucket of 10 qps and burst 100.
 */
export function defaultControllerRateLimiter<K>(clock: Clock): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ItemExponentialFailureRateLimiter<K>(5, 1000 * 1000),
    new BucketRateLimiter<K>(10, 100, clock),
  );
}
