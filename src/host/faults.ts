import {DMA_MAPPING_ERROR, IO_TLB_SIZE} from '../core/swiotlb.js';
import {formatBytes} from '../core/format-units.js';
import type {CheckedResult, Guest} from './guest.js';

/** How long an injected swiotlb leak holds the pool before giving it back. */
export const SWIOTLB_LEAK_HOLD_US = 5_000_000;
/** The leaking driver's device; the snapshot's usedByDevice names it `virtio999` (README, swiotlb). */
const LEAK_DEVICE = {index: 999, minAlignMask: 0, holdsForGood: true};

/**
 * Fills the guest's bounce pool as a leaking driver would, for a while: every map fails with
 * "swiotlb buffer is full", drivers retry, and I/O resumes when the leak is released.
 */
export function exhaustSwiotlb(guest: Guest): CheckedResult {
  const pool = guest.kernel?.swiotlb;
  const kernel = guest.kernel;
  if (!pool || !kernel)
    return {
      ok: false,
      code: 'fault-not-applicable',
      reason: `${guest.name} has no swiotlb pool (it is neither secure nor booted with swiotlb=force)`,
    };
  const held: number[] = [];
  const scratch = kernel.heap.allocate(IO_TLB_SIZE);
  if (scratch === undefined)
    return {ok: false, code: 'fault-not-applicable', reason: `${guest.name}: kernel heap exhausted`};
  // One-slot mappings always fit while a slot is free, so this takes every free slot without a failed map.
  while (pool.used < pool.nslabs) {
    const address = pool.map(LEAK_DEVICE, scratch, IO_TLB_SIZE, held.length);
    if (address === DMA_MAPPING_ERROR) break;
    held.push(address);
  }
  guest.context.emit(
    guest.name,
    'fault',
    'warning',
    `swiotlb leak: ${held.length} slots (${formatBytes(held.length * IO_TLB_SIZE)}) held for ${SWIOTLB_LEAK_HOLD_US / 1e6}s`,
  );
  guest.context.scheduler.after(SWIOTLB_LEAK_HOLD_US, () => {
    if (guest.kernel?.swiotlb !== pool) return; // the guest rebooted; that pool is gone
    for (const address of held) pool.unmap(LEAK_DEVICE, address, IO_TLB_SIZE, 'to-device');
    kernel.heap.free(scratch);
    guest.context.emit(guest.name, 'fault', 'info', `swiotlb leak released (${held.length} slots)`);
  });
  return {ok: true};
}

/** A guest driver bug: a descriptor chain that loops back on itself, kicked to the device. */
export function injectMalformedChain(guest: Guest): CheckedResult {
  const driver = guest.kernel?.allDrivers().find((candidate) => candidate.isReady && !candidate.isBroken);
  if (!driver)
    return {
      ok: false,
      code: 'fault-not-applicable',
      reason: `${guest.name} has no working virtio device to break`,
    };
  if (!driver.injectLoopedChain())
    return {
      ok: false,
      code: 'fault-not-applicable',
      reason: `${guest.name}: ${driver.deviceName} has no free descriptor`,
    };
  guest.context.emit(
    guest.name,
    'fault',
    'warning',
    `${driver.driverName} ${driver.deviceName}: guest driver queued a looped descriptor chain`,
  );
  return {ok: true};
}

/** Another tenant takes all the free secure memory of the guest's host. */
export function exhaustSecureMemory(guest: Guest): CheckedResult {
  const ultravisor = guest.host.ultravisor;
  if (!ultravisor)
    return {ok: false, code: 'fault-not-applicable', reason: `${guest.host.name} has no ultravisor`};
  const taken = ultravisor.secureFreeBytes;
  ultravisor.reserve({kind: 'other-tenant'}, taken);
  guest.context.emit(
    null,
    'fault',
    'warning',
    `${guest.host.name}: ${formatBytes(taken)} of secure memory taken by another tenant`,
  );
  return {ok: true};
}
