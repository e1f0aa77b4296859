import {IO_TLB_SEGSIZE, IO_TLB_SHIFT, IO_TLB_SIZE} from './swiotlb-geometry.js';

const WORDS_PER_SEGMENT = IO_TLB_SEGSIZE / 32;

/** INVALID_PHYS_ADDR: a slot with no original buffer behind it. */
export const INVALID_ORIG = -1;

/**
 * `struct io_tlb_slot` for every slot, laid out as the kernel does: one 16-byte record per slot
 * (orig_addr, alloc_size, pad_slots, and the owning device) in one buffer. Touching a slot
 * touches one cache line rather than one per field, which is what keeps a 1 GiB pool's scattered
 * slots about as cheap as a 64 MiB pool's.
 *
 * The kernel's `list[i]` (free slots from i to the end of its free run, within the segment) is
 * not stored but read from a bitmap of used slots: the kernel keeps it exactly that (every
 * allocation and release recounts the free run before it), so the values, and every slot the
 * search picks, are the kernel's; an allocation or release sets or clears its bits instead of
 * recounting up to 127 slots of the run before it.
 */
export class SlotTable {
  readonly #orig: Float64Array;
  readonly #allocSize: Uint32Array;
  readonly #bytes: Uint8Array;
  readonly #owner: Int16Array;
  /** One bit per slot, set while the slot is mapped; a segment is four words. */
  readonly #usedBits: Uint32Array;

  constructor(count: number) {
    const records = new ArrayBuffer(count * 16);
    this.#orig = new Float64Array(records);
    this.#allocSize = new Uint32Array(records);
    this.#bytes = new Uint8Array(records);
    this.#owner = new Int16Array(records);
    this.#usedBits = new Uint32Array(Math.ceil(count / 32));
    // torvalds/linux kernel/dma/swiotlb.c swiotlb_init_io_tlb_pool: every segment one free run.
    for (let i = 0; i < count; i++) {
      this.setOrigAddr(i, INVALID_ORIG);
      this.setOwner(i, -1);
    }
  }

  /**
   * swiotlb_search_pool_area's `found:` bookkeeping: the run's slots leave the free list, each
   * remembering the bytes from it to the allocation's end (the free run before it shrinks).
   */
  take(first: number, count: number, bytesFromFirst: number): void {
    for (let i = first; i < first + count; i++)
      this.setAllocSize(i, bytesFromFirst - (i - first) * IO_TLB_SIZE);
    this.#setBits(first, count, true);
  }

  /** torvalds/linux kernel/dma/swiotlb.c swiotlb_release_slots: frees a run (merging with its free neighbours in the segment). */
  giveBack(first: number, count: number): void {
    for (let i = first; i < first + count; i++) {
      this.setOrigAddr(i, INVALID_ORIG);
      this.setAllocSize(i, 0);
      this.setPadSlots(i, 0);
    }
    this.#setBits(first, count, false);
  }

  isUsed(i: number): boolean {
    return ((this.#usedBits[i >>> 5]! >>> (i & 31)) & 1) !== 0;
  }

  /** `list[i]`: 0 for a used slot, else the free slots from i up to the next used one or the segment's end. */
  list(i: number): number {
    const words = this.#usedBits;
    let word = i >>> 5;
    const above = words[word]! >>> (i & 31);
    if (above !== 0) return lowestBit(above);
    const segmentEndWord = (Math.floor(i / IO_TLB_SEGSIZE) + 1) * WORDS_PER_SEGMENT;
    let base = (word + 1) << 5;
    for (word++; word < segmentEndWord; word++, base += 32) {
      const bits = words[word]!;
      if (bits !== 0) return base + lowestBit(bits) - i;
    }
    return base - i;
  }

  /**
   * `list[first] >= count` without counting the whole run: the `count` slots from `first` are
   * free and end inside its segment (what swiotlb_search_pool_area asks of `list[]`).
   */
  hasFreeRun(first: number, count: number): boolean {
    const end = first + count;
    // The end of first's segment (IO_TLB_SEGSIZE is a power of two).
    if (end > (first | (IO_TLB_SEGSIZE - 1)) + 1) return false;
    const words = this.#usedBits;
    for (let i = first; i < end; i = (i | 31) + 1)
      if ((words[i >>> 5]! & runMask(i, end)) !== 0) return false;
    return true;
  }

  #setBits(first: number, count: number, isUsed: boolean): void {
    const words = this.#usedBits;
    const end = first + count;
    for (let i = first; i < end; i = (i | 31) + 1) {
      const mask = runMask(i, end);
      const word = i >>> 5;
      words[word] = isUsed ? words[word]! | mask : words[word]! & ~mask;
    }
  }

  origAddr(i: number): number {
    return this.#orig[i * 2]!;
  }
  setOrigAddr(i: number, value: number): void {
    this.#orig[i * 2] = value;
  }
  allocSize(i: number): number {
    return this.#allocSize[i * 4 + 2]!;
  }
  setAllocSize(i: number, value: number): void {
    this.#allocSize[i * 4 + 2] = value;
  }
  padSlots(i: number): number {
    return this.#bytes[i * 16 + 13]!;
  }
  setPadSlots(i: number, value: number): void {
    this.#bytes[i * 16 + 13] = value;
  }
  owner(i: number): number {
    return this.#owner[i * 8 + 7]!;
  }
  setOwner(i: number, value: number): void {
    this.#owner[i * 8 + 7] = value;
  }
}

/** `nr_slots()` of a mapping's size (at most IO_TLB_MAX_MAPPING, so the shift cannot overflow). */
export function nrSlots(bytes: number): number {
  return (bytes + IO_TLB_SIZE - 1) >>> IO_TLB_SHIFT;
}

/** `swiotlb_align_offset()`: padding needed so min_align_mask bits of the address survive. */
export function alignOffset(minAlignMask: number, allocAlignMask: number, addr: number): number {
  return addr & minAlignMask & (allocAlignMask | (IO_TLB_SIZE - 1));
}

/** The bits of slots [i, end) that lie in slot i's word of the bitmap (a run is walked a word at a time). */
function runMask(i: number, end: number): number {
  const shift = i & 31;
  const width = Math.min(32 - shift, end - i);
  return (width === 32 ? 0xffffffff : ((1 << width) - 1) << shift) >>> 0;
}

/** The index of the lowest set bit of a non-zero 32-bit value. */
function lowestBit(bits: number): number {
  return 31 - Math.clz32(bits & -bits);
}
