import {Box, Text} from 'ink';
import {memo} from 'react';
import {wrapIndented} from './format.js';

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

/**
 * A panel of lines, each wrapped at spaces to the width (nothing is cut), as many as fit in the
 * height. When some do not fit, the lines that may be cut go first and the last row names them;
 * if that is not enough, the last row says how many more rows there are.
 */
export const TextLines = memo(function TextLines({lines, width, height}: TextLinesProps) {
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
}, isSameTextLines);

interface TextLinesProps {
  readonly lines: readonly Line[];
  readonly width: number;
  readonly height: number;
}

/**
 * Whether two panels draw the same: views build their lines afresh from every snapshot, mostly
 * with the same texts, and a panel drawn again costs a frame its Ink nodes' work.
 */
function isSameTextLines(before: TextLinesProps, after: TextLinesProps): boolean {
  return (
    before.width === after.width &&
    before.height === after.height &&
    before.lines.length === after.lines.length &&
    before.lines.every((line, index) => isSameLine(line, after.lines[index]!))
  );
}

function isSameLine(before: Line, after: Line): boolean {
  return (
    before.text === after.text &&
    before.color === after.color &&
    before.isDim === after.isDim &&
    before.indent === after.indent &&
    before.cut?.order === after.cut?.order &&
    before.cut?.label === after.cut?.label
  );
}

/**
 * Ink's `Text` drawn again only when a prop changes (its text among them): for lines that stay
 * the same across frames inside a box that does not (a header above changing rows).
 */
export const SteadyText = memo(Text);

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
