import {Box, Text} from 'ink';
import {wrapIndented} from './format.js';

export interface Line {
  readonly text: string;
  readonly color?: string | undefined;
  readonly isDim?: boolean;
  /** Where a wrapped line's further lines start (a label's width). @default its leading spaces */
  readonly indent?: number;
}

/**
 * A panel of lines, each wrapped at spaces to the width (nothing is cut), as many as fit in the
 * height; when some do not fit, the last row says how many more there are.
 */
export function TextLines({
  lines,
  width,
  height,
}: {
  readonly lines: readonly Line[];
  readonly width: number;
  readonly height: number;
}) {
  const rows = lines.flatMap((line) =>
    wrapIndented(line.text, width, line.indent).map((text) => ({text, color: line.color, isDim: line.isDim})),
  );
  const isOver = height > 0 && rows.length > height;
  const shown = isOver ? rows.slice(0, height - 1) : rows.slice(0, Math.max(0, height));
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      {shown.map((row, index) => (
        <Text key={index} color={row.color} dimColor={row.isDim} wrap="truncate">
          {row.text}
        </Text>
      ))}
      {isOver ? <Text wrap="truncate">{`+${rows.length - shown.length} more lines`}</Text> : null}
    </Box>
  );
}
