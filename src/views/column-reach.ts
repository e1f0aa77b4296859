import type {EsmFailureCode} from '../host/ultravisor.js';
import type {DeviceSnapshot, SecurityPhase, VmSnapshot, VmState} from '../host/snapshot-types.js';
import {createTheme} from './theme.js';
import type {Column} from './vm-columns.js';

// A VM boots, turns secure or fails, and its devices break, with nobody pressing a key: the
// columns are chosen and sized for every state the listed VMs can reach, so the list keeps its
// columns and their widths while it happens (a tester saw them change at 80 columns as VMs booted).

/** Every phase (the record makes a new phase a compile error here until it is listed). */
const PHASES = Object.keys({
  firmware: 0,
  bootloader: 0,
  kernel: 0,
  esm: 0,
  verify: 0,
  convert: 0,
  'init-done': 0,
  swiotlb: 0,
  reprobe: 0,
  probe: 0,
  running: 0,
  secure: 0,
  shutdown: 0,
  halted: 0,
} satisfies Record<SecurityPhase, 0>) as SecurityPhase[];

const STATES: readonly VmState[] = ['booting', 'running', 'paused', 'migrating', 'halted'];
const FAILURES = Object.keys({
  H_UNSUPPORTED: 0,
  H_AUTHORITY: 0,
  U_PERMISSION: 0,
  U_RETRY: 0,
} satisfies Record<EsmFailureCode, 0>) as EsmFailureCode[];

/** The widest a column's cells get over the states a VM can reach: whole, and in short forms. */
interface Reach {
  readonly longest: number;
  readonly shortest: number;
}

/** The states each column that moves on its own can show, as snapshots of `vm` in them. */
const REACHABLE: Readonly<Partial<Record<string, (vm: VmSnapshot) => VmSnapshot[]>>> = {
  state: (vm) => [
    ...STATES.map((state) => ({...vm, state})),
    ...PHASES.map((phase) => ({...vm, state: 'booting' as const, security: {...vm.security, phase}})),
  ],
  security: (vm) => [
    ...(['normal', 'secure'] as const).map((state) => ({...vm, security: {...vm.security, state}})),
    ...PHASES.map((phase) => ({
      ...vm,
      security: {...vm.security, state: 'transitioning' as const, phase, progress: 1},
    })),
    ...FAILURES.map((failureCode) => ({
      ...vm,
      security: {...vm.security, state: 'failed' as const, failureCode},
    })),
  ],
  devices: (vm) =>
    (['ok', 'needs-reset', 'refused'] as const).map((status) => ({
      ...vm,
      devices: vm.devices.map((device): DeviceSnapshot => ({...device, status})),
    })),
};

/** By column, launch security declared and device count: what the reach depends on besides the column. */
type ReachesByDeclared = Map<VmSnapshot['security']['declared'], (Reach | undefined)[]>;
const reaches = new Map<string, ReachesByDeclared>();
const theme = createTheme(false);

/** The reach of `column` for `vm`, or null for a column that changes only by a command. */
export function reachOf(column: Column, vm: VmSnapshot): Reach | null {
  // Any VM may get a bounce pool (it turns secure, or its kernel bounces): room for the bar.
  if (column.key === 'bounce') return {longest: column.maxWidth, shortest: column.minWidth};
  const states = REACHABLE[column.key];
  if (!states) return null;
  // Nested maps, not a joined key: asked for every listed VM at every frame (200 at a time).
  let byDeclared = reaches.get(column.key);
  if (!byDeclared) {
    byDeclared = new Map();
    reaches.set(column.key, byDeclared);
  }
  let byDevices = byDeclared.get(vm.security.declared);
  if (!byDevices) byDeclared.set(vm.security.declared, (byDevices = []));
  return (byDevices[vm.devices.length] ??= measureReach(column, states(vm)));
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
