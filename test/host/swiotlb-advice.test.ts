import {describe, expect, it} from 'vitest';
import type {SwiotlbSnapshot} from '../../src/host/snapshot-types.js';
import {swiotlbAdviceOf} from '../../src/host/swiotlb-advice.js';

/** A 1024-slot pool with `fields` over it. */
function pool(fields: Partial<SwiotlbSnapshot>): SwiotlbSnapshot {
  return {
    nslabs: 1024,
    nareas: 4,
    used: 32,
    hiwater: 100,
    recentPeak: 40,
    mapFailures: 0,
    bouncedBytesToDevice: 0,
    bouncedBytesFromDevice: 0,
    usedByDevice: {virtio0: 32},
    recommendedNslabs: 256,
    ...fields,
  };
}

describe('the swiotlb advice code', () => {
  it('grow when what the devices asked needs a larger pool, whatever Linux counted', () => {
    expect(swiotlbAdviceOf(pool({hiwater: 1024, mapFailures: 3, recommendedNslabs: 2048}))).toBe('grow');
  });

  it("enough when Linux's counters and the devices' demand agree it is", () => {
    expect(swiotlbAdviceOf(pool({}))).toBe('enough');
  });

  it("enough despite a leak when only Linux's high water or failures call for more", () => {
    expect(swiotlbAdviceOf(pool({hiwater: 1024, recommendedNslabs: 512}))).toBe('enough-despite-leak');
    expect(swiotlbAdviceOf(pool({mapFailures: 5}))).toBe('enough-despite-leak');
  });
});
