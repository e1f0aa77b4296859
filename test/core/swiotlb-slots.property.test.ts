import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {IO_TLB_SEGSIZE} from '../../src/core/swiotlb-geometry.js';
import {SlotTable} from '../../src/core/swiotlb-slots.js';

/**
 * The kernel's own bookkeeping of `list[]`, as torvalds/linux kernel/dma/swiotlb.c does it: the
 * `found:` loop in swiotlb_search_pool_area and swiotlb_release_slots, each recounting the free
 * run before the slots it touched.
 */
class KernelList {
  readonly list: Uint8Array;
  constructor(count: number) {
    this.list = Uint8Array.from({length: count}, (_, i) => IO_TLB_SEGSIZE - (i % IO_TLB_SEGSIZE));
  }

  take(first: number, count: number): void {
    for (let i = first; i < first + count; i++) this.list[i] = 0;
    this.#recountBefore(first, 0);
  }

  release(first: number, count: number): void {
    const segmentEnd = (Math.floor(first / IO_TLB_SEGSIZE) + 1) * IO_TLB_SEGSIZE;
    let free = first + count < segmentEnd ? this.list[first + count]! : 0;
    for (let i = first + count - 1; i >= first; i--) this.list[i] = ++free;
    this.#recountBefore(first, free);
  }

  #recountBefore(first: number, free: number): void {
    for (let i = first - 1; i >= 0 && i % IO_TLB_SEGSIZE !== IO_TLB_SEGSIZE - 1 && this.list[i] !== 0; i--)
      this.list[i] = ++free;
  }
}

const SLOTS = 4 * IO_TLB_SEGSIZE;

describe('swiotlb slot table', () => {
  it('reads list[] from its used bits exactly as the kernel counts it, after any takes and releases (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            slot: fc.nat(SLOTS - 1),
            count: fc.integer({min: 1, max: IO_TLB_SEGSIZE}),
            pick: fc.nat(),
            isTake: fc.boolean(),
          }),
          {maxLength: 200},
        ),
        (ops) => {
          const table = new SlotTable(SLOTS);
          const kernel = new KernelList(SLOTS);
          const runs: Array<[number, number]> = [];
          for (const op of ops) {
            if (op.isTake) {
              // A run the kernel could hand out: free, inside one segment.
              const count = Math.min(op.count, IO_TLB_SEGSIZE - (op.slot % IO_TLB_SEGSIZE));
              if (kernel.list[op.slot]! < count) continue;
              table.take(op.slot, count, count * 2048);
              kernel.take(op.slot, count);
              runs.push([op.slot, count]);
            } else if (runs.length > 0) {
              const [first, count] = runs.splice(op.pick % runs.length, 1)[0]!;
              table.giveBack(first, count);
              kernel.release(first, count);
            }
            // expect() only on a difference: three calls per slot made the test run near its timeout.
            for (let i = 0; i < SLOTS; i++) {
              const counts = [1 + ((i * 37) % IO_TLB_SEGSIZE), 1 + (i % 5)];
              const actual = [table.list(i), ...counts.map((count) => table.hasFreeRun(i, count))];
              const expected = [kernel.list[i], ...counts.map((count) => kernel.list[i]! >= count)];
              if (actual.some((value, at) => value !== expected[at]))
                expect({slot: i, actual}).toEqual({slot: i, actual: expected});
            }
          }
        },
      ),
      {numRuns: 200},
    );
  });
});
