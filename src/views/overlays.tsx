import {Box, Text} from 'ink';
import type {MigrationCheck} from '../host/migration/migration-blockers.js';
import {clip, fit, wrapWords} from './format.js';
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

/** One line of the help: a key and its action, a heading, or a colour swatch and its meaning. */
interface HelpLine {
  readonly text: string;
  readonly swatch?: keyof Theme;
  readonly isHeading?: boolean;
}

/** Everything the help shows, in order; the colour legend only when there are colours. */
export function helpLines(theme: Theme): readonly HelpLine[] {
  const keys = KEY_BINDINGS.map((binding) => ({text: `${binding.keys.padEnd(20)} ${binding.action}`}));
  if (!theme.isColorEnabled) return keys;
  return [
    ...keys,
    {text: 'colours', isHeading: true},
    ...COLOR_LEGEND.map((entry) => ({text: entry.meaning, swatch: entry.key})),
  ];
}

/** Help lines that fit in an overlay of `height` rows (inside the border, under the title). */
export function helpBodyRows(height: number): number {
  return Math.max(1, height - 3);
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
  const lines = helpLines(theme);
  const rows = helpBodyRows(height);
  const first = Math.max(0, Math.min(offset, lines.length - rows));
  const shown = lines.slice(first, first + rows);
  const title =
    lines.length > rows
      ? `svmtop keys ${first + 1}-${first + shown.length} of ${lines.length} (j/k scroll, Esc or ? to close)`
      : 'svmtop keys (Esc or ? to close)';
  return (
    <OverlayFrame title={clip(title, inner)} width={width} height={height} theme={theme}>
      {shown.map((line) =>
        line.swatch ? (
          <Text key={line.text} wrap="truncate">
            <Text color={theme[line.swatch] as string}>■■ </Text>
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
  const highlighted = checks[index];
  const reasons = highlighted?.blockedReasons.length
    ? [
        `why ${highlighted.host} refuses:`,
        ...highlighted.blockedReasons.flatMap((reason) =>
          wrapWords(reason, inner - 4).map((line, part) => `${part === 0 ? '  - ' : '    '}${line}`),
        ),
      ]
    : [];
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
      {/* A row cuts long reasons; the highlighted host's are spelled out in full below the list. */}
      {reasons.length > 0 ? <Text> </Text> : null}
      {reasons.slice(0, Math.max(0, height - 4 - checks.length)).map((line, position) => (
        <Text key={position} color={theme.error} wrap="truncate">
          {line}
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
