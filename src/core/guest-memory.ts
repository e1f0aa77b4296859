import {assert} from './assert.js';
import {recycleFrame, takeFrame} from './frame-pool.js';
import {fillGenerated} from './generated-pattern.js';
import {PagedOutPages, type PagedOutCopies} from './page-out.js';
import {PageTable} from './page-table.js';

export {fillGenerated} from './generated-pattern.js';

/** pseries tracks secure guest memory in 64 KiB units (`book3s_hv_uvmem.c`); so do we. */
export const GUEST_PAGE_SIZE = 65_536;

/** How the ultravisor sees a guest page. */
export const PageState = {normal: 0, secure: 1, shared: 2} as const;
export type PageStateCode = (typeof PageState)[keyof typeof PageState];

/** A page's contents as migration carries them (zero pages are only flagged, like QEMU's). */
export type PageContent =
  | {readonly kind: 'zero'}
  | {readonly kind: 'generated'; readonly generation: number}
  | {readonly kind: 'bytes'; readonly bytes: Buffer};

const ZERO_PAGE = Buffer.alloc(GUEST_PAGE_SIZE);
const PLAINTEXT_SCRATCH = Buffer.alloc(GUEST_PAGE_SIZE);

/**
 * Guest-physical memory: real bytes in 64 KiB pages, allocated on first write, so an 8 GiB guest
 * costs only what it touched. Pages the guest uses but nobody has addressed byte by byte (its
 * resident kernel and application memory) are "generated": their bytes are a deterministic pattern
 * of (page, generation), materialised on first byte-level access. One-line simplification: this
 * stands in for the guest's own memory contents, which we never need to read byte by byte.
 */
export class GuestMemory {
  readonly sizeBytes: number;
  readonly pageCount: number;
  readonly #frames: PageTable<Buffer>;
  readonly #state: Uint8Array;
  readonly #generation: Uint16Array;
  #dirty: Uint8Array | null = null;
  #dirtyCount = 0;
  #stateCounts = [0, 0, 0];
  #epoch = 0;
  readonly #pagedOut: PagedOutPages;
  /** The hypervisor's encrypted copies of secure pages it touched, read-only. */
  readonly pagedOut: PagedOutCopies;
  /** Page-ins that failed their integrity check: the hypervisor wrote to the encrypted copy. */
  pageInFailures = 0;
  /** Told of each failed page-in (the guest's vCPU cannot go on: see `pageIn`). */
  onPageInFailure: ((gpa: number) => void) | null = null;

  /** `pageOutKey` keys the ciphertext the hypervisor sees of this guest's secure pages. */
  constructor(sizeBytes: number, pageOutKey = 0) {
    assert(
      sizeBytes > 0 && sizeBytes % GUEST_PAGE_SIZE === 0,
      `guest memory: ${sizeBytes} bytes is not a positive multiple of ${GUEST_PAGE_SIZE}`,
    );
    this.sizeBytes = sizeBytes;
    this.pageCount = sizeBytes / GUEST_PAGE_SIZE;
    this.#frames = new PageTable<Buffer>(this.pageCount);
    this.#state = new Uint8Array(this.pageCount);
    this.#generation = new Uint16Array(this.pageCount);
    this.#stateCounts[PageState.normal] = this.pageCount;
    this.#pagedOut = new PagedOutPages(pageOutKey >>> 0, this.pageCount);
    this.pagedOut = this.#pagedOut;
  }

  /**
   * Changes whenever a page's backing buffer is dropped or any page changes state: views remember
   * the frames of pages they checked only within one epoch.
   */
  get epoch(): number {
    return this.#epoch;
  }

  /** Pages that hold real bytes in this process. */
  get materializedPageCount(): number {
    return this.#frames.size;
  }

  pageState(pfn: number): PageStateCode {
    return this.#state[pfn] as PageStateCode;
  }

  /** Number of pages in a state, kept up to date on every change. */
  countInState(state: PageStateCode): number {
    return this.#stateCounts[state]!;
  }

