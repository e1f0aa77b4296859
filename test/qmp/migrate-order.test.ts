import {describe, expect, test} from 'vitest';
import {PEF_MIGRATION_BLOCKER} from '../../src/host/migration/migration-blockers.js';
import {errorOf, returned, useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

const ACTIVE = "There's a migration process in progress";

/**
 * QEMU 7.2's qmp_migrate runs migrate_prepare (resume, a running migration, the run state, the
 * blockers, then blk/inc) before it parses the URI (qemu/qemu migration/migration.c; QEMU 7.2
 * checked in oracle-migrate-order.test.ts).
 */
describe("migrate's checks in QEMU 7.2's order", () => {
  test('while a migration runs, blk, inc and a URI svmtop cannot use are all answered as a migration in progress', async () => {
    const client = await fixture.connect('churn-1');
    expect(returned(await client.execute('migrate', {uri: 'tcp:beta'}))).toEqual({});
    for (const args of [
      {uri: 'tcp:gamma', blk: true},
      {uri: 'tcp:gamma', inc: true},
      {uri: 'unix:/tmp/x'},
      {uri: 'tcp:'},
    ])
      expect(errorOf(await client.execute('migrate', args))).toEqual({class: 'GenericError', desc: ACTIVE});
    // resume comes first of all (migrate_prepare).
    expect(errorOf(await client.execute('migrate', {uri: 'unix:/x', resume: true})).desc).toBe(
      'Cannot resume if there is no paused migration',
    );
  });

  test("a VM's own blocker comes before blk and the URI; with neither, blk and then the URI are named", async () => {
    const client = await fixture.connect('rogue-1');
    expect(errorOf(await client.execute('migrate', {uri: 'tcp:alpha', blk: true})).desc).toBe(
      PEF_MIGRATION_BLOCKER,
    );
    expect(errorOf(await client.execute('migrate', {uri: 'exec:cat'})).desc).toBe(PEF_MIGRATION_BLOCKER);
    const free = await fixture.connect('churn-1');
    expect(errorOf(await free.execute('migrate', {uri: 'unix:/x', blk: true})).desc).toMatch(
      /^svmtop does not simulate block migration/,
    );
    expect(errorOf(await free.execute('migrate', {uri: 'unix:/x'})).desc).toBe(
      "Parameter 'uri' expects a valid migration protocol",
    );
  });
});
