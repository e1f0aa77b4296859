import {describe, expect, it, vi} from 'vitest';
import {GUEST_PAGE_SIZE} from '../../src/core/guest-memory.js';
import {DISK_WORKLOAD_OFFSET} from '../../src/host/workload-profiles.js';
import {guestYaml, worldYaml} from '../helpers/guest-yaml.js';
import {startWorld} from '../helpers/world.js';

/** A secure guest (2 vCPUs) whose blk device bounces through a 2-area pool, with no workload of its own. */
function bouncingBlkGuest() {
  const world = startWorld(
    worldYaml([{svm: true, policy: 'force-dma-api', workload: 'idle', devices: '[{type: blk}]'}]),
    1,
    {seconds: 15},
  );
  const kernel = world.guest('g1')!.kernel!;
  return {world, kernel, blk: kernel.drivers.blk!, pool: kernel.swiotlb!};
}

describe('the CPU a request is submitted on', () => {
  it('maps all of one request on one vCPU (its swiotlb area), and the next request on the next vCPU', () => {
    const {kernel, blk, pool} = bouncingBlkGuest();
    expect(guestYaml({devices: '[]'})).toContain('vcpus: 2');
    expect(pool.nareas).toBe(2);
    const cpus: number[][] = [];
    const areas: number[][] = [];
    const map = pool.map.bind(pool);
    vi.spyOn(pool, 'map').mockImplementation((device, origGpa, size, cpu, mask) => {
      const tlbAddr = map(device, origGpa, size, cpu, mask);
      cpus.at(-1)!.push(cpu);
      areas.at(-1)!.push(Math.floor((tlbAddr - pool.startGpa) / 2048 / pool.areaNslabs));
      return tlbAddr;
    });
    for (let request = 0; request < 4; request++) {
      cpus.push([]);
      areas.push([]);
      const io = {isWrite: true, offsetBytes: DISK_WORKLOAD_OFFSET + request * 4096, lengthBytes: 4096};
      expect(blk.submitIo(io)).toBe('queued');
    }
    for (const [request, mapped] of cpus.entries()) {
      expect(mapped.length, `request ${request}`).toBeGreaterThanOrEqual(3);
      expect(new Set(mapped).size, `request ${request} mapped on ${mapped.join(', ')}`).toBe(1);
      expect(new Set(areas[request]).size, `request ${request} in areas ${areas[request]!.join(', ')}`).toBe(
        1,
      );
    }
    const perRequest = cpus.map((mapped) => mapped[0]!);
    expect(perRequest[1]).toBe((perRequest[0]! + 1) % 2);
    expect(perRequest[2]).toBe(perRequest[0]);
    expect(perRequest[3]).toBe(perRequest[1]);
    expect(kernel.currentCpu()).toBe(perRequest[3]);
  });
});

describe("a blk request's buffers", () => {
  it('data starts at a guest page, so a request of up to one page lies in one page; header and status are small allocations', () => {
    const {blk, pool} = bouncingBlkGuest();
    const mapped: {gpa: number; bytes: number}[] = [];
    const map = pool.map.bind(pool);
    vi.spyOn(pool, 'map').mockImplementation((device, origGpa, size, cpu, mask) => {
      mapped.push({gpa: origGpa, bytes: size});
      return map(device, origGpa, size, cpu, mask);
    });
    const sizes = [4096, GUEST_PAGE_SIZE, 12 * 1024, GUEST_PAGE_SIZE, 256 * 1024];
    for (const [n, lengthBytes] of sizes.entries()) {
      const io = {isWrite: n % 2 === 0, offsetBytes: DISK_WORKLOAD_OFFSET + n * 256 * 1024, lengthBytes};
      expect(blk.submitIo(io)).toBe('queued');
    }
    const data = mapped.filter((mapping) => mapping.bytes >= 4096);
    expect(data.map((mapping) => mapping.bytes)).toEqual(sizes);
    for (const mapping of data) expect(mapping.gpa % GUEST_PAGE_SIZE, `${mapping.bytes} bytes`).toBe(0);
    const small = mapped.filter((mapping) => mapping.bytes < 4096);
    expect(small.some((mapping) => mapping.gpa % GUEST_PAGE_SIZE !== 0)).toBe(true);
  });
});
