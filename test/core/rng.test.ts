import {describe, expect, it} from 'vitest';
import {Rng} from '../../src/core/rng.js';

describe('seeded rng', () => {
  it('gives the same sequence for the same seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    expect(Array.from({length: 20}, () => a.nextUint32())).toEqual(
      Array.from({length: 20}, () => b.nextUint32()),
    );
  });

  it('gives different sequences for different seeds', () => {
    expect(new Rng(1).nextUint32()).not.toBe(new Rng(2).nextUint32());
  });

  it('keeps integers within bounds, both ends reachable', () => {
    const rng = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const value = rng.int(3, 6);
      expect(value).toBeGreaterThanOrEqual(3);
      expect(value).toBeLessThanOrEqual(6);
      seen.add(value);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('forks streams that do not depend on how much the parent was used', () => {
    const fresh = new Rng(9).fork('guest/web-1').nextUint32();
    const used = new Rng(9);
    used.nextUint32();
    used.nextUint32();
    expect(used.fork('guest/web-1').nextUint32()).toBe(fresh);
    expect(new Rng(9).fork('guest/db-1').nextUint32()).not.toBe(fresh);
  });

  it('has floats in [0, 1) with a plausible mean', () => {
    const rng = new Rng(3);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const value = rng.float();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      sum += value;
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
  });
});
