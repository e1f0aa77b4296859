import type {CommandResult} from '../host/guest.js';
import type {DashboardCommands, VmCommand} from '../views/dashboard-model.js';
import type {PreferenceStore} from './preferences.js';
import type {WorldRunner} from './world-runner.js';

/** Wires the dashboard's commands to the world; every command is followed by a fresh view. */
export function createDashboardCommands(
  runner: WorldRunner,
  preferences: PreferenceStore,
  quit: () => void,
): DashboardCommands {
  const runOnWorld = (command: VmCommand): CommandResult => {
    const world = runner.world;
    switch (command.kind) {
      case 'secure':
        return world.secure(command.vm);
      case 'unsecure':
        return world.unsecure(command.vm);
      case 'reboot':
        return world.reboot(command.vm);
      case 'pause':
        return world.pause(command.vm);
      case 'resume':
        return world.resume(command.vm);
      case 'migrate-cancel':
        return world.migrateCancel(command.vm);
      case 'balloon':
        return world.balloon(command.vm, command.targetBytes, command.isForced);
      case 'policy':
        return world.setPolicy(command.vm, command.policy);
      case 'workload':
        return world.setWorkload(command.vm, {profile: command.workload});
      case 'migrate':
        return world.migrate(command.vm, command.to);
    }
  };
  return {
    run(command) {
      const result = runOnWorld(command);
      runner.publish();
      return result;
    },
    migrationChecks: (vm) => runner.world.migrationChecks(vm),
    changeSpeed(factor) {
      const speed = runner.changeSpeed(factor);
      preferences.save({speed});
      return speed;
    },
    savePreferences: (values) => preferences.save(values),
    quit,
  };
}
