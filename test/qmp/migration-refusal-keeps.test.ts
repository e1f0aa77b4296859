import {describe, expect, test} from 'vitest';
import {
  advance,
  advanceUntilMigration,
  errorOf,
  lastCommandLine,
  returned,
  useQmpFixture,
} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

/**
 * QEMU's migrate_prepare refuses before migrate_init resets the MigrationState, so query-migrate
 * still answers with the failure before it (qemu/qemu migration/migration.c qmp_migrate,
 * fill_source_migration_info).
 */
describe('query-migrate after a migrate refused before it starts', () => {
  test('still shows the earlier failure and its error-desc; the refusal is answered and logged', async () => {
    const client = await fixture.connect('churn-1');
    expect(returned(await client.execute('migrate', {uri: 'tcp:beta:4444'}))).toEqual({});
    await advanceUntilMigration(fixture.world, 'churn-1', 'active');
    await advance(fixture.world, 1);
    fixture.world.setLinkDown('alpha', 'beta', true);
    await advanceUntilMigration(fixture.world, 'churn-1', 'failed');
    const failed = returned(await client.execute('query-migrate'));
    expect(failed).toEqual({
      status: 'failed',
      'error-desc': 'Unable to write to socket: Connection reset by peer',
      'x-svmtop-destination': 'beta',
    });
    expect(errorOf(await client.execute('migrate', {uri: 'tcp:beta:4444'}))).toEqual({
      class: 'GenericError',
      desc: 'link alpha-beta is down',
    });
    expect(lastCommandLine(fixture.world, 'churn-1')).toMatchObject({
      origin: 'qmp#1',
      message: 'migrate to beta refused: link alpha-beta is down',
    });
    expect(errorOf(await client.execute('migrate', {uri: 'tcp:'})).desc).toBe("error parsing address ''");
    expect(returned(await client.execute('query-migrate'))).toEqual(failed);
  });
});
