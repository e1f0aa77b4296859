import type {MigrationCheck} from '../host/migration/migration-blockers.js';
import type {VmSnapshot} from '../host/snapshot-types.js';
import type {DashboardPreferences, DashboardView, SortKey, Tab, VmCommand} from './dashboard-model.js';
import {orderVms} from './vm-order.js';

export {SORT_KEYS, TABS, type SortKey, type Tab} from './dashboard-model.js';

export type Overlay =
  | {readonly kind: 'none'}
  /** `offset`: the first help line shown (the help scrolls where the terminal is short). */
  | {readonly kind: 'help'; readonly offset: number}
  /** The filter being typed; `DashboardState.filter` follows every key. */
  | {readonly kind: 'filter'}
  /** `host`: the highlighted destination, by name. */
  | {
      readonly kind: 'picker';
      readonly vm: string;
      readonly checks: readonly MigrationCheck[];
      readonly host: string | null;
    }
  /** A question whose yes runs `command`; asked only for commands the host would accept. */
  | {readonly kind: 'confirm'; readonly question: string; readonly command: VmCommand};

export interface StatusMessage {
  readonly text: string;
  readonly tone: 'info' | 'warning' | 'error';
  /** Wall-clock time it was shown (it ages out). */
  readonly shownAtMs: number;
}

export type WatchKind = 'secure' | 'unsecure' | 'reboot' | 'migrate' | 'migrate-cancel' | 'balloon';

/** A command that was accepted and whose outcome the status line will report. */
export interface Watch {
  readonly vm: string;
  readonly kind: WatchKind;
  readonly sinceUs: number;
  /** The guest has stopped running since (a reboot is over only after that). */
  readonly hasLeftRunning: boolean;
  /** The status message that promised the outcome: only it, or an empty line, gives way to the outcome. */
  readonly promise: StatusMessage | null;
}

/** VM names to their devices: only each device's id and type count (detail-rows isSameListing). */
export type ListedVms = ReadonlyMap<string, VmSnapshot['devices']>;

/**
 * The most rows the detail panel wanted on a tab, at a width and in a room, for one set of listed
 * VMs (detail-rows.ts): the VMs the selection moves over.
 */
export interface DetailRowsSeen {
  readonly tab: Tab;
  readonly columns: number;
  /** The most rows the panel could get (dashboard-layout detailRoom). */
  readonly room: number;
  /** The listed VMs by name, with their devices (detail-rows isSameListing). */
  readonly vms: ListedVms;
  readonly rows: number;
}

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

/** Everything the dashboard itself holds; host state arrives only as `view`. */
export interface DashboardState {
  readonly view: DashboardView;
  /** The VMs as listed: filtered and sorted. */
  readonly vms: readonly VmSnapshot[];
  /** The highlighted VM, by name; null only when the list is empty. */
  readonly selectedVm: string | null;
  /** The first listed VM on screen. */
  readonly listOffset: number;
  readonly tab: Tab;
  readonly sortKey: SortKey;
  readonly isSortDescending: boolean;
  readonly filter: string;
  readonly overlay: Overlay;
  readonly status: StatusMessage | null;
  readonly watches: readonly Watch[];
  /** Events tab: how many events back from the newest the bottom line is (0 follows new ones). */
  readonly eventsBack: number;
  readonly size: TerminalSize;
  /** The notice already shown, so it is shown once. */
  readonly shownNotice: string | null;
  /** The most rows the detail panel wanted on this tab (detail-rows.ts), or null. */
  readonly detailRowsSeen: DetailRowsSeen | null;
}

export const FILTER_LENGTH_MAX = 40;
/** How long a status message stays up. */
export const STATUS_LIFETIME_MS = 6_000;
export const WATCHES_MAX = 16;

export function initialDashboardState(
  view: DashboardView,
  size: TerminalSize,
  preferences: Partial<DashboardPreferences> = {},
): DashboardState {
  const sortKey = preferences.sortKey ?? 'name';
  const isSortDescending = preferences.isSortDescending ?? false;
  const vms = orderVms(view.world.vms, '', sortKey, isSortDescending);
  const remembered = vms.find((vm) => vm.name === preferences.selectedVm);
  return {
    view,
    vms,
    selectedVm: remembered?.name ?? vms[0]?.name ?? null,
    listOffset: 0,
    tab: preferences.tab ?? 'devices',
    sortKey,
    isSortDescending,
    filter: '',
    overlay: {kind: 'none'},
    status: null,
    watches: [],
    eventsBack: 0,
    size,
    shownNotice: null,
    detailRowsSeen: null,
  };
}

/** The highlighted VM's snapshot. */
export function selectedSnapshot(state: DashboardState): VmSnapshot | undefined {
  return state.vms.find((vm) => vm.name === state.selectedVm);
}
