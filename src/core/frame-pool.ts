/**
 * 64 KiB buffers for guest pages and disk chunks, recycled when a page is dropped (zeroed on
 * reuse). Each frame has its own ArrayBuffer: copies between views of one ArrayBuffer take V8's
 * slow, overlap-safe path.
 */
export const FRAME_BYTES = 65_536;
/** Dropped frames kept for reuse at most (4 MiB, counted in the resident size); more are left to the garbage collector. */
const RECYCLE_LIMIT = 64;

const recycled: Buffer[] = [];

/** A zeroed 64 KiB buffer. */
export function takeFrame(): Buffer {
  const reused = recycled.pop();
  if (reused) return reused.fill(0);
  return Buffer.alloc(FRAME_BYTES);
}

/** Gives a frame back; the caller must not use it again. */
export function recycleFrame(frame: Buffer): void {
  if (recycled.length < RECYCLE_LIMIT && frame.length === FRAME_BYTES) recycled.push(frame);
}
