import {closeSync, fstatSync, openSync, readSync, type Stats} from 'node:fs';
import {open} from 'node:fs/promises';

/** Why a read failed, for code to decide on: the file is not there, too large, or unreadable. */
export type ReadFailure = 'missing' | 'too-large' | 'unreadable';

export type BoundedRead =
  | {readonly ok: true; readonly bytes: Buffer}
  | {readonly ok: false; readonly reason: ReadFailure; readonly error: string};

/** Bytes asked of the kernel per read: large enough for few calls, small next to any cap. */
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * Reads a whole file, but never more than `maxBytes`: a regular file's size is checked first, and
 * anything stat cannot size (a character device such as /dev/zero, a FIFO, /proc) is cut off while
 * reading, after `maxBytes + 1` bytes.
 * @returns the bytes, or why not (`cannot read file (no such file)`, `file is larger than ...`),
 *   without the file name
 */
export function readFileBoundedSync(file: string, maxBytes: number): BoundedRead {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    return readFailure(error);
  }
  try {
    const refusal = refuseByStat(fstatSync(fd), maxBytes);
    if (refusal) return refusal;
    const chunks = new CappedChunks(maxBytes);
    for (;;) {
      const chunk = chunks.next();
      const outcome = chunks.take(chunk, readSync(fd, chunk, 0, chunk.length, null));
      if (outcome) return outcome;
    }
  } catch (error) {
    return readFailure(error);
  } finally {
    closeSync(fd);
  }
}

/** The same as readFileBoundedSync without blocking the event loop (the dashboard's watcher). */
export async function readFileBounded(file: string, maxBytes: number): Promise<BoundedRead> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    return readFailure(error);
  }
  try {
    const refusal = refuseByStat(await handle.stat(), maxBytes);
    if (refusal) return refusal;
    const chunks = new CappedChunks(maxBytes);
    for (;;) {
      const chunk = chunks.next();
      const outcome = chunks.take(chunk, (await handle.read(chunk, 0, chunk.length, null)).bytesRead);
      if (outcome) return outcome;
    }
  } catch (error) {
    return readFailure(error);
  } finally {
    await handle.close();
  }
}

/** What a read has gathered so far: never more than one byte past the cap. */
class CappedChunks {
  readonly #chunks: Buffer[] = [];
  #totalBytes = 0;

  constructor(readonly maxBytes: number) {}

  /** A buffer for the next read, sized so that all reads together stop at maxBytes + 1. */
  next(): Buffer {
    return Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, this.maxBytes + 1 - this.#totalBytes));
  }

  /** @returns the outcome once the file has ended or passed the cap, otherwise undefined */
  take(chunk: Buffer, readBytes: number): BoundedRead | undefined {
    if (readBytes === 0) return {ok: true, bytes: Buffer.concat(this.#chunks, this.#totalBytes)};
    this.#chunks.push(chunk.subarray(0, readBytes));
    this.#totalBytes += readBytes;
    return this.#totalBytes > this.maxBytes ? tooLarge(this.maxBytes) : undefined;
  }
}

function refuseByStat(stats: Stats, maxBytes: number): BoundedRead | undefined {
  if (stats.isDirectory())
    return {ok: false, reason: 'unreadable', error: 'cannot read file (is a directory)'};
  if (stats.isFile() && stats.size > maxBytes) return tooLarge(maxBytes, stats.size);
  return undefined;
}

function tooLarge(maxBytes: number, sizeBytes?: number): BoundedRead {
  const size = sizeBytes === undefined ? 'file is' : `file is ${sizeBytes} bytes,`;
  return {ok: false, reason: 'too-large', error: `${size} over the limit of ${maxBytes} bytes`};
}

function readFailure(error: unknown): BoundedRead {
  const isMissing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
  return {ok: false, reason: isMissing ? 'missing' : 'unreadable', error: describeReadError(error)};
}

/** `cannot read file (no such file)`: an fs error in words, its code when there are none. */
export function describeReadError(error: unknown): string {
  return `cannot read file (${describeFsError(error)})`;
}

/** An fs error's code in words (`permission denied`), the code itself when there are none. */
export function describeFsError(error: unknown): string {
  const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : undefined;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
    ELOOP: 'too many symbolic links',
  };
  if (code !== undefined) return reasons[code] ?? code;
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}
