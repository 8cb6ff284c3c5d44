// Named background operations with exponential back-off on error (upstream's goroutinemap as the PV
// controller uses it for provision, delete and recycle): at most one operation per name runs at a time;
// a request for a name that is running, or that failed and is still backing off, is dropped.
import type { Clock } from '../../component/index.ts';

export interface OperationBackoff {
  /** First back-off after an error; default 500 ms. */
  initialMs?: number;
  /** Cap; default 2 min 2 s. */
  maxMs?: number;
}

interface BackoffState {
  lastErrorAt: number;
  durationMs: number;
}

export class OperationMap {
  readonly #clock: Clock;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #running = new Map<string, Promise<void>>();
  readonly #backoff = new Map<string, BackoffState>();
  readonly #onError: (name: string, err: unknown) => void;

  constructor(clock: Clock, onError: (name: string, err: unknown) => void, opts: OperationBackoff = {}) {
    this.#clock = clock;
    this.#onError = onError;
    this.#initialMs = opts.initialMs ?? 500;
    this.#maxMs = opts.maxMs ?? 122_000;
  }

  /**
   * Starts fn under name unless an operation of that name is running or backing off. Returns the delay
   * after which a dropped request may succeed (0 when it was started or is running), so callers can retry.
   * onFailure is called with the back-off that now applies when fn rejects.
   */
  run(name: string, fn: () => Promise<void>, onFailure?: (retryAfterMs: number) => void): number {
    if (this.#running.has(name)) return 0;
    const b = this.#backoff.get(name);
    if (b !== undefined) {
      const wait = b.lastErrorAt + b.durationMs - this.#clock.now();
      if (wait > 0) return wait;
    }
    const p = (async () => {
      try {
        await fn();
        this.#backoff.delete(name);
      } catch (err) {
        const prev = this.#backoff.get(name);
        const durationMs = prev === undefined ? this.#initialMs : Math.min(prev.durationMs * 2, this.#maxMs);
        this.#backoff.set(name, { lastErrorAt: this.#clock.now(), durationMs });
        this.#onError(name, err);
        onFailure?.(durationMs);
      } finally {
        this.#running.delete(name);
      }
    })();
    this.#running.set(name, p);
    return 0;
  }

  isRunning(name: string): boolean {
    return this.#running.has(name);
  }

  get runningCount(): number {
    return this.#running.size;
  }

  /** Resolves when every operation running now (and any they started) has finished. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }
}
