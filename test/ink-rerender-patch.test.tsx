/**
 * patches/ink+<version>.patch also changes how Ink's reconciler finds the props and the style that
 * changed when a host node updates (reconciler.js `diff` and `commitUpdate`: own keys visited in
 * place rather than through arrays of keys and pairs). Here the patched and the stock Ink (the
 * `ink-stock` alias) each mount a random panel and update it through random others — texts,
 * colours and styles added, changed and taken away, widths, paddings and directions — and every
 * frame they draw must be the same string.
 */
import chalk from 'chalk';
import fc from 'fast-check';
import * as patchedInk from 'ink';
import * as stockInk from 'ink-stock';
import {Writable} from 'node:stream';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';

type InkModule = typeof patchedInk;

interface Line {
  readonly text: string;
  readonly color?: 'red' | 'green' | undefined;
  readonly bold?: boolean | undefined;
  readonly wrap: 'wrap' | 'truncate';
}

interface Panel {
  readonly width: number;
  readonly padding?: number | undefined;
  readonly direction: 'row' | 'column';
  readonly lines: readonly Line[];
}

const line: fc.Arbitrary<Line> = fc.record(
  {
    text: fc.constantFrom('a', 'ab cd', 'counter 12', 'counter 13', 'a longer line of words', ''),
    color: fc.constantFrom('red' as const, 'green' as const, undefined),
    bold: fc.boolean(),
    wrap: fc.constantFrom('wrap' as const, 'truncate' as const),
  },
  {requiredKeys: ['text', 'wrap']},
);

const panel: fc.Arbitrary<Panel> = fc.record(
  {
    width: fc.integer({min: 4, max: 30}),
    padding: fc.integer({min: 0, max: 2}),
    direction: fc.constantFrom('row' as const, 'column' as const),
    lines: fc.array(line, {minLength: 1, maxLength: 4}),
  },
  {requiredKeys: ['width', 'direction', 'lines']},
);

function element(ink: InkModule, {width, padding, direction, lines}: Panel) {
  const {Box, Text} = ink;
  return (
    // A style given in one frame and not in the next is a key the update takes away.
    <Box flexDirection={direction} width={width} {...(padding === undefined ? {} : {padding})}>
      {lines.map((entry, index) => (
        <Text
          key={index}
          {...(entry.color === undefined ? {} : {color: entry.color})}
          bold={entry.bold}
          wrap={entry.wrap}
        >
          {entry.text}
        </Text>
      ))}
    </Box>
  );
}

/** A terminal that keeps what Ink wrote since it was last asked (in debug mode, each whole frame). */
class Terminal extends Writable {
  readonly columns = 60;
  readonly rows = 20;
  #written = '';
  override _write(chunk: Buffer, _encoding: unknown, callback: () => void): void {
    this.#written += chunk.toString();
    callback();
  }
  take(): string {
    const written = this.#written;
    this.#written = '';
    return written;
  }
}

async function frames(ink: InkModule, panels: readonly Panel[]): Promise<string[]> {
  const stdout = new Terminal();
  const instance = ink.render(element(ink, panels[0]!), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    debug: true,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  await instance.waitUntilRenderFlush();
  const drawn = [stdout.take()];
  for (const next of panels.slice(1)) {
    instance.rerender(element(ink, next));
    await instance.waitUntilRenderFlush();
    drawn.push(stdout.take());
  }
  instance.unmount();
  return drawn;
}

const initialLevel = chalk.level;
beforeEach(() => {
  chalk.level = 1; // colours drawn, so a colour that stays after it was taken away shows
});
afterEach(() => {
  chalk.level = initialLevel;
});

describe('patched Ink updating a panel', () => {
  it('draws every frame of random updates as stock Ink does', async () => {
    const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.info(`ink rerender equivalence: seed ${seed} (FC_SEED=${seed} repeats it)`);
    await fc.assert(
      fc.asyncProperty(fc.array(panel, {minLength: 2, maxLength: 6}), async (panels) => {
        const expected = await frames(stockInk as unknown as InkModule, panels);
        expect(await frames(patchedInk, panels)).toEqual(expected);
      }),
      {seed, numRuns: 200},
    );
  });
});
