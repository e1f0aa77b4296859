/**
 * patches/ink+<version>.patch also changes how Ink decides to wrap or truncate a text before it
 * writes it (render-node-to-output.js: the width from `measureText`'s cache instead of
 * `widestLine` again). Here the patched and the stock Ink (the `ink-stock` alias) render the same
 * random boxes of texts, each wrap mode and width, twice over (the second time from the caches),
 * and must give the same string.
 */
import fc from 'fast-check';
import * as patchedInk from 'ink';
import * as stockInk from 'ink-stock';
import {describe, expect, it} from 'vitest';
import {text} from './ink-output-fixtures.js';
import {CPU_BOUND} from './helpers/property-timeout.js';

type InkModule = typeof patchedInk;
const WRAPS = ['wrap', 'truncate', 'truncate-start', 'truncate-middle'] as const;

interface Panel {
  readonly width: number;
  readonly lines: readonly {readonly text: string; readonly wrap: (typeof WRAPS)[number]}[];
}

const panel: fc.Arbitrary<Panel> = fc.record({
  width: fc.integer({min: 1, max: 40}),
  lines: fc.array(fc.record({text, wrap: fc.constantFrom(...WRAPS)}), {minLength: 1, maxLength: 6}),
});

function draw(ink: InkModule, {width, lines}: Panel): string {
  const {Box, Text, renderToString} = ink;
  return renderToString(
    <Box flexDirection="column" width={width}>
      {lines.map((line, index) => (
        <Text key={index} wrap={line.wrap}>
          {line.text}
        </Text>
      ))}
    </Box>,
    {columns: 60},
  );
}

describe('patched Ink drawing texts into boxes', () => {
  it('wraps and truncates random texts as stock Ink does, the first time and again', CPU_BOUND, () => {
    const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.info(`ink render equivalence: seed ${seed} (FC_SEED=${seed} repeats it)`);
    fc.assert(
      fc.property(panel, (drawn) => {
        const expected = draw(stockInk as unknown as InkModule, drawn);
        expect(draw(patchedInk, drawn)).toBe(expected);
        expect(draw(patchedInk, drawn)).toBe(expected);
      }),
      {seed, numRuns: 300},
    );
  });
});
