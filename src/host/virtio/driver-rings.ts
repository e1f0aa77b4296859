import {invariantBroken} from '../../core/assert.js';
import {GUEST_PAGE_SIZE} from '../../core/guest-memory.js';
import type {MemoryView} from '../../core/memory-view.js';
import {RangeAllocator} from '../../core/range-allocator.js';
import {PPC64_SMP_CACHE_BYTES, splitRingAddresses, splitRingLayout} from '../../core/split-ring-layout.js';
import {SplitVirtqueueDriver, type IndirectTable} from '../../core/split-virtqueue-driver.js';
import {DMA_MAPPING_ERROR} from '../../core/swiotlb.js';
import {hasFeature, VirtioFeature, type FeatureSet} from '../../core/virtio.js';
import type {CoherentBuffer, DmaOps} from '../dma-ops.js';
import type {DriverRequest, RequestPart} from './driver-request.js';
import type {VirtioPciTransport} from './transport.js';

/** Every guest here is pseries: its modern virtio-pci driver aligns used rings to SMP_CACHE_BYTES. */
export const VRING_ALIGN_BYTES = PPC64_SMP_CACHE_BYTES;
/** Driver buffers are cache-line aligned. */
const BUFFER_ALIGN_BYTES = 64;

/**
 * An indirect descriptor table for one chain, in the driver's buffer memory (`vring_map_single`);
 * the object goes back to its rings' spares when released and serves another chain. It keeps
 * its memory while spare, as a slab keeps a freed object for the next kmalloc of its size
 * (torvalds/linux drivers/virtio/virtio_ring.c alloc_indirect_split): a chain of the same
 * length takes the table as it is, without an allocation and a free.
 */
class IndirectBuffer implements IndirectTable {
  dmaAddr = DMA_MAPPING_ERROR;
  constructor(
    readonly dma: DmaOps,
    readonly spares: IndirectBuffer[],
    readonly cpuGpa: number,
    readonly bytes: number,
  ) {}

  publish(): boolean {
    this.dmaAddr = this.dma.map(this.cpuGpa, this.bytes, 'to-device');
    return this.dmaAddr !== DMA_MAPPING_ERROR;
  }

  release(): void {
    this.dma.unmap(this.dmaAddr, this.bytes, 'to-device');
    this.dmaAddr = DMA_MAPPING_ERROR;
    this.spares.push(this);
  }
}

/**
 * A driver's memory: one split ring per queue in coherent memory, laid out as `vring_init` does
 * with the pseries alignment, its three addresses written to the transport (`vp_active_vq`), and
 * an arena of kernel heap for request buffers and indirect tables.
 */
export class DriverRings<Token> {
  readonly queues: SplitVirtqueueDriver<Token>[] = [];
  #arena: RangeAllocator | undefined;
  readonly #rings: CoherentBuffer[] = [];
  #arenaBase: number | undefined;
  readonly #spareIndirect: IndirectBuffer[] = [];
  readonly #heap: RangeAllocator;
  readonly #dma: DmaOps;

  constructor(heap: RangeAllocator, dma: DmaOps) {
    this.#heap = heap;
    this.#dma = dma;
  }

