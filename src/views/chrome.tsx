import {Box, Text} from 'ink';
import {memo} from 'react';
import type {StatusMessage} from './dashboard-state.js';
import {counted, screenLine} from './format.js';
import {glyphsOf} from './glyphs.js';
import {MIN_COLUMNS, MIN_ROWS, statusText} from './dashboard-layout.js';
import {HELP_KEY_BAR, KEY_BINDINGS} from './key-bindings.js';
import type {Theme} from './theme.js';

/** The status line: the answer to the last command or key, until it ages out or its outcome comes. */
export const StatusLine = memo(function StatusLine({
  status,
  width,
  theme,
}: {
  readonly status: StatusMessage | null;
  readonly width: number;
  readonly theme: Theme;
}) {
  const color =
    status?.tone === 'error' ? theme.error : status?.tone === 'warning' ? theme.warning : undefined;
  const lines = statusText(status?.text ?? '', width);
  // A box of a row a line: an empty Text has no height, and the key bar would move up.
  return (
    <Box height={lines.length} flexDirection="column">
      {lines.map((line, index) => (
        <Text key={index} color={color} wrap="truncate">
          {line}
        </Text>
      ))}
    </Box>
  );
});

/** A failed config reload, on lines of its own above the status line (which stays free). */
export const Banner = memo(function Banner({
  lines,
  width,
  theme,
}: {
  readonly lines: readonly string[];
  readonly width: number;
  readonly theme: Theme;
}) {
  return (
    <>
      {lines.map((line, index) => (
        <Text key={index} color={theme.error} inverse={!theme.isColorEnabled} wrap="truncate">
          {screenLine(line, width - 1, !theme.isColorEnabled)}
        </Text>
      ))}
    </>
  );
});

/** The key bar at the bottom: as many keys as fit, and how many more the help has. */
export const KeyBar = memo(function KeyBar({
  width,
  theme,
  isHelp = false,
}: {
  readonly width: number;
  readonly theme: Theme;
  /** The help is open: its own keys (q closes it there, it does not quit). */
  readonly isHelp?: boolean;
}) {
  const text = isHelp ? HELP_KEY_BAR : dashboardKeys(width);
  // One cell short of the edge: a full last line leaves the cursor waiting to wrap, and anything
  // the terminal prints there (an echoed key) would scroll the whole screen.
  return (
    <Text inverse={!theme.isColorEnabled} color={theme.accent} wrap="truncate">
      {screenLine(text, width - 1, !theme.isColorEnabled)}
    </Text>
  );
});

function dashboardKeys(width: number): string {
  // Bindings list the ASCII spelling first: the bar is redrawn every refresh (see format.ts).
  const items = KEY_BINDINGS.filter((binding) => binding.label).map(
    (binding) => `${binding.barKeys ?? binding.keys.split(' ')[0]} ${binding.label}`,
  );
  const middle = items.slice(0, -2);
  const [help, quit] = items.slice(-2) as [string, string];
  // Help and quit always show, at the end, as in htop; the others as many as fit before them.
  let text = '';
  let shown = 0;
  for (const item of middle) {
    const hidden = middle.length - shown - 1;
    const tail = `${help}${hidden > 0 ? ` (+${counted(hidden, 'key')})` : ''}  ${quit}`;
    if (text.length + item.length + 2 + tail.length > width - 1) break;
    text += `${item}  `;
    shown++;
  }
  const hidden = middle.length - shown;
  text += `${help}${hidden > 0 ? ` (+${counted(hidden, 'key')})` : ''}  ${quit}`;
  return text;
}

/** Shown instead of the dashboard below 80x24; recovers when the terminal grows. */
export function TooSmall({
  columns,
  rows,
  theme,
}: {
  readonly columns: number;
  readonly rows: number;
  readonly theme: Theme;
}) {
  const {times} = glyphsOf(theme);
  return (
    <Box width={columns} height={rows} flexDirection="column">
      <Text wrap="truncate">{`terminal too small (need ${MIN_COLUMNS}${times}${MIN_ROWS})`}</Text>
      <Text wrap="truncate">{`now ${columns}${times}${rows}; resize, or q to quit`}</Text>
    </Box>
  );
}
