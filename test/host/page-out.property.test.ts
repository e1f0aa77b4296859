import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {fillGenerated, GUEST_PAGE_SIZE, GuestMemory, PageState} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {checkHypervisorSawNoPlaintext} from '../../src/host/invariants.js';

// DESIGN §2.2 and §6: the hypervisor never sees a secure page's plaintext. torvalds/linux
// arch/powerpc/kvm/book3s_hv_uvmem.c pages a secure page out (UV_PAGE_OUT, encrypted) on the
// hypervisor's touch and back in (UV_PAGE_IN) on the guest's; Documentation/powerpc/ultravisor.rst
// says the ultravisor's cipher (IAPM) checks integrity, so a page the hypervisor wrote fails its page-in.

const PAGES = 4;
const SIZE_BYTES = 8 * GUEST_PAGE_SIZE;

type Access = 'read' | 'u8' | 'u16' | 'u32' | 'u64' | 'bytesAt' | 'visit' | 'equals';
type Step =
  | {readonly kind: 'guest-write'; readonly gpa: number; readonly length: number; readonly byte: number}
  | {readonly kind: 'guest-read'; readonly gpa: number; readonly length: number}
  | {readonly kind: 'hv-read'; readonly gpa: number; readonly length: number; readonly access: Access}
  | {readonly kind: 'hv-write'; readonly gpa: number; readonly length: number}
  | {readonly kind: 'state'; readonly pfn: number; readonly state: 'normal' | 'secure' | 'shared'}
  | {readonly kind: 'scrub'; readonly pfn: number}
  | {readonly kind: 'dirty'; readonly pfn: number}
  | {readonly kind: 'new-hv-view'};

const gpa = fc.integer({min: 0, max: PAGES * GUEST_PAGE_SIZE - 1});
const length = fc.integer({min: 1, max: 96});
const pfn = fc.integer({min: 0, max: PAGES - 1});
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({kind: fc.constant('guest-write' as const), gpa, length, byte: fc.nat({max: 255})}),
  fc.record({kind: fc.constant('guest-read' as const), gpa, length}),
  fc.record({
    kind: fc.constant('hv-read' as const),
    gpa,
    length,
    access: fc.constantFrom<Access>('read', 'u8', 'u16', 'u32', 'u64', 'bytesAt', 'visit', 'equals'),
  }),
  fc.record({kind: fc.constant('hv-write' as const), gpa, length}),
  fc.record({kind: fc.constant('state' as const), pfn, state: fc.constantFrom('normal', 'secure', 'shared')}),
  fc.record({kind: fc.constant('scrub' as const), pfn}),
  fc.record({kind: fc.constant('dirty' as const), pfn}),
  fc.constant({kind: 'new-hv-view' as const}),
);

const initialStates = fc.array(fc.constantFrom('normal' as const, 'secure' as const, 'shared' as const), {
  minLength: PAGES,
  maxLength: PAGES,
});

/** What a page reads as to the guest, from guest memory's own storage (no view: no page-in). */
function plaintextByte(memory: GuestMemory, address: number): number {
  const page = Math.floor(address / GUEST_PAGE_SIZE);
  const offset = address - page * GUEST_PAGE_SIZE;
  const frame = memory.frameForRead(page);
  if (frame) return frame[offset]!;
  const generation = memory.generationOf(page);
  if (generation === 0) return 0;
  const scratch = Buffer.alloc(GUEST_PAGE_SIZE);
  fillGenerated(scratch, page, generation);
  return scratch[offset]!;
}

/** The bytes a hypervisor access hands back, for the accesses that hand back bytes. */
function hypervisorRead(view: MemoryView, at: number, count: number, access: Access): Buffer | null {
  const bytes = Buffer.alloc(8);
  switch (access) {
    case 'read': {
      const all = Buffer.alloc(count);
      view.read(at, all, 0, count);
      return all;
    }
    case 'u8':
      return Buffer.from([view.readU8(at)]);
    case 'u16':
      bytes.writeUInt16LE(view.readU16(at));
      return bytes.subarray(0, 2);
    case 'u32':
      bytes.writeUInt32LE(view.readU32(at));
      return bytes.subarray(0, 4);
    case 'u64':
      return null; // a float above 2^53 loses low bits; covered by 'read'
    case 'bytesAt': {
      const frame = view.bytesAt(at, 16, false);
      return frame ? Buffer.from(frame.subarray(view.bytesOffset, view.bytesOffset + 16)) : null;
    }
    case 'visit': {
      const all = Buffer.alloc(count);
      view.visit(at, count, false, {
        put: (piece, offset, size, position) => piece.copy(all, position, offset, offset + size),
      });
      return all;
    }
    case 'equals':
      view.equals(at, Buffer.alloc(count), 0, count);
      return null;
  }
}

