import {describe, expect, it} from 'vitest';
import {GUEST_PAGE_SIZE, GuestMemory} from '../../src/core/guest-memory.js';
import {Rng} from '../../src/core/rng.js';
import type {TimerHandle} from '../../src/core/scheduler.js';
import {GiB, MiB} from '../../src/core/units.js';
import type {WorkloadConfig} from '../../src/host/config/world-schema.js';
import type {GuestKernel} from '../../src/host/guest-kernel.js';
import {Simulation} from '../../src/host/sim-context.js';
import {DIRTY_REGION_START} from '../../src/host/config/guest-capacity.js';
import {Workload} from '../../src/host/workload.js';
import {WORKLOAD_PROFILES} from '../../src/host/workload-profiles.js';

const RESIDENT_BYTES = 2 * GiB;

/** A workload on a kernel without drivers, its ticks run by hand; what it dirties is counted. */
function workloadOf(config: WorkloadConfig) {
  const memory = new GuestMemory(RESIDENT_BYTES);
  const dirtied = new Set<number>();
  let dirtyCalls = 0;
  const dirtyPage = memory.dirtyPage.bind(memory);
  memory.dirtyPage = (pfn) => {
    dirtyCalls++;
    dirtied.add(pfn);
    dirtyPage(pfn);
  };
  let tick: (() => void) | undefined;
  const workload = new Workload(
    {
      context: new Simulation(1),
      rng: new Rng(7),
      memory: () => memory,
      residentBytes: RESIDENT_BYTES,
      throttle: () => 0,
      guestTimer: (_delayUs, work) => {
        tick = work;
        return {cancel() {}} as TimerHandle;
      },
      guestTimerAgain: () => {},
    },
    config,
  );
  workload.start({isFirmware: false, drivers: {}} as unknown as GuestKernel);
  return {
    workload,
    dirtied,
    /** Runs `ticks` ticks; the pages dirtied meanwhile. */
    run(ticks: number): number {
      const before = dirtyCalls;
      for (let i = 0; i < ticks; i++) tick!();
      return dirtyCalls - before;
    },
  };
}

describe('workload', () => {
  it('a new config changes the profile, the dirty rate and the working set the next tick uses', () => {
    const guest = workloadOf({profile: 'idle'});
    expect(guest.workload.profile).toBe(WORKLOAD_PROFILES.idle);
    const idlePages = guest.run(400); // 10 s at 256 KiB/s: 40 pages, give or take the randomness
    expect(idlePages).toBeGreaterThan(20);
    expect(idlePages).toBeLessThan(80);

    guest.workload.setConfig({profile: 'churn', dirtyRate: 64 * MiB, workingSet: 4 * MiB});
    expect(guest.workload.profile).toBe(WORKLOAD_PROFILES.churn);
    expect(guest.workload.dirtyBytesPerSecond).toBe(64 * MiB);
    expect(guest.workload.workingSetBytes).toBe(4 * MiB);
    guest.dirtied.clear();
    const churnPages = guest.run(400); // 10 s at 64 MiB/s: 10240 pages, over a 64-page working set
    expect(churnPages).toBeGreaterThan(5000);
    expect(churnPages).toBeLessThan(20000);
    const firstPfn = DIRTY_REGION_START / GUEST_PAGE_SIZE;
    expect([...guest.dirtied].sort((a, b) => a - b)).toEqual(
      Array.from({length: (4 * MiB) / GUEST_PAGE_SIZE}, (_, i) => firstPfn + i),
    );

    guest.workload.setConfig({profile: 'db'});
    expect(guest.workload.dirtyBytesPerSecond).toBe(WORKLOAD_PROFILES.db.dirtyBytesPerSecond);
    expect(guest.workload.workingSetBytes).toBe(WORKLOAD_PROFILES.db.workingSetBytes);
    const dbPages = guest.run(400); // 10 s at 16 MiB/s: 2560 pages
    expect(dbPages).toBeGreaterThan(1280);
    expect(dbPages).toBeLessThan(5120);
  });

  it('a smaller working set is kept from the first tick after it is set, wherever the dirty cursor was', () => {
    const pages = (bytes: number) => bytes / GUEST_PAGE_SIZE;
    const guest = workloadOf({profile: 'churn', dirtyRate: 4 * MiB, workingSet: 4 * MiB});
    // Run until the cursor is in the half of the working set that is about to go.
    let dirtied = 0;
    while (dirtied % pages(4 * MiB) < pages(2 * MiB)) dirtied += guest.run(1);
    guest.workload.setConfig({profile: 'churn', dirtyRate: 4 * MiB, workingSet: 2 * MiB});
    guest.dirtied.clear();
    expect(guest.run(1)).toBeGreaterThan(0);
    const firstPfn = DIRTY_REGION_START / GUEST_PAGE_SIZE;
    for (const pfn of guest.dirtied) expect(pfn - firstPfn).toBeLessThan(pages(2 * MiB));
  });
});
