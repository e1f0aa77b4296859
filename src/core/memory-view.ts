import {GUEST_PAGE_SIZE, GuestMemory, PageState, fillGenerated} from './guest-memory.js';

/** A hypervisor access to a page the ultravisor owns. Caught where a device processes one request. */
export class SecurePageFault extends Error {
  override readonly name = 'SecurePageFault';
  constructor(readonly gpa: number) {
    super(`hypervisor access to secure page at gpa 0x${gpa.toString(16)} blocked by the ultravisor`);
  }
}

/** An access outside guest memory (a bogus address from a misbehaving guest). */
export class OutOfRangeAccess extends Error {
  override readonly name = 'OutOfRangeAccess';
  constructor(
    readonly gpa: number,
    readonly length: number,
  ) {
    super(`access to gpa 0x${gpa.toString(16)} (+${length}) is outside guest memory`);
  }
}

/**
 * One party's view of guest memory. The guest kernel's view reads and writes everything; the
 * hypervisor's view (every device backend has one) may touch only `normal` and `shared` pages:
 * anything else raises SecurePageFault and counts a fault against its owner.
 */
export class MemoryView {
  /** Hypervisor accesses that the ultravisor blocked. */
  faults = 0;
  /** Bytes this view read or wrote successfully. */
  bytesRead = 0;
  bytesWritten = 0;

  constructor(
    /** Re-pointed when a migrated guest resumes on its target's memory. */
    public memory: GuestMemory,
    readonly isHypervisor: boolean,
  ) {}

  /** Checks every page of [gpa, gpa+length) may be touched; throws the matching fault. */
  check(gpa: number, length: number): void {
    if (gpa < 0 || length < 0 || gpa + length > this.memory.sizeBytes || !Number.isSafeInteger(gpa)) {
      throw new OutOfRangeAccess(gpa, length);
    }
    if (!this.isHypervisor || length === 0) return;
    const first = Math.floor(gpa / GUEST_PAGE_SIZE);
    const last = Math.floor((gpa + length - 1) / GUEST_PAGE_SIZE);
    for (let pfn = first; pfn <= last; pfn++) {
      if (this.memory.pageState(pfn) === PageState.secure) {
        this.faults++;
        throw new SecurePageFault(Math.max(gpa, pfn * GUEST_PAGE_SIZE));
      }
    }
  }

  /** Copies guest bytes [gpa, gpa+length) into target[targetOffset...]. */
  read(gpa: number, target: Uint8Array, targetOffset: number, length: number): void {
    this.check(gpa, length);
    const memory = this.memory;
    let done = 0;
    while (done < length) {
      const address = gpa + done;
      const pfn = Math.floor(address / GUEST_PAGE_SIZE);
      const pageOffset = address - pfn * GUEST_PAGE_SIZE;
      const chunk = Math.min(GUEST_PAGE_SIZE - pageOffset, length - done);
      const frame = memory.frameForRead(pfn);
      const destination = targetOffset + done;
      if (frame) {
        target.set(frame.subarray(pageOffset, pageOffset + chunk), destination);
      } else {
        const generation = memory.generationOf(pfn);
        const slice = target.subarray(destination, destination + chunk);
        if (generation === 0) slice.fill(0);
        else fillGenerated(slice, pfn, generation, pageOffset, chunk);
      }
      done += chunk;
    }
    this.bytesRead += length;
  }

  /** Copies source[sourceOffset, +length) into guest memory at gpa. */
  write(gpa: number, source: Uint8Array, sourceOffset: number, length: number): void {
    this.check(gpa, length);
    let done = 0;
    while (done < length) {
      const address = gpa + done;
      const pfn = Math.floor(address / GUEST_PAGE_SIZE);
      const pageOffset = address - pfn * GUEST_PAGE_SIZE;
      const chunk = Math.min(GUEST_PAGE_SIZE - pageOffset, length - done);
      const frame = this.memory.frameForWrite(pfn);
      frame.set(source.subarray(sourceOffset + done, sourceOffset + done + chunk), pageOffset);
      done += chunk;
    }
    this.bytesWritten += length;
  }

