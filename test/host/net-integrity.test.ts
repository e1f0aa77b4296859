import {describe, expect, it} from 'vitest';
import type {MemoryView} from '../../src/core/memory-view.js';
import {FRAME_MAX_BYTES} from '../../src/host/virtio/net-frame.js';
import type {NetMigrationState} from '../../src/host/virtio/net-protocol.js';
import type {World} from '../../src/host/world.js';
import {netGuest} from '../helpers/guest-yaml.js';
import {eventsOf, runChecked} from '../helpers/world.js';

/**
 * Flips one bit of the next `length` bytes the guest kernel reads (a frame the driver receives):
 * in guest memory when the driver reads the frame in place, in what `view.read` returns otherwise.
 */
function corruptNextRead(world: World, length: number, offset: number): void {
  const view = world.guest('g1')!.kernel!.view;
  const read = view.read.bind(view);
  const checkedFrame = view.checkedFrame.bind(view);
  let isArmed = true;
  view.read = (gpa, target, targetOffset, readLength) => {
    read(gpa, target, targetOffset, readLength);
    if (isArmed && readLength === length) {
      isArmed = false;
      target[targetOffset + offset]! ^= 0x10;
    }
  };
  view.checkedFrame = (gpa, frameLength, forWrite) => {
    const frame = checkedFrame(gpa, frameLength, forWrite);
    if (frame && isArmed && !forWrite && frameLength === length) {
      isArmed = false;
      frame[view.rangeOffset + offset]! ^= 0x10;
    }
    return frame;
  };
}

/**
 * Where `send` put its packet in guest memory. The buffer is first filled with 0xee (what an
 * earlier use of the memory might have left), so the packet's every byte is the driver's.
 */
function sentFrameGpa(view: MemoryView, send: () => void): number {
  const write = view.write.bind(view);
  const checkedFrame = view.checkedFrame.bind(view);
  let frameGpa = -1;
  view.write = (gpa, source, sourceOffset, length) => {
    if (frameGpa < 0) frameGpa = gpa;
    write(gpa, source, sourceOffset, length);
  };
  view.checkedFrame = (gpa, length, forWrite) => {
    const frame = checkedFrame(gpa, length, forWrite);
    if (frame && forWrite && frameGpa < 0) {
      frameGpa = gpa;
      frame.fill(0xee, view.rangeOffset, view.rangeOffset + length);
    }
    return frame;
  };
  try {
    send();
  } finally {
    view.write = write;
    view.checkedFrame = checkedFrame;
  }
  expect(frameGpa).toBeGreaterThanOrEqual(0);
  return frameGpa;
}