describe('the hypervisor never sees a secure page’s plaintext (property)', () => {
  it('across random guest and hypervisor accesses, page-state changes and scrubs', () => {
    fc.assert(
      fc.property(
        fc.integer({min: 0, max: 0xffffffff}),
        initialStates,
        fc.array(step, {minLength: 10, maxLength: 80}),
        (key, states, steps) => {
          const memory = new GuestMemory(SIZE_BYTES, key);
          memory.populate(0, PAGES);
          states.forEach((state, page) => memory.setPageStates(page, 1, PageState[state]));
          const guest = new MemoryView(memory, false);
          let hypervisor = new MemoryView(memory, true);
          /** Pages whose hypervisor copy the hypervisor wrote to (model, apart from the memory's own flag). */
          const written = new Set<number>();
          let expectedFailures = 0;
          const touchedByGuest = (first: number, count: number): void => {
            for (
              let page = Math.floor(first / GUEST_PAGE_SIZE);
              page <= Math.floor((first + count - 1) / GUEST_PAGE_SIZE);
              page++
            ) {
              if (written.delete(page)) expectedFailures++;
            }
          };
          const fits = (at: number, count: number): number => Math.min(count, SIZE_BYTES - at);
          for (const action of steps) {
            switch (action.kind) {
              case 'guest-write': {
                const count = fits(action.gpa, action.length);
                touchedByGuest(action.gpa, count);
                guest.write(action.gpa, Buffer.alloc(count, action.byte), 0, count);
                break;
              }
              case 'guest-read': {
                const count = fits(action.gpa, action.length);
                touchedByGuest(action.gpa, count);
                guest.read(action.gpa, Buffer.alloc(count), 0, count);
                break;
              }
              case 'hv-read': {
                const count = fits(action.gpa, action.access === 'bytesAt' ? 16 : action.length);
                const size = {u8: 1, u16: 2, u32: 4, u64: 8, bytesAt: 16}[action.access as string] ?? count;
                if (action.gpa + size > SIZE_BYTES) break;
                const before = Array.from({length: size}, (_, i) => ({
                  plaintext: plaintextByte(memory, action.gpa + i),
                  page: Math.floor((action.gpa + i) / GUEST_PAGE_SIZE),
                }));
                const seen = hypervisorRead(hypervisor, action.gpa, size, action.access);
                seen?.forEach((byte, i) => {
                  const {page, plaintext} = before[i]!;
                  if (memory.pageState(page) === PageState.secure && !written.has(page))
                    expect(byte, `byte ${action.gpa + i} of secure page ${page}`).not.toBe(plaintext);
                });
                break;
              }
              case 'hv-write': {
                const count = fits(action.gpa, action.length);
                const bytes = Buffer.alloc(count);
                hypervisor.read(action.gpa, bytes, 0, count);
                for (let i = 0; i < count; i++) bytes[i] = bytes[i]! ^ 0xff; // always a change
                hypervisor.write(action.gpa, bytes, 0, count);
                for (
                  let page = Math.floor(action.gpa / GUEST_PAGE_SIZE);
                  page <= Math.floor((action.gpa + count - 1) / GUEST_PAGE_SIZE);
                  page++
                )
                  if (memory.pageState(page) === PageState.secure) written.add(page);
                break;
              }
              case 'state':
                if (action.state !== 'secure') written.delete(action.pfn);
                memory.setPageStates(action.pfn, 1, PageState[action.state]);
                break;
              case 'scrub':
                written.delete(action.pfn);
                memory.zeroPage(action.pfn);
                break;
              case 'dirty':
                touchedByGuest(action.pfn * GUEST_PAGE_SIZE, 1);
                memory.dirtyPage(action.pfn);
                break;
              case 'new-hv-view':
                hypervisor = new MemoryView(memory, true);
                break;
            }
            expect(
              checkHypervisorSawNoPlaintext('g', memory, [
                {name: 'hv', securePlaintextHeld: () => hypervisor.securePlaintextHeld()},
              ]),
            ).toEqual([]);
            for (const page of written) expect(memory.pagedOut.isWritten(page)).toBe(true);
            expect(memory.pageInFailures).toBe(expectedFailures);
          }
        },
      ),
      {numRuns: 300},
    );
  });
});

describe('the checker of that invariant (checkInvariants)', () => {
  it('reports a copy that shows plaintext and a view that holds a secure page’s frame', () => {
    const memory = new GuestMemory(SIZE_BYTES, 9);
    memory.populate(0, PAGES);
    memory.setPageStates(1, 1, PageState.secure);
    const hypervisor = new MemoryView(memory, true);
    hypervisor.readU8(GUEST_PAGE_SIZE);
    const device = {name: 'virtio0', securePlaintextHeld: () => hypervisor.securePlaintextHeld()};
    expect(checkHypervisorSawNoPlaintext('g', memory, [device])).toEqual([]);
    memory.pagedOut.frame(1)![7] = plaintextByte(memory, GUEST_PAGE_SIZE + 7);
    expect(checkHypervisorSawNoPlaintext('g', memory, [device])).toEqual([
      "g: the hypervisor's copy of secure page 1 shows plaintext bytes",
    ]);
    const leaky = {name: 'virtio1', securePlaintextHeld: () => 1};
    expect(checkHypervisorSawNoPlaintext('g', memory, [leaky])[0]).toBe(
      'g virtio1: holds the plaintext frame of secure page 1',
    );
  });
});
