import {describe, expect, test} from 'vitest';
import {MiB} from '../../src/core/units.js';
import {advanceUntil, returned, useQmpFixture} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

const GiB = 2 ** 30;

/** The dashboard's `m` (no parameters of its own) and `M`/`A`, as the dashboard sends them. */
const dashboardMigrate = () => fixture.world.command('churn-1', {do: 'migrate', to: 'beta', params: {}});

describe('one set of migration parameters per VM, shared by QMP, the dashboard and the scenario', () => {
  test("parameters set over QMP before a migration are the next migration's, whoever starts it", async () => {
    const client = await fixture.connect('churn-1');
    expect(returned(await client.execute('migrate-set-parameters', {'max-bandwidth': GiB}))).toEqual({});
    expect(dashboardMigrate()).toMatchObject({ok: true});
    expect(fixture.world.activeMigration('churn-1')!.params.maxBandwidthBytesPerSecond).toBe(BigInt(GiB));
  });

  test("the dashboard's M on a running migration is what query-migrate-parameters says", async () => {
    const client = await fixture.connect('churn-1');
    expect(dashboardMigrate()).toMatchObject({ok: true});
    const set = fixture.world.command('churn-1', {
      do: 'migrate-set-parameters',
      params: {maxBandwidthBytesPerSecond: BigInt(256 * MiB)},
    });
    expect(set).toMatchObject({ok: true});
    const params = returned(await client.execute('query-migrate-parameters')) as Record<string, unknown>;
    expect(params['max-bandwidth']).toBe(256 * MiB);
  });

  test("auto-converge set over QMP is the dashboard's migration's", async () => {
    const client = await fixture.connect('churn-1');
    const capabilities = [{capability: 'auto-converge', state: true}];
    expect(returned(await client.execute('migrate-set-capabilities', {capabilities}))).toEqual({});
    expect(dashboardMigrate()).toMatchObject({ok: true});
    expect(fixture.world.activeMigration('churn-1')!.params.autoConverge).toBe(true);
  });

  test("the dashboard's A (restart with auto-converge) is what query-migrate-capabilities says", async () => {
    const client = await fixture.connect('churn-1');
    expect(dashboardMigrate()).toMatchObject({ok: true});
    expect(
      fixture.world.command('churn-1', {do: 'migrate-restart', params: {autoConverge: true}}),
    ).toMatchObject({ok: true});
    expect(returned(await client.execute('query-migrate-capabilities'))).toContainEqual({
      capability: 'auto-converge',
      state: true,
    });
  });

  test("a parameter set while the dashboard's A is cancelling is the restarted migration's", async () => {
    const client = await fixture.connect('churn-1');
    expect(dashboardMigrate()).toMatchObject({ok: true});
    const restart = {do: 'migrate-restart', params: {autoConverge: true}} as const;
    expect(fixture.world.command('churn-1', restart)).toMatchObject({ok: true});
    expect(fixture.world.activeMigration('churn-1')!.status).toBe('cancelling');
    expect(returned(await client.execute('migrate-set-parameters', {'max-bandwidth': GiB}))).toEqual({});
    const restarted = () => {
      const migration = fixture.world.activeMigration('churn-1');
      return migration !== undefined && migration.status !== 'cancelling';
    };
    await advanceUntil(fixture.world, restarted, 5, 'restarted');
    const migration = fixture.world.activeMigration('churn-1')!;
    expect(migration.params).toMatchObject({maxBandwidthBytesPerSecond: BigInt(GiB), autoConverge: true});
    const params = returned(await client.execute('query-migrate-parameters')) as Record<string, unknown>;
    expect(params['max-bandwidth']).toBe(GiB);
  });

  test('a migrate-set-parameters or -capabilities with no migration running is logged with its origin', async () => {
    const client = await fixture.connect('churn-1');
    await client.execute('migrate-set-parameters', {'downtime-limit': 500});
    expect(fixture.world.events.recent(5, 'churn-1').at(-1)).toMatchObject({
      kind: 'command',
      origin: 'qmp#1',
      message: expect.stringContaining('migrate-set-parameters: ok'),
    });
    await client.execute('migrate-set-capabilities', {capabilities: [{capability: 'events', state: true}]});
    expect(fixture.world.events.recent(5, 'churn-1').at(-1)).toMatchObject({
      kind: 'command',
      origin: 'qmp#1',
      message: expect.stringMatching(/migrate-set-capabilities: ok \(events on\)$/),
    });
  });

  test('an events-only migrate-set-capabilities while migrating is refused by the host and leaves events off', async () => {
    const client = await fixture.connect('churn-1');
    expect(dashboardMigrate()).toMatchObject({ok: true});
    const capabilities = [{capability: 'events', state: true}];
    const refused = await client.execute('migrate-set-capabilities', {capabilities});
    expect(refused.json.error).toMatchObject({desc: "There's a migration process in progress"});
    expect(returned(await client.execute('query-migrate-capabilities'))).toContainEqual({
      capability: 'events',
      state: false,
    });
  });
});
