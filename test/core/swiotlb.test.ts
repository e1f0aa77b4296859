import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {GUEST_PAGE_SIZE, GuestMemory} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {
  DMA_MAPPING_ERROR,
  IO_TLB_SEGSIZE,
  IO_TLB_SIZE,
  recommendNslabs,
  SwiotlbPool,
  swiotlbFullMessage,
  swiotlbGeometry,
} from '../../src/core/swiotlb.js';
import {KiB, MiB} from '../../src/core/units.js';
import {checkPool} from '../../src/host/invariants.js';

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
  it('aligns nslabs to a segment and rounds to a power of two', () => {
    expect(swiotlbGeometry(3000, 1, 1)).toEqual({nslabs: 4096, nareas: 1});
    expect(swiotlbGeometry(32768, 0, 4)).toEqual({nslabs: 32768, nareas: 4});
  });

  it('takes the vCPU count rounded up to a power of two as areas', () => {
    expect(swiotlbGeometry(8192, 0, 6).nareas).toBe(8);
  });

  it('grows a pool too small for its areas to one segment per area', () => {
    expect(swiotlbGeometry(128, 4, 4)).toEqual({nslabs: 512, nareas: 4});
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

  it('advises a bigger pool after failures, never a smaller one than needed', () => {
    expect(recommendNslabs({nslabs: 1024, nareas: 1, hiwater: 1024, mapFailures: 3})).toBeGreaterThanOrEqual(
      2048,
    );
    expect(recommendNslabs({nslabs: 1024, nareas: 1, hiwater: 100, mapFailures: 0})).toBeLessThan(1024);
  });
});

/** A simple model: which slots each live mapping holds. */
describe('swiotlb against a reference model (property)', () => {
  it('never hands a slot out twice, keeps used exact, respects segments and alignment, and restores list[] when all is freed', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('map' as const),
              size: fc.integer({min: 1, max: 256 * KiB}),
              offset: fc.integer({min: 0, max: 4095}),
              cpu: fc.nat(7),
              aligned: fc.boolean(),
            }),
            fc.record({op: fc.constant('unmap' as const), pick: fc.nat()}),
          ),
          {maxLength: 120},
        ),
        fc.constantFrom(1, 2, 4),
        (ops, nareas) => {
          const {pool} = makePool(1024, nareas);
          const initial = pool.listSnapshot();
          const live: Array<{
            tlb: number;
            size: number;
            device: {index: number; minAlignMask: number};
            slots: number[];
          }> = [];
          const owner = new Map<number, number>();
          for (const op of ops) {
            if (op.op === 'map') {
              const mapper = {index: op.cpu, minAlignMask: op.aligned ? 0xfff : 0};
              const orig = ORIG + op.offset;
              const tlb = pool.map(mapper, orig, op.size, op.cpu);
              if (tlb === DMA_MAPPING_ERROR) continue;
              if (op.aligned) expect(tlb & 0xfff).toBe(orig & 0xfff);
              if (!op.aligned && op.size >= GUEST_PAGE_SIZE) expect(tlb % GUEST_PAGE_SIZE).toBe(0);
              const firstSlot = Math.floor((tlb - POOL_START) / IO_TLB_SIZE);
              const lastSlot = Math.floor((tlb + op.size - 1 - POOL_START) / IO_TLB_SIZE);
              expect(Math.floor(firstSlot / IO_TLB_SEGSIZE)).toBe(Math.floor(lastSlot / IO_TLB_SEGSIZE));
              const slots: number[] = [];
              for (let slot = firstSlot; slot <= lastSlot; slot++) {
                expect(owner.has(slot)).toBe(false);
                owner.set(slot, live.length);
                slots.push(slot);
              }
              live.push({tlb, size: op.size, device: mapper, slots});
            } else if (live.length > 0) {
              const [mapping] = live.splice(op.pick % live.length, 1);
              for (const slot of mapping!.slots) owner.delete(slot);
              pool.unmap(mapping!.device, mapping!.tlb, mapping!.size, 'to-device');
            }
            expect(checkPool('model', pool)).toEqual([]);
            expect(pool.used).toBeGreaterThanOrEqual(owner.size);
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
