import type {VmSnapshot} from '../host/snapshot-types.js';
import {bar, formatSize, percent, rate} from './format.js';
import {securityColor, type Theme} from './theme.js';

export interface Cell {
  readonly text: string;
  readonly color?: string | undefined;
}

export interface Column {
  readonly key: string;
  readonly title: string;
  readonly width: number;
  readonly align: 'left' | 'right';
  /** Lower shows first when the terminal is narrow. */
  readonly priority: number;
  cell(vm: VmSnapshot, theme: Theme): Cell;
}

const POLICY_SHORT = {legacy: 'legacy', 'force-dma-api': 'force', restricted: 'restrict'} as const;

/** What the security column says: normal / phase with progress / secure / secure (undeclared) / failed. */
export function securityLabel(vm: VmSnapshot): string {
  const security = vm.security;
  if (security.state === 'secure') return security.declared === 'none' ? 'secure (undeclared)' : 'secure';
  if (security.state === 'failed') return `failed ${security.failureCode ?? ''}`.trim();
  if (security.state === 'transitioning')
    return security.phase === 'convert' ? `convert ${percent(security.progress)}` : security.phase;
  return 'normal';
}

/** Peak use of the bounce pool over the last second, as a fraction of the pool. */
export function bounceFraction(vm: VmSnapshot): number {
  return vm.swiotlb ? vm.swiotlb.recentPeak / vm.swiotlb.nslabs : 0;
}

export function migrationLabel(vm: VmSnapshot): string {
  const migration = vm.migration;
  if (!migration) return '-';
  if (migration.blockedReasons.length > 0) return `blocked->${migration.to}`;
  const {ram} = migration;
  const sent = ram.total > 0 ? Math.min(1, (ram.normalBytes + ram.duplicate * ram.pageSize) / ram.total) : 0;
  switch (migration.status) {
    case 'active':
      return `->${migration.to} ${ram.dirtySyncCount === 0 ? percent(sent) : `pass ${ram.dirtySyncCount + 1}`}`;
    case 'completed':
      return `done ${migration.downtimeMs}ms`;
    default:
      return `${migration.status}`;
  }
}

export const VM_COLUMNS: readonly Column[] = [
  {key: 'name', title: 'VM', width: 11, align: 'left', priority: 0, cell: (vm) => ({text: vm.name})},
  {key: 'host', title: 'HOST', width: 6, align: 'left', priority: 1, cell: (vm) => ({text: vm.host})},
  {
    key: 'state',
    title: 'STATE',
    width: 9,
    align: 'left',
    priority: 0,
    cell: (vm, theme) => ({
      text: vm.state === 'booting' ? vm.security.phase : vm.state,
      color: vm.state === 'halted' ? theme.failed : vm.state === 'paused' ? theme.warning : undefined,
    }),
  },
  {
    key: 'security',
    title: 'SECURITY',
    width: 19,
    align: 'left',
    priority: 0,
    cell: (vm, theme) => ({
      text: securityLabel(vm),
      color: securityColor(theme, vm.security.state, vm.security.declared === 'none'),
    }),
  },
  {
    key: 'dma',
    title: 'DMA',
    width: 8,
    align: 'left',
    priority: 2,
    cell: (vm) => ({text: POLICY_SHORT[vm.dmaPolicy]}),
  },
  {
    key: 'bounce',
    title: 'BOUNCE PEAK',
    width: 11,
    align: 'left',
    priority: 1,
    cell: (vm, theme) => {
      if (!vm.swiotlb) return {text: '-'};
      const fraction = bounceFraction(vm);
      const color = fraction >= 0.9 ? theme.hot : fraction >= 0.6 ? theme.warm : undefined;
      return {text: `${bar(fraction, 6)} ${percent(fraction).padStart(4)}`, color};
    },
  },
  {
    key: 'io',
    title: 'I/O',
    width: 9,
    align: 'right',
    priority: 2,
    cell: (vm) => ({text: rate(vm.io.bytesPerSecond)}),
  },
  {
    key: 'balloon',
    title: 'BALLOON',
    width: 8,
    align: 'right',
    priority: 3,
    cell: (vm, theme) => {
      if (!vm.balloon) return {text: '-'};
      if (vm.balloon.actualBytes === 0 && !vm.balloon.available) return {text: 'n/a', color: theme.warning};
      return {text: vm.balloon.actualBytes === 0 ? '0' : formatSize(vm.balloon.actualBytes).replace(' ', '')};
    },
  },
  {
    key: 'migration',
    title: 'MIGRATION',
    width: 15,
    align: 'left',
    priority: 3,
    cell: (vm, theme) => ({
      text: migrationLabel(vm),
      color:
        vm.migration?.status === 'failed'
          ? theme.failed
          : vm.migration?.status === 'active'
            ? theme.accent
            : undefined,
    }),
  },
];

/** The columns that fit in `width` cells (one space between columns), most important first, in table order. */
export function columnsForWidth(width: number): Column[] {
  const chosen = new Set<Column>();
  let used = 0;
  for (const column of [...VM_COLUMNS].sort((a, b) => a.priority - b.priority)) {
    const needed = column.width + (chosen.size > 0 ? 1 : 0);
    if (used + needed > width) continue;
    chosen.add(column);
    used += needed;
  }
  return VM_COLUMNS.filter((column) => chosen.has(column));
}
