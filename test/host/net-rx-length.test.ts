import {describe, expect, it} from 'vitest';
import type {QueueElement} from '../../src/core/split-virtqueue-device.js';
import {ETHERNET_HEADER_BYTES, FRAME_MAX_BYTES} from '../../src/host/virtio/net-frame.js';
import {NET_HEADER_BYTES} from '../../src/host/virtio/net-protocol.js';
import type {World} from '../../src/host/world.js';
import {netGuest} from '../helpers/guest-yaml.js';
import {runChecked} from '../helpers/world.js';

// A device that reports a used length its rx buffer cannot hold (or too short for a frame) is
// one the guest must not trust: virtqueue_get_buf hands the length over unchecked and virtio_net
// checks it (torvalds/linux drivers/net/virtio_net.c receive_small, receive_buf): the buffer is
// dropped, rx_length_errors counted, the ring refilled.

const RX_BUFFERS_POSTED = 32;

/** The rx buffers the device holds, as it would save them for a migration. */
function rxBuffersPosted(world: World): number {
  const backend = world.guest('g1')!.backends[0]! as unknown as {saveDevice(): {rxPosted: unknown[]}};
  return backend.saveDevice().rxPosted.length;
}

/** The device's next rx completion reports `usedLength(written)` bytes instead of what it wrote. */
function misreportNextRx(world: World, usedLength: (written: number) => number): void {
  const backend = world.guest('g1')!.backends[0]!;
  const io = (backend as unknown as {io: {writeIn: (e: QueueElement, s: Uint8Array, n?: number) => number}})
    .io;
  const writeIn = io.writeIn.bind(io);
  let isArmed = true;
  io.writeIn = (element, source, length) => {
    const written = writeIn(element, source, length);
    if (!isArmed) return written;
    isArmed = false;
    return usedLength(written);
  };
}

describe('virtio_net checks the used length of an rx buffer', () => {
  it.each([
    ['one byte past the buffer', () => NET_HEADER_BYTES + FRAME_MAX_BYTES + 1],
    ['far past the buffer', () => 70_000],
    ['shorter than an Ethernet header', () => NET_HEADER_BYTES + 13],
  ])('drops a reply whose used length is %s and counts it, nothing else', (_, usedLength) => {
    const {world, driver} = netGuest();
    const completed = driver.completed;
    misreportNextRx(world, usedLength);
    expect(driver.send(1, 64, 100)).toBe('queued');
    runChecked(world, 0.5);
    expect(driver.rxLengthErrors).toBe(1);
    expect(driver.integrityErrors).toBe(0);
    expect(driver.completed).toBe(completed + 1); // the frame sent; its reply dropped
    // The buffer was posted again: the next replies come in.
    const before = driver.completed;
    for (let i = 0; i < 40; i++) expect(driver.send(2, 64, 100)).toBe('queued');
    runChecked(world, 1);
    expect(driver.completed).toBeGreaterThanOrEqual(before + 80);
    expect(driver.integrityErrors).toBe(0);
    expect(driver.rxLengthErrors).toBe(1);
    expect(rxBuffersPosted(world)).toBe(RX_BUFFERS_POSTED); // all of them, the dropped one again too
  });

  it('takes the shortest reply it may, the two headers, and checks its frame (review)', () => {
    const {world, driver} = netGuest();
    misreportNextRx(world, () => NET_HEADER_BYTES + ETHERNET_HEADER_BYTES);
    expect(driver.send(1, 64, 100)).toBe('queued');
    runChecked(world, 0.5);
    expect(driver.rxLengthErrors).toBe(0);
    expect(driver.integrityErrors).toBe(1); // taken, and its frame found cut short
  });

  it('takes a reply as long as the buffer whole', () => {
    const {world, driver} = netGuest();
    const completed = driver.completed;
    expect(driver.send(2, 64, 4000)).toBe('queued'); // a full-size reply: the buffer exactly
    runChecked(world, 0.5);
    expect(driver.rxLengthErrors).toBe(0);
    expect(driver.completed).toBe(completed + 2);
  });
});
