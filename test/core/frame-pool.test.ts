import {setFlagsFromString} from 'node:v8';
import {runInNewContext} from 'node:vm';
import {describe, expect, it} from 'vitest';
import {FRAME_BYTES, recycleFrame, takeFrame} from '../../src/core/frame-pool.js';

/** The collector, without starting the test process with --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Lets the finalization callbacks of what the collector freed run. */
async function afterCollection(gc: () => void): Promise<void> {
  for (let turn = 0; turn < 5; turn++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Takes a frame, dirties it and lets it go without recycling it (a memory nobody clears). */
function dropOne(): {slab: ArrayBufferLike; droppedOffset: number} {
  const frame = takeFrame();
  frame.fill(0xa5);
  return {slab: frame.buffer, droppedOffset: frame.byteOffset};
}

describe('frame pool', () => {
  it('hands out frames 64 KiB apart in one large buffer, so copies between them line up', () => {
    const frames = [takeFrame(), takeFrame(), takeFrame()];
    for (const frame of frames) {
      expect(frame.length).toBe(FRAME_BYTES);
      expect(frame.buffer).toBe(frames[0]!.buffer);
      expect(frame.byteOffset % FRAME_BYTES).toBe(0);
    }
    expect(frames[0]!.buffer.byteLength).toBeGreaterThanOrEqual(32 * 1024 * 1024);
    for (const frame of frames) recycleFrame(frame);
  });

  it('gives a recycled frame back zeroed', () => {
    const frame = takeFrame();
    frame.fill(0xa5);
    recycleFrame(frame);
    const again = takeFrame();
    expect(again).toBe(frame);
    expect(again.every((byte) => byte === 0)).toBe(true);
    recycleFrame(again);
  });

  it('takes back, zeroed, the slot of a frame dropped without recycling once it is collected', async () => {
    const gc = collector();
    // Frames recycled by the tests above are handed out first.
    const held = Array.from({length: 4}, () => takeFrame());
    const {slab, droppedOffset} = dropOne();
    await afterCollection(gc);
    const reused = takeFrame();
    expect(reused.buffer).toBe(slab);
    expect(reused.byteOffset).toBe(droppedOffset);
    expect(reused.every((byte) => byte === 0)).toBe(true);
    expect(held).toHaveLength(4);
  });
});
