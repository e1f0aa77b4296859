import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {pause, REALTIME_SLICE_MS} from '../../src/app/headless-realtime.js';

/** Resolves `promise`'s callbacks queued so far without moving the fake clock. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let isDone = false;
  void promise.then(() => (isDone = true));
  for (let turn = 0; turn < 5; turn++) await Promise.resolve();
  return isDone;
}

describe('pause between realtime slices', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits its slice while the signal stands', async () => {
    const waiting = pause(REALTIME_SLICE_MS, new AbortController().signal);
    vi.advanceTimersByTime(REALTIME_SLICE_MS - 1);
    expect(await settled(waiting)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(waiting)).toBe(true);
  });

  it('ends at once when the signal aborts during it', async () => {
    const controller = new AbortController();
    const waiting = pause(REALTIME_SLICE_MS, controller.signal);
    controller.abort();
    expect(await settled(waiting)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  // An abort during the back-pressure wait comes before pause: 'abort' never fires again.
  it.each([REALTIME_SLICE_MS, 0])(
    'returns at once, with no timer, when already aborted (%i ms)',
    async (ms) => {
      const controller = new AbortController();
      controller.abort();
      const waiting = pause(ms, controller.signal);
      // Before: the timer ran its course (up to 20 ms of wall time) after the stop signal.
      expect(vi.getTimerCount()).toBe(0);
      expect(await settled(waiting)).toBe(true);
    },
  );
});
