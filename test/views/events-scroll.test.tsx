import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {renderDashboard} from '../helpers/views.js';

// `[` scrolls the events tab back until the oldest event is on the top line, and no further.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The lines under the tab strip, up to the key bar, without the (empty) status line under them. */
function eventLines(frame: string): string[] {
  const lines = frame.split('\n');
  const strip = lines.findIndex((line) => line.includes('[4 events]'));
  const keyBar = lines.findIndex((line) => line.startsWith('j/k select'));
  const below = lines.slice(strip + 1, keyBar);
  while (below.at(-1)?.trim() === '') below.pop();
  return below;
}

describe('the events tab scrolls back only as far as the oldest event', () => {
  it('hides nothing when the whole log fits (db-1 at 120x40)', async () => {
    const view = renderDashboard({columns: 120, rows: 40, seconds: 30});
    await view.type('gjjj4');
    const before = view.frame();
    expect(before).toContain('[4 events] db-1');
    await view.type('[[[');
    expect(view.frame()).toBe(before);
    await view.type('[[[[[[[[[[');
    expect(view.frame()).toBe(before);
  });

  it('stops with the oldest event on top when the log does not fit (80x24)', async () => {
    const view = renderDashboard({columns: 80, rows: 24, seconds: 30});
    await view.type('gjjj4');
    const newest = eventLines(view.frame()).filter((line) => line.trim() !== '');
    await view.type('['.repeat(40));
    const back = eventLines(view.frame());
    expect(back[0]).toMatch(/^ +0\.0s db-1 /);
    expect(back.at(-1)).toMatch(/newer events? below/);
    // The panel stays full (a wrapped event that would not fit whole may leave one row).
    expect(back.length).toBeGreaterThanOrEqual(newest.length - 1);
    // The oldest event was not on screen before: the log really is longer than the panel.
    expect(newest[0]).not.toMatch(/^ +0\.0s db-1 /);
    // One `]` moves forward at once (the presses past the oldest event were not counted).
    await view.type(']');
    expect(eventLines(view.frame())[0]).not.toMatch(/^ +0\.0s db-1 /);
  });

  it('shows the newest events again after another VM was selected (review)', async () => {
    const view = renderDashboard({columns: 80, rows: 24, seconds: 30});
    await view.type('gjjj4');
    const newest = eventLines(view.frame());
    await view.type('['.repeat(40));
    expect(eventLines(view.frame())).not.toEqual(newest);
    await view.type('kj');
    expect(eventLines(view.frame())).toEqual(newest);
  });
});
