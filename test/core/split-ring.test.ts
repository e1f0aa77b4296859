import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {GuestMemory} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {
  decodeDescriptor,
  encodeDescriptor,
  splitRingLayout,
  USED_RING_ALIGN,
  vringNeedEvent,
} from '../../src/core/split-ring-layout.js';
import {SplitVirtqueueDevice} from '../../src/core/split-virtqueue-device.js';
import {SplitVirtqueueDriver} from '../../src/core/split-virtqueue-driver.js';
import {DescriptorFlag} from '../../src/core/virtio.js';
import {MiB} from '../../src/core/units.js';

const BASE = 0x10000;
const ALIGN = 128;

function pair(queueSize = 8, hasEventIdx = false, baseGpa = BASE) {
  const memory = new GuestMemory(256 * MiB);
  const guest = new MemoryView(memory, false);
  const driver = new SplitVirtqueueDriver<number>({
    view: guest,
    baseGpa,
    queueSize,
    usedRingAlign: ALIGN,
    hasEventIdx,
  });
  const device = new SplitVirtqueueDevice(
    new MemoryView(memory, true),
    driver.addresses,
    queueSize,
    hasEventIdx,
  );
  return {memory, guest, driver, device};
}

describe('split ring layout', () => {
  it('matches the virtio 1.x sizes for 256 entries', () => {
    const layout = splitRingLayout(256, USED_RING_ALIGN);
    expect(layout.availOffset).toBe(4096);
    expect(layout.usedOffset).toBe(4616); // 4096 + 6 + 512, aligned to 4
    expect(layout.totalBytes).toBe(layout.usedOffset + 6 + 8 * 256);
    expect(splitRingLayout(256, 128).usedOffset).toBe(4736); // 4614 rounded up to 128
  });

  it('refuses sizes that are not powers of two, and alignments that are not powers of two of at least 4', () => {
    expect(() => splitRingLayout(100, 4)).toThrow(/power of 2/);
    expect(() => splitRingLayout(256, 2)).toThrow(/alignment 2/);
    expect(() => splitRingLayout(256, 96)).toThrow(/alignment 96/);
  });

  it('encodes and decodes any descriptor byte-exact', () => {
    fc.assert(
      fc.property(
        fc.record({
          addr: fc.integer({min: 0, max: 2 ** 53 - 1}),
          len: fc.nat({max: 0xffffffff}),
          flags: fc.nat({max: 0xffff}),
          next: fc.nat({max: 0xffff}),
        }),
        (descriptor) => {
          const bytes = Buffer.alloc(16);
          encodeDescriptor(bytes, 0, descriptor);
          expect(decodeDescriptor(bytes, 0)).toEqual(descriptor);
          expect(bytes.readBigUInt64LE(0)).toBe(BigInt(descriptor.addr));
        },
      ),
    );
  });

  it('vring_need_event wraps at 16 bits', () => {
    expect(vringNeedEvent(0xffff, 1, 0xfffe)).toBe(true);
    expect(vringNeedEvent(5, 5, 4)).toBe(false);
    expect(vringNeedEvent(4, 5, 4)).toBe(true);
  });
});

