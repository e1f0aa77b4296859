import {GUEST_PAGE_SIZE} from '../core/guest-memory.js';
import {IO_TLB_SIZE, swiotlbGeometry, type SwiotlbGeometry} from '../core/swiotlb.js';
import {BALLOON_PAGE_BYTES} from './virtio/balloon-protocol.js';
import {defaultResidentBytes, GUEST_KERNEL_HEAP_BYTES} from './config/world-references.js';
import type {GuestConfig} from './config/world-schema.js';

/**
 * Where things sit in a guest's physical memory: the resident kernel and applications from 0
 * (the kernel image is loaded at 0, as on pseries), the kernel heap for rings and driver buffers,
 * the swiotlb pool, and above it the pages the balloon may take.
 */
export interface GuestLayout {
  readonly residentBytes: number;
  readonly imageLoadGpa: number;
  readonly heapStartGpa: number;
  readonly heapBytes: number;
  readonly swiotlb: SwiotlbGeometry;
  readonly swiotlbStartGpa: number;
  /** First and last 4 KiB page the balloon may take. */
  readonly balloonLowestPfn: number;
  readonly balloonHighestPfn: number;
}

export function guestLayout(config: GuestConfig): GuestLayout {
  const residentBytes = alignToPage(config.resident ?? defaultResidentBytes(config.memory));
  const heapStartGpa = residentBytes;
  const swiotlb = swiotlbGeometry(config.swiotlb.slabs, config.swiotlb.areas, config.vcpus);
  // Simplified: the pool follows the heap. pseries allocates it bottom-up from memblock, page
  // aligned (torvalds/linux arch/powerpc/mm/mem.c mem_init); `resident` moves it, across 4 GiB too.
  const swiotlbStartGpa = heapStartGpa + GUEST_KERNEL_HEAP_BYTES;
  const balloonStart = alignToPage(swiotlbStartGpa + swiotlb.nslabs * IO_TLB_SIZE);
  return {
    residentBytes,
    imageLoadGpa: 0,
    heapStartGpa,
    heapBytes: GUEST_KERNEL_HEAP_BYTES,
    swiotlb,
    swiotlbStartGpa,
    balloonLowestPfn: balloonStart / BALLOON_PAGE_BYTES,
    balloonHighestPfn: config.memory / BALLOON_PAGE_BYTES - 1,
  };
}

function alignToPage(bytes: number): number {
  return Math.ceil(bytes / GUEST_PAGE_SIZE) * GUEST_PAGE_SIZE;
}
