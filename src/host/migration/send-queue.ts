import type {GuestMemory} from '../../core/guest-memory.js';
import type {RamStream} from './ram-stream.js';

/**
 * The pages one pass still has to send, and the link credit to send them with. A page goes only
 * once its whole cost is earned, so no page arrives before the link could have carried it (over a
 * 1 B/s link a 64 KiB page takes 18 hours, not one tick). Credit left when the pass is done is
 * dropped: an idle link stores no bandwidth.
 */
export class SendQueue {
  #pages: Uint32Array = new Uint32Array(0);
  #cursor = 0;
  #creditBytes = 0;
  #passStartUs = 0;

  /** The pages of the current pass. */
  get pages(): Uint32Array {
    return this.#pages;
  }

  get remainingPages(): number {
    return Math.max(0, this.#pages.length - this.#cursor);
  }

  get isDone(): boolean {
    return this.#cursor >= this.#pages.length;
  }

  get passStartUs(): number {
    return this.#passStartUs;
  }

  /** A new pass over `pages` (every page first, then what the last sync found dirty). */
  begin(pages: Uint32Array, nowUs: number): void {
    this.#pages = pages;
    this.#cursor = 0;
    this.#passStartUs = nowUs;
  }

  /** Sends what `creditBytes` more of link time pays for, each page at its `costOf`. */
  send(
    creditBytes: number,
    ram: RamStream,
    memory: GuestMemory,
    costOf: (kind: ReturnType<RamStream['kindOf']>) => number,
  ): void {
    this.#creditBytes += creditBytes;
    while (this.#cursor < this.#pages.length) {
      const pfn = this.#pages[this.#cursor]!;
      const kind = ram.kindOf(memory, pfn);
      const cost = costOf(kind);
      if (cost > this.#creditBytes) return;
      this.#creditBytes -= cost;
      ram.send(memory, pfn, kind);
      this.#cursor++;
    }
    this.#creditBytes = 0;
  }
}
