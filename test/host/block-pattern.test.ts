import {describe, expect, it} from 'vitest';
import {Rng} from '../../src/core/rng.js';
import {writeTemplate} from '../../src/host/block-pattern.js';

describe('write template', () => {
  it('is the seeded generator’s words, each stored little-endian (what disks and shadows from earlier builds hold)', () => {
    const expected = Buffer.alloc(writeTemplate().length);
    const random = new Rng(0x5eed_b10c);
    for (let offset = 0; offset < expected.length; offset += 4)
      expected.writeUInt32LE(random.nextUint32(), offset);
    expect(writeTemplate().equals(expected)).toBe(true);
  });
});
