import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {recommendNslabs} from '../../src/core/swiotlb.js';
import {recommendedNslabsOf, usedByDeviceOf} from '../../src/host/world-snapshot.js';

// The snapshot keeps each pool's recommendation while the counters it is made from stay: the
// cache must never show an old one once any of them moved.

describe("the snapshot's bounce-pool figures", () => {
  it('recommends from the counters as they are now, whichever one of them moved', () => {
    // Each step moves exactly one counter of one pool, so a cache blind to any one counter fails.
    const domains = {
      nslabs: [128, 256, 1024, 32_768],
      nareas: [1, 2, 4],
      mapFailures: [0, 1, 7],
    } as const;
    const step = fc.tuple(
      fc.nat({max: 2}),
      fc.constantFrom('nslabs', 'nareas', 'hiwater', 'mapFailures'),
      fc.nat({max: 40_000}),
    );
    fc.assert(
      fc.property(fc.array(step, {minLength: 1, maxLength: 40}), (steps) => {
        const pools = [0, 1, 2].map(() => ({nslabs: 128, nareas: 1, hiwater: 0, mapFailures: 0}));
        for (const [which, field, value] of steps) {
          pools[which]![field] = field === 'hiwater' ? value : domains[field][value % domains[field].length]!;
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
    const inOrder = new Map([
      [0, 4],
      [2, 1],
    ]);
    expect(Object.keys(usedByDeviceOf(inOrder))).toEqual(['virtio0', 'virtio2']);
  });
});
