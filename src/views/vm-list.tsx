import {Box, Text} from 'ink';
import type {VmSnapshot} from '../host/snapshot-types.js';
import {renderCell, type ListLayout} from './column-layout.js';
import {screenLine} from './format.js';
import {steady, SteadyText} from './steady.js';
import {paint, type Theme} from './theme.js';

export interface VmListProps {
  readonly vms: readonly VmSnapshot[];
  readonly layout: ListLayout;
  readonly selectedVm: string | null;
  /** The first listed VM on screen (the reducer keeps the selection in view). */
  readonly offset: number;
  readonly bodyRows: number;
  readonly hasFooter: boolean;
  readonly width: number;
  /** Rows including the header (and footer). */
  readonly height: number;
  readonly theme: Theme;
}

/**
 * The VM list: our own compact, width-aware list (one line per VM, no separators), virtualised to
 * the rows that fit.
 */
export function VmList({
  vms,
  layout,
  selectedVm,
  offset,
  bodyRows,
  hasFooter,
  width,
  height,
  theme,
}: VmListProps) {
  const visible = vms.slice(offset, offset + bodyRows);
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      <SteadyText bold inverse={!theme.isColorEnabled} color={theme.accent} wrap="truncate">
        {screenLine(` ${layout.header}`, width, !theme.isColorEnabled)}
      </SteadyText>
      {visible.map((vm, position) => (
        <VmRow
          key={vm.name}
          texts={rowTexts(layout, offset + position)}
          colors={layout.cells[offset + position]!.map((cell) => cell.color)}
          isSelected={vm.name === selectedVm}
          width={width}
        />
      ))}
      {vms.length === 0 ? (
        <Text dimColor={theme.dim}> no VM matches the filter (/ to change it, Esc to clear)</Text>
      ) : null}
      {hasFooter ? (
        <SteadyText dimColor={theme.dim}>
          {screenLine(` ${offset + 1}-${offset + visible.length} of ${vms.length}`, width, false)}
        </SteadyText>
      ) : null}
    </Box>
  );
}

function rowTexts(layout: ListLayout, index: number): string[] {
  const row = layout.cells[index]!;
  return row.map((cell, position) =>
    renderCell(cell, layout.widths[position]!, layout.columns[position]!.align),
  );
}

interface VmRowProps {
  readonly texts: readonly string[];
  readonly colors: readonly (string | undefined)[];
  readonly isSelected: boolean;
  readonly width: number;
}

/**
 * One row as a single text run with its colours inline: one Ink node instead of one per cell,
 * which is what a frame of a long VM list spends its time on. Re-renders only when its text,
 * colours or selection change.
 */
const VmRow = steady(function VmRow({texts, colors, isSelected, width}: VmRowProps) {
  let text = isSelected ? '>' : ' ';
  let used = 1;
  texts.forEach((cell, index) => {
    const run = index < texts.length - 1 ? `${cell} ` : cell;
    used += run.length;
    text += isSelected ? run : paint(run, colors[index]);
  });
  // The selection is an inverse strip across the width; other rows need no trailing spaces.
  if (isSelected) text += ' '.repeat(Math.max(0, width - used));
  else text = text.trimEnd();
  return (
    <Text inverse={isSelected} wrap="truncate">
      {text}
    </Text>
  );
});