describe('net frames are checked end to end', () => {
  it('every frame the driver sends starts with an all-zero virtio-net header, whatever its buffer held', () => {
    const {world, driver, view} = netGuest();
    runChecked(world, 4); // replies were received
    expect(driver.completed).toBeGreaterThan(0);
    const header = Buffer.alloc(12);
    for (const [payloadBytes, replyBytes] of [
      [500, 1460],
      [1460, 64],
      [64, 0],
    ] as const) {
      const gpa = sentFrameGpa(view, () => expect(driver.send(1, payloadBytes, replyBytes)).toBe('queued'));
      view.read(gpa, header, 0, 12);
      expect([...header]).toEqual(new Array(12).fill(0));
      runChecked(world, 0.1);
    }
  });

  it('frames go out and come in whole through a copy where the view gives no frame in place', () => {
    const {world, driver, view} = netGuest();
    view.checkedFrame = () => undefined; // as for a buffer across two pages
    const completed = driver.completed;
    const header = Buffer.alloc(12);
    const gpa = sentFrameGpa(view, () => expect(driver.send(1, 1000, 1460)).toBe('queued'));
    view.read(gpa, header, 0, 12);
    expect([...header]).toEqual(new Array(12).fill(0));
    runChecked(world, 2);
    expect(driver.integrityErrors).toBe(0);
    expect(driver.completed).toBeGreaterThan(completed + 2);
  });

  it('a frame changed in guest memory after the driver wrote it is caught by the peer, once', () => {
    const {world, driver, view} = netGuest();
    const frameGpa = sentFrameGpa(view, () => expect(driver.send(0, 64, 0)).toBe('queued'));
    const byte = Buffer.alloc(1);
    view.read(frameGpa + 12 + 24 + 10, byte, 0, 1); // a payload byte, after the virtio-net and frame headers
    byte[0]! ^= 0x01;
    view.write(frameGpa + 12 + 24 + 10, byte, 0, 1);
    runChecked(world, 0.5);
    expect(eventsOf(world, 'g1')).toContain(
      'virtio0 (virtio-net) peer: transmitted frame has a bad checksum or length',
    );
    expect(driver.send(0, 64, 0)).toBe('queued'); // the next frame on the flow is fine, its sequence too
    runChecked(world, 0.5);
    expect(eventsOf(world, 'g1').filter((message) => message.includes('peer:'))).toHaveLength(2);
  });

  it('a reply changed on its way into the guest is caught by the driver, in the header or the payload', () => {
    for (const offset of [1, 15, 40, 99]) {
      const {world, driver} = netGuest();
      corruptNextRead(world, 100, offset);
      expect(driver.send(1, 64, 100)).toBe('queued');
      runChecked(world, 0.5);
      expect(driver.integrityErrors).toBe(1);
      expect(eventsOf(world, 'g1')).toContain(
        'virtio_net virtio0: received frame has a bad checksum or length',
      );
    }
  });

  it('a saved backlog keeps its frames while the source goes on and reuses its reply buffers', () => {
    const {world, guest, driver} = netGuest();
    const backend = guest.backends[0]!;
    for (let i = 0; i < 40; i++) expect(driver.send(i % 16, 64, 200 + i)).toBe('queued');
    // the replies are due a transmit latency and a round trip later; the 32 posted rx buffers take 32
    const start = world.scheduler.nowUs;
    let saved = backend.saveState().device as NetMigrationState;
    for (let t = 1; saved.backlog.length === 0 && t < 5000; t++) {
      world.scheduler.runUntil(start + t);
      saved = backend.saveState().device as NetMigrationState;
    }
    expect(saved.backlog.length).toBeGreaterThan(0);
    const atSave = saved.backlog.map((packet) => Buffer.from(packet));
    for (let i = 0; i < 40; i++) expect(driver.send(i % 16, 64, 1400 - i)).toBe('queued');
    runChecked(world, 0.5);
    expect(driver.integrityErrors).toBe(0);
    expect(saved.backlog).toEqual(atSave);
  });

  it('a reply whose delivery into an rx buffer is already scheduled when the state is saved arrives after the load', () => {
    const {world, guest, driver} = netGuest();
    const backend = guest.backends[0]!;
    const scheduler = world.scheduler;
    const schedule = scheduler.schedule.bind(scheduler);
    let saved: ReturnType<typeof backend.saveState> | undefined;
    // Save in the same microsecond as the peer's reply, right after it: the reply has been handed
    // to an rx buffer whose completion is scheduled but has not run (as stop-and-copy can find it).
    scheduler.schedule = (task, atUs) => {
      schedule(task, atUs);
      if (task.constructor.name === 'PeerReply' && !saved)
        scheduler.at(atUs, () => {
          saved = backend.saveState();
          backend.reset();
        });
    };
    const completed = driver.completed;
    expect(driver.send(3, 64, 100)).toBe('queued');
    runChecked(world, 0.01);
    scheduler.schedule = schedule;
    expect(saved).toBeDefined();
    backend.loadState(saved!);
    runChecked(world, 0.5);
    expect(driver.integrityErrors).toBe(0);
    expect(driver.completed).toBe(completed + 2); // the frame sent and its reply
  });

  it('a reply asked larger than an Ethernet frame comes as one whole frame, not a truncated one', () => {
    const {world, driver, view} = netGuest();
    const completed = driver.completed;
    const received: number[] = [];
    const read = view.read.bind(view);
    const checkedFrame = view.checkedFrame.bind(view);
    view.read = (gpa, target, targetOffset, length) => {
      read(gpa, target, targetOffset, length);
      received.push(length);
    };
    view.checkedFrame = (gpa, length, forWrite) => {
      if (!forWrite) received.push(length);
      return checkedFrame(gpa, length, forWrite);
    };
    expect(driver.send(2, 64, 4000)).toBe('queued');
    runChecked(world, 0.5);
    expect(driver.integrityErrors).toBe(0);
    expect(driver.completed).toBe(completed + 2); // the frame sent and its reply
    expect(received).toContain(FRAME_MAX_BYTES);
  });
});
