import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {TICKS_PER_SECOND, treeCpuTicks} from './dashboard-footprint.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** `npm start` as a person types it: npm's own CLI (the one running this benchmark when there is one). */
const NPM = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
const COLUMNS = 120;
const ROWS = 40;

type Screen = (row: number) => string;

/** Wall time, and CPU time of the process tree (a figure the neighbours' load moves less). */
export interface StartTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/**
 * Time from spawning `command` in a 120×40 pseudo-terminal until its screen satisfies `isReady`
 * (then it is quit with `q`, or SIGTERM), or, without `isReady`, until it exits.
 */
export async function timeToScreen(
  command: string,
  args: readonly string[],
  isReady?: (screen: Screen) => boolean,
  quitKey?: string,
): Promise<StartTime> {
  const terminal = new xterm.Terminal({cols: COLUMNS, rows: ROWS, allowProposedApi: true});
  const start = performance.now();
  const child = pty.spawn(command, [...args], {
    name: 'xterm-256color',
    cols: COLUMNS,
    rows: ROWS,
    cwd: ROOT,
    env: {
      ...process.env,
      TERM: 'xterm-256color',
      XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'svmtop-bench-start-')),
    } as Record<string, string>,
  });
  let cpuTicks = 0;
  const sampleCpu = setInterval(() => (cpuTicks = Math.max(cpuTicks, treeCpuTicks(child.pid))), 5);
  const exited = new Promise<number>((resolve) => child.onExit(() => resolve(performance.now())));
  if (!isReady) {
    const wallMs = (await exited) - start;
    clearInterval(sampleCpu);
    return {wallMs, cpuMs: (cpuTicks * 1000) / TICKS_PER_SECOND};
  }
  const readyAt = await new Promise<number>((resolve, reject) => {
    const timeout = setTimeout(
      () => reject(new Error(`${command} ${args.join(' ')}: not ready within 30 s`)),
      30_000,
    );
    child.onData((data) => {
      const arrived = performance.now();
      terminal.write(data, () => {
        const buffer = terminal.buffer.active;
        if (isReady((row) => buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '')) {
          clearTimeout(timeout);
          clearInterval(sampleCpu);
          cpuTicks = Math.max(cpuTicks, treeCpuTicks(child.pid));
          resolve(arrived);
        }
      });
    });
  });
  if (quitKey) child.write(quitKey);
  else child.kill('SIGTERM');
  await exited;
  return {wallMs: readyAt - start, cpuMs: (cpuTicks * 1000) / TICKS_PER_SECOND};
}

/** A full dashboard frame: the title on the first row and the key bar at the bottom. */
export const isFullDashboard = (screen: Screen) =>
  screen(0).startsWith('svmtop') &&
  [screen(ROWS - 2), screen(ROWS - 1)].some((row) => row.includes('q quit'));

/** `npm start [-- args]` until the first full frame, or with `--help` until it has printed and exited. */
export function timeNpmStart(args: readonly string[] = []): Promise<StartTime> {
  const command = [...NPM, 'start', '--silent', '--', ...args];
  return args.includes('--help')
    ? timeToScreen(command[0]!, command.slice(1))
    : timeToScreen(command[0]!, command.slice(1), isFullDashboard, 'q');
}
