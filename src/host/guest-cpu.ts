import {invariantBroken} from '../core/assert.js';
import type {Scheduler, TimerHandle} from '../core/scheduler.js';

/** Guest work waiting for stopped vCPUs is bounded: more is a runaway producer. */
export const DEFERRED_WORK_LIMIT = 100_000;

/**
 * Guest execution: timers that wait while the vCPUs are stopped and die with the boot that set
 * them (each boot, shutdown or halt starts a new epoch).
 */
export class GuestCpu {
  readonly #scheduler: Scheduler;
  readonly #isStopped: () => boolean;
  #epoch = 0;
  #deferred: Array<() => void> = [];

  constructor(scheduler: Scheduler, isStopped: () => boolean) {
    this.#scheduler = scheduler;
    this.#isStopped = isStopped;
  }

  /** Runs `work` after `delayUs` on a vCPU, unless the boot that asked for it ended first. */
  timer(delayUs: number, work: () => void): TimerHandle {
    const epoch = this.#epoch;
    return this.#scheduler.after(delayUs, () => {
      if (epoch !== this.#epoch) return;
      this.run(work);
    });
  }

  /** Runs `timer` (one of this boot's) once more after `delayUs`: a repeating timer, no new timer per run. */
  again(timer: TimerHandle, delayUs: number): void {
    this.#scheduler.again(timer, this.#scheduler.nowUs + delayUs);
  }

  /**
   * Runs guest code now, or when the vCPUs run again if the boot that asked is still the current
   * one (work released earlier in the same release may end the boot: a power-off halts it).
   */
  run(work: () => void): void {
    if (!this.#isStopped()) {
      work();
      return;
    }
    if (this.#deferred.length >= DEFERRED_WORK_LIMIT)
      invariantBroken(
        `guest cpu: ${this.#deferred.length} pieces of work wait for stopped vCPUs (limit ${DEFERRED_WORK_LIMIT})`,
      );
    const epoch = this.#epoch;
    this.#deferred.push(() => epoch === this.#epoch && work());
  }

  /** Runs what waited while the vCPUs were stopped; one-line simplification: waiting time is not replayed. */
  releaseDeferred(): void {
    if (this.#isStopped()) invariantBroken('guest cpu: deferred work released while the vCPUs are stopped');
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const work of deferred) work();
  }

  /** Ends the current boot's work: its timers and waiting work become no-ops. */
  newEpoch(): void {
    this.#epoch++;
    this.#deferred = [];
  }
}
