import {formatBytes} from '../../core/format-units.js';
import type {Guest} from '../guest.js';
import type {ConvergenceSnapshot, MigrationWayOut} from '../snapshot-types.js';
import {bandwidthCapOf, DOWNTIME_LIMIT_MS_MAX, type MigrationParams} from './migration-params.js';
import type {PreCopy} from './pre-copy.js';
import {TARGET_PAGE_SIZE} from './ram-stream.js';
import type {RateBound} from './transfer-rates.js';

/**
 * A pass that leaves at least this share of the last one is not getting anywhere: dirtying at
 * 90% of the bandwidth needs some 40 passes to shrink a 1 GiB rest to a 300 ms threshold.
 */
export const NOT_CONVERGING_RATIO = 0.9;
/** The guest rewrote its whole working set between two syncs when this much of it was pending after the last. */
const WORKING_SET_SHARE = 0.9;
/** A proposed downtime-limit leaves this margin over the expected downtime, rounded up to 100 ms. */
const DOWNTIME_MARGIN = 1.2;

/** What the convergence decision reads: QEMU's own measurements, plus what svmtop knows of the guest. */
export interface ConvergenceInput {
  readonly isIterating: boolean;
  readonly isDirtyRateMeasured: boolean;
  readonly dirtySyncCount: number;
  /** QEMU's dirty-pages-rate in bytes per second, and the bandwidth it measured. */
  readonly dirtyBytesPerSecond: number;
  readonly bandwidthBytesPerSecond: number;
  readonly expectedDowntimeMs: number;
  /** Bytes pending right after the last sync (QEMU's dirty_bytes_last_sync). */
  readonly dirtyBytesLastSync: number;
  readonly params: MigrationParams;
  readonly throttlePercent: number;
  /**
   * What bounds the migration with max-bandwidth lifted (rateBoundOf at no cap): the link's share,
   * or, for a secure guest, the source ultravisor's export rate when that is lower.
   */
  readonly ceiling: RateBound;
  readonly source: string;
  readonly destination: string;
  /** The guest's workload: the rate it writes at and the memory it writes over (svmtop's knowledge). */
  readonly guestWriteBytesPerSecond: number;
  readonly workingSetBytes: number;
}

/**
 * Whether a pre-copy migration is getting anywhere, why not, and QEMU's ways out. The rule: once
 * QEMU has a dirty rate (two syncs, a period over a second), a migration whose expected downtime
 * is over the limit and whose guest dirties at least 90% of what the link sends is not converging:
 * each pass leaves about as much as the last. Null while the migration is not iterating.
 */
export function decideConvergence(input: ConvergenceInput): ConvergenceSnapshot | null {
  if (!input.isIterating) return null;
  const waysOut = waysOutOf(input);
  const figures = {
    dirtyBytesPerSecond: input.dirtyBytesPerSecond,
    bandwidthBytesPerSecond: input.bandwidthBytesPerSecond,
    waysOut,
  };
  if (!input.isDirtyRateMeasured || input.dirtySyncCount < 2 || input.bandwidthBytesPerSecond <= 0)
    return {
      code: 'measuring',
      cause: null,
      reason:
        'QEMU measures the dirty rate at a bitmap sync at least a second after the last: known after the first pass',
      ...figures,
    };
  const ratio = input.dirtyBytesPerSecond / input.bandwidthBytesPerSecond;
  const limitMs = input.params.downtimeLimitMs;
  if (input.expectedDowntimeMs <= limitMs || ratio < NOT_CONVERGING_RATIO)
    return {
      code: 'converging',
      cause: null,
      reason:
        input.expectedDowntimeMs <= limitMs
          ? `the rest fits the ${limitMs} ms downtime limit: it switches over at the next check`
          : `each pass leaves ${Math.round(ratio * 100)}% of the last (dirtying ${rate(input.dirtyBytesPerSecond)} against ${rate(input.bandwidthBytesPerSecond)})`,
      ...figures,
    };
  const isWorkingSet =
    input.workingSetBytes > 0 &&
    input.dirtyBytesLastSync >= input.workingSetBytes * WORKING_SET_SHARE &&
    input.guestWriteBytesPerSecond > input.dirtyBytesPerSecond;
  return {
    code: 'not-converging',
    cause: isWorkingSet ? 'working-set' : 'dirty-rate',
    reason: isWorkingSet
      ? `the guest rewrites its whole ${formatBytes(input.workingSetBytes)} working set within each pass: every sync finds it all dirty again, so QEMU's dirty rate reads as the ${rate(input.bandwidthBytesPerSecond)} sent (the guest writes ${rate(input.guestWriteBytesPerSecond)})`
      : `the guest dirties ${rate(input.dirtyBytesPerSecond)} and the migration sends ${rate(input.bandwidthBytesPerSecond)}: each pass leaves about as much as the last`,
    ...figures,
  };
}

