import {GUEST_PAGE_SIZE} from '../../core/guest-memory.js';
import {IO_TLB_SIZE, swiotlbGeometry} from '../../core/swiotlb.js';
import {MiB} from '../../core/units.js';
import {formatBytes} from '../../core/format-units.js';
import {machineStartError} from '../machine.js';
import {DEFAULT_DISK_BYTES} from '../virtio/create-backends.js';
import {quoted, type ConfigIssue} from './format-issue.js';
import {
  checkDiskHoldsImage,
  checkDiskHoldsWorkload,
  checkDirtyRate,
  checkGuestMemoryBound,
  checkWorkingSet,
  checkWorldGuestMemory,
} from './guest-capacity.js';
import type {WorldConfig} from './world-schema.js';

/** A rule broken across parts of a valid-shaped config. */
export type {ConfigIssue};

/** Guest kernel heap reserved for rings and driver buffers, after the resident memory. */
export const GUEST_KERNEL_HEAP_BYTES = 32 * MiB;
export const GUEST_MEMORY_MIN_BYTES = 256 * MiB;

/** Resident memory a guest starts with when the config does not say. */
export function defaultResidentBytes(memoryBytes: number): number {
  return Math.floor(memoryBytes / 4 / GUEST_PAGE_SIZE) * GUEST_PAGE_SIZE;
}

type Guest = WorldConfig['guests'][number];
type PathTo = (...rest: (string | number)[]) => (string | number)[];

/** Checks names, references and capacities that a schema cannot see one field at a time. */
export function checkWorldReferences(config: WorldConfig): ConfigIssue[] {
  const hostNames = new Set(config.hosts.map((host) => host.name));
  return [
    ...checkHosts(config),
    ...checkLinks(config, hostNames),
    ...checkGuests(config, hostNames),
    ...checkHostMemory(config),
    ...checkWorldMemory(config),
  ];
}

/** Host names once each; trusted keys defined; secure migration only with an ultravisor. */
function checkHosts(config: WorldConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const hostNames = new Set<string>();
  config.hosts.forEach((host, index) => {
    if (hostNames.has(host.name))
      issues.push({path: ['hosts', index, 'name'], message: `host ${quoted(host.name)} is defined twice`});
    hostNames.add(host.name);
    host.ultravisor?.trustedKeys.forEach((key, keyIndex) => {
      if (!Object.hasOwn(config.keys, key)) {
        issues.push({
          path: ['hosts', index, 'ultravisor', 'trustedKeys', keyIndex],
          message: `unknown key ${quoted(key)} (define it under keys)`,
        });
      }
    });
    if (host.secureMigration && !host.ultravisor) {
      issues.push({
        path: ['hosts', index, 'secureMigration'],
        message: 'secure migration needs an ultravisor on the host',
      });
    }
  });
  return issues;
}

/** A link joins two different hosts that exist. */
function checkLinks(config: WorldConfig, hostNames: ReadonlySet<string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.links.pairs.forEach((link, index) => {
    link.hosts.forEach((name, end) => {
      if (!hostNames.has(name))
        issues.push({path: ['links', 'pairs', index, 'hosts', end], message: `unknown host ${quoted(name)}`});
    });
    if (link.hosts[0] === link.hosts[1])
      issues.push({path: ['links', 'pairs', index, 'hosts'], message: 'a link joins two different hosts'});
  });
  return issues;
}

/** Guest names once each, then each guest's host, machine, ticket key, memory and devices. */
function checkGuests(config: WorldConfig, hostNames: ReadonlySet<string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const guestNames = new Set<string>();
  config.guests.forEach((guest, index) => {
    const at: PathTo = (...rest) => ['guests', index, ...rest];
    if (guestNames.has(guest.name))
      issues.push({path: at('name'), message: `guest ${quoted(guest.name)} is defined twice`});
    guestNames.add(guest.name);
    if (!hostNames.has(guest.host))
      issues.push({path: at('host'), message: `unknown host ${quoted(guest.host)}`});
    const host = config.hosts.find((candidate) => candidate.name === guest.host);
    const startError =
      host && machineStartError(guest.launchSecurity, {...host, hasUltravisor: host.ultravisor !== null});
    if (startError)
      issues.push({
        path: at('launchSecurity'),
        message: `QEMU on ${guest.host} cannot start a pef-guest machine: "${startError}" (use allowed or none, or a host with an ultravisor)`,
      });
    if (guest.ticket && !Object.hasOwn(config.keys, guest.ticket.key)) {
      issues.push({
        path: at('ticket', 'key'),
        message: `unknown key ${quoted(guest.ticket.key)} (define it under keys)`,
      });
    }
    issues.push(...checkGuestMemory(guest, at), ...checkDevices(guest, at));
  });
  return issues;
}

