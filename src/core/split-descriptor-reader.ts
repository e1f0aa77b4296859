import {u16At, u32At, u64At} from './little-endian.js';
import type {MemoryView} from './memory-view.js';
import {PageWindow} from './page-window.js';
import {DESCRIPTOR_SIZE} from './split-ring-layout.js';

/**
 * Reads split-ring descriptors' fields for the device (qemu/qemu hw/virtio/virtio.c
 * `vring_split_desc_read`): a descriptor that lies in one page inside memory is read whole, once
 * (one checked frame, sixteen bytes, instead of four checked field accesses), and remembered
 * until `forget`; one across pages or memory's end is read field by field. The table being read
 * (the ring's, or an indirect one, which QEMU maps once per chain with `address_space_cache_init`)
 * is a PageWindow: its page is checked once, not per descriptor.
 */
export class DescriptorReader {
  readonly #view: MemoryView;
  readonly #ringTable: PageWindow;
  readonly #indirectTable: PageWindow;
  #table: PageWindow;
  /** The descriptor last read whole (its table address). */
  #gpa = -1;
  #addr = 0;
  #len = 0;
  #flags = 0;
  #next = 0;

  constructor(view: MemoryView, ringTableGpa: number, queueSize: number) {
    this.#view = view;
    this.#ringTable = new PageWindow(view, false, ringTableGpa, queueSize * DESCRIPTOR_SIZE);
    this.#indirectTable = new PageWindow(view, false);
    this.#table = this.#ringTable;
  }

  /** Forgets the descriptor read last (a new pop: the guest may have rewritten it); reads from the ring's table. */
  forget(): void {
    this.#gpa = -1;
    this.#table = this.#ringTable;
  }

  /** Reads from the indirect table at [gpa, gpa + length) until `forget`. */
  enterIndirect(gpa: number, length: number): void {
    this.#indirectTable.moveTo(gpa, length);
    this.#table = this.#indirectTable;
  }

  addr(gpa: number): number {
    return this.#load(gpa) ? this.#addr : this.#view.readU64(gpa);
  }

  len(gpa: number): number {
    return this.#load(gpa) ? this.#len : this.#view.readU32(gpa + 8);
  }

  flags(gpa: number): number {
    return this.#load(gpa) ? this.#flags : this.#view.readU16(gpa + 12);
  }

  next(gpa: number): number {
    return this.#load(gpa) ? this.#next : this.#view.readU16(gpa + 14);
  }

  #load(gpa: number): boolean {
    if (gpa === this.#gpa) return true;
    const table = this.#table;
    let bytes = table.frame();
    let at = table.offset + gpa - table.gpa;
    if (bytes === undefined || !(gpa >= table.gpa && gpa + DESCRIPTOR_SIZE <= table.gpa + table.length)) {
      const view = this.#view;
      if (gpa + DESCRIPTOR_SIZE > view.memory.sizeBytes) return false;
      bytes = view.bytesAt(gpa, DESCRIPTOR_SIZE, false);
      if (!bytes) return false;
      at = view.rangeOffset;
    }
    this.#addr = u64At(bytes, at);
    this.#len = u32At(bytes, at + 8);
    this.#flags = u16At(bytes, at + 12);
    this.#next = u16At(bytes, at + 14);
    this.#gpa = gpa;
    return true;
  }
}
