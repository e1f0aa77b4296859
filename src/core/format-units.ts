import type {Microseconds} from './clock.js';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * The one size formatter of svmtop, for the screen and the host's texts alike: binary units,
 * three significant digits at most, and a unit switch at 1000 of the smaller one (`1004 KiB` is
 * `1.0MiB`), as htop and `ls -h` do.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 999.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? '-' : '';
  if (unit === 0) return `${sign}${Math.round(value)}B`;
  const digits = value < 9.95 ? 1 : 0;
  return `${sign}${value.toFixed(digits)}${BYTE_UNITS[unit]}`;
}

/** Bytes per second with the size formatter: `1.0MiB/s`; nothing moving is `-`. */
export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '-';
}

/**
 * Formats microseconds for people: `1h02m`, `3m05s`, `12.3s` (clock-like, as top and ps show
 * times), and below a second `450 ms`, as QEMU and the host's own texts write milliseconds
 * ("downtime-limit 300 ms").
 */
export function formatDuration(timeUs: Microseconds): string {
  const seconds = timeUs / 1_000_000;
  if (seconds >= 3600) {
    const hours = Math.floor(seconds / 3600);
    return `${hours}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
  }
  if (seconds >= 60) {
    const minutes = Math.floor(seconds / 60);
    return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  }
  if (seconds >= 1) return `${seconds.toFixed(1)}s`;
  return `${Math.round(timeUs / 1000)} ms`;
}

/** `count` and its noun, singular for one: `1 host`, `2 hosts`. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
