import {describe, expect, it} from 'vitest';
import {MiB} from '../../src/core/units.js';
import type {World} from '../../src/host/world.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {configFromYaml, eventsOf, runChecked, startWorld, vm} from '../helpers/world.js';

/** churn-1 in small: a 256 MiB working set rewritten at 192 MiB/s, migrating at 128 MiB/s. */
function stuckMigration(seed = 41): World {
  const config = configFromYaml(
    worldYaml(
      [
        {
          memory: '2GiB',
          devices: '[{type: blk}]',
          workload: '{profile: churn, dirtyRate: 192MiB, workingSet: 256MiB}',
          extra: '    resident: 512MiB\n',
        },
      ],
      'links: {defaultBandwidth: 1GiB, pairs: []}',
    ),
  );
  const world = startWorld(config, seed);
  runChecked(world, 4);
  expect(world.migrate('g1', 'uv2').ok).toBe(true);
  runChecked(world, 30);
  return world;
}

function migrationOf(world: World) {
  return vm(world, 'g1').migration!;
}

function wayOut(world: World, code: 'max-bandwidth' | 'downtime-limit' | 'auto-converge') {
  return migrationOf(world).convergence!.waysOut.find((way) => way.code === code)!;
}

describe('a pre-copy that does not converge explains itself', () => {
  it('says why: the guest rewrites its whole working set each pass, so QEMU reads the link rate as its dirty rate', () => {
    const world = stuckMigration();
    const migration = migrationOf(world);
    expect(migration.status).toBe('active');
    expect(migration.expectedDowntimeMs).toBeGreaterThan(1500);
    expect(migration.convergence).toMatchObject({code: 'not-converging', cause: 'working-set'});
    // The guest writes 192 MiB/s; QEMU counts pages newly dirty per second: what the link sent.
    const {dirtyBytesPerSecond, bandwidthBytesPerSecond} = migration.convergence!;
    expect(dirtyBytesPerSecond / bandwidthBytesPerSecond).toBeGreaterThan(0.95);
    expect(dirtyBytesPerSecond / bandwidthBytesPerSecond).toBeLessThan(1.05);
    expect(migration.convergence!.reason).toContain('rewrites its whole 256 MiB working set');
    expect(migration.convergence!.reason).toContain('the guest writes 192 MiB/s');
  });

  it("offers QEMU's ways out with the values they would set", () => {
    const world = stuckMigration();
    expect(migrationOf(world).convergence!.waysOut).toEqual([
      expect.objectContaining({code: 'max-bandwidth', isAvailable: true, proposed: 256 * MiB}),
      expect.objectContaining({code: 'downtime-limit', isAvailable: true}),
      expect.objectContaining({code: 'auto-converge', isAvailable: true, proposed: true}),
    ]);
    expect(wayOut(world, 'downtime-limit').proposed).toBeGreaterThan(migrationOf(world).expectedDowntimeMs);
  });

  it('converges once max-bandwidth is raised above what the guest writes (migrate-set-parameters)', () => {
    const world = stuckMigration();
    const proposed = wayOut(world, 'max-bandwidth').proposed as number;
    const command = {
      do: 'migrate-set-parameters',
      params: {maxBandwidthBytesPerSecond: BigInt(proposed)},
    } as const;
    expect(world.check('g1', command)).toEqual(world.command('g1', command));
    expect(migrationOf(world).parameters.maxBandwidthBytesPerSecond).toBe(proposed);
    runChecked(world, 20);
    expect(migrationOf(world).status).toBe('completed');
  });

  it('switches over at the next check once downtime-limit covers the expected downtime', () => {
    const world = stuckMigration();
    const proposed = wayOut(world, 'downtime-limit').proposed as number;
    expect(world.command('g1', {do: 'migrate-set-parameters', params: {downtimeLimitMs: proposed}}).ok).toBe(
      true,
    );
    runChecked(world, 12);
    expect(migrationOf(world)).toMatchObject({status: 'completed', parameters: {downtimeLimitMs: proposed}});
  });

  it('turns auto-converge on by cancelling and migrating again, as QEMU takes capabilities only between migrations', () => {
    const world = stuckMigration();
    const command = {do: 'migrate-restart', params: {autoConverge: true}} as const;
    expect(world.check('g1', command)).toEqual({ok: true, message: expect.stringContaining('again')});
    expect(world.command('g1', command).ok).toBe(true);
    runChecked(world, 1);
    const events = eventsOf(world, 'g1');
    expect(events.some((event) => event.includes('cancelled'))).toBe(true);
    expect(events.filter((event) => event.includes('migration to uv2 started')).length).toBe(2);
    expect(migrationOf(world).parameters.autoConverge).toBe(true);
    runChecked(world, 60);
    expect(migrationOf(world)).toMatchObject({status: 'completed'});
  });

  it('refuses what cannot be done, in the dry run as in the command', () => {
    const world = stuckMigration();
    const again = {do: 'migrate-restart', params: {autoConverge: false}} as const;
    expect(world.check('g1', again)).toMatchObject({ok: false, code: 'no-change'});
    const zero = {do: 'migrate-set-parameters', params: {maxBandwidthBytesPerSecond: 0n}} as const;
    expect(world.command('g1', zero)).toMatchObject({ok: false, code: 'bad-parameter'});
    world.migrateCancel('g1');
    runChecked(world, 1);
    const raise = {do: 'migrate-set-parameters', params: {downtimeLimitMs: 1000}} as const;
    expect(world.check('g1', raise)).toMatchObject({ok: false, code: 'not-migrating'});
    expect(world.command('g1', raise)).toMatchObject({ok: false, code: 'not-migrating'});
  });
});