describe('driver and device over guest memory', () => {
  it('round-trips random chains: the device sees what the driver queued, in order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.record({len: fc.integer({min: 1, max: 4096}), isDeviceWritable: fc.boolean()}), {
            minLength: 1,
            maxLength: 4,
          }),
          {minLength: 1, maxLength: 40},
        ),
        (requests) => {
          const {driver, device} = pair(8);
          let token = 0;
          for (const request of requests) {
            const segments = [...request]
              .sort((a, b) => Number(a.isDeviceWritable) - Number(b.isDeviceWritable))
              .map((segment, index) => ({addr: 0x100000 + index * 0x2000, ...segment}));
            const head = driver.add(segments, token);
            if (head === undefined) continue;
            const element = device.pop();
            expect(element && !('error' in element)).toBe(true);
            if (!element || 'error' in element) return;
            expect(element.head).toBe(head);
            expect(element.out.map((s) => s.len)).toEqual(
              segments.filter((s) => !s.isDeviceWritable).map((s) => s.len),
            );
            expect(element.in.map((s) => s.len)).toEqual(
              segments.filter((s) => s.isDeviceWritable).map((s) => s.len),
            );
            device.push(element.head, 3);
            const used = driver.getBuf();
            expect(used).toEqual({token, len: 3});
            token++;
          }
          expect(driver.numFree).toBe(8);
        },
      ),
    );
  });

  it('writes and reads a ring that straddles a page boundary field by field, to the same bytes as a ring in one page', () => {
    // The descriptor table crosses the 64 KiB page boundary; the avail and used rings lie in the next page.
    const straddling = pair(8, true, 0x20000 - 64);
    const inOnePage = pair(8, true);
    const ringBytes = ({guest, driver}: ReturnType<typeof pair>, base: number) => {
      const bytes = Buffer.alloc(driver.layout.totalBytes);
      guest.read(base, bytes, 0, bytes.length);
      return bytes;
    };
    for (let i = 0; i < 20; i++) {
      const lengths: number[] = [];
      for (const {driver, device} of [straddling, inOnePage]) {
        const segments = [
          {addr: 0x100000, len: 16, isDeviceWritable: false},
          {addr: 0x102000, len: 512 + i, isDeviceWritable: i % 2 === 0},
          {addr: 0x104000, len: 1, isDeviceWritable: true},
        ];
        expect(driver.add(segments, i)).toBeDefined();
        expect(driver.kickPrepare()).toBe(true);
        const element = device.pop();
        if (!element || 'error' in element) throw new Error('expected an element');
        device.push(element.head, i);
        expect(device.shouldNotify()).toBe(true);
        const used = driver.getBuf();
        lengths.push(typeof used === 'object' ? used.len : -1);
        expect(driver.getBuf()).toBeUndefined();
      }
      expect(lengths).toEqual([i, i]);
      expect(ringBytes(straddling, 0x20000 - 64)).toEqual(ringBytes(inOnePage, BASE));
    }
  });

  it('keeps working past 65536 requests (free-running indices wrap)', () => {
    const {driver, device} = pair(4);
    for (let i = 0; i < 70_000; i++) {
      driver.add([{addr: 0x100000, len: 8, isDeviceWritable: false}], i);
      const element = device.pop();
      if (!element || 'error' in element) throw new Error('expected an element');
      device.push(element.head, 0);
      expect(driver.getBuf()).toEqual({token: i, len: 0});
    }
  });

  it('says the ring is full instead of overwriting', () => {
    const {driver} = pair(2);
    expect(driver.add([{addr: 0x100000, len: 8, isDeviceWritable: false}], 1)).toBeDefined();
    expect(driver.add([{addr: 0x100000, len: 8, isDeviceWritable: false}], 2)).toBeDefined();
    expect(driver.add([{addr: 0x100000, len: 8, isDeviceWritable: false}], 3)).toBeUndefined();
  });

  it('reports a looped chain with QEMU’s words and does not throw', () => {
    const {driver, device} = pair(8);
    driver.addLoopedChain(1, 0x100000);
    expect(device.pop()).toEqual({error: 'Looped descriptor', code: 'looped-descriptor'});
  });

  it('reports a next index off the table', () => {
    const {guest, device} = pair(8);
    guest.writeU64(BASE, 0x100000);
    guest.writeU32(BASE + 8, 16);
    guest.writeU16(BASE + 12, DescriptorFlag.next);
    guest.writeU16(BASE + 14, 9);
    const avail = BASE + splitRingLayout(8, ALIGN).availOffset;
    guest.writeU16(avail + 4, 0);
    guest.writeU16(avail + 2, 1);
    expect(device.pop()).toEqual({error: 'Desc next is 9', code: 'next-out-of-range'});
  });

  it('qemu virtqueue_split_pop: an avail index moved too far shows in the head and descriptors it reads, not as such', () => {
    const {guest, device} = pair(8);
    const avail = BASE + splitRingLayout(8, ALIGN).availOffset;
    guest.writeU16(avail + 2, 20);
    // virtio_queue_empty_rcu only compares the index: the head at ring[0] (0) is read, then descriptor 0 (all zeros)
    expect(device.pop()).toEqual({
      error: 'virtio: zero sized buffers are not allowed',
      code: 'zero-sized-buffer',
    });
    guest.writeU16(avail + 4 + 2, 9);
    expect(device.pop()).toEqual({error: 'Guest says index 9 is available', code: 'head-out-of-range'});
  });

  it('qemu virtqueue_num_heads: walking the available chains reports an avail index moved too far', () => {
    const {guest, device} = pair(8);
    guest.writeU16(BASE + splitRingLayout(8, ALIGN).availOffset + 2, 20);
    expect(device.availableInBytes()).toEqual({
      error: 'Guest moved used index from 0 to 20',
      code: 'avail-index-moved',
    });
  });

  it('qemu virtqueue_split_get_avail_bytes: counts device-writable bytes and the buffers of all direct chains against the queue size', () => {
    const {driver, device} = pair(4);
    driver.add([{addr: 0x100000, len: 100, isDeviceWritable: true}], 1);
    driver.add(
      [
        {addr: 0x200000, len: 8, isDeviceWritable: false},
        {addr: 0x201000, len: 28, isDeviceWritable: true},
      ],
      2,
    );
    expect(device.availableInBytes()).toBe(128);
    const element = device.pop();
    expect(element && 'head' in element ? element.in : undefined).toEqual([{addr: 0x100000, len: 100}]);
  });

  it('qemu virtqueue_map_desc: a buffer past the end of guest RAM is a bogus descriptor, found at pop', () => {
    const {driver, device, memory} = pair(8);
    driver.add([{addr: memory.sizeBytes - 8, len: 16, isDeviceWritable: false}], 1);
    expect(device.pop()).toEqual({
      error: 'virtio: bogus descriptor or out of resources',
      code: 'bogus-descriptor',
    });
  });

  it('qemu virtqueue_split_pop: an indirect table past the end of guest RAM cannot be mapped', () => {
    const {guest, device, memory} = pair(8);
    guest.writeU64(BASE, memory.sizeBytes - 16);
    guest.writeU32(BASE + 8, 32);
    guest.writeU16(BASE + 12, DescriptorFlag.indirect);
    const avail = BASE + splitRingLayout(8, ALIGN).availOffset;
    guest.writeU16(avail + 2, 1);
    expect(device.pop()).toEqual({error: 'Cannot map indirect buffer', code: 'indirect-table-unmapped'});
  });

  it('follows indirect tables', () => {
    const memory = new GuestMemory(256 * MiB);
    const guest = new MemoryView(memory, false);
    const table = 0x200000;
    const driver = new SplitVirtqueueDriver<number>({
      view: guest,
      baseGpa: BASE,
      queueSize: 4,
      usedRingAlign: ALIGN,
      hasEventIdx: false,
      allocateIndirect: () => ({cpuGpa: table, dmaAddr: table, publish: () => true, release: () => {}}),
    });
    const device = new SplitVirtqueueDevice(new MemoryView(memory, true), driver.addresses, 4, false);
    driver.add(
      [
        {addr: 0x300000, len: 16, isDeviceWritable: false},
        {addr: 0x301000, len: 512, isDeviceWritable: true},
        {addr: 0x302000, len: 1, isDeviceWritable: true},
      ],
      7,
    );
    expect(driver.numFree).toBe(3);
    const element = device.pop();
    expect(element).toEqual({
      head: 0,
      out: [{addr: 0x300000, len: 16}],
      in: [
        {addr: 0x301000, len: 512},
        {addr: 0x302000, len: 1},
      ],
    });
  });

  it('with EVENT_IDX, interrupts only when the driver asked', () => {
    const {driver, device} = pair(8, true);
    driver.add([{addr: 0x100000, len: 8, isDeviceWritable: false}], 1);
    expect(driver.kickPrepare()).toBe(true);
    const element = device.pop();
    if (!element || 'error' in element) throw new Error('expected an element');
    device.push(element.head, 0);
    expect(device.shouldNotify()).toBe(true);
    expect(driver.getBuf()).toEqual({token: 1, len: 0});
  });
});
