import {describe, expect, it} from 'vitest';
import {WorldRunner} from '../../src/app/world-runner.js';
import {World} from '../../src/host/world.js';
import {ManualClock} from '../helpers/manual-clock.js';
import {defaultConfig} from '../helpers/world.js';

// Deleting the watched config showed the banner but logged nothing; an invalid one logs an event.
describe('a config reload that cannot read the file', () => {
  it('logs an event as an invalid file does, besides the banner', () => {
    const world = new World(defaultConfig(), {seed: 1});
    const runner = new WorldRunner(world, {speed: 1, clock: new ManualClock()});
    runner.reloadConfig('w.yaml', null, 'the file was deleted');
    expect(runner.banner).toBe('w.yaml: the file was deleted');
    const last = world.events.recent(1).at(-1);
    expect(last).toMatchObject({
      kind: 'config',
      severity: 'error',
      message: 'config not applied: w.yaml: the file was deleted',
    });
  });
});
