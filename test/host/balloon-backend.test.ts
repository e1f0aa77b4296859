import {describe, expect, it} from 'vitest';
import {GuestMemory} from '../../src/core/guest-memory.js';
import {MiB} from '../../src/core/units.js';
import {Simulation} from '../../src/host/sim-context.js';
import {BalloonBackend} from '../../src/host/virtio/balloon-backend.js';
import {
  BALLOON_DEFLATE_QUEUE,
  BALLOON_INFLATE_QUEUE,
  BALLOON_PAGE_BYTES,
} from '../../src/host/virtio/balloon-protocol.js';
import {chainOf, deliverAtOnce, modelIdentity} from '../helpers/device-model.js';

const GUEST_BYTES = 64 * MiB;
const GUEST_BALLOON_PAGES = GUEST_BYTES / BALLOON_PAGE_BYTES;
/** Balloon pages past the guest's RAM: its first, one far off, and the last a 32-bit PFN can name. */
const OUTSIDE_RAM = [GUEST_BALLOON_PAGES, GUEST_BALLOON_PAGES * 3 + 5, 0xffff_ffff];

function pfnArray(pfns: readonly number[]): Buffer {
  const bytes = Buffer.alloc(pfns.length * 4);
  pfns.forEach((pfn, i) => bytes.writeUInt32LE(pfn, i * 4));
  return bytes;
}

function balloonOn(memory: GuestMemory): BalloonBackend {
  return new BalloonBackend(new Simulation(1), modelIdentity('balloon'), memory);
}

/** The guest hands the balloon these PFNs on a queue, in one chain of `segmentBytes` descriptors. */
function send(
  balloon: BalloonBackend,
  memory: GuestMemory,
  queue: number,
  bytes: Buffer,
  segmentBytes = 4096,
): void {
  deliverAtOnce(balloon, queue, chainOf(memory, bytes, segmentBytes));
}

/** The top `count` balloon pages of the guest, highest first (as the driver hands them over). */
const topPages = (count: number) => Array.from({length: count}, (_, i) => GUEST_BALLOON_PAGES - 1 - i);

describe('virtio-balloon skips PFNs outside guest RAM (qemu/qemu hw/virtio/virtio-balloon.c virtio_balloon_handle_output: memory_region_find finds no RAM, continue)', () => {
  it('inflate: they are neither reclaimed nor counted as discarded for nothing', () => {
    const memory = new GuestMemory(GUEST_BYTES);
    const balloon = balloonOn(memory);
    send(balloon, memory, BALLOON_INFLATE_QUEUE, pfnArray([...topPages(2), ...OUTSIDE_RAM]));
    expect(balloon.reclaimedPages).toBe(2);
    expect(balloon.unreclaimedPages).toBe(0);
  });

  it('deflate: they give back nothing that was reclaimed', () => {
    const memory = new GuestMemory(GUEST_BYTES);
    const balloon = balloonOn(memory);
    send(balloon, memory, BALLOON_INFLATE_QUEUE, pfnArray(topPages(4)));
    send(balloon, memory, BALLOON_DEFLATE_QUEUE, pfnArray([GUEST_BALLOON_PAGES - 4, ...OUTSIDE_RAM]));
    expect(balloon.reclaimedPages).toBe(3);
    expect(balloon.unreclaimedPages).toBe(0);
  });
});
