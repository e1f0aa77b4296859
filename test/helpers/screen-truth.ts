/**
 * Text cut on screen, as a list of what was cut (empty when the frame tells everything whole).
 *
 * A cut is either
 * - a `+` that ends a word: right after a character that is not a space, and right before a
 *   space, a box border (`│` or `|`) or the end of the line (`epsi+`, `30Gi+`, `an+`, `(+`); or
 * - Ink's own truncation mark, `…`.
 *
 * Not cuts: a `+` that starts a word (`+2`, `+5 more`, `(+5 keys)`), one inside a word
 * (`dma-api+bounce`), the rules of a table (lines made only of `+`, `-`, `|` and spaces), and the
 * help's legend entry that explains the mark itself (`name+`).
 */
export function cutsIn(frame: string): string[] {
  const cuts: string[] = [];
  for (const line of frame.split('\n')) {
    if (/^[\s+\-|]*$/.test(line)) continue;
    for (const match of line.matchAll(/(\S+)\+(?=[\s│|]|$)/g)) {
      const word = `${match[1]}+`;
      if (LEGEND_WORDS.has(word)) continue;
      cuts.push(`${word}  (in "${line.trim()}")`);
    }
    if (line.includes('…')) cuts.push(`…  (in "${line.trim()}")`);
  }
  return cuts;
}

/** The help's legend names the mark by example. */
const LEGEND_WORDS = new Set(['name+']);
