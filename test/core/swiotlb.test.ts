import {describe, expect, it} from 'vitest';
import {GUEST_PAGE_SIZE, GuestMemory} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {
  DMA_MAPPING_ERROR,
  IO_TLB_SIZE,
  PCI_SEG_BOUNDARY_MASK,
  segBoundarySlots,
  recommendNslabs,
  SwiotlbPool,
  swiotlbFullMessage,
  swiotlbGeometry,
} from '../../src/core/swiotlb.js';
import {GiB, KiB, MiB} from '../../src/core/units.js';

const POOL_START = 64 * MiB;
const ORIG = 8 * MiB;

function makePool(nslabs = 1024, nareas = 1) {
  const memory = new GuestMemory(256 * MiB);
  const view = new MemoryView(memory, false);
  const pool = new SwiotlbPool({nslabs, nareas, startGpa: POOL_START, view, pageSize: GUEST_PAGE_SIZE});
  return {memory, view, pool};
}

const device = {index: 1, minAlignMask: 0};

describe('swiotlb geometry (swiotlb=<nslabs>[,<nareas>])', () => {
  // torvalds/linux kernel/dma/swiotlb.c setup_io_tlb_npages, swiotlb_adjust_nareas, round_up_default_nslabs
  it('aligns nslabs to a segment and rounds to a power of two, even with one area', () => {
    expect(swiotlbGeometry(3000, 1, 1)).toEqual({nslabs: 4096, nareas: 1});
    expect(swiotlbGeometry(3000, 0, 4)).toEqual({nslabs: 4096, nareas: 1});
    expect(swiotlbGeometry(32768, null, 4)).toEqual({nslabs: 32768, nareas: 4});
  });

  it('N,0 is one area, whatever the vCPU count (swiotlb_adjust_nareas: "Zero is treated as 1")', () => {
    expect(swiotlbGeometry(8192, 0, 8)).toEqual({nslabs: 8192, nareas: 1});
    expect(swiotlbGeometry(128, 0, 64)).toEqual({nslabs: 128, nareas: 1});
  });

  it('without a count takes the vCPUs rounded up to a power of two (swiotlb_init_remap)', () => {
    expect(swiotlbGeometry(8192, null, 6).nareas).toBe(8);
    expect(swiotlbGeometry(8192, 3, 1).nareas).toBe(4);
  });

  it('grows a pool too small for its areas to one segment per area', () => {
    expect(swiotlbGeometry(128, 4, 4)).toEqual({nslabs: 512, nareas: 4});
    expect(swiotlbGeometry(128, null, 16)).toEqual({nslabs: 2048, nareas: 16});
  });
});

