import {DescriptorReader} from './split-descriptor-reader.js';
import {DESCRIPTOR_SIZE} from './split-ring-layout.js';
import type {PooledElement} from './split-virtqueue-element.js';
import type {MemoryView} from './memory-view.js';
import {DescriptorFlag} from './virtio.js';

/** Which of QEMU's split-ring checks a guest's ring tripped (hw/virtio/virtio.c). */
export type RingErrorCode =
  | 'avail-index-moved'
  | 'virtqueue-size-exceeded'
  | 'head-out-of-range'
  | 'indirect-table-size'
  | 'indirect-table-unmapped'
  | 'bogus-descriptor'
  | 'zero-sized-buffer'
  | 'too-many-descriptors'
  | 'descriptor-order'
  | 'looped-descriptor'
  | 'next-out-of-range';

/** A ring the guest broke: the device must go to NEEDS_RESET with this text (QEMU's `virtio_error`). */
export interface RingError {
  readonly error: string;
  readonly code: RingErrorCode;
}

/** VIRTQUEUE_MAX_SIZE: the most buffers one element may have (hw/virtio/virtio.c `virtqueue_map_desc`). */
export const VIRTQUEUE_MAX_SEGMENTS = 1024;

const LOOPED: RingError = {error: 'Looped descriptor', code: 'looped-descriptor'};

/**
 * Follows one chain of a split ring's descriptor table for the device, with QEMU's checks in
 * QEMU's order (qemu/qemu hw/virtio/virtio.c): `collect` as `virtqueue_split_pop` does, `walk`
 * as `virtqueue_split_get_avail_bytes` does. Guest RAM is [0, memory size): a pseries guest's
 * memory starts at 0, so a buffer or table reaching past its end does not map.
 */
export class SplitChainReader {
  readonly #descriptors: DescriptorReader;
  readonly #descGpa: number;
  readonly #queueSize: number;
  readonly #memoryBytes: number;
  /** The address of the descriptor `#checkDescriptor` checked last. */
  #checkedAddr = 0;
  /** The table the chain being read lives in: see #enterTable. */
  #tableBase = 0;
  #tableMax = 0;
  #tableFirst = 0;
  #isIndirect = false;
  /** Device-writable bytes of the chain `walk` walked last. */
  walkedInBytes = 0;

  constructor(view: MemoryView, descGpa: number, queueSize: number) {
    this.#descriptors = new DescriptorReader(view, descGpa, queueSize);
    this.#descGpa = descGpa;
    this.#queueSize = queueSize;
    this.#memoryBytes = view.memory.sizeBytes;
  }

  /**
   * The chain at `head`, as `virtqueue_split_pop()` collects it: a head with INDIRECT switches to
   * its table; inside a table the INDIRECT flag is not looked at (QEMU has no nested-indirect
   * check on this path: such a descriptor is an ordinary buffer), and every check runs in QEMU's
   * order (direction, size, map, then the loop bound, then `next`).
   */
  collect(head: number, element: PooledElement): RingError | undefined {
    const entered = this.#enterTable(head, 0, false);
    if (entered) return entered;
    const reader = this.#descriptors;
    const tableBase = this.#tableBase;
    const max = this.#tableMax;
    let descriptorGpa = this.#tableFirst;
    let flags = reader.flags(descriptorGpa);
    element.head = head;
    let outCount = 0;
    let inCount = 0;
    for (let entries = 1; ; entries++) {
      const isWrite = (flags & DescriptorFlag.write) !== 0;
      const len = this.#checkDescriptor(descriptorGpa, isWrite, outCount, inCount);
      if (typeof len !== 'number') return len;
      const segment = element.segment(outCount + inCount);
      segment.addr = this.#checkedAddr;
      segment.len = len;
      if (isWrite) element.in[inCount++] = segment;
      else element.out[outCount++] = segment;
      if (entries > max) return LOOPED;
      if (!(flags & DescriptorFlag.next)) break;
      const next = reader.next(descriptorGpa);
      if (next >= max) return {error: `Desc next is ${next}`, code: 'next-out-of-range'};
      descriptorGpa = tableBase + next * DESCRIPTOR_SIZE;
      flags = reader.flags(descriptorGpa);
    }
    if (element.out.length !== outCount) element.out.length = outCount;
    if (element.in.length !== inCount) element.in.length = inCount;
    return undefined;
  }

