/**
 * Reconnect delays for a node agent that lost its coordinator: exponential backoff with "full
 * jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter", 2015): the n-th retry waits a
 * uniform random time in [0, min(cap, base·2ⁿ)]. Full jitter spreads a crowd of nodes that lost
 * the same coordinator at the same instant, so its restart is not met by a synchronized stampede.
 */
export interface BackoffOptions {
  /** First retry's upper bound. */
  baseMs: number;
  /** No retry waits longer than this. */
  capMs: number;
  /** Uniform random source in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export class ReconnectBackoff {
  readonly #baseMs: number;
  readonly #capMs: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions) {
    if (!(options.baseMs > 0) || !(options.capMs >= options.baseMs)) {
      throw new RangeError(`backoff needs 0 < baseMs <= capMs, got baseMs=${options.baseMs} capMs=${options.capMs}`);
    }
    this.#baseMs = options.baseMs;
    this.#capMs = options.capMs;
    this.#random = options.random ?? Math.random;
  }

  /** Retries since the last success. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The upper bound of the next delay, without jitter. */
  ceilingMs(): number {
    // 2 ** 30 already exceeds any sane cap; clamping the exponent keeps the number finite.
    return Math.min(this.#capMs, this.#baseMs * 2 ** Math.min(this.#attempt, 30));
  }

  /** The next delay (full jitter) and advances the attempt count. */
  nextDelayMs(): number {
    const delay = this.#random() * this.ceilingMs();
    this.#attempt += 1;
    return delay;
  }

  /** Call after a successful call: the next failure starts again from the base delay. */
  reset(): void {
    this.#attempt = 0;
  }
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
