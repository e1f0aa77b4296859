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

/** Frames a view remembers (direct-mapped by page number): rings and buffers sit in a few pages. */
const FRAME_CACHE_SLOTS = 16;

/** A piece of a guest range inside one page: `bytes[offset, offset + length)` is range byte `position` on (valid until the view is used again). */
export type PageChunkVisitor = (bytes: Buffer, offset: number, length: number, position: number) => void;

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
  readonly isHypervisor: boolean;
  #memory: GuestMemory;
  readonly #cachedPfns = new Float64Array(FRAME_CACHE_SLOTS).fill(-1);
  readonly #cachedFrames: (Buffer | undefined)[] = new Array<Buffer | undefined>(FRAME_CACHE_SLOTS);
  #cacheEpoch = -1;

  constructor(memory: GuestMemory, isHypervisor: boolean) {
    this.#memory = memory;
    this.isHypervisor = isHypervisor;
  }

  get memory(): GuestMemory {
    return this.#memory;
  }

  /** Re-pointed when a migrated guest resumes on its target's memory. */
  set memory(memory: GuestMemory) {
    this.#memory = memory;
    this.#cacheEpoch = -1;
  }

  /** Checks every page of [gpa, gpa+length) may be touched; throws the matching fault. */
  check(gpa: number, length: number): void {
    if (gpa < 0 || length < 0 || gpa + length > this.#memory.sizeBytes || !Number.isSafeInteger(gpa)) {
      throw new OutOfRangeAccess(gpa, length);
    }
    if (!this.isHypervisor || length === 0) return;
    const first = Math.floor(gpa / GUEST_PAGE_SIZE);
    const last = Math.floor((gpa + length - 1) / GUEST_PAGE_SIZE);
    for (let pfn = first; pfn <= last; pfn++) {
      if (this.#memory.pageState(pfn) === PageState.secure) {
        this.faults++;
        throw new SecurePageFault(Math.max(gpa, pfn * GUEST_PAGE_SIZE));
      }
    }
  }

  /** The page's bytes if it has a frame; remembered until the memory drops a frame. */
  #existingFrame(pfn: number): Buffer | undefined {
    const memory = this.#memory;
    if (memory.epoch !== this.#cacheEpoch) {
      this.#cachedPfns.fill(-1);
      this.#cacheEpoch = memory.epoch;
    }
    const slot = pfn & (FRAME_CACHE_SLOTS - 1);
    if (this.#cachedPfns[slot] === pfn) return this.#cachedFrames[slot];
    const frame = memory.frameForRead(pfn);
    if (frame) {
      this.#cachedPfns[slot] = pfn;
      this.#cachedFrames[slot] = frame;
    }
    return frame;
  }

  /** The page's frame for writing (materialised on first use); marks it dirty. */
  #writableFrame(pfn: number): Buffer {
    const memory = this.#memory;
    memory.markDirty(pfn);
    const frame = this.#existingFrame(pfn);
    if (frame) return frame;
    memory.materialize(pfn);
    return this.#existingFrame(pfn)!;
  }

  /** The page's frame for reading, materialising generated contents (fields of ring pages). */
  #readableFrame(pfn: number): Buffer {
    const frame = this.#existingFrame(pfn);
    if (frame) return frame;
    if (this.#memory.generationOf(pfn) === 0) return ZERO_PAGE;
    this.#memory.materialize(pfn);
    return this.#existingFrame(pfn)!;
  }

  /**
   * Hands each page-sized piece of [gpa, gpa+length) to `visit`, after checking the range. For
   * reads, pages without bytes of their own come as a shared read-only copy of what they read as.
   */
  visit(gpa: number, length: number, forWrite: boolean, visit: PageChunkVisitor): void {
    const count = this.#split(gpa, length);
    // The visitor may use this view again: walk a copy of the pieces.
    const pieces = this.#pieces.slice(0, 3 * count);
    for (let i = 0, done = 0; i < count; i++) {
      const pfn = pieces[3 * i]!;
      const pageOffset = pieces[3 * i + 1]!;
      const chunk = pieces[3 * i + 2]!;
      if (forWrite) {
        visit(this.#writableFrame(pfn), pageOffset, chunk, done);
      } else {
        const frame = this.#existingFrame(pfn);
        if (frame) visit(frame, pageOffset, chunk, done);
        else visit(this.#unbackedContents(pfn, pageOffset, chunk), 0, chunk, done);
      }
      done += chunk;
    }
    if (forWrite) this.bytesWritten += length;
    else this.bytesRead += length;
  }

  /** Piece storage: page number, offset in the page and length, three numbers per piece. */
  #pieces = new Float64Array(3 * 8);

  /**
   * Checks [gpa, gpa+length) may be touched, then splits it at page boundaries.
   * @returns the number of pieces: #pieces holds page, offset in page and length for each
   */
  #split(gpa: number, length: number): number {
    this.check(gpa, length);
    const count =
      length === 0
        ? 0
        : Math.floor((gpa + length - 1) / GUEST_PAGE_SIZE) - Math.floor(gpa / GUEST_PAGE_SIZE) + 1;
    if (this.#pieces.length < 3 * count) this.#pieces = new Float64Array(3 * count);
    const pieces = this.#pieces;
    for (let i = 0, done = 0; i < count; i++) {
      const address = gpa + done;
      const pfn = Math.floor(address / GUEST_PAGE_SIZE);
      const pageOffset = address - pfn * GUEST_PAGE_SIZE;
      const chunk = Math.min(GUEST_PAGE_SIZE - pageOffset, length - done);
      pieces[3 * i] = pfn;
      pieces[3 * i + 1] = pageOffset;
      pieces[3 * i + 2] = chunk;
      done += chunk;
    }
    return count;
  }

  /** Writes what an unbacked page reads as (zeros or its generated pattern) from `pageOffset` into target. */
  #fillUnbacked(target: Uint8Array, pfn: number, pageOffset: number): void {
    const generation = this.#memory.generationOf(pfn);
    if (generation === 0) target.fill(0);
    else fillGenerated(target, pfn, generation, pageOffset, target.length);
  }

  #unbackedContents(pfn: number, pageOffset: number, length: number): Buffer {
    const generation = this.#memory.generationOf(pfn);
    if (generation === 0) return ZERO_PAGE;
    const scratch = UNBACKED_SCRATCH.subarray(0, length);
    fillGenerated(scratch, pfn, generation, pageOffset, length);
    return scratch;
  }

  /** Copies guest bytes [gpa, gpa+length) into target[targetOffset...]. */
  read(gpa: number, target: Uint8Array, targetOffset: number, length: number): void {
    const count = this.#split(gpa, length);
    const pieces = this.#pieces;
    for (let i = 0, done = 0; i < count; i++) {
      const pfn = pieces[3 * i]!;
      const pageOffset = pieces[3 * i + 1]!;
      const chunk = pieces[3 * i + 2]!;
      const frame = this.#existingFrame(pfn);
      const destination = targetOffset + done;
      if (frame) copyBytes(frame, pageOffset, target, destination, chunk);
      else this.#fillUnbacked(target.subarray(destination, destination + chunk), pfn, pageOffset);
      done += chunk;
    }
    this.bytesRead += length;
  }

  /** Copies source[sourceOffset, +length) into guest memory at gpa. */
  write(gpa: number, source: Uint8Array, sourceOffset: number, length: number): void {
    const count = this.#split(gpa, length);
    const pieces = this.#pieces;
    for (let i = 0, done = 0; i < count; i++) {
      const pfn = pieces[3 * i]!;
      const pageOffset = pieces[3 * i + 1]!;
      const chunk = pieces[3 * i + 2]!;
      copyBytes(source, sourceOffset + done, this.#writableFrame(pfn), pageOffset, chunk);
      done += chunk;
    }
    this.bytesWritten += length;
  }

  /** True when guest bytes [gpa, gpa+length) equal expected[expectedOffset...] (a memcmp). */
  equals(gpa: number, expected: Uint8Array, expectedOffset: number, length: number): boolean {
    const count = this.#split(gpa, length);
    const pieces = this.#pieces;
    for (let i = 0, done = 0; i < count; i++) {
      const pfn = pieces[3 * i]!;
      const pageOffset = pieces[3 * i + 1]!;
      const chunk = pieces[3 * i + 2]!;
      const frame = this.#existingFrame(pfn);
      const bytes = frame ?? this.#unbackedContents(pfn, pageOffset, chunk);
      const bytesOffset = frame ? pageOffset : 0;
      const start = expectedOffset + done;
      if (
        Buffer.compare(
          new Uint8Array(bytes.buffer, bytes.byteOffset + bytesOffset, chunk),
          new Uint8Array(expected.buffer, expected.byteOffset + start, chunk),
        ) !== 0
      )
        return false;
      done += chunk;
    }
    this.bytesRead += length;
    return true;
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
      const destination = this.#writableFrame(destinationPfn);
      const source = this.#existingFrame(sourcePfn);
      if (source) copyBytes(source, sourceOffset, destination, destinationOffset, chunk);
      else
        this.#fillUnbacked(
          destination.subarray(destinationOffset, destinationOffset + chunk),
          sourcePfn,
          sourceOffset,
        );
      done += chunk;
    }
    this.bytesRead += length;
    this.bytesWritten += length;
  }

  /** Sets [gpa, gpa+length) to `value`. */
  fill(gpa: number, value: number, length: number): void {
    const count = this.#split(gpa, length);
    const pieces = this.#pieces;
    for (let i = 0; i < count; i++) {
      const pfn = pieces[3 * i]!;
      const pageOffset = pieces[3 * i + 1]!;
      const chunk = pieces[3 * i + 2]!;
      this.#writableFrame(pfn).fill(value, pageOffset, pageOffset + chunk);
    }
    this.bytesWritten += length;
  }

  readU8(gpa: number): number {
    return this.#fieldFrame(gpa, 1)[this.#fieldOffset]!;
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

  /**
   * The page number of a field that lies inside one page and may be touched, or -1 for a field
   * across a page boundary (only a misbehaving guest lays tables out that way).
   */
  #fieldPfn(gpa: number, size: number): number {
    const pageOffset = gpa % GUEST_PAGE_SIZE;
    if (pageOffset + size > GUEST_PAGE_SIZE) return -1;
    const memory = this.#memory;
    if (gpa < 0 || gpa + size > memory.sizeBytes || !Number.isSafeInteger(gpa))
      throw new OutOfRangeAccess(gpa, size);
    const pfn = (gpa - pageOffset) / GUEST_PAGE_SIZE;
    if (this.isHypervisor && memory.pageState(pfn) === PageState.secure) {
      this.faults++;
      throw new SecurePageFault(gpa);
    }
    this.#fieldOffset = pageOffset;
    return pfn;
  }

  /** The buffer holding a little-endian field at gpa; its offset is left in #fieldOffset. */
  #fieldFrame(gpa: number, size: number): Buffer {
    const pfn = this.#fieldPfn(gpa, size);
    if (pfn < 0) {
      const bytes = Buffer.alloc(size);
      this.read(gpa, bytes, 0, size);
      this.#fieldOffset = 0;
      return bytes;
    }
    this.bytesRead += size;
    return this.#readableFrame(pfn);
  }

  #writeField(gpa: number, size: number, value: number): void {
    const pfn = this.#fieldPfn(gpa, size);
    if (pfn < 0) {
      const bytes = fieldScratch;
      bytes.writeUInt32LE(value >>> 0, 0);
      bytes.writeUInt32LE(Math.floor(value / 0x1_0000_0000) >>> 0, 4);
      this.write(gpa, bytes, 0, size);
      return;
    }
    const pageOffset = this.#fieldOffset;
    this.bytesWritten += size;
    const frame = this.#writableFrame(pfn);
    if (size === 1) frame[pageOffset] = value & 0xff;
    else if (size === 2) frame.writeUInt16LE(value & 0xffff, pageOffset);
    else if (size === 4) frame.writeUInt32LE(value >>> 0, pageOffset);
    else {
      frame.writeUInt32LE(value >>> 0, pageOffset);
      frame.writeUInt32LE(Math.floor(value / 0x1_0000_0000) >>> 0, pageOffset + 4);
    }
  }
}

/** Copies `length` bytes between byte arrays without making a Buffer view of the source. */
export function copyBytes(
  source: Uint8Array,
  sourceOffset: number,
  target: Uint8Array,
  targetOffset: number,
  length: number,
): void {
  if (length <= SMALL_COPY_BYTES) {
    // Headers, status bytes and descriptor tables: a loop beats making a typed-array view.
    for (let i = 0; i < length; i++) target[targetOffset + i] = source[sourceOffset + i]!;
    return;
  }
  target.set(new Uint8Array(source.buffer, source.byteOffset + sourceOffset, length), targetOffset);
}

const SMALL_COPY_BYTES = 64;

const fieldScratch = Buffer.alloc(8);
const ZERO_PAGE = Buffer.alloc(GUEST_PAGE_SIZE);
const UNBACKED_SCRATCH = Buffer.alloc(GUEST_PAGE_SIZE);
