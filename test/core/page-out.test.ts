import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {GUEST_PAGE_SIZE, GuestMemory, PageState} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {applyKeystream} from '../../src/core/page-out.js';
import {PPC64_SMP_CACHE_BYTES} from '../../src/core/split-ring-layout.js';
import {SplitVirtqueueDevice} from '../../src/core/split-virtqueue-device.js';
import {SplitVirtqueueDriver} from '../../src/core/split-virtqueue-driver.js';
import {GiB, MiB} from '../../src/core/units.js';

// Rules from torvalds/linux arch/powerpc/kvm/book3s_hv_uvmem.c (`kvmppc_uvmem_migrate_to_ram`,
// `kvmppc_svm_page_out`, `kvmppc_send_page_to_uv`) and Documentation/powerpc/ultravisor.rst
// (UV_PAGE_OUT, UV_PAGE_IN, IAPM).

const PAGE = 3;
const AT = PAGE * GUEST_PAGE_SIZE;

function secureGuest(key = 1): {memory: GuestMemory; guest: MemoryView; hypervisor: MemoryView} {
  const memory = new GuestMemory(GiB, key);
  memory.setPageStates(PAGE, 1, PageState.secure);
  return {memory, guest: new MemoryView(memory, false), hypervisor: new MemoryView(memory, true)};
}

function differsEverywhere(seen: Buffer, plaintext: Buffer): boolean {
  return seen.every((byte, i) => byte !== plaintext[i]);
}

describe('a hypervisor access to a secure page (UV_PAGE_OUT)', () => {
  it('kvmppc_svm_page_out: pages the page out once and shows it encrypted, never failing', () => {
    const {guest, hypervisor} = secureGuest();
    const secret = Buffer.from('secret guest data, sixteen+ bytes');
    guest.write(AT + 100, secret, 0, secret.length);
    const seen = Buffer.alloc(secret.length);
    hypervisor.read(AT + 100, seen, 0, seen.length);
    expect(differsEverywhere(seen, secret)).toBe(true);
    expect(hypervisor.pageOuts).toBe(1);
    const again = Buffer.alloc(secret.length);
    hypervisor.read(AT + 100, again, 0, again.length);
    expect(again.equals(seen)).toBe(true); // "The requested page is already paged-out, nothing to do"
    expect(hypervisor.pageOuts).toBe(1);
  });

  it('every field path and walk pages out instead of throwing, and reads ciphertext', () => {
    const {memory, guest} = secureGuest();
    guest.writeU16(AT + 2, 7);
    guest.writeU64(AT + 64, 0x1234_5678);
    const paths: [string, (view: MemoryView) => unknown][] = [
      ['readU8', (view) => view.readU8(AT + 2)],
      ['readU16', (view) => view.readU16(AT + 2)],
      ['readU32', (view) => view.readU32(AT + 64)],
      ['readU64', (view) => view.readU64(AT + 64)],
      ['bytesAt', (view) => view.bytesAt(AT + 64, 16, false)],
      ['visit', (view) => view.visit(AT - 10, 20, false, {put: () => undefined})],
      ['equals', (view) => view.equals(AT + 2, Buffer.from([7, 0]), 0, 2)],
    ];
    for (const [name, access] of paths) {
      guest.readU8(AT); // the guest's touch pages it back in
      const hypervisor = new MemoryView(memory, true);
      expect(() => access(hypervisor), name).not.toThrow();
      expect(hypervisor.pageOuts, name).toBe(1);
    }
    const hypervisor = new MemoryView(memory, true);
    expect(hypervisor.readU16(AT + 2)).not.toBe(7);
    expect(hypervisor.readU64(AT + 64)).not.toBe(0x1234_5678);
    expect(hypervisor.equals(AT + 2, Buffer.from([7, 0]), 0, 2)).toBe(false);
  });

  it('a range across a normal and a secure page pages out only the secure one', () => {
    const {memory, guest, hypervisor} = secureGuest();
    guest.write(AT - 4, Buffer.from('abcdefgh'), 0, 8);
    const seen = Buffer.alloc(8);
    hypervisor.read(AT - 4, seen, 0, 8);
    expect(seen.subarray(0, 4).toString()).toBe('abcd');
    expect(differsEverywhere(seen.subarray(4), Buffer.from('efgh'))).toBe(true);
    expect([...memory.pagedOut.pfns()]).toEqual([PAGE]);
  });

  it('a field the hypervisor read while the page was shared is paged out once the page turns secure', () => {
    const memory = new GuestMemory(GiB, 5);
    memory.setPageStates(PAGE, 1, PageState.shared);
    const hypervisor = new MemoryView(memory, true);
    hypervisor.writeU32(AT + 24, 7);
    expect(hypervisor.readU32(AT + 24)).toBe(7);
    memory.setPageStates(PAGE, 1, PageState.secure);
    expect(hypervisor.readU32(AT + 24)).not.toBe(7);
    expect(hypervisor.securePlaintextHeld()).toBe(-1);
    memory.setPageStates(PAGE, 1, PageState.shared);
    expect(hypervisor.readU32(AT + 24)).toBe(7);
    expect(memory.pagedOut.count).toBe(0);
  });

  it('the ciphertext depends on the guest key and is fresh at each page-out', () => {
    const first = secureGuest(1);
    const second = secureGuest(2);
    const seen = (views: ReturnType<typeof secureGuest>): Buffer => {
      const bytes = Buffer.alloc(64);
      views.hypervisor.read(AT, bytes, 0, 64);
      return bytes;
    };
    const once = seen(first);
    expect(once.equals(seen(second))).toBe(false);
    first.guest.readU8(AT); // paged back in
    expect(seen(first).equals(once)).toBe(false);
    expect(first.hypervisor.pageOuts).toBe(2);
  });
});

