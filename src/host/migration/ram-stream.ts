import {invariantBroken} from '../../core/assert.js';
import {GUEST_PAGE_SIZE, GuestMemory, PageState} from '../../core/guest-memory.js';
import type {Rng} from '../../core/rng.js';
import {exportSecurePage, importSecurePage} from './secure-page-transport.js';

/**
 * ppc64 has TARGET_PAGE_BITS 12 (qemu/qemu target/ppc/cpu-param.h): query-migrate's `page-size`
 * is 4096 and every page counter counts 4 KiB target pages, 16 to one of our 64 KiB guest pages.
 */
export const TARGET_PAGE_SIZE = 4096;
export const TARGET_PAGES_PER_GUEST_PAGE = GUEST_PAGE_SIZE / TARGET_PAGE_SIZE;
/** save_page_header (qemu/qemu migration/ram.c): a be64 of the page's offset and flags. */
export const PAGE_HEADER_BYTES = 8;
/** The pseries RAMBlock's idstr, named once in the first page's header (length byte + name). */
export const RAM_BLOCK_IDSTR = 'ppc_spapr.ram';
export const BLOCK_NAME_BYTES = 1 + RAM_BLOCK_IDSTR.length;
/** save_zero_page_to_file: header with RAM_SAVE_FLAG_ZERO and one byte; counted in `duplicate`. */
export const ZERO_TARGET_PAGE_WIRE_BYTES = PAGE_HEADER_BYTES + 1;
/** save_normal_page: header with RAM_SAVE_FLAG_PAGE and the page; counted in `normal`. */
export const NORMAL_TARGET_PAGE_WIRE_BYTES = PAGE_HEADER_BYTES + TARGET_PAGE_SIZE;
/** ram_save_iterate ends each call with RAM_SAVE_FLAG_EOS and adds its 8 bytes to `transferred`. */
export const EOS_BYTES = 8;
/**
 * IV and GCM tag on every encrypted 64 KiB secure page (svmtop's UV_PAGE_OUT for migration; no
 * QEMU today). Simplification: they ride in the stream beside the page's 16 target pages.
 */
export const SECURE_PAGE_OVERHEAD_BYTES = 28;
export const SECURE_PAGE_WIRE_BYTES =
  TARGET_PAGES_PER_GUEST_PAGE * NORMAL_TARGET_PAGE_WIRE_BYTES + SECURE_PAGE_OVERHEAD_BYTES;

const ZERO_TARGET_PAGE = Buffer.alloc(TARGET_PAGE_SIZE);

/**
 * How one 64 KiB guest page travels: its target pages that are zero go as headers; a secure page
 * goes encrypted, and ciphertext is never a zero page, so all 16 of its target pages are normal.
 */
export interface PageCost {
  readonly zeroTargetPages: number;
  readonly isEncrypted: boolean;
}

/** The `ram` counters query-migrate reports, kept as pages go out (target pages, wire bytes). */
export interface RamCounters {
  /** ram_counters.transferred: page headers and data, block names and EOS markers; no device state. */
  transferred: number;
  duplicate: number;
  normal: number;
  /** svmtop's own: target pages that went as UV_PAGE_OUT ciphertext (a part of `normal`). */
  encryptedPages: number;
  /** svmtop's own: EOS markers written (one per ram_save_iterate call). */
  endOfSectionMarkers: number;
}

/**
 * `transferred` lives in a Float64Array: it passes 2^31 bytes in any migration of a guest over
 * 2 GiB, and a small-integer field that overflows deoptimised `send` and, through the counters'
 * map, the pre-copy loop's `iterate` (--trace-deopt: 'overflow' at its `+=`, then code dependencies).
 */
class StreamCounters implements RamCounters {
  readonly #transferred = new Float64Array(1);
  duplicate = 0;
  normal = 0;
  encryptedPages = 0;
  endOfSectionMarkers = 0;

  get transferred(): number {
    return this.#transferred[0]!;
  }

  set transferred(bytes: number) {
    this.#transferred[0] = bytes;
  }

