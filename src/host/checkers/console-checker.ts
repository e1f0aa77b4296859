import {crc32} from 'node:zlib';
import {crc32Ascii} from '../../core/crc32.js';

/** zlib's crc32 of the text, without zlib for an ASCII line (every line the workload writes). */
function textCrc(text: string): number {
  return crc32Ascii(text) ?? crc32(text);
}

/** Parses `<sequence> <crc32 hex> <text>` lines the guest writes, checking the checksum. */
export function parseConsoleLine(line: string): {sequence: number; text: string} | undefined {
  const match = /^(\d+) ([0-9a-f]{8}) (.*)$/.exec(line);
  if (!match) return undefined;
  if (textCrc(match[3]!).toString(16).padStart(8, '0') !== match[2]) return undefined;
  return {sequence: Number(match[1]), text: match[3]!};
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
   * A line as the host received it.
   * @returns its text, and whether it was intact and next in order
   */
  checkReceived(line: string): {text: string; isExpected: boolean} {
    const parsed = parseConsoleLine(line);
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
