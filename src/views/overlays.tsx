import {Box, Text} from 'ink';
import type {MigrationCheck} from '../host/migration/migration-blockers.js';
import {fit} from './format.js';
import {KEY_BINDINGS} from './key-bindings.js';
import {COLOR_LEGEND, type Theme} from './theme.js';

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
      borderStyle="round"
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

/** `?`: every key and what the colours mean. */
export function HelpOverlay({
  width,
  height,
  theme,
}: {
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}) {
  const inner = width - 4;
  const legendRows = theme.isColorEnabled ? COLOR_LEGEND.length + 1 : 0;
  const keyRows = Math.max(0, height - 4 - legendRows);
  return (
    <OverlayFrame title="svmtop keys (Esc or ? to close)" width={width} height={height} theme={theme}>
      {KEY_BINDINGS.slice(0, keyRows).map((binding) => (
        <Text key={binding.keys} wrap="truncate">
          {fit(`${binding.keys.padEnd(20)} ${binding.action}`, inner)}
        </Text>
      ))}
      {theme.isColorEnabled ? <Text bold>colours</Text> : null}
      {theme.isColorEnabled
        ? COLOR_LEGEND.map((entry) => (
            <Text key={entry.key} wrap="truncate">
              <Text color={theme[entry.key] as string}>■■ </Text>
              {fit(entry.meaning, inner - 3)}
            </Text>
          ))
        : null}
    </OverlayFrame>
  );
}

/** `m`: every other host, with "would accept" or the reasons it would refuse. */
export function HostPicker({
  vm,
  checks,
  index,
  width,
  height,
  theme,
}: {
  readonly vm: string;
  readonly checks: readonly MigrationCheck[];
  readonly index: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}) {
  const inner = width - 4;
  return (
    <OverlayFrame
      title={`migrate ${vm} to… (↑↓, Enter to start, Esc to close)`}
      width={width}
      height={height}
      theme={theme}
    >
      {checks.length === 0 ? <Text>no other host</Text> : null}
      {checks.map((check, position) => (
        <Text
          key={check.host}
          inverse={position === index}
          color={
            position === index ? undefined : check.blockedReasons.length === 0 ? theme.secure : theme.error
          }
          wrap="truncate"
        >
          {fit(
            `${position === index ? '>' : ' '} ${check.host.padEnd(8)} ${check.blockedReasons.length === 0 ? 'would accept' : `refuses: ${check.blockedReasons.join('; ')}`}`,
            inner,
          )}
        </Text>
      ))}
    </OverlayFrame>
  );
}

/** A yes/no question before a destructive action. */
export function ConfirmDialog({
  question,
  width,
  theme,
}: {
  readonly question: string;
  readonly width: number;
  readonly theme: Theme;
}) {
  return (
    <OverlayFrame title="confirm" width={width} height={4} theme={theme}>
      <Text wrap="truncate">{fit(`${question} [y/N]`, width - 4)}</Text>
    </OverlayFrame>
  );
}

/** `/`: the filter being typed. */
export function FilterBar({
  draft,
  width,
  theme,
}: {
  readonly draft: string;
  readonly width: number;
  readonly theme: Theme;
}) {
  return (
    <Text color={theme.accent} wrap="truncate">
      {fit(`filter: ${draft}▏ (Enter keeps it, Esc clears)`, width)}
    </Text>
  );
}
