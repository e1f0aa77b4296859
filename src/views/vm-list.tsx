import {Box, Text} from 'ink';
import {memo, useRef} from 'react';
import type {VmSnapshot} from '../host/snapshot-types.js';
import {fit, screenLine} from './format.js';
import {paint, type Theme} from './theme.js';
import {columnsForWidth, type Cell, type Column} from './vm-columns.js';

export interface VmListProps {
  readonly vms: readonly VmSnapshot[];
  readonly selectedVm: string | null;
  readonly width: number;
  /** Rows available including the header. */
  readonly height: number;
  readonly theme: Theme;
  readonly sortKey: string;
  readonly isSortDescending: boolean;
}

/**
 * The VM list: our own compact, width-aware list (one line per VM, no separators), virtualised to
 * the rows that fit, and keeping the selection in view.
 */
export function VmList({vms, selectedVm, width, height, theme, sortKey, isSortDescending}: VmListProps) {
  const columns = columnsForWidth(width - 1);
  const bodyRows = Math.max(1, height - 1);
  const offset = useRef(0);
  const selectedIndex = Math.max(
    0,
    vms.findIndex((vm) => vm.name === selectedVm),
  );
  if (selectedIndex < offset.current) offset.current = selectedIndex;
  if (selectedIndex >= offset.current + bodyRows) offset.current = selectedIndex - bodyRows + 1;
  offset.current = Math.max(0, Math.min(offset.current, Math.max(0, vms.length - bodyRows)));
  const visible = vms.slice(offset.current, offset.current + bodyRows);
  const header = columns
    .map((column) =>
      fit(
        column.key === sortKey ? `${column.title}${isSortDescending ? 'v' : '^'}` : column.title,
        column.width,
        column.align,
      ),
    )
    .join(' ');
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      <Text bold inverse={!theme.isColorEnabled} color={theme.accent} wrap="truncate">
        {screenLine(` ${header}`, width, !theme.isColorEnabled)}
      </Text>
      {visible.map((vm) => (
        <VmRow
          key={vm.name}
          cells={columns.map((column) => cellFor(column, vm, theme))}
          columns={columns}
          isSelected={vm.name === selectedVm}
          theme={theme}
          width={width}
        />
      ))}
      {vms.length === 0 ? (
        <Text dimColor={theme.dim}> no VM matches the filter (/ to change it, Esc to clear)</Text>
      ) : null}
      {vms.length > bodyRows ? (
        <Text dimColor={theme.dim}>
          {screenLine(
            ` ${offset.current + 1}-${offset.current + visible.length} of ${vms.length}`,
            width,
            false,
          )}
        </Text>
      ) : null}
    </Box>
  );
}

function cellFor(column: Column, vm: VmSnapshot, theme: Theme): Cell {
  const cell = column.cell(vm, theme);
  return {text: fit(cell.text, column.width, column.align), color: cell.color};
}

interface VmRowProps {
  readonly cells: readonly Cell[];
  readonly columns: readonly Column[];
  readonly isSelected: boolean;
  readonly theme: Theme;
  readonly width: number;
}

/**
 * One row as a single text run with its colours inline: one Ink node instead of one per cell,
 * which is what a frame of a long VM list spends its time on. Re-renders only when its text,
 * colours or selection change.
 */
const VmRow = memo(
  function VmRow({cells, isSelected, width}: VmRowProps) {
    const used = cells.reduce((sum, cell) => sum + cell.text.length + 1, 1);
    let text = isSelected ? '>' : ' ';
    cells.forEach((cell, index) => {
      const run = index < cells.length - 1 ? `${cell.text} ` : cell.text;
      text += isSelected ? run : paint(run, cell.color);
    });
    // The selection is an inverse strip across the width; other rows need no trailing spaces.
    if (isSelected) text += ' '.repeat(Math.max(0, width - used));
    else text = text.trimEnd();
    return (
      <Text inverse={isSelected} wrap="truncate">
        {text}
      </Text>
    );
  },
  (before, after) =>
    before.isSelected === after.isSelected &&
    before.width === after.width &&
    before.theme === after.theme &&
    before.cells.length === after.cells.length &&
    before.cells.every(
      (cell, index) => cell.text === after.cells[index]!.text && cell.color === after.cells[index]!.color,
    ),
);
