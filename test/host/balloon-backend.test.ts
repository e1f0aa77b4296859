import {describe, expect, it} from 'vitest';
import {GUEST_PAGE_SIZE, GuestMemory, PageState} from '../../src/core/guest-memory.js';
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

describe('virtio-balloon deflate', () => {
  it('gives back what the inflated pages reclaimed, page for page, and never goes below nothing', () => {
    const memory = new GuestMemory(GUEST_BYTES);
    const balloon = balloonOn(memory);
    send(balloon, memory, BALLOON_INFLATE_QUEUE, pfnArray(topPages(8)));
    send(balloon, memory, BALLOON_DEFLATE_QUEUE, pfnArray(topPages(8).slice(5)));
    expect([balloon.reclaimedPages, balloon.unreclaimedPages]).toEqual([5, 0]);
    send(balloon, memory, BALLOON_DEFLATE_QUEUE, pfnArray(topPages(10)));
    expect([balloon.reclaimedPages, balloon.unreclaimedPages]).toEqual([0, 0]);
  });
});

describe('virtio-balloon in a secure guest (discardGivesRam; DESIGN §2.7)', () => {
  /**
   * A guest whose RAM is secure but for two pages shared with the hypervisor: the one at 1 MiB
   * that holds the PFN arrays (the hypervisor reads a secure page's ciphertext), and one near the top.
   */
  function secureGuest(): {memory: GuestMemory; sharedBalloonPages: number[]} {
    const memory = new GuestMemory(GUEST_BYTES);
    memory.setPageStates(0, memory.pageCount, PageState.secure);
    memory.setPageStates(MiB / GUEST_PAGE_SIZE, 1, PageState.shared);
    const sharedPfn = memory.pageCount - 2;
    memory.setPageStates(sharedPfn, 1, PageState.shared);
    const perPage = GUEST_PAGE_SIZE / BALLOON_PAGE_BYTES;
    return {memory, sharedBalloonPages: Array.from({length: perPage}, (_, i) => sharedPfn * perPage + i)};
  }

  it('inflating a secure page gives the host nothing; a shared one gives its RAM; outside RAM counts neither way', () => {
    const {memory, sharedBalloonPages} = secureGuest();
    const balloon = balloonOn(memory);
    send(
      balloon,
      memory,
      BALLOON_INFLATE_QUEUE,
      pfnArray([...topPages(16), ...sharedBalloonPages, ...OUTSIDE_RAM]),
    );
    expect([balloon.reclaimedPages, balloon.unreclaimedPages]).toEqual([16, 16]);
  });

  it('deflating returns the pages that gave nothing first, then the reclaimed ones', () => {
    const {memory, sharedBalloonPages} = secureGuest();
    const balloon = balloonOn(memory);
    send(balloon, memory, BALLOON_INFLATE_QUEUE, pfnArray([...topPages(16), ...sharedBalloonPages]));
    send(balloon, memory, BALLOON_DEFLATE_QUEUE, pfnArray(topPages(20)));
    expect([balloon.reclaimedPages, balloon.unreclaimedPages]).toEqual([12, 0]);
  });
});

describe('a PFN array whose length is not a multiple of 4 (virtio_balloon_handle_output: iov_to_buf 4 bytes while 4 come)', () => {
  it('the 1 to 3 bytes left at its end are no page, and do not run into the next chain', () => {
    for (const tail of [1, 2, 3]) {
      for (const segmentBytes of [4096, 4095, 3]) {
        const memory = new GuestMemory(GUEST_BYTES);
        const balloon = balloonOn(memory);
        const bytes = Buffer.concat([pfnArray(topPages(5)), Buffer.alloc(tail, 0x01)]);
        send(balloon, memory, BALLOON_INFLATE_QUEUE, bytes, segmentBytes);
        expect(balloon.reclaimedPages, `${tail} bytes left, segments of ${segmentBytes}`).toBe(5);
        send(balloon, memory, BALLOON_INFLATE_QUEUE, pfnArray([GUEST_BALLOON_PAGES - 6]), segmentBytes);
        expect(balloon.reclaimedPages, `${tail} bytes left, segments of ${segmentBytes}`).toBe(6);
        expect(balloon.unreclaimedPages).toBe(0);
      }
    }
  });

  it('a chain shorter than one PFN names no page', () => {
    const memory = new GuestMemory(GUEST_BYTES);
    const balloon = balloonOn(memory);
    send(balloon, memory, BALLOON_INFLATE_QUEUE, Buffer.from([0xff, 0x3f, 0x00]));
    send(balloon, memory, BALLOON_DEFLATE_QUEUE, Buffer.from([0x00]));
    expect([balloon.reclaimedPages, balloon.unreclaimedPages]).toEqual([0, 0]);
  });
});
