import type {VmSnapshot} from '../host/snapshot-types.js';
import {reachFor} from './column-reach.js';
import {bar, fit, TRUNCATED} from './format.js';
import type {Theme} from './theme.js';
import type {Cell, Column} from './vm-columns.js';

/** The list laid out for one width: which columns, how wide, every cell, and what was left out. */
export interface ListLayout {
  readonly columns: readonly Column[];
  readonly widths: readonly number[];
  /** Cells by VM (in list order), then by shown column. */
  readonly cells: readonly (readonly Cell[])[];
  /** Columns left out for lack of width, in table order. */
  readonly hidden: readonly Column[];
  /** The header line (without the leading selection cell). */
  readonly header: string;
}

/** The selection cell at the start of every row (`>`). */
const MARKER_WIDTH = 1;

/**
 * Lays out `columns` for `vms` in `width` cells: each column gets at least its minimum, then
 * room up to its content, most important first; columns that do not fit are hidden, least
 * important first (never the sorted one), and the header says how many (`+2 more`). Sizes follow the content, so a
 * 30-character libvirt name gets 30 cells where there is room.
 */
export function layoutList(
  columns: readonly Column[],
  vms: readonly VmSnapshot[],
  theme: Theme,
  width: number,
  sortTitle: {readonly key: string; readonly marker: string},
): ListLayout {
  // The sorted column ranks with the ones always shown: the list's order must be seen (htop, k9s).
  const ranked = columns.map((column) => (column.key === sortTitle.key ? {...column, priority: 0} : column));
  const all = cellsOf(columns, vms, theme);
  const measured = columns.map((column, index) => measure(column, all, index, sortTitle, vms));
  const shown = chooseColumns(ranked, measured, width);
  const widths = grow(ranked, measured, shown, width);
  const shownColumns = shown.map((index) => columns[index]!);
  const cells = pickColumns(all, shown);
  const hidden = columns.filter((_, index) => !shown.includes(index));
  const titles = shownColumns.map((column, position) =>
    fit(titleFor(column, widths[position]!, sortTitle), widths[position]!, column.align),
  );
  const used = MARKER_WIDTH + widths.reduce((sum, value) => sum + value + 1, -1);
  return {
    columns: shownColumns,
    widths,
    cells,
    hidden,
    header: titles.join(' ') + moreMarker(hidden, width - used),
  };
}

// Loops in module-level functions, not callbacks, for what runs per VM at every frame: V8 keeps
// a callback's optimized code only while a closure made at its site is alive, so after each major
// collection every frame's callbacks were compiled again (README, "The 200-guest frame").

/** Every VM's cells, by VM then by column. */
function cellsOf(columns: readonly Column[], vms: readonly VmSnapshot[], theme: Theme): Cell[][] {
  const all: Cell[][] = [];
  for (const vm of vms) {
    const row: Cell[] = [];
    for (const column of columns) row.push(column.cell(vm, theme));
    all.push(row);
  }
  return all;
}

/** Each row's cells of the shown columns, in their order. */
function pickColumns(all: readonly (readonly Cell[])[], shown: readonly number[]): Cell[][] {
  const cells: Cell[][] = [];
  for (const row of all) {
    const picked: Cell[] = [];
    for (const index of shown) picked.push(row[index]!);
    cells.push(picked);
  }
  return cells;
}

interface Measure {
  readonly min: number;
  readonly preferred: number;
}

function measure(
  column: Column,
  cells: readonly (readonly Cell[])[],
  index: number,
  sortTitle: {readonly key: string; readonly marker: string},
  vms: readonly VmSnapshot[],
): Measure {
  const marker = column.key === sortTitle.key ? sortTitle.marker.length : 0;
  let longest = column.titles[0]!.length + marker;
  let shortest = column.titles.at(-1)!.length + marker;
  for (const cellsOfVm of cells) {
    const cell = cellsOfVm[index]!;
    longest = Math.max(longest, cell.bar === undefined ? cell.text.length : column.maxWidth);
    shortest = Math.max(shortest, (cell.short ?? cell.text).length);
  }
  // As wide as each VM's cell gets in any state it reaches without a command (column-reach.ts),
  // asked only of a column that has a reach: 3 of 13, for each listed VM at every frame.
  const reachOf = reachFor(column);
  if (reachOf) {
    for (const vm of vms) {
      const reach = reachOf(vm);
      longest = Math.max(longest, reach.longest);
      shortest = Math.max(shortest, reach.shortest);
    }
  }
  // The header stays readable with its sort mark (`VCPU^`, not `VCP^`) even past the column's maximum.
  const titleRoom = column.titles.at(-1)!.length + marker;
  const preferred = Math.max(titleRoom, column.minWidth, Math.min(column.maxWidth, longest));
  const min = column.isCuttable
    ? Math.max(column.minWidth, column.cutWidthMin ?? 0)
    : Math.max(column.minWidth, Math.min(preferred, shortest));
  return {min: Math.min(min, preferred), preferred};
}

