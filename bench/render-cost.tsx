import {render} from 'ink';
import {readFileSync} from 'node:fs';
import {PassThrough, Writable} from 'node:stream';
import {loadWorldFile, DEFAULT_WORLD_FILE} from '../src/host/config/load-world.js';
import {World} from '../src/host/world.js';
import {dashboardViewOf} from '../src/app/world-runner.js';
import {Dashboard} from '../src/views/dashboard.js';
import {createTheme} from '../src/views/theme.js';
import type {DashboardCommands, DashboardSource, DashboardView} from '../src/views/dashboard-model.js';
import type {WorldConfig} from '../src/host/config/world-schema.js';
import {medianOf} from './timing.js';

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

/** CPU time of this process's main thread, in ms (Linux: the scheduler's own account, in ns). */
function mainThreadCpuMs(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

/** CPU time of the whole process (every thread), in ms. */
function processCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * Collects the simulation's young garbage, so the frame does not pay a scavenge of it, then waits
 * until V8's helper threads are idle: `process.cpuUsage()` counts every thread. A full `gc()`
 * here, as this benchmark did before, charged the frame with 15–20 ms that the dashboard never
 * spends: the helper threads sweeping the 200-guest world's heap during the frame, and TurboFan
 * compiling again the frame's own functions, whose optimized code a full collection drops when
 * only the previous frame's closures held it (about 70 functions a frame in `--trace-opt`).
 */
async function collectGarbage(): Promise<void> {
  const gc = (globalThis as {gc?: (options?: {type: 'minor'}) => void}).gc;
  if (!gc) return;
  gc({type: 'minor'});
  for (let waitedMs = 0; waitedMs < 2_000; waitedMs += QUIET_PROBE_MS) {
    const process0 = processCpuMs();
    const main0 = mainThreadCpuMs();
    await new Promise((resolve) => setTimeout(resolve, QUIET_PROBE_MS));
    if (processCpuMs() - process0 - (mainThreadCpuMs() - main0) < QUIET_HELPER_CPU_MS) return;
  }
}
const QUIET_PROBE_MS = 10;
/** Helper threads' CPU over one probe below which the collection counts as finished. */
const QUIET_HELPER_CPU_MS = 0.5;

/** The dashboard mounted on a null terminal, showing whatever view `show` last gave it. */
async function mountDashboard(first: DashboardView, options: {columns: number; rows: number; tab?: string}) {
  let view = first;
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
  const instance = render(
    <Dashboard
      source={source}
      commands={commands}
      theme={createTheme(true)}
      preferences={{tab: (options.tab ?? 'devices') as 'devices'}}
    />,
    {
      stdout: new NullTerminal(options.columns, options.rows) as unknown as NodeJS.WriteStream,
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
  const show = async (next: DashboardView) => {
    view = next;
    for (const listener of listeners) listener();
    await instance.waitUntilRenderFlush();
  };
  return {instance, renderMs, show};
}

export interface FrameCosts {
  /** Render times Ink reports (layout and output, after React's commit). */
  readonly renderMs: number[];
  readonly frameMs: number[];
  /** CPU time of the whole process: on a shared machine a frame's wall time includes waiting for a core. */
  readonly frameCpuMs: number[];
  /** The main thread's share: the frame's own JavaScript and WebAssembly, without V8's helpers. */
  readonly frameMainCpuMs: number[];
  /** CPU time of the warm-up frames, drawn first and not counted above (the JIT compiling the frame's code). */
  readonly warmupCpuMs: number[];
  readonly wallMsPerFrame: number;
}

/**
 * Renders the dashboard for `warmupFrames` and then `frames` successive simulated seconds into a
 * null terminal: per counted frame, the snapshot, React and Ink, in CPU and wall time.
 */
export async function measureRender(
  config: WorldConfig,
  options: {
    frames: number;
    warmupFrames?: number;
    columns: number;
    rows: number;
    tab?: string;
    isSimulating?: boolean;
  },
): Promise<FrameCosts> {
  const world = new World(config, {seed: 1});
  world.start();
  world.advanceTo(15_000_000);
  const {instance, renderMs, show} = await mountDashboard(dashboardViewOf(world), options);
  const costs = {frameMs: [] as number[], frameCpuMs: [] as number[], frameMainCpuMs: [] as number[]};
  const warmupCpuMs: number[] = [];
  const isSimulating = options.isSimulating ?? true;
  // Without simulating, frames alternate between two moments so each one still changes the screen.
  const moments = [dashboardViewOf(world), (world.advanceBy(1_000_000), dashboardViewOf(world))];
  const warmupFrames = options.warmupFrames ?? 0;
  for (let frame = 0; frame < warmupFrames + options.frames; frame++) {
    if (isSimulating) world.advanceBy(1_000_000);
    await collectGarbage();
    if (frame === warmupFrames) renderMs.length = 0;
    const start = performance.now();
    const startCpu = processCpuMs();
    const startMain = mainThreadCpuMs();
    await show(isSimulating ? dashboardViewOf(world) : {...moments[frame % 2]!});
    if (frame < warmupFrames) {
      warmupCpuMs.push(processCpuMs() - startCpu);
      continue;
    }
    costs.frameMs.push(performance.now() - start);
    costs.frameCpuMs.push(processCpuMs() - startCpu);
    costs.frameMainCpuMs.push(mainThreadCpuMs() - startMain);
  }
  instance.unmount();
  const wallMsPerFrame = costs.frameMs.reduce((sum, ms) => sum + ms, 0) / options.frames;
  return {renderMs, ...costs, warmupCpuMs, wallMsPerFrame};
}

if (process.argv[1]?.endsWith('render-cost.tsx')) {
  const config = loadWorldFile(DEFAULT_WORLD_FILE);
  if (!config.ok) throw new Error(config.error);
  for (const tab of ['devices', 'swiotlb', 'migration', 'events']) {
    const result = await measureRender(config.value, {frames: 30, columns: 120, rows: 40, tab});
    console.log(
      tab,
      'ink render median',
      result.renderMs.length > 0 ? medianOf(result.renderMs).toFixed(2) : undefined,
      'ms; wall per frame incl. React',
      result.wallMsPerFrame.toFixed(2),
      'ms; frames',
      result.renderMs.length,
    );
  }
}
