/**
 * A part of a line that can give way: its forms, longest first, each saying the same thing more
 * briefly, and the last may be '' (dropped whole). Lower priority numbers give way later.
 */
export interface Segment {
  readonly forms: readonly string[];
  /** When this segment shortens, against the others. */
  readonly priority: number;
  /** When it is dropped (its last form is ''), if later than its shortening. @default priority */
  readonly dropPriority?: number;
  /** What the line calls it once it is dropped whole. @default its first form */
  readonly name?: string;
}

/** The form chosen for each segment ('' where dropped), and which were dropped whole. */
export interface FittedSegments {
  readonly texts: readonly string[];
  /** The names of the segments dropped whole, in order. */
  readonly dropped: readonly string[];
}

/**
 * Gives way segment by segment until `segments` joined by `separator` fit `width`: each step
 * takes one segment to its next shorter form, least important step first (highest priority
 * number; among equals, the rightmost segment). Text is never cut inside a form; a segment whose
 * last form is '' may go whole and is counted, so the line can say that something went. If even
 * the shortest forms do not fit, they are returned as they are (the caller decides).
 */
export function fitSegments(segments: readonly Segment[], width: number, separator: string): FittedSegments {
  for (const segment of segments)
    if ((segment.dropPriority ?? segment.priority) > segment.priority)
      throw new Error(
        `segment "${segment.forms[0]}": dropPriority must not be above priority (drop after shortening)`,
      );
  const chosen = segments.map(() => 0);
  const texts = () => segments.map((segment, index) => segment.forms[chosen[index]!]!);
  const shown = () => texts().filter((text) => text !== '');
  const steps = segments.flatMap((segment, index) =>
    segment.forms.slice(1).map((form) => ({
      index,
      priority: form === '' ? (segment.dropPriority ?? segment.priority) : segment.priority,
    })),
  );
  steps.sort((a, b) => b.priority - a.priority || b.index - a.index);
  for (const step of steps) {
    if (shown().join(separator).length <= width) break;
    chosen[step.index]!++;
  }
  const dropped = segments
    .filter((segment, index) => segment.forms[0] !== '' && segment.forms[chosen[index]!] === '')
    .map((segment) => segment.name ?? segment.forms[0]!);
  return {texts: texts(), dropped};
}
