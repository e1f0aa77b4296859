import {runStep} from '../host/command-dispatch.js';
import {commandToStep, previewCommand} from '../host/command-preview.js';
import type {DashboardCommands} from '../views/dashboard-model.js';
import type {PreferenceStore} from './preferences.js';
import type {WorldRunner} from './world-runner.js';

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
