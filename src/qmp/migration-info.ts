import type {OutputValue} from './qobject-format.js';
import {qmpMigrationStatus} from './run-state.js';
import type {VmSnapshot} from './world-port.js';

type MigrationSnapshot = NonNullable<VmSnapshot['migration']>;

/** MigrationStats (qapi/migration.json) for the counters svmtop keeps, in QAPI member order. */
function ramStats(ram: MigrationSnapshot['ram'], isCompleted: boolean) {
  return {
    transferred: ram.transferred,
    remaining: isCompleted ? 0 : ram.remaining,
    total: ram.total,
    duplicate: ram.duplicate,
    normal: ram.normal,
    'normal-bytes': ram.normalBytes,
    'dirty-pages-rate': ram.dirtyPagesRate,
    mbps: ram.mbps,
    'dirty-sync-count': ram.dirtySyncCount,
    'page-size': ram.pageSize,
    'pages-per-second': ram.pagesPerSecond,
  };
}

/**
 * query-migrate's MigrationInfo from the snapshot, with the members QEMU fills in each status
 * (migration/migration.c fill_source_migration_info, populate_time_info, populate_ram_info), and
 * `blockers`, the VM's own migration blockers now: QEMU lists those in every status, before any
 * migrate is tried and beside a kept record, before it switches on the status. A migration svmtop
 * refused before any ran is QEMU's `none` status (migrate_prepare refuses before migrate_init);
 * its reasons are in the reply, and the snapshot keeps them for the dashboard. svmtop's own
 * members start with `x-svmtop-`.
 */
export function migrationInfo(
  migration: MigrationSnapshot | null,
  blockers: readonly string[],
): {readonly [member: string]: OutputValue} {
  const blocked = blockers.length > 0 ? [...blockers] : undefined;
  if (!migration || migration.blockedReasons.length > 0) return {'blocked-reasons': blocked};
  const status = qmpMigrationStatus(migration.status)!;
  const own = {
    'x-svmtop-destination': migration.to,
    // svmtop's own phases of a secure migration; QEMU has none of them.
    'x-svmtop-phase':
      migration.phase === 'key-exchange' || migration.phase === 'page-export' ? migration.phase : undefined,
  };
  switch (status) {
    case 'setup':
    case 'cancelled':
      return {status, 'blocked-reasons': blocked, ...own};
    case 'failed':
      return {status, 'error-desc': migration.errorDesc ?? undefined, 'blocked-reasons': blocked, ...own};
    case 'completed':
      return {
        status,
        ram: ramStats(migration.ram, true),
        'total-time': migration.totalTimeMs,
        downtime: migration.downtimeMs,
        'setup-time': migration.setupTimeMs,
        'blocked-reasons': blocked,
        ...own,
      };
    default:
      return {
        status,
        ram: ramStats(migration.ram, false),
        'total-time': migration.totalTimeMs,
        'expected-downtime': migration.expectedDowntimeMs,
        'setup-time': migration.setupTimeMs,
        'cpu-throttle-percentage': migration.throttlePercent > 0 ? migration.throttlePercent : undefined,
        'blocked-reasons': blocked,
        ...own,
      };
  }
}
