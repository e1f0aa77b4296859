import type {GuestMemory} from '../../core/guest-memory.js';
import {GiB} from '../../core/units.js';
import type {GuestCheckers} from '../checkers/guest-checkers.js';
import type {GuestConfig} from '../config/world-schema.js';
import type {SimContext} from '../sim-context.js';
import type {VirtioBackend} from './backend.js';
import {BalloonBackend} from './balloon-backend.js';
import {BlkBackend} from './blk-backend.js';
import {ConsoleBackend} from './console-backend.js';
import {DiskStore} from './disk-store.js';
import {NetBackend} from './net-backend.js';
import {RngBackend} from './rng-backend.js';

export const DEFAULT_DISK_BYTES = 8 * GiB;

export interface BackendOptions {
  /**
   * The VM runs with confidential guest support: QEMU registers iommu_platform=on for every virtio
   * device, whatever its own setting (qemu/qemu hw/core/machine.c machine_run_board_init,
   * `object_register_sugar_prop(TYPE_VIRTIO_DEVICE, "iommu_platform", "on", false)`).
   */
  readonly isAccessPlatformForced: boolean;
  /** The guest's end-to-end checks, which outlive any one instance of its devices. */
  readonly checkers: GuestCheckers;
  /** An existing disk (the migration target shares storage with the source). */
  readonly disk?: DiskStore | null;
}

/**
 * Builds the hypervisor side of a guest's devices, in config order (the guest sees them as
 * virtio0, virtio1, ...).
 */
export function createBackends(
  context: SimContext,
  config: GuestConfig,
  memory: GuestMemory,
  options: BackendOptions,
): {backends: VirtioBackend[]; disk: DiskStore | null} {
  let disk: DiskStore | null = options.disk ?? null;
  const checkers = options.checkers;
  const isForced = options.isAccessPlatformForced;
  const backends = config.devices.map((configured, index): VirtioBackend => {
    const device = isForced ? {...configured, iommu: true} : configured;
    const identity = {vm: config.name, index, config: device, isAccessPlatformForced: isForced};
    switch (device.type) {
      case 'blk':
        disk ??= new DiskStore(device.disk ?? DEFAULT_DISK_BYTES);
        return new BlkBackend(context, identity, memory, disk);
      case 'net':
        return new NetBackend(context, identity, memory, checkers.net(index));
      case 'console':
        return new ConsoleBackend(context, identity, memory, checkers.console(index));
      case 'rng':
        return new RngBackend(context, identity, memory, checkers.entropy(index));
      case 'balloon':
        return new BalloonBackend(context, identity, memory);
    }
  });
  return {backends, disk};
}
