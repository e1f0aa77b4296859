import {formatDuration} from '../../core/format-units.js';

/**
 * The shortest time between headless snapshots. A snapshot of the default world is 12–14 KiB of
 * JSON, so 10 ms is already 1.4 MiB per simulated second; it still resolves a migration's
 * stop-and-copy (QEMU's default downtime limit is 300 ms). Anything shorter only multiplies output.
 */
export const SNAPSHOT_INTERVAL_MIN_US = 10_000;

/**
 * The longest headless run: a million simulated hours (about 114 years). The clock counts integer
 * microseconds in a double, exact up to 2^53 µs (285 years); this leaves room for the next snapshot
 * time to be computed past the end without losing precision.
 */
export const RUN_DURATION_MAX_US = 1_000_000 * 3_600_000_000;

/**
 * Checks a headless run length.
 * @returns why it is refused (without the flag or path), or undefined when it is fine
 */
export function checkRunDuration(durationUs: number): string | undefined {
  if (!(durationUs > 0)) return 'expected a duration above zero';
  if (durationUs > RUN_DURATION_MAX_US)
    return `expected at most ${RUN_DURATION_MAX_US / 3_600_000_000}h (a million simulated hours)`;
  return undefined;
}

/**
 * Checks a headless snapshot interval.
 * @returns why it is refused (without the flag or path), or undefined when it is fine
 */
export function checkSnapshotInterval(intervalUs: number): string | undefined {
  if (intervalUs < SNAPSHOT_INTERVAL_MIN_US)
    return `expected at least ${formatDuration(SNAPSHOT_INTERVAL_MIN_US)} between snapshots`;
  if (intervalUs > RUN_DURATION_MAX_US) return checkRunDuration(intervalUs);
  return undefined;
}
