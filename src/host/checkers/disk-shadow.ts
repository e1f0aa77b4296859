import {invariantBroken} from '../../core/assert.js';
import type {MemoryView} from '../../core/memory-view.js';
import {SHADOW_BLOCK_BYTES, writeStart, writeTemplate} from '../block-pattern.js';

export {SHADOW_BLOCK_BYTES};

/** Never written: the block reads as zeros. */
const NEVER_WRITTEN = -1;
/** Installed bytes (the boot image), compared block by block. */
const INSTALLED = -2;
/** A failed write left the block unknown: not checked. */
const UNCHECKED = -3;
const MAX_RUN_BLOCKS = 64;
/** Blocks per page of the record (1 MiB of disk): a write's blocks are set in one typed array. */
const PAGE_BLOCKS = 256;

/**
 * The guest application's record of what it wrote: for every 4 KiB block, where in the write
 * template its bytes come from (or a marker: installed bytes, unknown), kept across reboots and
 * migrations like the disk itself. Reads are compared byte for byte against it.
 */
export class DiskShadow {
  /**
   * Per block: a writeTemplate() offset, INSTALLED, UNCHECKED or NEVER_WRITTEN, in pages of
   * PAGE_BLOCKS made when a block in them is first recorded (a Map entry per block cost a hash
   * insert per 4 KiB written).
   */
  readonly #pages = new Map<number, Int32Array>();
  readonly #installed = new Map<number, Buffer>();
  /** Writes in flight as [firstBlock, blockCount] pairs (a handful: the queue depth). */
  readonly #writing: number[] = [];
  #generation = 0;

  /** A fresh write generation: data written now differs from the previous 131071 writes'. */
  nextGeneration(): number {
    this.#generation = (this.#generation + 1) >>> 0 || 1;
    return this.#generation;
  }

  isWriting(firstBlock: number, blockCount: number): boolean {
    const writing = this.#writing;
    for (let i = 0; i < writing.length; i += 2) {
      const start = writing[i]!;
      if (start < firstBlock + blockCount && firstBlock < start + writing[i + 1]!) return true;
    }
    return false;
  }

  /** Puts generation `generation`'s data for `length` bytes at `gpa` (the application producing what it writes: one memcpy). */
  produce(view: MemoryView, gpa: number, generation: number, length: number): void {
    view.write(gpa, writeTemplate(), writeStart(generation), length);
  }

  beginWrite(firstBlock: number, blockCount: number): void {
    if (!(blockCount > 0)) invariantBroken(`disk shadow: a write of ${blockCount} blocks`);
    this.#writing.push(firstBlock, blockCount);
  }

  /** The device said OK: the blocks now hold `generation`'s data. */
  endWrite(firstBlock: number, blockCount: number, generation: number): void {
    this.#endWriting(firstBlock, blockCount);
    this.#record(firstBlock, blockCount, writeStart(generation), SHADOW_BLOCK_BYTES);
  }

  /** A failed write: the blocks' contents are unknown and are not checked any more. */
  forget(firstBlock: number, blockCount: number): void {
    this.#endWriting(firstBlock, blockCount);
    this.#record(firstBlock, blockCount, UNCHECKED, 0);
  }

