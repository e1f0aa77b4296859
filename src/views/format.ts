import {formatDuration} from '../core/format-units.js';

export {counted, formatBytes, formatRate} from '../core/format-units.js';

// Lines redrawn every refresh stay printable ASCII: Ink measures each line with string-width,
// whose segmenter path for any other character costs microseconds per character, every frame.
// Bars are htop's (`|`), truncation is ps and top's (`+`); only the sparkline needs block glyphs
// (glyphs.ts, with its ASCII ramp).
const BAR_FULL = '|';
const BAR_EMPTY = '.';
/** Marks cut text, as ps and top do; the views cut only where a whole text is shown elsewhere. */
export const TRUNCATED = '+';

/** A moment of simulated time, the same in the header and the events: `42.6s`, `5m42.6s`, `1h05m42s`. */
export function formatSimTime(timeUs: number): string {
  const tenths = Math.floor(timeUs / 100_000);
  const seconds = Math.floor(tenths / 10);
  const fraction = tenths % 10;
  if (seconds < 60) return `${seconds}.${fraction}s`;
  const minutes = Math.floor(seconds / 60);
  const secondsText = String(seconds % 60).padStart(2, '0');
  if (minutes < 60) return `${minutes}m${secondsText}.${fraction}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m${secondsText}s`;
}

/** A length of time (a downtime, an ETA): `450 ms`, `12.3s`, `3m05s`. */
export function formatSpan(timeMs: number): string {
  return formatDuration(Math.round(timeMs * 1000));
}

const PAGE_SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB'] as const;

/**
 * A page size as the kernel and QEMU write one, an exact count of its unit (`4 KiB`, `64 KiB`):
 * a unit of counting rather than an amount, so not `formatBytes`' rounded `4.0KiB`.
 */
export function formatPageSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && value % 1024 === 0 && unit < PAGE_SIZE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value} ${PAGE_SIZE_UNITS[unit]}`;
}

/** A fixed-width bar for a fraction 0..1. */
export function bar(fraction: number, width: number): string {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return BAR_FULL.repeat(filled) + BAR_EMPTY.repeat(Math.max(0, width - filled));
}

/** A sparkline of the last `width` values, scaled to `max`, in the steps of `ramp` (lowest first). */
export function sparkline(
  values: readonly number[],
  width: number,
  max: number,
  ramp: readonly string[],
): string {
  const recent = values.slice(-width);
  const line = recent
    .map(
      (value) =>
        ramp[Math.min(ramp.length - 1, Math.floor((max > 0 ? value / max : 0) * ramp.length))] ?? ramp[0],
    )
    .join('');
  return line.padStart(width, ' ');
}

/** Pads or cuts text to exactly `width` cells (our text is single-width). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? TRUNCATED : `${text.slice(0, width - 1)}${TRUNCATED}`;
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/** Cuts text to at most `width` cells without padding (Ink lays out the rest). */
export function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}${TRUNCATED}` : text;
}

/**
 * A line of at most `width` cells, padded to the width only when it is drawn as an inverse strip:
 * Ink tokenises every character written, trailing spaces too, every frame.
 */
export function screenLine(text: string, width: number, isStrip: boolean): string {
  return isStrip ? fit(text, width) : clip(text, width).trimEnd();
}

/** Breaks text into lines of at most `width` cells at spaces; a longer word is split, never lost. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '';
    }
    while (word.length > width) {
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Wraps a line of `width` cells at spaces, keeping its leading spaces, and starts every further
 * line `indent` cells in (at least as far in as the first), so a label's column stays clear.
 */
export function wrapIndented(text: string, width: number, indent = 0): string[] {
  const lead = text.length - text.trimStart().length;
  const [first = '', ...rest] = wrapWords(text.trimStart(), Math.max(1, width - lead)).map((line) =>
    line.trimEnd(),
  );
  const firstLine = ' '.repeat(lead) + first;
  if (rest.length === 0) return [firstLine];
  const inset = Math.min(Math.max(lead, indent), Math.floor(width / 2));
  const pad = ' '.repeat(inset);
  return [firstLine, ...wrapWords(rest.join(' '), width - inset).map((line) => pad + line.trimEnd())];
}

export function percent(fraction: number): string {
  return `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
}

/** A speed factor for people: `143x`, `0.5x`. */
export function formatSpeed(speed: number): string {
  if (speed >= 10) return `${Math.round(speed)}x`;
  const rounded = Math.round(speed * 100) / 100;
  // The `-` steps below 1/4 (1/8 .. 1/64) as the steps make them, not 0.13x .. 0.02x.
  return rounded !== speed && Number.isInteger(Math.log2(1 / speed)) ? `1/${1 / speed}x` : `${rounded}x`;
}
