import {assert} from './assert.js';
import type {MemoryView} from './memory-view.js';
import {
  DESCRIPTOR_SIZE,
  splitRingAddresses,
  splitRingLayout,
  vringNeedEvent,
  type SplitRingAddresses,
  type SplitRingLayout,
} from './split-ring-layout.js';
import {DescriptorFlag} from './virtio.js';
import {DriverRingFields} from './split-virtqueue-fields.js';

/** One buffer of a request, by the address the device will use (a DMA address). */
export interface BufferSegment {
  readonly addr: number;
  readonly len: number;
  readonly isDeviceWritable: boolean;
}

/** Memory the driver got for an indirect table: where the CPU writes it, where the device reads it. */
export interface IndirectTable {
  readonly cpuGpa: number;
  readonly dmaAddr: number;
  /** Maps the written table for the device (bounced like any buffer); false when the pool is full. */
  publish(): boolean;
  release(): void;
}

export interface SplitVirtqueueDriverOptions {
  readonly view: MemoryView;
  /** Guest-physical base of the queue memory (descriptor table, then avail, then used). */
  readonly baseGpa: number;
  readonly queueSize: number;
  /** Alignment of the used ring: the `vring_align` the transport passes (SMP_CACHE_BYTES on pseries). */
  readonly usedRingAlign: number;
  readonly hasEventIdx: boolean;
  /** Present when INDIRECT_DESC was negotiated: allocates a table for one chain. */
  readonly allocateIndirect?: ((bytes: number) => IndirectTable | undefined) | undefined;
}

export interface UsedBuffer<Token> {
  readonly token: Token;
  readonly len: number;
}

const VRING_USED_F_NO_NOTIFY = 1;

/**
 * The guest kernel's side of a split virtqueue (drivers/virtio/virtio_ring.c, split layout):
 * descriptors come from a free list kept beside the ring (like `desc_extra`), avail and used
 * indices are free-running 16-bit counters, and everything the device sees is written through
 * the guest kernel's view of memory.
 */
export class SplitVirtqueueDriver<Token> {
  readonly layout: SplitRingLayout;
  readonly #view: MemoryView;
  readonly #base: number;
  readonly #used: number;
  readonly #hasEventIdx: boolean;
  readonly #allocateIndirect: SplitVirtqueueDriverOptions['allocateIndirect'];
  readonly #nextFree: Uint16Array;
  readonly #chainLength: Uint16Array;
  readonly #tokens: (Token | undefined)[];
  readonly #indirect: (IndirectTable | undefined)[];
  #freeHead = 0;
  #numFree: number;
  #availIdx = 0;
  #availIdxAtLastKick = 0;
  #lastUsedIdx = 0;
  #inFlight = 0;
  readonly #usedBuffer: {token: Token | undefined; len: number} = {token: undefined, len: 0};
  readonly #fields: DriverRingFields;

  constructor(options: SplitVirtqueueDriverOptions) {
    this.layout = splitRingLayout(options.queueSize, options.usedRingAlign);
    this.#view = options.view;
    this.#base = options.baseGpa;
    this.#used = options.baseGpa + this.layout.usedOffset;
    this.#hasEventIdx = options.hasEventIdx;
    this.#allocateIndirect = options.allocateIndirect;
    const size = options.queueSize;
    this.#nextFree = new Uint16Array(size);
    for (let i = 0; i < size; i++) this.#nextFree[i] = (i + 1) % size;
    this.#chainLength = new Uint16Array(size);
    this.#tokens = new Array<Token | undefined>(size);
    this.#indirect = new Array<IndirectTable | undefined>(size);
    this.#numFree = size;
    this.#view.fill(this.#base, 0, this.layout.totalBytes);
    this.#fields = new DriverRingFields(this.#view, this.#base, this.layout.totalBytes);
  }

  get queueSize(): number {
    return this.layout.queueSize;
  }

