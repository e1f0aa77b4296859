import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {GUEST_PAGE_SIZE, GuestMemory} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {
  DMA_MAPPING_ERROR,
  IO_TLB_MAX_MAPPING,
  IO_TLB_SEGSIZE,
  IO_TLB_SIZE,
  PCI_SEG_BOUNDARY_MASK,
  segBoundarySlots,
  SwiotlbPool,
  swiotlbGeometry,
  type SwiotlbDevice,
} from '../../src/core/swiotlb.js';
import {GiB, KiB, MiB} from '../../src/core/units.js';
import {checkPool} from '../../src/host/invariants.js';

const ORIG = 8 * MiB;
const FOUR_GIB = 4 * GiB;
const REQUESTED_NSLABS = 1024;

/**
 * The kernel's slot choice, written from its definition rather than from `list[]`: a run fits when
 * its slots are free, inside one segment, and (with a boundary) not across a multiple of 4 GiB.
 * torvalds/linux kernel/dma/swiotlb.c swiotlb_find_slots and swiotlb_search_pool_area.
 */
function expectedSlot(
  pool: SwiotlbPool,
  held: ReadonlySet<number>,
  device: SwiotlbDevice,
  orig: number,
  size: number,
  cpu: number,
): number {
  const allocSize = size + (orig & device.minAlignMask & (IO_TLB_SIZE - 1));
  if (allocSize > IO_TLB_MAX_MAPPING) return -1;
  const nslots = Math.ceil(allocSize / IO_TLB_SIZE);
  let alignMask = !device.minAlignMask && allocSize >= GUEST_PAGE_SIZE ? GUEST_PAGE_SIZE - 1 : 0;
  alignMask |= IO_TLB_SIZE - 1;
  const origMask = device.minAlignMask & ~alignMask;
  const stride = Math.floor(Math.max(alignMask, origMask) / IO_TLB_SIZE) + 1;
  const fits = (slot: number) => {
    if ((slot % IO_TLB_SEGSIZE) + nslots > IO_TLB_SEGSIZE) return false;
    for (let i = slot; i < slot + nslots; i++) if (held.has(i)) return false;
    const first = pool.startGpa + slot * IO_TLB_SIZE;
    const last = first + nslots * IO_TLB_SIZE - 1;
    return (
      device.segBoundarySlots === undefined || Math.floor(first / FOUR_GIB) === Math.floor(last / FOUR_GIB)
    );
  };
  for (let step = 0; step < pool.nareas; step++) {
    const area = ((cpu % pool.nareas) + step) % pool.nareas;
    const {index: startIndex, used} = pool.areaState(area);
    if (nslots > pool.areaNslabs - used) continue;
    let index = startIndex;
    for (let checked = 0; checked < pool.areaNslabs;) {
      const slot = area * pool.areaNslabs + index;
      const address = pool.startGpa + slot * IO_TLB_SIZE;
      const aligned =
        address % (alignMask + 1) === 0 && (orig === 0 || (address & origMask) === (orig & origMask));
      const advance = aligned ? stride : 1;
      if (aligned && fits(slot)) return slot;
      index = index + advance >= pool.areaNslabs ? 0 : index + advance;
      checked += advance;
    }
  }
  return -1;
}

const operations = fc.array(
  fc.oneof(
    fc.record({
      op: fc.constant('map' as const),
      size: fc.integer({min: 1, max: 256 * KiB}),
      offset: fc.integer({min: 0, max: 4095}),
      cpu: fc.nat(7),
      aligned: fc.boolean(),
      pci: fc.boolean(),
    }),
    fc.record({op: fc.constant('unmap' as const), pick: fc.nat()}),
  ),
  {maxLength: 120},
);

/** Pools at 64 MiB, or placed (64 KiB-aligned, as memblock places them) so that 4 GiB falls inside. */
const poolStart = fc.oneof(
  fc.constant(64 * MiB),
  fc.integer({min: 1, max: 31}).map((pagesBelow) => FOUR_GIB - pagesBelow * GUEST_PAGE_SIZE),
);

describe('swiotlb against a reference model (property)', () => {
  it('takes the kernel’s slot, never hands a slot out twice, keeps used exact, never crosses a segment or a PCI device’s 4 GiB boundary, and restores list[] when all is freed', () => {
    fc.assert(
      fc.property(
        operations,
        fc.constantFrom(null, 0, 1, 2, 4),
        fc.integer({min: 1, max: 8}),
        poolStart,
        (ops, requestedAreas, vcpus, startGpa) => {
          const geometry = swiotlbGeometry(REQUESTED_NSLABS, requestedAreas, vcpus);
          if (requestedAreas === 0) expect(geometry.nareas).toBe(1);
          const view = new MemoryView(new GuestMemory(FOUR_GIB + 64 * MiB), false);
          const pool = new SwiotlbPool({...geometry, startGpa, view, pageSize: GUEST_PAGE_SIZE});
          const initial = pool.listSnapshot();
          const live: Array<{tlb: number; size: number; device: SwiotlbDevice; slots: number[]}> = [];
          const held = new Set<number>();
          for (const op of ops) {
            if (op.op === 'map') {
              const device: SwiotlbDevice = {
                index: op.cpu,
                minAlignMask: op.aligned ? 0xfff : 0,
                ...(op.pci ? {segBoundarySlots: segBoundarySlots(PCI_SEG_BOUNDARY_MASK)} : {}),
              };
              const orig = ORIG + op.offset;
              const expected = expectedSlot(pool, held, device, orig, op.size, op.cpu);
              const tlb = pool.map(device, orig, op.size, op.cpu);
              if (expected < 0) {
                expect(tlb).toBe(DMA_MAPPING_ERROR);
                continue;
              }
              expect(tlb).toBe(
                startGpa + expected * IO_TLB_SIZE + (orig & device.minAlignMask & (IO_TLB_SIZE - 1)),
              );
              if (op.aligned) expect(tlb & 0xfff).toBe(orig & 0xfff);
              if (!op.aligned && op.size >= GUEST_PAGE_SIZE) expect(tlb % GUEST_PAGE_SIZE).toBe(0);
              if (op.pci) expect(Math.floor(tlb / FOUR_GIB)).toBe(Math.floor((tlb + op.size - 1) / FOUR_GIB));
              const firstSlot = Math.floor((tlb - startGpa) / IO_TLB_SIZE);
              const lastSlot = Math.floor((tlb + op.size - 1 - startGpa) / IO_TLB_SIZE);
              expect(Math.floor(firstSlot / IO_TLB_SEGSIZE)).toBe(Math.floor(lastSlot / IO_TLB_SEGSIZE));
              const slots: number[] = [];
              for (let slot = firstSlot; slot <= lastSlot; slot++) {
                expect(held.has(slot)).toBe(false);
                held.add(slot);
                slots.push(slot);
              }
              live.push({tlb, size: op.size, device, slots});
            } else if (live.length > 0) {
              const [mapping] = live.splice(op.pick % live.length, 1);
              for (const slot of mapping!.slots) held.delete(slot);
              pool.unmap(mapping!.device, mapping!.tlb, mapping!.size, 'to-device');
            }
            expect(checkPool('model', pool)).toEqual([]);
            expect(pool.used).toBe(held.size);
          }
          for (const mapping of live) pool.unmap(mapping.device, mapping.tlb, mapping.size, 'to-device');
          expect(pool.used).toBe(0);
          expect(pool.listSnapshot()).toEqual(initial);
        },
      ),
      {numRuns: 150},
    );
  });
});
