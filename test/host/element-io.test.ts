import {describe, expect, it} from 'vitest';
import {OutOfRangeAccess} from '../../src/core/checked-frames.js';
import {GuestMemory} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {KiB, MiB} from '../../src/core/units.js';
import {ElementIo} from '../../src/host/virtio/element-io.js';
import {NET_BUFSIZE_BYTES} from '../../src/host/virtio/net-protocol.js';

describe('a device reading a chain into its buffer (ElementIo.readOut)', () => {
  it('reads at most the bound its device gives (net: QEMU NET_BUFSIZE), however much the guest chains up', () => {
    const memory = new GuestMemory(64 * MiB);
    new MemoryView(memory, false).fill(MiB, 0x5a, 64 * KiB);
    const io = new ElementIo(memory);
    // 1024 descriptors (VIRTQUEUE_MAX_SIZE) of the same 64 KiB: a 64 MiB frame asked of the host.
    const out = Array.from({length: 1024}, () => ({addr: MiB, len: 64 * KiB}));
    expect(io.readOut({head: 0, out, in: []}, 12, NET_BUFSIZE_BYTES)).toBe(NET_BUFSIZE_BYTES);
    expect(io.scratch.length).toBeLessThanOrEqual(NET_BUFSIZE_BYTES);
    expect(io.scratch.subarray(0, NET_BUFSIZE_BYTES).every((byte) => byte === 0x5a)).toBe(true);
    expect(io.bytesToDevice).toBe(NET_BUFSIZE_BYTES);
  });

  it('reads a chain within the limit whole, after the bytes it skips', () => {
    const memory = new GuestMemory(64 * MiB);
    const guest = new MemoryView(memory, false);
    guest.write(MiB, Buffer.from('headerframe'), 0, 11);
    guest.write(2 * MiB, Buffer.from('-tail'), 0, 5);
    const io = new ElementIo(memory);
    const length = io.readOut(
      {
        head: 0,
        out: [
          {addr: MiB, len: 11},
          {addr: 2 * MiB, len: 5},
        ],
        in: [],
      },
      6,
      NET_BUFSIZE_BYTES,
    );
    expect(io.scratch.toString('latin1', 0, length)).toBe('frame-tail');
  });
});

describe('a device reading a request header in place (ElementIo.bytesAt)', () => {
  it('reads it in place from its page (checked as any access), copied only across pages, counting it either way', () => {
    const memory = new GuestMemory(64 * MiB);
    const guest = new MemoryView(memory, false);
    const header = Buffer.from('0123456789abcdef');
    const io = new ElementIo(memory);
    const target = Buffer.alloc(16);
    const reads = [
      {gpa: MiB + 100, isCopied: false},
      {gpa: MiB + 100, isCopied: false},
      {gpa: 2 * MiB - 8, isCopied: true}, // across two pages
    ];
    for (const {gpa, isCopied} of reads) {
      guest.write(gpa, header, 0, 16);
      const bytes = io.bytesAt(gpa, target, 16);
      expect(bytes.toString('latin1', io.bytesOffset, io.bytesOffset + 16)).toBe('0123456789abcdef');
      expect(bytes === target).toBe(isCopied);
    }
    expect(io.bytesToDevice).toBe(48);
    expect(() => io.bytesAt(memory.sizeBytes - 8, target, 16)).toThrow(OutOfRangeAccess);
    expect(() => io.bytesAt(memory.sizeBytes + 100, target, 16)).toThrow(OutOfRangeAccess);
    expect(io.bytesToDevice).toBe(48); // a read that faulted moved nothing
  });
});
