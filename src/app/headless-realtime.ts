import {HeadlessRun, type HeadlessOptions} from '../headless.js';
import {QmpServer} from '../qmp/qmp-server.js';
import {WorldPort} from '../qmp/world-port.js';

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
}

/** Wall time between slices when the simulation keeps up. */
export const REALTIME_SLICE_MS = 20;
/** Simulated time one slice may run at most, so QMP clients are served even when the simulation lags. */
export const REALTIME_SLICE_US_MAX = 100_000;

/**
 * Headless with `--qmp`: the same JSON lines as headless, but the world runs in real time (times
 * `speed`) so that scripts can drive it through the VMs' QMP sockets, until `--duration` or a
 * signal. Between slices the event loop serves the sockets.
 * @returns the exit code (0 ok, 1 an expectation failed)
 */
export async function runHeadlessRealtime(options: RealtimeHeadlessOptions): Promise<number> {
  const nowMs = options.nowMs ?? (() => performance.now());
  const run = new HeadlessRun(options);
  const server = await QmpServer.start({dir: options.qmpDir, port: new WorldPort(run.world)});
  const startMs = nowMs();
  try {
    let isFinished = false;
    while (!options.signal.aborted && !isFinished) {
      const {world} = run;
      const dueUs = Math.round((nowMs() - startMs) * 1000 * options.speed);
      const targetUs = Math.min(dueUs, world.nowUs + REALTIME_SLICE_US_MAX);
      if (targetUs > world.nowUs) isFinished = run.step(targetUs);
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

function pause(ms: number, signal: AbortSignal): Promise<void> {
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
