import {MigrationTiming} from './migration-params.js';

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

/** What holds a migration's pages back: its max-bandwidth, the link, or the source ultravisor's export. */
export type RateBoundCode = 'max-bandwidth' | 'link' | 'export-rate';

/** What a migration may send at, in bytes per second: the limits in force, null where none applies. */
export interface RateLimits {
  /** max-bandwidth; null in stop-and-copy, where migration_completion lifts the rate limit. */
  readonly cap: number | null;
  /** The link's share for this migration. */
  readonly link: number;
  /** How fast the source ultravisor encrypts secure pages (UV_PAGE_OUT); null for a normal guest. */
  readonly exportRate: number | null;
}

export interface RateBound {
  readonly code: RateBoundCode;
  /** The rate secure pages leave at: the least of the limits. */
  readonly bytesPerSecond: number;
  /** The rate the stream is paced at (QEMU's rate limit): max-bandwidth or the link, the lesser. */
  readonly sendBytesPerSecond: number;
  /**
   * Link time an encrypted page holds per wire byte: over 1 when the ultravisor encrypts slower
   * than the stream sends, the stream waiting on UV_PAGE_OUT (svmtop's model: QEMU sends what
   * the ultravisor hands it; the wait is counted as link time, so `mbps` reads the export rate).
   */
  readonly encryptedCost: number;
}

/**
 * The one rule for what bounds a migration's rate, asked by the transfer (pacing, the cost of an
 * encrypted page) and by the ways out (more max-bandwidth helps only below the other two).
 * Ties go to the limit more max-bandwidth cannot lift.
 */
export function rateBoundOf(limits: RateLimits): RateBound {
  const {cap, link, exportRate} = limits;
  const isCapped = cap !== null && cap < link;
  const send = isCapped ? cap : link;
  if (exportRate !== null && exportRate <= send)
    return {
      code: 'export-rate',
      bytesPerSecond: exportRate,
      sendBytesPerSecond: send,
      encryptedCost: send / exportRate,
    };
  return {
    code: isCapped ? 'max-bandwidth' : 'link',
    bytesPerSecond: send,
    sendBytesPerSecond: send,
    encryptedCost: 1,
  };
}

/** How long stop-and-copy takes to move `linkBytes` with the rate limit lifted (`bound` at no cap). */
export function stopAndCopyUs(linkBytes: number, bound: RateBound): number {
  return Math.ceil((linkBytes / bound.sendBytesPerSecond) * 1_000_000) + MigrationTiming.deviceStopOverheadUs;
}
