import {IO_TLB_SEGSIZE, type SwiotlbPool} from '../core/swiotlb.js';
import {fillGenerated, GUEST_PAGE_SIZE, PageState, type GuestMemory} from '../core/guest-memory.js';
import type {Host} from './host.js';
import {ramCounterProblems} from './migration/ram-consistency.js';
import {describeHolder, type SecureHolder} from './ultravisor.js';
import type {World} from './world.js';

/**
 * DESIGN §6's checker, run after every step by tests and the soak: no swiotlb slot in two
 * mappings and `used` equal to the live mappings; no secure page left on a guest that is not
 * secure; the hypervisor never saw a secure page's plaintext; every request finished exactly
 * once; migration counters consistent; secure guests only on ultravisor hosts and every secure
 * byte held by a live holder. @returns the broken rules, empty when all hold
 */
export function checkInvariants(world: World): string[] {
  const problems: string[] = [];
  for (const guest of world.guests.values()) {
    const pool = guest.kernel?.swiotlb;
    if (pool) problems.push(...checkPool(guest.name, pool));
    const memory = guest.memory;
    const counted =
      memory.countInState(PageState.normal) +
      memory.countInState(PageState.secure) +
      memory.countInState(PageState.shared);
    if (counted !== memory.pageCount)
      problems.push(`${guest.name}: page states count ${counted} pages of ${memory.pageCount}`);
    if (
      guest.securityState === 'normal' &&
      memory.countInState(PageState.secure) + memory.countInState(PageState.shared) > 0
    ) {
      problems.push(
        `${guest.name}: normal guest still has ${memory.countInState(PageState.secure)} secure and ${memory.countInState(PageState.shared)} shared pages`,
      );
    }
    problems.push(...checkHypervisorSawNoPlaintext(guest.name, memory, guest.backends));
    for (const driver of guest.kernel?.allDrivers() ?? []) {
      if (driver.inFlight < 0)
        problems.push(`${guest.name} ${driver.deviceName}: ${driver.inFlight} requests in flight`);
      if (driver.submitted !== driver.finished + driver.inFlight) {
        problems.push(
          `${guest.name} ${driver.deviceName}: ${driver.submitted} submitted but ${driver.finished} finished and ${driver.inFlight} in flight (a request finished twice or was lost)`,
        );
      }
    }
    const migration = world.activeMigration(guest.name)?.snapshot();
    if (migration) {
      for (const problem of ramCounterProblems(migration))
        problems.push(`${guest.name}: migration counters inconsistent: ${problem}`);
      if (migration.status === 'completed' && migration.downtimeMs > migration.totalTimeMs)
        problems.push(`${guest.name}: downtime ${migration.downtimeMs} ms longer than the migration`);
    }
  }
  problems.push(...checkSecureMemory(world));
  return problems;
}

/**
 * Secure guests run only on ultravisor hosts, and every secure byte an ultravisor counts is held
 * by a live secure guest on that host, by a secure migration's reservation on its destination,
 * or by the fault injector's other tenant.
 */
export function checkSecureMemory(world: World): string[] {
  const problems: string[] = [];
  for (const guest of world.guests.values()) {
    const {host} = guest;
    if ((guest.isSecure || guest.securityState === 'secure') && !host.ultravisor)
      problems.push(`${guest.name}: secure on ${host.name}, a host without an ultravisor`);
    const held = guest.secureHeldBytes;
    if (guest.isSecure && held !== guest.memory.sizeBytes)
      problems.push(
        `${guest.name}: secure with ${held} bytes of secure memory held for ${guest.memory.sizeBytes}`,
      );
  }
  for (const host of world.hosts.values()) {
    const ultravisor = host.ultravisor;
    if (!ultravisor) continue;
    if (ultravisor.secureUsedBytes > ultravisor.secureMemoryBytes || ultravisor.secureUsedBytes < 0)
      problems.push(
        `${host.name}: secure memory used ${ultravisor.secureUsedBytes} of ${ultravisor.secureMemoryBytes}`,
      );
    let counted = 0;
    for (const {holder, bytes} of ultravisor.holdings()) {
      counted += bytes;
      if (!isLiveHolder(world, host, holder))
        problems.push(
          `${host.name}: ultravisor holds ${bytes} bytes of secure memory for ${describeHolder(holder)}, which is not a live secure guest or migration there`,
        );
    }
    if (counted !== ultravisor.secureUsedBytes)
      problems.push(
        `${host.name}: holders account for ${counted} secure bytes, the ultravisor counts ${ultravisor.secureUsedBytes}`,
      );
  }
  return problems;
}

