import {assert, invariantBroken} from './assert.js';
import type {MemoryView} from './memory-view.js';

/** kernel/dma/swiotlb.c and include/linux/swiotlb.h constants. */
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
}

export interface SwiotlbGeometry {
  readonly nslabs: number;
  readonly nareas: number;
}

/**
 * The pool size and area count the kernel ends up with for `swiotlb=<nslabs>[,<nareas>]` on a
 * guest with `vcpus` CPUs: nslabs aligned to a segment, areas a power of two (default: the CPU
 * count), nslabs rounded up to a power of two when areas are in use (`round_up_default_nslabs`),
 * and areas capped so each holds at least one segment (`limit_nareas`).
 */
export function swiotlbGeometry(
  requestedNslabs: number,
  requestedNareas: number,
  vcpus: number,
): SwiotlbGeometry {
  let nslabs = Math.ceil(Math.max(requestedNslabs, 1) / IO_TLB_SEGSIZE) * IO_TLB_SEGSIZE;
  const nareas = roundUpPowerOfTwo(Math.max(requestedNareas > 0 ? requestedNareas : vcpus, 1));
  if (nslabs < IO_TLB_SEGSIZE * nareas) nslabs = IO_TLB_SEGSIZE * nareas;
  else nslabs = roundUpPowerOfTwo(nslabs);
  const limitedAreas = nslabs < nareas * IO_TLB_SEGSIZE ? nslabs / IO_TLB_SEGSIZE : nareas;
  return {nslabs, nareas: limitedAreas};
}

export function roundUpPowerOfTwo(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}

/** The kernel's warning when no run of slots fits (dev_warn_ratelimited in swiotlb_tbl_map_single). */
export function swiotlbFullMessage(sizeBytes: number, totalSlots: number, usedSlots: number): string {
  return `swiotlb buffer is full (sz: ${sizeBytes} bytes), total ${totalSlots} (slots), used ${usedSlots} (slots)`;
}

const INVALID_ORIG = -1;

