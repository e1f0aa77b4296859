import {stripVTControlCharacters} from 'node:util';
import {Table} from '@alcalzone/ink-table';
import fc from 'fast-check';
import {renderToString} from 'ink';
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import type {DeviceSnapshot, VmSnapshot} from '../../src/host/snapshot-types.js';
import {
  asciiTableHeight,
  asciiTableWidth,
  DMA_TEXTS,
  STATUS_TEXTS,
  widestRows,
  type DeviceRow,
} from '../../src/views/device-table-fit.js';
import {AsciiDeviceTable, AsciiSkeleton, deviceRowsOf, DevicesTab} from '../../src/views/devices-tab.js';
import {createTheme} from '../../src/views/theme.js';
import {defaultConfig, startWorld, vm} from '../helpers/world.js';

// The devices tab draws the ASCII table only where the table fits the panel whole at the widths
// its columns can reach (src/views/device-table-fit.ts); where it does not the compact table drops
// columns whole and says how many, and no counter is cut.

function webAt(seconds: number): VmSnapshot {
  const world = startWorld(defaultConfig());
  world.advanceTo(seconds * 1_000_000);
  return vm(world, 'web-1');
}

/** The tab's lines at `width`, trailing spaces gone. */
function draw(snapshot: VmSnapshot, width: number): string[] {
  const {lastFrame, unmount} = render(
    <DevicesTab vm={snapshot} width={width} height={14} theme={createTheme(false)} />,
  );
  const lines = (lastFrame() ?? '').split('\n').map((line) => line.trimEnd());
  unmount();
  return lines;
}

/** The same beyond ink-testing-library's 100 columns: `renderToString` in a terminal as wide as the tab. */
function drawWide(snapshot: VmSnapshot, width: number, height = 20): string[] {
  const frame = renderToString(
    <DevicesTab vm={snapshot} width={width} height={height} theme={createTheme(false)} />,
    {columns: width},
  );
  return frame.split('\n').map((line) => line.trimEnd());
}

describe('the devices tab between 84 and 107 columns', () => {
  it('draws the ASCII table where it fits whole, and the compact table where it does not', () => {
    const snapshot = webAt(30);
    const wide = drawWide(snapshot, 107);
    expect(wide[0]).toMatch(/^\+-+\+/);
    expect(wide[1]).toMatch(/\| INTEG \|$/);
    const narrow = draw(snapshot, 90);
    expect(narrow[0]).toMatch(/^DEV +TYPE/);
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(89);
  });

  it('shows a huge counter whole, dropping columns rather than cutting them', () => {
    const snapshot = webAt(30);
    const huge: VmSnapshot = {
      ...snapshot,
      devices: snapshot.devices.map((device) => ({...device, completed: 123_456_789_012_345})),
    };
    const lines = draw(huge, 99);
    expect(lines[0]).toMatch(/^DEV +TYPE .*DONE/);
    expect(lines.filter((line) => line.includes('123456789012345'))).toHaveLength(snapshot.devices.length);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(98);
  });
});

/** The width stock ink-table (node per cell and border) draws `rows` at, in ASCII: its widest line. */
function stockTableWidth(rows: readonly DeviceRow[]): number {
  const frame = renderToString(<Table data={[...rows]} padding={1} skeleton={AsciiSkeleton} />, {
    columns: 400,
  });
  return Math.max(...frame.split('\n').map((line) => line.length));
}

const isAscii = (lines: readonly string[]) => /^\+-+\+/.test(lines[0] ?? '');

