import {Box, Text} from 'ink';
import {clip} from './format.js';

export interface Line {
  readonly text: string;
  readonly color?: string | undefined;
}

/** A panel of single lines, each cut to the width, as many as fit in the height. */
export function TextLines({
  lines,
  width,
  height,
}: {
  readonly lines: readonly Line[];
  readonly width: number;
  readonly height: number;
}) {
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      {lines.slice(0, height).map((line, index) => (
        <Text key={index} color={line.color} wrap="truncate">
          {clip(line.text, width)}
        </Text>
      ))}
    </Box>
  );
}
