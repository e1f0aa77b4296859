import type {GuestMemory} from '../../core/guest-memory.js';
import {invariantBroken} from '../../core/assert.js';
import {TARGET_PAGES_PER_GUEST_PAGE, type PageCost, type RamStream} from './ram-stream.js';

/**
 * QEMU's migration bitmap (qemu/qemu migration/ram.c, the RAMBlock `bmap`): the pages still to
 * send. Setup sets every bit (`ram_list_init_bitmaps`); a dirty-log sync sets the bits of pages
 * written since, counting only those not already set (`migration_bitmap_sync_range`); sending
 * clears a bit. Pages go out in address order from where the last send stopped, wrapping, as
 * `find_dirty_block` walks. Kept at 64 KiB granularity: a guest page is 16 target pages.
 *
 * A page goes only once its whole link cost is earned, so no page arrives before the link could
 * have carried it (over a 1 B/s link a 64 KiB page takes 18 hours, not one tick). Credit is
 * dropped when nothing is left to send: an idle link stores no bandwidth.
 */
export class SendQueue {
  readonly #pending: Uint8Array;
  #pendingPages: number;
  #cursor = 0;
  #creditBytes = 0;

  constructor(pageCount: number) {
    this.#pending = new Uint8Array(pageCount).fill(1);
    this.#pendingPages = pageCount;
  }

  /** Guest pages still to send (ram_bytes_remaining ÷ 64 KiB). */
  get pendingPages(): number {
    return this.#pendingPages;
  }

  /**
   * A bitmap sync: `dirty` pages become pending. @returns the target pages that were not pending
   * already (num_dirty_pages_period grows by these).
   */
  addDirty(dirty: Uint32Array): number {
    let newlyPending = 0;
    for (const pfn of dirty) {
      if (this.#pending[pfn] === 0) {
        this.#pending[pfn] = 1;
        newlyPending++;
      }
    }
    this.#pendingPages += newlyPending;
    return newlyPending * TARGET_PAGES_PER_GUEST_PAGE;
  }

  /**
   * Sends what `creditBytes` more of link time pays for, each page at `linkBytesOf` its cost.
   * @returns the guest pages sent
   */
  send(
    creditBytes: number,
    ram: RamStream,
    memory: GuestMemory,
    linkBytesOf: (cost: PageCost) => number,
  ): number {
    this.#creditBytes += creditBytes;
    let sent = 0;
    while (this.#pendingPages > 0) {
      const pfn = this.#nextPending();
      const cost = ram.costOf(memory, pfn);
      const linkBytes = linkBytesOf(cost);
      if (linkBytes > this.#creditBytes) return sent;
      this.#creditBytes -= linkBytes;
      ram.send(memory, pfn, cost);
      this.#take(pfn);
      sent++;
    }
    this.#creditBytes = 0;
    return sent;
  }

  /** Link bytes the stream carries beside pages (an EOS marker): paid from the credit, even into debt. */
  spend(bytes: number): void {
    this.#creditBytes -= bytes;
  }

  /** Stop-and-copy: every pending page in address order, the bitmap left empty. */
  drain(): Uint32Array {
    const pages = new Uint32Array(this.#pendingPages);
    let n = 0;
    for (let pfn = 0; pfn < this.#pending.length && n < pages.length; pfn++)
      if (this.#pending[pfn] === 1) pages[n++] = pfn;
    this.#pending.fill(0);
    this.#pendingPages = 0;
    return pages;
  }

  #nextPending(): number {
    const size = this.#pending.length;
    for (let step = 0; step < size; step++) {
      const pfn = (this.#cursor + step) % size;
      if (this.#pending[pfn] === 1) {
        this.#cursor = pfn;
        return pfn;
      }
    }
    invariantBroken(`send queue: ${this.#pendingPages} pages pending but none marked`);
  }

  #take(pfn: number): void {
    this.#pending[pfn] = 0;
    this.#pendingPages--;
    this.#cursor = (pfn + 1) % this.#pending.length;
  }
}
