import {describe, expect, it} from 'vitest';
import {HELP_LINES} from '../../src/views/key-bindings.js';

// The help's marks: a mark, then its meaning from column 12. The tester found one line cut
// mid-sentence ("reboots and migrations in") and its meaning one cell right of the others.
const marks = HELP_LINES.slice(
  HELP_LINES.findIndex((line) => line.isHeading && line.text === 'marks') + 1,
).map((line) => line.text);

describe('help marks', () => {
  it('every meaning starts in column 12, after a blank', () => {
    expect(marks.length).toBeGreaterThan(10);
    expect(marks.filter((text) => text.charAt(11) !== ' ' || text.charAt(12) === ' ')).toEqual([]);
  });

  it('no meaning ends on a dangling word', () => {
    expect(marks.filter((text) => / (in|of|and|or|the|a|to|for|with)$/.test(text))).toEqual([]);
  });
});
