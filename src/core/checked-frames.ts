import {GUEST_PAGE_SIZE, GuestMemory, PageState, fillGenerated} from './guest-memory.js';

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
 * Frames a view remembers (direct-mapped by a hash of the page number): rings, buffers and the
 * bounce slots in use sit in a few dozen pages.
 */
const FRAME_CACHE_BITS = 6;
const FRAME_CACHE_SLOTS = 1 << FRAME_CACHE_BITS;

/**
 * The checking half of a memory view: which frame each page's bytes come from, and the frames of
 * pages it has checked, remembered until the memory's epoch changes. A hypervisor view that
 * touches a secure page pages it out and works on the encrypted copy; a guest view that touches
 * a paged-out page pages it back in (GuestMemory `pageOut`, `pageIn`).
 */
export class CheckedFrames {
  /**
   * UV_PAGE_OUTs this (hypervisor) view's accesses caused: each is a fault on a secure page's
   * device-private PFN (book3s_hv_uvmem.c `kvmppc_uvmem_migrate_to_ram`).
   */
  pageOuts = 0;
  readonly isHypervisor: boolean;
  #memory: GuestMemory;
  /** NaN marks an empty slot: it equals no page number (-1 would be the page of gpa -1). */
  readonly #cachedPfns = new Float64Array(FRAME_CACHE_SLOTS).fill(NaN);
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

  /**
   * Checks [gpa, gpa+length) lies in guest memory (throws OutOfRangeAccess), then pages out the
   * secure pages a hypervisor view touches, or pages in the paged-out pages a guest view touches.
   */
  check(gpa: number, length: number): void {
    if (gpa < 0 || length < 0 || gpa + length > this.#memory.sizeBytes || !Number.isSafeInteger(gpa)) {
      throw new OutOfRangeAccess(gpa, length);
    }
    const memory = this.#memory;
    if (length === 0 || (!this.isHypervisor && memory.pagedOut.count === 0)) return;
    const first = Math.floor(gpa / GUEST_PAGE_SIZE);
    const last = Math.floor((gpa + length - 1) / GUEST_PAGE_SIZE);
    if (this.isHypervisor) {
      for (let pfn = first; pfn <= last; pfn++)
        if (memory.pageState(pfn) === PageState.secure) this.#pageOut(memory, pfn);
    } else {
      for (let pfn = first; pfn <= last; pfn++) memory.pageIn(pfn);
    }
  }

