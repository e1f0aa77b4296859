import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {renderDashboard} from '../helpers/views.js';

// Exact frames of the default world (seed 1) at 30 simulated seconds, with colours off, at the
// two sizes the dashboard is built for. A change to any of them is a change to the screen: look
// at the .txt file's diff before updating it (`npx vitest run test/views/frames.test.tsx -u`).

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const SCREENS: ReadonlyArray<readonly [string, string]> = [
  ['main', ''],
  ['swiotlb', 'jjj2'],
  ['migration', 'G3'],
  ['events', 'jjjj4'],
  ['help', '?'],
  ['picker', 'jjjm'],
  ['filter', '/sec'],
  ['confirm', 'jjjjs'],
  // undecl-1: a failed secure transition, whose notice wraps under the header.
  ['failed', 'Gk1'],
];

describe.each([
  [80, 24],
  [120, 40],
] as const)('at %ix%i', (columns, rows) => {
  it.each(SCREENS)('the %s screen', async (name, keys) => {
    const view = renderDashboard({columns, rows, seconds: 30});
    if (keys) await view.type(keys);
    await expect(`${view.frame()}\n`).toMatchFileSnapshot(`frames/${name}-${columns}x${rows}.txt`);
  });
});
