import {GuestMemory} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import type {QueueElement} from '../../src/core/split-virtqueue-device.js';
import {KiB, MiB} from '../../src/core/units.js';
import type {ElementIo} from '../../src/host/virtio/element-io.js';

/** A device model's own reading of a popped chain, the element completed at once (no ring, no scheduler). */
export function deliverAtOnce(backend: object, queueIndex: number, element: QueueElement): void {
  const model = backend as unknown as {
    completeAt(
      queue: number,
      element: QueueElement,
      atUs: number,
      execute: (element: QueueElement) => number,
    ): void;
    onAvailable(queueIndex: number, element: QueueElement): void;
  };
  model.completeAt = (_queue, popped, _atUs, execute) => void execute(popped);
  model.onAvailable(queueIndex, element);
}

/** `bytes` written at `at` (1 MiB unless given) on, as a chain of descriptors of `segmentBytes`. */
export function chainOf(memory: GuestMemory, bytes: Buffer, segmentBytes = 4 * KiB, at = MiB): QueueElement {
  new MemoryView(memory, false).write(at, bytes, 0, bytes.length);
  const out = [];
  for (let offset = 0; offset < bytes.length; offset += segmentBytes)
    out.push({addr: at + offset, len: Math.min(segmentBytes, bytes.length - offset)});
  return {head: 0, out, in: []};
}

/** The hypervisor's access to a device model's elements (protected on the backend). */
export function elementIoOf(backend: object): ElementIo {
  return (backend as unknown as {io: ElementIo}).io;
}

export const modelIdentity = (type: 'console' | 'balloon') => ({
  vm: 'g',
  index: 0,
  config: {type, iommu: false, queueSize: 256},
});
