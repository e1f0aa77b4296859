import type {MemoryView} from './memory-view.js';
import {assert} from './assert.js';
import {DESCRIPTOR_SIZE, vringNeedEvent, type SplitRingAddresses} from './split-ring-layout.js';
import {DescriptorFlag, QUEUE_SIZE_MAX} from './virtio.js';
import {PooledElement, type QueueElement} from './split-virtqueue-element.js';

export {copyElement, type DeviceSegment, type QueueElement} from './split-virtqueue-element.js';

/** The device's ring indices, as migration carries them (`virtio_save`/`virtio_load`). */
export interface RingIndices {
  readonly lastAvailIdx: number;
  readonly usedIdx: number;
  readonly inUse: number;
}

/** Which of QEMU's split-ring checks a guest's ring tripped (hw/virtio/virtio.c). */
export type RingErrorCode =
  | 'avail-index-moved'
  | 'virtqueue-size-exceeded'
  | 'head-out-of-range'
  | 'indirect-table-size'
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

const VRING_AVAIL_F_NO_INTERRUPT = 1;
/** VIRTQUEUE_MAX_SIZE: the most buffers one element may have (hw/virtio/virtio.c `virtqueue_map_desc`). */
export const VIRTQUEUE_MAX_SEGMENTS = 1024;

/**
 * The device's side of a split virtqueue, after hw/virtio/virtio.c: reads avail and descriptors
 * at the three addresses the driver wrote, through the hypervisor's view, checks every bound the
 * way QEMU does, writes used entries. A SecurePageFault from the view propagates to the caller,
 * which owns the request.
 */
export class SplitVirtqueueDevice {
  readonly queueSize: number;
  readonly addresses: SplitRingAddresses;
  readonly #view: MemoryView;
  readonly #desc: number;
  readonly #avail: number;
  readonly #used: number;
  readonly #hasEventIdx: boolean;
  #lastAvailIdx = 0;
  #usedIdx = 0;
  #inUse = 0;
  #signalledUsed = 0;
  #isSignalledUsedValid = false;
  readonly #spare: PooledElement[] = [];
  /** The descriptor last read whole (its table address), within one pop: see #load. */
  #descriptorGpa = -1;
  #descriptorAddr = 0;
  #descriptorLen = 0;
  #descriptorFlags = 0;
  #descriptorNext = 0;

  constructor(view: MemoryView, addresses: SplitRingAddresses, queueSize: number, hasEventIdx: boolean) {
    assert(
      queueSize > 0 && queueSize <= QUEUE_SIZE_MAX && (queueSize & (queueSize - 1)) === 0,
      `virtqueue: size ${queueSize} must be a power of 2 no larger than ${QUEUE_SIZE_MAX}`,
    );
    this.queueSize = queueSize;
    this.addresses = addresses;
    this.#view = view;
    this.#desc = addresses.desc;
    this.#avail = addresses.driver;
    this.#used = addresses.device;
    this.#hasEventIdx = hasEventIdx;
  }

