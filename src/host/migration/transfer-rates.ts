/** BUFFER_DELAY (qemu/qemu migration/migration.c): the counters below are updated every 100 ms. */
export const BUFFER_DELAY_US = 100_000;
/** migration_update_counters leaves expected-downtime alone after a window this quiet. */
const EXPECTED_DOWNTIME_MIN_BYTES = 10_000;

/**
 * What the migration thread measures of its own sending (qemu/qemu migration/migration.c
 * `migration_update_counters`): over each window of at least BUFFER_DELAY, the bandwidth it
 * achieved, from which the switch-over threshold (`threshold_size = bandwidth * downtime_limit`),
 * `mbps`, `pages-per-second` and, once a dirty rate is known, `expected-downtime` (the bytes the
 * last sync left ÷ bandwidth). The threshold uses the *measured* bandwidth, not max-bandwidth.
 * QEMU stores the threshold at each window's end, so for up to 100 ms after migrate-set-parameters
 * it still reflects the old downtime-limit; svmtop derives it from the limit in force, so the
 * threshold and the convergence verdict beside it never come from different limits.
 */
export class TransferRates {
  /** Bytes per second over the last window; 0 until one ended. */
  bandwidthBytesPerSecond = 0;
  /** Bytes per millisecond over the last window (QEMU's `bandwidth` in migration_update_counters). */
  #bytesPerMs = 0;
  mbps = 0;
  pagesPerSecond = 0;
  /** Starts at the downtime limit, as migrate_fd_connect sets it. */
  expectedDowntimeMs: number;
  isMeasured = false;
  #windowStartUs: number;
  #windowStartBytes: number;
  #windowStartPages: number;

  /** Pending bytes below which the migration switches over (0 until a window ended). */
  thresholdBytesFor(downtimeLimitMs: number): number {
    return this.#bytesPerMs * downtimeLimitMs;
  }

  constructor(nowUs: number, downtimeLimitMs: number) {
    this.expectedDowntimeMs = downtimeLimitMs;
    this.#windowStartUs = nowUs;
    this.#windowStartBytes = 0;
    this.#windowStartPages = 0;
  }

  /** update_iteration_initial_status: a window starts now (when the migration goes active). */
  restart(nowUs: number, bytes: number, targetPages: number): void {
    this.#windowStartUs = nowUs;
    this.#windowStartBytes = bytes;
    this.#windowStartPages = targetPages;
  }

  /**
   * Ends the window if BUFFER_DELAY has passed. `bytes` and `targetPages` are totals sent so far;
   * `dirtyBytesLastSync` is what the last bitmap sync left to send.
   */
  update(
    nowUs: number,
    totals: {readonly bytes: number; readonly targetPages: number},
    input: {
      readonly dirtyPagesRate: number;
      readonly dirtyBytesLastSync: number;
    },
  ): void {
    const spentUs = nowUs - this.#windowStartUs;
    if (spentUs < BUFFER_DELAY_US) return;
    const transferred = totals.bytes - this.#windowStartBytes;
    const bytesPerMs = (transferred * 1000) / spentUs;
    this.bandwidthBytesPerSecond = bytesPerMs * 1000;
    this.#bytesPerMs = bytesPerMs;
    this.mbps = (transferred * 8) / spentUs;
    this.pagesPerSecond = Math.round(((totals.targetPages - this.#windowStartPages) * 1_000_000) / spentUs);
    if (input.dirtyPagesRate > 0 && transferred > EXPECTED_DOWNTIME_MIN_BYTES)
      this.expectedDowntimeMs = Math.round(input.dirtyBytesLastSync / bytesPerMs);
    this.isMeasured = true;
    this.restart(nowUs, totals.bytes, totals.targetPages);
  }

  /**
   * migration_calculate_complete: `mbps` becomes the average over the time after setup;
   * `bytes` counts everything the stream carried, device state included.
   */
  complete(bytes: number, transferTimeMs: number): void {
    if (transferTimeMs > 0) this.mbps = (bytes * 8) / transferTimeMs / 1000;
  }

  /** A cancelled or failed migration sends nothing: query-migrate reports no rates then. */
  stop(): void {
    this.mbps = 0;
    this.pagesPerSecond = 0;
    this.bandwidthBytesPerSecond = 0;
  }
}
