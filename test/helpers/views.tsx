import type {CommandResult} from '../../src/host/guest.js';
import type {World} from '../../src/host/world.js';
import type {
  DashboardCommands,
  DashboardSource,
  DashboardView,
  VmCommand,
} from '../../src/views/dashboard-model.js';

/** A source over a real world that tests advance by hand. */
export function worldSource(world: World): DashboardSource & {refresh(): void} {
  const listeners = new Set<() => void>();
  let view = build(world);
  return {
    getView: () => view,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh() {
      view = build(world);
      for (const listener of listeners) listener();
    },
  };
}

function build(world: World): DashboardView {
  return {
    world: world.getSnapshot({withHistory: true}),
    events: world.events.recent(300),
    speed: 1,
    banner: null,
    notice: null,
  };
}

/** Commands that record what the dashboard asked for and answer like the world would. */
export function recordingCommands(
  world: World,
  onRun: () => void = () => {},
): DashboardCommands & {readonly sent: VmCommand[]; speed: number} {
  const sent: VmCommand[] = [];
  const commands = {
    sent,
    speed: 1,
    run(command: VmCommand): CommandResult {
      sent.push(command);
      let result: CommandResult;
      switch (command.kind) {
        case 'balloon':
          result = world.balloon(command.vm, command.targetBytes, command.isForced);
          break;
        case 'migrate':
          result = world.migrate(command.vm, command.to);
          break;
        case 'policy':
          result = world.setPolicy(command.vm, command.policy);
          break;
        case 'workload':
          result = world.setWorkload(command.vm, {profile: command.workload});
          break;
        case 'migrate-cancel':
          result = world.migrateCancel(command.vm);
          break;
        default:
          result = world[command.kind](command.vm);
      }
      onRun();
      return result;
    },
    migrationChecks: (vm: string) => world.migrationChecks(vm),
    changeSpeed(factor: number) {
      commands.speed *= factor;
      return commands.speed;
    },
    savePreferences: () => {},
    quit: () => {},
  };
  return commands;
}
