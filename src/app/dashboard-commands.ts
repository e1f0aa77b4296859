import {runStep} from '../host/command-dispatch.js';
import {previewCommand} from '../host/command-preview.js';
import type {ScenarioStep} from '../host/config/scenario-schema.js';
import type {DashboardCommands, VmCommand} from '../views/dashboard-model.js';
import type {PreferenceStore} from './preferences.js';
import type {WorldRunner} from './world-runner.js';

/** A dashboard command as the scenario step it is, so both go through one dispatcher. */
export function commandToStep(command: VmCommand, atUs: number): ScenarioStep {
  const base = {at: atUs, vm: command.vm};
  switch (command.kind) {
    case 'balloon':
      return {...base, do: 'balloon', target: command.targetBytes, force: command.isForced};
    case 'policy':
      return {...base, do: 'policy', policy: command.policy};
    case 'workload':
      return {...base, do: 'workload', workload: command.workload};
    case 'migrate':
      return {...base, do: 'migrate', to: command.to};
    default:
      return {...base, do: command.kind};
  }
}

/** Wires the dashboard's commands to the world; every command is followed by a fresh view. */
export function createDashboardCommands(
  runner: WorldRunner,
  preferences: PreferenceStore,
  control: {readonly quit: () => void; readonly suspend: () => void},
): DashboardCommands {
  return {
    run(command) {
      const result = runStep(runner.world, commandToStep(command, runner.world.nowUs));
      runner.publish();
      return result;
    },
    preview: (request) => previewCommand(runner.world, request),
    changeSpeed(factor) {
      const speed = runner.changeSpeed(factor);
      preferences.save({speed});
      return speed;
    },
    savePreferences: (values) => preferences.save(values),
    quit: control.quit,
    suspend: control.suspend,
  };
}
