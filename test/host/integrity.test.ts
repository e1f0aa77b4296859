import {describe, expect, it} from 'vitest';
import {GuestMemory} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {MiB} from '../../src/core/units.js';
import {writeStart, writeTemplate} from '../../src/host/block-pattern.js';
import {DiskShadow, SHADOW_BLOCK_BYTES} from '../../src/host/checkers/disk-shadow.js';
import type {World} from '../../src/host/world.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {eventsOf, startWorld} from '../helpers/world.js';

/** Far from the workload's region, so only this test's requests touch it. */
const TEST_OFFSET = 200 * MiB;

function idleSecureGuest(): World {
  return startWorld(
    worldYaml([{svm: true, policy: 'force-dma-api', workload: 'idle', devices: '[{type: blk, disk: 1GiB}]'}]),
    5,
    {seconds: 12},
  );
}

/** Submits one request and runs the world until it completes. */
function io(world: World, isWrite: boolean, offsetBytes: number, lengthBytes: number): boolean {
  const blk = world.guest('g1')!.kernel!.drivers.blk!;
  let result: boolean | undefined;
  expect(blk.submitIo({isWrite, offsetBytes, lengthBytes, onComplete: (isOk) => (result = isOk)})).toBe(
    'queued',
  );
  for (let step = 0; step < 100 && result === undefined; step++)
    world.scheduler.runUntil(world.scheduler.nowUs + 1_000);
  return result!;
}

describe('block integrity checks bite', () => {
  it('a byte changed on the host disk behind the guest is reported on read-back, once per bad block', () => {
    const world = idleSecureGuest();
    const guest = world.guest('g1')!;
    const blk = guest.kernel!.drivers.blk!;
    expect(guest.securityState).toBe('secure');
    expect(io(world, true, TEST_OFFSET, 64 * 1024)).toBe(true);
    expect(io(world, false, TEST_OFFSET, 64 * 1024)).toBe(true);
    expect(blk.integrityErrors).toBe(0);

    const flipped = Buffer.alloc(1);
    guest.disk!.read(TEST_OFFSET + 5 * SHADOW_BLOCK_BYTES + 17, flipped, 0, 1);
    flipped[0]! ^= 0x40;
    guest.disk!.write(TEST_OFFSET + 5 * SHADOW_BLOCK_BYTES + 17, flipped, 0, 1);
    expect(io(world, false, TEST_OFFSET, 64 * 1024)).toBe(true);
    expect(blk.integrityErrors).toBe(1);
    expect(eventsOf(world, 'g1')).toContain(
      `virtio_blk virtio0: 1 block(s) read back at offset ${TEST_OFFSET} do not match what was written`,
    );
  });

  it('a write the device drops (old data stays) and a never-written block that is not zero are both caught', () => {
    const world = idleSecureGuest();
    const guest = world.guest('g1')!;
    const blk = guest.kernel!.drivers.blk!;
    expect(io(world, true, TEST_OFFSET, 8 * SHADOW_BLOCK_BYTES)).toBe(true);
    const before = Buffer.alloc(8 * SHADOW_BLOCK_BYTES);
    guest.disk!.read(TEST_OFFSET, before, 0, before.length);
    expect(io(world, true, TEST_OFFSET, 8 * SHADOW_BLOCK_BYTES)).toBe(true);
    guest.disk!.write(TEST_OFFSET, before, 0, before.length); // the second write "never reached the platter"
    guest.disk!.write(TEST_OFFSET + 64 * SHADOW_BLOCK_BYTES, Buffer.from('stray'), 0, 5);
    expect(io(world, false, TEST_OFFSET, 8 * SHADOW_BLOCK_BYTES)).toBe(true);
    expect(blk.integrityErrors).toBe(8);
    expect(io(world, false, TEST_OFFSET + 64 * SHADOW_BLOCK_BYTES, SHADOW_BLOCK_BYTES)).toBe(true);
    expect(blk.integrityErrors).toBe(9);
  });
});

