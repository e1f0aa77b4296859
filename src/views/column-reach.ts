import type {EsmFailureCode} from '../host/ultravisor.js';
import type {
  DeviceSnapshot,
  SecurityPhase,
  SecurityState,
  VmSnapshot,
  VmState,
} from '../host/snapshot-types.js';
import type {SortKey} from './dashboard-model.js';
import {createTheme} from './theme.js';
import type {Column} from './vm-columns.js';

// A VM boots, turns secure or fails, and its devices break, with nobody pressing a key: the
// columns are chosen and sized for every state the listed VMs can reach, so the list keeps its
// columns and their widths while it happens (a tester saw them change at 80 columns as VMs booted).

/** Every member of a union, from a record that must name each one (a new one is a compile error until listed). */
const everyOf = <T extends string>(members: Record<T, true>): T[] => Object.keys(members) as T[];

const PHASES = everyOf<SecurityPhase>({
  firmware: true,
  bootloader: true,
  kernel: true,
  esm: true,
  verify: true,
  convert: true,
  'init-done': true,
  swiotlb: true,
  reprobe: true,
  probe: true,
  running: true,
  secure: true,
  shutdown: true,
  halted: true,
});
const STATES = everyOf<VmState>({booting: true, running: true, paused: true, migrating: true, halted: true});
const FAILURES = everyOf<EsmFailureCode>({
  H_UNSUPPORTED: true,
  H_AUTHORITY: true,
  U_PERMISSION: true,
  U_RETRY: true,
});
const DEVICE_STATUSES = everyOf<DeviceSnapshot['status']>({ok: true, 'needs-reset': true, refused: true});

type Reached = (vm: VmSnapshot) => VmSnapshot[];

/** Each security state with the details its cell shows: the phase while transitioning, the code once failed. */
const SECURITY_REACH: Readonly<Record<SecurityState, Reached>> = {
  normal: (vm) => [{...vm, security: {...vm.security, state: 'normal'}}],
  secure: (vm) => [{...vm, security: {...vm.security, state: 'secure'}}],
  transitioning: (vm) =>
    PHASES.map((phase) => ({...vm, security: {...vm.security, state: 'transitioning', phase, progress: 1}})),
  failed: (vm) =>
    FAILURES.map((failureCode) => ({...vm, security: {...vm.security, state: 'failed', failureCode}})),
};

/** The widest a column's cells get over the states a VM can reach: whole, and in short forms. */
interface Reach {
  readonly longest: number;
  readonly shortest: number;
}

/** The states each column that moves on its own can show, as snapshots of `vm` in them. */
const REACHABLE: Readonly<Partial<Record<string, Reached>>> = {
  state: (vm) => [
    ...STATES.map((state) => ({...vm, state})),
    ...PHASES.map((phase) => ({...vm, state: 'booting' as const, security: {...vm.security, phase}})),
  ],
  security: (vm) => Object.values(SECURITY_REACH).flatMap((reach) => reach(vm)),
  devices: (vm) =>
    DEVICE_STATUSES.map((status) => ({
      ...vm,
      devices: vm.devices.map((device): DeviceSnapshot => ({...device, status})),
    })),
} satisfies Partial<Record<SortKey, Reached>>;

/** By launch security declared and device count: what a column's reach depends on besides the column. */
type ReachesByDeclared = Map<VmSnapshot['security']['declared'], (Reach | undefined)[]>;
const theme = createTheme(false);

/** How to ask `column`'s reach for a VM, or null for a column that changes only by a command. */
export function reachFor(column: Column): ((vm: VmSnapshot) => Reach) | null {
  let reachOf = reachers.get(column.key);
  if (reachOf === undefined) reachers.set(column.key, (reachOf = makeReacher(column)));
  return reachOf;
}

/**
 * One asker per column for the process's life, not one a frame: asked for each listed VM at every
 * frame, it keeps its optimized code across major collections (column-layout.ts says why).
 */
const reachers = new Map<string, ((vm: VmSnapshot) => Reach) | null>();

function makeReacher(column: Column): ((vm: VmSnapshot) => Reach) | null {
  // Any VM may get a bounce pool (it turns secure, or its kernel bounces): room for the bar.
  if (column.key === 'bounce') {
    const bounds = {longest: column.maxWidth, shortest: column.minWidth};
    return () => bounds;
  }
  const states = REACHABLE[column.key];
  if (!states) return null;
  // Nested, not a joined key: asked for every listed VM at every frame (200 at a time).
  const cache: ReachesByDeclared = new Map();
  return (vm) => {
    let byDevices = cache.get(vm.security.declared);
    if (!byDevices) cache.set(vm.security.declared, (byDevices = []));
    return (byDevices[vm.devices.length] ??= measureReach(column, states(vm)));
  };
}

function measureReach(column: Column, reached: readonly VmSnapshot[]): Reach {
  let longest = 0;
  let shortest = 0;
  for (const snapshot of reached) {
    const cell = column.cell(snapshot, theme);
    longest = Math.max(longest, cell.text.length);
    shortest = Math.max(shortest, (cell.short ?? cell.text).length);
  }
  return {longest, shortest};
}
