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
import {createElement} from 'react';
import * as patchedInk from 'ink';
import * as stockInk from 'ink-stock';
import {Writable} from 'node:stream';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {CPU_BOUND} from './helpers/property-timeout.js';

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
  return framesOf(
    ink,
    panels.map((panel) => element(ink, panel)),
  );
}

/** Each element rendered in turn into one Ink instance (debug mode): every frame as drawn. */
async function framesOf(ink: InkModule, elements: readonly React.ReactElement[]): Promise<string[]> {
  const stdout = new Terminal();
  const instance = ink.render(elements[0]!, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    debug: true,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  await instance.waitUntilRenderFlush();
  const drawn = [stdout.take()];
  for (const next of elements.slice(1)) {
    instance.rerender(next);
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
  it('draws every frame of random updates as stock Ink does', CPU_BOUND, async () => {
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

/**
 * Host nodes given props directly, as Box and Text give them to Ink: a style key or a prop present
 * in one frame and absent from the next is what the patched `diff` must report as taken away
 * (undefined), or the node keeps the old border, padding, size or transform.
 */
interface HostPanel {
  readonly style: Readonly<Record<string, string | number>>;
  readonly isUpper: boolean;
  readonly text: string;
}

const upper = (line: string) => line.toUpperCase();

const hostPanel: fc.Arbitrary<HostPanel> = fc.record({
  style: fc.record(
    {
      width: fc.integer({min: 4, max: 24}),
      height: fc.integer({min: 1, max: 5}),
      paddingLeft: fc.integer({min: 0, max: 2}),
      paddingTop: fc.integer({min: 0, max: 1}),
      marginLeft: fc.integer({min: 0, max: 3}),
      borderStyle: fc.constantFrom('single', 'classic', 'round'),
      flexDirection: fc.constantFrom('row', 'column'),
      overflowY: fc.constantFrom('hidden', 'visible'),
    },
    {requiredKeys: []},
  ),
  isUpper: fc.boolean(),
  text: fc.constantFrom('ab cd', 'counter 12', 'a longer line of words'),
});

function hostElement({style, isUpper, text}: HostPanel) {
  return createElement(
    'ink-box' as 'div',
    {style} as object,
    createElement(
      'ink-text' as 'span',
      {
        style: {flexGrow: 0, flexShrink: 1, flexDirection: 'row'},
        ...(isUpper ? {internal_transform: upper} : {}),
      } as object,
      text,
    ),
  );
}

async function hostFrames(ink: InkModule, panels: readonly HostPanel[]): Promise<string[]> {
  return framesOf(ink, panels.map(hostElement));
}

describe('patched Ink taking host props and style keys away', () => {
  it('draws a node without the border, padding, size and transform taken from it', async () => {
    const full: HostPanel = {
      style: {width: 12, height: 4, paddingLeft: 2, marginLeft: 1, borderStyle: 'classic'},
      isUpper: true,
      text: 'ab cd',
    };
    const bare: HostPanel = {style: {}, isUpper: false, text: 'ab cd'};
    const patched = await hostFrames(patchedInk, [full, bare, full]);
    expect(patched).toEqual(await hostFrames(stockInk as unknown as InkModule, [full, bare, full]));
    expect(patched[0]).toContain('+----------+');
    expect(patched[0]).toContain('|  AB CD   |');
    // Taken away: no border, no padding, no margin, no transform; given back: as at first.
    expect(patched[1]!.trim()).toBe('ab cd');
    expect(patched[2]).toBe(patched[0]);
  });

  it('draws every frame of random host props given and taken away as stock Ink does', CPU_BOUND, async () => {
    const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.info(`ink host prop removal equivalence: seed ${seed} (FC_SEED=${seed} repeats it)`);
    await fc.assert(
      fc.asyncProperty(fc.array(hostPanel, {minLength: 2, maxLength: 6}), async (panels) => {
        const expected = await hostFrames(stockInk as unknown as InkModule, panels);
        expect(await hostFrames(patchedInk, panels)).toEqual(expected);
      }),
      {seed, numRuns: 200},
    );
  });
});
