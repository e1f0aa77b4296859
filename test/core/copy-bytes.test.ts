import {describe, expect, it} from 'vitest';
import {copyBytes} from '../../src/core/copy-bytes.js';

describe('copyBytes', () => {
  it('copies exactly the bytes asked for, at every small length and offset, and nothing beside them', () => {
    const source = Buffer.from(Array.from({length: 256}, (_, i) => (i * 37 + 11) & 0xff));
    for (let length = 0; length <= 80; length++)
      for (const [from, to] of [
        [0, 0],
        [3, 17],
        [61, 5],
      ] as const) {
        const target = Buffer.alloc(256, 0xee);
        const expected = Buffer.alloc(256, 0xee);
        source.copy(expected, to, from, from + length);
        copyBytes(source, from, target, to, length);
        expect(target.equals(expected), `length ${length} from ${from} to ${to}`).toBe(true);
      }
  });
});
