import {describe, expect, test} from 'vitest';
import {vm} from '../helpers/world.js';
import {advanceUntil, receivedFromNow, useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

/**
 * QEMU 7.2 (checked: qemu-system-ppc64 -M pseries): system_powerdown answers right after POWERDOWN;
 * the guest's EPOW handler powers it off later (qemu/qemu hw/ppc/spapr_events.c spapr_powerdown_req,
 * torvalds/linux arch/powerpc/platforms/pseries/ras.c handle_system_shutdown -> orderly_poweroff).
 */
describe('system_powerdown answers before the guest shuts down', () => {
  test('POWERDOWN, the reply; SHUTDOWN and STOP only after it', async () => {
    const client = await fixture.connect('legacy-1');
    const names = receivedFromNow(client);
    await client.execute('system_powerdown');
    expect(names()).toEqual(['POWERDOWN', 'return']);
    expect(vm(fixture.world, 'legacy-1').state).not.toBe('halted');
    await advanceUntil(
      fixture.world,
      () => vm(fixture.world, 'legacy-1').state === 'halted',
      5,
      'the shutdown',
    );
    await advanceUntil(fixture.world, () => names().includes('STOP'), 1, 'STOP');
    expect(names()).toEqual(['POWERDOWN', 'return', 'SHUTDOWN', 'STOP']);
  });

  test('a second system_powerdown while it shuts down: POWERDOWN again, one SHUTDOWN, no later', async () => {
    const client = await fixture.connect('legacy-1');
    const names = receivedFromNow(client);
    const startUs = fixture.world.nowUs;
    await client.execute('system_powerdown');
    fixture.world.advanceBy(50_000);
    await client.execute('system_powerdown');
    await advanceUntil(fixture.world, () => names().includes('STOP'), 5, 'STOP');
    expect(names()).toEqual(['POWERDOWN', 'return', 'POWERDOWN', 'return', 'SHUTDOWN', 'STOP']);
    const shutting = fixture.world.events
      .recent(100, 'legacy-1')
      .filter((event) => event.message === 'power-off: shutting down');
    expect(shutting.map((event) => event.tUs - startUs)).toEqual([100_000]);
  });
});

/**
 * QEMU 7.2 (checked: cont, stop, system_powerdown on qemu-system-ppc64 -M pseries): POWERDOWN, the
 * reply, no RESUME; query-status stays paused. The guest's EPOW handler waits for `cont`.
 */
describe('system_powerdown on a paused VM', () => {
  test('POWERDOWN and the reply, no RESUME; it stays paused until cont, then shuts down', async () => {
    const client = await fixture.connect('legacy-1');
    await client.execute('stop');
    const names = receivedFromNow(client);
    await client.execute('system_powerdown');
    expect(names()).toEqual(['POWERDOWN', 'return']);
    fixture.world.advanceBy(3_000_000);
    expect((await client.execute('query-status')).json).toMatchObject({
      return: {status: 'paused', running: false},
    });
    expect(vm(fixture.world, 'legacy-1').state).toBe('paused');
    await client.execute('cont');
    await advanceUntil(fixture.world, () => names().includes('STOP'), 5, 'STOP');
    expect(names()).toEqual(['POWERDOWN', 'return', 'return', 'RESUME', 'return', 'SHUTDOWN', 'STOP']);
  });
});
