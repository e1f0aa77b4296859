import {describe, expect, test} from 'vitest';
import {vm} from '../helpers/world.js';
import {advance, advanceUntil, eventNames, returned, useQmpFixture} from './fixture.js';
import type {QmpTestClient} from './qmp-client.js';

const fixture = useQmpFixture({bootSeconds: 5});

const queryStatus = async (client: QmpTestClient) =>
  returned<{status: string; running: boolean}>(await client.execute('query-status'));

/**
 * QEMU 7.2 (softmmu/runstate.c main_loop_should_exit): a reset leaves a VM that was not running in
 * prelaunch, raising RESET only; `cont` starts it (RESUME). Checked against QEMU in oracle.test.ts.
 */
describe('system_reset on a VM that is not running holds it in prelaunch until cont', () => {
  test('after system_powerdown: RESET only, prelaunch, still held later; cont boots it (RESUME)', async () => {
    const client = await fixture.connect('rogue-1');
    await client.execute('system_powerdown');
    await advanceUntil(fixture.world, () => vm(fixture.world, 'rogue-1').state === 'halted', 10, 'halt');
    const before = client.events.length;
    expect(returned(await client.execute('system_reset'))).toEqual({});
    await advance(fixture.world, 5);
    expect(eventNames(client).slice(before)).toEqual(['RESET']);
    expect(await queryStatus(client)).toEqual({status: 'prelaunch', running: false, singlestep: false});
    expect(vm(fixture.world, 'rogue-1').state).toBe('paused');
    expect(returned(await client.execute('cont'))).toEqual({});
    expect(eventNames(client).slice(before)).toEqual(['RESET', 'RESUME']);
    expect((await queryStatus(client)).status).toBe('running');
    await advanceUntil(fixture.world, () => vm(fixture.world, 'rogue-1').state !== 'paused', 1, 'boot');
    expect(vm(fixture.world, 'rogue-1').security.phase).not.toBe('halted');
  });

  test('after stop: RESET only and prelaunch; a second stop changes nothing; cont: RESUME and a fresh boot', async () => {
    const client = await fixture.connect('churn-1');
    await client.execute('stop');
    const bootsBefore = vm(fixture.world, 'churn-1').security.phase;
    expect(bootsBefore).toBe('running');
    const before = client.events.length;
    await client.execute('system_reset');
    await advance(fixture.world, 3);
    expect(eventNames(client).slice(before)).toEqual(['RESET']);
    expect((await queryStatus(client)).status).toBe('prelaunch');
    expect(vm(fixture.world, 'churn-1').state).toBe('paused');
    expect(returned(await client.execute('stop'))).toEqual({});
    expect(eventNames(client).slice(before)).toEqual(['RESET']);
    expect((await queryStatus(client)).status).toBe('prelaunch');
    await client.execute('cont');
    expect(eventNames(client).slice(before)).toEqual(['RESET', 'RESUME']);
    await advanceUntil(fixture.world, () => vm(fixture.world, 'churn-1').state === 'running', 20, 'boot');
  });

  test('a running VM still reboots at once (RESET, no STOP or RESUME)', async () => {
    const client = await fixture.connect('churn-1');
    await client.execute('system_reset');
    await advance(fixture.world, 0.2);
    expect(eventNames(client)).toEqual(['RESET']);
    expect((await queryStatus(client)).status).toBe('running');
  });
});
