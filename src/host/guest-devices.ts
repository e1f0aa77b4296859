import {invariantBroken} from '../core/assert.js';
import type {GuestMemory} from '../core/guest-memory.js';
import type {GuestConfig} from './config/world-schema.js';
import type {GuestCheckers} from './checkers/guest-checkers.js';
import {balloonAmong} from './balloon-among.js';
import {carryDeviceTotals} from './device-totals.js';
import type {DeviceTotals} from './guest-runtime.js';
import type {SimContext} from './sim-context.js';
import type {VirtioBackend} from './virtio/backend.js';
import type {BalloonBackend} from './virtio/balloon-backend.js';
import {createBackends} from './virtio/create-backends.js';
import {NO_TOTALS} from './virtio/device-snapshot.js';
import type {DiskStore} from './virtio/disk-store.js';

/**
 * A guest's virtio devices, the hypervisor side: the backends of the QEMU that runs it now, its
 * disk (shared storage: it outlives a switch-over) and each device's counters over all of them.
 */
export class GuestDevices {
  readonly disk: DiskStore | null;
  readonly totals: DeviceTotals[];
  #backends: VirtioBackend[];
  /** The balloon among `#backends` (found once per set of devices: every snapshot asks). */
  #balloon: BalloonBackend | undefined;

  constructor(
    context: SimContext,
    config: GuestConfig,
    memory: GuestMemory,
    image: Buffer,
    options: {readonly isAccessPlatformForced: boolean; readonly checkers: GuestCheckers},
  ) {
    const created = createBackends(context, config, memory, options);
    this.#backends = created.backends;
    this.#balloon = balloonAmong(this.#backends);
    this.disk = created.disk;
    if (this.disk) {
      this.disk.install(image);
      options.checkers.disk.recordContents(0, image);
    }
    this.totals = this.#backends.map(() => ({...NO_TOTALS}));
  }

  get backends(): readonly VirtioBackend[] {
    return this.#backends;
  }

  get balloon(): BalloonBackend | undefined {
    return this.#balloon;
  }

  /** Switch-over: the target's devices replace these, which stop; their counters carry on. */
  replace(backends: VirtioBackend[], vm: string): void {
    if (backends.length !== this.#backends.length)
      invariantBroken(`guest ${vm}: ${backends.length} devices replace ${this.#backends.length}`);
    this.#backends.forEach((old, index) => {
      old.quiesce();
      carryDeviceTotals(this.totals[index]!, old);
    });
    this.#backends = backends;
    this.#balloon = balloonAmong(backends);
  }
}
