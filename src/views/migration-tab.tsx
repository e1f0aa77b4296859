import {isMigrationRunning} from '../host/command-preview.js';
import type {MigrationSnapshot, VmSnapshot} from '../host/snapshot-types.js';
import {bar, formatBytes, formatRate, formatSpan, percent} from './format.js';
import {TextLines, type Line} from './text-lines.js';
import type {Theme} from './theme.js';

export interface MigrationTabProps {
  readonly vm: VmSnapshot;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/** Dirtying this close to the link's rate means each pass leaves about as much as the last. */
const CONVERGENCE_RATIO = 0.9;

/** query-migrate for the selected VM: phase, progress, transferred/remaining, dirty rate, pass, downtime, ETA, blockers. */
export function MigrationTab({vm, width, height, theme}: MigrationTabProps) {
  const migration = vm.migration;
  const lines: Line[] = [];
  if (!migration) {
    lines.push({
      text: 'no migration. m picks a destination (each host says whether it would accept and why not).',
    });
  } else if (migration.blockedReasons.length > 0) {
    lines.push({text: `migration to ${migration.to} refused before it started:`, color: theme.error});
    for (const reason of migration.blockedReasons) lines.push({text: `  - ${reason}`, color: theme.error});
  } else {
    lines.push(...progressLines(vm, migration, width, theme));
  }
  return <TextLines lines={lines} width={width - 1} height={height} />;
}

function progressLines(vm: VmSnapshot, migration: MigrationSnapshot, width: number, theme: Theme): Line[] {
  const {ram} = migration;
  const isRunning = isMigrationRunning(migration);
  const hasPassed = ram.dirtySyncCount > 0;
  const sentFraction =
    ram.total > 0 ? Math.min(1, (ram.normalBytes + ram.duplicate * ram.pageSize) / ram.total) : 0;
  const bandwidth = (ram.mbps * 1_000_000) / 8;
  const dirtying = ram.dirtyPagesRate * ram.pageSize;
  const barWidth = Math.max(10, Math.min(40, width - 30));
  const statusColor =
    migration.status === 'failed'
      ? theme.error
      : migration.status === 'completed'
        ? theme.secure
        : theme.accent;
  const lines: Line[] = [
    {
      text: `${migration.status.toUpperCase()} -> ${migration.to}   pass ${ram.dirtySyncCount + 1}   total ${formatSpan(migration.totalTimeMs)} (setup ${formatSpan(migration.setupTimeMs)})`,
      color: statusColor,
    },
    {
      text: hasPassed
        ? `first pass done; ${formatBytes(ram.remaining)} dirtied since, to send again`
        : `first pass ${bar(sentFraction, barWidth)} ${percent(sentFraction)}`,
    },
    {
      text: `sent ${formatBytes(ram.transferred)}  remaining ${formatBytes(ram.remaining)}  of ${formatBytes(ram.total)}  (${ram.normal} pages${vm.security.state === 'secure' ? ', encrypted' : `, ${ram.duplicate} zero`})`,
    },
    {
      text: `${isRunning ? 'rate' : 'last rate'} ${bandwidth > 0 ? `${formatRate(bandwidth)}, ${ram.pagesPerSecond} pages/s` : 'not measured yet'}   ${hasPassed ? `dirtying ${formatRate(dirtying)}` : 'dirty rate known after the first pass'}`,
    },
    {text: downtimeLine(migration, isRunning, hasPassed, bandwidth)},
  ];
  if (isRunning && hasPassed && bandwidth > 0 && dirtying >= bandwidth * CONVERGENCE_RATIO) {
    lines.push({
      text: `not converging: the guest dirties ${formatRate(dirtying)} and the link sends ${formatRate(bandwidth)}, so each pass leaves about as much as the last`,
      color: theme.warning,
    });
    lines.push({
      text: "QEMU's ways out: a higher max-bandwidth or downtime-limit, or auto-converge (migrate-set-parameters); c cancels",
      color: theme.warning,
    });
  }
  if (migration.errorDesc) lines.push({text: `error: ${migration.errorDesc}`, color: theme.error});
  return lines;
}

function downtimeLine(
  migration: MigrationSnapshot,
  isRunning: boolean,
  hasPassed: boolean,
  bandwidth: number,
): string {
  const expected =
    hasPassed || migration.expectedDowntimeMs > 0
      ? `expected downtime ${formatSpan(migration.expectedDowntimeMs)}`
      : 'expected downtime known after the first pass';
  const downtime = migration.downtimeMs > 0 ? `   downtime ${formatSpan(migration.downtimeMs)}` : '';
  const eta =
    isRunning && bandwidth > 0
      ? `   this pass ends in ${formatSpan((migration.ram.remaining / bandwidth) * 1000)}`
      : '';
  const throttle = migration.throttlePercent > 0 ? `   throttle ${migration.throttlePercent}%` : '';
  return expected + downtime + eta + throttle;
}
