import {GUEST_PAGE_SIZE} from '../../core/guest-memory.js';
import type {
  ConvergenceSnapshot,
  MigrationPhase,
  MigrationSnapshot,
  MigrationStatus,
} from '../snapshot-types.js';
import {exactInteger} from '../../core/exact-json.js';
import type {MigrationParams} from './migration-params.js';
import type {PreCopy} from './pre-copy.js';
import {TARGET_PAGE_SIZE, type RamCounters} from './ram-stream.js';

/** What a migration knows about itself at one instant. */
export interface MigrationProgress {
  readonly status: MigrationStatus;
  readonly phase: MigrationPhase | null;
  readonly to: string;
  readonly totalTimeUs: number;
  readonly setupTimeMs: number;
  readonly expectedDowntimeMs: number;
  readonly downtimeMs: number;
  readonly errorDesc: string | null;
  /** Auto-converge's share of vCPU time taken away, 0..0.99. */
  readonly throttle: number;
  /** Guest pages still in the migration bitmap. */
  readonly pendingPages: number;
  readonly totalBytes: number;
  /** Null before setup allocated the stream. */
  readonly counters: Readonly<RamCounters> | null;
  readonly dirtyPagesRate: number;
  readonly dirtySyncCount: number;
  readonly mbps: number;
  readonly pagesPerSecond: number;
  readonly isBandwidthMeasured: boolean;
  readonly isDirtyRateMeasured: boolean;
  readonly thresholdBytes: number;
  readonly params: MigrationParams;
  readonly convergence: ConvergenceSnapshot | null;
}

/**
 * `query-migrate` (qemu/qemu qapi/migration.json `MigrationInfo`, filled as migration/migration.c
 * `populate_ram_info` fills it), with QEMU's names in camelCase, and svmtop's own fields beside.
 * A completed migration reports no remaining bytes or dirty rate, as QEMU leaves them unset.
 */
export function queryMigrate(progress: MigrationProgress): MigrationSnapshot {
  const counters = progress.counters;
  const normal = counters?.normal ?? 0;
  const isCompleted = progress.status === 'completed';
  return {
    status: progress.status,
    to: progress.to,
    totalTimeMs: Math.round(progress.totalTimeUs / 1000),
    setupTimeMs: progress.setupTimeMs,
    expectedDowntimeMs: progress.expectedDowntimeMs,
    downtimeMs: progress.downtimeMs,
    blockedReasons: [],
    errorDesc: progress.errorDesc,
    throttlePercent: Math.round(progress.throttle * 100),
    ram: {
      transferred: counters?.transferred ?? 0,
      remaining: isCompleted ? 0 : progress.pendingPages * GUEST_PAGE_SIZE,
      total: progress.totalBytes,
      duplicate: counters?.duplicate ?? 0,
      normal,
      normalBytes: normal * TARGET_PAGE_SIZE,
      dirtyPagesRate: isCompleted ? 0 : progress.dirtyPagesRate,
      mbps: Math.round(progress.mbps * 100) / 100,
      dirtySyncCount: progress.dirtySyncCount,
      pageSize: TARGET_PAGE_SIZE,
      pagesPerSecond: progress.pagesPerSecond,
    },
    phase: progress.phase,
    encryptedPages: counters?.encryptedPages ?? 0,
    isBandwidthMeasured: progress.isBandwidthMeasured,
    isDirtyRateMeasured: progress.isDirtyRateMeasured,
    thresholdBytes: Math.round(progress.thresholdBytes),
    parameters: parametersOf(progress.params),
    convergence: progress.convergence,
  };
}

/** The parameters a migration record shows (README's headless contract), whatever its state. */
export function parametersOf(params: MigrationParams): MigrationSnapshot['parameters'] {
  return {
    maxBandwidthBytesPerSecond: exactInteger(params.maxBandwidthBytesPerSecond),
    downtimeLimitMs: params.downtimeLimitMs,
    autoConverge: params.autoConverge,
  };
}

/** The RAM half of a migration's progress, from its pre-copy (none before setup allocated it). */
export function preCopyProgress(
  preCopy: PreCopy | null,
  isRunning: boolean,
  downtimeLimitMs: number,
): Omit<
  MigrationProgress,
  | 'status'
  | 'phase'
  | 'to'
  | 'totalTimeUs'
  | 'setupTimeMs'
  | 'downtimeMs'
  | 'errorDesc'
  | 'totalBytes'
  | 'params'
  | 'convergence'
> {
  return {
    expectedDowntimeMs: preCopy?.rates.expectedDowntimeMs ?? downtimeLimitMs,
    throttle: preCopy?.autoConverge.throttle ?? 0,
    pendingPages: preCopy?.queue.pendingPages ?? 0,
    counters: preCopy?.ram.counters ?? null,
    dirtyPagesRate: isRunning ? (preCopy?.sync.dirtyPagesRate ?? 0) : 0,
    dirtySyncCount: preCopy?.sync.dirtySyncCount ?? 0,
    mbps: preCopy?.rates.mbps ?? 0,
    pagesPerSecond: preCopy?.rates.pagesPerSecond ?? 0,
    isBandwidthMeasured: preCopy?.rates.isMeasured ?? false,
    isDirtyRateMeasured: preCopy?.sync.isDirtyRateMeasured ?? false,
    thresholdBytes: preCopy?.rates.thresholdBytesFor(downtimeLimitMs) ?? 0,
  };
}
