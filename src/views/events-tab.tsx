import {Box, Text} from 'ink';
import type {WorldEvent} from '../core/event-log.js';
import {eventLines, eventsBackMax, relevantEvents} from './events-lines.js';
import {counted} from './format.js';
import type {Theme} from './theme.js';

export interface EventsTabProps {
  readonly events: readonly WorldEvent[];
  readonly vm: string | null;
  /** How many events back from the newest the last line shows (0: the newest). */
  readonly back: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/**
 * The events of the selected VM and of the cluster, newest last, each wrapped whole under its
 * time (nothing is cut), a QMP client's named before its text; `[` and `]` scroll back and forward.
 */
export function EventsTab({events, vm, back: asked, width, height, theme}: EventsTabProps) {
  const relevant = relevantEvents(events, vm);
  // Never past the oldest event (the reducer holds `back` to the same bound; this covers a frame
  // drawn before it has seen the panel's new size). Not scrolled, the usual frame, walks nothing.
  const back = asked === 0 ? 0 : Math.min(asked, eventsBackMax(relevant, width, height));
  const end = Math.max(0, relevant.length - back);
  const lines: Array<{key: string; text: string; color: string | undefined}> = [];
  // Walk back from the last event shown until the panel is full, then keep the newest lines.
  for (let index = end - 1; index >= 0 && lines.length < height; index--) {
    const event = relevant[index]!;
    const color =
      event.severity === 'error' ? theme.error : event.severity === 'warning' ? theme.warning : undefined;
    const eventRows = eventLines(event, width).map((text, partIndex) => ({
      key: `${index}-${partIndex}`,
      text,
      color,
    }));
    lines.unshift(...eventRows);
  }
  const shown = lines.slice(-height);
  const scrolled = back > 0 ? `-- ${counted(back, 'newer event')} below (] or S-Down) --` : null;
  const visible = scrolled ? (height > 1 ? shown.slice(-(height - 1)) : []) : shown;
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      {relevant.length === 0 ? <Text dimColor={theme.dim}>no events yet</Text> : null}
      {visible.map((line) => (
        <Text key={line.key} color={line.color} wrap="truncate">
          {line.text}
        </Text>
      ))}
      {scrolled ? <Text dimColor={theme.dim}>{scrolled}</Text> : null}
    </Box>
  );
}
