import {invariantBroken} from '../../core/assert.js';
import type {GuestMemory} from '../../core/guest-memory.js';
import type {Guest} from '../guest.js';
import type {Host} from '../host.js';
import type {SecureHolder} from '../ultravisor.js';
import type {BackendMigrationState} from '../virtio/migration-state.js';
import type {MigrationEnvironment} from './migration-environment.js';

/** Stop-and-copy: each device saves its state and stops (qemu_savevm_state_complete_precopy). */
export function saveDeviceStates(guest: Guest): BackendMigrationState[] {
  return guest.backends.map((backend) => {
    const state = backend.saveState();
    backend.quiesce();
    return state;
  });
}

/**
 * Continues the guest on `memory` at `host` (the destination at switch-over, or the source again
 * when stop-and-copy failed) with devices built there and restored from their saved state.
 */
export function resumeGuestOn(
  environment: MigrationEnvironment,
  guest: Guest,
  memory: GuestMemory,
  host: Host,
  devices: readonly BackendMigrationState[],
): void {
  const backends = environment.createBackends(guest, memory);
  backends.forEach((backend, index) => {
    const state = devices[index];
    if (state) backend.loadState(state);
  });
  guest.memory.stopDirtyLog();
  guest.adoptTarget(memory, backends, host);
}

/** The source ultravisor gives a secure guest's memory back; the destination's reservation becomes the guest's. */
export function handOverSecureMemory(
  guest: Guest,
  source: Host,
  destination: Host,
  incoming: SecureHolder,
): void {
  const sourceUltravisor = source.ultravisor;
  const destinationUltravisor = destination.ultravisor;
  if (!sourceUltravisor || !destinationUltravisor)
    invariantBroken(`migration of ${guest.name}: a secure guest moved without an ultravisor on both sides`);
  sourceUltravisor.release(guest.secureHolder, sourceUltravisor.heldBy(guest.secureHolder));
  destinationUltravisor.transfer(incoming, guest.secureHolder);
}