  /** Copies within guest memory (the kernel's memcpy between two guest buffers). */
  copy(destinationGpa: number, sourceGpa: number, length: number): void {
    this.check(sourceGpa, length);
    this.check(destinationGpa, length);
    let done = 0;
    while (done < length) {
      const sourceAddress = sourceGpa + done;
      const sourcePfn = Math.floor(sourceAddress / GUEST_PAGE_SIZE);
      const sourceOffset = sourceAddress - sourcePfn * GUEST_PAGE_SIZE;
      const chunkFromSource = Math.min(GUEST_PAGE_SIZE - sourceOffset, length - done);
      const destinationAddress = destinationGpa + done;
      const destinationPfn = Math.floor(destinationAddress / GUEST_PAGE_SIZE);
      const destinationOffset = destinationAddress - destinationPfn * GUEST_PAGE_SIZE;
      const chunk = Math.min(chunkFromSource, GUEST_PAGE_SIZE - destinationOffset);
      const destination = this.memory.frameForWrite(destinationPfn);
      const source = this.memory.frameForRead(sourcePfn);
      if (source) {
        source.copy(destination, destinationOffset, sourceOffset, sourceOffset + chunk);
      } else {
        const generation = this.memory.generationOf(sourcePfn);
        const slice = destination.subarray(destinationOffset, destinationOffset + chunk);
        if (generation === 0) slice.fill(0);
        else fillGenerated(slice, sourcePfn, generation, sourceOffset, chunk);
      }
      done += chunk;
    }
    this.bytesRead += length;
    this.bytesWritten += length;
  }

  /** Sets [gpa, gpa+length) to `value`. */
  fill(gpa: number, value: number, length: number): void {
    this.check(gpa, length);
    let done = 0;
    while (done < length) {
      const address = gpa + done;
      const pfn = Math.floor(address / GUEST_PAGE_SIZE);
      const pageOffset = address - pfn * GUEST_PAGE_SIZE;
      const chunk = Math.min(GUEST_PAGE_SIZE - pageOffset, length - done);
      this.memory.frameForWrite(pfn).fill(value, pageOffset, pageOffset + chunk);
      done += chunk;
    }
    this.bytesWritten += length;
  }

  readU8(gpa: number): number {
    return this.#fieldFrame(gpa, 1).readUInt8(this.#fieldOffset);
  }

  readU16(gpa: number): number {
    return this.#fieldFrame(gpa, 2).readUInt16LE(this.#fieldOffset);
  }

  readU32(gpa: number): number {
    return this.#fieldFrame(gpa, 4).readUInt32LE(this.#fieldOffset);
  }

  /** Reads a little-endian 64-bit value; guest addresses fit in 53 bits. */
  readU64(gpa: number): number {
    const frame = this.#fieldFrame(gpa, 8);
    const offset = this.#fieldOffset;
    return frame.readUInt32LE(offset) + frame.readUInt32LE(offset + 4) * 0x1_0000_0000;
  }

  writeU8(gpa: number, value: number): void {
    this.#writeField(gpa, 1, value);
  }

  writeU16(gpa: number, value: number): void {
    this.#writeField(gpa, 2, value);
  }

  writeU32(gpa: number, value: number): void {
    this.#writeField(gpa, 4, value);
  }

  writeU64(gpa: number, value: number): void {
    this.#writeField(gpa, 8, value);
  }

  #fieldOffset = 0;

  /** The buffer holding a little-endian field at gpa; its offset is left in #fieldOffset. */
  #fieldFrame(gpa: number, size: number): Buffer {
    const pageOffset = gpa % GUEST_PAGE_SIZE;
    if (pageOffset + size > GUEST_PAGE_SIZE) {
      // A field across a page boundary: only a misbehaving guest lays tables out that way.
      const bytes = Buffer.alloc(size);
      this.read(gpa, bytes, 0, size);
      this.#fieldOffset = 0;
      return bytes;
    }
    this.check(gpa, size);
    this.bytesRead += size;
    this.#fieldOffset = pageOffset;
    const pfn = (gpa - pageOffset) / GUEST_PAGE_SIZE;
    const frame = this.memory.frameForRead(pfn);
    if (frame) return frame;
    return this.memory.generationOf(pfn) === 0 ? ZERO_FIELD_PAGE : this.memory.materialize(pfn);
  }

  #writeField(gpa: number, size: number, value: number): void {
    const pageOffset = gpa % GUEST_PAGE_SIZE;
    if (pageOffset + size > GUEST_PAGE_SIZE) {
      // A field across a page boundary: only a misbehaving guest lays tables out that way.
      const bytes = fieldScratch;
      bytes.writeUInt32LE(value >>> 0, 0);
      bytes.writeUInt32LE(Math.floor(value / 0x1_0000_0000) >>> 0, 4);
      this.write(gpa, bytes, 0, size);
      return;
    }
    this.check(gpa, size);
    this.bytesWritten += size;
    const frame = this.memory.frameForWrite((gpa - pageOffset) / GUEST_PAGE_SIZE);
    if (size === 1) frame[pageOffset] = value & 0xff;
    else if (size === 2) frame.writeUInt16LE(value & 0xffff, pageOffset);
    else if (size === 4) frame.writeUInt32LE(value >>> 0, pageOffset);
    else {
      frame.writeUInt32LE(value >>> 0, pageOffset);
      frame.writeUInt32LE(Math.floor(value / 0x1_0000_0000) >>> 0, pageOffset + 4);
    }
  }
}

const fieldScratch = Buffer.alloc(8);
const ZERO_FIELD_PAGE = Buffer.alloc(GUEST_PAGE_SIZE);
