import {invariantBroken} from '../../core/assert.js';
import {ScheduledTask, type Scheduler} from '../../core/scheduler.js';
import {
  copyElement,
  type QueueElement,
  type RingError,
  type SplitVirtqueueDevice,
} from '../../core/split-virtqueue-device.js';

/** Time from a guest's notify to the device starting work (a VM exit and QEMU's handler). */
export const NOTIFY_LATENCY_US = 5;
/** Time from a device's interrupt to the guest's handler running. */
export const INTERRUPT_LATENCY_US = 5;

/** A device model's work on an element when it completes: moves its bytes, returns the used length. */
export type ElementWork = (element: QueueElement) => number;

/** What the queues need of their device. */
export interface QueueOwner {
  readonly name: string;
  /** Whether the device takes work now (DRIVER_OK set, not broken, not detached). */
  isServing(): boolean;
  /** A popped element for the device model. */
  onAvailable(queueIndex: number, element: QueueElement): void;
  /**
   * The device walks the available chains before it pops (`virtqueue_get_avail_bytes`, as
   * virtio-rng's `get_request_size` does), so `virtqueue_num_heads`'s check runs first.
   */
  readonly walksAvailBytesFirst: boolean;
  /** The guest broke a ring (`virtio_error` with QEMU's text). */
  onRingError(error: RingError): void;
  /** A hypervisor access outside guest memory while reading rings or buffers; rethrows anything else. */
  onAccessFault(error: unknown): void;
  /** The used-buffer interrupt of a queue. */
  interrupt(queueIndex: number): void;
}

/** One element's completion, scheduled for when the device model finishes it. */
class Completion extends ScheduledTask {
  element: QueueElement | undefined;
  work: ElementWork | undefined;
  constructor(
    readonly queue: Queue,
    readonly head: number,
  ) {
    super();
  }

  run(): void {
    this.queue.complete(this);
  }
}

/** A queue's notify (the device starts popping) or interrupt (the driver hears of used buffers). */
class QueueEvent extends ScheduledTask {
  constructor(
    readonly queue: Queue,
    readonly isInterrupt: boolean,
  ) {
    super();
  }

  run(): void {
    if (this.isInterrupt) this.queue.interrupt();
    else this.queue.service();
  }
}

/**
 * One virtqueue as the device keeps it: its ring, the elements being worked on (by head: the
 * driver cannot make a head available twice before it is used), and its coalesced notify and
 * interrupt. Completions and events are reused, so a request allocates nothing here.
 */
export class Queue {
  readonly pending: (Completion | undefined)[];
  readonly #completions: (Completion | undefined)[];
  pendingCount = 0;
  /** Set once the device dropped this queue (reset, or enabled anew): nothing more goes on its ring. */
  isDropped = false;
  #service: QueueEvent;
  #interrupt: QueueEvent;

  constructor(
    readonly scheduler: Scheduler,
    readonly owner: QueueOwner,
    readonly index: number,
    public ring: SplitVirtqueueDevice,
  ) {
    this.pending = new Array<Completion | undefined>(ring.queueSize);
    this.#completions = new Array<Completion | undefined>(ring.queueSize);
    this.#service = new QueueEvent(this, false);
    this.#interrupt = new QueueEvent(this, true);
  }

  notify(scheduler: Scheduler): void {
    if (this.#service.isQueued && !this.#service.isCancelled) return;
    if (!this.owner.isServing()) return;
    this.#service = this.#service.isQueued ? new QueueEvent(this, false) : this.#service;
    scheduler.schedule(this.#service, scheduler.nowUs + NOTIFY_LATENCY_US);
  }

  /** Pops everything available and hands each element to the device model. */
  service(): void {
    const ring = this.ring;
    const owner = this.owner;
    if (!owner.isServing()) return;
    if (owner.walksAvailBytesFirst && !this.#walkAvailable()) return;
    for (let count = 0; count <= ring.queueSize; count++) {
      let element;
      try {
        element = ring.pop();
      } catch (error) {
        owner.onAccessFault(error);
        return;
      }
      if (element === undefined) return;
      if ('error' in element) {
        owner.onRingError(element);
        return;
      }
      try {
        owner.onAvailable(this.index, element);
      } catch (error) {
        owner.onAccessFault(error);
        return;
      }
    }
  }

  /** `virtqueue_get_avail_bytes()` over the available chains; false when the guest broke the ring. */
  #walkAvailable(): boolean {
    let walked;
    try {
      walked = this.ring.availableInBytes();
    } catch (error) {
      this.owner.onAccessFault(error);
      return false;
    }
    if (typeof walked === 'number') return true;
    this.owner.onRingError(walked);
    return false;
  }

  completeAt(scheduler: Scheduler, element: QueueElement, atUs: number, work: ElementWork): void {
    const head = element.head;
    if (atUs < scheduler.nowUs)
      invariantBroken(
        `${this.owner.name}: element ${head} completes at ${atUs} us, before now (${scheduler.nowUs})`,
      );
    if (this.pending[head])
      invariantBroken(`${this.owner.name}: element ${head} of queue ${this.index} is already pending`);
    let completion = this.#completions[head];
    if (!completion || completion.isQueued) {
      completion = new Completion(this, head);
      this.#completions[head] = completion;
    }
    completion.element = element;
    completion.work = work;
    this.pending[head] = completion;
    this.pendingCount++;
    scheduler.schedule(completion, atUs);
  }

  complete(completion: Completion): void {
    const element = completion.element!;
    const work = completion.work!;
    this.#forget(completion);
    const owner = this.owner;
    if (!owner.isServing()) return;
    let usedLength: number;
    try {
      usedLength = work(element);
    } catch (error) {
      owner.onAccessFault(error);
      return;
    }
    if (this.isDropped) return;
    this.ring.push(element.head, usedLength);
    this.ring.recycle(element);
    this.#raiseInterrupt();
  }

  interrupt(): void {
    this.owner.interrupt(this.index);
  }

  #raiseInterrupt(): void {
    if (this.#interrupt.isQueued && !this.#interrupt.isCancelled) return;
    let shouldNotify: boolean;
    try {
      shouldNotify = this.ring.shouldNotify();
    } catch (error) {
      this.owner.onAccessFault(error);
      return;
    }
    if (!shouldNotify) return;
    this.#interrupt = this.#interrupt.isQueued ? new QueueEvent(this, true) : this.#interrupt;
    const scheduler = this.scheduler;
    scheduler.schedule(this.#interrupt, scheduler.nowUs + INTERRUPT_LATENCY_US);
  }

  #forget(completion: Completion): void {
    this.pending[completion.head] = undefined;
    this.pendingCount--;
    completion.element = undefined;
    completion.work = undefined;
  }

  drop(): void {
    this.cancelAll();
    this.isDropped = true;
  }

  /** Cancels every pending completion (their elements are dropped, not reused), the notify and the interrupt. */
  cancelAll(): void {
    for (const completion of this.pending) {
      if (!completion) continue;
      completion.cancel();
      this.#forget(completion);
    }
    this.#service.cancel();
    this.#interrupt.cancel();
  }

  /** Pending elements in the order they were scheduled, as copies apart from this queue's pool. */
  savedPending(): QueueElement[] {
    const pending = this.pending.filter((completion) => completion !== undefined);
    pending.sort((a, b) => a.seq - b.seq);
    return pending.map((completion) => copyElement(completion.element!));
  }
}