  /** A hypervisor access to a secure page pages it out (once: then it is the copy's). */
  #pageOut(memory: GuestMemory, pfn: number): void {
    if (memory.pageOut(pfn)) this.pageOuts++;
  }

  /**
   * A secure page whose plaintext frame this view remembers, or -1: a hypervisor view must hold
   * none (the invariant that the hypervisor never sees a secure page's plaintext).
   */
  securePlaintextHeld(): number {
    if (!this.isHypervisor || this.#cacheEpoch !== this.#memory.epoch) return -1;
    for (let slot = 0; slot < FRAME_CACHE_SLOTS; slot++) {
      const pfn = this.#cachedPfns[slot]!;
      if (pfn >= 0 && this.#memory.pageState(pfn) === PageState.secure) return pfn;
    }
    return -1;
  }

  /** The remembered frame of a page this view has checked, if the memory has not changed since. */
  protected cached(pfn: number): Buffer | undefined {
    const epoch = this.#memory.epoch;
    if (epoch !== this.#cacheEpoch) {
      this.#cachedPfns.fill(NaN);
      this.#cacheEpoch = epoch;
      return undefined;
    }
    const slot = frameSlot(pfn);
    return this.#cachedPfns[slot] === pfn ? this.#cachedFrames[slot] : undefined;
  }

  /** Remembers a checked page's frame (the caller checked it may be touched). */
  protected remember(pfn: number, frame: Buffer): Buffer {
    const slot = frameSlot(pfn);
    this.#cachedPfns[slot] = pfn;
    this.#cachedFrames[slot] = frame;
    return frame;
  }

  /**
   * The bytes of a checked page if it has a frame: for a hypervisor view of a paged-out page, its
   * encrypted copy (never remembered, so every write to it goes through `writableFrame`).
   */
  protected existingFrame(pfn: number): Buffer | undefined {
    const cached = this.cached(pfn);
    if (cached) return cached;
    const memory = this.#memory;
    if (this.isHypervisor && memory.pagedOut.has(pfn)) return memory.pagedOut.frame(pfn);
    const frame = memory.frameForRead(pfn);
    return frame ? this.remember(pfn, frame) : undefined;
  }

  /** A checked page's frame for writing (materialised on first use); marks it dirty. */
  protected writableFrame(pfn: number): Buffer {
    const memory = this.#memory;
    const cached = this.cached(pfn);
    if (cached) {
      memory.markDirty(pfn);
      return cached;
    }
    if (this.isHypervisor && memory.pagedOut.has(pfn)) {
      memory.noteHypervisorWrite(pfn);
      return memory.pagedOut.frame(pfn)!;
    }
    memory.markDirty(pfn);
    return this.remember(pfn, memory.materialize(pfn));
  }

  /** A checked page's frame for reading, materialising generated contents (fields of ring pages). */
  protected readableFrame(pfn: number): Buffer {
    const frame = this.existingFrame(pfn);
    if (frame) return frame;
    if (this.#memory.generationOf(pfn) === 0) return ZERO_PAGE;
    return this.remember(pfn, this.#memory.materialize(pfn));
  }

  /** Writes what an unbacked page reads as (zeros or its generated pattern) from `pageOffset` into target. */
  protected fillUnbacked(target: Uint8Array, pfn: number, pageOffset: number): void {
    const generation = this.#memory.generationOf(pfn);
    if (generation === 0) target.fill(0);
    else fillGenerated(target, pfn, generation, pageOffset, target.length);
  }

  protected unbackedContents(pfn: number, pageOffset: number, length: number): Buffer {
    const generation = this.#memory.generationOf(pfn);
    if (generation === 0) return ZERO_PAGE;
    const scratch = UNBACKED_SCRATCH.subarray(0, length);
    fillGenerated(scratch, pfn, generation, pageOffset, length);
    return scratch;
  }

  /** Where the range `cachedRange` or `bytesAt` looked up last starts in its page; -1 when it crosses pages. */
  rangeOffset = 0;

  /**
   * The remembered frame holding all of [gpa, gpa+length) when that lies in one page this view
   * checked since the last page-state change (such a range needs no check), marked dirty when
   * `forWrite`; otherwise undefined. The range's offset in the frame is left in `rangeOffset`.
   */
  protected cachedRange(gpa: number, length: number, forWrite: boolean): Buffer | undefined {
    const pfn = Math.floor(gpa / GUEST_PAGE_SIZE);
    const offset = gpa - pfn * GUEST_PAGE_SIZE;
    if (!(length > 0) || (offset | 0) !== offset || offset + length > GUEST_PAGE_SIZE) {
      this.rangeOffset = -1;
      return undefined;
    }
    this.rangeOffset = offset;
    const frame = this.cached(pfn);
    if (frame !== undefined && forWrite) this.#memory.markDirty(pfn);
    return frame;
  }

  /**
   * As `cachedRange`, checking (and paging out or in) a page not remembered: the frame holding
   * [gpa, gpa + size) when that lies inside one page (a descriptor), so a caller reads or writes
   * its fields in one go. Undefined for a range across pages: the caller goes field by field.
   */
  bytesAt(gpa: number, size: number, forWrite: boolean): Buffer | undefined {
    const frame = this.cachedRange(gpa, size, forWrite);
    if (frame !== undefined || this.rangeOffset < 0) return frame;
    this.check(gpa, size);
    const pfn = (gpa - this.rangeOffset) / GUEST_PAGE_SIZE;
    return forWrite ? this.writableFrame(pfn) : this.readableFrame(pfn);
  }

  /**
   * The frame holding [gpa, gpa + length) when that lies in one page of memory which this view
   * checked and remembers, so it may be read and written directly until the memory's epoch
   * changes (PageWindow); undefined otherwise (outside memory, across pages, a secure page's
   * encrypted copy, a page without bytes when only read). The offset is left in `rangeOffset`.
   */
  checkedFrame(gpa: number, length: number, forWrite: boolean): Buffer | undefined {
    if (!(gpa >= 0 && gpa + length <= this.#memory.sizeBytes)) {
      this.rangeOffset = -1;
      return undefined;
    }
    const frame = this.bytesAt(gpa, length, forWrite);
    if (frame === undefined) return undefined;
    return this.cached((gpa - this.rangeOffset) / GUEST_PAGE_SIZE) === frame ? frame : undefined;
  }
}

/**
 * The cache slot of a page: its number hashed (Fibonacci hashing: the top bits of its product
 * with 2^32 / golden ratio). Indexed by the low bits, pages at the same offset in two swiotlb
 * areas (256 pages apart: requests on two vCPUs alternate between them) evicted each other on
 * every bounce; a fold of the bits still paired the pages of two areas advancing in step.
 */
function frameSlot(pfn: number): number {
  return Math.imul(pfn, 0x9e3779b1) >>> (32 - FRAME_CACHE_BITS);
}

const ZERO_PAGE = Buffer.alloc(GUEST_PAGE_SIZE);
const UNBACKED_SCRATCH = Buffer.alloc(GUEST_PAGE_SIZE);
