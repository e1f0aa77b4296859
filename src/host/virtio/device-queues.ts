import type {MemoryView} from '../../core/memory-view.js';
import type {Scheduler} from '../../core/scheduler.js';
import type {SplitRingAddresses} from '../../core/split-ring-layout.js';
import {
  copyElement,
  SplitVirtqueueDevice,
  type QueueElement,
  type RingIndices,
} from '../../core/split-virtqueue-device.js';
import {Queue, type ElementWork, type QueueOwner} from './device-queue.js';
import type {QueueMigrationState} from './migration-state.js';

export {INTERRUPT_LATENCY_US, NOTIFY_LATENCY_US, type ElementWork, type QueueOwner} from './device-queue.js';

/**
 * A device's virtqueues as QEMU's VirtIODevice keeps them: the device side of each ring, the
 * elements being worked on, the notify and interrupt latencies (coalesced per queue).
 */
export class DeviceQueues {
  readonly scheduler: Scheduler;
  readonly #owner: QueueOwner;
  #queues: (Queue | undefined)[] = [];

  constructor(scheduler: Scheduler, owner: QueueOwner) {
    this.scheduler = scheduler;
    this.#owner = owner;
  }

  get inFlight(): number {
    let count = 0;
    for (const queue of this.#queues) count += queue?.pendingCount ?? 0;
    return count;
  }

  /**
   * `virtio_queue_set_rings()`: the queue lives at the three addresses the driver wrote (or, on a
   * migration target, at those the source's driver wrote, with the source's indices).
   */
  enable(
    queueIndex: number,
    view: MemoryView,
    addresses: SplitRingAddresses,
    size: number,
    hasEventIdx: boolean,
    indices?: RingIndices,
  ): void {
    this.#queues[queueIndex]?.drop();
    const ring = new SplitVirtqueueDevice(view, addresses, size, hasEventIdx);
    if (indices) ring.restoreIndices(indices);
    this.#queues[queueIndex] = new Queue(this.scheduler, this.#owner, queueIndex, ring);
  }

  /** Every queue re-created over another view (the migration target's memory); indices and work kept. */
  rebind(view: MemoryView, hasEventIdx: boolean): void {
    for (const queue of this.#queues) {
      if (!queue) continue;
      const ring = queue.ring;
      const moved = new SplitVirtqueueDevice(view, ring.addresses, ring.queueSize, hasEventIdx);
      moved.restoreIndices(ring.indices);
      queue.ring = moved;
    }
  }

  /** A saved element, as an element of this device's queue (migration: the target redoes it). */
  adopt(queueIndex: number, saved: QueueElement): QueueElement {
    return this.#queues[queueIndex]?.ring.adopt(saved) ?? copyElement(saved);
  }

  /** Drops every queue and all work (`virtio_reset`). */
  clear(): void {
    for (const queue of this.#queues) queue?.drop();
    this.#queues = [];
  }

  notify(queueIndex: number): void {
    this.#queues[queueIndex]?.notify(this.scheduler);
  }

  /** Pops everything available on a queue and hands each element to the device model. */
  service(queueIndex: number): void {
    this.#queues[queueIndex]?.service();
  }

  /**
   * Finishes an element at `atUs`: `work` moves its bytes and returns the used length; then the
   * element goes on the used ring and the driver is interrupted if it wants to be.
   */
  completeAt(queueIndex: number, element: QueueElement, atUs: number, work: ElementWork): void {
    this.#queues[queueIndex]?.completeAt(this.scheduler, element, atUs, work);
  }

  /** Cancels every pending completion, notify and interrupt (NEEDS_RESET, reset, quiesce). */
  cancelAll(): void {
    for (const queue of this.#queues) queue?.cancelAll();
  }

  save(): (QueueMigrationState | undefined)[] {
    return this.#queues.map((queue) =>
      queue
        ? {
            addresses: queue.ring.addresses,
            size: queue.ring.queueSize,
            indices: queue.ring.indices,
            pending: queue.savedPending(),
          }
        : undefined,
    );
  }
}
