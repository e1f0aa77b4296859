import {IO_TLB_SEGSIZE, IO_TLB_SIZE} from './swiotlb-geometry.js';

/** INVALID_PHYS_ADDR: a slot with no original buffer behind it. */
export const INVALID_ORIG = -1;

/**
 * `struct io_tlb_slot` for every slot, laid out as the kernel does: one 16-byte record per slot
 * (orig_addr, alloc_size, list, pad_slots, and the owning device) in one buffer. Touching a slot
 * touches one cache line rather than one per field, which is what keeps a 1 GiB pool's scattered
 * slots about as cheap as a 64 MiB pool's (walks of `list[]` across a segment cost a little more).
 */
export class SlotTable {
  readonly #orig: Float64Array;
  readonly #allocSize: Uint32Array;
  readonly #bytes: Uint8Array;
  readonly #owner: Int16Array;

  constructor(count: number) {
    const records = new ArrayBuffer(count * 16);
    this.#orig = new Float64Array(records);
    this.#allocSize = new Uint32Array(records);
    this.#bytes = new Uint8Array(records);
    this.#owner = new Int16Array(records);
    // torvalds/linux kernel/dma/swiotlb.c swiotlb_init_io_tlb_pool: every segment one free run.
    for (let i = 0; i < count; i++) {
      this.setList(i, IO_TLB_SEGSIZE - (i & (IO_TLB_SEGSIZE - 1)));
      this.setOrigAddr(i, INVALID_ORIG);
      this.setOwner(i, -1);
    }
  }

  /**
   * swiotlb_search_pool_area's `found:` bookkeeping: the run's slots leave the free list, each
   * remembering the bytes from it to the allocation's end, and the free run before it shrinks.
   */
  take(first: number, count: number, bytesFromFirst: number): void {
    for (let i = first; i < first + count; i++) {
      this.setList(i, 0);
      this.setAllocSize(i, bytesFromFirst - (i - first) * IO_TLB_SIZE);
    }
    this.#recountFreeBefore(first, 0);
  }

  /** torvalds/linux kernel/dma/swiotlb.c swiotlb_release_slots: frees a run, merging with its neighbours in the segment. */
  giveBack(first: number, count: number): void {
    const segmentEnd = (Math.floor(first / IO_TLB_SEGSIZE) + 1) * IO_TLB_SEGSIZE;
    let free = first + count < segmentEnd ? this.list(first + count) : 0;
    for (let i = first + count - 1; i >= first; i--) {
      this.setList(i, ++free);
      this.setOrigAddr(i, INVALID_ORIG);
      this.setAllocSize(i, 0);
      this.setPadSlots(i, 0);
    }
    this.#recountFreeBefore(first, free);
  }

  /** The free slots just before `first` in its segment count on from `free`. */
  #recountFreeBefore(first: number, free: number): void {
    for (
      let i = first - 1;
      i >= 0 && (i & (IO_TLB_SEGSIZE - 1)) !== IO_TLB_SEGSIZE - 1 && this.list(i) !== 0;
      i--
    ) {
      this.setList(i, ++free);
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
  list(i: number): number {
    return this.#bytes[i * 16 + 12]!;
  }
  setList(i: number, value: number): void {
    this.#bytes[i * 16 + 12] = value;
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

export function nrSlots(bytes: number): number {
  return Math.ceil(bytes / IO_TLB_SIZE);
}

/** `swiotlb_align_offset()`: padding needed so min_align_mask bits of the address survive. */
export function alignOffset(minAlignMask: number, allocAlignMask: number, addr: number): number {
  return addr & minAlignMask & (allocAlignMask | (IO_TLB_SIZE - 1));
}
