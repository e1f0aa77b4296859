import {Box, Text} from 'ink';
import type {MigrationCheck} from '../host/migration/migration-blockers.js';
import {clip, counted, fit} from './format.js';
import {glyphsOf} from './glyphs.js';
import {helpBodyRows, HELP_CLOSE, HELP_LINES} from './key-bindings.js';
import {confirmLines, pickerRows, QUESTION_FRAME_ROWS, questionInnerWidth} from './question-rows.js';
import type {Theme} from './theme.js';

interface OverlayFrameProps {
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
  readonly children: React.ReactNode;
}

function OverlayFrame({title, width, height, theme, children}: OverlayFrameProps) {
  return (
    <Box
      flexDirection="column"
      borderStyle={glyphsOf(theme).border}
      borderColor={theme.accent}
      width={width}
      height={height}
      paddingX={1}
    >
      <Text bold color={theme.accent}>
        {title}
      </Text>
      {children}
    </Box>
  );
}

/** `?`: every key and what the colours mean, scrolled with j/k where the terminal is short. */
export function HelpOverlay({
  width,
  height,
  offset,
  theme,
}: {
  readonly width: number;
  readonly height: number;
  readonly offset: number;
  readonly theme: Theme;
}) {
  const inner = width - 4;
  const lines = HELP_LINES;
  const rows = helpBodyRows(height);
  const first = Math.max(0, Math.min(offset, lines.length - rows));
  const shown = lines.slice(first, first + rows);
  const title =
    lines.length > rows
      ? `svmtop keys ${first + 1}-${first + shown.length} of ${lines.length} (j/k scroll; ${HELP_CLOSE})`
      : `svmtop keys (${HELP_CLOSE})`;
  return (
    <OverlayFrame title={clip(title, inner)} width={width} height={height} theme={theme}>
      {shown.map((line) =>
        line.swatch ? (
          <Text key={line.text} wrap="truncate">
            <Text color={theme[line.swatch]}>{theme.isColorEnabled ? '## ' : ''}</Text>
            {clip(line.text, inner - 3)}
          </Text>
        ) : (
          <Text key={line.text} bold={line.isHeading} wrap="truncate">
            {clip(line.text, inner)}
          </Text>
        ),
      )}
    </OverlayFrame>
  );
}

/** `m`: every other host, with "would accept" or every reason it would refuse, wrapped whole. */
export function HostPicker({
  vm,
  checks,
  host,
  width,
  height,
  theme,
}: {
  readonly vm: string;
  readonly checks: readonly MigrationCheck[];
  /** The highlighted host. */
  readonly host: string | null;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}) {
  const inner = questionInnerWidth(width);
  const rows = pickerRows(checks, host, inner, Math.max(1, height - QUESTION_FRAME_ROWS));
  // The box holds its title and rows (and its borders), not the whole panel; the panel keeps its height.
  return (
    <Box flexDirection="column" height={height}>
      <OverlayFrame
        title={clip(`migrate ${vm} to... (Up/Down, Enter to start, Esc to close)`, inner)}
        width={width}
        height={Math.min(height, rows.length + QUESTION_FRAME_ROWS)}
        theme={theme}
      >
        {rows.map((row, index) => (
          <Text
            key={index}
            inverse={row.isHighlighted}
            color={row.isHighlighted ? undefined : row.isAccepting ? theme.secure : theme.error}
            wrap="truncate"
          >
            {row.isHighlighted ? fit(row.text, inner) : row.text}
          </Text>
        ))}
      </OverlayFrame>
    </Box>
  );
}

/** A yes/no question before a command, saying what the command will do. */
export function ConfirmDialog({
  question,
  width,
  height,
  theme,
}: {
  readonly question: string;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}) {
  const lines = confirmLines(question, questionInnerWidth(width));
  return (
    <OverlayFrame
      title="confirm"
      width={width}
      height={Math.min(height, lines.length + QUESTION_FRAME_ROWS)}
      theme={theme}
    >
      {lines.slice(0, Math.max(1, height - QUESTION_FRAME_ROWS)).map((line, index) => (
        <Text key={index} wrap="truncate">
          {line}
        </Text>
      ))}
    </OverlayFrame>
  );
}

/** The filter, on its own line while it is typed or on: what it is and how much it shows. */
export function FilterBar({
  filter,
  isEditing,
  shownCount,
  totalCount,
  width,
  theme,
}: {
  readonly filter: string;
  readonly isEditing: boolean;
  readonly shownCount: number;
  readonly totalCount: number;
  readonly width: number;
  readonly theme: Theme;
}) {
  const text = isEditing
    ? `filter: ${filter}_  ${shownCount} of ${counted(totalCount, 'VM')}  (Enter keeps it, Esc clears)`
    : `filter "${filter}": ${shownCount} of ${counted(totalCount, 'VM')} shown  (/ edits, Esc clears)`;
  return (
    <Text color={theme.accent} inverse={!theme.isColorEnabled} wrap="truncate">
      {fit(text, width - 1)}
    </Text>
  );
}
