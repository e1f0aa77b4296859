/**
 * patches/ink+<version>.patch gives log-update's `lineUpdate` (what Ink writes for a changed line
 * of an incremental frame) a path for lines of printable ASCII and SGR codes that allocates no
 * stripped copies and no match arrays. Here the patched and stock Ink's `lineUpdate` (the
 * `ink-stock` alias) turn the same random pairs of lines into the terminal's bytes: a line and
 * the next one drawn over it, sharing a prefix, cut anywhere (inside a code too), at random
 * widths. Every result must be byte-identical.
 */
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {buildFile, piece, text} from './ink-output-fixtures.js';

type LineUpdate = (previous: string, next: string, columns: number | undefined) => string;
const loadLineUpdate = async (pkg: string) =>
  ((await import(buildFile(pkg, './line-update.js').href)) as {default: LineUpdate}).default;
const patched = await loadLineUpdate('ink');
const stock = await loadLineUpdate('ink-stock');

const line = fc
  .array(
    piece.filter((part) => part !== '\n'),
    {maxLength: 10},
  )
  .map((parts) => parts.join(''));

/** A line, and one drawn over it: its first `cut` characters kept, then something else. */
const pair = fc
  .record({
    previous: line,
    cut: fc.nat(200),
    rest: fc.oneof(
      line,
      text.map((value) => value.replaceAll('\n', '')),
    ),
  })
  .map(({previous, cut, rest}) => ({previous, next: previous.slice(0, cut % (previous.length + 1)) + rest}));

const columns = fc.oneof(
  {weight: 8, arbitrary: fc.integer({min: 1, max: 120})},
  {weight: 1, arbitrary: fc.constantFrom(undefined, 0, Number.NaN)},
);

describe("patched Ink's lineUpdate", () => {
  it('writes a changed line as stock Ink does', () => {
    const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.info(`ink lineUpdate equivalence: seed ${seed} (FC_SEED=${seed} repeats it)`);
    fc.assert(
      fc.property(pair, columns, ({previous, next}, width) => {
        expect(patched(previous, next, width)).toBe(stock(previous, next, width));
      }),
      {seed, numRuns: 5000},
    );
  });

  it('keeps the corners: a change inside a code, a code at the cut, a line as wide as the terminal', () => {
    const cases: [string, string, number][] = [
      ['ab\x1b[31mcd', 'ab\x1b[32mcd', 40],
      ['ab\x1b[31mcd', 'ab\x1b[31mce', 40],
      ['ab\x1b[31mcd\x1b[39m', 'ab\x1b[31mcd\x1b[39mx', 40],
      ['ab\x1b[1m\x1b[31mc', 'ab\x1b[1m\x1b[32mc', 40],
      ['abcdef', 'abcxyz', 6],
      ['abcdef', 'abcxyzw', 6],
      ['abc', 'abd', 3],
      ['abc\x1b[31m', 'abc\x1b[32m', 3],
      ['abc\x1b[31m', 'abc\x1b[31mx', 4],
      ['a\x1b[3', 'a\x1b[31mb', 10],
      ['x 1.2 MiB', 'x 1.3 MiB', 120],
    ];
    for (const [previous, next, width] of cases)
      expect(patched(previous, next, width), JSON.stringify([previous, next, width])).toBe(
        stock(previous, next, width),
      );
    expect(patched('ab\x1b[31mcd', 'ab\x1b[31mce', 40)).not.toContain('\x1b[1G');
  });
});
