import type {CommandResult} from '../../src/host/guest.js';
import type {World} from '../../src/host/world.js';
import {runStep} from '../../src/host/command-dispatch.js';
import {commandToStep} from '../../src/app/dashboard-commands.js';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import type {DashboardCommands, DashboardSource, VmCommand} from '../../src/views/dashboard-model.js';

/** A source over a real world that tests advance by hand. */
export function worldSource(world: World): DashboardSource & {refresh(): void} {
  const listeners = new Set<() => void>();
  let view = dashboardViewOf(world);
  return {
    getView: () => view,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh() {
      view = dashboardViewOf(world);
      for (const listener of listeners) listener();
    },
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
      const result = runStep(world, commandToStep(command, world.nowUs));
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
