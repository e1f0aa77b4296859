import type {GuestMemory} from '../../core/guest-memory.js';
import {GiB} from '../../core/units.js';
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

/**
 * Builds the hypervisor side of a guest's devices, in config order (the guest sees them as
 * virtio0, virtio1, ...). An existing disk is reused (the migration target shares storage).
 */
export function createBackends(
  context: SimContext,
  config: GuestConfig,
  memory: GuestMemory,
  isDiscardInhibited: () => boolean,
  existingDisk?: DiskStore | null,
): {backends: VirtioBackend[]; disk: DiskStore | null} {
  let disk: DiskStore | null = existingDisk ?? null;
  const backends = config.devices.map((device, index): VirtioBackend => {
    const identity = {vm: config.name, index, config: device};
    switch (device.type) {
      case 'blk':
        disk ??= new DiskStore(device.disk ?? DEFAULT_DISK_BYTES);
        return new BlkBackend(context, identity, memory, disk);
      case 'net':
        return new NetBackend(context, identity, memory);
      case 'console':
        return new ConsoleBackend(context, identity, memory);
      case 'rng':
        return new RngBackend(context, identity, memory);
      case 'balloon':
        return new BalloonBackend(context, identity, memory, isDiscardInhibited);
    }
  });
  return {backends, disk};
}
