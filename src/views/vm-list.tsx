import {Box, Text} from 'ink';
import type {VmSnapshot} from '../host/snapshot-types.js';
import {renderCell, type ListLayout} from './column-layout.js';
import {screenLine, TRUNCATED} from './format.js';
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
      {rowGroups(visible, selectedVm).map(({start, end, isSelected}) => {
        const lines = visible
          .slice(start, end)
          .map((_, index) => rowLine(layout, offset + start + index, isSelected, width));
        return isSelected ? (
          <SteadyText key="selected" inverse wrap="truncate">
            {lines[0]}
          </SteadyText>
        ) : (
          <VmRows key={start === 0 ? 'above' : 'below'} lines={lines} />
        );
      })}
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
  // A loop, not a callback made per row at every frame (column-layout.ts says why).
  const texts: string[] = [];
  for (let position = 0; position < row.length; position++)
    texts.push(renderCell(row[position]!, layout.widths[position]!, layout.columns[position]!.align));
  return texts;
}

/** The rows above the selection, the selected row, the rows below: each part that has rows. */
function rowGroups(visible: readonly VmSnapshot[], selectedVm: string | null) {
  const selected = visible.findIndex((vm) => vm.name === selectedVm);
  const groups =
    selected < 0
      ? [{start: 0, end: visible.length, isSelected: false}]
      : [
          {start: 0, end: selected, isSelected: false},
          {start: selected, end: selected + 1, isSelected: true},
          {start: selected + 1, end: visible.length, isSelected: false},
        ];
  return groups.filter((group) => group.end > group.start);
}

/**
 * One row as a line of text with its colours inline; the selected row (drawn inverse) a strip
 * across the width, the others without trailing spaces. The columns are laid out to the width less
 * its last cell; a line that came out wider anyway is cut there (`+`), where its plain length is
 * known, rather than wrapped by Ink onto the next row and pushing the rows under it off the box.
 */
function rowLine(layout: ListLayout, index: number, isSelected: boolean, width: number): string {
  const texts = rowTexts(layout, index);
  const cells = layout.cells[index]!;
  const room = width - 1;
  // Cut when the text (less trailing blanks) passes the room, even where a column ends exactly on it.
  const isCut = 1 + texts.join(' ').trimEnd().length > room;
  let text = isSelected ? '>' : ' ';
  let used = 1;
  for (let position = 0; position < texts.length && used < room; position++) {
    const whole = position < texts.length - 1 ? `${texts[position]} ` : texts[position]!;
    const run =
      isCut && used + whole.length >= room ? `${whole.slice(0, room - used - 1)}${TRUNCATED}` : whole;
    used += run.length;
    text += isSelected ? run : paint(run, cells[position]!.color);
  }
  return isSelected ? (text + ' '.repeat(Math.max(0, width - used))).slice(0, width) : text.trimEnd();
}

/**
 * Rows on screen as a single Ink text node, one line each: one Ink and Yoga node for the rows
 * above the selection and one for those below, rather than one per row (React's fibers, Yoga's
 * layout and Ink's walk over the nodes were most of the list's cost in a frame). Every line fits
 * the width (`rowLine` cuts what the layout did not fit), so nothing wraps. Drawn again only when a line changes.
 */
const VmRows = steady(function VmRows({lines}: {readonly lines: readonly string[]}) {
  return <Text>{lines.join('\n')}</Text>;
});
