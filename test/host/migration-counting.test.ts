import {describe, expect, it} from 'vitest';
import {GUEST_PAGE_SIZE, GuestMemory, PageState} from '../../src/core/guest-memory.js';
import {Rng} from '../../src/core/rng.js';
import {BitmapSync, SYNC_PERIOD_MIN_US} from '../../src/host/migration/bitmap-sync.js';
import {
  BLOCK_NAME_BYTES,
  EOS_BYTES,
  NORMAL_TARGET_PAGE_WIRE_BYTES,
  RamStream,
  SECURE_PAGE_WIRE_BYTES,
  TARGET_PAGE_SIZE,
  ZERO_TARGET_PAGE_WIRE_BYTES,
} from '../../src/host/migration/ram-stream.js';
import {SendQueue} from '../../src/host/migration/send-queue.js';
import {BUFFER_DELAY_US, TransferRates} from '../../src/host/migration/transfer-rates.js';

const MiB = 1024 * 1024;

function memoryWith(pages: number): GuestMemory {
  return new GuestMemory(pages * GUEST_PAGE_SIZE);
}

describe('RAM counters as QEMU keeps them', () => {
  it('counts 4 KiB target pages: ppc64 TARGET_PAGE_BITS is 12 (qemu/qemu target/ppc/cpu-param.h)', () => {
    expect(TARGET_PAGE_SIZE).toBe(4096);
    const memory = memoryWith(2);
    memory.populate(0, 1);
    const ram = new RamStream(memory.sizeBytes, new Rng(1));
    ram.send(memory, 0, ram.costOf(memory, 0));
    ram.send(memory, 1, ram.costOf(memory, 1));
    expect(ram.counters).toMatchObject({normal: 16, duplicate: 16});
  });

  it('checks each target page for zeros (migration/ram.c save_zero_page_to_file: header and one byte)', () => {
    const memory = memoryWith(1);
    const frame = memory.materialize(0);
    frame.fill(7, 0, 100);
    frame.fill(9, 5 * TARGET_PAGE_SIZE, 5 * TARGET_PAGE_SIZE + 1);
    const ram = new RamStream(memory.sizeBytes, new Rng(1));
    const cost = ram.costOf(memory, 0);
    expect(cost).toEqual({zeroTargetPages: 14, isEncrypted: false});
    expect(ram.send(memory, 0, cost)).toBe(
      BLOCK_NAME_BYTES + 14 * ZERO_TARGET_PAGE_WIRE_BYTES + 2 * NORMAL_TARGET_PAGE_WIRE_BYTES,
    );
    expect(ram.counters).toMatchObject({normal: 2, duplicate: 14});
  });

  it('counts headers in transferred (save_normal_page), the block name once (save_page_header), EOS per iterate', () => {
    const memory = memoryWith(2);
    memory.populate(0, 2);
    const ram = new RamStream(memory.sizeBytes, new Rng(1));
    ram.send(memory, 0, ram.costOf(memory, 0));
    ram.send(memory, 1, ram.costOf(memory, 1));
    ram.endSection();
    expect(ram.counters.transferred).toBe(BLOCK_NAME_BYTES + 32 * (8 + TARGET_PAGE_SIZE) + EOS_BYTES);
  });

  it('never finds a zero page in a secure page: UV_PAGE_OUT hands over ciphertext, all 16 target pages normal', () => {
    const memory = memoryWith(1);
    memory.setPageStates(0, 1, PageState.secure);
    expect(memory.isZeroPage(0)).toBe(true);
    const ram = new RamStream(memory.sizeBytes, new Rng(1));
    ram.useKey(Buffer.alloc(32, 1));
    const cost = ram.costOf(memory, 0);
    expect(cost).toEqual({zeroTargetPages: 0, isEncrypted: true});
    expect(ram.send(memory, 0, cost)).toBe(BLOCK_NAME_BYTES + SECURE_PAGE_WIRE_BYTES);
    expect(ram.counters).toMatchObject({normal: 16, duplicate: 0, encryptedPages: 16});
  });

  it('a shared page of a secure guest is readable, so a zero one still goes as zero pages', () => {
    const memory = memoryWith(1);
    memory.setPageStates(0, 1, PageState.shared);
    const ram = new RamStream(memory.sizeBytes, new Rng(1));
    ram.useKey(Buffer.alloc(32, 1));
    expect(ram.costOf(memory, 0)).toEqual({zeroTargetPages: 16, isEncrypted: false});
  });
});