/** One device of each type per guest; a disk only on a blk device. */
function checkDevices(guest: Guest, at: PathTo): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  guest.devices.forEach((device, deviceIndex) => {
    if (seen.has(device.type))
      issues.push({
        path: at('devices', deviceIndex, 'type'),
        message: `a second ${device.type} device (one of each type per guest)`,
      });
    seen.add(device.type);
    if (device.disk !== undefined && device.type !== 'blk')
      issues.push({path: at('devices', deviceIndex, 'disk'), message: 'only a blk device has a disk'});
    const diskBytes = device.disk ?? DEFAULT_DISK_BYTES;
    const diskProblem =
      device.type === 'blk'
        ? (checkDiskHoldsImage(diskBytes, guest.image.size) ??
          checkDiskHoldsWorkload(diskBytes, guest.workload.profile))
        : undefined;
    if (diskProblem !== undefined)
      issues.push({path: at('devices', deviceIndex, 'disk'), message: diskProblem});
  });
  return issues;
}

/** The guests placed on a host fit in its memory. */
function checkHostMemory(config: WorldConfig): ConfigIssue[] {
  const memoryByHost = new Map<string, number>();
  for (const guest of config.guests)
    memoryByHost.set(guest.host, (memoryByHost.get(guest.host) ?? 0) + guest.memory);
  const issues: ConfigIssue[] = [];
  config.hosts.forEach((host, index) => {
    const needed = memoryByHost.get(host.name) ?? 0;
    if (needed > host.memory) {
      issues.push({
        path: ['hosts', index, 'memory'],
        message: `guests on ${host.name} need ${formatBytes(needed)}, the host has ${formatBytes(host.memory)}`,
      });
    }
  });
  return issues;
}

/** The guests of the world together within what svmtop holds: the guest that crosses it is named. */
function checkWorldMemory(config: WorldConfig): ConfigIssue[] {
  let total = 0;
  for (const [index, guest] of config.guests.entries()) {
    total += guest.memory;
    const problem = checkWorldGuestMemory(total);
    if (problem !== undefined) return [{path: ['guests', index, 'memory'], message: problem}];
  }
  return [];
}

function checkGuestMemory(guest: Guest, at: PathTo): ConfigIssue[] {
  const boundProblem = checkGuestMemoryBound(guest.memory);
  if (boundProblem !== undefined) return [{path: at('memory'), message: boundProblem}];
  const issues: ConfigIssue[] = [];
  const {workingSet} = guest.workload;
  const resident = guest.resident ?? defaultResidentBytes(guest.memory);
  const workingSetProblem = workingSet === undefined ? undefined : checkWorkingSet(workingSet, resident);
  if (workingSetProblem !== undefined)
    issues.push({path: at('workload', 'workingSet'), message: workingSetProblem});
  const {dirtyRate} = guest.workload;
  const dirtyRateProblem = dirtyRate === undefined ? undefined : checkDirtyRate(dirtyRate, guest.memory);
  if (dirtyRateProblem !== undefined)
    issues.push({path: at('workload', 'dirtyRate'), message: dirtyRateProblem});
  if (guest.memory % GUEST_PAGE_SIZE !== 0 || guest.memory < GUEST_MEMORY_MIN_BYTES) {
    issues.push({
      path: at('memory'),
      message: `expected a multiple of 64KiB of at least ${formatBytes(GUEST_MEMORY_MIN_BYTES)}`,
    });
    return issues;
  }
  const poolBytes =
    swiotlbGeometry(guest.swiotlb.slabs, guest.swiotlb.areas, guest.vcpus).nslabs * IO_TLB_SIZE;
  const layoutBytes = resident + GUEST_KERNEL_HEAP_BYTES + poolBytes;
  if (layoutBytes > guest.memory) {
    issues.push({
      path: at(guest.resident === undefined ? 'swiotlb' : 'resident'),
      message: `resident ${formatBytes(resident)} + kernel heap ${formatBytes(GUEST_KERNEL_HEAP_BYTES)} + swiotlb ${formatBytes(poolBytes)} exceed memory ${formatBytes(guest.memory)}`,
    });
  }
  return issues;
}
