import {describe, expect, it} from 'vitest';
import {GUEST_PAGE_SIZE, GuestMemory, PageState} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {PageWindow} from '../../src/core/page-window.js';
import {SplitVirtqueueDevice} from '../../src/core/split-virtqueue-device.js';
import {SplitVirtqueueDriver} from '../../src/core/split-virtqueue-driver.js';
import {MiB} from '../../src/core/units.js';

const RING_GPA = 0x10000;
const RING_PFN = RING_GPA / GUEST_PAGE_SIZE;

function ring(allocateIndirect?: () => number) {
  const memory = new GuestMemory(256 * MiB);
  const guest = new MemoryView(memory, false);
  const hypervisor = new MemoryView(memory, true);
  const driver = new SplitVirtqueueDriver<number>({
    view: guest,
    baseGpa: RING_GPA,
    queueSize: 8,
    usedRingAlign: 128,
    hasEventIdx: false,
    allocateIndirect:
      allocateIndirect &&
      (() => {
        const gpa = allocateIndirect();
        return {cpuGpa: gpa, dmaAddr: gpa, publish: () => true, release: () => {}};
      }),
  });
  const device = new SplitVirtqueueDevice(hypervisor, driver.addresses, 8, false);
  return {memory, hypervisor, driver, device};
}

function popped(device: SplitVirtqueueDevice) {
  const element = device.pop();
  if (!element || 'error' in element) throw new Error('expected an element');
  return element;
}

/** The used ring's idx as the page's plaintext holds it (what the guest would read). */
function plaintextUsedIdx(memory: GuestMemory, device: SplitVirtqueueDevice): number {
  return memory.frameForRead(RING_PFN)!.readUInt16LE(device.addresses.device + 2 - RING_GPA);
}

describe('page windows over rings', () => {
  it("stop touching a ring's page directly once it turns secure: the device's accesses fault, page it out and miss the plaintext", () => {
    const {memory, hypervisor, driver, device} = ring();
    for (const token of [1, 2, 3]) driver.add([{addr: 0x100000, len: 8, isDeviceWritable: false}], token);
    const first = popped(device);
    device.push(first.head, 0); // both windows now hold the ring's frame
    expect(plaintextUsedIdx(memory, device)).toBe(1);
    expect(hypervisor.pageOuts).toBe(0);

    memory.setPageStates(RING_PFN, 1, PageState.secure);
    device.pop(); // the avail ring, read again: a fault, a page-out, and ciphertext read as a chain
    expect(hypervisor.pageOuts).toBe(1);
    device.push(first.head, 0); // written to the encrypted copy, not the plaintext
    expect(plaintextUsedIdx(memory, device)).toBe(1);
    expect(memory.pagedOut.has(RING_PFN)).toBe(true);
    expect(hypervisor.securePlaintextHeld()).toBe(-1);
  });

  it('make the driver page its ring back in after the hypervisor paged it out: its window is checked again, not written stale', () => {
    const {memory, hypervisor, driver, device} = ring();
    driver.add([{addr: 0x100000, len: 8, isDeviceWritable: false}], 1); // the driver's window holds the ring's frame
    memory.setPageStates(RING_PFN, 1, PageState.secure);
    device.pop(); // the hypervisor's read pages the ring out
    expect(memory.pagedOut.has(RING_PFN)).toBe(true);
    expect(hypervisor.pageOuts).toBe(1);

    driver.add([{addr: 0x110000, len: 8, isDeviceWritable: false}], 2);
    expect(memory.pagedOut.has(RING_PFN)).toBe(false);
    expect(driver.getBuf()).toBeUndefined(); // read through the window, paged in: nothing used yet
  });

  it("mark the driver's ring dirty when it writes it, not when it only reads the used ring", () => {
    const {memory, driver, device} = ring();
    memory.startDirtyLog();
    expect(driver.getBuf()).toBeUndefined();
    expect(driver.kickPrepare()).toBe(false);
    expect([...memory.syncDirtyLog()]).toEqual([]);
    driver.add([{addr: 0x100000, len: 8, isDeviceWritable: false}], 1);
    expect([...memory.syncDirtyLog()]).toEqual([RING_PFN]);
    device.push(popped(device).head, 0);
    memory.syncDirtyLog();
    expect(driver.getBuf()).toEqual({token: 1, len: 0}); // no EVENT_IDX: getBuf only reads the ring
    expect([...memory.syncDirtyLog()]).toEqual([]);
  });

  it('read each popped chain from its own indirect table', () => {
    const tables = [0x200000, 0x240000, 0x200100];
    let next = 0;
    const {driver, device} = ring(() => tables[next++ % tables.length]!);
    for (let request = 0; request < tables.length; request++) {
      driver.add(
        [
          {addr: 0x300000 + request * 0x1000, len: 16, isDeviceWritable: false},
          {addr: 0x310000 + request * 0x1000, len: 512 + request, isDeviceWritable: true},
        ],
        request,
      );
      const element = popped(device);
      expect(element.out).toEqual([{addr: 0x300000 + request * 0x1000, len: 16}]);
      expect(element.in).toEqual([{addr: 0x310000 + request * 0x1000, len: 512 + request}]);
      device.push(element.head, 0);
      expect(driver.getBuf()).toEqual({token: request, len: 0});
    }
  });

  it('have no frame for a range across pages or past the end of memory', () => {
    const memory = new GuestMemory(4 * GUEST_PAGE_SIZE);
    const view = new MemoryView(memory, true);
    view.fill(0, 1, memory.sizeBytes);
    expect(new PageWindow(view, false, GUEST_PAGE_SIZE - 8, 16).frame()).toBeUndefined();
    expect(new PageWindow(view, false, memory.sizeBytes - 8, 16).frame()).toBeUndefined();
    const inside = new PageWindow(view, false, GUEST_PAGE_SIZE + 8, 16);
    expect(inside.frame()?.[inside.offset]).toBe(1);
    expect(inside.offset).toBe(8);
  });
});
