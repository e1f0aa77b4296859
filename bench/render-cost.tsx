import {render} from 'ink';
import {PassThrough, Writable} from 'node:stream';
import {loadWorldFile, DEFAULT_WORLD_FILE} from '../src/host/config/load-world.js';
import {World} from '../src/host/world.js';
import {dashboardViewOf} from '../src/app/world-runner.js';
import {Dashboard} from '../src/views/dashboard.js';
import {createTheme} from '../src/views/theme.js';
import type {DashboardCommands, DashboardSource, DashboardView} from '../src/views/dashboard-model.js';
import type {WorldConfig} from '../src/host/config/world-schema.js';

/** A stdout that swallows output but looks like a 120×40 TTY to Ink. */
class NullTerminal extends Writable {
  readonly isTTY = true;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  writes = 0;
  override _write(_chunk: unknown, _encoding: unknown, callback: () => void): void {
    this.writes++;
    callback();
  }
}

/** A stdin Ink accepts for raw-mode input (nothing is typed). */
function fakeKeyboard(): NodeJS.ReadStream {
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream & {setRawMode: (mode: boolean) => void};
  Object.assign(stdin, {isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin});
  return stdin;
}

/**
 * Renders the dashboard for `frames` successive simulated seconds into a null terminal and
 * returns the per-frame render times Ink reports (layout and output, after React's commit).
 */
export async function measureRender(
  config: WorldConfig,
  options: {frames: number; columns: number; rows: number; tab?: string; isSimulating?: boolean},
): Promise<{renderMs: number[]; frameMs: number[]; frameCpuMs: number[]; wallMsPerFrame: number}> {
  const world = new World(config, {seed: 1});
  world.start();
  world.advanceTo(15_000_000);
  let view: DashboardView = dashboardViewOf(world);
  const listeners = new Set<() => void>();
  const source: DashboardSource = {
    getView: () => view,
    subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
  };
  const commands: DashboardCommands = {
    run: () => ({ok: true}),
    preview: () => ({ok: true, consequences: [], targets: []}),
    changeSpeed: () => 1,
    savePreferences: () => {},
    quit: () => {},
    suspend: () => {},
  };
  const renderMs: number[] = [];
  const stdout = new NullTerminal(options.columns, options.rows);
  const instance = render(
    <Dashboard
      source={source}
      commands={commands}
      theme={createTheme(true)}
      preferences={{tab: (options.tab ?? 'devices') as 'devices'}}
    />,
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: fakeKeyboard(),
      interactive: true,
      incrementalRendering: true,
      maxFps: 1000,
      patchConsole: false,
      exitOnCtrlC: false,
      onRender: ({renderTime}) => renderMs.push(renderTime),
    },
  );
  await instance.waitUntilRenderFlush();
  renderMs.length = 0;
  const frameMs: number[] = [];
  // CPU time too: on a shared machine a frame's wall time includes waiting for a core.
  const frameCpuMs: number[] = [];
  // Without simulating, frames alternate between two moments so each one still changes the screen.
  const moments = [dashboardViewOf(world), (world.advanceBy(1_000_000), dashboardViewOf(world))];
  for (let frame = 0; frame < options.frames; frame++) {
    if (options.isSimulating ?? true) world.advanceBy(1_000_000);
    // Collect the simulation's garbage first when we can, so the figure is the frame's own cost.
    (globalThis as {gc?: () => void}).gc?.();
    const start = performance.now();
    const startCpu = process.cpuUsage();
    view = (options.isSimulating ?? true) ? dashboardViewOf(world) : {...moments[frame % 2]!};
    for (const listener of listeners) listener();
    await instance.waitUntilRenderFlush();
    frameMs.push(performance.now() - start);
    const cpu = process.cpuUsage(startCpu);
    frameCpuMs.push((cpu.user + cpu.system) / 1000);
  }
  instance.unmount();
  return {
    renderMs,
    frameMs,
    frameCpuMs,
    wallMsPerFrame: frameMs.reduce((sum, ms) => sum + ms, 0) / options.frames,
  };
}

if (process.argv[1]?.endsWith('render-cost.tsx')) {
  const config = loadWorldFile(DEFAULT_WORLD_FILE);
  if (!config.ok) throw new Error(config.error);
  for (const tab of ['devices', 'swiotlb', 'migration', 'events']) {
    const result = await measureRender(config.value, {frames: 30, columns: 120, rows: 40, tab});
    const sorted = [...result.renderMs].sort((a, b) => a - b);
    console.log(
      tab,
      'ink render median',
      sorted[Math.floor(sorted.length / 2)]?.toFixed(2),
      'ms; wall per frame incl. React',
      result.wallMsPerFrame.toFixed(2),
      'ms; frames',
      result.renderMs.length,
    );
  }
}
