import {FRAME_BYTES} from './frame-pool.js';

const patternScratch = Buffer.alloc(8);

/** Fills a page with the deterministic pattern of (pfn, generation). */
export function fillGenerated(
  target: Uint8Array,
  pfn: number,
  generation: number,
  offset = 0,
  length = FRAME_BYTES,
): void {
  patternScratch.writeUInt32LE(pfn >>> 0, 0);
  patternScratch.writeUInt32LE((generation * 0x9e3779b1) >>> 0, 4);
  const start = offset - (offset % 8);
  const view = Buffer.from(target.buffer, target.byteOffset, target.byteLength);
  if (offset % 8 === 0) {
    view.fill(patternScratch, 0, length);
    return;
  }
  // Unaligned partial read of a generated page: build the aligned run and copy the slice.
  const run = Buffer.alloc(length + (offset - start));
  run.fill(patternScratch);
  run.copy(view, 0, offset - start, offset - start + length);
}
