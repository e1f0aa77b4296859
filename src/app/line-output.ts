import {once} from 'node:events';
import {setImmediate as nextTurn} from 'node:timers/promises';

/**
 * Lines gathered before they are handed to the stream in one write: one system call per 64 KiB
 * (a pipe's default capacity on Linux) instead of one per line.
 */
export const LINE_CHUNK_BYTES = 64 * 1024;

export interface LineOutput {
  /** Takes one line (without the newline). */
  write(line: string): void;
  /**
   * Between two pieces of work: a promise while the stream holds more than its high-water mark
   * (resolved on 'drain'), or after a write (one turn of the event loop, so that an EPIPE is
   * heard); undefined when there is nothing to wait for.
   */
  backlog(): Promise<void> | undefined;
  /** Hands the lines gathered so far to the stream now (a run in real time: scripts read as it goes). */
  flush(): void;
  /** Hands over the last lines; resolves once the stream has taken them. */
  end(): Promise<void>;
}

/**
 * Writes JSON lines to a stream the way `yes` does: as fast as the reader reads, no faster, and
 * `onClosed` is called when the reader has gone (EPIPE) or the stream failed (with its error).
 */
export function createLineOutput(
  stream: NodeJS.WritableStream,
  onClosed: (error: NodeJS.ErrnoException) => void,
): LineOutput {
  let pending: string[] = [];
  let pendingLength = 0; // characters: bytes, for the ASCII JSON svmtop prints
  let hasWritten = false;
  let drain: Promise<void> | undefined;
  stream.on('error', onClosed);
  const flush = (): void => {
    if (pending.length === 0) return;
    const chunk = `${pending.join('\n')}\n`;
    pending = [];
    pendingLength = 0;
    hasWritten = true;
    if (!stream.write(chunk) && !drain)
      // A failed stream never drains: onClosed has been told, and the wait ends.
      drain = once(stream, 'drain').then(
        () => void (drain = undefined),
        () => undefined,
      );
  };
  return {
    write(line) {
      pending.push(line);
      pendingLength += line.length + 1;
      if (pendingLength >= LINE_CHUNK_BYTES) flush();
    },
    flush,
    backlog() {
      if (drain) return drain;
      if (!hasWritten) return undefined;
      hasWritten = false;
      return nextTurn();
    },
    async end() {
      const chunk = pending.length > 0 ? `${pending.join('\n')}\n` : '';
      pending = [];
      await new Promise<void>((resolve) => stream.write(chunk, () => resolve()));
    },
  };
}
