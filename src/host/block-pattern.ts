/** The unit the guest writes and verifies in. */
export const SHADOW_BLOCK_BYTES = 4096;

const pattern = Buffer.alloc(8);

/** The 8 bytes a write of `generation` repeats through block `block`. */
export function blockPattern(block: number, generation: number): Buffer {
  pattern.writeUInt32LE(block >>> 0, 0);
  pattern.writeUInt32LE(generation >>> 0, 4);
  return pattern;
}

/** Fills one 4 KiB block with the pattern of (block, generation). */
export function fillBlockPattern(target: Buffer, block: number, generation: number): void {
  target.fill(blockPattern(block, generation), 0, SHADOW_BLOCK_BYTES);
}

/** Fills a run of blocks starting at `firstBlock` with one generation's pattern. */
export function fillWritePattern(target: Buffer, firstBlock: number, generation: number): void {
  for (let offset = 0, block = firstBlock; offset < target.length; offset += SHADOW_BLOCK_BYTES, block++) {
    target.fill(blockPattern(block, generation), offset, offset + SHADOW_BLOCK_BYTES);
  }
}