function isLiveHolder(world: World, host: Host, holder: SecureHolder): boolean {
  if (holder.kind === 'other-tenant') return true;
  if (holder.kind === 'guest') {
    const guest = world.guests.get(holder.vm);
    return guest !== undefined && guest.host === host && guest.isSecure;
  }
  const migration = world.activeMigration(holder.vm);
  return (
    migration !== undefined && migration.isActive && migration.isSecure && migration.destination === host
  );
}

/**
 * The hypervisor never sees a secure page's plaintext: no device's view of memory remembers the
 * frame of a secure page, every page the hypervisor holds paged out is still secure, and each
 * copy it has not written to differs from the page's plaintext at every byte (UV_PAGE_OUT encrypts).
 */
export function checkHypervisorSawNoPlaintext(
  name: string,
  memory: GuestMemory,
  devices: readonly {readonly name: string; securePlaintextHeld(): number}[],
): string[] {
  const problems: string[] = [];
  for (const device of devices) {
    const pfn = device.securePlaintextHeld();
    if (pfn >= 0) problems.push(`${name} ${device.name}: holds the plaintext frame of secure page ${pfn}`);
  }
  for (const pfn of memory.pagedOut.pfns()) {
    if (memory.pageState(pfn) !== PageState.secure)
      problems.push(`${name}: page ${pfn} is paged out to the hypervisor but no longer secure`);
    else if (!memory.pagedOut.isWritten(pfn) && sharesAByte(memory, pfn))
      problems.push(`${name}: the hypervisor's copy of secure page ${pfn} shows plaintext bytes`);
  }
  return problems;
}

function sharesAByte(memory: GuestMemory, pfn: number): boolean {
  const copy = memory.pagedOut.frame(pfn)!;
  let plaintext = memory.frameForRead(pfn);
  if (!plaintext) {
    plaintext = Buffer.alloc(GUEST_PAGE_SIZE);
    const generation = memory.generationOf(pfn);
    if (generation !== 0) fillGenerated(plaintext, pfn, generation);
  }
  for (let i = 0; i < GUEST_PAGE_SIZE; i++) if (copy[i] === plaintext[i]) return true;
  return false;
}

/** Rebuilds every segment's free-run counters from which slots are taken, and compares counts. */
export function checkPool(name: string, pool: SwiotlbPool): string[] {
  const problems: string[] = [];
  const list = pool.listSnapshot();
  let taken = 0;
  for (let segmentStart = 0; segmentStart < pool.nslabs; segmentStart += IO_TLB_SEGSIZE) {
    let run = 0;
    for (let slot = segmentStart + IO_TLB_SEGSIZE - 1; slot >= segmentStart; slot--) {
      if (list[slot] === 0) {
        taken++;
        run = 0;
        continue;
      }
      run++;
      if (list[slot] !== run) {
        problems.push(
          `${name}: swiotlb list[${slot}] is ${list[slot]}, expected ${run} free slots to the end of its run`,
        );
        return problems;
      }
    }
  }
  if (taken !== pool.used)
    problems.push(`${name}: swiotlb used is ${pool.used} but ${taken} slots are taken`);
  let byArea = 0;
  for (let area = 0; area < pool.nareas; area++) byArea += pool.areaState(area).used;
  if (byArea !== pool.used)
    problems.push(`${name}: swiotlb areas count ${byArea} used slots, the pool ${pool.used}`);
  let byDevice = 0;
  for (const slots of pool.usedByDevice.values()) byDevice += slots;
  if (byDevice !== pool.used)
    problems.push(`${name}: swiotlb per-device slots add up to ${byDevice}, used is ${pool.used}`);
  return problems;
}
