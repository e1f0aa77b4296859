import {invariantBroken} from './assert.js';

/** Simulated time in whole microseconds since the world started. */
export type Microseconds = number;

export const MICROSECONDS_PER_SECOND = 1_000_000;

/** A simulated clock: integer microseconds, never goes backwards. */
export class SimulatedClock {
  #nowUs: Microseconds = 0;

  get nowUs(): Microseconds {
    return this.#nowUs;
  }

  /**
   * Moves the clock forward.
   * @param timeUs target time; must be an integer not before now
   */
  advanceTo(timeUs: Microseconds): void {
    if (!Number.isSafeInteger(timeUs))
      invariantBroken(`clock: time ${timeUs} is not a whole number of microseconds`);
    if (timeUs < this.#nowUs) invariantBroken(`clock: cannot go back from ${this.#nowUs}us to ${timeUs}us`);
    this.#nowUs = timeUs;
  }
}

/** Seconds as a number for output (`t` in the JSON lines). */
export function microsecondsToSeconds(timeUs: Microseconds): number {
  return timeUs / MICROSECONDS_PER_SECOND;
}
