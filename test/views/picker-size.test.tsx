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

  // Each case names what the list does: 'fills' (the list is cut, its footer says 1-N of 29, and the
  // box ends right above the status line) or 'all' (all 29 VMs fit: no footer, the box follows the
  // last VM, and only the rows below the box are blank; the old code listed 14 at 120x40 reboot).
  it.each([
    [120, 40, 'jjjm', 'fills'],
    [80, 24, 'jjjm', 'fills'],
    [120, 40, 'jjjr', 'all'],
    [80, 24, 'jjjr', 'fills'],
  ] as const)(
    'at %ix%i after %s, the list %s and no blank row between the box and the status line',
    async (columns, rows, keys, list) => {
      const view = renderDashboard({columns, rows, seconds: 30, config: crowded});
      await view.type(keys);
      const lines = view.frame().split('\n');
      expect(lines).toHaveLength(rows);
      const boxStart = lines.findIndex((line) => line.startsWith('╭'));
      const boxEnd = lines.findLastIndex((line) => line.startsWith('╰'));
      const blank = lines.flatMap((line, index) => (line.trim() === '' ? [index] : []));
      if (list === 'fills') {
        expect(lines[boxStart - 1]).toMatch(/^ 1-\d+ of 29$/);
        expect(boxEnd).toBe(rows - 3);
        expect(blank).toEqual([rows - 2]); // the (empty) status line only
      } else {
        expect(lines.some((line) => / of 29$/.test(line))).toBe(false);
        expect(boxStart).toBe(2 + 29); // the header, the column titles, then every VM
        expect(lines[boxStart - 1]).toMatch(/^ web-1 /);
        expect(blank).toEqual(
          Array.from({length: rows - 1 - (boxEnd + 1)}, (_, index) => boxEnd + 1 + index),
        );
      }
      expect(lines.at(-1)).toMatch(/^j\/k select/);
    },
  );
});
