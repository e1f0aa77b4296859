import {Table} from '@alcalzone/ink-table';
import {Box, Text} from 'ink';
import type {VmSnapshot} from '../host/snapshot-types.js';
import {
  asciiTableHeight,
  deviceRowsOf,
  isAsciiTableFitting,
  TABLE_PADDING,
  type DeviceRow,
} from './device-table-fit.js';
import {fit} from './format.js';
import {
  isSameColumns,
  isSameValues,
  tableDataLineText,
  tableLineText,
  type PartComponent,
} from './table-line.js';
import {TextLines, type Line} from './text-lines.js';
import type {Theme} from './theme.js';

export interface DevicesTabProps {
  readonly vm: VmSnapshot;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

export {deviceRowsOf, type DeviceRow} from './device-table-fit.js';

/**
 * Per device: whether it offers ACCESS_PLATFORM (iommu=on, or forced by the VM's confidential
 * guest support), how the guest drives it, its status
 * and counters; errors and refusals below. Uses ink-table when there is room for its separators.
 */
export function DevicesTab({vm, width, height, theme}: DevicesTabProps) {
  const rows = deviceRowsOf(vm);
  const isTableFitting = isAsciiTableFitting(rows, width, height);
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      {rows.length === 0 ? (
        <Text dimColor={theme.dim}>no virtio devices</Text>
      ) : isTableFitting ? (
        <AsciiDeviceTable rows={rows} theme={theme} />
      ) : (
        <CompactDeviceTable rows={rows} width={width} theme={theme} />
      )}
      <TextLines
        lines={problemLines(vm, theme)}
        width={width - 1}
        height={Math.max(0, height - (isTableFitting ? asciiTableHeight(rows) : rows.length + 1))}
      />
    </Box>
  );
}

/** A line under the table for each device with an error or a refusal (the layout counts them: detail-rows.ts). */
export function problemLines(vm: VmSnapshot, theme: Theme): Line[] {
  return vm.devices
    .filter((device) => device.error !== null)
    .map((device) => ({
      text: `${device.id} ${device.type}: ${device.error}`,
      color: device.status === 'refused' ? theme.warning : theme.error,
      indent: PROBLEM_INDENT,
    }));
}

/** The device table in ASCII, its STATUS column coloured; exported for the test that holds it to stock ink-table. */
export function AsciiDeviceTable({rows, theme}: {readonly rows: DeviceRow[]; readonly theme: Theme}) {
  return (
    <DeviceTable
      data={rows}
      padding={TABLE_PADDING}
      skeleton={AsciiSkeleton}
      cell={statusCell(theme)}
      isColorEnabled={theme.isColorEnabled}
    />
  );
}

/** A wrapped problem's further lines start under its text. */
const PROBLEM_INDENT = 2;

/**
 * ink-table drawn as a single Ink text node, a line of text per table line. Stock ink-table keys
 * each row by a SHA-1 of its values, so a row whose counters moved was unmounted and built again
 * (Ink and Yoga nodes and all) every frame; and a node per line still cost each frame React's
 * fibers, Yoga's layout and Ink's walk for nine lines of which only the data lines change. The
 * rules and headings are built once for a set of column widths (the widths are kept from frame to
 * frame while they stay the same), a data line again only when its values change.
 */
type DeviceTableProps = ConstructorParameters<typeof Table<DeviceRow>>[0] & {
  readonly isColorEnabled: boolean;
};
type Columns = ReturnType<Table<DeviceRow>['getColumns']>;

class DeviceTable extends Table<DeviceRow> {
  declare readonly props: Readonly<DeviceTableProps>;
  #columns: Columns = [];
  #isColorEnabled = false;
  #parts: readonly unknown[] = [];
  /** The lines drawn for `#columns`, `#isColorEnabled` and `#parts`: rules and headings by key, data lines by row. */
  #rules = new Map<string, string>();
  #dataLines: Array<{readonly data: DeviceRow; readonly text: string}> = [];

