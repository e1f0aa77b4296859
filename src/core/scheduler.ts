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
 */
export class Scheduler {
  readonly clock = new SimulatedClock();
  #heap: ScheduledTask[] = [];
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
    if (this.#heap.length >= SCHEDULER_PENDING_LIMIT)
      invariantBroken(`scheduler: ${this.#heap.length} timers pending (limit ${SCHEDULER_PENDING_LIMIT})`);
    task.atUs = Math.max(Math.round(atUs), this.clock.nowUs);
    task.seq = this.#seq++;
    task.isCancelled = false;
    task.isQueued = true;
    this.#push(task);
  }

  /**
   * Runs a timer `at` made once more, at `atUs`: an owner's repeating timer, which allocates
   * nothing per run. It must have left the queue (run, or dropped once cancelled).
   */
  again(timer: TimerHandle, atUs: Microseconds): void {
    if (!(timer instanceof ScheduledTask))
      invariantBroken('scheduler: only a timer this scheduler made can run again');
    this.schedule(timer, atUs);
  }

  /** Runs `run` after `delayUs` microseconds. */
  after(delayUs: Microseconds, run: () => void): TimerHandle {
    return this.at(this.clock.nowUs + delayUs, run);
  }

  /** Runs every timer due up to and including `endUs`, then sets the clock to `endUs`. */
  runUntil(endUs: Microseconds): void {
    for (;;) {
      const head = this.#heap[0];
      if (head === undefined || head.atUs > endUs) break;
      this.#pop();
      head.isQueued = false;
      if (head.isCancelled) continue;
      this.clock.advanceTo(head.atUs);
      head.run();
    }
    this.clock.advanceTo(endUs);
  }

  #less(a: ScheduledTask, b: ScheduledTask): boolean {
    return a.atUs < b.atUs || (a.atUs === b.atUs && a.seq < b.seq);
  }

  #push(entry: ScheduledTask): void {
    const heap = this.#heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentEntry = heap[parent]!;
      if (!this.#less(entry, parentEntry)) break;
      heap[index] = parentEntry;
      index = parent;
    }
    heap[index] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let index = 0;
    const length = heap.length;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.#less(heap[right]!, heap[left]!) ? right : left;
      if (!this.#less(heap[child]!, last)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
  }
}