  /**
   * Allocates and enables every queue of the device, then the buffer arena.
   * @returns false when the kernel heap is exhausted (what was allocated stays for `release`)
   */
  setUp(transport: VirtioPciTransport, view: MemoryView, features: FeatureSet, arenaBytes: number): boolean {
    const hasEventIdx = hasFeature(features, VirtioFeature.eventIdx);
    const hasIndirect = hasFeature(features, VirtioFeature.indirectDesc);
    const queueSize = transport.queueSizeMax;
    const layout = splitRingLayout(queueSize, VRING_ALIGN_BYTES);
    for (let index = 0; index < transport.numQueues; index++) {
      const ring = this.#dma.allocCoherent(layout.totalBytes);
      if (!ring) return false;
      this.#rings.push(ring);
      this.queues.push(
        new SplitVirtqueueDriver<Token>({
          view,
          baseGpa: ring.cpuGpa,
          queueSize,
          usedRingAlign: VRING_ALIGN_BYTES,
          hasEventIdx,
          allocateIndirect: hasIndirect ? (bytes) => this.#allocateIndirect(bytes) : undefined,
        }),
      );
      transport.enableQueue(index, queueSize, splitRingAddresses(ring.dmaAddr, layout));
    }
    this.#arenaBase = this.#heap.allocate(arenaBytes, GUEST_PAGE_SIZE);
    if (this.#arenaBase === undefined) return false;
    this.#arena = new RangeAllocator(this.#arenaBase, arenaBytes, BUFFER_ALIGN_BYTES);
    return true;
  }

  /**
   * Maps every part of a request for the device, in order (`dma_map_single`; bounced when the
   * device's DMA operations bounce). On failure nothing stays mapped.
   * @returns 0, or the size of the part that could not be mapped (the pool is full or too small)
   */
  mapRequest(request: DriverRequest, driverName: string): number {
    const dma = this.#dma;
    const parts = request.parts;
    const dmaAddrs = request.dmaAddrs;
    request.mappedCount = 0;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (!(part.len > 0))
        invariantBroken(`${driverName}: request part ${i} is ${part.len} bytes (a buffer is never empty)`);
      const dmaAddr = dma.map(part.cpuGpa, part.len, part.direction);
      if (dmaAddr === DMA_MAPPING_ERROR) {
        this.unmapRequest(request, undefined);
        return part.len;
      }
      dmaAddrs[i] = dmaAddr;
      request.mappedCount = i + 1;
    }
    return 0;
  }

  /**
   * Unmaps what `mapRequest` mapped: device-written parts are copied back when the device
   * returned the request (`usedLength` given); an aborted request copies nothing back.
   */
  unmapRequest(request: DriverRequest, usedLength: number | undefined): void {
    const dma = this.#dma;
    const parts = request.parts;
    const dmaAddrs = request.dmaAddrs;
    const count = request.mappedCount;
    request.mappedCount = 0;
    for (let i = 0; i < count; i++)
      dma.unmap(dmaAddrs[i]!, parts[i]!.len, usedLength === undefined ? 'to-device' : parts[i]!.direction);
  }

  /**
   * Bytes of buffer memory, cache-line aligned unless asked for more; undefined when the arena
   * is exhausted (or gone).
   */
  allocate(bytes: number, alignmentBytes = BUFFER_ALIGN_BYTES): number | undefined {
    return this.#arena?.allocate(bytes, alignmentBytes);
  }

  free(gpa: number): void {
    this.#arena?.free(gpa);
  }

  /** Frees the rings and the arena (the queues must have been emptied first). */
  release(): void {
    for (const ring of this.#rings) this.#dma.freeCoherent(ring);
    if (this.#arenaBase !== undefined) this.#heap.free(this.#arenaBase);
    this.#rings.length = 0;
    this.#arenaBase = undefined;
    this.#arena = undefined;
    this.queues.length = 0;
  }

  /** An indirect table lives in ordinary kernel memory and is DMA-mapped like a buffer. */
  #allocateIndirect(bytes: number): IndirectTable | undefined {
    const spares = this.#spareIndirect;
    const spare = spares.pop();
    if (spare?.bytes === bytes) return spare;
    // A spare of another size goes back to the arena: spares never outnumber the chains in flight.
    if (spare) this.#arena?.free(spare.cpuGpa);
    const cpuGpa = this.#arena?.allocate(bytes, BUFFER_ALIGN_BYTES);
    if (cpuGpa === undefined) return undefined;
    return new IndirectBuffer(this.#dma, spares, cpuGpa, bytes);
  }
}

interface MutableSegment {
  addr: number;
  len: number;
  isDeviceWritable: boolean;
}

/** Reusable segment lists by length (the ring copies them into descriptors at once). */
export class SegmentScratch {
  readonly #lists: MutableSegment[][] = [];

  /** A request's segments by device address; valid until the next call. */
  of(request: {
    readonly parts: readonly RequestPart[];
    readonly dmaAddrs: readonly number[];
  }): MutableSegment[] {
    const parts = request.parts;
    let segments = this.#lists[parts.length];
    if (!segments) {
      segments = Array.from({length: parts.length}, () => ({addr: 0, len: 0, isDeviceWritable: false}));
      this.#lists[parts.length] = segments;
    }
    for (let i = 0; i < parts.length; i++) {
      const segment = segments[i]!;
      segment.addr = request.dmaAddrs[i]!;
      segment.len = parts[i]!.len;
      segment.isDeviceWritable = parts[i]!.direction !== 'to-device';
    }
    return segments;
  }
}