describe('the choice between the ASCII and the compact table', () => {
  const snapshot = webAt(30);
  const rows = deviceRowsOf(snapshot);

  it('measures the ASCII table as stock ink-table draws it', () => {
    const word = fc.stringMatching(/^[a-z0-9+-]{1,14}$/);
    const count = fc.oneof(
      fc.nat({max: 99}),
      fc.nat({max: 9_999_999}),
      fc.constantFrom(9, 10, 99_999, 100_000),
    );
    const row = fc.record({
      DEV: word,
      TYPE: word,
      IOMMU: fc.constantFrom('on', 'off', 'forced'),
      DMA: fc.constantFrom(...DMA_TEXTS),
      STATUS: fc.constantFrom(...STATUS_TEXTS),
      DONE: count,
      FAIL: count,
      INFL: count,
      FAULT: count,
      INTEG: count,
    });
    fc.assert(
      fc.property(fc.array(row, {minLength: 1, maxLength: 4}), (random) => {
        expect(asciiTableWidth(random)).toBe(stockTableWidth(random));
      }),
      {numRuns: 40},
    );
  });

  it('draws the ASCII table from one cell wider than stock ink-table takes for the widest rows', () => {
    // The last cell stays free, as for every other line of the panel and the compact table.
    const boundary = stockTableWidth(widestRows(rows)) + 1;
    expect(drawWide(snapshot, boundary - 1)[0]).toMatch(/^DEV +TYPE/);
    expect(isAscii(drawWide(snapshot, boundary))).toBe(true);
    expect(isAscii(drawWide(snapshot, boundary + 1))).toBe(true);
    // Each form stays inside the panel on its side of the line.
    for (const width of [boundary - 1, boundary, boundary + 1])
      for (const line of drawWide(snapshot, width)) expect(line.length).toBeLessThan(width);
  });

  it('leaves the right-hand cell free with every counter at its reach, its border whole', () => {
    // Every text and counter as wide as they get: the table is then exactly as wide as it was measured.
    const reached: VmSnapshot = {
      ...snapshot,
      devices: snapshot.devices.map((device) => ({
        ...device,
        ...{
          completed: 999_999,
          failed: 999_999,
          inFlight: 999_999,
          faults: 999_999,
          integrityErrors: 999_999,
        },
        ...{
          status: 'needs-reset' as const,
          dma: 'dma-api' as const,
          bounces: true,
          accessPlatformForced: true,
        },
      })),
    };
    const widest = asciiTableWidth(widestRows(rows));
    expect(asciiTableWidth(deviceRowsOf(reached))).toBe(widest);
    for (const width of [widest - 1, widest, widest + 1, widest + 2]) {
      const lines = drawWide(reached, width);
      for (const line of lines) expect(line.length, `at ${width} columns`).toBeLessThan(width);
      if (isAscii(lines))
        for (const line of lines.slice(0, asciiTableHeight(rows))) expect(line).toMatch(/^[+|].*[+|]$/);
    }
  });

  it('keeps its form when a counter gains a digit or a device breaks and is reset', () => {
    // The width the ASCII table takes today, and one more digit: where the tab used to switch.
    const today = asciiTableWidth(rows);
    const moved = (change: Partial<DeviceSnapshot>): VmSnapshot => ({
      ...snapshot,
      devices: snapshot.devices.map((device, index) => (index === 0 ? {...device, ...change} : device)),
    });
    const states = [
      snapshot,
      moved({completed: 10 ** String(rows[0]!.DONE).length}),
      moved({failed: 10_000}),
      moved({status: 'needs-reset', error: 'broken'}),
    ];
    for (const width of [today, today + 1, today + 5, 110]) {
      const forms = states.map((state) => isAscii(drawWide(state, width, 20)));
      expect(new Set(forms).size, `at ${width} columns`).toBe(1);
    }
  });

  it('keeps a line under the table for each device, as each may show a problem', () => {
    const width = 120;
    const height = asciiTableHeight(rows) + rows.length;
    expect(isAscii(drawWide(snapshot, width, height))).toBe(true);
    expect(drawWide(snapshot, width, height - 1)[0]).toMatch(/^DEV +TYPE/);
  });
});

