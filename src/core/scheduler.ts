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
 * The heap keeps each entry's due time and sequence number in typed arrays beside the tasks, so
 * its comparisons read two flat arrays instead of fields of tasks of a dozen classes (which V8
 * could only reach through its megamorphic property cache).
 */
export class Scheduler {
  readonly clock = new SimulatedClock();
  #tasks: ScheduledTask[] = [];
  #dueUs = new Float64Array(64);
  #seqs = new Float64Array(64);
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
    // The heap's comparisons are all false for NaN: such an entry would reorder the others.
    if (!Number.isFinite(atUs)) invariantBroken(`scheduler: a task was scheduled at ${atUs} us`);
    const length = this.#tasks.length;
    if (length >= SCHEDULER_PENDING_LIMIT)
      invariantBroken(`scheduler: ${length} timers pending (limit ${SCHEDULER_PENDING_LIMIT})`);
    const dueUs = Math.max(Math.round(atUs), this.clock.nowUs);
    const seq = this.#seq++;
    task.atUs = dueUs;
    task.seq = seq;
    task.isCancelled = false;
    task.isQueued = true;
    if (length === this.#dueUs.length) this.#grow();
    this.#siftUp(length, task, dueUs, seq);
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
    const tasks = this.#tasks;
    while (tasks.length > 0) {
      const dueUs = this.#dueUs[0]!;
      if (dueUs > endUs) break;
      const head = tasks[0]!;
      this.#pop();
      head.isQueued = false;
      if (head.isCancelled) continue;
      this.clock.advanceTo(dueUs);
      head.run();
    }
    this.clock.advanceTo(endUs);
  }

  // Never shrunk: the peak is the world's own timers, 64 in the default world, 512 (12 KiB) for 200 guests.
  #grow(): void {
    const dueUs = new Float64Array(this.#dueUs.length * 2);
    const seqs = new Float64Array(this.#seqs.length * 2);
    dueUs.set(this.#dueUs);
    seqs.set(this.#seqs);
    this.#dueUs = dueUs;
    this.#seqs = seqs;
  }

  /** Puts the entry (task, dueUs, seq) at `index` or above it, where its key orders it. */
  #siftUp(start: number, task: ScheduledTask, dueUs: number, seq: number): void {
    const tasks = this.#tasks;
    const dues = this.#dueUs;
    const seqs = this.#seqs;
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentDueUs = dues[parent]!;
      if (parentDueUs < dueUs || (parentDueUs === dueUs && seqs[parent]! < seq)) break;
      tasks[index] = tasks[parent]!;
      dues[index] = parentDueUs;
      seqs[index] = seqs[parent]!;
      index = parent;
    }
    tasks[index] = task;
    dues[index] = dueUs;
    seqs[index] = seq;
  }

  /** Removes the head: the last entry sinks from the root to where its key orders it. */
  #pop(): void {
    const tasks = this.#tasks;
    const last = tasks.pop()!;
    const length = tasks.length;
    if (length === 0) return;
    const dues = this.#dueUs;
    const seqs = this.#seqs;
    const lastDueUs = dues[length]!;
    const lastSeq = seqs[length]!;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (
        right < length &&
        (dues[right]! < dues[left]! || (dues[right] === dues[left] && seqs[right]! < seqs[left]!))
      )
        child = right;
      const childDueUs = dues[child]!;
      if (lastDueUs < childDueUs || (lastDueUs === childDueUs && lastSeq < seqs[child]!)) break;
      tasks[index] = tasks[child]!;
      dues[index] = childDueUs;
      seqs[index] = seqs[child]!;
      index = child;
    }
    tasks[index] = last;
    dues[index] = lastDueUs;
    seqs[index] = lastSeq;
  }
}
