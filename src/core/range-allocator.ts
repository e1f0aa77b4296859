import {assert, invariantBroken} from './assert.js';

/**
 * First-fit allocator over an address range, in units of `granule` bytes. The guest kernel's
 * heap and the per-device buffer arenas use it; a failed allocation returns undefined (-ENOMEM).
 */
export class RangeAllocator {
  readonly startAddress: number;
  readonly sizeBytes: number;
  readonly granule: number;
  /** Free runs sorted by address: [start, length] in bytes. */
  #free: Array<{start: number; length: number}>;
  /** Length in granules of the block starting at each granule index; 0 where no block starts. */
  readonly #allocated: Uint32Array;
  #usedBytes = 0;
  /** Recently freed blocks (granule indices) by length, reused first (a slab-like fast path); flushed when memory is short. */
  #cache = new Map<number, number[]>();
  #cachedBytes = 0;

  constructor(startAddress: number, sizeBytes: number, granule: number) {
    assert(
      sizeBytes > 0 && sizeBytes % granule === 0 && startAddress % granule === 0,
      `allocator: range ${startAddress}+${sizeBytes} is not aligned to ${granule}`,
    );
    this.startAddress = startAddress;
    this.sizeBytes = sizeBytes;
    this.granule = granule;
    this.#free = [{start: startAddress, length: sizeBytes}];
    this.#allocated = new Uint32Array(sizeBytes / granule);
  }

  get usedBytes(): number {
    return this.#usedBytes;
  }

  /**
   * @param bytes size wanted (rounded up to the granule)
   * @param alignment address alignment, a multiple of the granule
   * @returns the start address, or undefined when no free run fits
   */
  allocate(bytes: number, alignment = this.granule): number | undefined {
    const length = Math.ceil(Math.max(bytes, 1) / this.granule) * this.granule;
    const cached = this.#cache.get(length);
    const slot = cached?.at(-1);
    if (slot !== undefined && (this.startAddress + slot * this.granule) % alignment === 0) {
      cached!.pop();
      this.#cachedBytes -= length;
      this.#allocated[slot] = length / this.granule;
      this.#usedBytes += length;
      return this.startAddress + slot * this.granule;
    }
    const found = this.#firstFit(length, alignment);
    if (found !== undefined || this.#cachedBytes === 0) return found;
    this.#flushCache();
    return this.#firstFit(length, alignment);
  }

  #firstFit(length: number, alignment: number): number | undefined {
    for (let i = 0; i < this.#free.length; i++) {
      const run = this.#free[i]!;
      const start = Math.ceil(run.start / alignment) * alignment;
      const waste = start - run.start;
      if (waste + length > run.length) continue;
      const after = {start: start + length, length: run.length - waste - length};
      const replacement = [];
      if (waste > 0) replacement.push({start: run.start, length: waste});
      if (after.length > 0) replacement.push(after);
      this.#free.splice(i, 1, ...replacement);
      this.#allocated[this.#slotOf(start)] = length / this.granule;
      this.#usedBytes += length;
      return start;
    }
    return undefined;
  }

  free(address: number): void {
    const slot = this.#slotOf(address);
    const granules = this.#allocated[slot] ?? 0;
    if (granules === 0)
      invariantBroken(`allocator: free of 0x${address.toString(16)}, which was not allocated`);
    this.#allocated[slot] = 0;
    const length = granules * this.granule;
    this.#usedBytes -= length;
    let cached = this.#cache.get(length);
    if (!cached) this.#cache.set(length, (cached = []));
    cached.push(slot);
    this.#cachedBytes += length;
  }

  #slotOf(address: number): number {
    return (address - this.startAddress) / this.granule;
  }

  #flushCache(): void {
    for (const [length, slots] of this.#cache)
      for (const slot of slots) this.#release(this.startAddress + slot * this.granule, length);
    this.#cache.clear();
    this.#cachedBytes = 0;
  }

  #release(address: number, length: number): void {
    let index = this.#free.findIndex((run) => run.start > address);
    if (index < 0) index = this.#free.length;
    this.#free.splice(index, 0, {start: address, length});
    this.#coalesce(Math.max(0, index - 1));
  }

  #coalesce(from: number): void {
    for (let i = from; i < this.#free.length - 1 && i <= from + 1;) {
      const run = this.#free[i]!;
      const next = this.#free[i + 1]!;
      if (run.start + run.length === next.start) {
        run.length += next.length;
        this.#free.splice(i + 1, 1);
      } else {
        i++;
      }
    }
  }
}
