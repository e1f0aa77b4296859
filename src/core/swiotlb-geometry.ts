/**
 * swiotlb's geometry: slot and segment sizes, the pool's size and areas from `swiotlb=`, and the
 * device's DMA constraints (alignment, segment boundary). The pool itself is in swiotlb.ts.
 */

/** torvalds/linux kernel/dma/swiotlb.c and include/linux/swiotlb.h constants. */
export const IO_TLB_SHIFT = 11;
export const IO_TLB_SIZE = 1 << IO_TLB_SHIFT;
export const IO_TLB_SEGSIZE = 128;
export const IO_TLB_DEFAULT_NSLABS = (64 * 1024 * 1024) >> IO_TLB_SHIFT;
/** The largest mapping one segment can hold: 256 KiB. */
export const IO_TLB_MAX_MAPPING = IO_TLB_SEGSIZE * IO_TLB_SIZE;
/** DMA_MAPPING_ERROR as a value map() returns. */
export const DMA_MAPPING_ERROR = -1;

export type DmaDirection = 'to-device' | 'from-device' | 'bidirectional';

/** What the pool needs to know of the device mapping a buffer. */
export interface SwiotlbDevice {
  /** Small integer naming the device, for per-device slot counts. */
  readonly index: number;
  /** `dma_get_min_align_mask()`: low address bits the bounce buffer must preserve. */
  readonly minAlignMask: number;
  /**
   * `get_max_slots(dma_get_seg_boundary())`: no mapping may cross a multiple of this many slots
   * (a power of two; `segBoundarySlots` of the mask, worked out where the device's mask is set).
   * Absent for a device without `dma_parms`, whose boundary is ULONG_MAX, i.e. none.
   */
  readonly segBoundarySlots?: number;
  /** A driver that maps and never unmaps (the injected leak): what it holds is not demand a larger pool serves. */
  readonly holdsForGood?: boolean;
}

/**
 * What the pool's users asked of it, beside slots held for good: the sizing advice rests on this,
 * not on io_tlb_used_hiwater, since a leak fills any pool and doubling it cures nothing. Linux
 * says "swiotlb buffer is full" alike for both (kernel/dma/swiotlb.c swiotlb_tbl_map_single).
 * The pool keeps the counters (DemandCounters); others read them through SwiotlbPool `demand`.
 */
export interface PoolDemand {
  readonly nslabs: number;
  readonly nareas: number;
  /** Slots held by devices that map and never unmap. */
  readonly heldForGood: number;
  /** The most slots ever in use beside those held for good. */
  readonly hiwater: number;
  /** Failed maps while nothing was held for good (one while a leak holds slots is the leak's). */
  readonly mapFailures: number;
}

/** The counters behind a pool's PoolDemand: the pool adds to them inline; others read them as PoolDemand. */
export class DemandCounters implements PoolDemand {
  heldForGood = 0;
  hiwater = 0;
  mapFailures = 0;
  constructor(
    readonly nslabs: number,
    readonly nareas: number,
  ) {}
}

/** torvalds/linux drivers/pci/probe.c pci_device_add: `dma_set_seg_boundary(&dev->dev, 0xffffffff)`. */
export const PCI_SEG_BOUNDARY_MASK = 0xffffffff;

/** torvalds/linux kernel/dma/swiotlb.c get_max_slots: a segment boundary mask as a slot count. */
export function segBoundarySlots(segBoundaryMask: number): number {
  return Math.floor(segBoundaryMask / IO_TLB_SIZE) + 1;
}

export interface SwiotlbGeometry {
  readonly nslabs: number;
  readonly nareas: number;
}

/**
 * The pool size and area count the kernel ends up with for `swiotlb=<nslabs>[,<nareas>]` on a
 * guest with `possibleCpus` CPUs; `requestedNareas` null when the argument names no area count.
 * Simplified: num_possible_cpus() is the vCPU count (no hot-plug slots), and the memblock
 * allocation never fails, so the pool is never halved (`swiotlb_init_remap`'s retry loop).
 */
export function swiotlbGeometry(
  requestedNslabs: number,
  requestedNareas: number | null,
  possibleCpus: number,
): SwiotlbGeometry {
  // torvalds/linux kernel/dma/swiotlb.c setup_io_tlb_npages: ALIGN(nslabs, IO_TLB_SEGSIZE)
  let nslabs = Math.ceil(Math.max(requestedNslabs, 0) / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
  // torvalds/linux kernel/dma/swiotlb.c swiotlb_init_remap: no count given -> swiotlb_adjust_nareas(num_possible_cpus())
  const nareas = adjustNareas(requestedNareas ?? possibleCpus);
  // torvalds/linux kernel/dma/swiotlb.c round_up_default_nslabs (called by swiotlb_adjust_nareas)
  if (nslabs < IO_TLB_SEGSIZE * nareas) nslabs = IO_TLB_SEGSIZE * nareas;
  else nslabs = roundUpPowerOfTwo(nslabs);
  return {nslabs, nareas: limitNareas(nareas, nslabs)};
}

/** torvalds/linux kernel/dma/swiotlb.c swiotlb_adjust_nareas: 0 is one area, others round up to a power of two. */
function adjustNareas(nareas: number): number {
  return nareas === 0 ? 1 : roundUpPowerOfTwo(nareas);
}

/** torvalds/linux kernel/dma/swiotlb.c limit_nareas: at most one area per segment. */
function limitNareas(nareas: number, nslots: number): number {
  return nslots < nareas * IO_TLB_SEGSIZE ? nslots / IO_TLB_SEGSIZE : nareas;
}

export function roundUpPowerOfTwo(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}

/**
 * Sizing advice from what was observed: half again the high-water mark, at least double the pool
 * when maps failed, as the kernel would take it (a power of two of whole segments).
 */
export function recommendNslabs(stats: {
  nslabs: number;
  nareas: number;
  hiwater: number;
  mapFailures: number;
}): number {
  const wanted =
    stats.mapFailures > 0 ? Math.max(stats.nslabs * 2, stats.hiwater * 2) : Math.ceil(stats.hiwater * 1.5);
  return swiotlbGeometry(Math.max(wanted, IO_TLB_SEGSIZE), stats.nareas, stats.nareas).nslabs;
}

/** The kernel's warning when no run of slots fits (dev_warn_ratelimited in swiotlb_tbl_map_single). */
export function swiotlbFullMessage(sizeBytes: number, totalSlots: number, usedSlots: number): string {
  return `swiotlb buffer is full (sz: ${sizeBytes} bytes), total ${totalSlots} (slots), used ${usedSlots} (slots)`;
}
