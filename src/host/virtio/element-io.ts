import type {GuestMemory} from '../../core/guest-memory.js';
import {MemoryView, type PageSink} from '../../core/memory-view.js';
import {copyBytes} from '../../core/copy-bytes.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';

/**
 * A device's access to the buffers of popped elements (QEMU's iov_to_buf/iov_from_buf over the
 * element's scatter list), through the hypervisor's view of guest memory, counting the bytes
 * moved each way and the secure pages its accesses paged out. An access outside guest memory
 * throws OutOfRangeAccess to the device.
 */
export class ElementIo {
  view: MemoryView;
  /**
   * Bytes moved to and from the device. Doubles from the start: a small-integer field that passes
   * 2^31 (2 GiB moved) changes the object's map and deoptimises every function using it.
   */
  readonly #moved = new Float64Array(2);
  #dataScratch = Buffer.allocUnsafe(4096);
  #pageOutsBeforeRebind = 0;

  constructor(memory: GuestMemory) {
    this.view = new MemoryView(memory, true);
  }

  get bytesToDevice(): number {
    return this.#moved[0]!;
  }

  set bytesToDevice(bytes: number) {
    this.#moved[0] = bytes;
  }

  get bytesFromDevice(): number {
    return this.#moved[1]!;
  }

  set bytesFromDevice(bytes: number) {
    this.#moved[1] = bytes;
  }

  /**
   * Hypervisor faults on secure pages these accesses took, each resolved by a UV_PAGE_OUT
   * (book3s_hv_uvmem.c `kvmppc_uvmem_migrate_to_ram`), over every memory the device has used.
   */
  get pageOuts(): number {
    return this.#pageOutsBeforeRebind + this.view.pageOuts;
  }

  /** Points the accesses at another memory (the migration target's RAM). */
  rebind(memory: GuestMemory): void {
    this.#pageOutsBeforeRebind += this.view.pageOuts;
    this.view = new MemoryView(memory, true);
  }

  /** Where the bytes `bytesAt` returned start in it. */
  bytesOffset = 0;

  /**
   * `length` guest bytes at `gpa` to read in place (a request header), from `bytesOffset` on: the
   * view's frame of their page (`MemoryView.bytesAt`, checked as any access), else, across pages,
   * `target` with them copied to its start.
   */
  bytesAt(gpa: number, target: Buffer, length: number): Buffer {
    const view = this.view;
    const frame = view.bytesAt(gpa, length, false);
    if (frame !== undefined) {
      this.#moved[0]! += length;
      this.bytesOffset = view.rangeOffset;
      return frame;
    }
    view.read(gpa, target, 0, length);
    this.#moved[0]! += length;
    this.bytesOffset = 0;
    return target;
  }

  /** The buffer `readOut` fills from its start (replaced when it grows: read it after the call). */
  get scratch(): Buffer {
    return this.#dataScratch;
  }

  /**
   * Reads an element's device-readable segments after the first `skip` bytes, at most `maxBytes`
   * of them (the device's own bound: a chain may hold 1024 descriptors of any length), into the
   * start of `scratch`, valid until the next call (no buffer per call: the net path reads a frame
   * per call). A device that reads a chain whole streams it (`streamOut`) rather than copying it.
   * @returns the number of bytes read
   */
  readOut(element: QueueElement, skip: number, maxBytes: number): number {
    let total = 0;
    for (const segment of element.out) total += segment.len;
    const length = Math.min(Math.max(0, total - skip), maxBytes);
    if (this.#dataScratch.length < length)
      this.#dataScratch = Buffer.allocUnsafe(
        Math.max(length, Math.min(this.#dataScratch.length * 2, maxBytes)),
      );
    return this.streamOut(element, skip, this.#toScratch, length);
  }

  readonly #toScratch: PageSink = {
    put: (bytes, offset, length, position) => copyBytes(bytes, offset, this.#dataScratch, position, length),
  };

  /**
   * Hands an element's device-readable bytes after the first `skip`, at most `maxBytes` of them,
   * to `sink` piece by piece, straight from guest memory (no bounce through a host buffer).
   * @returns the number of bytes handed over
   */
  streamOut(element: QueueElement, skip: number, sink: PageSink, maxBytes = Infinity): number {
    let position = 0;
    let toSkip = skip;
    for (const segment of element.out) {
      if (position >= maxBytes) break;
      const from = Math.min(toSkip, segment.len);
      toSkip -= from;
      const length = Math.min(segment.len - from, maxBytes - position);
      if (length > 0) this.view.visit(segment.addr + from, length, false, sink, position);
      position += length;
    }
    this.#moved[0]! += position;
    return position;
  }

  /**
   * Fills the first `length` bytes of an element's device-writable segments from `source`, which
   * writes each piece of guest memory it is handed.
   * @returns the number of bytes written
   */
  streamIn(element: QueueElement, length: number, source: PageSink): number {
    let position = 0;
    for (const segment of element.in) {
      if (position >= length) break;
      const count = Math.min(segment.len, length - position);
      this.view.visit(segment.addr, count, true, source, position);
      position += count;
    }
    this.#moved[1]! += position;
    return position;
  }

  /** Writes one byte at `position` of an element's device-writable segments (a status byte). */
  writeInByte(element: QueueElement, position: number, value: number): boolean {
    let segmentStart = 0;
    for (const segment of element.in) {
      if (position < segmentStart + segment.len) {
        this.view.writeU8(segment.addr + position - segmentStart, value);
        this.#moved[1]! += 1;
        return true;
      }
      segmentStart += segment.len;
    }
    return false;
  }

  /** Writes the first `sourceLength` bytes of `source` into an element's device-writable segments, in order; returns bytes written. */
  writeIn(element: QueueElement, source: Uint8Array, sourceLength = source.length): number {
    let position = 0;
    for (const segment of element.in) {
      if (position >= sourceLength) break;
      const length = Math.min(segment.len, sourceLength - position);
      this.view.write(segment.addr, source, position, length);
      position += length;
    }
    this.#moved[1]! += position;
    return position;
  }
}