describe('the migration bitmap (migration/ram.c migration_bitmap_sync_range)', () => {
  it('starts full and counts only pages that were not pending already as newly dirty', () => {
    const queue = new SendQueue(8);
    expect(queue.pendingPages).toBe(8);
    expect(queue.addDirty(Uint32Array.of(1, 2))).toBe(0);
    const memory = memoryWith(8);
    const ram = new RamStream(memory.sizeBytes, new Rng(1));
    queue.send(1e9, ram, memory, (cost) => ram.wireBytesOf(cost));
    expect(queue.pendingPages).toBe(0);
    expect(queue.addDirty(Uint32Array.of(1, 2, 2))).toBe(2 * 16);
    expect(queue.pendingPages).toBe(2);
  });
});

describe('bitmap syncs (migration/ram.c migration_bitmap_sync: time_last_bitmap_sync + 1000)', () => {
  it('measures the dirty rate only over periods longer than a second, and throttles at most once a second', () => {
    const sync = new BitmapSync();
    let transferred = 0;
    const throttles: number[] = [];
    for (let nowUs = 0; nowUs <= 10_000_000; nowUs += 100_000) {
      transferred += 1 * MiB;
      // The guest dirties twice what goes out: every period outruns the transfer.
      if (sync.sync(nowUs, (2 * MiB) / TARGET_PAGE_SIZE, 64 * MiB, transferred)) throttles.push(nowUs);
      if (nowUs <= SYNC_PERIOD_MIN_US) expect(sync.isDirtyRateMeasured).toBe(false);
    }
    expect(sync.dirtySyncCount).toBe(101);
    expect(sync.dirtyPagesRate).toBe((20 * MiB) / TARGET_PAGE_SIZE);
    expect(throttles.length).toBeGreaterThan(2);
    for (let i = 1; i < throttles.length; i++)
      expect(throttles[i]! - throttles[i - 1]!).toBeGreaterThan(SYNC_PERIOD_MIN_US);
  });

  it('throttles at the second period that dirtied more than half of what was sent (migration_trigger_throttle)', () => {
    const sync = new BitmapSync();
    expect(sync.sync(0, 0, 0, 0)).toBe(false);
    // 1.1 s later: 10 MiB sent, 6 MiB dirtied: over 50%, first time.
    expect(sync.sync(1_100_000, (6 * MiB) / TARGET_PAGE_SIZE, 0, 10 * MiB)).toBe(false);
    // 1.1 s later: 10 MiB sent, 4 MiB dirtied: under 50%, the count stays.
    expect(sync.sync(2_200_000, (4 * MiB) / TARGET_PAGE_SIZE, 0, 20 * MiB)).toBe(false);
    // Over 50% again: the second time, so it throttles.
    expect(sync.sync(3_300_000, (6 * MiB) / TARGET_PAGE_SIZE, 0, 30 * MiB)).toBe(true);
  });
});

describe('the migration thread measures its own bandwidth (migration/migration.c migration_update_counters)', () => {
  it('updates every BUFFER_DELAY: threshold = measured bandwidth × downtime limit, mbps, pages per second', () => {
    const rates = new TransferRates(0, 300);
    rates.update(50_000, {bytes: 5 * MiB, targetPages: 1280}, noDirtyRate);
    expect(rates).toMatchObject({isMeasured: false, mbps: 0});
    expect(rates.thresholdBytesFor(300)).toBe(0);
    rates.update(BUFFER_DELAY_US, {bytes: 6.4 * MiB, targetPages: 1638}, noDirtyRate);
    expect(rates.bandwidthBytesPerSecond).toBeCloseTo(64 * MiB, 0);
    expect(rates.thresholdBytesFor(300)).toBeCloseTo(64 * MiB * 0.3, 0);
    expect(rates.mbps).toBeCloseTo((64 * MiB * 8) / 1e6, 6);
    expect(rates.pagesPerSecond).toBe(16380);
  });

  it('keeps expected-downtime at the limit until a dirty rate is known (migrate_fd_connect), then rest ÷ bandwidth', () => {
    const rates = new TransferRates(0, 300);
    rates.update(BUFFER_DELAY_US, {bytes: 6.4 * MiB, targetPages: 0}, noDirtyRate);
    expect(rates.expectedDowntimeMs).toBe(300);
    rates.update(
      2 * BUFFER_DELAY_US,
      {bytes: 12.8 * MiB, targetPages: 0},
      {dirtyPagesRate: 1000, dirtyBytesLastSync: 128 * MiB},
    );
    expect(rates.expectedDowntimeMs).toBe(2000);
  });
});

const noDirtyRate = {dirtyPagesRate: 0, dirtyBytesLastSync: 0};
