import {closeSync} from 'node:fs';

/**
 * Error codes that mean the terminal has gone rather than that svmtop failed: a hung-up terminal
 * answers every read and write with EIO (`drivers/tty/tty_io.c`, hung_up_tty_read/write), a
 * vanished device with ENXIO, a closed pipe with EPIPE.
 */
const TERMINAL_GONE_CODES: ReadonlySet<string> = new Set(['EIO', 'ENXIO', 'EPIPE']);

/** Whether an error says the user's terminal went away (its window or pane was closed). */
export function isTerminalGone(error: unknown): boolean {
  return error instanceof Error && 'code' in error && TERMINAL_GONE_CODES.has(String(error.code));
}

/**
 * Calls `leave` when the user has gone: SIGHUP (the terminal closed), or EIO/ENXIO/EPIPE on the
 * terminal's input or output; any other error on them goes to `fail`.
 */
export function onTerminalGone(leave: () => void, fail: (error: unknown) => void): void {
  const onError = (error: unknown) => (isTerminalGone(error) ? leave() : fail(error));
  process.on('SIGHUP', leave);
  process.stdout.on('error', onError);
  process.stdin.on('error', onError);
}

/**
 * Lets go of a terminal that has gone, just before exiting. Node restores the terminal settings it
 * found at start-up when it exits, and on Node 20 a failed tcsetattr there (EIO on a hung-up
 * terminal) aborts the process, which then dies of SIGSEGV (`nodejs/node src/node.cc ResetStdio`);
 * it skips a descriptor that was closed, so the terminal's descriptors are closed first.
 */
export function releaseTerminal(): void {
  const streams = [process.stdin, process.stdout, process.stderr] as const;
  for (const [fd, stream] of streams.entries()) {
    if (!stream.isTTY) continue;
    try {
      closeSync(fd);
    } catch {
      // Already closed: nothing left to let go of.
    }
  }
}
