import {formatDuration} from '../../core/format-units.js';
import {MiB, TiB} from '../../core/units.js';
import {DISK_WORKLOAD_OFFSET, WORKLOAD_PROFILES} from '../workload-profiles.js';
import type {WorkloadName} from './world-schema.js';
import {exactBytes, IMAGE_READ_BLOCK_BYTES} from './image-size.js';

/**
 * A blk disk holds the image it boots from: the bootloader reads it from offset 0 in whole 4KiB
 * blocks, and a read past the disk's end fails (the guest would halt with "cannot read vmlinux").
 * @returns the rule broken, or undefined
 */
export function checkDiskHoldsImage(diskBytes: number, imageBytes: number): string | undefined {
  const needed = Math.ceil(imageBytes / IMAGE_READ_BLOCK_BYTES) * IMAGE_READ_BLOCK_BYTES;
  if (diskBytes >= needed) return undefined;
  return `a disk of ${exactBytes(diskBytes)} cannot hold the guest image (${exactBytes(imageBytes)}, read in 4KiB blocks): expected at least ${exactBytes(needed)}`;
}

/**
 * A blk disk holds the region its workload reads and writes, from DISK_WORKLOAD_OFFSET on
 * (workload.ts `#blk`); the backend fails a request past the disk's end (blk-backend.ts `#execute`).
 * @returns the rule broken, or undefined
 */
export function checkDiskHoldsWorkload(diskBytes: number, workload: WorkloadName): string | undefined {
  const profile = WORKLOAD_PROFILES[workload];
  if (profile.blkRequestsPerSecond === 0) return undefined;
  const needed = DISK_WORKLOAD_OFFSET + profile.blkRegionBytes;
  if (diskBytes >= needed) return undefined;
  return `a disk of ${exactBytes(diskBytes)} is too small for the ${workload} workload, which reads and writes ${exactBytes(profile.blkRegionBytes)} from offset ${exactBytes(DISK_WORKLOAD_OFFSET)}: expected at least ${exactBytes(needed)}`;
}

/** Pages below this are the kernel image and early data; a workload never dirties them. */
export const DIRTY_REGION_START = 16 * MiB;

/** The most a workload can dirty: its resident memory from DIRTY_REGION_START on (workload.ts `#dirty`). */
export function usableWorkingSetBytes(residentBytes: number): number {
  return Math.max(0, residentBytes - DIRTY_REGION_START);
}

/**
 * A workload's working set lies within what the guest can dirty (past that the workload would
 * cut it down without a word).
 * @returns the rule broken, or undefined
 */
export function checkWorkingSet(workingSetBytes: number, residentBytes: number): string | undefined {
  const usable = usableWorkingSetBytes(residentBytes);
  if (workingSetBytes <= usable) return undefined;
  return `a working set of ${exactBytes(workingSetBytes)} is larger than the guest can dirty (${exactBytes(usable)}: resident memory ${exactBytes(residentBytes)} less the first ${exactBytes(DIRTY_REGION_START)}, which hold the kernel)`;
}

/** A workload acts in steps of this much simulated time (workload.ts). */
export const WORKLOAD_TICK_US = 25_000;

/**
 * A workload dirties its pages one at a time each tick (workload.ts #dirty): more than the guest's
 * whole memory per tick dirties nothing more (every page is dirty already) but costs a loop step
 * per page, so 99TiB/s crawled. Simplified: the bound is the memory, not the (resident-capped)
 * working set the profile fills in later.
 * @returns the rule broken, or undefined
 */
export function checkDirtyRate(bytesPerSecond: number, memoryBytes: number): string | undefined {
  const maxPerSecond = (memoryBytes * 1_000_000) / WORKLOAD_TICK_US;
  if (bytesPerSecond <= maxPerSecond) return undefined;
  return `a dirty rate of ${exactBytes(bytesPerSecond)}/s is more than the guest's memory (${exactBytes(memoryBytes)}) per workload tick (${formatDuration(WORKLOAD_TICK_US)}): expected at most ${exactBytes(maxPerSecond)}/s`;
}

/**
 * The most guest memory svmtop holds, one guest's and a world's guests' together. A pseries kernel
 * addresses 2PiB (torvalds/linux arch/powerpc/include/asm/book3s/64/radix.h R_MAX_PHYSMEM_BITS 51,
 * mmu-hash.h H_MAX_PHYSMEM_BITS 51, since 4ffe713b7587 "Increase the max addressable memory to 2PB") and QEMU's ppc64 62 bits (qemu/qemu
 * target/ppc/cpu-param.h TARGET_PHYS_ADDR_SPACE_BITS), but GuestMemory keeps a few bytes of state
 * per 64KiB page: a 16TiB guest started and ran 10 simulated seconds in 3.0 s at 199MiB RSS, 64TiB in
 * 10 s at 602MiB, and 512TiB does not fit a typed array. Simplified: svmtop's bound, not pseries'.
 */
export const GUEST_MEMORY_MAX_BYTES = 16 * TiB;

const HOLD_NOTE = 'the most svmtop simulates; a pseries kernel addresses up to 2PiB';

/**
 * One guest's memory within what svmtop holds.
 * @returns the rule broken, or undefined
 */
export function checkGuestMemoryBound(memoryBytes: number): string | undefined {
  if (memoryBytes <= GUEST_MEMORY_MAX_BYTES) return undefined;
  return `expected at most ${exactBytes(GUEST_MEMORY_MAX_BYTES)} of guest memory (${HOLD_NOTE}), got ${exactBytes(memoryBytes)}`;
}

/**
 * A world's configured guests together within what svmtop holds (they all live in one process).
 * A migration's destination copy (ram-stream.ts RamStream's target) is not counted: refusing a
 * migration for it would leave a guest at the bound unable to ever move, and twice the bound held
 * (483MiB for a 16TiB guest migrating) is below the 64TiB run measured above.
 * @returns the rule broken, or undefined
 */
export function checkWorldGuestMemory(totalBytes: number): string | undefined {
  if (totalBytes <= GUEST_MEMORY_MAX_BYTES) return undefined;
  return `the guests so far need ${exactBytes(totalBytes)}: expected at most ${exactBytes(GUEST_MEMORY_MAX_BYTES)} of guest memory in one world (${HOLD_NOTE})`;
}
