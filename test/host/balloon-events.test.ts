import {describe, expect, it} from 'vitest';
import {MiB} from '../../src/core/units.js';
import {defaultConfig, eventsOf, runChecked, startWorld} from '../helpers/world.js';

// #13 item 13: deflating 512 MiB to 256 MiB logged "inflated 256 MiB, reclaimed 256 MiB".
describe('the balloon says which way it went', () => {
  it('reports an inflation, a further one and a deflation each in its own words', () => {
    const world = startWorld(defaultConfig(), 3, {seconds: 12});
    for (const targetBytes of [512 * MiB, 768 * MiB, 256 * MiB]) {
      expect(world.balloon('churn-1', targetBytes).ok).toBe(true);
      runChecked(world, 3);
    }
    const balloon = eventsOf(world, 'churn-1').filter((message) => /^balloon: (in|de)flated/.test(message));
    expect(balloon).toEqual([
      'balloon: inflated 512MiB, reclaimed 512MiB',
      'balloon: inflated to 768MiB (256MiB more), reclaimed 768MiB',
      'balloon: deflated to 256MiB (512MiB back to the guest); the host keeps 256MiB reclaimed',
    ]);
  });
});
