import {describe, expect, it} from 'vitest';
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
});
