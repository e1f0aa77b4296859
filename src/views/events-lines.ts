import type {WorldEvent} from '../core/event-log.js';
import {formatSimTime, wrapWords} from './format.js';

// The events tab's lines, and how far back `[` may scroll them: one answer for drawing and for the
// reducer, which holds the scroll position.

/** Room for the time column (`59m59.9s`). */
const TIME_WIDTH = 8;

/** Events of `vm` and of the cluster: what the events tab lists, oldest first. */
export function relevantEvents(events: readonly WorldEvent[], vm: string | null): WorldEvent[] {
  return events.filter((event) => event.vm === vm || event.vm === null);
}

/** One event wrapped whole under its time, a QMP client's named before its text (`[qmp#3]`). */
export function eventLines(event: WorldEvent, width: number): string[] {
  const head = `${formatSimTime(event.tUs).padStart(TIME_WIDTH)} ${event.vm ?? '*'} `;
  const text = event.origin === undefined ? event.message : `[${event.origin}] ${event.message}`;
  return wrapWords(text, Math.max(10, width - 1 - head.length)).map(
    (part, index) => (index === 0 ? head : ' '.repeat(head.length)) + part,
  );
}

/**
 * How many events back from the newest the bottom line may be: 0 when every event fits, else
 * where the oldest event is on the top line (the line saying newer ones are below takes a row).
 */
export function eventsBackMax(events: readonly WorldEvent[], width: number, height: number): number {
  // Walks from the oldest event only until the panel is over-full.
  let rows = 0;
  let shown = 0;
  for (const event of events) {
    rows += eventLines(event, width).length;
    if (rows > height) return events.length - Math.max(1, shown);
    if (rows <= height - 1) shown++;
  }
  return 0;
}
