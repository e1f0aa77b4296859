import {describe, expect, it} from 'vitest';
import {WorldRunner} from '../../src/app/world-runner.js';
import {fakeLoop} from '../helpers/fake-loop.js';

/** The achieved speed after each of the next `count` refreshes, as a fraction of the speed asked. */
function ratiosOverRefreshes(
  runner: WorldRunner,
  runFor: (ms: number) => void,
  refreshMs: number,
  count: number,
) {
  const ratios: number[] = [];
  for (let index = 0; index < count; index++) {
    runFor(refreshMs);
    ratios.push((runner.achievedSpeed ?? runner.speed) / runner.speed);
  }
  return ratios;
}

// README: "When the simulation cannot keep up with the speed asked, the header says so" (tester16 F1).
describe('a world that keeps up is never called behind', () => {
  it('after `+ + +` from 1/8x to 1x between two refreshes', () => {
    const loop = fakeLoop(1);
    const runner = new WorldRunner(loop.world, {speed: 0.125, clock: loop.clock});
    runner.start(2000);
    loop.runFor(10_500);
    for (let press = 0; press < 3; press++) runner.changeSpeed(2);
    expect(runner.speed).toBe(1);
    for (const ratio of ratiosOverRefreshes(runner, loop.runFor, 2000, 6)) expect(ratio).toBeGreaterThan(0.9);
    runner.stop();
  });

  it('after `-` from 1x to 1/2x and back', () => {
    const loop = fakeLoop(1);
    const runner = new WorldRunner(loop.world, {speed: 1, clock: loop.clock});
    runner.start(2000);
    loop.runFor(9000);
    runner.changeSpeed(0.5);
    loop.runFor(700);
    runner.changeSpeed(2);
    for (const ratio of ratiosOverRefreshes(runner, loop.runFor, 2000, 6)) expect(ratio).toBeGreaterThan(0.9);
    runner.stop();
  });

  it('after ctrl-z and `fg`: the stopped wall time is not the simulation falling behind', () => {
    const loop = fakeLoop(1);
    const runner = new WorldRunner(loop.world, {speed: 1, clock: loop.clock});
    runner.start(2000);
    loop.runFor(9000);
    // Stopped for a minute: no timer ran; the overdue refresh fires at once on `fg`.
    loop.clock.nowMs += 60_000;
    for (const ratio of ratiosOverRefreshes(runner, loop.runFor, 2000, 6)) expect(ratio).toBeGreaterThan(0.9);
    runner.stop();
  });

  it('still says so when it cannot keep up after a change: 1000x asked of a world that manages 100x', () => {
    const loop = fakeLoop(10);
    const runner = new WorldRunner(loop.world, {speed: 512, clock: loop.clock});
    runner.start(2000);
    loop.runFor(9000);
    runner.changeSpeed(2);
    const ratios = ratiosOverRefreshes(runner, loop.runFor, 2000, 6);
    expect(runner.speed).toBe(1000);
    for (const ratio of ratios) expect(ratio).toBeLessThan(0.9);
    expect(runner.achievedSpeed).toBeGreaterThan(60);
    expect(runner.achievedSpeed).toBeLessThan(110);
    runner.stop();
  });
});
