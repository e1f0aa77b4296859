import {describe, expect, it} from 'vitest';
import {GuestMemory} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {MiB} from '../../src/core/units.js';
import {
  PPC64_SMP_CACHE_BYTES,
  splitRingAddresses,
  splitRingLayout,
  USED_RING_ALIGN,
} from '../../src/core/split-ring-layout.js';
import {SplitVirtqueueDevice, VIRTQUEUE_MAX_SEGMENTS} from '../../src/core/split-virtqueue-device.js';
import {DescriptorFlag, QUEUE_SIZE_MAX} from '../../src/core/virtio.js';

/**
 * The reference, written out from include/uapi/linux/virtio_ring.h:
 *   vring_init: desc = p; avail = p + num * sizeof(struct vring_desc);
 *               used = ALIGN(&avail->ring[num] + sizeof(__virtio16), align)
 *   vring_size: ((sizeof(struct vring_desc) * num + sizeof(__virtio16) * (3 + num) + align - 1) & ~(align - 1))
 *               + sizeof(__virtio16) * 3 + sizeof(struct vring_used_elem) * num
 * with sizeof(struct vring_desc) 16, sizeof(__virtio16) 2, sizeof(struct vring_used_elem) 8.
 */
function vringInit(num: number, p: number, align: number) {
  const desc = p;
  const avail = p + num * 16;
  const afterUsedEvent = avail + 2 + 2 + 2 * num + 2;
  const used = Math.floor((afterUsedEvent + align - 1) / align) * align;
  return {desc, avail, used};
}

function vringSize(num: number, align: number): number {
  return Math.floor((16 * num + 2 * (3 + num) + align - 1) / align) * align + 2 * 3 + 8 * num;
}

const POWERS_OF_TWO = Array.from({length: Math.log2(QUEUE_SIZE_MAX) + 1}, (_, bit) => 2 ** bit);

describe('split ring layout against include/uapi/linux/virtio_ring.h (vring_init, vring_size)', () => {
  it.each([USED_RING_ALIGN, PPC64_SMP_CACHE_BYTES])(
    'every power-of-two queue size up to 32768 at used-ring alignment %i',
    (align) => {
      for (const num of POWERS_OF_TWO) {
        const layout = splitRingLayout(num, align);
        const reference = vringInit(num, 0, align);
        expect({num, desc: layout.descOffset, avail: layout.availOffset, used: layout.usedOffset}).toEqual({
          num,
          ...reference,
        });
        expect(layout.totalBytes, `vring_size(${num}, ${align})`).toBe(vringSize(num, align));
      }
    },
  );

  it('a pseries guest aligns the used ring to SMP_CACHE_BYTES, 128 on ppc64 (arch/powerpc/include/asm/cache.h)', () => {
    expect(PPC64_SMP_CACHE_BYTES).toBe(1 << 7);
    const addresses = splitRingAddresses(0x4_0000, splitRingLayout(256, PPC64_SMP_CACHE_BYTES));
    expect(addresses).toEqual({desc: 0x4_0000, driver: 0x4_1000, device: 0x4_1280});
    expect(addresses.device % 128).toBe(0);
  });
});

/** A device over three addresses written by hand, far apart: nothing about a contiguous layout. */
function scatteredQueue(queueSize = 8) {
  const memory = new GuestMemory(64 * MiB);
  const guest = new MemoryView(memory, false);
  const addresses = {desc: 0x30_0000, driver: 0x10_0000, device: 0x20_0040};
  const device = new SplitVirtqueueDevice(new MemoryView(memory, true), addresses, queueSize, false);
  const writeDescriptor = (gpa: number, addr: number, len: number, flags: number, next = 0) => {
    guest.writeU64(gpa, addr);
    guest.writeU32(gpa + 8, len);
    guest.writeU16(gpa + 12, flags);
    guest.writeU16(gpa + 14, next);
  };
  const makeAvailable = (head: number) => {
    guest.writeU16(addresses.driver + 4, head);
    guest.writeU16(addresses.driver + 2, 1);
  };
  return {guest, addresses, device, writeDescriptor, makeAvailable};
}

describe('the device reads the three addresses the driver wrote', () => {
  it('pops from the descriptor table and driver area, and pushes to the device area, wherever they are', () => {
    const {guest, addresses, device, writeDescriptor, makeAvailable} = scatteredQueue();
    writeDescriptor(addresses.desc + 3 * 16, 0x50_0000, 512, DescriptorFlag.write);
    makeAvailable(3);
    expect(device.pop()).toEqual({head: 3, out: [], in: [{addr: 0x50_0000, len: 512}]});
    device.push(3, 100);
    expect(guest.readU16(addresses.device + 2)).toBe(1);
    expect(guest.readU32(addresses.device + 4)).toBe(3);
    expect(guest.readU32(addresses.device + 8)).toBe(100);
  });
});

describe('QEMU’s split-ring pop (hw/virtio/virtio.c virtqueue_split_pop)', () => {
  it('has no nested-indirect check: an INDIRECT flag inside an indirect table is an ordinary buffer', () => {
    const {addresses, device, writeDescriptor, makeAvailable} = scatteredQueue();
    const table = 0x40_0000;
    writeDescriptor(addresses.desc, table, 2 * 16, DescriptorFlag.indirect);
    writeDescriptor(table, 0x60_0000, 16, DescriptorFlag.indirect | DescriptorFlag.next, 1);
    writeDescriptor(table + 16, 0x61_0000, 1, DescriptorFlag.write);
    makeAvailable(0);
    expect(device.pop()).toEqual({
      head: 0,
      out: [{addr: 0x60_0000, len: 16}],
      in: [{addr: 0x61_0000, len: 1}],
    });
    expect(device.inUse).toBe(1);
  });

  it('checks the direction before the size: a zero-length device-readable buffer after a writable one is out of order', () => {
    const {addresses, device, writeDescriptor, makeAvailable} = scatteredQueue();
    writeDescriptor(addresses.desc, 0x60_0000, 8, DescriptorFlag.write | DescriptorFlag.next, 1);
    writeDescriptor(addresses.desc + 16, 0x61_0000, 0, 0);
    makeAvailable(0);
    expect(device.pop()).toEqual({error: 'Incorrect order for descriptors', code: 'descriptor-order'});
  });

  it('refuses an element of more than VIRTQUEUE_MAX_SIZE (1024) buffers', () => {
    const {guest, addresses, device, writeDescriptor, makeAvailable} = scatteredQueue();
    const table = 0x40_0000;
    const entries = VIRTQUEUE_MAX_SEGMENTS + 1;
    writeDescriptor(addresses.desc, table, entries * 16, DescriptorFlag.indirect);
    for (let i = 0; i < entries; i++)
      writeDescriptor(
        table + i * 16,
        0x60_0000 + i * 64,
        64,
        i < entries - 1 ? DescriptorFlag.next : 0,
        i + 1,
      );
    makeAvailable(0);
    expect(device.pop()).toEqual({
      error: 'virtio: too many write descriptors in indirect table',
      code: 'too-many-descriptors',
    });
    expect(guest.readU16(addresses.driver + 2)).toBe(1);
  });
});
