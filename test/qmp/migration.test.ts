import {describe, expect, test} from 'vitest';
import {PEF_MIGRATION_BLOCKER} from '../../src/host/migration/migration-blockers.js';
import {vm} from '../helpers/world.js';
import {
  advanceUntil,
  advanceUntilMigration,
  errorOf,
  eventNames,
  returned,
  useQmpFixture,
} from './fixture.js';

const fixture = useQmpFixture({bootSeconds: 5});

interface MigrationInfo {
  status?: string;
  ram?: Record<string, number>;
  'total-time'?: number;
  'setup-time'?: number;
  downtime?: number;
  'expected-downtime'?: number;
  'blocked-reasons'?: string[];
  'cpu-throttle-percentage'?: number;
}

describe('migration over QMP', () => {
  test('set parameters and capabilities, migrate, follow MIGRATION events to completed, counters as the snapshot', async () => {
    const client = await fixture.connect('churn-1');
    const params = {
      'max-bandwidth': 512 * 2 ** 20,
      'downtime-limit': 500,
      'cpu-throttle-initial': 30,
      'cpu-throttle-increment': 20,
      'max-cpu-throttle': 90,
    };
    expect(returned(await client.execute('migrate-set-parameters', params))).toEqual({});
    expect(returned(await client.execute('query-migrate-parameters'))).toEqual(params);
    const capabilities = [
      {capability: 'auto-converge', state: true},
      {capability: 'events', state: true},
    ];
    expect(returned(await client.execute('migrate-set-capabilities', {capabilities}))).toEqual({});
    expect(returned(await client.execute('query-migrate-capabilities'))).toEqual(capabilities);
    expect(returned(await client.execute('query-migrate'))).toEqual({});
    expect(returned(await client.execute('migrate', {uri: 'tcp:beta:4444'}))).toEqual({});
    // QEMU raises MIGRATION setup before migrate's reply.
    expect(client.lines.at(-2)).toContain('"event": "MIGRATION", "data": {"status": "setup"}');
    const migration = fixture.world.activeMigration('churn-1')!;
    expect(migration.params).toMatchObject({
      maxBandwidthBytesPerSecond: 512n * 2n ** 20n,
      downtimeLimitMs: 500,
      autoConverge: true,
      throttleInitialPercent: 30,
      throttleIncrementPercent: 20,
      throttleMaxPercent: 90,
    });
    expect(errorOf(await client.execute('migrate', {uri: 'tcp:gamma:1'})).desc).toBe(
      "There's a migration process in progress",
    );
    expect(errorOf(await client.execute('migrate-set-capabilities', {capabilities})).desc).toBe(
      "There's a migration process in progress",
    );
    await advanceUntilMigration(fixture.world, 'churn-1', 'active');
    const active = returned<MigrationInfo>(await client.execute('query-migrate'));
    expect(active).toMatchObject({status: 'active', 'setup-time': 50});
    expect(Object.keys(active.ram!).sort()).toEqual(
      [
        'transferred',
        'remaining',
        'total',
        'duplicate',
        'normal',
        'normal-bytes',
        'dirty-pages-rate',
        'mbps',
        'dirty-sync-count',
        'page-size',
        'pages-per-second',
      ].sort(),
    );
    // New parameters reach the running migration at once, as in QEMU.
    await client.execute('migrate-set-parameters', {'max-bandwidth': 2 ** 30});
    expect(migration.params.maxBandwidthBytesPerSecond).toBe(2n ** 30n);
    const statuses = () =>
      client.events
        .filter((event) => event.json.event === 'MIGRATION')
        .map((event) => (event.json.data as {status: string}).status);
    await advanceUntil(
      fixture.world,
      () => statuses().includes('completed'),
      120,
      'the migration to complete',
    );
    expect(statuses()).toEqual(['setup', 'active', 'completed']);
    const passes = client.events
      .filter((event) => event.json.event === 'MIGRATION_PASS')
      .map((event) => (event.json.data as {pass: number}).pass);
    expect(passes[0]).toBe(1);
    expect(passes).toEqual(passes.map((_, index) => index + 1));
    const names = eventNames(client);
    expect(names.indexOf('STOP')).toBeGreaterThan(names.indexOf('MIGRATION_PASS'));
    expect(names.lastIndexOf('RESUME')).toBeGreaterThan(names.lastIndexOf('MIGRATION'));
    const snapshot = vm(fixture.world, 'churn-1');
    const info = returned<MigrationInfo>(await client.execute('query-migrate'));
    const {ram} = snapshot.migration!;
    expect(info).toMatchObject({
      status: 'completed',
      'total-time': snapshot.migration!.totalTimeMs,
      'setup-time': snapshot.migration!.setupTimeMs,
      downtime: snapshot.migration!.downtimeMs,
      ram: {
        transferred: ram.transferred,
        remaining: 0,
        total: ram.total,
        duplicate: ram.duplicate,
        normal: ram.normal,
        'normal-bytes': ram.normalBytes,
        'dirty-sync-count': ram.dirtySyncCount,
        'page-size': ram.pageSize,
      },
    });
    // Every bitmap sync sends MIGRATION_PASS (ram.c migration_bitmap_sync), the stop-and-copy's included.
    expect(info.ram!['dirty-sync-count']).toBe(passes.length);
    expect(snapshot.host).toBe('beta');
    expect(returned(await client.execute('query-status'))).toMatchObject({status: 'running'});
  });

  test('a pef-guest VM on a host that cannot migrate it (blocked from machine start): blocked-reasons before any migrate, refused, the same after', async () => {
    const client = await fixture.connect('rogue-1');
    await client.execute('migrate-set-capabilities', {capabilities: [{capability: 'events', state: true}]});
    // QEMU lists the blockers it holds, tried or not (migration.c fill_source_migration_info).
    const before = {'blocked-reasons': [PEF_MIGRATION_BLOCKER]};
    expect(returned(await client.execute('query-migrate'))).toEqual(before);
    const refused = errorOf(await client.execute('migrate', {uri: 'tcp:alpha:4444'}));
    expect(refused.class).toBe('GenericError');
    expect(refused.desc.startsWith(PEF_MIGRATION_BLOCKER)).toBe(true);
    expect(returned(await client.execute('query-migrate'))).toEqual(before);
    expect(vm(fixture.world, 'rogue-1').migration!.blockedReasons).toContain(PEF_MIGRATION_BLOCKER);
    expect(eventNames(client).filter((name) => name.startsWith('MIGRATION'))).toEqual([]);
  });

  test('migrate_cancel: MIGRATION cancelling then cancelled; the guest stays on its host', async () => {
    const client = await fixture.connect('churn-1');
    await client.execute('migrate-set-capabilities', {capabilities: [{capability: 'events', state: true}]});
    expect(returned(await client.execute('migrate_cancel'))).toEqual({});
    await client.execute('migrate', {uri: 'tcp:beta'});
    await advanceUntilMigration(fixture.world, 'churn-1', 'active');
    expect(returned(await client.execute('migrate_cancel'))).toEqual({});
    await advanceUntil(
      fixture.world,
      () => vm(fixture.world, 'churn-1').migration?.status === 'cancelled',
      5,
      'cancel',
    );
    await client.event((event) => (event.json.data as {status?: string} | undefined)?.status === 'cancelled');
    const statuses = client.events
      .filter((event) => event.json.event === 'MIGRATION')
      .map((event) => event.json.data);
    expect(statuses).toEqual([
      {status: 'setup'},
      {status: 'active'},
      {status: 'cancelling'},
      {status: 'cancelled'},
    ]);
    expect(returned(await client.execute('query-migrate'))).toMatchObject({status: 'cancelled'});
    expect(vm(fixture.world, 'churn-1').host).toBe('alpha');
  });
});
