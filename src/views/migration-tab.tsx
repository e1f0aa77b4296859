import {TextLines, type Line} from './text-lines.js';
import type {VmSnapshot} from '../host/snapshot-types.js';
import {formatDuration} from '../core/units.js';
import {bar, formatSize, percent} from './format.js';
import type {Theme} from './theme.js';

export interface MigrationTabProps {
  readonly vm: VmSnapshot;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

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
    const {ram} = migration;
    const sentFraction =
      ram.total > 0 ? Math.min(1, (ram.normalBytes + ram.duplicate * ram.pageSize) / ram.total) : 0;
    const bandwidth = (ram.mbps * 1_000_000) / 8;
    const etaUs = bandwidth > 0 ? (ram.remaining / bandwidth) * 1_000_000 : 0;
    const barWidth = Math.max(10, Math.min(40, width - 30));
    const statusColor =
      migration.status === 'failed'
        ? theme.error
        : migration.status === 'completed'
          ? theme.secure
          : theme.accent;
    lines.push({
      text: `${migration.status.toUpperCase()} -> ${migration.to}   pass ${ram.dirtySyncCount + 1}   total ${formatDuration(migration.totalTimeMs * 1000)} (setup ${migration.setupTimeMs} ms)`,
      color: statusColor,
    });
    lines.push({text: `first pass ${bar(sentFraction, barWidth)} ${percent(sentFraction)}`});
    lines.push({
      text: `sent ${formatSize(ram.transferred)}  remaining ${formatSize(ram.remaining)}  of ${formatSize(ram.total)}  (${ram.normal} normal, ${ram.duplicate} zero pages)`,
    });
    lines.push({
      text: `rate ${ram.mbps} Mbit/s, ${ram.pagesPerSecond} pages/s   dirtying ${formatSize(ram.dirtyPagesRate * ram.pageSize)}/s`,
    });
    lines.push({
      text: `expected downtime ${migration.expectedDowntimeMs} ms${migration.downtimeMs > 0 ? `   downtime ${migration.downtimeMs} ms` : ''}${migration.status === 'active' ? `   ETA pass ${formatDuration(etaUs)}` : ''}${migration.throttlePercent > 0 ? `   throttle ${migration.throttlePercent}%` : ''}`,
    });
    if (migration.errorDesc) lines.push({text: `error: ${migration.errorDesc}`, color: theme.error});
  }
  return <TextLines lines={lines} width={width} height={height} />;
}
