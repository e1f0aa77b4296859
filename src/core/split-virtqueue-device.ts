import type {MemoryView} from './memory-view.js';
import {assert} from './assert.js';
import {SplitChainReader, type RingError} from './split-virtqueue-chain.js';
import {vringNeedEvent, type SplitRingAddresses} from './split-ring-layout.js';
import {QUEUE_SIZE_MAX} from './virtio.js';
import {PageWindow} from './page-window.js';
import {putU16, putU32, u16At} from './little-endian.js';
import {PooledElement, type QueueElement} from './split-virtqueue-element.js';

export {copyElement, type DeviceSegment, type QueueElement} from './split-virtqueue-element.js';
export {VIRTQUEUE_MAX_SEGMENTS, type RingError, type RingErrorCode} from './split-virtqueue-chain.js';

/** The device's ring indices, as migration carries them (`virtio_save`/`virtio_load`). */
export interface RingIndices {
  readonly lastAvailIdx: number;
  readonly usedIdx: number;
  readonly inUse: number;
}

const VRING_AVAIL_F_NO_INTERRUPT = 1;

/**
 * The device's side of a split virtqueue, after hw/virtio/virtio.c: reads avail and descriptors
 * at the three addresses the driver wrote, through the hypervisor's view, checks every bound the
 * way QEMU does, writes used entries. In a secure guest whose rings are in secure pages it reads
 * what the hypervisor sees there, ciphertext, and trips the same checks on it.
 */
export class SplitVirtqueueDevice {
  readonly queueSize: number;
  readonly addresses: SplitRingAddresses;
  readonly #view: MemoryView;
  readonly #avail: number;
  readonly #used: number;
  readonly #hasEventIdx: boolean;
  #lastAvailIdx = 0;
  #usedIdx = 0;
  #inUse = 0;
  #signalledUsed = 0;
  #isSignalledUsedValid = false;
  readonly #spare: PooledElement[] = [];
  readonly #chains: SplitChainReader;
  /** The avail ring (flags, idx, ring, used_event) and the used ring (flags, idx, ring, avail_event), each checked once per epoch. */
  readonly #availWindow: PageWindow;
  readonly #usedWindow: PageWindow;

