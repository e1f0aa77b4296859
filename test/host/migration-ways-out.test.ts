import {describe, expect, it} from 'vitest';
import {MiB} from '../../src/core/units.js';
import type {World} from '../../src/host/world.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {configFromYaml, defaultConfig, eventsOf, runChecked, startWorld, vm} from '../helpers/world.js';

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
  const world = startWorld(config, seed, {seconds: 4});
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
    expect(migration.convergence!.reason).toContain('rewrites its whole 256MiB working set');
    expect(migration.convergence!.reason).toContain('the guest writes 192MiB/s');
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

  it('shows the threshold of the downtime-limit in force at once: never the old limit beside the new verdict (QA item 3)', () => {
    const world = stuckMigration();
    const before = migrationOf(world);
    const bytesPerMs = before.convergence!.bandwidthBytesPerSecond / 1000;
    expect(before.thresholdBytes).toBe(Math.round(bytesPerMs * 300));
    const command = {do: 'migrate-set-parameters', params: {downtimeLimitMs: 9700}} as const;
    expect(world.check('g1', command).ok).toBe(true);
    expect(migrationOf(world).thresholdBytes).toBe(before.thresholdBytes);
    expect(world.command('g1', command).ok).toBe(true);
    const after = migrationOf(world);
    expect(after.parameters.downtimeLimitMs).toBe(9700);
    // QEMU threshold_size = bandwidth * downtime_limit, from the bandwidth it last measured.
    expect(after.thresholdBytes).toBe(Math.round(bytesPerMs * 9700));
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
    // With no migration running, QEMU keeps them for the next one (migrate_params_apply).
    expect(world.command('g1', raise)).toMatchObject({ok: true});
    expect(world.command('g1', zero)).toMatchObject({ok: false, code: 'bad-parameter'});
  });
});

describe("the default world's churn-1, as config/default.yaml's comment says (QA item 5)", () => {
  it('does not converge at the defaults, and converges with M alone (max-bandwidth 256 MiB/s), no auto-converge', () => {
    const world = startWorld(defaultConfig(), 7, {seconds: 10});
    expect(world.migrate('churn-1', 'beta').ok).toBe(true);
    runChecked(world, 50);
    const stuck = vm(world, 'churn-1').migration!;
    expect(stuck.convergence).toMatchObject({code: 'not-converging'});
    const proposed = stuck.convergence!.waysOut.find((way) => way.code === 'max-bandwidth')!
      .proposed as number;
    expect(proposed).toBe(256 * MiB);
    const raise = {
      do: 'migrate-set-parameters',
      params: {maxBandwidthBytesPerSecond: BigInt(proposed)},
    } as const;
    expect(world.command('churn-1', raise).ok).toBe(true);
    runChecked(world, 60);
    expect(vm(world, 'churn-1').migration).toMatchObject({
      status: 'completed',
      parameters: {autoConverge: false},
    });
  });
});
