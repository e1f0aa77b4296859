import type {MemoryView} from './memory-view.js';
import {DESCRIPTOR_SIZE, splitRingLayout, vringNeedEvent, type SplitRingLayout} from './split-ring-layout.js';
import {DescriptorFlag} from './virtio.js';

/** A guest-physical range the device reads (out) or writes (in). */
export interface DeviceSegment {
  readonly addr: number;
  readonly len: number;
}

/** One popped request (QEMU's VirtQueueElement). */
export interface QueueElement {
  readonly head: number;
  readonly out: DeviceSegment[];
  readonly in: DeviceSegment[];
}

/** A ring the guest broke: the device must go to NEEDS_RESET with this text (QEMU's `virtio_error`). */
export interface RingError {
  readonly error: string;
}

const VRING_AVAIL_F_NO_INTERRUPT = 1;

/**
 * The device's side of a split virtqueue, after hw/virtio/virtio.c: reads avail and descriptors
 * through the hypervisor's view, checks every bound the way QEMU does, writes used entries.
 * A SecurePageFault from the view propagates to the caller, which owns the request.
 */
export class SplitVirtqueueDevice {
  readonly layout: SplitRingLayout;
  readonly #view: MemoryView;
  readonly #base: number;
  readonly #hasEventIdx: boolean;
  #lastAvailIdx = 0;
  #usedIdx = 0;
  #inUse = 0;
  #signalledUsed = 0;
  #isSignalledUsedValid = false;

  constructor(view: MemoryView, baseGpa: number, queueSize: number, hasEventIdx: boolean) {
    this.layout = splitRingLayout(queueSize);
    this.#view = view;
    this.#base = baseGpa;
    this.#hasEventIdx = hasEventIdx;
  }

  get queueSize(): number {
    return this.layout.queueSize;
  }

  /** Elements popped and not yet pushed back. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Ring indices as migration's device state carries them. */
  get indices(): {lastAvailIdx: number; usedIdx: number; inUse: number} {
    return {lastAvailIdx: this.#lastAvailIdx, usedIdx: this.#usedIdx, inUse: this.#inUse};
  }

  /** Restores ring indices on a migration target (`virtio_load`). */
  restoreIndices(indices: {lastAvailIdx: number; usedIdx: number; inUse: number}): void {
    this.#lastAvailIdx = indices.lastAvailIdx;
    this.#usedIdx = indices.usedIdx;
    this.#inUse = indices.inUse;
    this.#isSignalledUsedValid = false;
  }

  /**
   * `virtqueue_pop()`: the next available chain.
   * @returns the element, undefined when the ring is empty, or a RingError naming what the guest broke
   */
  pop(): QueueElement | RingError | undefined {
    const view = this.#view;
    const size = this.queueSize;
    const availRing = this.#base + this.layout.availOffset;
    const availIdx = view.readU16(availRing + 2);
    const numHeads = (availIdx - this.#lastAvailIdx) & 0xffff;
    if (numHeads > size) return {error: `Guest moved used index from ${this.#lastAvailIdx} to ${availIdx}`};
    if (numHeads === 0) {
      if (this.#hasEventIdx) this.#setAvailEvent();
      return undefined;
    }
    if (this.#inUse >= size) return {error: 'Virtqueue size exceeded'};
    const head = view.readU16(availRing + 4 + 2 * (this.#lastAvailIdx % size));
    if (head >= size) return {error: `Guest says index ${head} is available`};
    const element = this.#readChain(head);
    if ('error' in element) return element;
    this.#lastAvailIdx = (this.#lastAvailIdx + 1) & 0xffff;
    this.#inUse++;
    if (this.#hasEventIdx) this.#setAvailEvent();
    return element;
  }

  /** `virtqueue_fill()` + `virtqueue_flush()` for one element: `len` bytes were written to it. */
  push(head: number, len: number): void {
    const used = this.#base + this.layout.usedOffset;
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
    const availRing = this.#base + this.layout.availOffset;
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
    this.#view.writeU16(this.#base + this.layout.usedOffset + 4 + 8 * this.queueSize, this.#lastAvailIdx);
  }

  #readChain(head: number): QueueElement | RingError {
    const view = this.#view;
    let tableBase = this.#base + this.layout.descOffset;
    let max = this.queueSize;
    let descriptorGpa = tableBase + head * DESCRIPTOR_SIZE;
    let flags = view.readU16(descriptorGpa + 12);
    if (flags & DescriptorFlag.indirect) {
      const tableLength = view.readU32(descriptorGpa + 8);
      if (tableLength === 0 || tableLength % DESCRIPTOR_SIZE !== 0)
        return {error: 'Invalid size for indirect buffer table'};
      tableBase = view.readU64(descriptorGpa);
      max = tableLength / DESCRIPTOR_SIZE;
      descriptorGpa = tableBase;
      flags = view.readU16(descriptorGpa + 12);
      if (flags & DescriptorFlag.indirect) return {error: 'Nested indirect descriptor'};
    }
    const out: DeviceSegment[] = [];
    const inSegments: DeviceSegment[] = [];
    let count = 0;
    for (;;) {
      if (++count > max) return {error: 'Looped descriptor'};
      const addr = view.readU64(descriptorGpa);
      const len = view.readU32(descriptorGpa + 8);
      if (len === 0) return {error: 'virtio: zero sized buffers are not allowed'};
      if (flags & DescriptorFlag.write) {
        inSegments.push({addr, len});
      } else {
        if (inSegments.length > 0) return {error: 'Incorrect order for descriptors'};
        out.push({addr, len});
      }
      if (!(flags & DescriptorFlag.next)) break;
      const next = view.readU16(descriptorGpa + 14);
      if (next >= max) return {error: `Desc next is ${next}`};
      descriptorGpa = tableBase + next * DESCRIPTOR_SIZE;
      flags = view.readU16(descriptorGpa + 12);
    }
    return {head, out, in: inSegments};
  }
}