  /** An accessor is not an own property: spread and JSON would drop `transferred` without this. */
  toJSON(): RamCounters {
    const {duplicate, normal, encryptedPages, endOfSectionMarkers} = this;
    return {transferred: this.transferred, duplicate, normal, encryptedPages, endOfSectionMarkers};
  }
}

/**
 * The RAM half of a migration stream (qemu/qemu migration/ram.c `ram_save_target_page`,
 * `save_zero_page`, `save_normal_page`): pages of the source go to the destination's memory,
 * zero target pages as a header, secure pages encrypted with the ultravisors' session key.
 */
export class RamStream {
  #target: GuestMemory | null;
  readonly counters: RamCounters = new StreamCounters();
  readonly #rng: Rng;
  #key: Buffer | null = null;
  #hasNamedBlock = false;

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

  /** The session key the ultravisors agreed on; from now on secure pages travel encrypted. */
  useKey(key: Buffer): void {
    this.#key = key;
  }

  /** Target pages sent so far, as ram_get_total_transferred_pages counts them. */
  get targetPagesSent(): number {
    return this.counters.normal + this.counters.duplicate;
  }

  /** How `pfn` would travel now (`buffer_is_zero` per target page; ciphertext is never zero). */
  costOf(source: GuestMemory, pfn: number): PageCost {
    if (source.pageState(pfn) === PageState.secure && this.#key)
      return {zeroTargetPages: 0, isEncrypted: true};
    return {zeroTargetPages: zeroTargetPagesOf(source, pfn), isEncrypted: false};
  }

  /** Wire bytes of a page that travels as `cost` (the block's name on the stream's first page). */
  wireBytesOf(cost: PageCost): number {
    const name = this.#hasNamedBlock ? 0 : BLOCK_NAME_BYTES;
    if (cost.isEncrypted) return SECURE_PAGE_WIRE_BYTES + name;
    const normal = TARGET_PAGES_PER_GUEST_PAGE - cost.zeroTargetPages;
    return name + cost.zeroTargetPages * ZERO_TARGET_PAGE_WIRE_BYTES + normal * NORMAL_TARGET_PAGE_WIRE_BYTES;
  }

  /** Sends one page as `cost` (from `costOf` just before); @returns its wire bytes. */
  send(source: GuestMemory, pfn: number, cost: PageCost): number {
    const target = this.target;
    const wireBytes = this.wireBytesOf(cost);
    this.#hasNamedBlock = true;
    if (cost.isEncrypted) {
      const key = this.#key;
      if (!key) invariantBroken(`migration: secure page ${pfn} sent before the key exchange`);
      importSecurePage(target, pfn, exportSecurePage(source, pfn, key, this.#rng), key);
      this.counters.encryptedPages += TARGET_PAGES_PER_GUEST_PAGE;
    } else {
      target.importPage(pfn, source.exportPage(pfn));
      target.setPageStates(pfn, 1, source.pageState(pfn));
    }
    this.counters.duplicate += cost.zeroTargetPages;
    this.counters.normal += TARGET_PAGES_PER_GUEST_PAGE - cost.zeroTargetPages;
    this.counters.transferred += wireBytes;
    return wireBytes;
  }

  /** The end of one ram_save_iterate call: RAM_SAVE_FLAG_EOS, counted in `transferred`. */
  endSection(): void {
    this.counters.transferred += EOS_BYTES;
    this.counters.endOfSectionMarkers++;
  }
}

/** How many of a guest page's 16 target pages read as all zeros. */
export function zeroTargetPagesOf(memory: GuestMemory, pfn: number): number {
  const frame = memory.frameForRead(pfn);
  if (!frame) return memory.generationOf(pfn) === 0 ? TARGET_PAGES_PER_GUEST_PAGE : 0;
  let zero = 0;
  for (let offset = 0; offset < GUEST_PAGE_SIZE; offset += TARGET_PAGE_SIZE)
    if (frame.compare(ZERO_TARGET_PAGE, 0, TARGET_PAGE_SIZE, offset, offset + TARGET_PAGE_SIZE) === 0) zero++;
  return zero;
}
