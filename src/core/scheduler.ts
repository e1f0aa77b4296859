import {invariantBroken} from './assert.js';
import {SimulatedClock, type Microseconds} from './clock.js';

/** A scheduled callback; `cancel()` makes it a no-op. */
export interface TimerHandle {
  readonly atUs: Microseconds;
  cancel(): void;
  readonly isCancelled: boolean;
}

/**
 * A timer that is its own entry in the scheduler's queue: an owner that fires the same kind of
 * event again and again (a queue's notify, a request's completion) keeps one and schedules it
 * anew, so the hot paths allocate no entry and no closure per event. One may be scheduled again
 * only once it has left the queue (`isQueued` false), i.e. after it ran or, cancelled, was dropped.
 */
export abstract class ScheduledTask implements TimerHandle {
  atUs: Microseconds = 0;
  seq = 0;
  isCancelled = false;
  isQueued = false;

  abstract run(): void;

  cancel(): void {
    this.isCancelled = true;
  }
}

class Entry extends ScheduledTask {
  constructor(readonly work: () => void) {
    super();
  }

  run(): void {
    this.work();
  }
}

/** Upper bound on pending timers; a runaway producer is a programmer error. */
export const SCHEDULER_PENDING_LIMIT = 2_000_000;

/**
 * Discrete-event scheduler over a simulated clock. Timers due at the same instant run in the
 * order they were scheduled, so a run is fully decided by its inputs.
 *
 * The queue is a binary heap whose keys (due time, scheduling order) sit in typed arrays beside
 * the tasks: its comparisons read numbers, not the fields of a dozen task classes (which made
 * every read in the sift loops a megamorphic property load).
 */
export class Scheduler {
  readonly clock = new SimulatedClock();
  /** The heap's tasks; slots past the size are cleared so a run task is not kept alive. */
  #tasks: Array<ScheduledTask | undefined> = [];
  #dueUs = new Float64Array(64);
  #order = new Float64Array(64);
  #size = 0;
  #seq = 0;

  get nowUs(): Microseconds {
    return this.clock.nowUs;
  }

  /**
   * Runs `run` at `atUs` (clamped to now when in the past).
   * @returns a handle to cancel it
   */
  at(atUs: Microseconds, run: () => void): TimerHandle {
    const entry = new Entry(run);
    this.schedule(entry, atUs);
    return entry;
  }

  /** Queues a task of its owner's to run at `atUs` (clamped to now when in the past). */
  schedule(task: ScheduledTask, atUs: Microseconds): void {
    if (task.isQueued) invariantBroken('scheduler: a task was scheduled again while still queued');
    if (this.#size >= SCHEDULER_PENDING_LIMIT)
      invariantBroken(`scheduler: ${this.#size} timers pending (limit ${SCHEDULER_PENDING_LIMIT})`);
    task.atUs = Math.max(Math.round(atUs), this.clock.nowUs);
    task.seq = this.#seq++;
    task.isCancelled = false;
    task.isQueued = true;
    this.#push(task);
  }

  /** Runs `run` after `delayUs` microseconds. */
  after(delayUs: Microseconds, run: () => void): TimerHandle {
    return this.at(this.clock.nowUs + delayUs, run);
  }

  /** Runs every timer due up to and including `endUs`, then sets the clock to `endUs`. */
  runUntil(endUs: Microseconds): void {
    while (this.#size > 0 && this.#dueUs[0]! <= endUs) {
      const head = this.#tasks[0]!;
      const dueUs = this.#dueUs[0]!;
      this.#pop();
      head.isQueued = false;
      if (head.isCancelled) continue;
      this.clock.advanceTo(dueUs);
      head.run();
    }
    this.clock.advanceTo(endUs);
  }

  #push(task: ScheduledTask): void {
    if (this.#size === this.#dueUs.length) this.#grow();
    const tasks = this.#tasks;
    const dueUs = this.#dueUs;
    const order = this.#order;
    const due = task.atUs;
    const seq = task.seq;
    let index = this.#size++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentDue = dueUs[parent]!;
      if (parentDue < due || (parentDue === due && order[parent]! < seq)) break;
      tasks[index] = tasks[parent]!;
      dueUs[index] = parentDue;
      order[index] = order[parent]!;
      index = parent;
    }
    tasks[index] = task;
    dueUs[index] = due;
    order[index] = seq;
  }

  /** Removes the head: the last task sifts down from the root. */
  #pop(): void {
    const tasks = this.#tasks;
    const dueUs = this.#dueUs;
    const order = this.#order;
    const length = --this.#size;
    const last = tasks[length]!;
    const lastDue = dueUs[length]!;
    const lastSeq = order[length]!;
    tasks[length] = undefined;
    if (length === 0) return;
    let index = 0;
    for (;;) {
      let child = index * 2 + 1;
      if (child >= length) break;
      const right = child + 1;
      if (
        right < length &&
        (dueUs[right]! < dueUs[child]! || (dueUs[right] === dueUs[child] && order[right]! < order[child]!))
      )
        child = right;
      const childDue = dueUs[child]!;
      if (lastDue < childDue || (lastDue === childDue && lastSeq < order[child]!)) break;
      tasks[index] = tasks[child]!;
      dueUs[index] = childDue;
      order[index] = order[child]!;
      index = child;
    }
    tasks[index] = last;
    dueUs[index] = lastDue;
    order[index] = lastSeq;
  }

  #grow(): void {
    const dueUs = new Float64Array(this.#dueUs.length * 2);
    const order = new Float64Array(this.#order.length * 2);
    dueUs.set(this.#dueUs);
    order.set(this.#order);
    this.#dueUs = dueUs;
    this.#order = order;
  }
}
