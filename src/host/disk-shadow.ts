import {SHADOW_BLOCK_BYTES, fillBlockPattern} from './block-pattern.js';

export {SHADOW_BLOCK_BYTES};

/** What a block holds as far as the guest knows: never written (zeros), installed bytes, or a write generation. */
type BlockRecord = number | Buffer;

/**
 * The guest application's record of what it wrote: for every 4 KiB block the write generation
 * whose pattern it holds (or the installed bytes, for the boot image), kept across reboots and
 * migrations like the disk itself. Reads are compared byte for byte against it.
 */
export class DiskShadow {
  readonly #blocks = new Map<number, BlockRecord>();
  readonly #writing = new Set<number>();
  readonly #unknown = new Set<number>();
  readonly #expected = Buffer.alloc(SHADOW_BLOCK_BYTES);
  #generation = 0;

  /** A fresh write generation: data written now differs from every earlier write. */
  nextGeneration(): number {
    this.#generation = (this.#generation + 1) >>> 0 || 1;
    return this.#generation;
  }

  isWriting(firstBlock: number, blockCount: number): boolean {
    for (let block = firstBlock; block < firstBlock + blockCount; block++)
      if (this.#writing.has(block)) return true;
    return false;
  }

  beginWrite(firstBlock: number, blockCount: number): void {
    for (let block = firstBlock; block < firstBlock + blockCount; block++) this.#writing.add(block);
  }

  /** The device said OK: the blocks now hold `generation`'s pattern. */
  endWrite(firstBlock: number, blockCount: number, generation: number): void {
    for (let block = firstBlock; block < firstBlock + blockCount; block++) {
      this.#writing.delete(block);
      this.#unknown.delete(block);
      this.#blocks.set(block, generation);
    }
  }

  /** A failed write: the blocks' contents are unknown and are not checked any more. */
  forget(firstBlock: number, blockCount: number): void {
    for (let block = firstBlock; block < firstBlock + blockCount; block++) {
      this.#writing.delete(block);
      this.#blocks.delete(block);
      this.#unknown.add(block);
    }
  }

  /** Records what an installer put on the disk (the boot image), block by block. */
  recordContents(offsetBytes: number, bytes: Uint8Array): void {
    const firstBlock = Math.floor(offsetBytes / SHADOW_BLOCK_BYTES);
    for (let offset = 0, block = firstBlock; offset < bytes.length; offset += SHADOW_BLOCK_BYTES, block++) {
      const copy = Buffer.alloc(SHADOW_BLOCK_BYTES);
      copy.set(bytes.subarray(offset, offset + SHADOW_BLOCK_BYTES));
      this.#blocks.set(block, copy);
    }
  }

  /**
   * Checks data read from `firstBlock` on, byte for byte.
   * @returns the number of 4 KiB blocks that differ from what was written
   */
  verify(firstBlock: number, data: Buffer): number {
    let mismatches = 0;
    for (let offset = 0, block = firstBlock; offset < data.length; offset += SHADOW_BLOCK_BYTES, block++) {
      if (this.#unknown.has(block)) continue;
      const record = this.#blocks.get(block) ?? 0;
      let expected: Buffer;
      if (typeof record === 'number') {
        expected = this.#expected;
        if (record === 0) expected.fill(0);
        else fillBlockPattern(expected, block, record);
      } else {
        expected = record;
      }
      if (!expected.equals(data.subarray(offset, offset + SHADOW_BLOCK_BYTES))) mismatches++;
    }
    return mismatches;
  }
}
