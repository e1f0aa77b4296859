import {recommendNslabs} from '../core/swiotlb-geometry.js';
import type {SwiotlbSnapshot} from './snapshot-types.js';

/**
 * The swiotlb tab's sizing advice: `grow` when what the devices asked needs a larger pool;
 * `enough`; `enough-despite-leak` when the pool is enough for the devices yet Linux's own counters
 * (io_tlb_used_hiwater, the maps that failed) would call for more: only slots a leaking driver
 * held (PoolDemand's held for good) make the two differ, so the high water and failures count the
 * leak's slots; the leak svmtop injects (faults.ts) maps every free slot, so a larger pool would fill as well.
 */
export type SwiotlbAdviceCode = 'grow' | 'enough' | 'enough-despite-leak';

export function swiotlbAdviceOf(pool: SwiotlbSnapshot): SwiotlbAdviceCode {
  // torvalds/linux kernel/dma/swiotlb.c inc_used_and_hiwater: the high water counts every slot, a leak's too.
  if (pool.recommendedNslabs > pool.nslabs) return 'grow';
  return recommendNslabs(pool) > pool.nslabs ? 'enough-despite-leak' : 'enough';
}
