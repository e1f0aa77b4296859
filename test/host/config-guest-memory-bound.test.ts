import {describe, expect, it} from 'vitest';
import {WorldRunner} from '../../src/app/world-runner.js';
import {World} from '../../src/host/world.js';
import {ManualClock} from '../helpers/manual-clock.js';
import {defaultConfig, worldError} from '../helpers/world.js';

const BIG_HOST = 'hosts:\n  - {name: h1, memory: 8191TiB}\n  - {name: h2, memory: 8191TiB}\n';
const guests = (...memories: string[]) =>
  `${BIG_HOST}guests:\n${memories.map((memory, index) => `  - {name: g${index}, host: h1, memory: ${memory}}\n`).join('')}`;

// Tester F1: a 512TiB guest threw RangeError in new GuestMemory (exit 1, 157 KB of stderr); 8191TiB ran
// out of heap after two minutes. The bound is refused at load, so start-up and a live edit both say so.
describe('guest memory is bounded by what svmtop can hold (tester F1)', () => {
  it.each(['512TiB', '8191TiB', '17TiB'])('a guest of %s is refused, naming the bound', (memory) => {
    expect(worldError(guests(memory))).toMatch(/^guests\[0\]\.memory: .*at most 16TiB/);
  });

  it('a guest of 16TiB loads', () => {
    expect(worldError(guests('16TiB'))).toBe('ok');
  });

  it('the guests of a world together are bounded too: the guest that crosses it is named', () => {
    expect(worldError(guests('8TiB', '8TiB'))).toBe('ok');
    expect(worldError(guests('8TiB', '8TiB', '1GiB'))).toMatch(/^guests\[2\]\.memory: .*16TiB/);
  });

  it('a live edit to a 512TiB guest shows the banner and the last good world keeps running', () => {
    const world = new World(defaultConfig(), {seed: 1});
    const runner = new WorldRunner(world, {speed: 1, clock: new ManualClock()});
    expect(() => runner.reloadConfig('w.yaml', guests('512TiB'), null)).not.toThrow();
    expect(runner.banner).toMatch(/^w\.yaml: guests\[0\]\.memory: .*at most 16TiB/);
    for (const {name} of defaultConfig().guests) expect(world.guest(name)).toBeDefined();
    expect(world.guest('g0')).toBeUndefined();
  });
});