describe('swiotlb pool', () => {
  it('bounces bytes in at map and back at unmap', () => {
    const {view, pool} = makePool();
    view.write(ORIG, Buffer.from('to the device'), 0, 13);
    const tlb = pool.map(device, ORIG, 13, 0);
    const seen = Buffer.alloc(13);
    view.read(tlb, seen, 0, 13);
    expect(seen.toString()).toBe('to the device');
    view.write(tlb, Buffer.from('from device!!'), 0, 13);
    pool.unmap(device, tlb, 13, 'from-device');
    view.read(ORIG, seen, 0, 13);
    expect(seen.toString()).toBe('from device!!');
    expect(pool.bouncedBytesToDevice).toBe(13);
    expect(pool.bouncedBytesFromDevice).toBe(13);
    expect(pool.used).toBe(0);
  });

  it('copies the original in even for FROM_DEVICE, so a partial device write leaks nothing stale', () => {
    const {view, pool} = makePool();
    view.fill(ORIG, 0x5a, 100);
    const tlb = pool.map(device, ORIG, 100, 0);
    expect(view.readU8(tlb + 99)).toBe(0x5a);
  });

  it('page-aligns mappings of a page or more (PAGE_SIZE 64 KiB on pseries)', () => {
    const {pool} = makePool();
    pool.map(device, ORIG, 2 * KiB, 0);
    const tlb = pool.map(device, ORIG, 64 * KiB, 0);
    expect((tlb - 0) % GUEST_PAGE_SIZE).toBe(0);
  });

  it('keeps min_align_mask bits of the original address', () => {
    const {pool} = makePool();
    const aligned = {index: 2, minAlignMask: 0xfff};
    const tlb = pool.map(aligned, ORIG + 0x234, 512, 0);
    expect(tlb & 0xfff).toBe(0x234);
  });

  it('refuses mappings over 256 KiB', () => {
    const {pool} = makePool();
    expect(pool.map(device, ORIG, 256 * KiB + 1, 0)).toBe(DMA_MAPPING_ERROR);
    expect(pool.map(device, ORIG, 256 * KiB, 0)).not.toBe(DMA_MAPPING_ERROR);
  });

  it('fails when full, counts it, and works again after a release', () => {
    const {pool} = makePool(128);
    const first = pool.map(device, ORIG, 200 * KiB, 0);
    expect(pool.map(device, ORIG, 64 * KiB, 0)).toBe(DMA_MAPPING_ERROR);
    expect(pool.mapFailures).toBe(1);
    pool.unmap(device, first, 200 * KiB, 'to-device');
    expect(pool.map(device, ORIG, 64 * KiB, 0)).not.toBe(DMA_MAPPING_ERROR);
  });

  it('writes the kernel’s message', () => {
    expect(swiotlbFullMessage(65536, 32768, 32700)).toBe(
      'swiotlb buffer is full (sz: 65536 bytes), total 32768 (slots), used 32700 (slots)',
    );
  });

  it('starts in the mapping CPU’s area and moves on round-robin', () => {
    const {pool} = makePool(512, 4);
    const tlb = pool.map(device, ORIG, 2 * KiB, 2);
    expect(Math.floor((tlb - POOL_START) / IO_TLB_SIZE / 128)).toBe(2);
    for (let i = 0; i < 127; i++) pool.map(device, ORIG, 2 * KiB, 2);
    const spill = pool.map(device, ORIG, 2 * KiB, 2);
    expect(Math.floor((spill - POOL_START) / IO_TLB_SIZE / 128)).toBe(3);
  });

  it('counts slots per device and keeps a high-water mark', () => {
    const {pool} = makePool();
    const a = pool.map({index: 1, minAlignMask: 0}, ORIG, 8 * KiB, 0);
    pool.map({index: 3, minAlignMask: 0}, ORIG, 2 * KiB, 0);
    pool.unmap({index: 1, minAlignMask: 0}, a, 8 * KiB, 'to-device');
    expect([...pool.usedByDevice]).toEqual([[3, 1]]);
    expect(pool.hiwater).toBe(5);
  });

  it('keeps demand apart from slots held for good: hiwater without them, failures only while none are held', () => {
    const {pool} = makePool(128);
    const leak = {index: 999, minAlignMask: 0, holdsForGood: true};
    const demand = pool.demand;
    pool.map(device, ORIG, 8 * KiB, 0);
    const leaked = pool.map(leak, ORIG, 64 * KiB, 0);
    const b = pool.map(device, ORIG, 4 * KiB, 0);
    expect([demand.heldForGood, demand.hiwater, pool.hiwater]).toEqual([32, 6, 38]);
    pool.unmap(device, b, 4 * KiB, 'to-device');
    expect(pool.map(device, ORIG, 256 * KiB, 0)).toBe(DMA_MAPPING_ERROR);
    expect([pool.mapFailures, demand.mapFailures]).toEqual([1, 0]);
    pool.unmap(leak, leaked, 64 * KiB, 'to-device');
    expect(pool.map(device, ORIG, 256 * KiB, 0)).toBe(DMA_MAPPING_ERROR);
    expect([demand.heldForGood, pool.mapFailures, demand.mapFailures]).toEqual([0, 2, 1]);
    expect([demand.nslabs, demand.nareas]).toEqual([128, 1]);
  });

  it('advises a bigger pool after failures, never a smaller one than needed', () => {
    expect(recommendNslabs({nslabs: 1024, nareas: 1, hiwater: 1024, mapFailures: 3})).toBeGreaterThanOrEqual(
      2048,
    );
    expect(recommendNslabs({nslabs: 1024, nareas: 1, hiwater: 100, mapFailures: 0})).toBeLessThan(1024);
  });
});

