#!/usr/bin/env node
import {runHeadless, type HeadlessOptions} from './headless.js';
import {parseArgs} from './app/parse-args.js';
import {runTicket} from './app/ticket-command.js';
import {loadScenarioFile} from './host/config/load-scenario.js';
import {DEFAULT_WORLD_FILE, loadWorldFile} from './host/config/load-world.js';
import {formatDuration} from './core/units.js';

const DEFAULT_SEED = 1;
const DEFAULT_DURATION_US = 60_000_000;
const DEFAULT_INTERVAL_US = 1_000_000;

/** One line on stderr and exit code 2: bad flags, config or scenario. */
function badInput(message: string): never {
  process.stderr.write(`svmtop: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), import.meta);
  if (args.mode === 'error') badInput(args.message);
  const configFile = args.configFile ?? DEFAULT_WORLD_FILE;
  if (args.mode === 'ticket') {
    const result = runTicket({...args, configFile});
    if (!result.ok) badInput(result.error);
    process.stdout.write(`${result.text}\n`);
    return;
  }
  const world = loadWorldFile(configFile);
  if (!world.ok) badInput(world.error);
  if (args.mode === 'headless') {
    let scenario = null;
    if (args.scenarioFile) {
      const loaded = loadScenarioFile(args.scenarioFile, world.value);
      if (!loaded.ok) badInput(loaded.error);
      scenario = loaded.value;
    }
    const durationUs = args.durationUs ?? scenario?.duration ?? DEFAULT_DURATION_US;
    const late = scenario?.steps.findIndex((step) => step.at > durationUs) ?? -1;
    if (late >= 0)
      badInput(
        `${args.scenarioFile}: steps[${late}].at: ${formatDuration(scenario!.steps[late]!.at)} is after the run's end (${formatDuration(durationUs)})`,
      );
    const headless = {
      config: world.value,
      scenario,
      seed: args.seed ?? scenario?.seed ?? DEFAULT_SEED,
      durationUs,
      intervalUs: args.intervalUs ?? scenario?.interval ?? DEFAULT_INTERVAL_US,
      write: writeLine,
    };
    const code = args.qmpDir ? await runWithQmp(args.qmpDir, args.speed, headless) : runHeadless(headless);
    flushLines(() => process.exit(code));
    return;
  }
  if (!process.stdout.isTTY || !process.stdin.isTTY)
    badInput('the dashboard needs a terminal; for scripts use --headless (see svmtop --help)');
  process.env.NODE_ENV ??= 'production'; // React's development build costs several times the CPU per frame
  // A terminal is attached, so colour it unless told not to (chalk alone would turn colours off whenever CI is set).
  if (args.isColorEnabled && process.env.FORCE_COLOR === undefined) process.env.FORCE_COLOR = '1';
  if (!args.isColorEnabled) process.env.FORCE_COLOR = '0';
  const {startDashboard} = await import('./app/start-dashboard.js');
  await startDashboard({...args, configFile, config: world.value, seed: args.seed ?? DEFAULT_SEED});
}

/** Headless with --qmp: real time until --duration or SIGTERM/SIGINT (then the summary, exit 0). */
async function runWithQmp(
  qmpDir: string,
  speed: number | undefined,
  headless: HeadlessOptions,
): Promise<number> {
  const {prepareQmpDirectory, QmpSetupError} = await import('./qmp/qmp-server.js');
  try {
    prepareQmpDirectory(qmpDir);
  } catch (error) {
    if (error instanceof QmpSetupError) badInput(error.message);
    throw error;
  }
  const {runHeadlessRealtime} = await import('./app/headless-realtime.js');
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  return runHeadlessRealtime({
    ...headless,
    qmpDir,
    speed: speed ?? 1,
    flush: () => flushLines(),
    signal: stop.signal,
  });
}

let pending: string[] = [];
let pendingBytes = 0;

/** Buffers JSON lines and writes them in large chunks (a pipe that closed early ends us quietly). */
function writeLine(line: string): void {
  pending.push(line);
  pendingBytes += line.length + 1;
  if (pendingBytes >= 1 << 16) flushLines();
}

function flushLines(then?: () => void): void {
  const chunk = pending.length > 0 ? `${pending.join('\n')}\n` : '';
  pending = [];
  pendingBytes = 0;
  if (then) process.stdout.write(chunk, () => then());
  else if (chunk) process.stdout.write(chunk);
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await main();