/** Columns up to this priority may be abbreviated to fit; the others show only at full width. */
const CORE_PRIORITY_MAX = 2;

/**
 * Indexes of the columns shown, table order: the core ones (abbreviated if need be), and each
 * other one only while every more important column has its full width; the least important go first.
 */
function chooseColumns(columns: readonly Column[], measured: readonly Measure[], width: number): number[] {
  const shown = columns.map((_, index) => index);
  // Least important last in this order; among equals, the rightmost goes first.
  const dropOrder = [...shown].sort((a, b) => columns[b]!.priority - columns[a]!.priority || b - a);
  for (const index of dropOrder) {
    const reserve = shown.length < columns.length ? MORE_MIN_WIDTH : 0;
    if (neededWidth(columns, measured, shown) + reserve <= width) break;
    if (columns[index]!.priority === 0) continue;
    shown.splice(shown.indexOf(index), 1);
  }
  return shown;
}

/** The width `shown` takes: every column more important than the least shown at its preferred width. */
function neededWidth(
  columns: readonly Column[],
  measured: readonly Measure[],
  shown: readonly number[],
): number {
  let lowest = -Infinity;
  for (const index of shown) lowest = Math.max(lowest, columns[index]!.priority);
  let sum = MARKER_WIDTH - 1;
  for (const index of shown) {
    const isFull = lowest > CORE_PRIORITY_MAX && columns[index]!.priority < lowest;
    sum += (isFull ? measured[index]!.preferred : measured[index]!.min) + 1;
  }
  return sum;
}

/** `+N` after the header when columns are hidden, at least. */
const MORE_MIN_WIDTH = 4;

function grow(
  columns: readonly Column[],
  measured: readonly Measure[],
  shown: readonly number[],
  width: number,
): number[] {
  const widths = shown.map((index) => measured[index]!.min);
  const reserve = shown.length < columns.length ? MORE_MIN_WIDTH : 0;
  let spare = width - reserve - MARKER_WIDTH - widths.reduce((sum, value) => sum + value + 1, -1);
  const byImportance = shown
    .map((index, position) => ({index, position}))
    .sort((a, b) => columns[a.index]!.priority - columns[b.index]!.priority || a.position - b.position);
  // A column that can have its whole preferred width gets it first: part of it would only leave
  // its cells in their short forms, where the room could show another column's text whole.
  for (const {index, position} of byImportance) {
    const missing = measured[index]!.preferred - widths[position]!;
    if (missing > 0 && missing <= spare) {
      widths[position] = widths[position]! + missing;
      spare -= missing;
    }
  }
  for (const {index, position} of byImportance) {
    const extra = Math.max(0, Math.min(spare, measured[index]!.preferred - widths[position]!));
    widths[position] = widths[position]! + extra;
    spare -= extra;
  }
  for (const {index, position} of byImportance) {
    const extra = Math.max(0, Math.min(spare, columns[index]!.growWidth ?? 0));
    widths[position] = widths[position]! + extra;
    spare -= extra;
  }
  return widths;
}

function titleFor(
  column: Column,
  width: number,
  sortTitle: {readonly key: string; readonly marker: string},
): string {
  const marker = column.key === sortTitle.key ? sortTitle.marker : '';
  // The sort marker is never the part that is cut: the title is shortened first.
  const title =
    column.titles.find((candidate) => candidate.length + marker.length <= width) ?? column.titles.at(-1)!;
  return title.slice(0, Math.max(0, width - marker.length)) + marker;
}

function moreMarker(hidden: readonly Column[], room: number): string {
  if (hidden.length === 0) return '';
  const names = ` +${hidden.length} more: ${hidden.map((column) => column.titles[0]).join(' ')}`;
  if (names.length <= room) return names;
  const short = ` +${hidden.length} more`;
  return short.length <= room ? short : ` +${hidden.length}`;
}

/** A cell's text in `width`: its text if it fits, its short form if that fits, else cut; bars drawn. */
export function renderCell(cell: Cell, width: number, align: 'left' | 'right'): string {
  if (cell.bar !== undefined) {
    const barWidth = Math.max(0, width - cell.text.length - 1);
    return fit(`${bar(cell.bar, barWidth)} ${cell.text}`, width, align);
  }
  if (cell.text.length <= width) return fit(cell.text, width, align);
  if (cell.short !== undefined && cell.short.length <= width) return fit(cell.short, width, align);
  return width <= 1 ? TRUNCATED.slice(0, width) : `${cell.text.slice(0, width - 1)}${TRUNCATED}`;
}