describe('swiotlb and the device’s DMA segment boundary', () => {
  // torvalds/linux kernel/dma/swiotlb.c swiotlb_search_pool_area: iommu_is_span_boundary(slot_index,
  // nslots, nr_slots(tbl_dma_addr), max_slots); drivers/pci/probe.c pci_device_add sets 0xffffffff.
  const pci = {index: 1, minAlignMask: 0, segBoundarySlots: segBoundarySlots(PCI_SEG_BOUNDARY_MASK)};
  /** A pool of `nslabs` starting `bytesBelow` under 4 GiB (64 KiB-aligned, as memblock places it). */
  function poolAcross4GiB(bytesBelow = 192 * KiB, nslabs = 1024) {
    const view = new MemoryView(new GuestMemory(4 * GiB + 64 * MiB), false);
    const startGpa = 4 * GiB - bytesBelow;
    return {view, pool: new SwiotlbPool({nslabs, nareas: 1, startGpa, view, pageSize: GUEST_PAGE_SIZE})};
  }

  it('skips a free run that would cross 4 GiB for a PCI device (slot 96 of segment 0 is on the line)', () => {
    const {pool} = poolAcross4GiB();
    expect(pool.map(pci, ORIG, 256 * KiB, 0)).toBe(pool.startGpa + 128 * IO_TLB_SIZE);
  });

  it('lets a device without a boundary (no dma_parms: ULONG_MAX) take the run across 4 GiB', () => {
    const {pool} = poolAcross4GiB();
    expect(pool.map(device, ORIG, 256 * KiB, 0)).toBe(pool.startGpa);
  });

  it('allows a run that ends exactly at 4 GiB and one that starts there', () => {
    const {pool} = poolAcross4GiB();
    const first = pool.map(pci, ORIG, 64 * KiB, 0);
    pool.map(pci, ORIG, 64 * KiB, 0);
    const endsAtLine = pool.map(pci, ORIG, 64 * KiB, 0);
    expect([first, endsAtLine]).toEqual([pool.startGpa, 4 * GiB - 64 * KiB]);
    expect(pool.map(pci, ORIG, 64 * KiB, 0)).toBe(4 * GiB);
  });

  it('fails a mapping that only the crossing run could hold, and counts it', () => {
    const {pool} = poolAcross4GiB(64 * KiB, 128);
    expect(pool.map(pci, ORIG, 256 * KiB, 0)).toBe(DMA_MAPPING_ERROR);
    expect(pool.mapFailures).toBe(1);
    expect(pool.map(device, ORIG, 256 * KiB, 0)).toBe(pool.startGpa);
  });

  it('keeps each device to its own rule when devices with and without a boundary take turns', () => {
    // Segment 0 crosses 4 GiB, segment 1 lies above it.
    const {pool} = poolAcross4GiB(64 * KiB, 256);
    const above = pool.startGpa + 128 * IO_TLB_SIZE;
    expect(pool.map(device, ORIG, 256 * KiB, 0)).toBe(pool.startGpa);
    expect(pool.map(pci, ORIG, 256 * KiB, 0)).toBe(above);
    pool.unmap(device, pool.startGpa, 256 * KiB, 'to-device');
    pool.unmap(pci, above, 256 * KiB, 'to-device');
    expect(pool.map(pci, ORIG, 256 * KiB, 0)).toBe(above);
    expect(pool.map(device, ORIG, 256 * KiB, 0)).toBe(pool.startGpa);
  });

  it('bounces real bytes through slots above 4 GiB', () => {
    const {view, pool} = poolAcross4GiB();
    view.fill(ORIG, 0xa5, 200 * KiB);
    const tlb = pool.map(pci, ORIG, 200 * KiB, 0);
    expect(tlb).toBeGreaterThanOrEqual(4 * GiB);
    expect(view.readU8(tlb + 200 * KiB - 1)).toBe(0xa5);
    view.fill(tlb, 0x3c, 200 * KiB);
    pool.unmap(pci, tlb, 200 * KiB, 'from-device');
    expect([view.readU8(ORIG), view.readU8(ORIG + 200 * KiB - 1)]).toEqual([0x3c, 0x3c]);
  });
});