/** The convergence of a running pre-copy, from its measurements and the guest's workload. */
export function convergenceOf(
  {sync, rates, autoConverge}: PreCopy,
  guest: Guest,
  migration: Pick<ConvergenceInput, 'params' | 'isIterating' | 'ceiling' | 'destination'>,
): ConvergenceSnapshot | null {
  return decideConvergence({
    ...migration,
    source: guest.host.name,
    isDirtyRateMeasured: sync.isDirtyRateMeasured,
    dirtySyncCount: sync.dirtySyncCount,
    dirtyBytesPerSecond: sync.dirtyPagesRate * TARGET_PAGE_SIZE,
    bandwidthBytesPerSecond: rates.bandwidthBytesPerSecond,
    expectedDowntimeMs: rates.expectedDowntimeMs,
    dirtyBytesLastSync: sync.dirtyBytesLastSync,
    throttlePercent: Math.round(autoConverge.throttle * 100),
    guestWriteBytesPerSecond: guest.workload.dirtyBytesPerSecond * (1 - guest.throttle),
    workingSetBytes: guest.workload.workingSetBytes,
  });
}

/** QEMU's ways out of a pre-copy that does not converge, each with the value it would set. */
function waysOutOf(input: ConvergenceInput): MigrationWayOut[] {
  const {params} = input;
  const downtimeMs = Math.min(
    DOWNTIME_LIMIT_MS_MAX,
    Math.ceil((input.expectedDowntimeMs * DOWNTIME_MARGIN) / 100) * 100,
  );
  return [
    maxBandwidthWay(input),
    downtimeMs > params.downtimeLimitMs
      ? way(
          'downtime-limit',
          downtimeMs,
          `downtime-limit ${downtimeMs} ms (now ${params.downtimeLimitMs} ms): the guest may stop that long`,
        )
      : closed(
          'downtime-limit',
          params.downtimeLimitMs,
          `downtime-limit: the expected downtime (${input.expectedDowntimeMs} ms) is within it (${params.downtimeLimitMs} ms)`,
        ),
    params.autoConverge
      ? closed(
          'auto-converge',
          true,
          `auto-converge: on, vCPUs throttled ${input.throttlePercent}% (at most 99%)`,
        )
      : way(
          'auto-converge',
          true,
          `auto-converge: cancel, migrate to ${input.destination} again with it on (QEMU sets capabilities only between migrations)`,
        ),
  ];
}

/**
 * More max-bandwidth, up to twice the cap: it helps only below the ceiling (rateBoundOf), so it
 * is offered up to it and names it; at or above, it is closed and says what holds the rate.
 */
function maxBandwidthWay({params, ceiling, source}: ConvergenceInput): MigrationWayOut {
  const cap = bandwidthCapOf(params);
  const bandwidth = Math.min(ceiling.bytesPerSecond, cap * 2);
  const isExport = ceiling.code === 'export-rate';
  const holder = isExport
    ? `the ultravisor of ${source} exports secure pages at ${rate(ceiling.bytesPerSecond)}`
    : `the link carries ${rate(ceiling.bytesPerSecond)}`;
  if (bandwidth > cap)
    return way('max-bandwidth', bandwidth, `max-bandwidth ${rate(bandwidth)} (now ${rate(cap)}; ${holder})`);
  return closed(
    'max-bandwidth',
    cap,
    isExport
      ? `max-bandwidth: more cannot help: ${holder}`
      : `max-bandwidth: already all the link carries (${rate(ceiling.bytesPerSecond)})`,
  );
}

function way(code: MigrationWayOut['code'], proposed: number | boolean, reason: string): MigrationWayOut {
  return {code, isAvailable: true, proposed, reason};
}

function closed(code: MigrationWayOut['code'], proposed: number | boolean, reason: string): MigrationWayOut {
  return {code, isAvailable: false, proposed, reason};
}

function rate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}
