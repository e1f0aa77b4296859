import type {WorldEvent} from '../core/event-log.js';
import type {CommandPreview, PreviewRequest, VmCommand} from '../host/command-preview.js';
import type {CommandResult} from '../host/guest.js';
import type {WorldSnapshot} from '../host/snapshot-types.js';

export type {CommandPreview, PreviewRequest, VmCommand};

/** The detail tabs, in order (keys 1–4). */
export const TABS = ['devices', 'swiotlb', 'migration', 'events'] as const;
export type Tab = (typeof TABS)[number];

/**
 * Columns the VM list can sort by: every one (vm-columns.ts VM_COLUMNS keys), in the order they are
 * drawn, which is the order `<` and `>` move through them (a test holds the two lists together).
 */
export const SORT_KEYS = [
  'name',
  'host',
  'state',
  'security',
  'devices',
  'dma',
  'bounce',
  'io',
  'balloon',
  'migration',
  'vcpus',
  'memory',
  'workload',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** What the dashboard shows, sampled at the refresh rate. */
export interface DashboardView {
  readonly world: WorldSnapshot;
  /** The newest events, oldest first (bounded). */
  readonly events: readonly WorldEvent[];
  /** Simulated seconds per wall second asked for. */
  readonly speed: number;
  /**
   * Simulated seconds per wall second reached lately (lower when the simulation falls behind);
   * null until a refresh has measured it (at the start, after a speed change).
   */
  readonly achievedSpeed: number | null;
  /** A config reload that failed: the error, while the last good world keeps running. */
  readonly banner: string | null;
  /** Something the user should know once (a corrupt preferences file was replaced). */
  readonly notice: string | null;
  /** QMP clients connected (absent without `--qmp`). */
  readonly qmpClients?: number;
}

export interface DashboardPreferences {
  readonly selectedVm: string | null;
  readonly tab: Tab;
  readonly sortKey: SortKey;
  readonly isSortDescending: boolean;
}

/** Commands the dashboard sends; the host decides and answers. */
export interface DashboardCommands {
  run(command: VmCommand): CommandResult;
  /** Would the command be refused, and what will it do? Changes nothing (the host's dry run). */
  preview(request: PreviewRequest): CommandPreview;
  /** Multiplies the simulation speed; returns the new speed. */
  changeSpeed(factor: number): number;
  savePreferences(preferences: DashboardPreferences): void;
  quit(): void;
  /** Hands the terminal back to the shell until the process is continued (Ctrl-Z, then `fg`). */
  suspend(): void;
}

/** A source of views for `useSyncExternalStore`. */
export interface DashboardSource {
  readonly getView: () => DashboardView;
  readonly subscribe: (listener: () => void) => () => void;
}
