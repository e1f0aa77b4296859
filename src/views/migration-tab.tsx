import {isMigrationRunning} from '../host/command-preview.js';
import {BUFFER_DELAY_US} from '../host/migration/transfer-rates.js';
import type {MigrationSnapshot, MigrationWayOut, VmSnapshot} from '../host/snapshot-types.js';
import {bar, formatBytes, formatPageSize, formatRate, formatSpan, percent, wrapWords} from './format.js';
import {MIGRATION_WAY_KEYS} from './key-bindings.js';
import {TextLines, type Line} from './text-lines.js';
import type {Theme} from './theme.js';

export interface MigrationTabProps {
  readonly vm: VmSnapshot;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/** query-migrate for the selected VM: phase, progress, counters, rates, downtime, convergence, blockers. */
export function MigrationTab({vm, width, height, theme}: MigrationTabProps) {
  return <TextLines lines={migrationLines(vm, width, theme)} width={width - 1} height={height} />;
}

/** The tab's lines, before wrapping (the layout counts them too: detail-rows.ts). */
export function migrationLines(vm: VmSnapshot, width: number, theme: Theme): Line[] {
  const migration = vm.migration;
  const lines: Line[] = [];
  if (!migration) {
    lines.push({
      text: 'no migration. m picks a destination (each host says whether it would accept and why not).',
    });
  } else if (migration.blockedReasons.length > 0) {
    lines.push({text: `migration to ${migration.to} refused before it started:`, color: theme.error});
    for (const reason of migration.blockedReasons) lines.push({text: `  - ${reason}`, color: theme.error});
  } else if (isMigrationRunning(migration)) {
    lines.push(...runningLines(migration, width, theme), ...convergenceLines(migration, width - 1, theme));
  } else {
    lines.push(...endedLines(migration, theme));
  }
  return lines;
}

/** A migration under way: where it is, what went, how fast, what the downtime would be. */
function runningLines(migration: MigrationSnapshot, width: number, theme: Theme): Line[] {
  const {ram} = migration;
  const phase = migration.phase && migration.phase !== migration.status ? ` (${migration.phase})` : '';
  // qemu/qemu migration/migration.c fill_source_migration_info: in setup, the status alone.
  if (migration.status === 'setup')
    return [
      {text: `SETUP${phase} -> ${migration.to}`, color: theme.accent},
      {text: 'setting up the stream: query-migrate reports only the status in setup'},
    ];
  const isFirstPass = ram.dirtySyncCount <= 1;
  const sentFraction =
    ram.total > 0 ? Math.min(1, ((ram.normal + ram.duplicate) * ram.pageSize) / ram.total) : 0;
  const barWidth = Math.max(10, Math.min(40, width - 40));
  return [
    {
      text: `${migration.status.toUpperCase()}${phase} -> ${migration.to}   pass ${Math.max(1, ram.dirtySyncCount)}   total ${formatSpan(migration.totalTimeMs)} (setup ${formatSpan(migration.setupTimeMs)})`,
      color: theme.accent,
    },
    {
      text: isFirstPass
        ? `first pass ${bar(sentFraction, barWidth)} ${percent(sentFraction)}, ${formatBytes(ram.remaining)} of ${formatBytes(ram.total)} to go`
        : `${formatBytes(ram.remaining)} pending; switches over below ${formatBytes(migration.thresholdBytes)} (measured bandwidth x ${formatSpan(migration.parameters.downtimeLimitMs)} limit)`,
    },
    {
      text: `sent ${formatBytes(ram.transferred)}: ${pagesText(migration)}`,
      cut: {order: 1, label: 'the sent pages'},
    },
    ...ratesAndDowntime(migration, width - 1),
    ...rateHolderLines(migration),
  ];
}

/**
 * When max-bandwidth is not what holds the rate (the link, or a secure guest's export through the
 * ultravisor), the closed max-bandwidth way says what is; a pre-copy that does not converge lists it
 * among its ways out already.
 */
function rateHolderLines(migration: MigrationSnapshot): Line[] {
  const convergence = migration.convergence;
  if (!convergence || convergence.code === 'not-converging') return [];
  const way = convergence.waysOut.find((candidate) => candidate.code === 'max-bandwidth');
  if (!way || way.isAvailable) return [];
  return [{text: way.reason, cut: {order: 2, label: 'what holds the rate'}}];
}

const GAP = '   ';

/**
 * The rates and the downtime: on one line where they fit (without the rate in Mbit/s if need
 * be), so that a pre-copy that does not converge shows its ways out whole at 80x24.
 */
function ratesAndDowntime(migration: MigrationSnapshot, width: number): Line[] {
  const [rate, dirty, downtime] = [rateText(migration), dirtyText(migration), downtimeText(migration)];
  const oneLine = `${rate}${GAP}${dirty}${GAP}${downtime}`;
  if (oneLine.length <= width) return [{text: oneLine}];
  const shorter = `${rateText(migration, false)}${GAP}${dirty}${GAP}${downtime}`;
  if (shorter.length <= width) return [{text: shorter}];
  return [{text: `${rate}${GAP}${dirty}`}, {text: downtime}];
}

/** QEMU counts 4 KiB target pages; a secure guest's secure pages go encrypted and are never zero pages. */
function pagesText(migration: MigrationSnapshot): string {
  const {ram, encryptedPages} = migration;
  const size = `${formatPageSize(ram.pageSize)} pages`;
  if (encryptedPages === 0) return `${ram.normal} normal + ${ram.duplicate} zero ${size}`;
  return `${ram.normal} normal ${size}, ${encryptedPages} of them encrypted; ${ram.duplicate} zero (shared pages the host can read)`;
}

/** The bandwidth measured, in bytes and (`withMbits`) as QEMU's `mbps`. */
function rateText(migration: MigrationSnapshot, withMbits = true): string {
  const {ram} = migration;
  if (!migration.isBandwidthMeasured)
    return `rate: none yet (measured every ${formatSpan(BUFFER_DELAY_US / 1000)})`;
  const rate = `rate ${formatRate((ram.mbps * 1_000_000) / 8)}`;
  return withMbits ? `${rate} (${Math.round(ram.mbps)} Mbit/s)` : rate;
}

function dirtyText(migration: MigrationSnapshot): string {
  if (!migration.isDirtyRateMeasured) return 'dirty rate: known after the first pass';
  return `dirtying ${formatRate(migration.ram.dirtyPagesRate * migration.ram.pageSize)}`;
}

function downtimeText(migration: MigrationSnapshot): string {
  const limit = migration.parameters.downtimeLimitMs;
  const expected = migration.isDirtyRateMeasured
    ? `expected downtime ${formatSpan(migration.expectedDowntimeMs)} (limit ${formatSpan(limit)})`
    : `expected downtime ${formatSpan(migration.expectedDowntimeMs)}: the limit, until QEMU has a dirty rate`;
  const throttle =
    migration.throttlePercent > 0 ? `   auto-converge throttle ${migration.throttlePercent}%` : '';
  const autoConverge =
    migration.parameters.autoConverge && migration.throttlePercent === 0 ? '   auto-converge on' : '';
  return expected + throttle + autoConverge;
}

/** Whether the pre-copy gets anywhere; when it does not, why, and QEMU's ways out as keys. */
function convergenceLines(migration: MigrationSnapshot, width: number, theme: Theme): Line[] {
  const convergence = migration.convergence;
  if (!convergence || convergence.code === 'measuring') return [];
  if (convergence.code === 'converging')
    return wrapWords(`converging: ${convergence.reason}`, width).map((text) => ({text}));
  const warn = (text: string): Line => ({text, color: theme.warning});
  return [
    ...wrapWords(`NOT CONVERGING: ${convergence.reason}. QEMU's ways out (keys; c cancels):`, width).map(
      warn,
    ),
    ...convergence.waysOut.flatMap((way) => wayOutLines(way, width)),
  ];
}

/** A way out under its key; one that cannot help now is marked `-` and says why. */
function wayOutLines(way: MigrationWayOut, width: number): Line[] {
  const [first = '', ...rest] = wrapWords(way.reason, width - 5);
  return [
    {text: `  ${way.isAvailable ? MIGRATION_WAY_KEYS[way.code] : '-'}  ${first}`},
    ...rest.map((text) => ({text: `     ${text}`})),
  ];
}

/** A migration that ended: the outcome and the totals; nothing moves any more, so no rates. */
function endedLines(migration: MigrationSnapshot, theme: Theme): Line[] {
  const {ram} = migration;
  const sent = `sent ${formatBytes(ram.transferred)} in ${formatSpan(migration.totalTimeMs)} (${ram.normal} normal, ${ram.duplicate} zero ${formatPageSize(ram.pageSize)} pages)`;
  switch (migration.status) {
    case 'completed':
      return [
        {
          text: `COMPLETED -> ${migration.to}   downtime ${formatSpan(migration.downtimeMs)}`,
          color: theme.secure,
        },
        {text: `${sent}, ${Math.round(ram.mbps)} Mbit/s on average after setup`},
      ];
    case 'failed':
      return [
        {text: `FAILED -> ${migration.to}`, color: theme.error},
        {text: sent},
        {text: `error: ${migration.errorDesc ?? 'unknown'}`, color: theme.error},
      ];
    default:
      return [
        {text: `${migration.status.toUpperCase()} -> ${migration.to}`, color: theme.accent},
        {text: sent},
      ];
  }
}
