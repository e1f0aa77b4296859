import {GUEST_PAGE_SIZE, type GuestMemory} from '../../core/guest-memory.js';
import type {Rng} from '../../core/rng.js';
import {formatBytes} from '../../core/format-units.js';
import {AutoConverge} from './auto-converge.js';
import {BitmapSync} from './bitmap-sync.js';
import {MIGRATION_MAX_ITERATIONS, SEND_TICK_US, type MigrationParams} from './migration-params.js';
import {EOS_BYTES, RamStream, TARGET_PAGE_SIZE, type PageCost} from './ram-stream.js';
import {SendQueue} from './send-queue.js';
import {TransferRates} from './transfer-rates.js';

/** What one turn of the migration thread decided. */
export type IterationOutcome = 'iterated' | 'complete' | 'too-many-passes';

/**
 * The RAM side of a pre-copy (qemu/qemu migration/ram.c and migration/migration.c): the stream,
 * the migration bitmap, the bitmap syncs with their dirty rate and auto-converge, and the rates
 * the migration thread measures. The migration itself decides when each step runs.
 */
export class PreCopy {
  readonly ram: RamStream;
  readonly queue: SendQueue;
  readonly sync = new BitmapSync();
  readonly rates: TransferRates;
  readonly autoConverge = new AutoConverge();
  readonly #memory: GuestMemory;

  constructor(memory: GuestMemory, rng: Rng, nowUs: number, downtimeLimitMs: number) {
    this.#memory = memory;
    this.ram = new RamStream(memory.sizeBytes, rng);
    this.queue = new SendQueue(memory.pageCount);
    this.rates = new TransferRates(nowUs, downtimeLimitMs);
  }

  get pendingBytes(): number {
    return this.queue.pendingPages * GUEST_PAGE_SIZE;
  }

  /** update_iteration_initial_status: the first rate window starts when the migration goes active. */
  beginActive(nowUs: number): void {
    this.rates.restart(nowUs, this.ram.counters.transferred, this.ram.targetPagesSent);
  }

  /**
   * One migration_iteration_run and migration_update_counters (qemu/qemu migration/migration.c):
   * below the threshold (measured bandwidth × downtime limit) the bitmap is synced; still below
   * it (or nothing pending), it is time to complete; otherwise one ram_save_iterate sends what
   * `bandwidth` allows in a tick, each page costing `linkBytesOf`, and ends with an EOS marker.
   * @param onThrottle called when auto-converge throttles the guest down
   */
  iterate(
    nowUs: number,
    params: MigrationParams,
    bandwidth: number,
    linkBytesOf: (cost: PageCost) => number,
    onThrottle: (throttle: number) => void,
  ): IterationOutcome {
    const threshold = this.rates.thresholdBytesFor(params.downtimeLimitMs);
    if (this.pendingBytes < threshold) {
      this.syncBitmap(nowUs, params, onThrottle);
      if (this.sync.dirtySyncCount > MIGRATION_MAX_ITERATIONS) return 'too-many-passes';
    }
    if (this.pendingBytes === 0 || this.pendingBytes < threshold) return 'complete';
    const sent = this.queue.send((bandwidth * SEND_TICK_US) / 1_000_000, this.ram, this.#memory, linkBytesOf);
    // A turn the rate limit held back (qemu_file_rate_limit) sends nothing, not even an EOS.
    if (sent > 0) {
      this.ram.endSection();
      this.queue.spend(EOS_BYTES);
    }
    this.rates.update(
      nowUs,
      {bytes: this.ram.counters.transferred, targetPages: this.ram.targetPagesSent},
      {dirtyPagesRate: this.sync.dirtyPagesRate, dirtyBytesLastSync: this.sync.dirtyBytesLastSync},
    );
    return 'iterated';
  }

  /** Put a limit on everything: svmtop gives up where QEMU would go on forever. */
  unconvergedReason(): string {
    const dirtyRate = formatBytes(this.sync.dirtyPagesRate * TARGET_PAGE_SIZE);
    const bandwidth = formatBytes(Math.round(this.rates.bandwidthBytesPerSecond));
    return `did not converge after ${MIGRATION_MAX_ITERATIONS} passes: the guest dirties ${dirtyRate}/s against ${bandwidth}/s; enable auto-converge or raise max-bandwidth`;
  }

  /**
   * A dirty bitmap sync (migration_bitmap_sync), with auto-converge's step when it is due and
   * on: `params` are the parameters in force, null for a sync that never throttles.
   */
  syncBitmap(nowUs: number, params: MigrationParams | null, onThrottle: (throttle: number) => void): void {
    const newly = this.queue.addDirty(this.#memory.syncDirtyLog());
    const isThrottleDue = this.sync.sync(nowUs, newly, this.pendingBytes, this.ram.counters.transferred);
    if (isThrottleDue && params?.autoConverge) onThrottle(this.autoConverge.throttleDown(params));
  }

  /**
   * Stop-and-copy: a last sync, then every pending page goes.
   * @returns the link bytes they took, each costing `linkBytesOf`
   */
  sendTheRest(nowUs: number, linkBytesOf: (cost: PageCost) => number): number {
    this.syncBitmap(nowUs, null, () => {});
    let linkBytes = 0;
    for (const pfn of this.queue.drain()) {
      const cost = this.ram.costOf(this.#memory, pfn);
      linkBytes += linkBytesOf(cost);
      this.ram.send(this.#memory, pfn, cost);
    }
    return linkBytes;
  }
}