  #endWriting(firstBlock: number, blockCount: number): void {
    const writing = this.#writing;
    for (let i = 0; i < writing.length; i += 2) {
      if (writing[i] === firstBlock && writing[i + 1] === blockCount) {
        // Order does not matter (isWriting asks about any overlap): the last pair fills the gap.
        writing[i] = writing[writing.length - 2]!;
        writing[i + 1] = writing[writing.length - 1]!;
        writing.length -= 2;
        return;
      }
    }
  }

  /** Sets `blockCount` blocks from `firstBlock` to `value`, `value + step`, ... */
  #record(firstBlock: number, blockCount: number, value: number, step: number): void {
    for (let done = 0; done < blockCount;) {
      const block = firstBlock + done;
      const pageIndex = Math.floor(block / PAGE_BLOCKS);
      let page = this.#pages.get(pageIndex);
      if (!page) this.#pages.set(pageIndex, (page = new Int32Array(PAGE_BLOCKS).fill(NEVER_WRITTEN)));
      const at = block - pageIndex * PAGE_BLOCKS;
      const count = Math.min(PAGE_BLOCKS - at, blockCount - done);
      for (let i = 0; i < count; i++) page[at + i] = value + (done + i) * step;
      done += count;
    }
  }

  /** What block `block` holds: a template offset or a marker. */
  #block(block: number): number {
    const pageIndex = Math.floor(block / PAGE_BLOCKS);
    return this.#pages.get(pageIndex)?.[block - pageIndex * PAGE_BLOCKS] ?? NEVER_WRITTEN;
  }

  /**
   * Records what an installer put on the disk (the boot image), block by block. Whole blocks are
   * kept as views of `bytes`, which must not change afterwards (guest images never do): a copy
   * held every image twice more (1.75 MiB for the default world).
   */
  recordContents(offsetBytes: number, bytes: Uint8Array): void {
    const firstBlock = Math.floor(offsetBytes / SHADOW_BLOCK_BYTES);
    for (let offset = 0, block = firstBlock; offset < bytes.length; offset += SHADOW_BLOCK_BYTES, block++) {
      let contents = Buffer.from(
        bytes.buffer,
        bytes.byteOffset + offset,
        Math.min(SHADOW_BLOCK_BYTES, bytes.length - offset),
      );
      if (contents.length < SHADOW_BLOCK_BYTES) contents = Buffer.concat([contents], SHADOW_BLOCK_BYTES);
      this.#record(block, 1, INSTALLED, 0);
      this.#installed.set(block, contents);
    }
  }

  /**
   * Checks `length` bytes read from `firstBlock` on, now in guest memory at `gpa`, byte for byte;
   * blocks that came from one write in order are compared in one go.
   * @returns the number of 4 KiB blocks that differ from what was written
   */
  verify(view: MemoryView, gpa: number, firstBlock: number, length: number): number {
    const blockCount = length / SHADOW_BLOCK_BYTES;
    let mismatches = 0;
    for (let i = 0; i < blockCount;) {
      const block = firstBlock + i;
      const at = gpa + i * SHADOW_BLOCK_BYTES;
      const start = this.#block(block);
      if (start === UNCHECKED) {
        i++;
        continue;
      }
      if (start === INSTALLED) {
        if (!view.equals(at, this.#installed.get(block)!, 0, SHADOW_BLOCK_BYTES)) mismatches++;
        i++;
        continue;
      }
      let run = 1;
      while (
        i + run < blockCount &&
        run < MAX_RUN_BLOCKS &&
        this.#block(block + run) ===
          (start === NEVER_WRITTEN ? NEVER_WRITTEN : start + run * SHADOW_BLOCK_BYTES)
      )
        run++;
      if (!this.#matches(view, at, start, run)) {
        for (let j = 0; j < run; j++)
          if (!this.#matches(view, at + j * SHADOW_BLOCK_BYTES, this.#block(block + j), 1)) mismatches++;
      }
      i += run;
    }
    return mismatches;
  }

  /** Whether `blockCount` blocks at `gpa` hold the template run from `start` (or zeros). */
  #matches(view: MemoryView, gpa: number, start: number, blockCount: number): boolean {
    return start === NEVER_WRITTEN
      ? view.equals(gpa, ZEROS, 0, blockCount * SHADOW_BLOCK_BYTES)
      : view.equals(gpa, writeTemplate(), start, blockCount * SHADOW_BLOCK_BYTES);
  }
}

const ZEROS = Buffer.alloc(MAX_RUN_BLOCKS * SHADOW_BLOCK_BYTES);
