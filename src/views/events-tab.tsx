import {Box, Text} from 'ink';
import type {WorldEvent} from '../core/event-log.js';
import {clip} from './format.js';
import type {Theme} from './theme.js';

export interface EventsTabProps {
  readonly events: readonly WorldEvent[];
  readonly vm: string | null;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/** The newest events of the selected VM and of the cluster, newest last. */
export function EventsTab({events, vm, width, height, theme}: EventsTabProps) {
  const relevant = events.filter((event) => event.vm === vm || event.vm === null);
  const shown = relevant.slice(-height);
  return (
    <Box flexDirection="column" height={height} width={width} overflowY="hidden">
      {shown.length === 0 ? <Text dimColor={theme.dim}>no events yet</Text> : null}
      {shown.map((event, index) => (
        <Text
          key={index}
          color={
            event.severity === 'error'
              ? theme.error
              : event.severity === 'warning'
                ? theme.warning
                : undefined
          }
          wrap="truncate"
        >
          {clip(
            `${(event.tUs / 1_000_000).toFixed(3).padStart(9)} ${event.vm ?? '*'} ${event.origin ? `[${event.origin}] ` : ''}${event.message}`,
            width,
          )}
        </Text>
      ))}
    </Box>
  );
}