  constructor(view: MemoryView, addresses: SplitRingAddresses, queueSize: number, hasEventIdx: boolean) {
    assert(
      queueSize > 0 && queueSize <= QUEUE_SIZE_MAX && (queueSize & (queueSize - 1)) === 0,
      `virtqueue: size ${queueSize} must be a power of 2 no larger than ${QUEUE_SIZE_MAX}`,
    );
    this.queueSize = queueSize;
    this.addresses = addresses;
    this.#view = view;
    this.#avail = addresses.driver;
    this.#used = addresses.device;
    this.#hasEventIdx = hasEventIdx;
    this.#chains = new SplitChainReader(view, addresses.desc, queueSize);
    this.#availWindow = new PageWindow(view, false, addresses.driver, 6 + 2 * queueSize);
    this.#usedWindow = new PageWindow(view, true, addresses.device, 6 + 8 * queueSize);
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
   * `virtqueue_split_pop()`: the next available chain. Like QEMU's, it does not ask how far the
   * avail index moved (`virtio_queue_empty_rcu` compares it for equality): a bad index shows in
   * the head it reads, then in the descriptors.
   * @returns the element, undefined when the ring is empty, or a RingError naming what the guest broke
   */
  pop(): QueueElement | RingError | undefined {
    const size = this.queueSize;
    if (this.#readAvail(2) === this.#lastAvailIdx) {
      if (this.#hasEventIdx) this.#setAvailEvent();
      return undefined;
    }
    if (this.#inUse >= size) return {error: 'Virtqueue size exceeded', code: 'virtqueue-size-exceeded'};
    // QEMU advances last_avail_idx before it checks the head (`virtqueue_get_head(vq, vq->last_avail_idx++, …)`).
    const head = this.#head(this.#lastAvailIdx);
    this.#lastAvailIdx = (this.#lastAvailIdx + 1) & 0xffff;
    if (typeof head !== 'number') return head;
    if (this.#hasEventIdx) this.#setAvailEvent();
    const element = this.#spare.pop() ?? new PooledElement(this);
    const error = this.#chains.collect(head, element);
    if (error) {
      this.#spare.push(element);
      return error;
    }
    this.#inUse++;
    return element;
  }

  /**
   * `virtqueue_split_get_avail_bytes()`: walks every available chain without popping it, as
   * virtio-rng does to size its request (`get_request_size`), with QEMU's checks on the way; the
   * first is `virtqueue_num_heads`'s on how far the avail index moved. Simplification: no byte
   * limit (virtio-rng's quota is unlimited by default), so the walk never stops early.
   * @returns the device-writable bytes available, or what the guest broke
   */
  availableInBytes(): number | RingError {
    const size = this.queueSize;
    let index = this.#lastAvailIdx;
    let inBytes = 0;
    let totalBuffers = 0;
    for (let heads = 0; heads <= size; heads++) {
      const availIdx = this.#readAvail(2);
      const numHeads = (availIdx - index) & 0xffff;
      if (numHeads > size)
        return {error: `Guest moved used index from ${index} to ${availIdx}`, code: 'avail-index-moved'};
      if (numHeads === 0) break;
      const head = this.#head(index);
      index = (index + 1) & 0xffff;
      if (typeof head !== 'number') return head;
      const walked = this.#chains.walk(head, totalBuffers);
      if (typeof walked !== 'number') return walked;
      totalBuffers = walked;
      inBytes += this.#chains.walkedInBytes;
    }
    return inBytes;
  }

  /** `virtqueue_get_head()`: the head the avail ring holds at `index`, or QEMU's error for a silly one. */
  #head(index: number): number | RingError {
    const head = this.#readAvail(4 + 2 * (index % this.queueSize));
    return head < this.queueSize
      ? head
      : {error: `Guest says index ${head} is available`, code: 'head-out-of-range'};
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
    const slot = this.#usedIdx % this.queueSize;
    this.#writeUsed(4 + 8 * slot, head, 4);
    this.#writeUsed(4 + 8 * slot + 4, len, 4);
    const old = this.#usedIdx;
    this.#usedIdx = (this.#usedIdx + 1) & 0xffff;
    this.#writeUsed(2, this.#usedIdx, 2);
    this.#inUse--;
    if (((this.#usedIdx - this.#signalledUsed) << 16) >> 16 < ((this.#usedIdx - old) & 0xffff)) {
      this.#isSignalledUsedValid = false;
    }
  }

  /** `virtio_should_notify()`: does the driver want an interrupt for what was pushed? */
  shouldNotify(): boolean {
    if (!this.#hasEventIdx) return (this.#readAvail(0) & VRING_AVAIL_F_NO_INTERRUPT) === 0;
    const old = this.#signalledUsed;
    const isValid = this.#isSignalledUsedValid;
    const current = this.#usedIdx;
    this.#signalledUsed = current;
    this.#isSignalledUsedValid = true;
    const usedEvent = this.#readAvail(4 + 2 * this.queueSize);
    return !isValid || vringNeedEvent(usedEvent, current, old);
  }

  #setAvailEvent(): void {
    this.#writeUsed(4 + 8 * this.queueSize, this.#lastAvailIdx, 2);
  }

  /** A 16-bit field of the avail ring `offset` bytes in. */
  #readAvail(offset: number): number {
    const window = this.#availWindow;
    const frame = window.frame();
    return frame !== undefined
      ? u16At(frame, window.offset + offset)
      : this.#view.readU16(this.#avail + offset);
  }

  /** Writes a 16- or 32-bit field of the used ring `offset` bytes in. */
  #writeUsed(offset: number, value: number, size: 2 | 4): void {
    const window = this.#usedWindow;
    const frame = window.frameForWrite();
    if (frame === undefined) {
      if (size === 2) this.#view.writeU16(this.#used + offset, value);
      else this.#view.writeU32(this.#used + offset, value);
    } else if (size === 2) putU16(frame, window.offset + offset, value);
    else putU32(frame, window.offset + offset, value);
  }
}
