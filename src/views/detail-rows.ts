import type {VmSnapshot} from '../host/snapshot-types.js';
import type {DashboardState, DetailRowsSeen, ListedVms, Tab} from './dashboard-state.js';
import {detailLines} from './detail-header.js';
import {asciiTableHeight, deviceRowsOf, isAsciiTableFitting} from './device-table-fit.js';
import {problemLines} from './devices-tab.js';
import {migrationLines} from './migration-tab.js';
import {swiotlbLines} from './swiotlb-tab.js';
import {rowCount} from './text-lines.js';
import {createTheme} from './theme.js';

// How many rows the detail panel's open tab wants, so the VM list above it can have the rest
// (a 30-VM world at 80x24 listed 7 VMs above 8 blank rows).

/**
 * The rows the panel wants, out of the `room` it can get: what the selected VM's tab takes, or
 * more if a VM selected before took more on this tab, at this width and room, among the same
 * listed VMs. So moving the selection moves the list's lower edge only down the screen, where the
 * panel needs a row more, never back and forth; another set of VMs (a reload, a filter) starts
 * again from the selected one. Null on the events tab, a log that fills whatever it is given.
 * (The tallest over every listed VM would be steadier still, but costs 0.1 ms a VM at each
 * snapshot: 20 ms for 200.)
 */
export function detailRowsWanted(state: DashboardState, room: number): number | null {
  if (state.tab === 'events') return null;
  const vm = state.vms.find((listed) => listed.name === state.selectedVm);
  const wanted = vm ? vmDetailRows(vm, state.tab, state.size.columns, room) : 1;
  const seen = state.detailRowsSeen;
  return seen && isSameSight(seen, state, room) ? Math.max(wanted, seen.rows) : wanted;
}

/** The state remembering what the panel wants now (kept by the reducer after every intent). */
export function withDetailRowsSeen(state: DashboardState, room: number): DashboardState {
  const rows = detailRowsWanted(state, room);
  const seen = state.detailRowsSeen;
  if (rows === null) return seen === null ? state : {...state, detailRowsSeen: null};
  if (seen?.rows === rows && isSameSight(seen, state, room)) return state;
  const {tab, size} = state;
  return {...state, detailRowsSeen: {tab, columns: size.columns, room, vms: listingOf(state.vms), rows}};
}

function isSameSight(seen: DetailRowsSeen, state: DashboardState, room: number): boolean {
  return (
    seen.tab === state.tab &&
    seen.columns === state.size.columns &&
    seen.room === room &&
    isSameListing(seen.vms, state.vms)
  );
}

function listingOf(vms: readonly VmSnapshot[]): ListedVms {
  return new Map(vms.map((vm) => [vm.name, vm.devices]));
}

/**
 * The same VMs listed, in any order (a sort by CPU reorders them at each snapshot), with the same
 * devices (id and type): a reload that rebuilds a VM's devices keeps its name. Compared in place,
 * each frame, without building a key (a sorted key string of 200 VMs cost 0.5 ms a frame).
 * Simplified: a reload changing only what the swiotlb or migration tab shows keeps the mark.
 */
function isSameListing(seen: ListedVms, vms: readonly VmSnapshot[]): boolean {
  // Asked again by each layout of the same frame (the reducer's, the list's, the mouse's): once is enough.
  if (lastCompared?.seen !== seen || lastCompared.vms !== vms) {
    lastCompared = {seen, vms, isSame: compareListing(seen, vms)};
  }
  return lastCompared.isSame;
}

let lastCompared: {
  readonly seen: ListedVms;
  readonly vms: readonly VmSnapshot[];
  readonly isSame: boolean;
} | null = null;

function compareListing(seen: ListedVms, vms: readonly VmSnapshot[]): boolean {
  if (seen.size !== vms.length) return false;
  for (const vm of vms) {
    const devices = seen.get(vm.name);
    if (devices === undefined || devices.length !== vm.devices.length) return false;
    for (let index = 0; index < devices.length; index++) {
      const device = vm.devices[index]!;
      if (devices[index]!.id !== device.id || devices[index]!.type !== device.type) return false;
    }
  }
  return true;
}

/** Colours do not change how many rows a line takes. */
const COUNTING_THEME = createTheme(false);

/** By snapshot: a layout asks several times a frame for the same VM. */
const cache = new WeakMap<VmSnapshot, {readonly key: string; readonly rows: number}>();

function vmDetailRows(vm: VmSnapshot, tab: Exclude<Tab, 'events'>, width: number, room: number): number {
  const key = `${tab}:${width}:${room}`;
  const cached = cache.get(vm);
  if (cached?.key === key) return cached.rows;
  const {header, notices, bodyHeight} = detailLines(vm, tab, width, room);
  const rows = header.length + notices.length + tabRows(vm, tab, width, bodyHeight);
  cache.set(vm, {key, rows});
  return rows;
}

/** Rows the tab's body takes when it has them all (each tab wraps its lines to `width - 1`). */
function tabRows(vm: VmSnapshot, tab: Exclude<Tab, 'events'>, width: number, height: number): number {
  switch (tab) {
    case 'swiotlb':
      return rowCount(swiotlbLines(vm, width, COUNTING_THEME), width - 1);
    case 'migration':
      return rowCount(migrationLines(vm, width, COUNTING_THEME), width - 1);
    case 'devices':
      return deviceRows(vm, width, height);
  }
}

/**
 * The devices tab in the form it draws in the `height` its body can get (devices-tab asks the
 * same isAsciiTableFitting): the ASCII table with a row under it for each device, kept for
 * problems so the form does not flip when one comes; else the compact table, its heading and
 * its problems.
 */
function deviceRows(vm: VmSnapshot, width: number, height: number): number {
  const rows = deviceRowsOf(vm);
  if (rows.length === 0) return 1;
  if (isAsciiTableFitting(rows, width, height)) return asciiTableHeight(rows) + rows.length;
  return rows.length + 1 + rowCount(problemLines(vm, COUNTING_THEME), width - 1);
}