interface Area {
  used: number;
  index: number;
}

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
  readonly #view: MemoryView;
  readonly #slots: SlotTable;
  readonly #areas: Area[];
  #used = 0;
  #hiwater = 0;
  #windowPeak = 0;
  mapFailures = 0;
  bouncedBytesToDevice = 0;
  bouncedBytesFromDevice = 0;
  readonly usedByDevice = new Map<number, number>();

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
    this.areaNslabs = options.nslabs / options.nareas;
    this.startGpa = options.startGpa;
    this.pageSize = options.pageSize;
    this.#view = options.view;
    this.#slots = new SlotTable(this.nslabs);
    for (let i = 0; i < this.nslabs; i++) {
      this.#slots.setList(i, IO_TLB_SEGSIZE - (i & (IO_TLB_SEGSIZE - 1)));
      this.#slots.setOrigAddr(i, INVALID_ORIG);
      this.#slots.setOwner(i, -1);
    }
    this.#areas = Array.from({length: this.nareas}, () => ({used: 0, index: 0}));
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

  /**
   * Peak use since the last call, then restarts the window (like writing io_tlb_used_hiwater,
   * but without losing the all-time mark): what a once-a-second sample shows.
   */
  takeWindowPeak(): number {
    const peak = Math.max(this.#windowPeak, this.#used);
    this.#windowPeak = this.#used;
    return peak;
  }

  areaState(area: number): {used: number; index: number} {
    const state = this.#areas[area]!;
    return {used: state.used, index: state.index};
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
    const size = Math.ceil((mappingSize + offset) / (allocAlignMask + 1)) * (allocAlignMask + 1);
    const index = this.#findSlots(device, origGpa, size, allocAlignMask, cpu);
    if (index < 0) {
      this.mapFailures++;
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

  /** Whether an address lies inside this pool (`is_swiotlb_buffer`). */
  contains(addr: number): boolean {
    return addr >= this.startGpa && addr < this.startGpa + this.sizeBytes;
  }

  #findSlots(
    device: SwiotlbDevice,
    origGpa: number,
    allocSize: number,
    allocAlignMask: number,
    cpu: number,
  ): number {
    if (allocSize > IO_TLB_MAX_MAPPING) return -1;
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
      if (this.#slots.list(slotIndex) >= slotCount) {
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
    for (let i = slotIndex; i < slotIndex + slotCount; i++) {
      this.#slots.setList(i, 0);
      this.#slots.setAllocSize(i, allocSize - (offset + (i - slotIndex) * IO_TLB_SIZE));
    }
    let count = 0;
    for (
      let i = slotIndex - 1;
      i >= 0 && (i & (IO_TLB_SEGSIZE - 1)) !== IO_TLB_SEGSIZE - 1 && this.#slots.list(i) !== 0;
      i--
    ) {
      this.#slots.setList(i, ++count);
    }
    this.#slots.setOwner(slotIndex, device.index);
    this.#used += slotCount;
    if (this.#used > this.#hiwater) this.#hiwater = this.#used;
    if (this.#used > this.#windowPeak) this.#windowPeak = this.#used;
    this.usedByDevice.set(device.index, (this.usedByDevice.get(device.index) ?? 0) + slotCount);
  }

  /** `swiotlb_release_slots()`: returns slots and merges free runs within the segment. */
  #release(device: SwiotlbDevice, tlbAddr: number): void {
    const offset = alignOffset(device.minAlignMask, 0, tlbAddr);
    let index = (tlbAddr - offset - this.startGpa) >> IO_TLB_SHIFT;
    index -= this.#slots.padSlots(index);
    if (!(index >= 0 && index < this.nslabs && this.#slots.list(index) === 0))
      invariantBroken(`swiotlb: unmap of ${tlbAddr.toString(16)} which is not mapped`);
    const slotCount = nrSlots(this.#slots.allocSize(index) + offset);
    const area = this.#areas[Math.floor(index / this.areaNslabs)]!;
    const segmentEnd = (Math.floor(index / IO_TLB_SEGSIZE) + 1) * IO_TLB_SEGSIZE;
    let count = index + slotCount < segmentEnd ? this.#slots.list(index + slotCount) : 0;
    for (let i = index + slotCount - 1; i >= index; i--) {
      this.#slots.setList(i, ++count);
      this.#slots.setOrigAddr(i, INVALID_ORIG);
      this.#slots.setAllocSize(i, 0);
      this.#slots.setPadSlots(i, 0);
    }
    for (
      let i = index - 1;
      i >= 0 && (i & (IO_TLB_SEGSIZE - 1)) !== IO_TLB_SEGSIZE - 1 && this.#slots.list(i) !== 0;
      i--
    ) {
      this.#slots.setList(i, ++count);
    }
    const owner = this.#slots.owner(index);
    this.#slots.setOwner(index, -1);
    area.used -= slotCount;
    this.#used -= slotCount;
    const ownerUsed = (this.usedByDevice.get(owner) ?? 0) - slotCount;
    if (ownerUsed > 0) this.usedByDevice.set(owner, ownerUsed);
    else this.usedByDevice.delete(owner);
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
      this.bouncedBytesToDevice += length;
    } else {
      this.#view.copy(origAddr, tlbAddr, length);
      this.bouncedBytesFromDevice += length;
    }
  }

  #wrapAreaIndex(index: number): number {
    return index >= this.areaNslabs ? 0 : index;
  }
}

/**
 * `struct io_tlb_slot` for every slot, laid out as the kernel does: one 16-byte record per slot
 * (orig_addr, alloc_size, list, pad_slots, and the owning device) in one buffer. Touching a slot
 * touches one cache line rather than one per field, which is what keeps a 1 GiB pool's scattered
 * slots about as cheap as a 64 MiB pool's (walks of `list[]` across a segment cost a little more).
 */
class SlotTable {
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

function nrSlots(bytes: number): number {
  return Math.ceil(bytes / IO_TLB_SIZE);
}

/** `swiotlb_align_offset()`: padding needed so min_align_mask bits of the address survive. */
function alignOffset(minAlignMask: number, allocAlignMask: number, addr: number): number {
  return addr & minAlignMask & (allocAlignMask | (IO_TLB_SIZE - 1));
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