  /**
   * The chain at `head` as `virtqueue_split_get_avail_bytes()` walks it: its buffers count with
   * those of the direct chains before it against the queue size (`num_bufs` starts at `total_bufs`).
   * @returns the buffers counted so far (an indirect table counts one), or what the guest broke
   */
  walk(head: number, totalBuffers: number): number | RingError {
    const entered = this.#enterTable(head, totalBuffers, true);
    if (entered) return entered;
    const reader = this.#descriptors;
    const isIndirect = this.#isIndirect;
    const max = this.#tableMax;
    let buffers = isIndirect ? 0 : totalBuffers;
    let descriptorGpa = this.#tableFirst;
    let inBytes = 0;
    for (;;) {
      const flags = reader.flags(descriptorGpa);
      if (++buffers > max) return LOOPED;
      if (flags & DescriptorFlag.write) inBytes += reader.len(descriptorGpa);
      if (!(flags & DescriptorFlag.next)) break;
      const next = reader.next(descriptorGpa);
      if (next >= max) return {error: `Desc next is ${next}`, code: 'next-out-of-range'};
      descriptorGpa = this.#tableBase + next * DESCRIPTOR_SIZE;
    }
    this.walkedInBytes = inBytes;
    return isIndirect ? totalBuffers + 1 : buffers;
  }

  /**
   * Finds the table `head`'s chain lives in (#tableBase, #tableMax, #tableFirst, #isIndirect)
   * with QEMU's INDIRECT checks: the table's size, then (when walking for avail bytes) the loop
   * bound, then whether it maps (`address_space_cache_init` covers guest RAM only).
   */
  #enterTable(head: number, buffersSoFar: number, checksLoop: boolean): RingError | undefined {
    const reader = this.#descriptors;
    reader.forget();
    const headGpa = this.#descGpa + head * DESCRIPTOR_SIZE;
    this.#tableBase = this.#descGpa;
    this.#tableMax = this.#queueSize;
    this.#tableFirst = headGpa;
    this.#isIndirect = (reader.flags(headGpa) & DescriptorFlag.indirect) !== 0;
    if (!this.#isIndirect) return undefined;
    const tableLength = reader.len(headGpa);
    if (tableLength === 0 || tableLength % DESCRIPTOR_SIZE !== 0)
      return {error: 'Invalid size for indirect buffer table', code: 'indirect-table-size'};
    if (checksLoop && buffersSoFar >= this.#queueSize) return LOOPED;
    const tableGpa = reader.addr(headGpa);
    if (tableGpa + tableLength > this.#memoryBytes)
      return {error: 'Cannot map indirect buffer', code: 'indirect-table-unmapped'};
    reader.enterIndirect(tableGpa, tableLength);
    this.#tableBase = tableGpa;
    this.#tableMax = tableLength / DESCRIPTOR_SIZE;
    this.#tableFirst = tableGpa;
    return undefined;
  }

  /**
   * `virtqueue_map_desc()`'s checks for one descriptor, in QEMU's order: out before in, no zero
   * size, at most 1024 buffers, then the map itself (`dma_memory_map` maps guest RAM only, so a
   * buffer past its end is "bogus"). @returns the descriptor's length (its address left in
   * #checkedAddr), or what it broke
   */
  #checkDescriptor(
    descriptorGpa: number,
    isWrite: boolean,
    outCount: number,
    inCount: number,
  ): number | RingError {
    if (!isWrite && inCount > 0) return {error: 'Incorrect order for descriptors', code: 'descriptor-order'};
    const reader = this.#descriptors;
    const len = reader.len(descriptorGpa);
    if (len === 0) return {error: 'virtio: zero sized buffers are not allowed', code: 'zero-sized-buffer'};
    const count = isWrite ? inCount : outCount;
    const limit = isWrite ? VIRTQUEUE_MAX_SEGMENTS - outCount : VIRTQUEUE_MAX_SEGMENTS;
    if (count === limit)
      return {error: 'virtio: too many write descriptors in indirect table', code: 'too-many-descriptors'};
    const addr = reader.addr(descriptorGpa);
    if (addr + len > this.#memoryBytes)
      return {error: 'virtio: bogus descriptor or out of resources', code: 'bogus-descriptor'};
    this.#checkedAddr = addr;
    return len;
  }
}
