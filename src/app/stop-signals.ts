import type {EventEmitter} from 'node:events';
import {constants} from 'node:os';

/**
 * The signals that end a headless run with its summary. Without a handler each one kills Node at
 * once (their default action): no summary, and with --qmp every socket left behind. SIGHUP is
 * how an ssh session ends; QEMU treats it as SIGTERM and SIGINT (qemu/qemu os-posix.c
 * os_setup_signal_handling: termsig_handler on all three; checked with 7.2: exit 0, socket removed).
 */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const satisfies readonly NodeJS.Signals[];

/** 128 + the signal's number: what a shell reports for a process a signal ended (143, 130, 129). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/**
 * The exit code of a headless run, given the signal that stopped it (if one did). With --qmp a
 * signal is how a real-time run ends, as it is for QEMU: the run's own code (0, or 1 when an
 * expectation failed). A plain run has a fixed duration, and a signal cuts it short: 128 + n,
 * so that a script knows its summary is of a run that did not finish.
 */
export function headlessExitCode(
  runCode: number,
  stoppedBy: NodeJS.Signals | undefined,
  isRealtime: boolean,
): number {
  return stoppedBy === undefined || isRealtime ? runCode : signalExitCode(stoppedBy);
}

/**
 * Listens for STOP_SIGNALS: the first aborts `stop` (the run ends at that instant with its
 * summary); a second one exits at once with 128 + n, for a run that cannot end by itself (a reader
 * that stopped reading holds the summary), through `exit` (process.exit: the exit hook still
 * removes the QMP sockets, where the signal's default action would leave them).
 * @returns the signal that stopped the run, once one has
 */
export function onStopSignals(
  stop: AbortController,
  exit: (code: number) => void = (code) => process.exit(code),
  target: Pick<EventEmitter, 'on'> = process,
): () => NodeJS.Signals | undefined {
  let stoppedBy: NodeJS.Signals | undefined;
  for (const signal of STOP_SIGNALS)
    target.on(signal, () => {
      if (stoppedBy !== undefined) return exit(signalExitCode(signal));
      stoppedBy = signal;
      stop.abort();
    });
  return () => stoppedBy;
}
