import {afterEach, describe, expect, it, vi} from 'vitest';
import {DMA_MAPPING_ERROR, SwiotlbPool} from '../../src/core/swiotlb.js';
import {GiB, KiB} from '../../src/core/units.js';
import {GUEST_KERNEL_HEAP_BYTES} from '../../src/host/config/world-references.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {device, startWorld, vm} from '../helpers/world.js';

const FOUR_GIB = 4 * GiB;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a swiotlb pool across 4 GiB in a running secure guest', () => {
  // torvalds/linux kernel/dma/swiotlb.c swiotlb_search_pool_area (iommu_is_span_boundary) with the
  // boundary drivers/pci/probe.c pci_device_add gives every PCI function: 0xffffffff.
  it('bounces on both sides of the line, never across it, and every byte read back verifies', () => {
    // The pool follows resident memory and the kernel heap: start it 192 KiB below 4 GiB.
    const resident = FOUR_GIB - GUEST_KERNEL_HEAP_BYTES - 192 * KiB;
    const map = vi.spyOn(SwiotlbPool.prototype, 'map');
    const world = startWorld(
      worldYaml([
        {
          svm: true,
          policy: 'force-dma-api',
          memory: '8GiB',
          swiotlb: '512,1',
          workload: 'db',
          devices: '[{type: net}, {type: blk}]',
          extra: `    resident: ${resident / KiB}KiB\n`,
        },
      ]),
      4,
      {seconds: 15},
    );
    const maps = map.mock.calls
      .map((call, index) => ({tlb: map.mock.results[index]!.value as number, size: call[2]}))
      .filter(({tlb}) => tlb !== DMA_MAPPING_ERROR);
    const pool = vm(world, 'g1').swiotlb!;
    expect(pool).toMatchObject({nslabs: 512, nareas: 1});
    expect(world.guest('g1')!.kernel!.swiotlb!.startGpa).toBe(FOUR_GIB - 192 * KiB);
    const blk = device(world, 'g1', 'blk');
    expect(blk).toMatchObject({dma: 'dma-api', bounces: true, status: 'ok', failed: 0, integrityErrors: 0});
    expect(blk.completed).toBeGreaterThan(50);
    expect(device(world, 'g1', 'net')).toMatchObject({status: 'ok', integrityErrors: 0});
    const crossing = maps.filter(
      ({tlb, size}) => Math.floor(tlb / FOUR_GIB) !== Math.floor((tlb + size - 1) / FOUR_GIB),
    );
    expect(crossing).toEqual([]);
    expect(maps.some(({tlb}) => tlb < FOUR_GIB)).toBe(true);
    expect(maps.some(({tlb}) => tlb >= FOUR_GIB)).toBe(true);
  });
});

describe('swiotlb=N,0 in a running guest', () => {
  // torvalds/linux kernel/dma/swiotlb.c swiotlb_adjust_nareas: "Zero is treated as 1".
  it('gives one area; without a count there is one per vCPU', () => {
    const world = startWorld(
      worldYaml([
        {name: 'zero', svm: true, policy: 'force-dma-api', swiotlb: '1024,0', devices: '[{type: blk}]'},
        {name: 'none', svm: true, policy: 'force-dma-api', swiotlb: '1024', devices: '[{type: blk}]'},
      ]),
      2,
      {seconds: 8},
    );
    expect(vm(world, 'zero').swiotlb).toMatchObject({nslabs: 1024, nareas: 1});
    expect(vm(world, 'none').swiotlb).toMatchObject({nslabs: 1024, nareas: 2});
    expect(device(world, 'zero', 'blk')).toMatchObject({status: 'ok', failed: 0, integrityErrors: 0});
  });
});
