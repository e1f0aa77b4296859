import {crc32} from 'node:zlib';
import {crc32Ascii} from '../../core/crc32.js';

/** zlib's crc32 of the text, without zlib for an ASCII line (every line the workload writes). */
function textCrc(text: string): number {
  return crc32Ascii(text) ?? crc32(text);
}

/** `<sequence> <crc32 hex> <text>`, the text without a line terminator. */
const LINE_FORMAT = /^(\d+) ([0-9a-f]{8}) (.*)$/;
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * Parses `<sequence> <crc32 hex> <text>` lines the guest writes, checking the checksum: over the
 * text, or `wholeTextCrc` when the line was cut and that is the checksum of all of its text.
 */
export function parseConsoleLine(
  line: string,
  wholeTextCrc?: number,
): {sequence: number; text: string} | undefined {
  const match = LINE_FORMAT.exec(line);
  if (!match) return undefined;
  const crc = wholeTextCrc ?? textCrc(match[3]!);
  if (crc.toString(16).padStart(8, '0') !== match[2]) return undefined;
  return {sequence: Number(match[1]), text: match[3]!};
}

/**
 * A line arriving piece by piece, of which the host keeps the first `keepChars` characters. Past
 * them the checksum of its text is carried on over each piece as it passes, so the checker still
 * checks every character the guest wrote (the chardev got them all) while the host holds a
 * bounded part.
 */
export class ArrivingLine {
  /** The line's first characters, at most `keepChars`. */
  kept = '';
  /**
   * zlib's crc32 of the text so far once the line outgrew `kept`, NaN if it cannot be a line
   * (no header, or a line terminator in the text); undefined while it fits.
   */
  wholeTextCrc: number | undefined;
  readonly #keepChars: number;

  constructor(keepChars: number) {
    this.#keepChars = keepChars;
  }

  append(piece: string): void {
    let rest = piece;
    if (this.wholeTextCrc === undefined) {
      const room = this.#keepChars - this.kept.length;
      if (rest.length <= room) {
        this.kept += rest;
        return;
      }
      this.kept += rest.slice(0, room);
      rest = rest.slice(room);
      const text = LINE_FORMAT.exec(this.kept)?.[3];
      this.wholeTextCrc = text === undefined ? NaN : crc32(text);
    }
    if (LINE_TERMINATOR.test(rest)) this.wholeTextCrc = NaN;
    else if (!Number.isNaN(this.wholeTextCrc)) this.wholeTextCrc = crc32(rest, this.wholeTextCrc);
  }

  clear(): void {
    this.kept = '';
    this.wholeTextCrc = undefined;
  }
}

export function formatConsoleLine(sequence: number, text: string): string {
  return `${sequence} ${textCrc(text).toString(16).padStart(8, '0')} ${text}`;
}

/**
 * The check on a console port: the guest numbers and checksums every line it writes; the host
 * side checks each line arrives intact and in order.
 */
export class ConsoleChecker {
  #nextSequence = 0;
  #expectedSequence = 0;

  /** The guest's next line, numbered and checksummed; `commit` once it was queued. */
  nextLine(text: string): string {
    return formatConsoleLine(this.#nextSequence, text);
  }

  commit(): void {
    this.#nextSequence++;
  }

  /**
   * A line as the host received it (`wholeTextCrc`: see `parseConsoleLine`).
   * @returns its text, and whether it was intact and next in order
   */
  checkReceived(line: string, wholeTextCrc?: number): {text: string; isExpected: boolean} {
    const parsed = parseConsoleLine(line, wholeTextCrc);
    const isExpected = parsed?.sequence === this.#expectedSequence;
    this.#expectedSequence = (parsed?.sequence ?? this.#expectedSequence) + 1;
    return {text: parsed?.text ?? line, isExpected};
  }

  /** The device was reset (a new driver probes it): both ends start again from 0. */
  reset(): void {
    this.#nextSequence = 0;
    this.#expectedSequence = 0;
  }
}
