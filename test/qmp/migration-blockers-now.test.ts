import {describe, expect, test} from 'vitest';
import {PEF_MIGRATION_BLOCKER} from '../../src/host/migration/migration-blockers.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {configFromYaml, vm} from '../helpers/world.js';
import {advanceUntilMigration, advanceUntilSecure, errorOf, returned, useQmpFixture} from './fixture.js';

/**
 * QEMU fills query-migrate's blocked-reasons from the blockers the VM holds at query time, before
 * it switches on the status (qemu/qemu migration/migration.c fill_source_migration_info): they come
 * beside a kept record, and before any migrate is tried (QEMU 7.2 checked: oracle-blockers.test.ts).
 */
const idle = {memory: '1GiB', devices: '[]', workload: 'idle', svm: false};

interface Info {
  status?: string;
  'blocked-reasons'?: string[];
  'x-svmtop-destination'?: string;
}

describe("query-migrate lists the VM's own blockers now, beside the record of a migration that ran", () => {
  const mainline = useQmpFixture({
    config: configFromYaml(worldYaml([{...idle, declared: 'allowed'}], '', 'mainline')),
    bootSeconds: 5,
  });

  test("a pef-guest that migrated to a host without secure migration carries pef.c's blocker there; a refused migrate keeps both", async () => {
    const client = await mainline.connect('g1');
    expect(returned(await client.execute('query-migrate'))).toEqual({});
    expect(returned(await client.execute('migrate', {uri: 'tcp:oldqemu'}))).toEqual({});
    await advanceUntilMigration(mainline.world, 'g1', 'completed');
    const completed = returned<Info>(await client.execute('query-migrate'));
    expect(completed).toMatchObject({
      status: 'completed',
      'blocked-reasons': [PEF_MIGRATION_BLOCKER],
      'x-svmtop-destination': 'oldqemu',
    });
    expect(errorOf(await client.execute('migrate', {uri: 'tcp:uv1'})).desc).toBe(PEF_MIGRATION_BLOCKER);
    expect(returned(await client.execute('query-migrate'))).toEqual(completed);
    // The dashboard's record is the completed migration: no refusal of its own.
    expect(vm(mainline.world, 'g1').migration).toMatchObject({status: 'completed', blockedReasons: []});
  });
});

describe('a blocker that comes after the migration, with no migrate tried', () => {
  const seed2018 = useQmpFixture({config: configFromYaml(worldYaml([idle])), bootSeconds: 5});

  test('a guest that turns secure on a host that cannot send secure guests: blocked-reasons appear at once, and stay through a refusal', async () => {
    const client = await seed2018.connect('g1');
    expect(returned(await client.execute('migrate', {uri: 'tcp:oldqemu'}))).toEqual({});
    await advanceUntilMigration(seed2018.world, 'g1', 'completed');
    expect(returned<Info>(await client.execute('query-migrate'))['blocked-reasons']).toBeUndefined();
    expect(returned(await client.execute('x-svmtop-secure'))).toEqual({});
    await advanceUntilSecure(seed2018.world, 'g1');
    const reason = 'oldqemu cannot migrate secure guests (no secure migration)';
    const secured = returned<Info>(await client.execute('query-migrate'));
    expect(secured).toMatchObject({status: 'completed', 'blocked-reasons': [reason]});
    expect(errorOf(await client.execute('migrate', {uri: 'tcp:uv1'})).desc).toBe(reason);
    expect(returned(await client.execute('query-migrate'))).toEqual(secured);
  });

  test("a refusal for the destination alone (link down) before any migration ran: QEMU's none, nothing listed", async () => {
    const client = await seed2018.connect('g1');
    seed2018.world.setLinkDown('uv1', 'uv2', true);
    expect(errorOf(await client.execute('migrate', {uri: 'tcp:uv2'})).desc).toBe('link uv1-uv2 is down');
    expect(returned(await client.execute('query-migrate'))).toEqual({});
    // The dashboard still shows the refusal as blocked before start.
    expect(vm(seed2018.world, 'g1').migration).toMatchObject({blockedReasons: ['link uv1-uv2 is down']});
  });
});
