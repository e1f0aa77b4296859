import {afterEach, describe, expect, it, vi} from 'vitest';
import {DiskStore} from '../../src/host/virtio/disk-store.js';

const CHUNK = DiskStore.CHUNK_BYTES;

describe('the host disk store', () => {
  const image = Buffer.alloc(2 * CHUNK + 100);
  for (let i = 0; i < image.length; i++) image[i] = (i * 7 + 3) & 0xff;

  it('reads an installed image back byte for byte, zeros past it, without a copy of its whole chunks', () => {
    const disk = new DiskStore(1 << 30);
    disk.install(image);
    const read = Buffer.alloc(3 * CHUNK);
    disk.read(0, read, 0, read.length);
    expect(read.subarray(0, image.length).equals(image)).toBe(true);
    expect(read.subarray(image.length).every((byte) => byte === 0)).toBe(true);
    expect(disk.allocatedBytes).toBe(CHUNK); // only the partial last chunk is the disk's own
  });

  it('copies an installed chunk on its first write and leaves the image as it was', () => {
    const disk = new DiskStore(1 << 30);
    const pristine = Buffer.from(image);
    disk.install(image);
    disk.write(CHUNK + 10, Buffer.from([0xaa, 0xbb]), 0, 2);
    expect(image.equals(pristine)).toBe(true);
    const read = Buffer.alloc(image.length);
    disk.read(0, read, 0, read.length);
    const expected = Buffer.from(pristine);
    expected[CHUNK + 10] = 0xaa;
    expected[CHUNK + 11] = 0xbb;
    expect(read.equals(expected)).toBe(true);
    expect(disk.allocatedBytes).toBe(2 * CHUNK);
    disk.write(CHUNK + 12, Buffer.from([0xcc]), 0, 1); // the copy is the disk's now: no second copy
    disk.read(CHUNK + 10, read, 0, 3);
    expect([...read.subarray(0, 3)]).toEqual([0xaa, 0xbb, 0xcc]);
  });

  describe('a write over an installed chunk copies only what it leaves of it', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });
    /** Writes `length` bytes of 0xee at `offset`; the image ranges the store copied while doing it. */
    function writeAndWatch(disk: DiskStore, offset: number, length: number): number {
      const set = vi.spyOn(Uint8Array.prototype, 'set');
      disk.write(offset, Buffer.alloc(length, 0xee), 0, length);
      const copiesOfImage = set.mock.calls.filter(
        ([source]) => (source as Uint8Array).buffer === image.buffer,
      );
      set.mockRestore();
      return copiesOfImage.length;
    }
    function expectDisk(disk: DiskStore, offset: number, length: number): void {
      const expected = Buffer.alloc(3 * CHUNK);
      image.copy(expected);
      expected.fill(0xee, offset, offset + length);
      const read = Buffer.alloc(3 * CHUNK);
      disk.read(0, read, 0, read.length);
      expect(read.equals(expected)).toBe(true);
    }

    it('none of a chunk the write covers whole', () => {
      const disk = new DiskStore(1 << 30);
      const pristine = Buffer.from(image);
      disk.install(image);
      expect(writeAndWatch(disk, CHUNK, CHUNK)).toBe(0);
      expectDisk(disk, CHUNK, CHUNK);
      expect(image.equals(pristine)).toBe(true);
      expect(disk.allocatedBytes).toBe(2 * CHUNK);
    });

    it('the chunks at either end of a write that covers one between them whole', () => {
      const disk = new DiskStore(1 << 30);
      disk.install(image);
      expect(writeAndWatch(disk, CHUNK - 100, CHUNK + 200)).toBe(1); // chunk 0; chunk 2 is the disk's own
      expectDisk(disk, CHUNK - 100, CHUNK + 200);
      expect(disk.allocatedBytes).toBe(3 * CHUNK);
    });

    it('the whole chunk for a write into part of it, and nothing once it is the disk’s', () => {
      const disk = new DiskStore(1 << 30);
      disk.install(image);
      expect(writeAndWatch(disk, 10, CHUNK - 10)).toBe(1);
      expectDisk(disk, 10, CHUNK - 10);
      expect(writeAndWatch(disk, 0, 10)).toBe(0);
      expectDisk(disk, 0, CHUNK);
    });

    it('zeros around a partial write into a chunk nothing was written to', () => {
      const disk = new DiskStore(1 << 30);
      disk.write(5 * CHUNK + 7, Buffer.alloc(9, 0xee), 0, 9);
      const read = Buffer.alloc(CHUNK, 1);
      disk.read(5 * CHUNK, read, 0, CHUNK);
      expect(read.subarray(7, 16).every((byte) => byte === 0xee)).toBe(true);
      expect(
        read.subarray(0, 7).every((byte) => byte === 0) && read.subarray(16).every((byte) => byte === 0),
      ).toBe(true);
    });
  });
});
