import type {WorldEvent} from '../core/event-log.js';
import type {CommandResult} from '../host/guest.js';
import type {MigrationCheck} from '../host/migration/migration-blockers.js';
import type {DmaPolicy, WorkloadName} from '../host/config/world-schema.js';
import type {WorldSnapshot} from '../host/snapshot-types.js';
import type {SortKey, Tab} from './dashboard-state.js';

/** What the dashboard shows, sampled at the refresh rate. */
export interface DashboardView {
  readonly world: WorldSnapshot;
  /** The newest events, oldest first (bounded). */
  readonly events: readonly WorldEvent[];
  readonly speed: number;
  /** A config reload that failed: the error, while the last good world keeps running. */
  readonly banner: string | null;
  /** Something the user should know once (a corrupt preferences file was replaced). */
  readonly notice: string | null;
  /** QMP clients connected (absent without `--qmp`). */
  readonly qmpClients?: number;
}

/** Commands the dashboard sends; the host decides and answers. */
export type VmCommand =
  | {
      readonly kind: 'secure' | 'unsecure' | 'reboot' | 'pause' | 'resume' | 'migrate-cancel';
      readonly vm: string;
    }
  | {readonly kind: 'balloon'; readonly vm: string; readonly targetBytes: number; readonly isForced: boolean}
  | {readonly kind: 'policy'; readonly vm: string; readonly policy: DmaPolicy}
  | {readonly kind: 'workload'; readonly vm: string; readonly workload: WorkloadName}
  | {readonly kind: 'migrate'; readonly vm: string; readonly to: string};

export interface DashboardPreferences {
  readonly selectedVm: string | null;
  readonly tab: Tab;
  readonly sortKey: SortKey;
  readonly isSortDescending: boolean;
}

export interface DashboardCommands {
  run(command: VmCommand): CommandResult;
  migrationChecks(vm: string): MigrationCheck[];
  /** Multiplies the simulation speed; returns the new speed. */
  changeSpeed(factor: number): number;
  savePreferences(preferences: DashboardPreferences): void;
  quit(): void;
}

/** A source of views for `useSyncExternalStore`. */
export interface DashboardSource {
  readonly getView: () => DashboardView;
  readonly subscribe: (listener: () => void) => () => void;
}