describe('the ASCII table from frame to frame', () => {
  const rows = deviceRowsOf(webAt(30));
  const theme = createTheme(false);
  const stock = (data: readonly DeviceRow[]) =>
    renderToString(<Table data={[...data]} padding={1} skeleton={AsciiSkeleton} />, {columns: 200});

  it('draws every change of a counter, a text or a width, and nothing else, as stock ink-table does', () => {
    const {lastFrame, rerender, unmount} = render(<AsciiDeviceTable rows={rows} theme={theme} />);
    const frames: DeviceRow[][] = [
      rows.map((row) => ({...row})),
      rows.map((row, index) => (index === 1 ? {...row, DONE: row.DONE + 1} : row)),
      rows.map((row, index) => (index === 0 ? {...row, FAULT: 3, STATUS: 'needs-reset'} : row)),
      rows.map((row) => ({...row, INFL: 12_345})),
      rows,
    ];
    for (const data of frames) {
      rerender(<AsciiDeviceTable rows={data} theme={theme} />);
      expect(lastFrame()).toBe(stock(data));
    }
    unmount();
  });

  it('draws a device added or removed between frames as stock ink-table does', () => {
    // Another device as wide as the first in every column, so the widths stay and the lines
    // cached by position are what is put to the test: added at the end, in front (every row moves
    // down a line), the first removed (every row moves up), and with a wider name (new widths).
    const twin: DeviceRow = {...rows[0]!, DEV: rows[0]!.DEV.replace(/.$/, '9')};
    const frames: DeviceRow[][] = [
      rows,
      [...rows, twin],
      [twin, ...rows],
      rows.slice(1).concat(twin),
      [twin, ...rows.slice(1)],
      rows,
      [...rows, {...twin, DEV: 'virtio-extra9'}],
      rows,
    ];
    const sameWidths = frames.slice(0, 6).map((data) => asciiTableWidth(data));
    expect(new Set(sameWidths).size).toBe(1);
    const {lastFrame, rerender, unmount} = render(<AsciiDeviceTable rows={rows} theme={theme} />);
    for (const data of frames) {
      rerender(<AsciiDeviceTable rows={data} theme={theme} />);
      expect(lastFrame()).toBe(stock(data));
    }
    unmount();
  });

  it('draws a change of theme between frames (colours turned off, then on) as a table drawn afresh', () => {
    const colour = createTheme(true);
    const broken = rows.map((row, index) => (index === 0 ? {...row, STATUS: 'needs-reset'} : row));
    const afresh = (data: DeviceRow[], drawnIn: typeof theme) =>
      renderToString(<AsciiDeviceTable rows={data} theme={drawnIn} />, {columns: 200});
    expect(afresh(broken, colour)).not.toBe(afresh(broken, theme)); // the heading and STATUS coloured
    const {lastFrame, rerender, unmount} = render(<AsciiDeviceTable rows={broken} theme={colour} />);
    for (const drawnIn of [colour, theme, colour, theme]) {
      rerender(<AsciiDeviceTable rows={broken} theme={drawnIn} />);
      expect(lastFrame()).toBe(afresh(broken, drawnIn));
    }
    unmount();
  });
});

describe('the ASCII table in its panel', () => {
  const snapshot = webAt(30);
  const visible = stripVTControlCharacters;

  // Its lines carry colour codes and are not cut where they are built: they cannot need it, as
  // the table is drawn only where the widest its rows can reach fits the width less a cell, and a
  // row is never wider, column by column, than that reach.
  it('never draws a line wider than the panel less a cell, colours on, whatever the devices hold', () => {
    // Counters and texts at and around their reach, widths around where the form changes.
    const count = fc.constantFrom(0, 7, 99_999, 999_999, 1_000_000, 12_345_678);
    const device = fc.record({
      id: fc.stringMatching(/^[a-z0-9-]{1,24}$/),
      completed: count,
      failed: count,
      inFlight: count,
      faults: count,
      integrityErrors: count,
      status: fc.constantFrom('ok' as const, 'needs-reset' as const, 'refused' as const),
      dma: fc.constantFrom('direct' as const, 'dma-api' as const, 'refused' as const, null),
      bounces: fc.boolean(),
      accessPlatformForced: fc.boolean(),
    });
    const drawn = {ascii: 0, all: 0};
    fc.assert(
      fc.property(
        fc.array(device, {minLength: 1, maxLength: snapshot.devices.length}),
        fc.integer({min: -3, max: 3}),
        (changes, offset) => {
          const devices = changes.map((change, index) => ({
            ...snapshot.devices[index]!,
            ...change,
            error: null,
          }));
          const rows = deviceRowsOf({...snapshot, devices});
          const width = Math.max(80, asciiTableWidth(widestRows(rows)) + 1 + offset);
          const frame = renderToString(
            <DevicesTab vm={{...snapshot, devices}} width={width} height={30} theme={createTheme(true)} />,
            {columns: width},
          );
          const lines = frame.split('\n').map(visible);
          for (const line of lines) expect(line.length).toBeLessThan(width);
          // A line too wide would have been wrapped by Ink: each table line is whole, bar to bar.
          const table = isAscii(lines) ? lines.slice(0, asciiTableHeight(rows)) : [];
          for (const line of table) expect(line).toMatch(/^[+|].*[+|]$/);
          drawn.ascii += table.length > 0 ? 1 : 0;
          drawn.all += 1;
        },
      ),
      {numRuns: 80},
    );
    // Both forms were drawn: the property held of the ASCII table, not only of the compact one.
    expect(drawn.ascii).toBeGreaterThan(5);
    expect(drawn.ascii).toBeLessThan(drawn.all);
  });
});
