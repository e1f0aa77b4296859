import {describe, expect, test} from 'vitest';
import {vm} from '../helpers/world.js';
import {advance, advanceUntil, eventNames, returned, useQmpFixture} from './fixture.js';
import type {QmpTestClient} from './qmp-client.js';

const fixture = useQmpFixture({bootSeconds: 5});

const queryStatus = async (client: QmpTestClient) =>
  returned<{status: string}>(await client.execute('query-status'));

const resets = (client: QmpTestClient, from: number) =>
  client.events
    .slice(from)
    .filter((event) => event.json.event === 'RESET')
    .map((event) => event.json.data);

/** A reset the host causes on a VM that runs no code is the host's (qapi/run-state.json ShutdownCause). */
const HOST_RESET = {guest: false, reason: 'host-qmp-system-reset'};

describe('x-svmtop-unsecure on a paused VM (tester finding F5)', () => {
  test("RESET is the host's, no RESUME: the VM stays in prelaunch until cont", async () => {
    const client = await fixture.connect('batch-1');
    await client.execute('stop');
    const before = client.events.length;
    expect(returned(await client.execute('x-svmtop-unsecure'))).toEqual({});
    await advance(fixture.world, 3);
    expect(eventNames(client).slice(before)).not.toContain('RESUME');
    expect(resets(client, before)).toEqual([HOST_RESET]);
    expect((await queryStatus(client)).status).toBe('prelaunch');
    expect(returned(await client.execute('cont'))).toEqual({});
    await advanceUntil(fixture.world, () => vm(fixture.world, 'batch-1').state === 'running', 30, 'boot');
    expect(vm(fixture.world, 'batch-1').svm).toBe(false);
  });
});

describe('x-svmtop-secure on a VM powered off by quit (tester finding F9)', () => {
  test("the boot it starts raises the host's RESET, not the guest's", async () => {
    const first = await fixture.connect('legacy-1');
    await first.execute('quit');
    await advance(fixture.world, 0.1);
    const client = await fixture.connect('legacy-1');
    expect((await queryStatus(client)).status).toBe('shutdown');
    const before = client.events.length;
    expect(returned(await client.execute('x-svmtop-secure'))).toEqual({});
    expect(resets(client, before)).toEqual([HOST_RESET]);
    expect(eventNames(client).slice(before)).toEqual(['RESET', 'RESUME']);
  });
});

describe('a guest that reboots itself still says so', () => {
  test('x-svmtop-unsecure on a running VM: RESET guest-reset once it has shut down', async () => {
    const client = await fixture.connect('batch-1');
    const before = client.events.length;
    await client.execute('x-svmtop-unsecure');
    await advance(fixture.world, 3);
    expect(resets(client, before)).toEqual([{guest: true, reason: 'guest-reset'}]);
  });
});
