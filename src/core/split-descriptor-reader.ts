import {u16At, u32At, u64At} from './little-endian.js';
import type {MemoryView} from './memory-view.js';
import {DESCRIPTOR_SIZE} from './split-ring-layout.js';

/**
 * Reads split-ring descriptors' fields for the device (qemu/qemu hw/virtio/virtio.c
 * `vring_split_desc_read`): a descriptor that lies in one page inside memory is read whole, once
 * (one checked frame, sixteen bytes, instead of four checked field accesses), and remembered
 * until `forget`; one across pages or memory's end is read field by field.
 */
export class DescriptorReader {
  readonly #view: MemoryView;
  /** The descriptor last read whole (its table address). */
  #gpa = -1;
  #addr = 0;
  #len = 0;
  #flags = 0;
  #next = 0;

  constructor(view: MemoryView) {
    this.#view = view;
  }

  /** Forgets the descriptor read last (a new pop: the guest may have rewritten it). */
  forget(): void {
    this.#gpa = -1;
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
    const view = this.#view;
    if (gpa + DESCRIPTOR_SIZE > view.memory.sizeBytes) return false;
    const bytes = view.bytesAt(gpa, DESCRIPTOR_SIZE, false);
    if (!bytes) return false;
    const at = view.rangeOffset;
    this.#addr = u64At(bytes, at);
    this.#len = u32At(bytes, at + 8);
    this.#flags = u16At(bytes, at + 12);
    this.#next = u16At(bytes, at + 14);
    this.#gpa = gpa;
    return true;
  }
}