  /** The three addresses of this queue in the driver's (CPU) address space. */
  get addresses(): SplitRingAddresses {
    return splitRingAddresses(this.#base, this.layout);
  }

  get numFree(): number {
    return this.#numFree;
  }

  /** Chains added and not yet returned by the device. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Adds one request: device-readable segments first, then device-writable ones (the order the
   * spec requires). Uses an indirect table for multi-segment chains when negotiated.
   * @returns the head descriptor index, or undefined when the ring has no room (-ENOSPC)
   */
  add(segments: readonly BufferSegment[], token: Token): number | undefined {
    assert(segments.length > 0, 'virtqueue: a request needs at least one segment');
    const indirect =
      segments.length > 1 && this.#numFree > 0
        ? this.#allocateIndirect?.(segments.length * DESCRIPTOR_SIZE)
        : undefined;
    const descriptorsNeeded = indirect ? 1 : segments.length;
    if (this.#numFree < descriptorsNeeded) {
      indirect?.release();
      return undefined;
    }
    const head = this.#freeHead;
    if (indirect && !this.#writeIndirectTable(indirect, segments)) {
      indirect.release();
      return undefined;
    }
    const fields = this.#fields;
    fields.holdRing(true);
    if (indirect) {
      const bytes = segments.length * DESCRIPTOR_SIZE;
      fields.putDescriptor(this.#descriptorGpa(head), indirect.dmaAddr, bytes, DescriptorFlag.indirect, 0);
      this.#freeHead = this.#nextFree[head]!;
    } else {
      let index = head;
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i]!;
        const isLast = i === segments.length - 1;
        const next = this.#nextFree[index]!;
        const flags = chainFlags(segment, isLast);
        fields.putDescriptor(this.#descriptorGpa(index), segment.addr, segment.len, flags, isLast ? 0 : next);
        if (!isLast) index = next;
      }
      this.#freeHead = this.#nextFree[index]!;
    }
    this.#numFree -= descriptorsNeeded;
    this.#chainLength[head] = descriptorsNeeded;
    this.#tokens[head] = token;
    this.#indirect[head] = indirect;
    this.#inFlight++;
    this.#publishAvail(head);
    fields.drop();
    return head;
  }

  /**
   * Publishes a chain whose descriptor points back at itself (a driver bug, for fault injection).
   * @returns false when no descriptor is free
   */
  addLoopedChain(token: Token, addr: number): boolean {
    if (this.#numFree < 1) return false;
    const head = this.#freeHead;
    this.#freeHead = this.#nextFree[head]!;
    this.#numFree--;
    this.#chainLength[head] = 1;
    this.#tokens[head] = token;
    this.#inFlight++;
    this.#fields.holdRing(true);
    this.#fields.putDescriptor(this.#descriptorGpa(head), addr, 16, DescriptorFlag.next, head);
    this.#publishAvail(head);
    this.#fields.drop();
    return true;
  }

  /** `virtqueue_kick_prepare()`: does the device want a notification for what was added? */
  kickPrepare(): boolean {
    const old = this.#availIdxAtLastKick;
    const current = this.#availIdx;
    this.#availIdxAtLastKick = current;
    if (old === current) return false;
    const used = this.#used;
    if (this.#hasEventIdx) {
      const availEvent = this.#fields.ringU16(used + 4 + 8 * this.queueSize);
      return vringNeedEvent(availEvent, current, old);
    }
    return (this.#fields.ringU16(used) & VRING_USED_F_NO_NOTIFY) === 0;
  }

  /**
   * `virtqueue_get_buf()`: takes the next used buffer, frees its descriptors.
   * @returns the buffer (one object, valid until the next call), undefined when none is pending,
   *   or an error text for a device that broke the ring
   */
  getBuf(): UsedBuffer<Token> | undefined | string {
    const fields = this.#fields;
    const usedIdx = fields.ringU16(this.#used + 2);
    if (usedIdx === this.#lastUsedIdx) return undefined;
    const element = this.#used + 4 + 8 * (this.#lastUsedIdx % this.queueSize);
    fields.holdRing(this.#hasEventIdx);
    const id = fields.getU32(element);
    const len = fields.getU32(element + 4);
    if (id >= this.queueSize || this.#tokens[id] === undefined) {
      fields.drop();
      return id >= this.queueSize ? `id ${id} out of range` : `id ${id} is not a head!`;
    }
    this.#lastUsedIdx = (this.#lastUsedIdx + 1) & 0xffff;
    const usedEvent = this.#base + this.layout.availOffset + 4 + 2 * this.queueSize;
    if (this.#hasEventIdx) fields.putU16(usedEvent, this.#lastUsedIdx);
    fields.drop();
    const buffer = this.#usedBuffer;
    buffer.token = this.#tokens[id];
    buffer.len = len;
    this.#detach(id);
    return buffer as UsedBuffer<Token>;
  }

  /** Takes back every request the device has not returned (`virtqueue_detach_unused_buf` at reset). */
  detachUnused(): Token[] {
    const tokens: Token[] = [];
    for (let head = 0; head < this.queueSize; head++) {
      const token = this.#tokens[head];
      if (token === undefined) continue;
      tokens.push(token);
      this.#detach(head);
    }
    return tokens;
  }

  #detach(head: number): void {
    let index = head;
    const count = this.#chainLength[head]!;
    for (let i = 1; i < count; i++) index = this.#nextFree[index]!;
    this.#nextFree[index] = this.#freeHead;
    this.#freeHead = head;
    this.#numFree += count;
    this.#tokens[head] = undefined;
    this.#inFlight--;
    this.#indirect[head]?.release();
    this.#indirect[head] = undefined;
  }

  #descriptorGpa(index: number): number {
    return this.#base + this.layout.descOffset + index * DESCRIPTOR_SIZE;
  }

  /** Puts `head` in the avail ring and advances avail->idx. */
  #publishAvail(head: number): void {
    const avail = this.#base + this.layout.availOffset;
    this.#fields.putU16(avail + 4 + 2 * (this.#availIdx % this.queueSize), head);
    this.#availIdx = (this.#availIdx + 1) & 0xffff;
    this.#fields.putU16(avail + 2, this.#availIdx);
  }

  #writeIndirectTable(table: IndirectTable, segments: readonly BufferSegment[]): boolean {
    const count = segments.length;
    const fields = this.#fields;
    fields.hold(table.cpuGpa, count * DESCRIPTOR_SIZE);
    for (let i = 0; i < count; i++) {
      const segment = segments[i]!;
      const isLast = i === count - 1;
      const gpa = table.cpuGpa + i * DESCRIPTOR_SIZE;
      fields.putDescriptor(gpa, segment.addr, segment.len, chainFlags(segment, isLast), isLast ? 0 : i + 1);
    }
    fields.drop();
    return table.publish();
  }
}

/** A chain's descriptor flags: WRITE for device-writable buffers, NEXT on all but the last. */
function chainFlags(segment: BufferSegment, isLast: boolean): number {
  return (segment.isDeviceWritable ? DescriptorFlag.write : 0) | (isLast ? 0 : DescriptorFlag.next);
}
