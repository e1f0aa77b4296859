import type {MemoryView} from './memory-view.js';
import {PageWindow} from './page-window.js';
import {putDescriptor} from './split-ring-layout.js';
import {putU16, u16At, u32At} from './little-endian.js';

/**
 * The driver's side of ring memory: fields of the ring (descriptor table, avail, used) or of an
 * indirect table are read and written in a held frame, checked once, until `drop`; a range the
 * view will not hand out whole (across pages) goes field by field through the view. The ring's
 * own page is a PageWindow: checked once per page-state change (a page-out bumps the memory's
 * epoch, so the next access checks the page again and pages it back in), not on every hold.
 */
export class DriverRingFields {
  readonly #view: MemoryView;
  readonly #base: number;
  /**
   * A read window: pinning it marks nothing dirty (the driver reads the used ring between its
   * writes); each hold for writing marks the page dirty, as the view's writes did.
   */
  readonly #ring: PageWindow;
  /** The frame held, and the guest address of its byte 0. */
  #frame: Uint8Array | undefined = undefined;
  #frameGpa = 0;

  constructor(view: MemoryView, baseGpa: number, totalBytes: number) {
    this.#view = view;
    this.#base = baseGpa;
    this.#ring = new PageWindow(view, false, baseGpa, totalBytes);
  }

  /** Holds the ring's page (marked dirty when `forWrite`). */
  holdRing(forWrite: boolean): void {
    const ring = this.#ring;
    this.#frame = forWrite ? ring.frameForWrite() : ring.frame();
    this.#frameGpa = this.#base - ring.offset;
  }

  /** Holds the page of [gpa, gpa + bytes) for writing (an indirect table), checked now. */
  hold(gpa: number, bytes: number): void {
    this.#frame = this.#view.bytesAt(gpa, bytes, true);
    this.#frameGpa = gpa - this.#view.rangeOffset;
  }

  drop(): void {
    this.#frame = undefined;
  }

  /** A 16-bit field of the ring the device writes (used idx, avail_event), read without a hold. */
  ringU16(gpa: number): number {
    const ring = this.#ring;
    const frame = ring.frame();
    return frame !== undefined ? u16At(frame, ring.offset + gpa - this.#base) : this.#view.readU16(gpa);
  }

  putDescriptor(gpa: number, addr: number, len: number, flags: number, next: number): void {
    if (this.#frame) return putDescriptor(this.#frame, gpa - this.#frameGpa, addr, len, flags, next);
    const view = this.#view;
    view.writeU64(gpa, addr);
    view.writeU32(gpa + 8, len);
    view.writeU16(gpa + 12, flags);
    view.writeU16(gpa + 14, next);
  }

  putU16(gpa: number, value: number): void {
    if (this.#frame) putU16(this.#frame, gpa - this.#frameGpa, value);
    else this.#view.writeU16(gpa, value);
  }

  getU32(gpa: number): number {
    return this.#frame ? u32At(this.#frame, gpa - this.#frameGpa) : this.#view.readU32(gpa);
  }
}
