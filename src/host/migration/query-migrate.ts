import {GUEST_PAGE_SIZE} from '../../core/guest-memory.js';
import type {MigrationSnapshot, MigrationStatus} from '../snapshot-types.js';
import type {RamCounters} from './ram-stream.js';

/** What a migration knows about itself at one instant. */
export interface MigrationProgress {
  readonly status: MigrationStatus;
  readonly to: string;
  readonly totalTimeUs: number;
  readonly setupTimeMs: number;
  readonly expectedDowntimeMs: number;
  readonly downtimeMs: number;
  readonly errorDesc: string | null;
  /** Auto-converge's share of vCPU time taken away, 0..0.99. */
  readonly throttle: number;
  readonly remainingPages: number;
  readonly totalBytes: number;
  /** Null before setup allocated the stream. */
  readonly counters: Readonly<RamCounters> | null;
  readonly dirtyPagesRate: number;
  readonly dirtySyncCount: number;
}

/** `query-migrate` (qemu/qemu qapi/migration.json `MigrationInfo`), with QEMU's names in camelCase. */
export function queryMigrate(progress: MigrationProgress): MigrationSnapshot {
  const counters = progress.counters;
  const normal = counters?.normal ?? 0;
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
      transferred: Math.round(counters?.transferred ?? 0),
      remaining: progress.remainingPages * GUEST_PAGE_SIZE,
      total: progress.totalBytes,
      duplicate: counters?.duplicate ?? 0,
      normal,
      normalBytes: normal * GUEST_PAGE_SIZE,
      dirtyPagesRate: progress.dirtyPagesRate,
      mbps: counters?.mbps ?? 0,
      dirtySyncCount: progress.dirtySyncCount,
      pageSize: GUEST_PAGE_SIZE,
      pagesPerSecond: counters?.pagesPerSecond ?? 0,
    },
  };
}
