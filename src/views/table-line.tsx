import type {Table} from '@alcalzone/ink-table';
import type {TextProps} from 'ink';
import type {FunctionComponent, ReactElement, ReactNode} from 'react';
import {styledRun} from './theme.js';

type Row = Record<string, string | number>;
type LineProps<T extends Row> = Parameters<Table<T>['header']>[0];

export interface TableLineProps<T extends Row> {
  /** One of ink-table's line builders (`header`, `heading`, `separator`, `data`, `footer`). */
  readonly build: Table<T>['header'];
  readonly lineKey: string;
  readonly columns: LineProps<T>['columns'];
  readonly data: LineProps<T>['data'];
  /** Whether the line's styles (bold skeleton, coloured cells) are written at all. */
  readonly isColorEnabled: boolean;
}

/** A part of an ink-table line: a skeleton or cell component with its text as children. */
type LinePart = ReactElement<
  {readonly children?: ReactNode},
  FunctionComponent<{readonly children?: ReactNode}>
>;

/**
 * One line of an ink-table (`header`, `heading`, `separator`, `footer`) as a run of text: each of
 * the parts ink-table builds it from (the skeleton, the cells, the headings) is asked for what it
 * draws, a `<Text>` with a style, and the line is one run with those styles inline; on screen the
 * same characters in the same styles, without a node per part.
 */
export function tableLineText<T extends Row>(props: TableLineProps<T>): string {
  const {build, lineKey, columns, data, isColorEnabled} = props as unknown as TableLineProps<Row>;
  // ink-table types its lines as the global JSX.Element, which React 19 no longer declares.
  const line = build({key: lineKey, columns, data}) as ReactElement<{readonly children: LinePart[]}>;
  let text = '';
  for (const part of line.props.children) {
    // The parts are function components without hooks that return one <Text>.
    text += styledPart(part.type(part.props) as DrawnPart, isColorEnabled);
  }
  return text;
}

/** What a skeleton or cell component draws: one `<Text>` with a style. */
type DrawnPart = ReactElement<TextProps & {readonly children?: string}>;

/** A drawn part as a run of text, its colour and boldness inline when colours are on. */
function styledPart(drawn: DrawnPart, isColorEnabled: boolean): string {
  const content = drawn.props.children ?? '';
  return isColorEnabled ? styledRun(content, drawn.props.color, drawn.props.bold === true) : content;
}

/** Whether two column lists lay a line out the same: each column's key, width and alignment. */
export function isSameColumns<T extends Row>(
  before: LineProps<T>['columns'],
  after: LineProps<T>['columns'],
): boolean {
  if (before === after) return true;
  if (before.length !== after.length) return false;
  for (let index = 0; index < before.length; index++) {
    const column = before[index]!;
    const other = after[index]!;
    if (column.key !== other.key || column.width !== other.width || column.align !== other.align)
      return false;
  }
  return true;
}

export function isSameValues(before: LineProps<Row>['data'], after: LineProps<Row>['data']): boolean {
  const keys = Object.keys(before);
  if (keys.length !== Object.keys(after).length) return false;
  // A loop, not a callback made per comparison at every frame (column-layout.ts says why).
  for (const key of keys) if (!Object.is(before[key], after[key])) return false;
  return true;
}

/** A skeleton or cell component of the table, asked for the `<Text>` it draws. */
export type PartComponent = (props: {readonly column?: number; readonly children?: ReactNode}) => DrawnPart;

export interface TableDataLineProps<T extends Row> {
  readonly columns: LineProps<T>['columns'];
  readonly data: LineProps<T>['data'];
  readonly padding: number;
  readonly cell: PartComponent;
  readonly skeleton: PartComponent;
  readonly isColorEnabled: boolean;
}

/**
 * A data line of an ink-table as a run of text, without ink-table building its twenty-odd elements
 * first. The cells are padded as ink-table's `row()` pads them (@alcalzone/ink-table dist/index.js
 * `row`, the data line's skeleton `│` and fill ` `), and each part is still drawn by the table's own
 * skeleton and cell components; a view test holds it to stock ink-table.
 */
export function tableDataLineText<T extends Row>(props: TableDataLineProps<T>): string {
  const {columns, data, padding, cell, skeleton, isColorEnabled} =
    props as unknown as TableDataLineProps<Row>;
  const bar = styledPart(skeleton({children: '\u2502'}), isColorEnabled);
  let text = bar;
  columns.forEach((column, index) => {
    if (index > 0) text += bar;
    const cellText = dataCellText(column, data[column.column], padding);
    text += styledPart(cell({column: index, children: cellText}), isColorEnabled);
  });
  return text + bar;
}

/** A cell's text as ink-table's `row()` lays it out: the value padded with spaces to the column's width by its alignment. */
function dataCellText(
  column: LineProps<Row>['columns'][number],
  value: string | number | undefined,
  padding: number,
): string {
  if (value === undefined || value === null) return ' '.repeat(column.width);
  const text = String(value);
  const spaces = column.width - text.length;
  const left =
    column.align === 'left' ? padding : column.align === 'center' ? Math.floor(spaces / 2) : spaces - padding;
  return `${' '.repeat(left)}${text}${' '.repeat(spaces - left)}`;
}
