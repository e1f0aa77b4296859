import {counted, formatBytes} from '../core/format-units.js';
import {GUEST_PAGE_SIZE} from '../core/guest-memory.js';
import type {RangeAllocator} from '../core/range-allocator.js';
import {
  DMA_MAPPING_ERROR,
  IO_TLB_SEGSIZE,
  IO_TLB_SIZE,
  recommendNslabs,
  type DmaDirection,
  type SwiotlbDevice,
  type SwiotlbPool,
} from '../core/swiotlb.js';

/** Coherent memory for rings: the CPU address and the address the device uses. */
export interface CoherentBuffer {
  readonly cpuGpa: number;
  readonly dmaAddr: number;
  readonly bytes: number;
}

/** The DMA operations one device's driver uses (the kernel's dma_map_ops, chosen at probe). */
export interface DmaOps {
  /** @returns the device address, or DMA_MAPPING_ERROR (pool full) */
  map(cpuGpa: number, length: number, direction: DmaDirection): number;
  unmap(dmaAddr: number, length: number, direction: DmaDirection): void;
  /** @returns page-granular memory the device can reach, or undefined when the heap is exhausted */
  allocCoherent(bytes: number): CoherentBuffer | undefined;
  freeCoherent(buffer: CoherentBuffer): void;
}

/** Page sharing with the hypervisor, as `set_memory_decrypted()` does it on pseries (uv_share_page). */
export interface PageSharing {
  share(firstPfn: number, count: number): void;
  unshare(firstPfn: number, count: number): void;
}

export interface DmaOpsOptions {
  readonly heap: RangeAllocator;
  /** Present when buffers bounce. */
  readonly pool?: SwiotlbPool | undefined;
  readonly device: SwiotlbDevice;
  /** Present in a secure guest using the DMA API: coherent memory is shared with the hypervisor. */
  readonly sharing?: PageSharing | undefined;
  /** The CPU the mapping runs on (selects the swiotlb area). */
  readonly currentCpu: () => number;
}

/** Builds a device's DMA operations: identity mapping, or bounce buffering through swiotlb. */
export function createDmaOps(options: DmaOpsOptions): DmaOps {
  const {heap, pool, device, sharing, currentCpu} = options;
  return {
    map(cpuGpa, length) {
      if (!pool) return cpuGpa;
      return pool.map(device, cpuGpa, length, currentCpu());
    },
    unmap(dmaAddr, length, direction) {
      if (!pool || dmaAddr === DMA_MAPPING_ERROR) return;
      pool.unmap(device, dmaAddr, length, direction);
    },
    allocCoherent(bytes) {
      const size = Math.ceil(bytes / GUEST_PAGE_SIZE) * GUEST_PAGE_SIZE;
      const cpuGpa = heap.allocate(size, GUEST_PAGE_SIZE);
      if (cpuGpa === undefined) return undefined;
      sharing?.share(cpuGpa / GUEST_PAGE_SIZE, size / GUEST_PAGE_SIZE);
      return {cpuGpa, dmaAddr: cpuGpa, bytes: size};
    },
    freeCoherent(buffer) {
      sharing?.unshare(buffer.cpuGpa / GUEST_PAGE_SIZE, buffer.bytes / GUEST_PAGE_SIZE);
      heap.free(buffer.cpuGpa);
    },
  };
}

/** Why a bounce-buffer mapping cannot fit, beyond the pool being busy right now. */
export type MapFailureCode = 'larger-than-segment' | 'no-free-run';

/**
 * Says why a failed swiotlb mapping will not fit when the cause is the pool's size or geometry,
 * not its being busy: a run of slots never crosses a segment (IO_TLB_SEGSIZE) or an area, so a
 * mapping larger than that can never be mapped; and one that needs most of a segment fits only
 * where that much is free together, which the buffers other devices keep mapped (posted rx
 * buffers) can prevent for good. Linux says only "swiotlb buffer is full" for all of these
 * (`swiotlb_tbl_map_single`), even with most slots free.
 * @param deviceIndex the device that failed to map: slots it holds itself will come back
 * @returns undefined when the pool simply had too few free slots
 */
export function explainMapFailure(
  pool: SwiotlbPool,
  deviceIndex: number,
  sizeBytes: number,
): {readonly code: MapFailureCode; readonly message: string} | undefined {
  const slotsNeeded = Math.ceil(sizeBytes / IO_TLB_SIZE);
  const longestRun = Math.min(IO_TLB_SEGSIZE, pool.areaNslabs);
  if (slotsNeeded > longestRun)
    return {
      code: 'larger-than-segment',
      message: `a ${sizeBytes}-byte mapping needs ${slotsNeeded} contiguous swiotlb slots, more than one ${longestRun}-slot segment holds: it can never be mapped, so such requests fail`,
    };
  const freeSlots = pool.nslabs - pool.used;
  const heldByOthers = pool.used - (pool.usedByDevice.get(deviceIndex) ?? 0);
  if (freeSlots < slotsNeeded && pool.nslabs - heldByOthers >= slotsNeeded) return undefined;
  // A leak fills any pool: while one holds slots the pool is full (Linux's words), not too small.
  if (pool.demand.heldForGood > 0) return undefined;
  const advice = recommendNslabs(pool.demand);
  return {
    code: 'no-free-run',
    message: `a ${sizeBytes}-byte mapping needs ${counted(slotsNeeded, 'contiguous free slot')} inside one ${IO_TLB_SEGSIZE}-slot segment; ${freeSlots} of ${pool.nslabs} slots are free (${heldByOthers} held by other devices) and no segment has ${slotsNeeded} free together: the pool is too small for mappings this large beside what other devices keep mapped; boot with swiotlb=${advice} (${formatBytes(advice * IO_TLB_SIZE)})`,
  };
}
