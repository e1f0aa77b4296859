import {describe, expect, it} from 'vitest';
import {defaultConfig, eventsOf, runChecked, startWorld, vm} from '../helpers/world.js';

/**
 * A panicked guest stays stopped: QEMU's migration goes on with it (vm_stop does not touch the
 * migration) and, when it fails, restarts the vCPUs only if they ran (qemu/qemu
 * migration/migration.c migration_iteration_finish, vm_was_running).
 */
describe('migration of a guest that panicked', () => {
  it('a failure says the guest stays halted, not that it keeps running', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 12});
    expect(world.migrate('churn-1', 'beta').ok).toBe(true);
    runChecked(world, 1);
    world.crash('churn-1');
    runChecked(world, 2);
    world.setLinkDown('alpha', 'beta', true);
    runChecked(world, 2);
    const failed = eventsOf(world, 'churn-1').find((message) => message.includes('migration to beta failed'));
    expect(failed).toBe(
      'migration to beta failed: Unable to write to socket: Connection reset by peer; churn-1 stays halted (panic) on alpha',
    );
    expect(vm(world, 'churn-1').state).toBe('halted');
  });

  it('a cancel of a paused guest says it stays paused', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 12});
    world.migrate('churn-1', 'beta');
    world.pause('churn-1');
    runChecked(world, 0.5);
    expect(world.migrateCancel('churn-1').ok).toBe(true);
    runChecked(world, 1);
    expect(eventsOf(world, 'churn-1')).toContain(
      'migration to beta cancelled; churn-1 stays paused on alpha',
    );
  });
});
