import {assert} from './assert.js';
import {putU16, putU32, putU64} from './little-endian.js';
import {QUEUE_SIZE_MAX} from './virtio.js';

/** Sizes and alignments of a split virtqueue (virtio 1.x, split-ring.tex; include/uapi/linux/virtio_ring.h). */
export const DESCRIPTOR_SIZE = 16;
export const DESCRIPTOR_TABLE_ALIGN = 16;
export const AVAIL_RING_ALIGN = 2;
/** The spec's minimum used-ring alignment (VRING_USED_ALIGN_SIZE). */
export const USED_RING_ALIGN = 4;
export const USED_ELEMENT_SIZE = 8;
/**
 * The used-ring alignment a pseries guest's modern virtio-pci driver uses: `setup_vq` passes
 * SMP_CACHE_BYTES to `vring_create_virtqueue` (drivers/virtio/virtio_pci_modern.c), and
 * SMP_CACHE_BYTES = L1_CACHE_BYTES = 1 << 7 on ppc64 (arch/powerpc/include/asm/cache.h).
 */
export const PPC64_SMP_CACHE_BYTES = 128;

/** Where the three parts of one split virtqueue sit, relative to its base address. */
export interface SplitRingLayout {
  readonly queueSize: number;
  readonly usedRingAlign: number;
  readonly descOffset: number;
  readonly availOffset: number;
  readonly usedOffset: number;
  readonly totalBytes: number;
}

/**
 * The three addresses a modern virtio-pci driver writes for a queue (queue_desc, queue_driver,
 * queue_device): the descriptor table, the driver area (avail ring), the device area (used ring).
 */
export interface SplitRingAddresses {
  readonly desc: number;
  readonly driver: number;
  readonly device: number;
}

export function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/**
 * Lays out a queue contiguously as `vring_init()` does: descriptor table, then the available
 * ring (flags, idx, ring[queueSize], used_event), then the used ring aligned to `usedRingAlign`
 * (flags, idx, {id,len}[queueSize], avail_event).
 * @param usedRingAlign a power of two, at least 4 (the spec's minimum); 128 for a pseries guest
 */
export function splitRingLayout(queueSize: number, usedRingAlign: number): SplitRingLayout {
  assert(
    Number.isInteger(queueSize) &&
      queueSize > 0 &&
      queueSize <= QUEUE_SIZE_MAX &&
      (queueSize & (queueSize - 1)) === 0,
    `virtqueue: size ${queueSize} must be a power of 2 no larger than ${QUEUE_SIZE_MAX}`,
  );
  assert(
    Number.isInteger(usedRingAlign) &&
      usedRingAlign >= USED_RING_ALIGN &&
      (usedRingAlign & (usedRingAlign - 1)) === 0,
    `virtqueue: used ring alignment ${usedRingAlign} must be a power of 2 of at least ${USED_RING_ALIGN}`,
  );
  const descOffset = 0;
  const availOffset = descOffset + DESCRIPTOR_SIZE * queueSize;
  const availBytes = 2 + 2 + 2 * queueSize + 2;
  const usedOffset = alignUp(availOffset + availBytes, usedRingAlign);
  const usedBytes = 2 + 2 + USED_ELEMENT_SIZE * queueSize + 2;
  return {queueSize, usedRingAlign, descOffset, availOffset, usedOffset, totalBytes: usedOffset + usedBytes};
}

/** The three addresses of a queue laid out at `baseAddress`. */
export function splitRingAddresses(baseAddress: number, layout: SplitRingLayout): SplitRingAddresses {
  return {
    desc: baseAddress + layout.descOffset,
    driver: baseAddress + layout.availOffset,
    device: baseAddress + layout.usedOffset,
  };
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

/** Puts a descriptor's fields into 16 little-endian bytes at `offset`, byte by byte (no Buffer methods: the ring's hot path). */
export function putDescriptor(
  target: Uint8Array,
  offset: number,
  addr: number,
  len: number,
  flags: number,
  next: number,
): void {
  putU64(target, offset, addr);
  putU32(target, offset + 8, len);
  putU16(target, offset + 12, flags);
  putU16(target, offset + 14, next);
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