describe('the guest touching a paged-out page (UV_PAGE_IN)', () => {
  it('kvmppc_send_page_to_uv: pages it back in with its plaintext', () => {
    const {memory, guest, hypervisor} = secureGuest();
    guest.write(AT, Buffer.from('plain'), 0, 5);
    hypervisor.readU32(AT);
    expect(memory.pagedOut.count).toBe(1);
    const back = Buffer.alloc(5);
    guest.read(AT, back, 0, 5);
    expect(back.toString()).toBe('plain');
    expect(memory.pagedOut.count).toBe(0);
    expect(memory.pageInFailures).toBe(0);
  });

  it('a page the hypervisor only read passes the integrity check, whatever the guest does next', () => {
    const {memory, guest, hypervisor} = secureGuest();
    memory.populate(PAGE, 1);
    hypervisor.read(AT, Buffer.alloc(32), 0, 32);
    memory.dirtyPage(PAGE); // the guest's program writes it: a guest touch
    expect(memory.pagedOut.count).toBe(0);
    hypervisor.readU8(AT);
    guest.writeU8(AT, 1);
    expect(memory.pageInFailures).toBe(0);
  });

  it('IAPM: a copy the hypervisor wrote to fails its page-in, and the failure is reported with its address', () => {
    const {memory, guest, hypervisor} = secureGuest();
    const failures: number[] = [];
    memory.onPageInFailure = (gpa) => failures.push(gpa);
    guest.writeU32(AT + 8, 42);
    hypervisor.writeU16(AT + 100, 0xffff);
    expect(memory.pagedOut.isWritten(PAGE)).toBe(true);
    expect(guest.readU32(AT + 8)).toBe(42); // the access itself completes (a simplification)
    expect(memory.pageInFailures).toBe(1);
    expect(failures).toEqual([AT]);
  });

  it('a page scrubbed or shared while paged out drops the copy without a page-in', () => {
    const {memory, hypervisor} = secureGuest();
    hypervisor.writeU8(AT, 1);
    memory.zeroPage(PAGE);
    expect(memory.pagedOut.count).toBe(0);
    hypervisor.writeU8(AT, 1);
    memory.setPageStates(PAGE, 1, PageState.shared);
    expect(memory.pagedOut.count).toBe(0);
    expect(memory.pageInFailures).toBe(0);
    expect(hypervisor.readU8(AT)).toBe(0);
  });
});

describe('what QEMU says of a ring it reads paged out (qemu/qemu hw/virtio/virtio.c)', () => {
  const QUEUE_SIZE = 256;
  const RING_PAGE = 16;

  it('the texts of virtqueue_get_head and virtqueue_num_heads name exactly the ciphertext the device read', () => {
    fc.assert(
      fc.property(fc.integer({min: 0, max: 0xffffffff}), (key) => {
        const memory = new GuestMemory(256 * MiB, key);
        memory.setPageStates(RING_PAGE, 1, PageState.secure);
        const driver = new SplitVirtqueueDriver<number>({
          view: new MemoryView(memory, false),
          baseGpa: RING_PAGE * GUEST_PAGE_SIZE,
          queueSize: QUEUE_SIZE,
          usedRingAlign: PPC64_SMP_CACHE_BYTES,
          hasEventIdx: false,
        });
        driver.add([{addr: 0x100000, len: 512, isDeviceWritable: true}], 1);
        // The oracle: the page as the ultravisor encrypts it at its first page-out.
        const ciphertext = Buffer.from(memory.frameForRead(RING_PAGE)!);
        applyKeystream(ciphertext, key, RING_PAGE, 1);
        const availOffset = driver.addresses.driver - RING_PAGE * GUEST_PAGE_SIZE;
        const availIdx = ciphertext.readUInt16LE(availOffset + 2);
        const head = ciphertext.readUInt16LE(availOffset + 4);
        const device = () =>
          new SplitVirtqueueDevice(new MemoryView(memory, true), driver.addresses, QUEUE_SIZE, false);
        const popped = device().pop();
        if (availIdx === 0) expect(popped).toBeUndefined();
        else if (head >= QUEUE_SIZE)
          expect(popped).toEqual({error: `Guest says index ${head} is available`, code: 'head-out-of-range'});
        else expect(popped).toBeDefined(); // the descriptor's ciphertext decides, never an exception
        const walked = device().availableInBytes();
        if (availIdx > QUEUE_SIZE)
          expect(walked).toEqual({
            error: `Guest moved used index from 0 to ${availIdx}`,
            code: 'avail-index-moved',
          });
        expect(memory.pagedOut.count).toBe(1);
      }),
      {numRuns: 200},
    );
  });
});
