import {describe, expect, it} from 'vitest';
import {defaultConfig, runChecked, startWorld, vm} from '../helpers/world.js';

/** tester15's findings: each test failed on 03f8dc7. */
describe('F2: a refused migrate keeps the documented migration record', () => {
  function refusedAfterFailure() {
    const world = startWorld(defaultConfig(), 3);
    runChecked(world, 8);
    expect(world.migrate('web-1', 'beta').ok).toBe(true);
    runChecked(world, 4);
    expect(world.setLinkDown('alpha', 'beta', true).ok).toBe(true);
    runChecked(world, 1);
    const failed = vm(world, 'web-1').migration!;
    expect(failed.status).toBe('failed');
    expect(world.migrate('web-1', 'beta')).toMatchObject({ok: false, code: 'migration-blocked'});
    return {world, failed, refused: vm(world, 'web-1').migration!};
  }

  it("parameters are README's three fields in a refused record as in a running one", () => {
    const {failed, refused} = refusedAfterFailure();
    expect(Object.keys(refused.parameters)).toEqual(Object.keys(failed.parameters));
    expect(Object.keys(refused.parameters)).toEqual([
      'maxBandwidthBytesPerSecond',
      'downtimeLimitMs',
      'autoConverge',
    ]);
  });
});
