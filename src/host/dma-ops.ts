import {GUEST_PAGE_SIZE} from '../core/guest-memory.js';
import type {RangeAllocator} from '../core/range-allocator.js';
import {DMA_MAPPING_ERROR, type DmaDirection, type SwiotlbDevice, type SwiotlbPool} from '../core/swiotlb.js';

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
