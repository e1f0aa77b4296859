import {describe, expect, it} from 'vitest';
import {worldYaml} from '../helpers/guest-yaml.js';
import {configFromYaml, runChecked, startWorld, vm} from '../helpers/world.js';

describe("a guest's balloon device", () => {
  it('is the one among its devices, and after a migration the destination’s (the snapshot reads it)', () => {
    const config = configFromYaml(
      worldYaml([{memory: '1GiB', devices: '[{type: net}, {type: balloon}]', workload: 'idle'}]),
    );
    const world = startWorld(config, 5, {seconds: 4});
    const guest = world.guest('g1')!;
    const before = guest.balloonBackend;
    expect(before).toBe(guest.backends[1]);
    expect(world.migrate('g1', 'uv2').ok).toBe(true);
    runChecked(world, 30);
    expect(vm(world, 'g1').migration!.status).toBe('completed');
    expect(guest.balloonBackend).toBe(guest.backends[1]);
    expect(guest.balloonBackend).not.toBe(before);
  });
});
