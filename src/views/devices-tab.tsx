import {Table} from '@alcalzone/ink-table';
import {Box, Text} from 'ink';
import type {DeviceSnapshot, VmSnapshot} from '../host/snapshot-types.js';
import {
  asciiTableHeight,
  isAsciiTableFitting,
  TABLE_PADDING,
  type DeviceRow,
  type DmaText,
  type StatusText,
} from './device-table-fit.js';
import {fit} from './format.js';
import {isSameColumns, TableDataLine, TableLine, type PartComponent} from './table-line.js';
import {TextLines} from './text-lines.js';
import type {Theme} from './theme.js';

export interface DevicesTabProps {
  readonly vm: VmSnapshot;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

export type {DeviceRow} from './device-table-fit.js';

/** A device whose driver is unbound is not "ok": the guest is halted or between kernels. */
function statusText(vm: VmSnapshot, device: DeviceSnapshot): StatusText {
  if (device.status !== 'ok' || device.dma !== null) return device.status;
  return vm.state === 'halted' ? 'halted' : 'unbound';
}

function dmaText(device: DeviceSnapshot): DmaText {
  if (device.dma === null) return '-';
  return device.dma === 'dma-api' && device.bounces ? 'dma-api+bounce' : device.dma;
}

/** The VM's device table rows (exported for the tests that hold the tab's choice of form). */
export function deviceRowsOf(vm: VmSnapshot): DeviceRow[] {
  return vm.devices.map((device) => deviceRow(vm, device));
}

function deviceRow(vm: VmSnapshot, device: DeviceSnapshot): DeviceRow {
  return {
    DEV: device.id,
    TYPE: device.type,
    IOMMU: device.accessPlatformForced ? 'forced' : device.offersAccessPlatform ? 'on' : 'off',
    DMA: dmaText(device),
    STATUS: statusText(vm, device),
    DONE: device.completed,
    FAIL: device.failed,
    INFL: device.inFlight,
    FAULT: device.faults,
    INTEG: device.integrityErrors,
  };
}

/**
 * Per device: whether it offers ACCESS_PLATFORM (iommu=on, or forced by the VM's confidential
 * guest support), how the guest drives it, its status
 * and counters; errors and refusals below. Uses ink-table when there is room for its separators.
 */
export function DevicesTab({vm, width, height, theme}: DevicesTabProps) {
  const rows = deviceRowsOf(vm);
  const problems = vm.devices.filter((device) => device.error !== null);
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
        lines={problems.map((device) => ({
          text: `${device.id} ${device.type}: ${device.error}`,
          color: device.status === 'refused' ? theme.warning : theme.error,
          indent: PROBLEM_INDENT,
        }))}
        width={width - 1}
        height={Math.max(0, height - (isTableFitting ? asciiTableHeight(rows) : rows.length + 1))}
      />
    </Box>
  );
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
 * ink-table with rows keyed by position. ink-table keys each row by a SHA-1 of its values, so a
 * row whose counters moved was unmounted and built again (Ink and Yoga nodes and all) every frame,
 * after hashing every row. Each line is a `TableLine`: one Ink node, rendered again only when its
 * values or the widths change (the widths are kept from frame to frame while they stay the same).
 */
const NO_DATA = {};

type DeviceTableProps = ConstructorParameters<typeof Table<DeviceRow>>[0] & {
  readonly isColorEnabled: boolean;
};
type Columns = ReturnType<Table<DeviceRow>['getColumns']>;

class DeviceTable extends Table<DeviceRow> {
  declare readonly props: Readonly<DeviceTableProps>;
  #columns: Columns = [];

  override render() {
    const columns = this.#sameColumns(this.getColumns());
    const headings = this.getHeadings();
    const {isColorEnabled} = this.props;
    const line = (build: typeof this.header, lineKey: string, data: Partial<DeviceRow>) => (
      <TableLine
        key={lineKey}
        build={build}
        lineKey={lineKey}
        columns={columns}
        data={data}
        isColorEnabled={isColorEnabled}
      />
    );
    return (
      <Box flexDirection="column">
        {line(this.header, 'header', NO_DATA)}
        {line(this.heading, 'heading', headings)}
        {this.props.data.flatMap((row, index) => [
          line(this.separator, `separator-${index}`, NO_DATA),
          <TableDataLine
            key={`data-${index}`}
            columns={columns}
            data={row}
            padding={this.props.padding || 1}
            cell={this.props.cell as PartComponent}
            skeleton={this.props.skeleton as PartComponent}
            isColorEnabled={isColorEnabled}
          />,
        ])}
        {line(this.footer, 'footer', NO_DATA)}
      </Box>
    );
  }

  /** The previous frame's columns while every width is the same, so each line's memo sees the same array. */
  #sameColumns(columns: Columns): Columns {
    if (!isSameColumns(columns, this.#columns)) this.#columns = columns;
    return this.#columns;
  }
}

const BOX_TO_ASCII: Record<string, string> = {
  '─': '-',
  '│': '|',
  '┌': '+',
  '┐': '+',
  '└': '+',
  '┘': '+',
  '├': '+',
  '┤': '+',
  '┬': '+',
  '┴': '+',
  '┼': '+',
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
