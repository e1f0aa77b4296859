import {describe, expect, it, vi} from 'vitest';
import {GUEST_PAGE_SIZE, GuestMemory, PageState} from '../../src/core/guest-memory.js';
import {MemoryView, OutOfRangeAccess} from '../../src/core/memory-view.js';
import {GiB} from '../../src/core/units.js';

describe('guest memory', () => {
  it('costs only the pages that were written', () => {
    const memory = new GuestMemory(8 * GiB);
    const view = new MemoryView(memory, false);
    expect(memory.materializedPageCount).toBe(0);
    view.write(3 * GiB, Buffer.from('hello'), 0, 5);
    expect(memory.materializedPageCount).toBe(1);
    const back = Buffer.alloc(5);
    view.read(3 * GiB, back, 0, 5);
    expect(back.toString()).toBe('hello');
  });

  it('reads untouched memory as zeros without allocating it', () => {
    const memory = new GuestMemory(GiB);
    const bytes = Buffer.alloc(100, 7);
    new MemoryView(memory, true).read(12345, bytes, 0, 100);
    expect(bytes.every((byte) => byte === 0)).toBe(true);
    expect(memory.materializedPageCount).toBe(0);
  });

  it('copies across page boundaries', () => {
    const memory = new GuestMemory(GiB);
    const view = new MemoryView(memory, false);
    const data = Buffer.from(Array.from({length: 300}, (_, i) => i & 0xff));
    const at = GUEST_PAGE_SIZE - 100;
    view.write(at, data, 0, data.length);
    const back = Buffer.alloc(300);
    view.read(at, back, 0, 300);
    expect(back.equals(data)).toBe(true);
    view.copy(5 * GUEST_PAGE_SIZE - 7, at, 300);
    view.read(5 * GUEST_PAGE_SIZE - 7, back, 0, 300);
    expect(back.equals(data)).toBe(true);
  });

  it('encodes little-endian fields, including 64-bit addresses above 4 GiB', () => {
    const view = new MemoryView(new GuestMemory(GiB), false);
    view.writeU64(64, 0x1_2345_6789);
    view.writeU16(80, 0xbeef);
    expect(view.readU64(64)).toBe(0x1_2345_6789);
    expect(view.readU16(80)).toBe(0xbeef);
    const raw = Buffer.alloc(2);
    view.read(80, raw, 0, 2);
    expect([...raw]).toEqual([0xef, 0xbe]);
  });

  it('reads and writes fields of every width at page edges and across pages alike', () => {
    const view = new MemoryView(new GuestMemory(GiB), false);
    const values: Array<[number, number, (gpa: number) => number, (gpa: number, value: number) => void]> = [
      [1, 0xa5, (gpa) => view.readU8(gpa), (gpa, value) => view.writeU8(gpa, value)],
      [2, 0xbeef, (gpa) => view.readU16(gpa), (gpa, value) => view.writeU16(gpa, value)],
      [4, 0xdead_beef, (gpa) => view.readU32(gpa), (gpa, value) => view.writeU32(gpa, value)],
      [8, 0x1f_dead_beef_cafe, (gpa) => view.readU64(gpa), (gpa, value) => view.writeU64(gpa, value)],
    ];
    for (const [size, value, read, write] of values) {
      for (const gpa of [GUEST_PAGE_SIZE - size, GUEST_PAGE_SIZE - size + 1, 3 * GUEST_PAGE_SIZE + 8]) {
        write(gpa, value);
        expect(read(gpa)).toBe(value);
        expect(read(gpa)).toBe(value);
      }
    }
  });

  it('lets the hypervisor touch shared pages', () => {
    const memory = new GuestMemory(GiB);
    memory.setPageStates(4, 1, PageState.shared);
    new MemoryView(memory, true).writeU32(4 * GUEST_PAGE_SIZE, 99);
    expect(new MemoryView(memory, false).readU32(4 * GUEST_PAGE_SIZE)).toBe(99);
  });

  it('rejects addresses outside guest memory', () => {
    expect(() => new MemoryView(new GuestMemory(GiB), true).read(GiB - 2, Buffer.alloc(4), 0, 4)).toThrow(
      OutOfRangeAccess,
    );
  });

  it('rejects a field just below address 0 after its page cache was reset (no stale frame answers)', () => {
    const memory = new GuestMemory(GiB);
    const view = new MemoryView(memory, false);
    view.writeU8(64 * GUEST_PAGE_SIZE - 1, 7); // page 63 takes the cache slot page -1 maps to
    memory.setPageStates(0, 1, PageState.shared); // a new epoch: the view forgets its pages
    view.readU8(0);
    expect(() => view.readU8(-1)).toThrow(OutOfRangeAccess);
    expect(() => view.writeU8(-1, 1)).toThrow(OutOfRangeAccess);
  });

  it('zeroes a page the way UV_SHARE_PAGE does', () => {
    const memory = new GuestMemory(GiB);
    const view = new MemoryView(memory, false);
    view.fill(GUEST_PAGE_SIZE, 0xaa, 64);
    memory.zeroPage(1);
    expect(view.readU32(GUEST_PAGE_SIZE)).toBe(0);
  });

  it('generated (resident) pages read as a deterministic non-zero pattern and migrate as such', () => {
    const memory = new GuestMemory(GiB);
    memory.populate(0, 4);
    const first = Buffer.alloc(16);
    new MemoryView(memory, false).read(GUEST_PAGE_SIZE + 8, first, 0, 16);
    expect(first.some((byte) => byte !== 0)).toBe(true);
    expect(memory.isZeroPage(1)).toBe(false);
    const copy = new GuestMemory(GiB);
    copy.importPage(1, memory.exportPage(1));
    const second = Buffer.alloc(16);
    new MemoryView(copy, false).read(GUEST_PAGE_SIZE + 8, second, 0, 16);
    expect(second.equals(first)).toBe(true);
  });

  it('logs dirty pages for migration and clears them on sync', () => {
    const memory = new GuestMemory(GiB);
    memory.startDirtyLog();
    const view = new MemoryView(memory, true);
    view.writeU32(3 * GUEST_PAGE_SIZE, 1);
    view.writeU32(3 * GUEST_PAGE_SIZE + 8, 1);
    memory.dirtyPage(9);
    expect([...memory.syncDirtyLog()]).toEqual([3, 9]);
    expect(memory.dirtyPageCount).toBe(0);
  });

  it('never hands out a page frame the memory has dropped (views cache frames)', () => {
    const memory = new GuestMemory(GiB);
    const view = new MemoryView(memory, false);
    view.writeU32(3 * GUEST_PAGE_SIZE + 8, 0xdeadbeef);
    expect(view.readU32(3 * GUEST_PAGE_SIZE + 8)).toBe(0xdeadbeef);
    memory.zeroPage(3);
    expect(view.readU32(3 * GUEST_PAGE_SIZE + 8)).toBe(0);
    view.writeU32(3 * GUEST_PAGE_SIZE + 8, 7);
    memory.importPage(3, {kind: 'zero'});
    expect(view.readU32(3 * GUEST_PAGE_SIZE + 8)).toBe(0);
    view.memory = new GuestMemory(GiB);
    expect(view.readU32(3 * GUEST_PAGE_SIZE + 8)).toBe(0);
  });

  it('compares guest bytes in place and walks a range page by page', () => {
    const view = new MemoryView(new GuestMemory(GiB), false);
    const data = Buffer.from(Array.from({length: 3000}, (_, i) => (i * 7) & 0xff));
    const at = GUEST_PAGE_SIZE - 1000;
    view.write(at, data, 0, data.length);
    expect(view.equals(at, data, 0, data.length)).toBe(true);
    expect(view.equals(at + 1, data, 1, 2999)).toBe(true);
    data[2500]! ^= 1;
    expect(view.equals(at, data, 0, data.length)).toBe(false);
    const pieces: number[][] = [];
    view.visit(
      at,
      3000,
      false,
      {put: (_bytes, offset, length, position) => pieces.push([offset, length, position])},
      5,
    );
    expect(pieces).toEqual([
      [GUEST_PAGE_SIZE - 1000, 1000, 5],
      [0, 2000, 1005],
    ]);
  });
});

