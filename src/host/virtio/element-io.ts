import type {GuestMemory} from '../../core/guest-memory.js';
import {copyBytes, MemoryView, type PageChunkVisitor} from '../../core/memory-view.js';
import type {QueueElement} from '../../core/split-virtqueue-device.js';

/**
 * A device's access to the buffers of popped elements (QEMU's iov_to_buf/iov_from_buf over the
 * element's scatter list), through the hypervisor's view of guest memory, counting the bytes
 * moved each way. A blocked access throws (SecurePageFault, OutOfRangeAccess) to the device.
 */
export class ElementIo {
  view: MemoryView;
  bytesToDevice = 0;
  bytesFromDevice = 0;
  #headerScratch = Buffer.allocUnsafe(64);
  #dataScratch = Buffer.allocUnsafe(4096);

  constructor(memory: GuestMemory) {
    this.view = new MemoryView(memory, true);
  }

  /** Reads guest bytes into a scratch buffer that is valid until the next read. */
  readBytes(gpa: number, length: number): Buffer {
    const bytes = this.scratch(length, 'header');
    this.view.read(gpa, bytes, 0, length);
    this.bytesToDevice += length;
    return bytes;
  }

  /** A reusable buffer (one per purpose) so requests do not allocate; valid until the next use. */
  scratch(length: number, purpose: 'header' | 'data'): Buffer {
    let buffer = purpose === 'header' ? this.#headerScratch : this.#dataScratch;
    if (buffer.length < length) {
      buffer = Buffer.allocUnsafe(Math.max(length, buffer.length * 2));
      if (purpose === 'header') this.#headerScratch = buffer;
      else this.#dataScratch = buffer;
    }
    return buffer.subarray(0, length);
  }

  /** Reads an element's device-readable segments after the first `skip` bytes into one (scratch) buffer. */
  readOut(element: QueueElement, skip = 0): Buffer {
    let total = 0;
    for (const segment of element.out) total += segment.len;
    const bytes = this.scratch(Math.max(0, total - skip), 'data');
    this.streamOut(element, skip, (piece, offset, length, position) =>
      copyBytes(piece, offset, bytes, position, length),
    );
    return bytes;
  }

  /**
   * Hands an element's device-readable bytes after the first `skip` to `sink` piece by piece,
   * straight from guest memory (no bounce through a host buffer).
   * @returns the number of bytes handed over
   */
  streamOut(element: QueueElement, skip: number, sink: PageChunkVisitor): number {
    let position = 0;
    let toSkip = skip;
    for (const segment of element.out) {
      const from = Math.min(toSkip, segment.len);
      toSkip -= from;
      const length = segment.len - from;
      if (length > 0) {
        const base = position;
        this.view.visit(segment.addr + from, length, false, (bytes, offset, count, at) =>
          sink(bytes, offset, count, base + at),
        );
      }
      position += length;
    }
    this.bytesToDevice += position;
    return position;
  }

  /**
   * Fills the first `length` bytes of an element's device-writable segments from `source`, which
   * writes each piece of guest memory it is handed.
   * @returns the number of bytes written
   */
  streamIn(element: QueueElement, length: number, source: PageChunkVisitor): number {
    let position = 0;
    for (const segment of element.in) {
      if (position >= length) break;
      const count = Math.min(segment.len, length - position);
      const base = position;
      this.view.visit(segment.addr, count, true, (bytes, offset, pieceLength, at) =>
        source(bytes, offset, pieceLength, base + at),
      );
      position += count;
    }
    this.bytesFromDevice += position;
    return position;
  }

  /** Writes one byte at `position` of an element's device-writable segments (a status byte). */
  writeInByte(element: QueueElement, position: number, value: number): boolean {
    let segmentStart = 0;
    for (const segment of element.in) {
      if (position < segmentStart + segment.len) {
        this.view.writeU8(segment.addr + position - segmentStart, value);
        this.bytesFromDevice += 1;
        return true;
      }
      segmentStart += segment.len;
    }
    return false;
  }

  /** Writes bytes into an element's device-writable segments, in order; returns bytes written. */
  writeIn(element: QueueElement, source: Uint8Array): number {
    let position = 0;
    for (const segment of element.in) {
      if (position >= source.length) break;
      const length = Math.min(segment.len, source.length - position);
      this.view.write(segment.addr, source, position, length);
      position += length;
    }
    this.bytesFromDevice += position;
    return position;
  }
}
