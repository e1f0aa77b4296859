import {describe, expect, test} from 'vitest';
import {vm} from '../helpers/world.js';
import {advanceUntilMigration, errorOf, returned, useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

/** The QMP side of what an exploratory tester found: the same rules as the dashboard's, in QEMU's words. */
describe('QMP follows the host’s rules', () => {
  // qemu/qemu migration/migration.c migrate_prepare: CANCELLING is running, QERR_MIGRATION_ACTIVE.
  test('migrate while migrate_cancel completes: QEMU’s own words', async () => {
    const client = await fixture.connect('churn-1');
    expect(returned(await client.execute('migrate', {uri: 'tcp:beta:4444'}))).toEqual({});
    await advanceUntilMigration(fixture.world, 'churn-1', 'active');
    expect(returned(await client.execute('migrate_cancel'))).toEqual({});
    expect(errorOf(await client.execute('migrate', {uri: 'tcp:beta:4444'}))).toEqual({
      class: 'GenericError',
      desc: "There's a migration process in progress",
    });
    // The host decides (MigrationService.refuseWhileCancelling); QMP only puts it in QEMU's words.
    expect(fixture.world.check('churn-1', {do: 'migrate', to: 'beta', params: {}})).toMatchObject({
      ok: false,
      code: 'migration-cancelling',
    });
  });

  test('x-svmtop-secure where svm=on is already set and the kexec waits for cont: says so', async () => {
    const client = await fixture.connect('rogue-1');
    expect(returned(await client.execute('stop'))).toEqual({});
    expect(returned(await client.execute('x-svmtop-secure'))).toEqual({});
    expect(errorOf(await client.execute('x-svmtop-secure'))).toEqual({
      class: 'GenericError',
      desc: 'rogue-1 already has svm=on set; kexec into the secure kernel once resumed',
    });
  });

  test('migrate of a guest whose kexec into svm=on waits for cont, to a host without an ultravisor: refused', async () => {
    const client = await fixture.connect('churn-1');
    expect(returned(await client.execute('stop'))).toEqual({});
    expect(returned(await client.execute('x-svmtop-secure'))).toEqual({});
    expect(errorOf(await client.execute('migrate', {uri: 'tcp:delta:4444'}))).toEqual({
      class: 'GenericError',
      desc: 'delta has no ultravisor: a secure guest cannot run there',
    });
    expect(vm(fixture.world, 'churn-1').host).toBe('alpha');
  });
});
