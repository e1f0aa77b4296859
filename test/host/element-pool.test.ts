import {describe, expect, it} from 'vitest';
import {GuestMemory} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {Scheduler} from '../../src/core/scheduler.js';
import type {QueueElement} from '../../src/core/split-virtqueue-device.js';
import {SplitVirtqueueDriver} from '../../src/core/split-virtqueue-driver.js';
import {MiB} from '../../src/core/units.js';
import {DeviceQueues, type QueueOwner} from '../../src/host/virtio/device-queues.js';

const BASE = 0x10000;
const QUEUE_SIZE = 8;
const DONE_AFTER_US = 100;

/**
 * A driver and a device's queues over one memory; the device model completes every element
 * DONE_AFTER_US after it pops it, and remembers what it was handed.
 */
function rig() {
  const memory = new GuestMemory(64 * MiB);
  const scheduler = new Scheduler();
  const newDriver = () =>
    new SplitVirtqueueDriver<number>({
      view: new MemoryView(memory, false),
      baseGpa: BASE,
      queueSize: QUEUE_SIZE,
      usedRingAlign: 128,
      hasEventIdx: false,
    });
  let driver = newDriver();
  const popped: QueueElement[] = [];
  const queues: DeviceQueues = new DeviceQueues(scheduler, {
    name: 'test',
    isServing: () => true,
    walksAvailBytesFirst: false,
    onAvailable: (queueIndex, element) => {
      popped.push(element);
      queues.completeAt(queueIndex, element, scheduler.nowUs + DONE_AFTER_US, () => 0);
    },
    onRingError: (error) => {
      throw new Error(error.error);
    },
    onAccessFault: (error) => {
      throw error;
    },
    interrupt: () => {},
  } satisfies QueueOwner);
  const enable = () => queues.enable(0, new MemoryView(memory, true), driver.addresses, QUEUE_SIZE, false);
  enable();
  /** Adds a one-buffer request at `addr` and lets the device pop it. */
  const request = (addr: number, token: number): QueueElement => {
    driver.add([{addr, len: 512, isDeviceWritable: true}], token);
    queues.service(0);
    return popped.at(-1)!;
  };
  const finish = () => {
    scheduler.runUntil(scheduler.nowUs + DONE_AFTER_US);
    while (typeof driver.getBuf() === 'object');
  };
  /** `virtio_reset` and a new probe: the driver lays its ring out afresh. */
  const reset = () => {
    queues.clear();
    driver = newDriver();
    enable();
  };
  return {queues, request, finish, reset};
}

describe('pooled queue elements', () => {
  it('are handed out again once pushed back (a request allocates no element)', () => {
    const {request, finish} = rig();
    const first = request(0x200000, 1);
    finish();
    expect(request(0x300000, 2)).toBe(first);
  });

  it('leave migration state as copies: an element reused after saveState does not change what was saved', () => {
    const {queues, request, finish} = rig();
    const live = request(0x200000, 1);
    const saved = queues.save()[0]!.pending;
    expect(saved).toEqual([{head: live.head, out: [], in: [{addr: 0x200000, len: 512}]}]);
    finish();
    const reused = request(0x300000, 2);
    expect(reused).toBe(live);
    expect(saved[0]).not.toBe(live);
    expect(saved[0]!.in[0]).toEqual({addr: 0x200000, len: 512});
  });

  it('come into a migration target as elements of its own queue, not the saved objects', () => {
    const {queues, request} = rig();
    request(0x200000, 1);
    const saved = queues.save()[0]!.pending[0]!;
    const target = rig();
    const adopted = target.queues.adopt(0, saved);
    expect(adopted).not.toBe(saved);
    expect(adopted).toEqual(saved);
    expect(adopted.in[0]).not.toBe(saved.in[0]);
  });

  it('pending at a device reset are dropped, never handed out again while something may still hold them', () => {
    const {request, reset} = rig();
    const pendingAtReset = request(0x200000, 1);
    reset();
    const after = request(0x300000, 2);
    expect(after).not.toBe(pendingAtReset);
    expect(pendingAtReset.in[0]).toEqual({addr: 0x200000, len: 512});
  });
});
