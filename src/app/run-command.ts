import {describeRefusedStep, runHeadlessPaced, type HeadlessOptions} from '../headless.js';
import {formatDuration} from '../core/format-units.js';
import {loadScenarioFile} from '../host/config/load-scenario.js';
import {DEFAULT_WORLD_FILE} from '../host/config/load-world.js';
import {describeFailedExpectation} from '../host/expectations.js';
import {badInput} from './bad-input.js';
import {loadWorld} from './default-world.js';
import {createLineOutput, type LineOutput} from './line-output.js';
import type {ParsedArgs} from './parse-args.js';
import {headlessExitCode, onStopSignals} from './stop-signals.js';
import {runTicket} from './ticket-command.js';

const DEFAULT_SEED = 1;
const DEFAULT_DURATION_US = 60_000_000;
const DEFAULT_INTERVAL_US = 1_000_000;

/** Runs what the command line asked for (parsed by cli.tsx, which loads this module only then). */
export async function runCommand(args: Exclude<ParsedArgs, {mode: 'error'}>): Promise<void> {
  const configFile = args.configFile ?? DEFAULT_WORLD_FILE;
  if (args.mode === 'ticket') {
    const result = runTicket({...args, configFile});
    if (!result.ok) badInput(result.error);
    process.stdout.on('error', stdoutFailed);
    process.stdout.write(`${result.text}\n`);
    return;
  }
  const world = loadWorld(configFile);
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
        `${args.scenarioFile}: steps[${late}].at: ${formatDuration(scenario!.steps[late]!.at)} is after the run's end (${formatDuration(durationUs)}${args.durationUs === undefined ? '' : ', set by --duration'})`,
      );
    const output = createLineOutput(process.stdout, stdoutFailed);
    const headless: HeadlessOptions = {
      config: world.value,
      scenario,
      seed: args.seed ?? scenario?.seed ?? DEFAULT_SEED,
      durationUs,
      intervalUs: args.intervalUs ?? scenario?.interval ?? DEFAULT_INTERVAL_US,
      write: (line) => output.write(line),
      onExpectationFailed: (result) =>
        process.stderr.write(`svmtop: expectation failed: ${describeFailedExpectation(result)}\n`),
      onStepRefused: (refused) =>
        process.stderr.write(`svmtop: step refused: ${describeRefusedStep(refused)}\n`),
      onBadExpectationPath: (index, problem) =>
        process.stderr.write(`svmtop: ${args.scenarioFile}: expect[${index}].path: ${problem}\n`),
    };
    const stop = new AbortController();
    const stoppedBy = onStopSignals(stop);
    const code = args.qmpDir
      ? await runWithQmp(args.qmpDir, args.speed, headless, output, stop.signal)
      : await runHeadlessPaced(headless, () => output.backlog(), stop.signal);
    await output.end();
    process.exit(headlessExitCode(code, stoppedBy(), args.qmpDir !== undefined));
  }
  if (!process.stdout.isTTY || !process.stdin.isTTY)
    badInput('the dashboard needs a terminal; for scripts use --headless (see svmtop --help)');
  // React's development build costs several times the CPU per frame; this picks it in tsc's dist/ (the bundle has only the production build).
  process.env.NODE_ENV ??= 'production';
  // A terminal is attached, so colour it unless told not to (chalk alone would turn colours off whenever CI is set).
  if (args.isColorEnabled && process.env.FORCE_COLOR === undefined) process.env.FORCE_COLOR = '1';
  if (!args.isColorEnabled) process.env.FORCE_COLOR = '0';
  const {startDashboard} = await import('./start-dashboard.js');
  await startDashboard({...args, configFile, config: world.value, seed: args.seed ?? DEFAULT_SEED});
}

/** Headless with --qmp: real time until --duration or a stop signal (then the summary, exit 0). */
async function runWithQmp(
  qmpDir: string,
  speed: number | undefined,
  headless: HeadlessOptions,
  output: LineOutput,
  stop: AbortSignal,
): Promise<number> {
  const {QmpSetupError} = await import('../qmp/qmp-server.js');
  const {runHeadlessRealtime} = await import('./headless-realtime.js');
  // The world's first lines are held until the QMP server has started (its first flush): a
  // directory it refuses is then one line on stderr and nothing on stdout, however big the world.
  let held: string[] | undefined = [];
  const release = (): void => {
    for (const line of held ?? []) output.write(line);
    held = undefined;
  };
  try {
    const code = await runHeadlessRealtime({
      ...headless,
      write: (line) => (held ? held.push(line) : output.write(line)),
      qmpDir,
      speed: speed ?? 1,
      flush: () => {
        release();
        output.flush();
      },
      backlog: () => output.backlog(),
      signal: stop,
    });
    release(); // a run stopped before its first slice: its summary
    return code;
  } catch (error) {
    // QmpServer.start checks the directory and its socket paths (checkQmpSocketPaths), once.
    if (error instanceof QmpSetupError) badInput(error.message);
    throw error;
  }
}

/**
 * Headless output failed. The reader going away (EPIPE, as in `svmtop --headless | head`) is how
 * such pipelines end: exit 0 quietly, as `yes` does. Anything else is said in one line (exit 74,
 * EX_IOERR in sysexits.h: not 1, which means an expectation failed).
 */
function stdoutFailed(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`svmtop: cannot write the output (${error.code ?? error.message})\n`);
  process.exit(74);
}
