import {assert, invariantBroken} from './assert.js';
import type {MemoryView} from './memory-view.js';
import {
  DMA_MAPPING_ERROR,
  IO_TLB_MAX_MAPPING,
  IO_TLB_SEGSIZE,
  IO_TLB_SHIFT,
  IO_TLB_SIZE,
  type DmaDirection,
  DemandCounters,
  type PoolDemand,
  type SwiotlbDevice,
  type SwiotlbGeometry,
} from './swiotlb-geometry.js';
import {alignOffset, INVALID_ORIG, nrSlots, SlotTable} from './swiotlb-slots.js';

// The pool's users take its geometry (slot size, DMA_MAPPING_ERROR, sizing) from here too.
export * from './swiotlb-geometry.js';

export interface SwiotlbPoolOptions extends SwiotlbGeometry {
  /** Guest-physical start; page aligned (the pool comes from memblock with PAGE_SIZE alignment). */
  readonly startGpa: number;
  /** The guest kernel's view: bounces are memcpy inside the guest. */
  readonly view: MemoryView;
  /** The guest kernel's PAGE_SIZE (64 KiB on pseries), for the page-alignment rule. */
  readonly pageSize: number;
}

/**
 * One swiotlb pool, following kernel/dma/swiotlb.c: 2 KiB slots in 128-slot segments, split in
 * areas with their own `index` and `used`; `list[i]` counts the free slots from i to the end of
 * its segment, so no mapping crosses a segment. Bounces are real copies through guest memory.
 */
export class SwiotlbPool {
  readonly nslabs: number;
  readonly nareas: number;
  readonly areaNslabs: number;
  readonly startGpa: number;
  readonly pageSize: number;
  /**
   * The pool's first slot counted from guest-physical 0: iommu_is_span_boundary's `shift`,
   * nr_slots(tbl_dma_addr & boundary_mask), is this modulo the device's boundary in slots (DMA
   * address = guest-physical: pseries has no DMA offset; the start is page aligned).
   */
  readonly #startSlot: number;
  readonly #view: MemoryView;
  readonly #slots: SlotTable;
  readonly #areas: {used: number; index: number}[];
  #used = 0;
  #hiwater = 0;
  #windowPeak = 0;
  mapFailures = 0;
  /** PoolDemand's counters, added to inline by a map or unmap; `demand` shows them read-only. */
  readonly #demand: DemandCounters;
  /** Bytes bounced each way; doubles from the start (an int field passing 2^31 deoptimises the pool). */
  readonly #bounced = new Float64Array(2);
  /** Slots held, by device index (an array: a map and unmap touch it without hashing). */
  readonly #usedByDevice: number[] = [];

  constructor(options: SwiotlbPoolOptions) {
    assert(
      options.nslabs % IO_TLB_SEGSIZE === 0,
      `swiotlb: nslabs ${options.nslabs} is not a multiple of ${IO_TLB_SEGSIZE}`,
    );
    assert(
      options.nslabs % options.nareas === 0 && (options.nslabs / options.nareas) % IO_TLB_SEGSIZE === 0,
      `swiotlb: ${options.nareas} areas do not split ${options.nslabs} slots into whole segments`,
    );
    assert(options.startGpa % options.pageSize === 0, 'swiotlb: pool start must be page aligned');
    this.nslabs = options.nslabs;
    this.nareas = options.nareas;
    this.#demand = new DemandCounters(this.nslabs, this.nareas);
    this.areaNslabs = options.nslabs / options.nareas;
    this.startGpa = options.startGpa;
    this.pageSize = options.pageSize;
    this.#startSlot = options.startGpa / IO_TLB_SIZE;
    this.#view = options.view;
    this.#slots = new SlotTable(this.nslabs);
    this.#areas = Array.from({length: this.nareas}, () => ({used: 0, index: 0}));
  }

