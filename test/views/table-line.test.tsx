import {Table} from '@alcalzone/ink-table';
import chalk from 'chalk';
import fc from 'fast-check';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {AsciiDeviceTable, AsciiSkeleton, statusCell, type DeviceRow} from '../../src/views/devices-tab.js';
import {tableDataLineText, type PartComponent} from '../../src/views/table-line.js';
import {createTheme} from '../../src/views/theme.js';
import {CPU_BOUND} from '../helpers/property-timeout.js';

// The device table draws each ink-table line as one Ink text node (src/views/table-line.tsx).
// It must draw what stock ink-table draws with the same configuration, node per cell and border:
// the same characters in the same styles, byte for byte, with colours on and off.

const initialLevel = chalk.level;
afterEach(() => {
  chalk.level = initialLevel;
});

const STATUSES = ['ok', 'needs-reset', 'refused', 'unbound', 'halted'];
// Rows narrower than ink-testing-library's 100 columns, where stock ink-table's boxes would wrap.
const word = fc.stringMatching(/^[a-z0-9+-]{1,6}$/);
const count = fc.nat({max: 99_999});
const deviceRow: fc.Arbitrary<DeviceRow> = fc.record({
  DEV: word,
  TYPE: word,
  IOMMU: fc.constantFrom('on', 'off', 'forced'),
  DMA: word,
  STATUS: fc.constantFrom(...STATUSES),
  DONE: count,
  FAIL: count,
  INFL: fc.nat({max: 999}),
  FAULT: count,
  INTEG: count,
});

const EXAMPLE_ROW: DeviceRow = {
  DEV: '',
  TYPE: '',
  IOMMU: '',
  DMA: '',
  STATUS: '',
  DONE: 0,
  FAIL: 0,
  INFL: 0,
  FAULT: 0,
  INTEG: 0,
};

function frameOf(tree: React.ReactElement): string {
  const {lastFrame, unmount} = render(tree);
  const frame = lastFrame() ?? '';
  unmount();
  return frame;
}

describe('a device table line as one text node', CPU_BOUND, () => {
  it.each([
    ['on', 1],
    ['off', 0],
  ] as const)('draws what stock ink-table draws, byte for byte, colours %s', (_, level) => {
    chalk.level = level;
    const theme = createTheme(level > 0);
    fc.assert(
      fc.property(fc.array(deviceRow, {minLength: 1, maxLength: 6}), (rows) => {
        const stock = frameOf(
          <Table data={rows} padding={1} skeleton={AsciiSkeleton} cell={statusCell(theme)} />,
        );
        const ours = frameOf(<AsciiDeviceTable rows={rows} theme={theme} />);
        expect(ours).toBe(stock);
        if (level > 0) expect(ours).toContain('\u001B[1m'); // the skeleton is bold: styles were compared
      }),
      {numRuns: 15},
    );
  });
});

describe('a device table data line built without ink-table', CPU_BOUND, () => {
  it.each([
    ['on', 1],
    ['off', 0],
  ] as const)('pads and styles its cells as ink-table does, every alignment, colours %s', (_, level) => {
    chalk.level = level;
    const theme = createTheme(level > 0);
    const align = fc.constantFrom('left' as const, 'center' as const, 'right' as const);
    const keys = Object.keys(EXAMPLE_ROW) as (keyof DeviceRow)[];
    fc.assert(
      fc.property(
        deviceRow,
        fc.array(align, {minLength: keys.length, maxLength: keys.length}),
        (row, aligns) => {
          const columns = keys.map((key, index) => ({key, align: aligns[index]!}));
          const props = {data: [row], columns, padding: 1, skeleton: AsciiSkeleton, cell: statusCell(theme)};
          // Stock ink-table's first data line is the table's fourth (top rule, headings, rule).
          const stock = frameOf(<Table {...props} />).split('\n')[3];
          const line = (
            <Text>
              {tableDataLineText({
                columns: new Table<DeviceRow>(props).getColumns(),
                data: row,
                padding: 1,
                cell: props.cell as PartComponent,
                skeleton: AsciiSkeleton as PartComponent,
                isColorEnabled: level > 0,
              })}
            </Text>
          );
          expect(frameOf(line)).toBe(stock);
        },
      ),
      {numRuns: 30},
    );
  });
});
