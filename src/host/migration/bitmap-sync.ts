import {TARGET_PAGE_SIZE} from './ram-stream.js';

/** migration_bitmap_sync: rates and auto-converge look only at periods longer than a second. */
export const SYNC_PERIOD_MIN_US = 1_000_000;
/**
 * `throttle-trigger-threshold` (default 50, qemu/qemu migration/options.c): a period "outran" the
 * transfer when the guest dirtied more than this share of what was sent in it.
 */
export const THROTTLE_TRIGGER_THRESHOLD = 0.5;
/** migration_trigger_throttle: throttling starts or steps up at the second period that outran. */
const HIGH_PERIODS_BEFORE_THROTTLE = 2;

/**
 * The counters of QEMU's dirty bitmap syncs (qemu/qemu migration/ram.c `migration_bitmap_sync`):
 * every sync bumps `dirty-sync-count` and adds the newly dirty pages to the period; only when more
 * than a second has passed since the period began (`time_last_bitmap_sync + 1000`) does it check
 * auto-converge (`migration_trigger_throttle`), set `dirty-pages-rate` (`migration_update_rates`)
 * and start a new period. So auto-converge acts at most once a second, and the dirty rate stays 0
 * until the first period over a second ends.
 */
export class BitmapSync {
  dirtySyncCount = 0;
  /** Target pages newly dirtied per second over the last period (ram_counters.dirty_pages_rate). */
  dirtyPagesRate = 0;
  isDirtyRateMeasured = false;
  /** Bytes the bitmap held right after the last sync (dirty_bytes_last_sync). */
  dirtyBytesLastSync = 0;
  #periodStartUs: number | null = null;
  #dirtyPagesPeriod = 0;
  #bytesTransferredAtPeriodStart = 0;
  #dirtyRateHighCount = 0;

  /**
   * One sync at `nowUs`: `newlyDirtyTargetPages` were added to a bitmap that now holds
   * `pendingBytes`; `transferredBytes` went so far.
   * @returns true when auto-converge (if on) should throttle the guest down now
   */
  sync(
    nowUs: number,
    newlyDirtyTargetPages: number,
    pendingBytes: number,
    transferredBytes: number,
  ): boolean {
    this.dirtySyncCount++;
    this.#periodStartUs ??= nowUs;
    this.#dirtyPagesPeriod += newlyDirtyTargetPages;
    this.dirtyBytesLastSync = pendingBytes;
    const periodUs = nowUs - this.#periodStartUs;
    if (periodUs <= SYNC_PERIOD_MIN_US) return false;
    const bytesDirtied = this.#dirtyPagesPeriod * TARGET_PAGE_SIZE;
    const bytesSent = transferredBytes - this.#bytesTransferredAtPeriodStart;
    const isThrottleDue =
      bytesDirtied > bytesSent * THROTTLE_TRIGGER_THRESHOLD &&
      ++this.#dirtyRateHighCount >= HIGH_PERIODS_BEFORE_THROTTLE;
    if (isThrottleDue) this.#dirtyRateHighCount = 0;
    this.dirtyPagesRate = Math.floor((this.#dirtyPagesPeriod * 1_000_000) / periodUs);
    this.isDirtyRateMeasured = true;
    this.#periodStartUs = nowUs;
    this.#dirtyPagesPeriod = 0;
    this.#bytesTransferredAtPeriodStart = transferredBytes;
    return isThrottleDue;
  }
}
