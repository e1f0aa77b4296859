import {invariantBroken} from '../../core/assert.js';
import type {MemoryView} from '../../core/memory-view.js';
import type {Scheduler, TimerHandle} from '../../core/scheduler.js';
import type {SplitRingAddresses} from '../../core/split-ring-layout.js';
import {
  SplitVirtqueueDevice,
  type QueueElement,
  type RingError,
  type RingIndices,
} from '../../core/split-virtqueue-device.js';
import type {QueueMigrationState} from './migration-state.js';

/** Time from a guest's notify to the device starting work (a VM exit and QEMU's handler). */
export const NOTIFY_LATENCY_US = 5;
/** Time from a device's interrupt to the guest's handler running. */
export const INTERRUPT_LATENCY_US = 5;

interface PendingCompletion {
  readonly element: QueueElement;
  readonly timer: TimerHandle;
}

/** What the queues need of their device. */
export interface QueueOwner {
  readonly name: string;
  /** Whether the device takes work now (DRIVER_OK set, not broken, not detached). */
  isServing(): boolean;
  /** A popped element for the device model. */
  onAvailable(queueIndex: number, element: QueueElement): void;
  /** The guest broke a ring (`virtio_error` with QEMU's text). */
  onRingError(error: RingError): void;
  /** A hypervisor access failed while reading rings or buffers; rethrows what is not an access fault. */
  onAccessFault(error: unknown, where: 'vring' | 'buffer'): void;
  /** The used-buffer interrupt of a queue. */
  interrupt(queueIndex: number): void;
}

/**
 * A device's virtqueues as QEMU's VirtIODevice keeps them: the device side of each ring, the
 * elements being worked on, the notify and interrupt latencies (coalesced per queue).
 */
export class DeviceQueues {
  readonly #scheduler: Scheduler;
  readonly #owner: QueueOwner;
  #queues: (SplitVirtqueueDevice | undefined)[] = [];
  #pending: (Map<number, PendingCompletion> | undefined)[] = [];
  #serviceTimers: (TimerHandle | undefined)[] = [];
  #interruptTimers: (TimerHandle | undefined)[] = [];

  constructor(scheduler: Scheduler, owner: QueueOwner) {
    this.#scheduler = scheduler;
    this.#owner = owner;
  }

  get inFlight(): number {
    let count = 0;
    for (const pending of this.#pending) count += pending?.size ?? 0;
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
    const queue = new SplitVirtqueueDevice(view, addresses, size, hasEventIdx);
    if (indices) queue.restoreIndices(indices);
    this.#queues[queueIndex] = queue;
    this.#pending[queueIndex] = new Map();
  }

  /** Every queue re-created over another view (the migration target's memory); indices and work kept. */
  rebind(view: MemoryView, hasEventIdx: boolean): void {
    this.#queues = this.#queues.map((queue) => {
      if (!queue) return undefined;
      const moved = new SplitVirtqueueDevice(view, queue.addresses, queue.queueSize, hasEventIdx);
      moved.restoreIndices(queue.indices);
      return moved;
    });
  }

  /** Drops every queue and all work (`virtio_reset`). */
  clear(): void {
    this.cancelAll();
    this.#queues = [];
    this.#pending = [];
  }

  notify(queueIndex: number): void {
    if (this.#serviceTimers[queueIndex] || !this.#owner.isServing()) return;
    this.#serviceTimers[queueIndex] = this.#scheduler.after(NOTIFY_LATENCY_US, () => {
      this.#serviceTimers[queueIndex] = undefined;
      this.service(queueIndex);
    });
  }

  /** Pops everything available on a queue and hands each element to the device model. */
  service(queueIndex: number): void {
    const queue = this.#queues[queueIndex];
    const owner = this.#owner;
    if (!queue || !owner.isServing()) return;
    for (let count = 0; count <= queue.queueSize; count++) {
      let element;
      try {
        element = queue.pop();
      } catch (error) {
        owner.onAccessFault(error, 'vring');
        return;
      }
      if (element === undefined) return;
      if ('error' in element) {
        owner.onRingError(element);
        return;
      }
      try {
        owner.onAvailable(queueIndex, element);
      } catch (error) {
        owner.onAccessFault(error, 'buffer');
        return;
      }
    }
  }

  /**
   * Finishes an element at `atUs`: `execute` moves its bytes and returns the used length; then
   * the element goes on the used ring and the driver is interrupted if it wants to be.
   */
  completeAt(queueIndex: number, element: QueueElement, atUs: number, execute: () => number): void {
    const pending = this.#pending[queueIndex];
    if (!pending) return;
    if (atUs < this.#scheduler.nowUs)
      invariantBroken(
        `${this.#owner.name}: element ${element.head} completes at ${atUs} µs, before now (${this.#scheduler.nowUs})`,
      );
    if (pending.has(element.head))
      invariantBroken(
        `${this.#owner.name}: element ${element.head} of queue ${queueIndex} is already pending`,
      );
    const timer = this.#scheduler.at(atUs, () => {
      pending.delete(element.head);
      if (!this.#owner.isServing()) return;
      let usedLength: number;
      try {
        usedLength = execute();
      } catch (error) {
        this.#owner.onAccessFault(error, 'buffer');
        return;
      }
      this.#queues[queueIndex]?.push(element.head, usedLength);
      this.#raiseInterrupt(queueIndex);
    });
    pending.set(element.head, {element, timer});
  }

  /** Cancels every pending completion, notify and interrupt (NEEDS_RESET, reset, quiesce). */
  cancelAll(): void {
    for (let queue = 0; queue < this.#queues.length; queue++) {
      const pending = this.#pending[queue];
      if (pending) {
        for (const entry of pending.values()) entry.timer.cancel();
        pending.clear();
      }
      this.#serviceTimers[queue]?.cancel();
      this.#serviceTimers[queue] = undefined;
      this.#interruptTimers[queue]?.cancel();
      this.#interruptTimers[queue] = undefined;
    }
  }

  save(): (QueueMigrationState | undefined)[] {
    return this.#queues.map((queue, index) =>
      queue
        ? {
            addresses: queue.addresses,
            size: queue.queueSize,
            indices: queue.indices,
            pending: [...(this.#pending[index]?.values() ?? [])].map((entry) => entry.element),
          }
        : undefined,
    );
  }

  #raiseInterrupt(queueIndex: number): void {
    const queue = this.#queues[queueIndex];
    if (!queue || this.#interruptTimers[queueIndex]) return;
    let shouldNotify: boolean;
    try {
      shouldNotify = queue.shouldNotify();
    } catch (error) {
      this.#owner.onAccessFault(error, 'vring');
      return;
    }
    if (!shouldNotify) return;
    this.#interruptTimers[queueIndex] = this.#scheduler.after(INTERRUPT_LATENCY_US, () => {
      this.#interruptTimers[queueIndex] = undefined;
      this.#owner.interrupt(queueIndex);
    });
  }
}
