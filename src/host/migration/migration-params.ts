import {formatBytes} from '../../core/format-units.js';
import {MiB} from '../../core/units.js';

/** Auto-converge's steps: `cpu-throttle-initial`, `cpu-throttle-increment`, `max-cpu-throttle`, in percent. */
export interface ThrottleSteps {
  readonly throttleInitialPercent: number;
  readonly throttleIncrementPercent: number;
  readonly throttleMaxPercent: number;
}

/** Per-migration parameters (QEMU's migrate-set-parameters / capabilities). */
export interface MigrationParams extends ThrottleSteps {
  /**
   * QEMU's uint64 `max-bandwidth`, exact (QMP echoes every bit of 2^64 - 1); the simulation
   * computes with `bandwidthCapOf`.
   */
  readonly maxBandwidthBytesPerSecond: bigint;
  readonly downtimeLimitMs: number;
  readonly autoConverge: boolean;
}

/** QEMU's defaults (qemu/qemu migration/options.c: DEFAULT_MIGRATE_CPU_THROTTLE_* and the 99% ceiling). */
export const MIGRATION_DEFAULTS: MigrationParams = {
  maxBandwidthBytesPerSecond: BigInt(128 * MiB),
  downtimeLimitMs: 300,
  autoConverge: false,
  throttleInitialPercent: 20,
  throttleIncrementPercent: 10,
  throttleMaxPercent: 99,
};

/** A migration that can never send a page is refused (max-bandwidth 0 never progresses). */
export const MIN_BANDWIDTH_BYTES_PER_SECOND = 1n;

/**
 * max-bandwidth as the simulation computes with it: a double, exact up to 2^53 B/s (8 PiB/s),
 * rounded above, where no link of the world reaches anyway.
 */
export function bandwidthCapOf(params: Pick<MigrationParams, 'maxBandwidthBytesPerSecond'>): number {
  return Number(params.maxBandwidthBytesPerSecond);
}

/** QMP's `max-bandwidth` -1: every bit of the uint64 set, a cap nothing reaches. */
const NO_BANDWIDTH_LIMIT = (1n << 64n) - 1n;

/** max-bandwidth in words: `128MiB/s`, or `no limit` for QMP's -1 (the one place it is worded). */
export function bandwidthText(params: Pick<MigrationParams, 'maxBandwidthBytesPerSecond'>): string {
  return params.maxBandwidthBytesPerSecond === NO_BANDWIDTH_LIMIT
    ? 'no limit'
    : `${formatBytes(bandwidthCapOf(params))}/s`;
}
/** migrate_params_check: `downtime-limit` at most 2000 s. */
export const DOWNTIME_LIMIT_MS_MAX = 2000 * 1000;

/** A parameter out of its range: which one (a code for callers that word it their own way) and why. */
export interface MigrationParamProblem {
  readonly param: Exclude<keyof MigrationParams, 'autoConverge'>;
  readonly reason: string;
}

/**
 * Parameters as a command asks for them: `downtime-limit` may be QMP's exact uint64 (a bigint), so
 * that a refusal names the value asked for; once checked it fits a number (at most 2000 s).
 */
export type RequestedMigrationParams = Omit<MigrationParams, 'downtimeLimitMs'> & {
  readonly downtimeLimitMs: number | bigint;
};

const isPercent = (value: number) => Number.isInteger(value) && value >= 1 && value <= 99;

/**
 * The first parameter out of its range, in the order QEMU checks them (qemu/qemu
 * migration/migration.c `migrate_params_check`), or null. svmtop also refuses max-bandwidth below
 * 1 B/s, which QEMU 7.2 reads as no limit: a svmtop migration moves nothing at 0.
 */
export function migrationParamProblem(params: RequestedMigrationParams): MigrationParamProblem | null {
  const {throttleInitialPercent: initial, throttleIncrementPercent: increment} = params;
  if (!isPercent(initial))
    return {param: 'throttleInitialPercent', reason: `cpu-throttle-initial ${initial} is not 1-99 %`};
  if (!isPercent(increment))
    return {param: 'throttleIncrementPercent', reason: `cpu-throttle-increment ${increment} is not 1-99 %`};
  if (!(params.maxBandwidthBytesPerSecond >= MIN_BANDWIDTH_BYTES_PER_SECOND))
    return {
      param: 'maxBandwidthBytesPerSecond',
      reason: `max-bandwidth ${params.maxBandwidthBytesPerSecond}B/s never moves a page (at least ${MIN_BANDWIDTH_BYTES_PER_SECOND}B/s)`,
    };
  if (!(params.downtimeLimitMs >= 0 && params.downtimeLimitMs <= DOWNTIME_LIMIT_MS_MAX))
    return {
      param: 'downtimeLimitMs',
      reason: `downtime-limit ${params.downtimeLimitMs} ms is not 0-${DOWNTIME_LIMIT_MS_MAX} ms`,
    };
  const max = params.throttleMaxPercent;
  if (!(Number.isInteger(max) && max >= initial && max <= 99))
    return {param: 'throttleMaxPercent', reason: `max-cpu-throttle ${max} is not ${initial}-99 %`};
  return null;
}

/** The parameters migrate-set-parameters changes on a running migration (capabilities it cannot). */
export type SettableMigrationParams = Partial<Omit<RequestedMigrationParams, 'autoConverge'>>;

/**
 * Time between sends; each sends what the bandwidth allows in that time and is one
 * ram_save_iterate call (one EOS marker).
 */
export const SEND_TICK_US = 10_000;
/** How long each step takes that is not sending pages. */
export const MigrationTiming = {
  setupUs: 50_000,
  keyExchangeUs: 200_000,
  cancelUs: 10_000,
  deviceStopOverheadUs: 5_000,
} as const;
/** The device state each virtio device adds to the stream at stop-and-copy. */
export const DEVICE_STATE_BYTES_PER_DEVICE = 4096;
/** Put a limit on everything: a migration that has not converged after this many passes fails. */
export const MIGRATION_MAX_ITERATIONS = 200;
