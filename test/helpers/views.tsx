import {vi} from 'vitest';
import type {WorldConfig} from '../../src/host/config/world-schema.js';
import type {CommandResult} from '../../src/host/guest.js';
import type {World} from '../../src/host/world.js';
import {runStep} from '../../src/host/command-dispatch.js';
import {commandToStep, previewCommand} from '../../src/host/command-preview.js';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import type {
  DashboardCommands,
  DashboardSource,
  PreviewRequest,
  VmCommand,
} from '../../src/views/dashboard-model.js';
import {Dashboard} from '../../src/views/dashboard.js';
import {createTheme, type Theme} from '../../src/views/theme.js';
import {renderInTerminal} from './ink-terminal.js';
import {defaultConfig, startWorld} from './world.js';

/** A source over a real world that tests advance by hand. */
export function worldSource(world: World): DashboardSource & {
  refresh(): void;
  banner: string | null;
  speeds: {speed: number; achievedSpeed: number | null};
  qmpClients: number | undefined;
} {
  const listeners = new Set<() => void>();
  let view = dashboardViewOf(world);
  const source = {
    /** A failed reload to show from the next refresh on. */
    banner: null as string | null,
    /** The speed asked and achieved, as the runner reports them. */
    speeds: {speed: 1, achievedSpeed: 1},
    /** QMP clients connected, as the runner reports them with --qmp (undefined: no --qmp). */
    qmpClients: undefined as number | undefined,
    getView: () => view,
    subscribe: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh() {
      const qmp = source.qmpClients === undefined ? {} : {qmpClients: source.qmpClients};
      view = {...dashboardViewOf(world), ...source.speeds, banner: source.banner, ...qmp};
      for (const listener of listeners) listener();
    },
  };
  return source;
}

/** Commands that record what the dashboard asked for and answer like the world would. */
export function recordingCommands(
  world: World,
  onRun: () => void = () => {},
): DashboardCommands & {readonly sent: VmCommand[]; speed: number; quits: number; suspends: number} {
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
    preview: (request: PreviewRequest) => previewCommand(world, request),
    changeSpeed(factor: number) {
      commands.speed *= factor;
      return commands.speed;
    },
    savePreferences: () => {},
    quits: 0,
    suspends: 0,
    quit() {
      commands.quits++;
    },
    suspend() {
      commands.suspends++;
    },
  };
  return commands;
}

/** A dashboard over the default world (seed 1) at `seconds`, with a fixed wall clock. */
export function renderDashboard(
  options: {columns?: number; rows?: number; seconds?: number; theme?: Theme; config?: WorldConfig} = {},
) {
  const world = startWorld(options.config ?? defaultConfig(), 1);
  world.advanceTo((options.seconds ?? 12) * 1_000_000);
  const source = worldSource(world);
  const commands = recordingCommands(world, () => source.refresh());
  const clock = {nowMs: 0};
  const columns = options.columns ?? 120;
  const rows = options.rows ?? 40;
  const app = renderInTerminal(
    <Dashboard
      source={source}
      commands={commands}
      theme={options.theme ?? createTheme(false)}
      size={{columns, rows}}
      now={() => clock.nowMs}
    />,
    columns,
    rows,
  );
  /** Writes `keys` in one write (a burst) and lets Ink and React settle under fake timers. */
  const type = async (keys: string) => {
    app.stdin.write(keys);
    // A lone Esc waits 20 ms in Ink for the rest of a sequence.
    await vi.advanceTimersByTimeAsync(keys.includes('\u001B') ? 25 : 0);
  };
  /** Advances the world and the wall clock, then publishes, as a refresh does. */
  const refresh = async (simulatedSeconds = 1, wallMs = 1000) => {
    world.advanceBy(simulatedSeconds * 1_000_000);
    clock.nowMs += wallMs;
    source.refresh();
    await vi.advanceTimersByTimeAsync(0);
  };
  const frame = () => app.lastFrame() ?? '';
  const selected = () =>
    frame()
      .split('\n')
      .find((line) => line.startsWith('>')) ?? '';
  const statusLine = () => frame().split('\n').at(-2) ?? '';
  return {world, source, commands, app, clock, type, refresh, frame, selected, statusLine};
}
