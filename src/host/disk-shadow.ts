import {crc32} from 'node:zlib';

/** The unit the guest verifies reads in. */
export const SHADOW_BLOCK_BYTES = 4096;
const ZERO_BLOCK_CRC = crc32(Buffer.alloc(SHADOW_BLOCK_BYTES));

/**
 * The guest application's record of what it wrote: the CRC-32 of every 4 KiB block, kept across
 * reboots and migrations like the disk itself. Reads are checked against it block by block.
 */
export class DiskShadow {
  readonly #crcByBlock = new Map<number, number>();
  readonly #writing = new Set<number>();
  readonly #unknown = new Set<number>();
  #generation = 0;

  /** A fresh write generation: data written now differs from every earlier write. */
  nextGeneration(): number {
    this.#generation = (this.#generation + 1) >>> 0;
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

  /** Ends a write; on success the blocks now hold `crcs`, on failure their contents are unknown. */
  endWrite(firstBlock: number, crcs: readonly number[] | undefined): void {
    const count = crcs?.length ?? 0;
    for (let i = 0; i < Math.max(count, 1); i++) this.#writing.delete(firstBlock + i);
    if (!crcs) return;
    crcs.forEach((crc, i) => this.#crcByBlock.set(firstBlock + i, crc));
  }

  /** Forgets blocks whose content became unknown (a failed write of `blockCount` blocks). */
  forget(firstBlock: number, blockCount: number): void {
    for (let block = firstBlock; block < firstBlock + blockCount; block++) {
      this.#writing.delete(block);
      this.#crcByBlock.delete(block);
      this.#unknown.add(block);
    }
  }

  /** Records what an installer put on the disk (the boot image), block by block. */
  recordContents(offsetBytes: number, bytes: Uint8Array): void {
    const firstBlock = Math.floor(offsetBytes / SHADOW_BLOCK_BYTES);
    const padded = Buffer.alloc(Math.ceil(bytes.length / SHADOW_BLOCK_BYTES) * SHADOW_BLOCK_BYTES);
    padded.set(bytes);
    for (let offset = 0, block = firstBlock; offset < padded.length; offset += SHADOW_BLOCK_BYTES, block++) {
      this.#crcByBlock.set(block, crc32(padded.subarray(offset, offset + SHADOW_BLOCK_BYTES)));
    }
  }

  /**
   * Checks data read from `firstBlock` on.
   * @returns the number of 4 KiB blocks whose CRC does not match what was written
   */
  verify(firstBlock: number, data: Buffer): number {
    let mismatches = 0;
    for (let offset = 0, block = firstBlock; offset < data.length; offset += SHADOW_BLOCK_BYTES, block++) {
      if (this.#unknown.has(block)) continue;
      const expected = this.#crcByBlock.get(block) ?? ZERO_BLOCK_CRC;
      if (crc32(data.subarray(offset, offset + SHADOW_BLOCK_BYTES)) !== expected) mismatches++;
    }
    return mismatches;
  }
}

/** Fills `target` with the pattern a write of `generation` puts in each block, and returns each block's CRC. */
export function fillWritePattern(target: Buffer, firstBlock: number, generation: number): number[] {
  const crcs: number[] = [];
  const pattern = Buffer.allocUnsafe(8);
  for (let offset = 0, block = firstBlock; offset < target.length; offset += SHADOW_BLOCK_BYTES, block++) {
    pattern.writeUInt32LE(block >>> 0, 0);
    pattern.writeUInt32LE(generation, 4);
    const slice = target.subarray(offset, offset + SHADOW_BLOCK_BYTES);
    slice.fill(pattern);
    crcs.push(crc32(slice));
  }
  return crcs;
}
