import type {World} from '../../src/host/world.js';
import {ManualClock} from './manual-clock.js';

/** A wall clock and timers the test drives, and a world whose simulation costs wall time. */
export function fakeLoop(wallMsPerSimulatedSecond: number) {
  const clock = new ManualClock();
  /** The longest stretch the runner held the loop, in wall ms. */
  let longestTurnMs = 0;
  let simulatedUs = 0;
  const world = {
    advanceBy(deltaUs: number) {
      simulatedUs += deltaUs;
      clock.nowMs += (deltaUs / 1_000_000) * wallMsPerSimulatedSecond;
    },
    getSnapshot: () => ({tUs: simulatedUs, hosts: [], vms: []}),
    events: {recent: () => []},
  } as unknown as World;
  const runFor = (durationMs: number) => {
    const endMs = clock.nowMs + durationMs;
    for (let due = clock.takeDue(endMs); due; due = clock.takeDue(endMs)) {
      const startMs = clock.nowMs;
      due.callback();
      longestTurnMs = Math.max(longestTurnMs, clock.nowMs - startMs);
    }
    clock.nowMs = endMs;
  };
  const {timers} = clock;
  return {clock, world, runFor, longestTurnMs: () => longestTurnMs, simulatedUs: () => simulatedUs, timers};
}
