/**
 * What test/ink-output-patch.test.ts feeds the patched and the stock Ink: both Inks' `Output` and
 * `sanitizeAnsi`, random texts as a dashboard draws them (and now and then anything else), random
 * frames of writes and clips, and how a frame is rendered through an `Output`.
 */
import fc from 'fast-check';
import {readFileSync} from 'node:fs';

export type Transformer = (line: string, index: number) => string;
type Clip = {x1?: number; x2?: number; y1?: number; y2?: number};
interface OutputInstance {
  write(x: number, y: number, text: string, options: {transformers: Transformer[]}): void;
  clip(clip: Clip): void;
  unclip(): void;
  get(): {output: string; height: number};
}
type OutputClass = new (options: {width: number; height: number}) => OutputInstance;

export const buildFile = (pkg: string, file: string) => new URL(file, import.meta.resolve(pkg));
const load = async (pkg: string) =>
  ((await import(buildFile(pkg, './output.js').href)) as {default: OutputClass}).default;
export const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(buildFile(pkg, '../package.json'), 'utf8')) as {version: string}).version;

export const Patched = await load('ink');
export const Stock = await load('ink-stock');
type Sanitize = (text: string) => string;
const loadSanitize = async (pkg: string) =>
  ((await import(buildFile(pkg, './sanitize-ansi.js').href)) as {default: Sanitize}).default;
export const patchedSanitize = await loadSanitize('ink');
export const stockSanitize = await loadSanitize('ink-stock');

const SGR = [
  '\x1b[31m',
  '\x1b[39m',
  '\x1b[1m',
  '\x1b[22m',
  '\x1b[2m',
  '\x1b[0m',
  '\x1b[m',
  '\x1b[7m',
  '\x1b[27m',
  '\x1b[4m',
  '\x1b[24m',
  '\x1b[44m',
  '\x1b[49m',
  '\x1b[1;31;44m',
  '\x1b[38;5;123m',
  '\x1b[48;2;1;2;3m',
  '\x1b[38;5m',
  '\x1b[99m',
  '\x1b[90m',
  '\x1b[;1m',
];
const OTHER_ESCAPES = [
  '\x1b[2K',
  '\x1b]8;;http://x\x07',
  '\x1b]8;;\x07',
  '\x1b]0;title\x07',
  '\x1b',
  '\x1b[',
  '\x1b[12',
  '\x9b31m',
  '\x1b[38:5:1m',
  '\x1b[1:m',
];
const NOT_ASCII = [
  'é',
  'e\u0301',
  '你好',
  '한',
  '👍',
  '👍🏽',
  '👨‍👩‍👧',
  '\u200b',
  '\u00ad',
  '\t',
  '\r',
  '\x7f',
  '\u3000',
  '🇫🇷',
  '✔',
  '✔️',
  'Ａ',
  '\x01',
  '│',
  '…',
];
const ascii = fc.stringMatching(/^[ -~]{0,24}$/);
export const piece = fc.oneof(
  {weight: 8, arbitrary: ascii},
  {weight: 2, arbitrary: fc.constant('\n')},
  {weight: 4, arbitrary: fc.constantFrom(...SGR)},
  {weight: 1, arbitrary: fc.constantFrom(...OTHER_ESCAPES)},
  {weight: 2, arbitrary: fc.constantFrom(...NOT_ASCII)},
);
/** Mostly plain or SGR-styled ASCII, as a dashboard draws; now and then anything else. */
export const text = fc.oneof(
  {weight: 3, arbitrary: ascii},
  {weight: 4, arbitrary: fc.array(piece, {maxLength: 8}).map((pieces) => pieces.join(''))},
);

/** Line transformers like those Ink's <Text> and <Transform> install (colour, inverse, prefixes). */
const TRANSFORMERS: Transformer[] = [
  (line) => `\x1b[32m${line}\x1b[39m`,
  (line) => `\x1b[7m${line}\x1b[27m`,
  (line) => `\x1b[1m\x1b[38;5;200m${line}\x1b[39m\x1b[22m`,
  (line, index) => `${index}> ${line}`,
  (line) => line.toUpperCase(),
  (line) => `${line}\u4e2d`,
];
const transformers = fc
  .array(fc.nat(TRANSFORMERS.length - 1), {maxLength: 2})
  .map((indexes) => indexes.map((index) => TRANSFORMERS[index]!));

export type Operation =
  | {kind: 'write'; x: number; y: number; text: string; transformers: Transformer[]}
  | {kind: 'clip'; clip: Clip}
  | {kind: 'unclip'};

export const frame = fc
  .record({width: fc.integer({min: 0, max: 60}), height: fc.integer({min: 0, max: 16})})
  .chain(({width, height}) => {
    const bound = (low: number, high: number) =>
      fc.option(fc.integer({min: low, max: high}), {nil: undefined});
    const operation: fc.Arbitrary<Operation> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('write' as const),
          x: fc.integer({min: -4, max: width + 4}),
          y: fc.integer({min: -3, max: height + 3}),
          text,
          transformers,
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('clip' as const),
          clip: fc.record({
            x1: bound(-2, width),
            x2: bound(0, width + 2),
            y1: bound(-2, height),
            y2: bound(0, height + 2),
          }),
        }),
      },
      {weight: 1, arbitrary: fc.constant({kind: 'unclip' as const})},
    );
    return fc.record({
      width: fc.constant(width),
      height: fc.constant(height),
      operations: fc.array(operation, {maxLength: 24}),
    });
  });

export function render(Output: OutputClass, {width, height, operations}: FrameSpec) {
  const output = new Output({width, height});
  for (const operation of operations) {
    if (operation.kind === 'write')
      output.write(operation.x, operation.y, operation.text, {transformers: operation.transformers});
    else if (operation.kind === 'clip') output.clip(operation.clip);
    else output.unclip();
  }
  return output.get();
}
export interface FrameSpec {
  width: number;
  height: number;
  operations: Operation[];
}
