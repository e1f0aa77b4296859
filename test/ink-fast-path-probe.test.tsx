/**
 * The byte-for-byte tests (test/ink-output-patch.test.ts and beside it) hold the patched output
 * stage to stock Ink's output, and would pass just as well if the patch's fast path were never
 * taken. Here the patch's own counters (`fastPathProbe` in ink/build/output.js) say which path the
 * dashboard's frames took: every line they redraw, colours on, must be read in one pass and every
 * row joined through the one-byte buffer, the rows that did not change reused; the help box's
 * rounded borders, which are not ASCII, must take stock Ink's path (so the counters count).
 */
import chalk from 'chalk';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {createTheme} from '../src/views/theme.js';
import {renderDashboard} from './helpers/views.js';
import {buildFile} from './ink-output-fixtures.js';

interface Probe {
  asciiLines: number;
  stockLines: number;
  bufferRows: number;
  stockRows: number;
  reusedRows: number;
  drawnRows: number;
}
const {fastPathProbe: probe} = (await import(buildFile('ink', './output.js').href)) as {fastPathProbe: Probe};

/** What the probe counted while `draw` ran. */
async function counted(draw: () => Promise<void>): Promise<Probe> {
  const before = {...probe};
  await draw();
  const after = {...probe};
  for (const key of Object.keys(after) as (keyof Probe)[]) after[key] -= before[key];
  return after;
}

const initialLevel = chalk.level;
beforeEach(() => {
  vi.useFakeTimers();
  chalk.level = 1;
});
afterEach(() => {
  vi.useRealTimers();
  chalk.level = initialLevel;
});

describe("the Ink patch's fast path on the dashboard's frames", () => {
  it.each([
    [120, 40],
    [80, 24],
  ] as const)('reads every line in one pass and reuses unchanged rows, at %ix%i', async (columns, rows) => {
    const view = renderDashboard({columns, rows, seconds: 30, theme: createTheme(true)});
    // The devices, migration and events tabs: all printable ASCII and SGR codes.
    for (const tab of ['1', '3', '4']) {
      await view.type(tab);
      const refreshes = await counted(async () => {
        for (let second = 0; second < 3; second++) await view.refresh();
      });
      expect(view.frame(), 'colours are drawn, so SGR codes go through the fast path too').toContain('\x1b[');
      expect(refreshes.stockLines, `tab ${tab}`).toBe(0);
      expect(refreshes.stockRows, `tab ${tab}`).toBe(0);
      expect(refreshes.asciiLines, `tab ${tab}: the changed lines were read`).toBeGreaterThan(0);
      // Every row drawn again is joined through the buffer (stockRows is 0), and some were drawn.
      expect(refreshes.drawnRows, `tab ${tab}`).toBeGreaterThan(0);
      // Most rows do not change from one second to the next (the clock, some VM and device rows do).
      expect(refreshes.reusedRows, `tab ${tab}`).toBeGreaterThan(refreshes.drawnRows);
    }
  });

  it("takes stock Ink's path for what is not ASCII: the help box", async () => {
    const view = renderDashboard({columns: 120, rows: 40, seconds: 30, theme: createTheme(true)});
    const help = await counted(() => view.type('?'));
    expect(view.frame()).toContain('╭');
    expect(help.stockLines).toBeGreaterThan(0);
    expect(help.stockRows).toBeGreaterThan(0);
  });
});
