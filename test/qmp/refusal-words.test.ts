import {describe, expect, test} from 'vitest';
import {advanceUntilMigration, errorOf, returned, useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

/** A refusal over QMP names QMP's way out (migrate_cancel), never a dashboard key. */
describe('refusals in QMP words', () => {
  test('x-svmtop-unsecure and system_reset during a migration name migrate_cancel', async () => {
    const client = await fixture.connect('churn-1');
    expect(returned(await client.execute('migrate', {uri: 'tcp:beta:4444'}))).toEqual({});
    await advanceUntilMigration(fixture.world, 'churn-1', 'active');
    const expected = {
      class: 'GenericError',
      desc: 'churn-1 is migrating; cancel the migration first (migrate_cancel)',
    };
    expect(errorOf(await client.execute('x-svmtop-unsecure'))).toEqual(expected);
    expect(errorOf(await client.execute('x-svmtop-secure'))).toEqual(expected);
    expect(errorOf(await client.execute('system_reset'))).toEqual(expected);
  });
});
