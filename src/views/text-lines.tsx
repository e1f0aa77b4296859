import {Box, Text} from 'ink';
import {wrapIndented} from './format.js';
import {steady} from './steady.js';

export interface Line {
  readonly text: string;
  readonly color?: string | undefined;
  readonly isDim?: boolean;
  /** Where a wrapped line's further lines start (a label's width). @default its leading spaces */
  readonly indent?: number;
  /** A line that may go when the panel is short of rows: lowest `order` first, named by `label`. */
  readonly cut?: {readonly order: number; readonly label: string};
}

interface Row {
  readonly text: string;
  readonly color: string | undefined;
  readonly isDim: boolean | undefined;
}

/** Rows `lines` take wrapped to `width`, as the panel draws them when they all fit. */
export function rowCount(lines: readonly Line[], width: number): number {
  return lines.reduce((sum, line) => sum + wrapIndented(line.text, width, line.indent).length, 0);
}

/**
 * A panel of lines, each wrapped at spaces to the width (nothing is cut), as many as fit in the
 * height. When some do not fit, the lines that may be cut go first and the last row names them;
 * if that is not enough, the last row says how many more rows there are. Views build their lines
 * afresh from every snapshot, mostly with the same texts: the panel is drawn again only when they change.
 */
export const TextLines = steady(function TextLines({lines, width, height}: TextLinesProps) {
  const rowsOf = (line: Line): Row[] =>
    wrapIndented(line.text, width, line.indent).map((text) => ({text, color: line.color, isDim: line.isDim}));
  const wrapped = lines.map(rowsOf);
  let rows = wrapped.flat();
  let note: string | null = null;
  if (height > 0 && rows.length > height) {
    const kept = keptAfterCuts(lines, wrapped, height);
    if (kept) {
      rows = kept.rows;
      note = `(${kept.labels.join(', ')}: cut for room)`;
    }
  }
  const isOver = note === null && height > 0 && rows.length > height;
  const shown = isOver ? rows.slice(0, height - 1) : rows.slice(0, Math.max(0, height));
  if (isOver) note = `+${rows.length - shown.length} more lines`;
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      {shown.map((row, index) => (
        <Text key={index} color={row.color} dimColor={row.isDim} wrap="truncate">
          {row.text}
        </Text>
      ))}
      {note === null ? null : <Text wrap="truncate">{note}</Text>}
    </Box>
  );
});

interface TextLinesProps {
  readonly lines: readonly Line[];
  readonly width: number;
  readonly height: number;
}

/** The rows left once the fewest cuttable lines, in their order, leave room for them and a note; null if none do. */
function keptAfterCuts(
  lines: readonly Line[],
  wrapped: readonly Row[][],
  height: number,
): {rows: Row[]; labels: string[]} | null {
  const cuttable = lines
    .map((line, index) => ({index, cut: line.cut}))
    .filter((entry) => entry.cut !== undefined)
    .sort((a, b) => a.cut!.order - b.cut!.order);
  const dropped = new Set<number>();
  let count = wrapped.reduce((sum, rows) => sum + rows.length, 0);
  for (const {index} of cuttable) {
    if (count + 1 <= height) break;
    dropped.add(index);
    count -= wrapped[index]!.length;
  }
  if (count + 1 > height) return null;
  return {
    rows: wrapped.filter((_, index) => !dropped.has(index)).flat(),
    labels: lines.filter((_, index) => dropped.has(index)).map((line) => line.cut!.label),
  };
}
