import {invariantBroken} from './assert.js';

/** Simulated time in whole microseconds since the world started. */
export type Microseconds = number;

export const MICROSECONDS_PER_SECOND = 1_000_000;

/** A simulated clock: integer microseconds, never goes backwards. */
export class SimulatedClock {
  /**
   * The time, in a Float64Array from the start: a field holding it went from small integer to
   * double at the first timer (the scheduler's due times are doubles), and every new clock (a new
   * World) then reshaped the scheduler's field and deoptimised the whole hot loop.
   */
  readonly #nowUs = new Float64Array(1);

  get nowUs(): Microseconds {
    return this.#nowUs[0]!;
  }

  /**
   * Moves the clock forward.
   * @param timeUs target time; must be an integer not before now
   */
  advanceTo(timeUs: Microseconds): void {
    if (!Number.isSafeInteger(timeUs))
      invariantBroken(`clock: time ${timeUs} is not a whole number of microseconds`);
    const nowUs = this.#nowUs[0]!;
    if (timeUs < nowUs) invariantBroken(`clock: cannot go back from ${nowUs}us to ${timeUs}us`);
    this.#nowUs[0] = timeUs;
  }
}

/** Seconds as a number for output (`t` in the JSON lines). */
export function microsecondsToSeconds(timeUs: Microseconds): number {
  return timeUs / MICROSECONDS_PER_SECOND;
}
