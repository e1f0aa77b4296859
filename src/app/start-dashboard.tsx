import {writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {render, useApp, type Instance} from 'ink';
import {useEffect, type ReactNode} from 'react';
import {CONFIG_FILE_MAX_BYTES} from '../host/config/load-yaml.js';
import {readFileBoundedSync} from '../host/config/read-bounded.js';
import type {WorldConfig} from '../host/config/world-schema.js';
import {World} from '../host/world.js';
import {Dashboard} from '../views/dashboard.js';
import {createTheme} from '../views/theme.js';
import {watchConfigFile} from './config-watcher.js';
import {createDashboardCommands} from './dashboard-commands.js';
import {openPreferences, type PreferenceStore} from './preferences.js';
import {isTerminalGone, onTerminalGone, releaseTerminal} from './terminal-hangup.js';
import {charsetOf} from './charset.js';
import {createTerminalInput, MOUSE_OFF, MOUSE_ON} from './terminal-input.js';
import {SLICE_BUDGET_MS, WorldRunner} from './world-runner.js';

export interface DashboardOptions {
  readonly configFile: string;
  readonly config: WorldConfig;
  readonly seed: number;
  readonly speed: number | undefined;
  readonly refreshUs: number | undefined;
  readonly isColorEnabled: boolean;
  readonly resetPrefs: boolean;
  /** `--qmp DIR`: a QMP monitor per VM, its client count in the header. */
  readonly qmpDir?: string | undefined;
}

/** Cursor visible, alternate screen left: what a crashed full-screen program must leave behind. */
const RESTORE_TERMINAL = `${MOUSE_OFF}\u001B[?25h\u001B[?1049l`;

/**
 * Starts the dashboard: the world in wall-clock time, Ink in the alternate screen, the config
 * file watched, preferences remembered; the terminal is restored on q, Ctrl-C, SIGTERM and crashes.
 */
export async function startDashboard(options: DashboardOptions): Promise<void> {
  const loadedText = readTextOrUndefined(options.configFile);
  const preferences = openPreferences({reset: options.resetPrefs});
  const prefs = preferences.values;
  const world = new World(options.config, {seed: options.seed});
  world.start();
  const runner = new WorldRunner(world, {
    speed: options.speed ?? prefs.speed,
    ...(options.qmpDir !== undefined && {paceMs: QMP_PACE_MS}),
  });
  runner.notice = preferences.notice;
  const qmp = options.qmpDir === undefined ? undefined : await startQmp(options.qmpDir, world, runner);
  const refreshMs = rememberRefresh(options.refreshUs, preferences);
  let isExiting = false;
  /** Stops the world, remembers its speed, closes the watcher and the QMP sockets, then `then`; once. */
  const leave = (isTerminalThere: boolean, then: () => void) => {
    if (isExiting) return;
    isExiting = true;
    runner.stop();
    if (isTerminalThere) process.stdout.write(MOUSE_OFF);
    preferences.save({speed: runner.speed});
    void Promise.all([stopWatching(), qmp?.close()]).finally(then);
  };
  const exit = (code: number) =>
    leave(true, () => {
      instance.unmount();
      void instance.waitUntilExit().finally(() => process.exit(code));
    });
  // Nobody is left to see a restored screen or a message: keep the preferences, stop, exit 0.
  const leaveQuietly = () =>
    leave(false, () => {
      restoreTerminal(instance); // a live terminal (a stray SIGHUP) is put back; a dead one fails quietly
      releaseTerminal();
      process.exit(0);
    });
  let app: ReturnType<typeof useApp> | undefined;
  const suspend = () => suspendToShell(app, runner, refreshMs);
  const commands = createDashboardCommands(runner, preferences, {quit: () => exit(0), suspend});
  const theme = createTheme(
    options.isColorEnabled && prefs.isColorEnabled,
    charsetOf(process.env) === 'utf8',
  );
  const instance = renderFullScreen(
    <Dashboard source={runner} commands={commands} theme={theme} preferences={prefs} />,
    (value) => {
      app = value;
    },
  );
  const stopWatching = watchConfigFile(
    options.configFile,
    (change) =>
      runner.reloadConfig(
        options.configFile,
        'text' in change ? change.text : null,
        'error' in change ? change.error : null,
      ),
    loadedText,
  );
  process.on('SIGTERM', () => exit(0));
  process.on('SIGINT', () => exit(0));
  handleCrashes(instance, leaveQuietly);
  process.stdout.write(MOUSE_ON);
  runner.start(refreshMs);
  await instance.waitUntilExit();
}

/** The refresh period: --refresh, remembered for next time, or the remembered one. */
function rememberRefresh(refreshUs: number | undefined, preferences: PreferenceStore): number {
  if (refreshUs === undefined) return preferences.values.refreshMs;
  const refreshMs = Math.round(refreshUs / 1000); // parseArgs held it to the preference's range
  preferences.save({refreshMs});
  return refreshMs;
}

/**
 * Ctrl-Z in raw mode is a key, not a signal: hand the terminal back, then stop the whole process
 * group as the terminal's Ctrl-Z would (vim os_unix.c mch_suspend: kill(0, SIGTSTP)) - stopping
 * only ourselves left a wrapper (npm start's `sh -c`) in the foreground and the shell waiting.
 * kill() returns once the group is continued (fg), and Ink redraws in full.
 */
function suspendToShell(
  app: ReturnType<typeof useApp> | undefined,
  runner: WorldRunner,
  refreshMs: number,
): void {
  void app
    ?.suspendTerminal(() => {
      runner.stop();
      process.stdout.write(MOUSE_OFF);
      process.kill(0, 'SIGTSTP');
    })
    .then(() => {
      process.stdout.write(MOUSE_ON);
      runner.start(refreshMs);
    });
}

/** Renders in the alternate screen, keys raw; `onApp` receives Ink's app handle. */
function renderFullScreen(dashboard: ReactNode, onApp: (app: ReturnType<typeof useApp>) => void): Instance {
  // Raw mode before the first frame: a key typed early must not be echoed into the screen (it would scroll it).
  process.stdin.setRawMode?.(true);
  return render(<WithApp onApp={onApp}>{dashboard}</WithApp>, {
    stdin: createTerminalInput(process.stdin),
    interactive: true,
    alternateScreen: true,
    incrementalRendering: true,
    maxFps: 20,
    exitOnCtrlC: false,
    patchConsole: false,
  });
}

/** A terminal that went away leaves quietly; any other uncaught error restores the screen and reports. */
function handleCrashes(instance: Instance, leaveQuietly: () => void): void {
  const crash = (error: unknown) => (isTerminalGone(error) ? leaveQuietly() : reportCrash(instance, error));
  onTerminalGone(leaveQuietly, crash);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  if (process.env.SVMTOP_TEST_CRASH_AFTER_MS)
    setTimeout(
      () => crash(new Error('test crash requested by SVMTOP_TEST_CRASH_AFTER_MS')),
      Number(process.env.SVMTOP_TEST_CRASH_AFTER_MS),
    );
}

/** With QMP on, the simulation advances this often between refreshes (the runner's slice budget). */
const QMP_PACE_MS = SLICE_BUDGET_MS;

/** Opens the VMs' QMP sockets; a bad directory is bad input (one line, exit 2) before the screen starts. */
async function startQmp(dir: string, world: World, runner: WorldRunner) {
  const {QmpServer, QmpSetupError} = await import('../qmp/qmp-server.js');
  const {WorldPort} = await import('../qmp/world-port.js');
  runner.qmpClients = 0;
  try {
    return await QmpServer.start({
      dir,
      port: new WorldPort(world),
      onClientsChanged: (count) => {
        runner.qmpClients = count;
        runner.publish();
      },
    });
  } catch (error) {
    if (!(error instanceof QmpSetupError)) throw error;
    process.stderr.write(`svmtop: ${error.message}\n`);
    process.exit(2);
  }
}

/** Hands Ink's app handle (suspendTerminal) to the code outside React. */
function WithApp({
  onApp,
  children,
}: {
  readonly onApp: (app: ReturnType<typeof useApp>) => void;
  readonly children: ReactNode;
}) {
  const value = useApp();
  useEffect(() => {
    onApp(value);
  }, [onApp, value]);
  return children;
}

/** Restores the terminal, logs the error to a file, names the file on stderr and exits 70. */
function reportCrash(instance: Instance, error: unknown): never {
  const logFile = join(tmpdir(), `svmtop-crash-${process.pid}.log`);
  restoreTerminal(instance);
  writeFileSync(
    logFile,
    `${new Date().toISOString()} svmtop crashed\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.stderr.write(
    `svmtop: internal error: ${error instanceof Error ? error.message : String(error)} (details in ${logFile})\n`,
  );
  process.exit(70);
}

/** Leaves the alternate screen, shows the cursor and ends raw mode, as far as the terminal lets it. */
function restoreTerminal(instance: Instance): void {
  try {
    instance.unmount();
  } catch {
    // Unmounting is best effort here; the escape sequence below restores the terminal anyway.
  }
  process.stdout.write(RESTORE_TERMINAL);
  process.stdin.setRawMode?.(false);
}

function readTextOrUndefined(file: string): string | undefined {
  const read = readFileBoundedSync(file, CONFIG_FILE_MAX_BYTES);
  return read.ok ? read.bytes.toString('utf8') : undefined;
}
