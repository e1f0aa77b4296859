import {describe, expect, it} from 'vitest';
import {GuestMemory} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {RangeAllocator} from '../../src/core/range-allocator.js';
import type {SplitRingAddresses} from '../../src/core/split-ring-layout.js';
import {SplitVirtqueueDevice} from '../../src/core/split-virtqueue-device.js';
import {MiB} from '../../src/core/units.js';
import {featureSet, VirtioFeature} from '../../src/core/virtio.js';
import {createDmaOps} from '../../src/host/dma-ops.js';
import {DriverRings} from '../../src/host/virtio/driver-rings.js';
import type {VirtioPciTransport} from '../../src/host/virtio/transport.js';

const ARENA_BYTES = 4096;

/** One queue of 8 with indirect descriptors, its driver's rings over a 4 KiB arena, and the device's side. */
function ringsWithIndirect() {
  const view = new MemoryView(new GuestMemory(64 * MiB), false);
  const heap = new RangeAllocator(0, 64 * MiB, 64);
  const dma = createDmaOps({heap, device: {index: 0, minAlignMask: 0}, currentCpu: () => 0});
  let addresses: SplitRingAddresses | undefined;
  const transport = {
    queueSizeMax: 8,
    numQueues: 1,
    enableQueue: (_index: number, _size: number, queueAddresses: SplitRingAddresses) => {
      addresses = queueAddresses;
    },
  } as unknown as VirtioPciTransport;
  const rings = new DriverRings<number>(heap, dma);
  expect(rings.setUp(transport, view, featureSet(VirtioFeature.indirectDesc), ARENA_BYTES)).toBe(true);
  const device = new SplitVirtqueueDevice(new MemoryView(view.memory, true), addresses!, 8, false);
  return {rings, queue: rings.queues[0]!, device};
}

/** Adds and completes `count` chains of `segmentCount(request)` 64-byte segments through an indirect table. */
function runChains(
  setup: ReturnType<typeof ringsWithIndirect>,
  count: number,
  segmentCount: (request: number) => number,
) {
  const {queue, device} = setup;
  for (let request = 0; request < count; request++) {
    const length = segmentCount(request);
    const segments = Array.from({length}, (_, i) => ({
      addr: 0x100000 + i * 0x1000,
      len: 64,
      isDeviceWritable: i === length - 1,
    }));
    expect(queue.add(segments, request)).toBeDefined();
    const element = device.pop();
    if (!element || 'error' in element) throw new Error('expected an element');
    expect(element.out.length + element.in.length).toBe(length);
    device.push(element.head, 0);
    expect(queue.getBuf()).toEqual({token: request, len: 0});
  }
}

describe('driver rings', () => {
  it('keeps a released indirect table for the next chain of its size, as a slab keeps a freed object', () => {
    const setup = ringsWithIndirect();
    runChains(setup, 50, () => 3);
    // The spare table holds its 48 bytes of the arena: the whole arena is not free.
    expect(setup.rings.allocate(ARENA_BYTES)).toBeUndefined();
    expect(setup.rings.allocate(ARENA_BYTES - 64)).toBeDefined();
  });

  it('keeps spare indirect tables bounded by the chains in flight when chain lengths alternate', () => {
    const setup = ringsWithIndirect();
    runChains(setup, 500, (request) => 2 + (request % 3));
    // One 64-byte table at most is kept: nearly the whole arena can still be had in one piece.
    expect(setup.rings.allocate(ARENA_BYTES - 64)).toBeDefined();
  });
});