  /** Elements popped and not yet pushed back. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Ring indices as migration's device state carries them. */
  get indices(): RingIndices {
    return {lastAvailIdx: this.#lastAvailIdx, usedIdx: this.#usedIdx, inUse: this.#inUse};
  }

  /** Restores ring indices on a migration target (`virtio_load`). */
  restoreIndices(indices: RingIndices): void {
    this.#lastAvailIdx = indices.lastAvailIdx;
    this.#usedIdx = indices.usedIdx;
    this.#inUse = indices.inUse;
    this.#isSignalledUsedValid = false;
  }

  /**
   * `virtqueue_split_pop()`: the next available chain.
   * @returns the element, undefined when the ring is empty, or a RingError naming what the guest broke
   */
  pop(): QueueElement | RingError | undefined {
    const view = this.#view;
    const size = this.queueSize;
    const availIdx = view.readU16(this.#avail + 2);
    const numHeads = (availIdx - this.#lastAvailIdx) & 0xffff;
    if (numHeads > size)
      return {
        error: `Guest moved used index from ${this.#lastAvailIdx} to ${availIdx}`,
        code: 'avail-index-moved',
      };
    if (numHeads === 0) {
      if (this.#hasEventIdx) this.#setAvailEvent();
      return undefined;
    }
    if (this.#inUse >= size) return {error: 'Virtqueue size exceeded', code: 'virtqueue-size-exceeded'};
    // QEMU advances last_avail_idx before it checks the head (`virtqueue_get_head(vq, vq->last_avail_idx++, …)`).
    const head = view.readU16(this.#avail + 4 + 2 * (this.#lastAvailIdx % size));
    this.#lastAvailIdx = (this.#lastAvailIdx + 1) & 0xffff;
    if (head >= size) return {error: `Guest says index ${head} is available`, code: 'head-out-of-range'};
    if (this.#hasEventIdx) this.#setAvailEvent();
    const element = this.#readChain(head);
    if ('error' in element) return element;
    this.#inUse++;
    return element;
  }

  /** Takes back an element this queue popped, once pushed (or never to be pushed): it will be handed out again. */
  recycle(element: QueueElement): void {
    if (element instanceof PooledElement && element.belongsTo(this)) this.#spare.push(element);
  }

  /** An element of this queue's pool holding the same buffers (a migration target redoing a saved element). */
  adopt(saved: QueueElement): QueueElement {
    const element = this.#spare.pop() ?? new PooledElement(this);
    element.head = saved.head;
    element.copySegments(saved.out, element.out, 0);
    element.copySegments(saved.in, element.in, saved.out.length);
    return element;
  }

  /** `virtqueue_fill()` + `virtqueue_flush()` for one element: `len` bytes were written to it. */
  push(head: number, len: number): void {
    const used = this.#used;
    const slot = this.#usedIdx % this.queueSize;
    this.#view.writeU32(used + 4 + 8 * slot, head);
    this.#view.writeU32(used + 4 + 8 * slot + 4, len);
    const old = this.#usedIdx;
    this.#usedIdx = (this.#usedIdx + 1) & 0xffff;
    this.#view.writeU16(used + 2, this.#usedIdx);
    this.#inUse--;
    if (((this.#usedIdx - this.#signalledUsed) << 16) >> 16 < ((this.#usedIdx - old) & 0xffff)) {
      this.#isSignalledUsedValid = false;
    }
  }

  /** `virtio_should_notify()`: does the driver want an interrupt for what was pushed? */
  shouldNotify(): boolean {
    const availRing = this.#avail;
    if (!this.#hasEventIdx) return (this.#view.readU16(availRing) & VRING_AVAIL_F_NO_INTERRUPT) === 0;
    const old = this.#signalledUsed;
    const isValid = this.#isSignalledUsedValid;
    const current = this.#usedIdx;
    this.#signalledUsed = current;
    this.#isSignalledUsedValid = true;
    const usedEvent = this.#view.readU16(availRing + 4 + 2 * this.queueSize);
    return !isValid || vringNeedEvent(usedEvent, current, old);
  }

  #setAvailEvent(): void {
    this.#view.writeU16(this.#used + 4 + 8 * this.queueSize, this.#lastAvailIdx);
  }

  /**
   * The chain at `head`, as `virtqueue_split_pop()` collects it: a head with INDIRECT switches to
   * its table; inside a table the INDIRECT flag is not looked at (QEMU has no nested-indirect
   * check on this path: such a descriptor is an ordinary buffer), and every check runs in QEMU's
   * order (direction, then size, then the loop bound, then `next`).
   */
  #readChain(head: number): QueueElement | RingError {
    this.#descriptorGpa = -1;
    let tableBase = this.#desc;
    let max = this.queueSize;
    let descriptorGpa = tableBase + head * DESCRIPTOR_SIZE;
    let flags = this.#flags(descriptorGpa);
    if (flags & DescriptorFlag.indirect) {
      const tableLength = this.#len(descriptorGpa);
      if (tableLength === 0 || tableLength % DESCRIPTOR_SIZE !== 0)
        return {error: 'Invalid size for indirect buffer table', code: 'indirect-table-size'};
      tableBase = this.#addr(descriptorGpa);
      max = tableLength / DESCRIPTOR_SIZE;
      descriptorGpa = tableBase;
      flags = this.#flags(descriptorGpa);
    }
    const element = this.#spare.pop() ?? new PooledElement(this);
    element.head = head;
    let outCount = 0;
    let inCount = 0;
    for (let entries = 1; ; entries++) {
      const isWrite = (flags & DescriptorFlag.write) !== 0;
      const len = this.#checkDescriptor(descriptorGpa, isWrite, outCount, inCount);
      if (typeof len !== 'number') return this.#dropped(element, len);
      const segment = element.segment(outCount + inCount);
      segment.addr = this.#addr(descriptorGpa);
      segment.len = len;
      if (isWrite) element.in[inCount++] = segment;
      else element.out[outCount++] = segment;
      if (entries > max)
        return this.#dropped(element, {error: 'Looped descriptor', code: 'looped-descriptor'});
      if (!(flags & DescriptorFlag.next)) break;
      const next = this.#next(descriptorGpa);
      if (next >= max)
        return this.#dropped(element, {error: `Desc next is ${next}`, code: 'next-out-of-range'});
      descriptorGpa = tableBase + next * DESCRIPTOR_SIZE;
      flags = this.#flags(descriptorGpa);
    }
    if (element.out.length !== outCount) element.out.length = outCount;
    if (element.in.length !== inCount) element.in.length = inCount;
    return element;
  }

  /**
   * Reads the whole descriptor at `gpa` at once when it lies in one page inside memory (then no
   * field of it can fault on its own, so the order fields are read in does not matter); false
   * for one across pages or memory's end, whose fields are read one by one in QEMU's order.
   */
  #load(gpa: number): boolean {
    if (gpa === this.#descriptorGpa) return true;
    const view = this.#view;
    if (gpa + DESCRIPTOR_SIZE > view.memory.sizeBytes) return false;
    const bytes = view.bytesAt(gpa, DESCRIPTOR_SIZE, false);
    if (!bytes) return false;
    const at = view.bytesOffset;
    this.#descriptorAddr = u32At(bytes, at) + u32At(bytes, at + 4) * 0x1_0000_0000;
    this.#descriptorLen = u32At(bytes, at + 8);
    this.#descriptorFlags = bytes[at + 12]! | (bytes[at + 13]! << 8);
    this.#descriptorNext = bytes[at + 14]! | (bytes[at + 15]! << 8);
    this.#descriptorGpa = gpa;
    return true;
  }

  #addr(gpa: number): number {
    return this.#load(gpa) ? this.#descriptorAddr : this.#view.readU64(gpa);
  }

  #len(gpa: number): number {
    return this.#load(gpa) ? this.#descriptorLen : this.#view.readU32(gpa + 8);
  }

  #flags(gpa: number): number {
    return this.#load(gpa) ? this.#descriptorFlags : this.#view.readU16(gpa + 12);
  }

  #next(gpa: number): number {
    return this.#load(gpa) ? this.#descriptorNext : this.#view.readU16(gpa + 14);
  }

  #dropped(element: PooledElement, error: RingError): RingError {
    this.#spare.push(element);
    return error;
  }

  /**
   * `virtqueue_map_desc()`'s checks for one descriptor, in QEMU's order: out before in, no zero
   * size, at most 1024 buffers. @returns the descriptor's length, or what it broke
   */
  #checkDescriptor(
    descriptorGpa: number,
    isWrite: boolean,
    outCount: number,
    inCount: number,
  ): number | RingError {
    if (!isWrite && inCount > 0) return {error: 'Incorrect order for descriptors', code: 'descriptor-order'};
    const len = this.#len(descriptorGpa);
    if (len === 0) return {error: 'virtio: zero sized buffers are not allowed', code: 'zero-sized-buffer'};
    const count = isWrite ? inCount : outCount;
    const limit = isWrite ? VIRTQUEUE_MAX_SEGMENTS - outCount : VIRTQUEUE_MAX_SEGMENTS;
    if (count === limit)
      return {error: 'virtio: too many write descriptors in indirect table', code: 'too-many-descriptors'};
    return len;
  }
}

function u32At(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>>
    0
  );
}
