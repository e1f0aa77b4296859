import {describe, expect, it} from 'vitest';
import {GiB} from '../../src/core/units.js';
import {migrationLines} from '../../src/views/migration-tab.js';
import {createTheme} from '../../src/views/theme.js';
import {defaultConfig, runChecked, startWorld, vm} from '../helpers/world.js';

// tester15 F1: at max-bandwidth 1GiB/s web-1's migration ran at 512MiB/s, the source ultravisor's
// export rate, and the tab showed `rate 512MiB/s (4294 Mbit/s)` with no word why.
describe('the migration tab says what holds the rate when it is not max-bandwidth', () => {
  function webMigrating(maxBandwidth: number) {
    const world = startWorld(defaultConfig(), 3);
    runChecked(world, 8);
    expect(world.migrate('web-1', 'beta', {maxBandwidthBytesPerSecond: BigInt(maxBandwidth)}).ok).toBe(true);
    runChecked(world, 3);
    return migrationLines(vm(world, 'web-1'), 100, createTheme(false)).map((line) => line.text);
  }

  it('secure, max-bandwidth 1GiB/s over a 2GiB/s link: the ultravisor export rate, under the rate', () => {
    const lines = webMigrating(GiB);
    const rate = lines.findIndex((text) => text.startsWith('rate 512MiB/s'));
    expect(rate).toBeGreaterThan(0);
    expect(
      lines.indexOf(
        'max-bandwidth: more cannot help: the ultravisor of alpha exports secure pages at 512MiB/s',
      ),
    ).toBeGreaterThan(rate);
  });

  it('at the default 128MiB/s, max-bandwidth holds it: no such line', () => {
    expect(webMigrating(128 * 2 ** 20).join('\n')).not.toContain('max-bandwidth');
  });
});