describe('memory view ranges inside one remembered page (the bounce and header fast path)', () => {
  const page = (pfn: number, offset = 0) => pfn * GUEST_PAGE_SIZE + offset;

  it('marks the written page dirty on a write or copy into a page it remembers', () => {
    const memory = new GuestMemory(GiB);
    const view = new MemoryView(memory, false);
    view.write(page(5), Buffer.from('abcd'), 0, 4);
    view.write(page(6), Buffer.from('wxyz'), 0, 4);
    memory.startDirtyLog();
    view.write(page(5, 8), Buffer.from('efgh'), 0, 4);
    view.copy(page(6, 100), page(5, 8), 4);
    expect([...memory.syncDirtyLog()]).toEqual([5, 6]);
    const seen = Buffer.alloc(4);
    view.read(page(6, 100), seen, 0, 4);
    expect(seen.toString()).toBe('efgh');
  });

  it('gives the hypervisor the encrypted copy of a secure page, and plaintext once it is shared', () => {
    const memory = new GuestMemory(GiB, 7);
    new MemoryView(memory, false).write(page(7), Buffer.from('secret!!'), 0, 8);
    const hypervisor = new MemoryView(memory, true);
    const seen = Buffer.alloc(8);
    hypervisor.read(page(7), seen, 0, 8); // plaintext, cached while the page is normal
    memory.setPageStates(7, 1, PageState.secure);
    hypervisor.read(page(7), seen, 0, 8);
    const ciphertext = Buffer.from(seen);
    expect(ciphertext.toString()).not.toBe('secret!!');
    expect(ciphertext.equals(Buffer.alloc(8))).toBe(false);
    seen.fill(0);
    hypervisor.read(page(7), seen, 0, 8); // the same encrypted copy, not zeros or a stale read
    expect(seen).toEqual(ciphertext);
    memory.setPageStates(7, 1, PageState.shared);
    hypervisor.read(page(7), seen, 0, 8);
    expect(seen.toString()).toBe('secret!!');
  });

  it('remembers pages that sit a multiple of 64 pages apart at once (two swiotlb areas a request alternates between)', () => {
    const memory = new GuestMemory(GiB);
    const guest = new MemoryView(memory, false);
    guest.write(page(0x200, 8), Buffer.from('area'), 0, 4);
    guest.write(page(0x300, 8), Buffer.from('next'), 0, 4);
    const hypervisor = new MemoryView(memory, true);
    const checked = vi.spyOn(hypervisor, 'check');
    const seen = Buffer.alloc(4);
    for (let round = 0; round < 3; round++) {
      hypervisor.read(page(0x200, 8), seen, 0, 4);
      hypervisor.read(page(0x300, 8), seen, 0, 4);
    }
    expect(checked).toHaveBeenCalledTimes(2);
  });

  it('hands a range inside a remembered page to a sink without checking it again', () => {
    const memory = new GuestMemory(GiB);
    const hypervisor = new MemoryView(memory, true);
    const checked = vi.spyOn(hypervisor, 'check');
    const pieces: string[] = [];
    const sink = {
      put: (bytes: Buffer, offset: number, length: number, position: number) =>
        pieces.push(`${bytes.subarray(offset, offset + length).toString()}@${position}`),
    };
    new MemoryView(memory, false).write(page(9, 4), Buffer.from('data'), 0, 4);
    hypervisor.visit(page(9, 4), 4, false, sink, 16);
    hypervisor.visit(page(9, 4), 4, true, sink, 16);
    expect(pieces).toEqual(['data@16', 'data@16']);
    expect(checked).toHaveBeenCalledTimes(1);
  });
});
