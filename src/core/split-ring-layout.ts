import {assert} from './assert.js';
import {QUEUE_SIZE_MAX} from './virtio.js';

/** Sizes and alignments of a split virtqueue (virtio 1.x, split-ring.tex). */
export const DESCRIPTOR_SIZE = 16;
export const DESCRIPTOR_TABLE_ALIGN = 16;
export const AVAIL_RING_ALIGN = 2;
export const USED_RING_ALIGN = 4;
export const USED_ELEMENT_SIZE = 8;

/** Where the three parts of one split virtqueue sit, relative to its base address. */
export interface SplitRingLayout {
  readonly queueSize: number;
  readonly descOffset: number;
  readonly availOffset: number;
  readonly usedOffset: number;
  readonly totalBytes: number;
}

export function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/**
 * Lays out a queue contiguously: descriptor table, then the available ring (flags, idx,
 * ring[queueSize], used_event), then the used ring aligned to 4 (flags, idx, {id,len}[queueSize],
 * avail_event).
 */
export function splitRingLayout(queueSize: number): SplitRingLayout {
  assert(
    Number.isInteger(queueSize) &&
      queueSize > 0 &&
      queueSize <= QUEUE_SIZE_MAX &&
      (queueSize & (queueSize - 1)) === 0,
    `virtqueue: size ${queueSize} must be a power of 2 no larger than ${QUEUE_SIZE_MAX}`,
  );
  const descOffset = 0;
  const availOffset = descOffset + DESCRIPTOR_SIZE * queueSize;
  const availBytes = 2 + 2 + 2 * queueSize + 2;
  const usedOffset = alignUp(availOffset + availBytes, USED_RING_ALIGN);
  const usedBytes = 2 + 2 + USED_ELEMENT_SIZE * queueSize + 2;
  return {queueSize, descOffset, availOffset, usedOffset, totalBytes: usedOffset + usedBytes};
}

/** One descriptor as it sits in the table. */
export interface Descriptor {
  readonly addr: number;
  readonly len: number;
  readonly flags: number;
  readonly next: number;
}

/** Encodes a descriptor into 16 little-endian bytes at `offset`. */
export function encodeDescriptor(target: Buffer, offset: number, descriptor: Descriptor): void {
  target.writeUInt32LE(descriptor.addr >>> 0, offset);
  target.writeUInt32LE(Math.floor(descriptor.addr / 0x1_0000_0000) >>> 0, offset + 4);
  target.writeUInt32LE(descriptor.len >>> 0, offset + 8);
  target.writeUInt16LE(descriptor.flags & 0xffff, offset + 12);
  target.writeUInt16LE(descriptor.next & 0xffff, offset + 14);
}

export function decodeDescriptor(source: Buffer, offset: number): Descriptor {
  return {
    addr: source.readUInt32LE(offset) + source.readUInt32LE(offset + 4) * 0x1_0000_0000,
    len: source.readUInt32LE(offset + 8),
    flags: source.readUInt16LE(offset + 12),
    next: source.readUInt16LE(offset + 14),
  };
}

/** `vring_need_event()`: should the other side be notified, given its event index? */
export function vringNeedEvent(eventIdx: number, newIdx: number, oldIdx: number): boolean {
  return ((newIdx - eventIdx - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
}