  /** Slots held per device, by device index (devices holding none are left out). */
  get usedByDevice(): ReadonlyMap<number, number> {
    const held = new Map<number, number>();
    this.#usedByDevice.forEach((slots, device) => {
      if (slots > 0) held.set(device, slots);
    });
    return held;
  }

  get sizeBytes(): number {
    return this.nslabs * IO_TLB_SIZE;
  }

  /** Slots in use (debugfs io_tlb_used). */
  get used(): number {
    return this.#used;
  }

  /** High-water mark of used slots (debugfs io_tlb_used_hiwater). */
  get hiwater(): number {
    return this.#hiwater;
  }

  get demand(): PoolDemand {
    return this.#demand;
  }

  /** Peak use since the last call, then a new window (writing io_tlb_used_hiwater, keeping the all-time mark). */
  takeWindowPeak(): number {
    const peak = Math.max(this.#windowPeak, this.#used);
    this.#windowPeak = this.#used;
    return peak;
  }

  areaState(area: number): {used: number; index: number} {
    const state = this.#areas[area]!;
    return {used: state.used, index: state.index};
  }

  get bouncedBytesToDevice(): number {
    return this.#bounced[0]!;
  }

  get bouncedBytesFromDevice(): number {
    return this.#bounced[1]!;
  }

  /** A copy of the free-run counters, for tests and invariant checks. */
  listSnapshot(): Uint8Array {
    return Uint8Array.from({length: this.nslabs}, (_, i) => this.#slots.list(i));
  }

  /**
   * `swiotlb_tbl_map_single()`: finds slots, records the original address, copies the original
   * into the bounce buffer (always, even for FROM_DEVICE: modern kernels do, so a partial device
   * write cannot expose stale pool contents).
   * @returns the bounce buffer address, or DMA_MAPPING_ERROR when no run fits (the caller warns and retries)
   */
  map(device: SwiotlbDevice, origGpa: number, mappingSize: number, cpu: number, allocAlignMask = 0): number {
    const offset = alignOffset(device.minAlignMask, allocAlignMask, origGpa);
    // ALIGN(mapping_size + offset, alloc_align_mask + 1): a mask, and sizes stay far below 2^31.
    const size = (mappingSize + offset + allocAlignMask) & ~allocAlignMask;
    const index = this.#findSlots(device, origGpa, size, allocAlignMask, cpu);
    if (index < 0) {
      this.mapFailures++;
      if (this.#demand.heldForGood === 0) this.#demand.mapFailures++;
      return DMA_MAPPING_ERROR;
    }
    const padSlots = offset >> IO_TLB_SHIFT;
    const slotOffset = offset & (IO_TLB_SIZE - 1);
    const first = index + padSlots;
    this.#slots.setPadSlots(first, padSlots);
    const slots = nrSlots(size) - padSlots;
    for (let i = 0; i < slots; i++) this.#slots.setOrigAddr(first + i, origGpa + i * IO_TLB_SIZE);
    const tlbAddr = this.startGpa + first * IO_TLB_SIZE + slotOffset;
    this.#bounce(device, tlbAddr, mappingSize, 'to-device');
    return tlbAddr;
  }

  /** `swiotlb_tbl_unmap_single()`: copies device-written data back, then frees the slots. */
  unmap(device: SwiotlbDevice, tlbAddr: number, mappingSize: number, direction: DmaDirection): void {
    if (direction !== 'to-device') this.#bounce(device, tlbAddr, mappingSize, 'from-device');
    this.#release(device, tlbAddr);
  }

  #findSlots(
    device: SwiotlbDevice,
    origGpa: number,
    allocSize: number,
    allocAlignMask: number,
    cpu: number,
  ): number {
    if (allocSize > IO_TLB_MAX_MAPPING) return -1;
    // torvalds/linux kernel/dma/swiotlb.c swiotlb_pool_find_slots: start = raw_smp_processor_id() & (nareas - 1)
    const start = cpu & (this.nareas - 1);
    let area = start;
    do {
      const index = this.#searchArea(device, area, origGpa, allocSize, allocAlignMask);
      if (index >= 0) return index;
      if (++area >= this.nareas) area = 0;
    } while (area !== start);
    return -1;
  }

  /** `swiotlb_search_pool_area()`, line for line where it matters. */
  #searchArea(
    device: SwiotlbDevice,
    areaIndex: number,
    origGpa: number,
    allocSize: number,
    requestedAlignMask: number,
  ): number {
    const area = this.#areas[areaIndex]!;
    const slotCount = nrSlots(allocSize);
    const offset = alignOffset(device.minAlignMask, 0, origGpa);
    let iotlbAlignMask = device.minAlignMask;
    let allocAlignMask = requestedAlignMask;
    if (!allocAlignMask && !iotlbAlignMask && allocSize >= this.pageSize) allocAlignMask = this.pageSize - 1;
    allocAlignMask |= IO_TLB_SIZE - 1;
    iotlbAlignMask &= ~allocAlignMask;
    const stride = (Math.max(allocAlignMask, iotlbAlignMask) >>> IO_TLB_SHIFT) + 1;
    if (slotCount > this.areaNslabs - area.used) return -1;
    const maxSlots = device.segBoundarySlots ?? 0;
    const slotBase = areaIndex * this.areaNslabs;
    let index = area.index;
    for (let checked = 0; checked < this.areaNslabs;) {
      const slotIndex = slotBase + index;
      const tlbAddr = this.startGpa + slotIndex * IO_TLB_SIZE;
      if (
        (tlbAddr & allocAlignMask) !== 0 ||
        (origGpa !== 0 && (tlbAddr & iotlbAlignMask) !== (origGpa & iotlbAlignMask))
      ) {
        index = this.#wrapAreaIndex(index + 1);
        checked++;
        continue;
      }
      // torvalds/linux kernel/dma/swiotlb.c swiotlb_search_pool_area: a run crossing the segment
      // boundary is skipped like a busy one (include/linux/iommu-helper.h iommu_is_span_boundary).
      if (
        this.#slots.hasFreeRun(slotIndex, slotCount) &&
        (maxSlots === 0 || ((this.#startSlot + slotIndex) % maxSlots) + slotCount <= maxSlots)
      ) {
        this.#allocate(device, slotIndex, slotCount, allocSize, offset);
        area.index = this.#wrapAreaIndex(index + slotCount);
        area.used += slotCount;
        return slotIndex;
      }
      index = this.#wrapAreaIndex(index + stride);
      checked += stride;
    }
    return -1;
  }

  #allocate(
    device: SwiotlbDevice,
    slotIndex: number,
    slotCount: number,
    allocSize: number,
    offset: number,
  ): void {
    this.#slots.take(slotIndex, slotCount, allocSize - offset);
    this.#slots.setOwner(slotIndex, device.index);
    this.#used += slotCount;
    if (this.#used > this.#hiwater) this.#hiwater = this.#used;
    if (this.#used > this.#windowPeak) this.#windowPeak = this.#used;
    const demand = this.#demand;
    if (device.holdsForGood === true) demand.heldForGood += slotCount;
    demand.hiwater = Math.max(demand.hiwater, this.#used - demand.heldForGood);
    this.#usedByDevice[device.index] = (this.#usedByDevice[device.index] ?? 0) + slotCount;
  }

  /** torvalds/linux kernel/dma/swiotlb.c swiotlb_release_slots: frees into the slot's own area, whatever CPU unmaps. */
  #release(device: SwiotlbDevice, tlbAddr: number): void {
    const offset = alignOffset(device.minAlignMask, 0, tlbAddr);
    let index = (tlbAddr - offset - this.startGpa) >> IO_TLB_SHIFT;
    index -= this.#slots.padSlots(index);
    if (!(index >= 0 && index < this.nslabs && this.#slots.isUsed(index)))
      invariantBroken(`swiotlb: unmap of ${tlbAddr.toString(16)} which is not mapped`);
    const slotCount = nrSlots(this.#slots.allocSize(index) + offset);
    const area = this.#areas[Math.floor(index / this.areaNslabs)]!;
    this.#slots.giveBack(index, slotCount);
    const owner = this.#slots.owner(index);
    this.#slots.setOwner(index, -1);
    area.used -= slotCount;
    this.#used -= slotCount;
    this.#usedByDevice[owner] = (this.#usedByDevice[owner] ?? 0) - slotCount;
    if (device.holdsForGood === true) this.#demand.heldForGood -= slotCount;
  }

  /** `swiotlb_bounce()`: copies between the original buffer and its bounce slots. */
  #bounce(
    device: SwiotlbDevice,
    tlbAddr: number,
    size: number,
    direction: 'to-device' | 'from-device',
  ): void {
    const index = (tlbAddr - this.startGpa) >> IO_TLB_SHIFT;
    let origAddr = this.#slots.origAddr(index);
    if (origAddr === INVALID_ORIG) return;
    let allocSize = this.#slots.allocSize(index);
    const tlbOffset = (tlbAddr & (IO_TLB_SIZE - 1)) - alignOffset(device.minAlignMask, 0, origAddr);
    origAddr += tlbOffset;
    allocSize -= tlbOffset;
    const length = Math.min(size, allocSize);
    if (direction === 'to-device') {
      this.#view.copy(tlbAddr, origAddr, length);
      this.#bounced[0]! += length;
    } else {
      this.#view.copy(origAddr, tlbAddr, length);
      this.#bounced[1]! += length;
    }
  }

  #wrapAreaIndex(index: number): number {
    return index >= this.areaNslabs ? 0 : index;
  }
}
