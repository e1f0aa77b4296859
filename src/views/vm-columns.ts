import {isMigrationRunning} from '../host/command-preview.js';
import type {DmaPolicy} from '../host/config/world-schema.js';
import {DMA_POLICY_LABELS} from '../host/dma-policy.js';
import type {VmSnapshot} from '../host/snapshot-types.js';
import {deviceTrouble} from './device-trouble.js';
import {formatBytes, formatRate, formatSpan, percent} from './format.js';
import {securityColor, type Theme} from './theme.js';

/** A cell: its text, a deliberate shorter form for narrow columns, a colour, and a bar to draw. */
export interface Cell {
  readonly text: string;
  readonly short?: string | undefined;
  readonly color?: string | undefined;
  /** Draw a bar of this fraction in the room the text leaves (the bounce column). */
  readonly bar?: number | undefined;
}

export interface Column {
  readonly key: string;
  /** Header titles, longest first; the longest that fits is shown. */
  readonly titles: readonly string[];
  readonly align: 'left' | 'right';
  /** 0 is always shown; higher numbers are hidden first when the terminal is narrow. */
  readonly priority: number;
  /** The least width the column is given. */
  readonly minWidth: number;
  /** The most width its content gets (longer text is abbreviated or cut). */
  readonly maxWidth: number;
  /** Text may be cut with `+` below its length (names: the detail line shows them whole). */
  readonly isCuttable?: boolean;
  /** A cuttable column is cut no shorter than this (or its longest text, if shorter). */
  readonly cutWidthMin?: number;
  /** Room the column takes beyond its content when the terminal has some left (a longer bar). */
  readonly growWidth?: number;
  cell(vm: VmSnapshot, theme: Theme): Cell;
}

const POLICY_SHORT: Readonly<Record<DmaPolicy, string>> = {
  'access-platform-gated': DMA_POLICY_LABELS['access-platform-gated'].short,
  'force-dma-api': DMA_POLICY_LABELS['force-dma-api'].short,
  restricted: DMA_POLICY_LABELS.restricted.short,
};

// The column is as wide as any state its VM reaches (column-reach.ts): in their short forms none is
// wider than `running`, so at 80 columns a booting VM costs no other column its place.
const STATE_SHORT: Readonly<Partial<Record<string, string>>> = {
  bootloader: 'bootldr',
  firmware: 'firmwr',
  'init-done': 'initdn',
  migrating: 'migr',
  shutdown: 'shutdn',
};

/** What the STATE column says: a booting VM's boot phase (`firmware`, `kernel`), else its state. */
export function stateLabel(vm: VmSnapshot): string {
  return vm.state === 'booting' ? vm.security.phase : vm.state;
}

/** What the security column says: normal / phase with progress / secure / secure (undeclared) / failed. */
export function securityLabel(vm: VmSnapshot): string {
  const security = vm.security;
  if (security.state === 'secure') return security.declared === 'none' ? 'secure (undeclared)' : 'secure';
  if (security.state === 'failed') return `failed ${security.failureCode ?? ''}`.trim();
  if (security.state === 'transitioning')
    return security.phase === 'convert' ? `convert ${percent(security.progress)}` : security.phase;
  return 'normal';
}

function securityShort(vm: VmSnapshot): string | undefined {
  const security = vm.security;
  if (security.state === 'secure' && security.declared === 'none') return 'sec-undecl';
  if (security.state === 'failed') return 'failed';
  if (security.state === 'transitioning' && security.phase === 'convert')
    return `conv ${percent(security.progress)}`;
  return undefined;
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
    case 'active': {
      // dirty-sync-count is 1 from setup on: the first pass is the bulk one.
      const progress = ram.dirtySyncCount <= 1 ? percent(sent) : `pass ${ram.dirtySyncCount}`;
      // The mark right after the destination stays when the cell gives way to its first word.
      return `->${migration.to}${migration.convergence?.code === 'not-converging' ? '!' : ''} ${progress}`;
    }
    case 'completed':
      return `done ${formatSpan(migration.downtimeMs)}`;
    default:
      return `${migration.status}`;
  }
}

/** The DMA policy in effect, and the next boot's when it differs (else null). */
function dmaPolicies(vm: VmSnapshot): {readonly now: DmaPolicy; readonly next: DmaPolicy | null} {
  const now = vm.dmaPolicyInEffect ?? vm.dmaPolicy;
  return {now, next: now === vm.dmaPolicy ? null : vm.dmaPolicy};
}

/** The DMA policy in effect, and the next boot's when it differs (`gated>rfc`): the column's text. */
export function dmaLabel(vm: VmSnapshot): string {
  const {now, next} = dmaPolicies(vm);
  return next === null ? POLICY_SHORT[now] : `${POLICY_SHORT[now]}>${POLICY_SHORT[next]}`;
}

function dmaCell(vm: VmSnapshot, theme: Theme): Cell {
  const {now, next} = dmaPolicies(vm);
  if (next === null) return {text: dmaLabel(vm)};
  return {text: dmaLabel(vm), short: `${POLICY_SHORT[now]}*`, color: theme.warning};
}

/** Device health at a glance: broken (needs reset) first, then refused at probe. */
function devicesCell(vm: VmSnapshot, theme: Theme): Cell {
  if (vm.devices.length === 0) return {text: '-'};
  const {broken, refused} = deviceTrouble(vm);
  if (broken > 0) return {text: `${broken} broken`, short: `${broken} brk`, color: theme.failed};
  if (refused > 0) return {text: `${refused} refused`, short: `${refused} ref`, color: theme.warning};
  return {text: 'ok'};
}

