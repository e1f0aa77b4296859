import type {Table} from '@alcalzone/ink-table';
import {memo, type JSX} from 'react';

type Row = Record<string, string | number>;
type LineProps<T extends Row> = Parameters<Table<T>['header']>[0];

export interface TableLineProps<T extends Row> {
  /** One of ink-table's line builders (`header`, `heading`, `separator`, `data`, `footer`). */
  readonly build: Table<T>['header'];
  readonly lineKey: string;
  readonly columns: LineProps<T>['columns'];
  readonly data: LineProps<T>['data'];
}

/**
 * One line of an ink-table, rendered again only when its columns or its values change. The
 * table's rules and headings are the same every frame and a device's counters often are, while
 * each line is a row of some twenty Ink text nodes.
 */
export const TableLine = memo(
  function TableLine({build, lineKey, columns, data}: TableLineProps<Row>) {
    // ink-table types its lines as the global JSX.Element, which React 19 no longer declares.
    return <>{build({key: lineKey, columns, data})}</>;
  },
  (before, after) =>
    before.build === after.build &&
    before.lineKey === after.lineKey &&
    isSameColumns(before.columns, after.columns) &&
    isSameValues(before.data, after.data),
) as unknown as <T extends Row>(props: TableLineProps<T>) => JSX.Element;

function isSameColumns(before: LineProps<Row>['columns'], after: LineProps<Row>['columns']): boolean {
  return (
    before.length === after.length &&
    before.every(
      (column, index) =>
        column.key === after[index]!.key &&
        column.width === after[index]!.width &&
        column.align === after[index]!.align,
    )
  );
}

function isSameValues(before: LineProps<Row>['data'], after: LineProps<Row>['data']): boolean {
  const keys = Object.keys(before);
  return keys.length === Object.keys(after).length && keys.every((key) => Object.is(before[key], after[key]));
}
