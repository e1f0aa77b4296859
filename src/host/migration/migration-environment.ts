import type {GuestMemory} from '../../core/guest-memory.js';
import type {Rng} from '../../core/rng.js';
import type {Guest} from '../guest.js';
import type {Host} from '../host.js';
import type {SimContext} from '../sim-context.js';
import type {MigrationStatus} from '../snapshot-types.js';
import type {VirtioBackend} from '../virtio/backend.js';
import type {MigrationParams} from './migration-params.js';

/** Where a migration goes and how fast it may go. */
export interface MigrationRoute {
  readonly source: Host;
  readonly destination: Host;
  readonly params: MigrationParams;
}

/** What a migration needs from the world that runs it. */
export interface MigrationEnvironment {
  readonly context: SimContext;
  readonly rng: Rng;
  /** What the link carries for this migration, without its cap (shared with others on the link). */
  linkBandwidthFor(route: MigrationRoute): number;
  isLinkDown(a: string, b: string): boolean;
  /** Builds devices for the guest on another memory (the destination QEMU, or the source again). */
  createBackends(guest: Guest, memory: GuestMemory): VirtioBackend[];
  /** True once when a key-exchange failure was injected for this guest. */
  takeKeyExchangeFault(guest: Guest): boolean;
  /** The migration of `vm` ended in `status` (completed, failed or cancelled). */
  onEnded(vm: string, status: MigrationStatus): void;
  /** Sees both memories at the instant of switch-over, before the guest resumes (tests, soak). */
  onSwitchOver?: ((source: GuestMemory, target: GuestMemory) => void) | undefined;
}