describe('the disk shadow', () => {
  const view = new MemoryView(new GuestMemory(16 * MiB), false);
  const place = (gpa: number, start: number, blocks: number) =>
    view.write(gpa, writeTemplate(), start, blocks * SHADOW_BLOCK_BYTES);

  it('accepts exactly what was written, block by block, across two writes that meet', () => {
    const shadow = new DiskShadow();
    const first = shadow.nextGeneration();
    const second = shadow.nextGeneration();
    shadow.beginWrite(10, 4);
    shadow.endWrite(10, 4, first);
    shadow.endWrite(14, 2, second);
    place(0, writeStart(first), 4);
    place(4 * SHADOW_BLOCK_BYTES, writeStart(second), 2);
    expect(shadow.verify(view, 0, 10, 6 * SHADOW_BLOCK_BYTES)).toBe(0);
    expect(shadow.isWriting(10, 1)).toBe(false);
  });

  it('rejects a block read from the wrong place, and data of an older generation', () => {
    const shadow = new DiskShadow();
    const old = shadow.nextGeneration();
    const current = shadow.nextGeneration();
    shadow.endWrite(0, 2, current);
    place(0, writeStart(current) + SHADOW_BLOCK_BYTES, 1); // block 1's data where block 0 belongs
    place(SHADOW_BLOCK_BYTES, writeStart(old) + SHADOW_BLOCK_BYTES, 1);
    expect(shadow.verify(view, 0, 0, 2 * SHADOW_BLOCK_BYTES)).toBe(2);
  });

  it('keeps its record across the whole disk: a write over a 16 MiB line, blocks never written far past it', () => {
    const shadow = new DiskShadow();
    const generation = shadow.nextGeneration();
    shadow.endWrite(4094, 4, generation); // blocks 4094-4097, across 16 MiB
    place(0, writeStart(generation), 4);
    expect(shadow.verify(view, 0, 4094, 4 * SHADOW_BLOCK_BYTES)).toBe(0);
    view.fill(3 * SHADOW_BLOCK_BYTES + 17, 0x5a ^ view.readU8(3 * SHADOW_BLOCK_BYTES + 17), 1);
    expect(shadow.verify(view, 0, 4094, 4 * SHADOW_BLOCK_BYTES)).toBe(1);
    view.fill(0, 0, 2 * SHADOW_BLOCK_BYTES);
    expect(shadow.verify(view, 0, 1_000_000, 2 * SHADOW_BLOCK_BYTES)).toBe(0);
    view.fill(SHADOW_BLOCK_BYTES + 5, 1, 1);
    expect(shadow.verify(view, 0, 1_000_000, 2 * SHADOW_BLOCK_BYTES)).toBe(1);
  });

  it('gives each of 2^17 generations its own start in the template', () => {
    const starts = new Set<number>();
    for (let generation = 1; generation <= 1 << 17; generation++) starts.add(writeStart(generation));
    expect(starts.size).toBe(1 << 17);
  });

  it('checks installed blocks against the image itself (no copy), the last one padded with zeros', () => {
    const shadow = new DiskShadow();
    const image = Buffer.from(writeTemplate().subarray(0, 2 * SHADOW_BLOCK_BYTES + 100));
    shadow.recordContents(SHADOW_BLOCK_BYTES, image);
    view.fill(0, 0, 3 * SHADOW_BLOCK_BYTES);
    view.write(0, image, 0, image.length);
    expect(shadow.verify(view, 0, 1, 3 * SHADOW_BLOCK_BYTES)).toBe(0);
    view.fill(2 * SHADOW_BLOCK_BYTES + 100, 1, 1); // a byte past the image's end on the last block
    view.fill(5, image[5]! ^ 1, 1);
    expect(shadow.verify(view, 0, 1, 3 * SHADOW_BLOCK_BYTES)).toBe(2);
    const memoryBefore = process.memoryUsage().arrayBuffers;
    const big = Buffer.alloc(4 * MiB, 7);
    shadow.recordContents(0, big);
    expect(process.memoryUsage().arrayBuffers - memoryBefore).toBeLessThan(4 * MiB + 64 * 1024);
  });

  it('keeps every other write in flight when one of several ends, whichever ends first', () => {
    const shadow = new DiskShadow();
    const generation = shadow.nextGeneration();
    for (const first of [0, 16, 32, 48]) shadow.beginWrite(first, 16);
    shadow.endWrite(16, 16, generation);
    expect([0, 16, 32, 48].map((first) => shadow.isWriting(first, 16))).toEqual([true, false, true, true]);
    shadow.endWrite(0, 16, generation);
    shadow.forget(48, 16);
    expect([0, 16, 32, 48].map((first) => shadow.isWriting(first, 16))).toEqual([false, false, true, false]);
  });

  it('tracks writes in flight by range and stops checking blocks a failed write left unknown', () => {
    const shadow = new DiskShadow();
    shadow.beginWrite(100, 16);
    expect(shadow.isWriting(115, 4)).toBe(true);
    expect(shadow.isWriting(116, 4)).toBe(false);
    shadow.forget(100, 16);
    expect(shadow.isWriting(100, 16)).toBe(false);
    view.fill(0, 0xee, 16 * SHADOW_BLOCK_BYTES);
    expect(shadow.verify(view, 0, 100, 16 * SHADOW_BLOCK_BYTES)).toBe(0);
  });
});
