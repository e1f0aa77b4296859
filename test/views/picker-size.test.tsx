import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {renderDashboard} from '../helpers/views.js';
import {defaultConfig} from '../helpers/world.js';

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

describe('a question takes the rows it needs, the list the rest (as the detail panel does)', () => {
  // A reviewer saw blank rows under a short host list: the picker and the yes/no questions kept
  // the list to its 45% share while 29 VMs waited below its footer.
  const config = defaultConfig();
  const rogue = config.guests.find((guest) => guest.name === 'rogue-1')!;
  const extra = Array.from({length: 20}, (_, index) => ({...rogue, name: `extra-${index + 1}`}));
  const crowded = {...config, guests: [...config.guests, ...extra]};

  it.each([
    [120, 40, 'jjjm'],
    [80, 24, 'jjjm'],
    [120, 40, 'jjjr'],
    [80, 24, 'jjjr'],
  ] as const)(
    'at %ix%i after %s, no blank row between the box and the status line',
    async (columns, rows, keys) => {
      const view = renderDashboard({columns, rows, seconds: 30, config: crowded});
      await view.type(keys);
      const lines = view.frame().split('\n');
      expect(lines).toHaveLength(rows);
      // The box's last row, then the status line and the key bar; unless every VM is listed
      // (at 120x40 the reboot question leaves room for all 29, where the old code listed 14).
      const boxEnd = lines.findLastIndex((line) => line.startsWith('╰'));
      if (lines.some((line) => / of 29$/.test(line))) expect(boxEnd).toBe(rows - 3);
      else expect(lines.filter((line) => / (extra-\d+|web-1) /.test(line))).toHaveLength(21);
      expect(lines.at(-1)).toMatch(/^j\/k select/);
    },
  );
});
