import {describe, expect, it} from 'vitest';
import {worldYaml} from '../helpers/guest-yaml.js';
import {defaultConfig, eventsOf, runChecked, startWorld, vm} from '../helpers/world.js';

/**
 * A migrate refused before it starts leaves query-migrate as it was: QEMU's migrate_prepare
 * refuses before migrate_init resets the MigrationState, and fill_source_migration_info reads
 * that state untouched (qemu/qemu migration/migration.c qmp_migrate, migrate_prepare).
 */
function failedOnLinkDown() {
  const world = startWorld(defaultConfig(), 1, {seconds: 12});
  expect(world.migrate('churn-1', 'beta').ok).toBe(true);
  runChecked(world, 2);
  world.setLinkDown('alpha', 'beta', true);
  runChecked(world, 1);
  const failed = vm(world, 'churn-1').migration!;
  expect(failed).toMatchObject({
    status: 'failed',
    errorDesc: 'Unable to write to socket: Connection reset by peer',
    blockedReasons: [],
  });
  expect(failed.ram.transferred).toBeGreaterThan(0);
  return {world, failed};
}

describe('a migrate refused before it starts keeps the record of the one before', () => {
  it('after a failure: the refusal is answered and logged, the failure stays in the snapshot', () => {
    const {world, failed} = failedOnLinkDown();
    const refused = world.migrate('churn-1', 'beta');
    expect(refused).toEqual({
      ok: false,
      code: 'migration-blocked',
      reason: 'link alpha-beta is down',
    });
    expect(eventsOf(world, 'churn-1').at(-1)).toBe('migrate to beta refused: link alpha-beta is down');
    runChecked(world, 1);
    expect(vm(world, 'churn-1').migration).toEqual(failed);
  });

  it('after a completed migration: a refusal leaves it completed', () => {
    const world = startWorld(worldYaml([{memory: '1GiB', devices: '[]', workload: 'idle'}]), 3, {seconds: 4});
    expect(world.migrate('g1', 'uv2').ok).toBe(true);
    runChecked(world, 20);
    const completed = vm(world, 'g1').migration!;
    expect(completed.status).toBe('completed');
    world.setLinkDown('uv2', 'uv1', true);
    expect(world.migrate('g1', 'uv1')).toMatchObject({ok: false, code: 'migration-blocked'});
    expect(vm(world, 'g1').migration).toEqual(completed);
  });

  it('with no migration before, the refusal is still shown with its reasons', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 12});
    world.setLinkDown('alpha', 'beta', true);
    expect(world.migrate('churn-1', 'beta').ok).toBe(false);
    expect(vm(world, 'churn-1').migration).toMatchObject({
      status: 'failed',
      to: 'beta',
      blockedReasons: ['link alpha-beta is down'],
    });
  });

  it('a migration that then starts replaces a refusal, and a refusal after it keeps it', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 12});
    world.setLinkDown('alpha', 'beta', true);
    world.migrate('churn-1', 'beta');
    world.setLinkDown('alpha', 'beta', false);
    expect(world.migrate('churn-1', 'beta').ok).toBe(true);
    runChecked(world, 2);
    world.setLinkDown('alpha', 'beta', true);
    runChecked(world, 1);
    const failed = vm(world, 'churn-1').migration!;
    expect(failed).toMatchObject({status: 'failed', blockedReasons: []});
    world.migrate('churn-1', 'beta');
    expect(vm(world, 'churn-1').migration).toEqual(failed);
  });
});
