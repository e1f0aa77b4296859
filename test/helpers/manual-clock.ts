import type {RunnerClock} from '../../src/app/world-runner.js';

interface Timer {
  readonly atMs: number;
  readonly callback: () => void;
}

/** A wall clock and timers for the world runner that a test moves by hand. */
export class ManualClock implements RunnerClock {
  nowMs = 0;
  readonly timers = new Map<number, Timer>();
  #nextId = 0;

  now = (): number => this.nowMs;

  setTimeout = (callback: () => void, delayMs: number): unknown => {
    this.timers.set(++this.#nextId, {atMs: this.nowMs + delayMs, callback});
    return this.#nextId;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  /** Takes the earliest timer due by `endMs` off the list and moves the clock to it; undefined when none is. */
  takeDue(endMs: number): Timer | undefined {
    const due = [...this.timers.entries()].sort((a, b) => a[1].atMs - b[1].atMs)[0];
    if (!due || due[1].atMs > endMs) return undefined;
    this.timers.delete(due[0]);
    this.nowMs = Math.max(this.nowMs, due[1].atMs);
    return due[1];
  }
}