  /** Sets the state of pages [firstPfn, firstPfn + count) without touching contents. */
  setPageStates(firstPfn: number, count: number, state: PageStateCode): void {
    this.#epoch++;
    for (let pfn = firstPfn; pfn < firstPfn + count; pfn++) {
      if (state !== PageState.secure) this.#pagedOut.drop(pfn);
      this.#stateCounts[this.#state[pfn]!]!--;
      this.#state[pfn] = state;
      this.#stateCounts[state]!++;
    }
  }

  /** Zeroes a page's contents (UV_SHARE_PAGE and UV_UNSHARE_PAGE scrub the page). */
  zeroPage(pfn: number): void {
    if (this.#pagedOut.has(pfn)) this.#epoch++;
    this.#pagedOut.drop(pfn);
    const frame = this.#frames.get(pfn);
    if (frame) {
      this.#epoch++;
      recycleFrame(frame);
      this.#frames.delete(pfn);
    }
    this.#generation[pfn] = 0;
    this.markDirty(pfn);
  }

  /** Gives `count` pages from `firstPfn` generated (non-zero) contents: the guest's resident memory. */
  populate(firstPfn: number, count: number): void {
    for (let pfn = firstPfn; pfn < firstPfn + count && pfn < this.pageCount; pfn++) {
      this.pageIn(pfn);
      if (!this.#frames.has(pfn) && this.#generation[pfn] === 0) this.#generation[pfn] = 1;
    }
  }

  /** Changes a page's contents as a running program would (the churn workload). */
  dirtyPage(pfn: number): void {
    this.pageIn(pfn);
    const frame = this.#frames.get(pfn);
    if (frame) {
      frame.writeUInt32LE((frame.readUInt32LE(0) + 1) >>> 0, 0);
    } else {
      const next = this.#generation[pfn]! + 1;
      this.#generation[pfn] = next > 0xffff ? 1 : next;
    }
    this.markDirty(pfn);
  }

  // ---- dirty logging (KVM_GET_DIRTY_LOG as migration uses it) ----

  startDirtyLog(): void {
    this.#dirty = new Uint8Array(this.pageCount);
    this.#dirtyCount = 0;
  }

  stopDirtyLog(): void {
    this.#dirty = null;
    this.#dirtyCount = 0;
  }

  /** Pages dirtied since the last sync. */
  get dirtyPageCount(): number {
    return this.#dirtyCount;
  }

  /** Returns and clears the dirty set (a bitmap sync). */
  syncDirtyLog(): Uint32Array {
    const dirty = this.#dirty;
    if (!dirty) return new Uint32Array(0);
    const pages = new Uint32Array(this.#dirtyCount);
    let n = 0;
    for (let pfn = 0; pfn < dirty.length && n < pages.length; pfn++) {
      if (dirty[pfn]) {
        pages[n++] = pfn;
        dirty[pfn] = 0;
      }
    }
    this.#dirtyCount = 0;
    return pages;
  }

  /** Records a write to the page when dirty logging is on. */
  markDirty(pfn: number): void {
    const dirty = this.#dirty;
    if (dirty && dirty[pfn] === 0) {
      dirty[pfn] = 1;
      this.#dirtyCount++;
    }
  }

  // ---- page contents for migration and the ultravisor ----

  /** A page's contents; `bytes` is the live frame: copy it before the page changes again. */
  exportPage(pfn: number): PageContent {
    const frame = this.#frames.get(pfn);
    if (frame) return frame.equals(ZERO_PAGE) ? {kind: 'zero'} : {kind: 'bytes', bytes: frame};
    const generation = this.#generation[pfn]!;
    return generation === 0 ? {kind: 'zero'} : {kind: 'generated', generation};
  }

  importPage(pfn: number, content: PageContent): void {
    this.#pagedOut.drop(pfn);
    const old = this.#frames.get(pfn);
    this.#generation[pfn] = 0;
    if (content.kind === 'generated') this.#generation[pfn] = content.generation;
    if (content.kind === 'bytes') {
      const frame = old ?? takeFrame();
      frame.set(content.bytes);
      this.#frames.set(pfn, frame);
    } else if (old) {
      this.#epoch++;
      recycleFrame(old);
      this.#frames.delete(pfn);
    }
  }

  /** True when the page reads as all zeros (QEMU's zero-page check, counted as `duplicate`). */
  isZeroPage(pfn: number): boolean {
    const frame = this.#frames.get(pfn);
    if (frame) return frame.equals(ZERO_PAGE);
    return this.#generation[pfn] === 0;
  }

  /** Drops every page's contents and state (a new VM instance after reset). */
  clear(): void {
    this.#epoch++;
    this.#pagedOut.clear();
    for (const frame of this.#frames.values()) recycleFrame(frame);
    this.#frames.clear();
    this.#generation.fill(0);
    this.#state.fill(PageState.normal);
    this.#stateCounts = [this.pageCount, 0, 0];
  }

  // ---- the hypervisor's encrypted copies of secure pages (UV_PAGE_OUT, UV_PAGE_IN) ----

  /**
   * UV_PAGE_OUT of a secure page the hypervisor touched (`kvmppc_svm_page_out`).
   * @returns true when this access paged it out, false when it already was ("nothing to do")
   */
  pageOut(pfn: number): boolean {
    if (this.#pagedOut.has(pfn)) return false;
    this.#epoch++;
    this.#pagedOut.add(pfn, (frame) => this.#plaintextInto(pfn, frame));
    return true;
  }

  noteHypervisorWrite(pfn: number): void {
    this.#pagedOut.noteWrite(pfn);
  }

  /**
   * The guest touches a paged-out page: UV_PAGE_IN brings it back (`kvmppc_send_page_to_uv` from
   * the radix page-fault path, or H_SVM_PAGE_IN). A copy the hypervisor wrote fails the
   * ultravisor's integrity check; the guest then cannot go on (`onPageInFailure`). Simplification:
   * the access itself completes with the page's last contents.
   */
  pageIn(pfn: number): void {
    if (!this.#pagedOut.has(pfn)) return;
    this.#epoch++;
    const frame = this.#frames.get(pfn) ?? PLAINTEXT_SCRATCH.fill(0);
    if (frame === PLAINTEXT_SCRATCH) this.#plaintextInto(pfn, frame);
    if (this.#pagedOut.pageIn(pfn, frame)) return;
    this.pageInFailures++;
    this.onPageInFailure?.(pfn * GUEST_PAGE_SIZE);
  }

  /** Writes what the page reads as into a zeroed frame. */
  #plaintextInto(pfn: number, target: Buffer): void {
    const frame = this.#frames.get(pfn);
    if (frame) target.set(frame);
    else if (this.#generation[pfn] !== 0) fillGenerated(target, pfn, this.#generation[pfn]!);
  }

  // ---- raw access, used by the views below ----

  /** The page's backing buffer for a write, materialising it on first use; marks the page dirty. */
  frameForWrite(pfn: number): Buffer {
    this.markDirty(pfn);
    return this.materialize(pfn);
  }

  /** The page's backing buffer, materialising it on first use (reads do not dirty it). */
  materialize(pfn: number): Buffer {
    let frame = this.#frames.get(pfn);
    if (!frame) {
      frame = takeFrame();
      const generation = this.#generation[pfn]!;
      if (generation !== 0) fillGenerated(frame, pfn, generation);
      this.#frames.set(pfn, frame);
    }
    return frame;
  }

  /** The page's bytes if materialised; otherwise undefined with `generationOf` telling what it reads as. */
  frameForRead(pfn: number): Buffer | undefined {
    return this.#frames.get(pfn);
  }

  generationOf(pfn: number): number {
    return this.#generation[pfn]!;
  }
}
