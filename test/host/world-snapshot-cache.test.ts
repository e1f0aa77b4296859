import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {recommendNslabs} from '../../src/core/swiotlb.js';
import {recommendedNslabsOf, usedByDeviceOf} from '../../src/host/world-snapshot.js';

// The snapshot keeps each pool's recommendation while the counters it is made from stay: the
// cache must never show an old one once any of them moved.

describe("the snapshot's bounce-pool figures", () => {
  it('recommends from the counters as they are now, whichever of them moved', () => {
    const counter = fc.record({
      nslabs: fc.constantFrom(128, 256, 1024, 32_768),
      nareas: fc.constantFrom(1, 2, 4),
      hiwater: fc.nat({max: 40_000}),
      mapFailures: fc.constantFrom(0, 0, 1, 7),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({max: 2}), counter), {minLength: 1, maxLength: 30}), (steps) => {
        const pools = [0, 1, 2].map(() => ({nslabs: 128, nareas: 1, hiwater: 0, mapFailures: 0}));
        for (const [which, now] of steps) {
          Object.assign(pools[which]!, now);
          for (const pool of pools) expect(recommendedNslabsOf(pool)).toBe(recommendNslabs({...pool}));
        }
      }),
    );
  });

  it('lists the slots held by device index, whatever order the pool gives them in', () => {
    expect(
      usedByDeviceOf(
        new Map([
          [2, 5],
          [0, 1],
        ]),
      ),
    ).toEqual({virtio0: 1, virtio2: 5});
    expect(
      Object.keys(
        usedByDeviceOf(
          new Map([
            [3, 1],
            [1, 2],
          ]),
        ),
      ),
    ).toEqual(['virtio1', 'virtio3']);
  });
});