function bounceCell(vm: VmSnapshot, theme: Theme): Cell {
  if (!vm.swiotlb) return {text: '-'};
  const fraction = bounceFraction(vm);
  const hasFailures = vm.swiotlb.mapFailures > 0;
  const color = hasFailures || fraction >= 0.9 ? theme.hot : fraction >= 0.6 ? theme.warm : undefined;
  return {text: `${percent(fraction).padStart(4)}${hasFailures ? '!' : ' '}`, color, bar: fraction};
}

function balloonCell(vm: VmSnapshot, theme: Theme): Cell {
  const balloon = vm.balloon;
  if (!balloon) return {text: '-'};
  // Empty and deflate only: nothing to give back, and inflating would reclaim nothing.
  const isUseless = !balloon.available || balloon.reasonCode === 'deflate-only';
  if (balloon.actualBytes === 0 && isUseless) return {text: 'n/a', color: theme.warning};
  if (balloon.actualBytes === 0) return {text: '0'};
  const isShort = balloon.reclaimedBytes < balloon.actualBytes;
  return {
    text: `${formatBytes(balloon.actualBytes)}/${formatBytes(balloon.reclaimedBytes)}`,
    short: `${formatBytes(balloon.actualBytes)}${isShort ? '!' : ''}`,
    color: isShort ? theme.warning : undefined,
  };
}

export const VM_COLUMNS: readonly Column[] = [
  {
    key: 'name',
    titles: ['VM'],
    align: 'left',
    priority: 0,
    minWidth: 10,
    maxWidth: 32,
    isCuttable: true,
    // libvirt names are often 20 characters and more: they keep that much before anything is cut.
    cutWidthMin: 20,
    cell: (vm) => ({text: vm.name}),
  },
  {
    key: 'host',
    titles: ['HOST'],
    align: 'left',
    priority: 1,
    minWidth: 5,
    maxWidth: 16,
    // A host name is never cut: the column is as wide as the longest (up to its maximum).
    cell: (vm) => ({text: vm.host}),
  },
  {
    key: 'state',
    titles: ['STATE'],
    align: 'left',
    priority: 0,
    minWidth: 7,
    maxWidth: 10,
    cell: (vm, theme) => {
      const text = stateLabel(vm);
      const color = vm.state === 'halted' ? theme.failed : vm.state === 'paused' ? theme.warning : undefined;
      return {text, short: STATE_SHORT[text], color};
    },
  },
  {
    key: 'security',
    titles: ['SECURITY', 'SECURE'],
    align: 'left',
    priority: 0,
    minWidth: 6,
    maxWidth: 20,
    cell: (vm, theme) => ({
      text: securityLabel(vm),
      short: securityShort(vm),
      color: securityColor(theme, vm.security.state, vm.security.declared === 'none'),
    }),
  },
  {
    key: 'devices',
    titles: ['DEVICES', 'DEV'],
    align: 'left',
    priority: 1,
    minWidth: 3,
    maxWidth: 9,
    cell: devicesCell,
  },
  {key: 'dma', titles: ['DMA'], align: 'left', priority: 2, minWidth: 6, maxWidth: 17, cell: dmaCell},
  {
    key: 'bounce',
    titles: ['BOUNCE PEAK', 'BOUNCE'],
    align: 'left',
    priority: 1,
    minWidth: 10,
    maxWidth: 12,
    growWidth: 14,
    cell: bounceCell,
  },
  {
    key: 'io',
    titles: ['I/O'],
    align: 'right',
    priority: 3,
    minWidth: 8,
    maxWidth: 9,
    cell: (vm) => ({text: formatRate(vm.io.bytesPerSecond)}),
  },
  {
    key: 'balloon',
    titles: ['BALLOON', 'BALLN'],
    align: 'right',
    priority: 3,
    minWidth: 5,
    maxWidth: 15,
    cell: balloonCell,
  },
  {
    key: 'migration',
    titles: ['MIGRATION', 'MIGR'],
    align: 'left',
    // What a VM is doing now outranks its DMA policy (the detail header names that in full).
    priority: 1,
    minWidth: 9,
    maxWidth: 20,
    cell: (vm, theme) => ({
      text: migrationLabel(vm),
      // Where it goes (and its mark) before how far it got: the migration tab has the rest.
      short: migrationLabel(vm).split(' ')[0],
      color:
        vm.migration?.status === 'failed'
          ? theme.failed
          : vm.migration?.convergence?.code === 'not-converging'
            ? theme.warning
            : isMigrationRunning(vm.migration)
              ? theme.accent
              : undefined,
    }),
  },
  // Shown only where the terminal has room to spare: what each guest is.
  {
    key: 'vcpus',
    titles: ['VCPU'],
    align: 'right',
    priority: 4,
    minWidth: 4,
    maxWidth: 4,
    cell: (vm) => ({text: String(vm.vcpus)}),
  },
  {
    key: 'memory',
    titles: ['MEMORY', 'MEM'],
    align: 'right',
    priority: 4,
    minWidth: 6,
    maxWidth: 8,
    cell: (vm) => ({text: formatBytes(vm.memoryBytes)}),
  },
  {
    key: 'workload',
    titles: ['WORKLOAD', 'LOAD'],
    align: 'left',
    priority: 4,
    minWidth: 6,
    maxWidth: 8,
    cell: (vm) => ({text: vm.workload}),
  },
];
