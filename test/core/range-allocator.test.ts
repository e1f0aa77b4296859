import {describe, expect, it} from 'vitest';
import {RangeAllocator} from '../../src/core/range-allocator.js';

const PAGE = 65_536;

describe('RangeAllocator alignment', () => {
  it('an aligned allocation starts at the alignment, past smaller blocks', () => {
    const arena = new RangeAllocator(0x100_0000, 4 * PAGE, 64);
    const header = arena.allocate(17)!;
    expect(header).toBe(0x100_0000);
    expect(arena.allocate(4096, PAGE)! % PAGE).toBe(0);
    expect(arena.allocate(64)).toBe(header + 64);
  });

  it('reuses a freed block of the same length only when it has the alignment asked for', () => {
    const arena = new RangeAllocator(0, 4 * PAGE, 64);
    arena.allocate(64);
    const unaligned = arena.allocate(4096)!;
    expect(unaligned % PAGE).not.toBe(0);
    arena.free(unaligned);
    const aligned = arena.allocate(4096, PAGE)!;
    expect(aligned % PAGE).toBe(0);
    arena.free(aligned);
    expect(arena.allocate(4096, PAGE)).toBe(aligned);
    expect(arena.allocate(4096)).toBe(unaligned);
  });
});
