import {Rng} from '../core/rng.js';

/** The unit the guest writes and verifies in. */
export const SHADOW_BLOCK_BYTES = 4096;

/** Distinct starting points in the template: generations this far apart never write the same bytes. */
const TEMPLATE_STARTS = 1 << 17;
const TEMPLATE_STRIDE = 8;
/** The longest run one write takes from the template (a 256 KiB request, the swiotlb limit). */
const MAX_RUN_BYTES = 256 * 1024;

/**
 * What the guest writes: runs of one fixed pseudo-random template. A write of generation g takes
 * the run starting at `writeStart(g)`, so the data is a memcpy to produce and a memcmp to check,
 * differs from the previous 131071 generations' data, and differs from block to block within a
 * write (a block read from the wrong place or an older write does not match). Filled on first use,
 * not at import (1.25 MiB of Rng output, 15-19 ms of every start before the first frame, #17):
 * the seed alone fixes the bytes, so when it is filled does not change them.
 */
export function writeTemplate(): Buffer {
  return (template ??= fillTemplate());
}

let template: Buffer | undefined;

function fillTemplate(): Buffer {
  const bytes = Buffer.alloc(TEMPLATE_STARTS * TEMPLATE_STRIDE + MAX_RUN_BYTES);
  // The same bytes as writeUInt32LE of each word (fillBytes stores a word's low byte first) in
  // half the time.
  new Rng(0x5eed_b10c).fillBytes(bytes);
  return bytes;
}

/** Where generation `generation`'s data starts in writeTemplate() (a bijection over 2^17 generations). */
export function writeStart(generation: number): number {
  return ((Math.imul(generation, 0x9e3779b1) >>> 0) % TEMPLATE_STARTS) * TEMPLATE_STRIDE;
}