  override render() {
    this.#keepLines(this.getColumns());
    const lines = [this.#rule(this.header, 'header'), this.#rule(this.heading, 'heading')];
    this.props.data.forEach((row, index) => {
      lines.push(this.#rule(this.separator, 'separator'), this.#dataLine(row, index));
    });
    lines.push(this.#rule(this.footer, 'footer'));
    return <Text>{lines.join('\n')}</Text>;
  }

  /** Keeps the previous frame's columns and lines while every width, the styles and the parts are the same. */
  #keepLines(columns: Columns): void {
    const {isColorEnabled, cell, skeleton, padding} = this.props;
    const parts = [cell, skeleton, padding];
    if (
      isSameColumns(columns, this.#columns) &&
      isColorEnabled === this.#isColorEnabled &&
      parts.every((part, index) => part === this.#parts[index])
    )
      return;
    this.#columns = columns;
    this.#isColorEnabled = isColorEnabled;
    this.#parts = parts;
    this.#rules.clear();
    this.#dataLines = [];
  }

  #rule(build: typeof this.header, lineKey: string): string {
    let text = this.#rules.get(lineKey);
    if (text === undefined) {
      const data = lineKey === 'heading' ? this.getHeadings() : NO_DATA;
      text = tableLineText({
        build,
        lineKey,
        columns: this.#columns,
        data,
        isColorEnabled: this.#isColorEnabled,
      });
      this.#rules.set(lineKey, text);
    }
    return text;
  }

  #dataLine(data: DeviceRow, index: number): string {
    const last = this.#dataLines[index];
    if (last && isSameValues(last.data, data)) return last.text;
    const text = tableDataLineText({
      columns: this.#columns,
      data,
      padding: this.props.padding || 1,
      cell: this.props.cell as PartComponent,
      skeleton: this.props.skeleton as PartComponent,
      isColorEnabled: this.#isColorEnabled,
    });
    this.#dataLines[index] = {data, text};
    return text;
  }
}

const NO_DATA = {};

const BOX_TO_ASCII: Record<string, string> = {
  '\u2500': '-',
  '\u2502': '|',
  '\u250c': '+',
  '\u2510': '+',
  '\u2514': '+',
  '\u2518': '+',
  '\u251c': '+',
  '\u2524': '+',
  '\u252c': '+',
  '\u2534': '+',
  '\u253c': '+',
};

/**
 * ink-table's lines in ASCII (+---+---+, like psql): plain ASCII takes string-width's fast path,
 * which made a frame with this table about three times cheaper to lay out.
 */
export function AsciiSkeleton({children}: {readonly children?: React.ReactNode}) {
  return <Text bold>{typeof children === 'string' ? asciiOf(children) : children}</Text>;
}

/**
 * Built from the keys rather than written as a literal: the bundle then stays ASCII, which V8
 * keeps as a one-byte string (a single character above U+00FF makes the whole source two-byte).
 */
const BOX_CHARACTERS = new RegExp(`[${Object.keys(BOX_TO_ASCII).join('')}]`, 'g');

/** The few distinct skeleton strings (a rule per column width, a corner, a bar), converted once. */
const asciiSkeletons = new Map<string, string>();
const ASCII_SKELETONS_MAX = 256;

function asciiOf(text: string): string {
  let ascii = asciiSkeletons.get(text);
  if (ascii === undefined) {
    ascii = text.replace(BOX_CHARACTERS, (character) => BOX_TO_ASCII[character] ?? character);
    if (asciiSkeletons.size >= ASCII_SKELETONS_MAX) asciiSkeletons.clear();
    asciiSkeletons.set(text, ascii);
  }
  return ascii;
}

/** The compact table's columns, most important first: the last ones go when the width is short. */
const COMPACT_COLUMNS: ReadonlyArray<keyof DeviceRow> = [
  'DEV',
  'TYPE',
  'IOMMU',
  'DMA',
  'STATUS',
  'DONE',
  'FAIL',
  'FAULT',
  'INTEG',
  'INFL',
];

/** The colour of a device row or status cell: red when broken, yellow when refused at probe. */
function statusColor(status: string, theme: Theme): string | undefined {
  return status === 'needs-reset' ? theme.failed : status === 'refused' ? theme.warning : undefined;
}

const STATUS_COLUMN = 4;
const statusCells = new Map<
  Theme,
  (props: {readonly column: number; readonly children?: React.ReactNode}) => React.JSX.Element
>();

/** ink-table's cell with the STATUS column coloured by meaning (one component per theme). */
export function statusCell(theme: Theme) {
  let cell = statusCells.get(theme);
  if (!cell) {
    cell = function StatusCell({column, children}) {
      const text = typeof children === 'string' ? children.trim() : '';
      const color = column === STATUS_COLUMN ? statusColor(text, theme) : undefined;
      return <Text color={color}>{children}</Text>;
    };
    statusCells.set(theme, cell);
  }
  return cell;
}

/** The same table without separators, for small terminals: columns as wide as their content. */
function CompactDeviceTable({
  rows,
  width,
  theme,
}: {
  readonly rows: readonly DeviceRow[];
  readonly width: number;
  readonly theme: Theme;
}) {
  const widthOf = (name: keyof DeviceRow) =>
    Math.max(name.length, ...rows.map((row) => String(row[name]).length));
  const shown = [...COMPACT_COLUMNS];
  const lineWidth = (names: readonly (keyof DeviceRow)[], hidden: number) =>
    names.reduce((sum, name) => sum + widthOf(name) + 1, -1) + (hidden > 0 ? ` +${hidden} more`.length : 0);
  while (shown.length > 1 && lineWidth(shown, COMPACT_COLUMNS.length - shown.length) > width - 1) shown.pop();
  const hidden = COMPACT_COLUMNS.length - shown.length;
  const line = (values: Array<string | number>) =>
    values
      .map((value, index) =>
        fit(String(value), widthOf(shown[index]!), typeof value === 'number' ? 'right' : 'left'),
      )
      .join(' ')
      .trimEnd();
  return (
    <Box flexDirection="column">
      <Text bold>{`${line(shown)}${hidden > 0 ? ` +${hidden} more` : ''}`}</Text>
      {rows.map((row) => (
        <Text key={row.DEV} color={statusColor(row.STATUS, theme)}>
          {line(shown.map((name) => row[name]))}
        </Text>
      ))}
    </Box>
  );
}
