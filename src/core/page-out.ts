import {recycleFrame, takeFrame} from './frame-pool.js';

/**
 * Secure pages the hypervisor touched, as it holds them after UV_PAGE_OUT: encrypted copies in
 * normal memory. torvalds/linux arch/powerpc/kvm/book3s_hv_uvmem.c `kvmppc_uvmem_migrate_to_ram`
 * → `kvmppc_svm_page_out` → `uv_page_out`: a hypervisor (QEMU) access to a secure page faults on
 * its device-private PFN, and the ultravisor "encrypt[s] the contents of a secure-page and make[s]
 * it available to Hypervisor in a normal page" (Documentation/powerpc/ultravisor.rst, UV_PAGE_OUT).
 * The page stays paged out until the guest touches it again (UV_PAGE_IN), so a second hypervisor
 * access finds it already paged out ("nothing to do") and sees the same ciphertext.
 *
 * Simplification: the ultravisor's cipher (AES in IAPM mode, keys "dynamically generated") is
 * closed; this is a keyed stream (a key per guest, a fresh serial per page-out) whose bytes are
 * never zero, so every ciphertext byte differs from its plaintext byte and the invariant "the
 * hypervisor never sees a secure page's plaintext" can be checked byte by byte. Copies stay with
 * the memory they were made in: a migration carries secure pages its own way (the ultravisors'
 * export), and the destination's memory starts with none paged out.
 */
/** What a hypervisor view and the invariant checker may ask of the copies. */
export interface PagedOutCopies {
  readonly count: number;
  /** Whether `pfn` is paged out (a typed-array load: views ask on their checked path). */
  has(pfn: number): boolean;
  frame(pfn: number): Buffer | undefined;
  isWritten(pfn: number): boolean;
  pfns(): IterableIterator<number>;
}

export class PagedOutPages implements PagedOutCopies {
  readonly #pages = new Map<number, PagedOutPage>();
  /** One byte per guest page, 1 while paged out; made at the first page-out. */
  #isPagedOut: Uint8Array | null = null;
  #serial = 0;
  /** Pages paged out now (a field: views read it on every checked access). */
  count = 0;

  constructor(
    readonly key: number,
    readonly pageCount: number,
  ) {}

  has(pfn: number): boolean {
    const flags = this.#isPagedOut;
    return flags !== null && flags[pfn] === 1;
  }

  /** The hypervisor's (encrypted) copy of a paged-out page. */
  frame(pfn: number): Buffer | undefined {
    return this.#pages.get(pfn)?.frame;
  }

  /** Whether the hypervisor wrote to the copy since the page-out (its integrity is then lost). */
  isWritten(pfn: number): boolean {
    return this.#pages.get(pfn)?.isWritten ?? false;
  }

  /**
   * UV_PAGE_OUT of `pfn`: `fillPlaintext` writes the page's contents into a fresh frame, which
   * is then encrypted in place. @returns the hypervisor's copy
   */
  add(pfn: number, fillPlaintext: (frame: Buffer) => void): Buffer {
    const frame = takeFrame();
    fillPlaintext(frame);
    const serial = ++this.#serial;
    applyKeystream(frame, this.key, pfn, serial);
    this.#pages.set(pfn, {frame, serial, isWritten: false});
    (this.#isPagedOut ??= new Uint8Array(this.pageCount))[pfn] = 1;
    this.count++;
    return frame;
  }

  noteWrite(pfn: number): void {
    const page = this.#pages.get(pfn);
    if (page) page.isWritten = true;
  }

  /**
   * UV_PAGE_IN of a paged-out page: the copy is decrypted and its integrity checked against the
   * contents it was made from (IAPM, Documentation/powerpc/ultravisor.rst). The copy is dropped.
   * @returns false when the hypervisor changed the ciphertext
   */
  pageIn(pfn: number, plaintext: Uint8Array): boolean {
    const page = this.#pages.get(pfn);
    if (!page) return true;
    this.#forget(pfn);
    let isIntact = true;
    if (page.isWritten) {
      applyKeystream(page.frame, this.key, pfn, page.serial);
      isIntact = page.frame.equals(plaintext);
    }
    recycleFrame(page.frame);
    return isIntact;
  }

  /** Drops a copy without a page-in (the page was scrubbed, shared or handed back). */
  drop(pfn: number): void {
    if (!this.has(pfn)) return;
    recycleFrame(this.#pages.get(pfn)!.frame);
    this.#forget(pfn);
  }

  clear(): void {
    for (const pfn of [...this.#pages.keys()]) this.drop(pfn);
  }

  #forget(pfn: number): void {
    this.#pages.delete(pfn);
    this.#isPagedOut![pfn] = 0;
    this.count--;
  }

  /** Every paged-out page number (for the invariant checker). */
  pfns(): IterableIterator<number> {
    return this.#pages.keys();
  }
}

interface PagedOutPage {
  readonly frame: Buffer;
  /** Which page-out made it: the stream is fresh for each one. */
  readonly serial: number;
  isWritten: boolean;
}

/** XORs `page` with the keystream of (key, pfn, serial); applying it twice restores the page. */
export function applyKeystream(page: Uint8Array, key: number, pfn: number, serial: number): void {
  const stream = mix32((key ^ Math.imul(pfn, 0x9e3779b1) ^ Math.imul(serial, 0x85ebca6b)) >>> 0);
  const length = page.length;
  for (let word = 0, i = 0; i < length; word++) {
    let bits = mix32((stream + word) >>> 0);
    for (let byte = 0; byte < 4 && i < length; byte++, i++) {
      // 1..255: never zero, so no byte of a ciphertext equals its plaintext byte.
      page[i] = page[i]! ^ (1 + ((bits & 0xff) % 255));
      bits >>>= 8;
    }
  }
}

/** murmur3's 32-bit finaliser. */
function mix32(value: number): number {
  let z = value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
