import type {Microseconds} from './clock.js';

/** The kernel's printk rate limit defaults: DEFAULT_RATELIMIT_INTERVAL (5 s) and BURST (10). */
export const RATELIMIT_INTERVAL_US = 5_000_000;
export const RATELIMIT_BURST = 10;

export interface RateLimitDecision {
  readonly isAllowed: boolean;
  /** Messages suppressed in the window that just ended; the kernel reports them as "callbacks suppressed". */
  readonly suppressedBefore: number;
}

/** Mirrors `___ratelimit()` (lib/ratelimit.c): at most `burst` messages per `interval`. */
export class RateLimiter {
  #windowStartUs = -Infinity;
  #printed = 0;
  #suppressed = 0;

  constructor(
    readonly intervalUs: Microseconds = RATELIMIT_INTERVAL_US,
    readonly burst: number = RATELIMIT_BURST,
  ) {}

  check(nowUs: Microseconds): RateLimitDecision {
    let suppressedBefore = 0;
    if (nowUs - this.#windowStartUs >= this.intervalUs) {
      suppressedBefore = this.#suppressed;
      this.#windowStartUs = nowUs;
      this.#printed = 0;
      this.#suppressed = 0;
    }
    if (this.#printed < this.burst) {
      this.#printed++;
      return {isAllowed: true, suppressedBefore};
    }
    this.#suppressed++;
    return {isAllowed: false, suppressedBefore};
  }
}
