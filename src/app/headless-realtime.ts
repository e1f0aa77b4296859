import {HeadlessRun, type HeadlessOptions} from '../headless.js';
import {QmpServer} from '../qmp/qmp-server.js';
import {WorldPort} from '../qmp/world-port.js';
import {formatSpeed} from '../views/format.js';

export interface RealtimeHeadlessOptions extends HeadlessOptions {
  /** Simulated seconds per wall second. */
  readonly speed: number;
  readonly qmpDir: string;
  /** Hands what the slice printed to stdout at once, so that scripts read it as it happens. */
  readonly flush: () => void;
  /**
   * Between slices: a promise while the reader is behind (the line output's back-pressure), so a
   * stalled reader stalls the run at constant memory; undefined when there is nothing to wait for.
   */
  readonly backlog: () => Promise<void> | undefined;
  /** Aborted by a stop signal (STOP_SIGNALS): the run ends at the current simulated time, with its summary. */
  readonly signal: AbortSignal;
  /** Wall clock in milliseconds (injected in tests). */
  readonly nowMs?: () => number;
  /** One line for stderr (falling behind the speed asked, catching up); process.stderr by default. */
  readonly warn?: (line: string) => void;
}

/** Wall time the simulation may lag before a run says it has fallen behind. */
export const REALTIME_BEHIND_MS = 1000;

/** Where a run stands against the speed asked, and the wall time it started at. */
export interface Pace {
  readonly speed: number;
  readonly startMs: number;
  readonly isBehind: boolean;
}

/**
 * After a slice: has the run fallen more than REALTIME_BEHIND_MS of wall time behind the speed
 * asked, or caught up again? Each change is one stderr line (stdout's JSON lines stay as they
 * are), as the dashboard's header says `simulating at 14x of 1000x asked`. The lag hysteresis
 * (behind past 1 s, caught up at none) keeps a run at the edge from saying it every slice.
 */
export function nextPace(
  pace: Pace,
  nowMs: number,
  simulatedUs: number,
  dueUs: number,
): {pace: Pace; line?: string} {
  const lagMs = (dueUs - simulatedUs) / 1000 / pace.speed;
  const isBehind = pace.isBehind ? lagMs > 0 : lagMs > REALTIME_BEHIND_MS;
  if (isBehind === pace.isBehind) return {pace};
  const asked = formatSpeed(pace.speed);
  if (!isBehind)
    return {pace: {...pace, isBehind}, line: `svmtop: caught up: simulating at the ${asked} asked`};
  const achieved = formatSpeed(simulatedUs / 1000 / Math.max(nowMs - pace.startMs, 1));
  const behind = `${(lagMs / 1000).toFixed(1)} s behind`;
  return {pace: {...pace, isBehind}, line: `svmtop: simulating at ${achieved} of ${asked} asked (${behind})`};
}

/** Wall time between slices when the simulation keeps up. */
export const REALTIME_SLICE_MS = 20;
/** Simulated time one slice may run at most, so QMP clients are served even when the simulation lags. */
export const REALTIME_SLICE_US_MAX = 100_000;

/**
 * Headless with `--qmp`: the same JSON lines as headless, but the world runs in real time (times
 * `speed`) so that scripts can drive it through the VMs' QMP sockets, until `--duration` or a
 * signal. Between slices the event loop serves the sockets.
 * @returns the exit code (0 ok, 1 an expectation failed, 2 a path that names no field)
 */
export async function runHeadlessRealtime(options: RealtimeHeadlessOptions): Promise<number> {
  const nowMs = options.nowMs ?? (() => performance.now());
  const run = new HeadlessRun(options);
  if (run.exitCode !== undefined) return run.exitCode; // bad input: no sockets for a run that will not go
  const server = await QmpServer.start({dir: options.qmpDir, port: new WorldPort(run.world)});
  const startMs = nowMs();
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  let pace: Pace = {speed: options.speed, startMs, isBehind: false};
  try {
    let isFinished = false;
    while (!options.signal.aborted && !isFinished) {
      const {world} = run;
      const dueUs = Math.round((nowMs() - startMs) * 1000 * options.speed);
      const targetUs = Math.min(dueUs, world.nowUs + REALTIME_SLICE_US_MAX);
      if (targetUs > world.nowUs) isFinished = run.step(targetUs);
      const next = isFinished ? {pace} : nextPace(pace, nowMs(), world.nowUs, dueUs);
      pace = next.pace;
      if (next.line !== undefined) warn(next.line);
      options.flush();
      const wait = options.backlog();
      if (wait) await wait;
      else if (!isFinished) await pause(targetUs < dueUs ? 0 : REALTIME_SLICE_MS, options.signal);
    }
  } finally {
    await server.close();
  }
  return run.finish();
}

/** Waits `ms` (0: until the event loop has turned once), or until `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  // An abort before the call (during the back-pressure wait) fires no 'abort' event here.
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = ms === 0 ? setImmediate(done) : setTimeout(done, ms);
    signal.addEventListener('abort', done, {once: true});
    function done(): void {
      signal.removeEventListener('abort', done);
      if (ms === 0) clearImmediate(timer as NodeJS.Immediate);
      else clearTimeout(timer as NodeJS.Timeout);
      resolve();
    }
  });
}
