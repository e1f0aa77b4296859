import {GUEST_PAGE_SIZE, type GuestMemory} from './guest-memory.js';
import type {MemoryView} from './memory-view.js';

/**
 * A range of guest memory inside one page that one party reads or writes field by field many
 * times (a ring, an indirect descriptor table): the page is checked once and its frame kept until
 * the memory's epoch changes (a page changed state or lost its frame), as QEMU keeps a
 * MemoryRegionCache per ring (hw/virtio/virtio.c `virtio_init_region_cache`) until the memory map
 * changes. A range the view may not touch directly (outside memory, across pages, a secure page
 * a hypervisor view sees encrypted, a page without bytes) has no frame: the caller goes through
 * the view field by field, with every check, as before.
 */
export class PageWindow {
  /** Where the window starts; set with `moveTo`. */
  gpa = 0;
  length = 0;
  /** The window's first byte in `frame()`'s result. */
  offset = 0;
  /** The window's page, for the dirty log. */
  #pfn = 0;
  readonly #view: MemoryView;
  /** Whether the window is written (its page materialised when pinned), not only read. */
  readonly #isForWrite: boolean;
  #memory: GuestMemory | undefined;
  #epoch = -1;
  #frame: Buffer | undefined;

  constructor(view: MemoryView, isForWrite: boolean, gpa = 0, length = 0) {
    this.#view = view;
    this.#isForWrite = isForWrite;
    this.moveTo(gpa, length);
  }

  /** Points the window at another range (a new indirect table): its page is checked on next use. */
  moveTo(gpa: number, length: number): void {
    this.gpa = gpa;
    this.length = length;
    this.#memory = undefined;
  }

  /** The frame holding the window for reading, or undefined: go through the view. */
  frame(): Buffer | undefined {
    const memory = this.#view.memory;
    if (memory === this.#memory && memory.epoch === this.#epoch) return this.#frame;
    return this.#pin(memory);
  }

  /** The frame holding the window for writing (its page marked dirty), or undefined: go through the view. */
  frameForWrite(): Buffer | undefined {
    const frame = this.frame();
    if (frame !== undefined) this.#memory!.markDirty(this.#pfn);
    return frame;
  }

  #pin(memory: GuestMemory): Buffer | undefined {
    const view = this.#view;
    const frame = view.checkedFrame(this.gpa, this.length, this.#isForWrite);
    // Read after the check, which may have paged the page out or in (a new epoch).
    this.#epoch = memory.epoch;
    this.#memory = memory;
    this.#frame = frame;
    this.offset = view.rangeOffset;
    this.#pfn = (this.gpa - this.offset) / GUEST_PAGE_SIZE;
    return frame;
  }
}
