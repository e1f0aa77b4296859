import type {VmSnapshot} from '../host/snapshot-types.js';
import {layoutOf} from './dashboard-layout.js';
import type {DashboardState} from './dashboard-state.js';
import {orderVms} from './vm-order.js';

/** The index of the highlighted VM in the list, or -1. */
export function selectedIndex(state: DashboardState): number {
  return state.vms.findIndex((vm) => vm.name === state.selectedVm);
}

/** Highlights the listed VM at `index` (clamped) and scrolls the list to keep it in view. */
export function selectIndex(state: DashboardState, index: number): DashboardState {
  if (state.vms.length === 0) return {...state, selectedVm: null, listOffset: 0};
  const clamped = Math.max(0, Math.min(state.vms.length - 1, index));
  const name = state.vms[clamped]!.name;
  // Another VM's events start from its newest, as a new tab's do.
  const eventsBack = name === state.selectedVm ? state.eventsBack : 0;
  return scrollToSelection({...state, selectedVm: name, eventsBack});
}

/** Moves the list's window so the highlighted VM is on screen, and never past the end. */
export function scrollToSelection(state: DashboardState): DashboardState {
  const rows = layoutOf(state).listBodyRows;
  const index = Math.max(0, selectedIndex(state));
  let offset = state.listOffset;
  if (index < offset) offset = index;
  if (index >= offset + rows) offset = index - rows + 1;
  offset = Math.max(0, Math.min(offset, Math.max(0, state.vms.length - rows)));
  return offset === state.listOffset ? state : {...state, listOffset: offset};
}

/** Lists the VMs again (new snapshot, filter or sort), keeping the selection or its neighbour. */
export function relist(state: DashboardState, all: readonly VmSnapshot[]): DashboardState {
  const vms = orderVms(all, state.filter, state.sortKey, state.isSortDescending);
  const kept = vms.some((vm) => vm.name === state.selectedVm)
    ? state.selectedVm
    : neighbourOf(state.vms, state.selectedVm, vms);
  return scrollToSelection({...state, vms, selectedVm: kept});
}

/**
 * The VM to highlight when the highlighted one left the list: the next one below it in the old
 * order that is still listed, else the nearest above, else the first.
 */
function neighbourOf(
  before: readonly VmSnapshot[],
  selected: string | null,
  after: readonly VmSnapshot[],
): string | null {
  const listed = new Set(after.map((vm) => vm.name));
  const index = before.findIndex((vm) => vm.name === selected);
  if (index >= 0) {
    for (let below = index + 1; below < before.length; below++)
      if (listed.has(before[below]!.name)) return before[below]!.name;
    for (let above = index - 1; above >= 0; above--)
      if (listed.has(before[above]!.name)) return before[above]!.name;
  }
  return after[0]?.name ?? null;
}
