import {invariantBroken} from '../../core/assert.js';
import {GUEST_PAGE_SIZE, GuestMemory, PageState} from '../../core/guest-memory.js';
import type {Rng} from '../../core/rng.js';
import {exportSecurePage, importSecurePage} from './secure-page-transport.js';

/** RAM_SAVE_FLAG headers: a zero page costs its header and one byte; a normal page its header too. */
export const PAGE_HEADER_BYTES = 8;
export const ZERO_PAGE_WIRE_BYTES = PAGE_HEADER_BYTES + 1;
export const NORMAL_PAGE_WIRE_BYTES = GUEST_PAGE_SIZE + PAGE_HEADER_BYTES;
/** IV and GCM tag on every encrypted secure page. */
export const SECURE_PAGE_OVERHEAD_BYTES = 28;
export const SECURE_PAGE_WIRE_BYTES = NORMAL_PAGE_WIRE_BYTES + SECURE_PAGE_OVERHEAD_BYTES;
/** The window over which `mbps` and `pages-per-second` are measured. */
const RATE_WINDOW_US = 1_000_000;

/** How a page travels: encrypted (a secure guest's secure page), as a zero page, or as a normal page. */
export type PageKind = 'secure' | 'zero' | 'normal';

/** The counters `query-migrate` reports under `ram`, kept as pages go out. */
export interface RamCounters {
  transferred: number;
  duplicate: number;
  normal: number;
  mbps: number;
  pagesPerSecond: number;
}

/**
 * The RAM half of a migration stream (qemu/qemu migration/ram.c `ram_save_target_page`): pages of
 * the source go to the destination's memory, zero pages as a header, secure pages encrypted with
 * the ultravisors' session key; the wire bytes are counted as QEMU counts them.
 */
export class RamStream {
  #target: GuestMemory | null;
  readonly counters: RamCounters = {transferred: 0, duplicate: 0, normal: 0, mbps: 0, pagesPerSecond: 0};
  /** Wire bytes sent since the current pass began. */
  passTransferred = 0;
  readonly #rng: Rng;
  #key: Buffer | null = null;
  #windowStartUs = 0;
  #windowBytes = 0;
  #windowPages = 0;

  constructor(sizeBytes: number, rng: Rng) {
    this.#target = new GuestMemory(sizeBytes);
    this.#rng = rng;
  }

  /** The destination's copy of guest memory. */
  get target(): GuestMemory {
    const target = this.#target;
    if (!target) invariantBroken('migration: the destination memory was already given up');
    return target;
  }

  /** The migration ended without a switch-over: the destination's memory is freed, counters stay. */
  dropTarget(): void {
    this.#target = null;
  }

  /** The first pass begins: rates are measured from here. */
  beginPass(nowUs: number): void {
    this.passTransferred = 0;
    if (this.#windowStartUs === 0) this.#windowStartUs = nowUs;
  }

  /** The session key the ultravisors agreed on; from now on secure pages travel encrypted. */
  useKey(key: Buffer): void {
    this.#key = key;
  }

  kindOf(source: GuestMemory, pfn: number): PageKind {
    if (source.pageState(pfn) === PageState.secure && this.#key) return 'secure';
    return source.isZeroPage(pfn) ? 'zero' : 'normal';
  }

  /**
   * Link bytes a page of this kind costs at `bandwidth`: its wire bytes, more for a secure page when
   * the source ultravisor encrypts slower than the link carries.
   */
  costOf(kind: PageKind, bandwidth: number, exportBytesPerSecond: number): number {
    if (kind === 'zero') return ZERO_PAGE_WIRE_BYTES;
    if (kind === 'normal') return NORMAL_PAGE_WIRE_BYTES;
    return SECURE_PAGE_WIRE_BYTES * Math.max(1, bandwidth / exportBytesPerSecond);
  }

  /** Sends one page as `kind` (from `kindOf` just before); @returns its wire bytes. */
  send(source: GuestMemory, pfn: number, kind: PageKind): number {
    const target = this.target;
    let wireBytes: number;
    if (kind === 'secure') {
      const key = this.#key;
      if (!key) invariantBroken(`migration: secure page ${pfn} sent before the key exchange`);
      importSecurePage(target, pfn, exportSecurePage(source, pfn, key, this.#rng), key);
      this.counters.normal++;
      wireBytes = SECURE_PAGE_WIRE_BYTES;
    } else if (kind === 'zero') {
      target.importPage(pfn, {kind: 'zero'});
      target.setPageStates(pfn, 1, source.pageState(pfn));
      this.counters.duplicate++;
      wireBytes = ZERO_PAGE_WIRE_BYTES;
    } else {
      target.importPage(pfn, source.exportPage(pfn));
      target.setPageStates(pfn, 1, source.pageState(pfn));
      this.counters.normal++;
      wireBytes = NORMAL_PAGE_WIRE_BYTES;
    }
    this.counters.transferred += wireBytes;
    this.passTransferred += wireBytes;
    this.#windowBytes += wireBytes;
    this.#windowPages++;
    return wireBytes;
  }

  /** Updates `mbps` and `pages-per-second` once a window has passed. */
  measure(nowUs: number): void {
    const elapsedUs = nowUs - this.#windowStartUs;
    if (elapsedUs < RATE_WINDOW_US) return;
    this.counters.mbps = Math.round(((this.#windowBytes * 8) / elapsedUs) * 100) / 100;
    this.counters.pagesPerSecond = Math.round((this.#windowPages * 1_000_000) / elapsedUs);
    this.#windowStartUs = nowUs;
    this.#windowBytes = 0;
    this.#windowPages = 0;
  }
}
