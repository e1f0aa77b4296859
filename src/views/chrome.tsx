import {Box, Text} from 'ink';
import {memo} from 'react';
import type {StatusMessage} from './dashboard-state.js';
import {screenLine} from './format.js';
import {KEY_BINDINGS} from './key-bindings.js';
import type {Theme} from './theme.js';

/** The status line: the answer to the last command, a failed config reload, or a notice. */
export const StatusLine = memo(function StatusLine({
  status,
  banner,
  width,
  theme,
}: {
  readonly status: StatusMessage | null;
  readonly banner: string | null;
  readonly width: number;
  readonly theme: Theme;
}) {
  if (banner) {
    return (
      <Text color={theme.error} inverse={!theme.isColorEnabled} wrap="truncate">
        {screenLine(
          `config not applied: ${banner} (the last good world keeps running)`,
          width,
          !theme.isColorEnabled,
        )}
      </Text>
    );
  }
  const color =
    status?.tone === 'error' ? theme.error : status?.tone === 'warning' ? theme.warning : undefined;
  return (
    <Text color={color} wrap="truncate">
      {screenLine(status?.text ?? '', width, false)}
    </Text>
  );
});

/** The key bar at the bottom, as many keys as fit. */
export const KeyBar = memo(function KeyBar({width, theme}: {readonly width: number; readonly theme: Theme}) {
  // Bindings list the ASCII spelling first: the bar is redrawn every second (see format.ts).
  const items = KEY_BINDINGS.filter((binding) => binding.label).map(
    (binding) => `${binding.barKeys ?? binding.keys.split(' ')[0]} ${binding.label}`,
  );
  // Help and quit always show, at the end, as in htop; the others as many as fit before them.
  const always = items.slice(-2).join('  ');
  let text = '';
  for (const item of items.slice(0, -2)) {
    if (text.length + item.length + 2 + always.length > width) break;
    text += `${item}  `;
  }
  text += always;
  // One cell short of the edge: a full last line leaves the cursor waiting to wrap, and anything
  // the terminal prints there (an echoed key) would scroll the whole screen.
  return (
    <Text inverse={!theme.isColorEnabled} color={theme.accent} wrap="truncate">
      {screenLine(text, width - 1, !theme.isColorEnabled)}
    </Text>
  );
});

/** Shown instead of the dashboard below 80×24; recovers when the terminal grows. */
export function TooSmall({columns, rows}: {readonly columns: number; readonly rows: number}) {
  return (
    <Box width={columns} height={rows} flexDirection="column">
      <Text wrap="truncate">terminal too small (need 80×24)</Text>
      <Text wrap="truncate">
        now {columns}×{rows}; resize, or q to quit
      </Text>
    </Box>
  );
}
