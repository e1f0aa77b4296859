import {GUEST_PAGE_SIZE, GuestMemory} from '../src/core/guest-memory.js';
import {MemoryView} from '../src/core/memory-view.js';
import {DMA_MAPPING_ERROR, IO_TLB_SIZE, SwiotlbPool} from '../src/core/swiotlb.js';
import {GiB, KiB, MiB} from '../src/core/units.js';
import {Rng} from '../src/core/rng.js';

/**
 * Cost of one 4 KiB map+unmap pair (with its real copies) in a pool kept at 50% occupancy by
 * random live mappings, for a given pool size and area count.
 */
export function measureMapUnmap(poolBytes: number, nareas: number, pairs: number): number {
  const memory = new GuestMemory(poolBytes + 256 * MiB);
  const view = new MemoryView(memory, false);
  const nslabs = poolBytes / IO_TLB_SIZE;
  const pool = new SwiotlbPool({nslabs, nareas, startGpa: 128 * MiB, view, pageSize: GUEST_PAGE_SIZE});
  const device = {index: 1, minAlignMask: 0};
  const rng = new Rng(5);
  // 50% occupancy as a long-running pool has it: scattered, not one full block. Fill the pool
  // with 4 KiB mappings, then release a random half.
  const all: number[] = [];
  for (;;) {
    const address = pool.map(device, 0, 4 * KiB, all.length);
    if (address === DMA_MAPPING_ERROR) break;
    all.push(address);
  }
  pool.mapFailures = 0;
  const live: number[] = [];
  for (const address of all) {
    if (rng.chance(0.5)) pool.unmap(device, address, 4 * KiB, 'to-device');
    else live.push(address);
  }
  const orig = 64 * MiB;
  view.fill(orig, 7, 4 * KiB);
  const cycle = (count: number) => {
    for (let i = 0; i < count; i++) {
      const address = pool.map(device, orig, 4 * KiB, i);
      pool.unmap(device, address, 4 * KiB, 'from-device');
      // Churn the occupancy a little so the search meets a moving pattern, as in a busy guest.
      const victim = rng.int(0, live.length - 1);
      pool.unmap(device, live[victim]!, 4 * KiB, 'to-device');
      live[victim] = pool.map(device, 0, 4 * KiB, rng.int(0, 63));
    }
  };
  cycle(2000);
  const start = performance.now();
  cycle(pairs);
  return ((performance.now() - start) * 1e6) / pairs / 2;
}

export const POOL_SIZES = [64 * MiB, 1 * GiB];
