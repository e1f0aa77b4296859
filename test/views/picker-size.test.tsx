import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {renderDashboard} from '../helpers/views.js';

// The host picker's box is as tall as what it says, not as the panel it opens over.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the migrate picker', () => {
  it.each([
    [120, 40],
    [80, 24],
  ] as const)(
    'at %ix%i draws no empty rows inside its box, and the key bar stays last',
    async (columns, rows) => {
      const view = renderDashboard({columns, rows, seconds: 30});
      await view.type('jjjm');
      const lines = view.frame().split('\n');
      expect(lines.filter((line) => /^│ *│$/.test(line))).toEqual([]);
      expect(lines.some((line) => line.startsWith('╰'))).toBe(true);
      expect(lines.at(-1)).toMatch(/^j\/k select/);
      expect(lines).toHaveLength(rows);
    },
  );
});
