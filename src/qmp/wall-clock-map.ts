/**
 * Maps simulated time to wall time. The runner advances the world in steps to keep up with the
 * wall clock (times the speed); at the end of each step the world settles and the QMP server
 * anchors the pair (simulated now, wall now). An event from inside the step gets the wall time
 * interpolated between the step's two anchors, so timestamps follow simulated time and never
 * go backwards.
 */
export class WallClockMap {
  #previous: {simUs: number; wallUs: number};
  #current: {simUs: number; wallUs: number};

  constructor(simUs: number, wallUs: number) {
    this.#previous = this.#current = {simUs, wallUs};
  }

  anchor(simUs: number, wallUs: number): void {
    this.#previous = this.#current;
    this.#current = {simUs, wallUs: Math.max(wallUs, this.#current.wallUs)};
  }

  wallUsAt(simUs: number): number {
    const previous = this.#previous;
    const current = this.#current;
    if (simUs >= current.simUs || current.simUs === previous.simUs) return current.wallUs;
    if (simUs <= previous.simUs) return previous.wallUs;
    const share = (simUs - previous.simUs) / (current.simUs - previous.simUs);
    return Math.round(previous.wallUs + share * (current.wallUs - previous.wallUs));
  }
}
