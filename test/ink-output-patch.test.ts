/**
 * patches/ink+<version>.patch gives Ink's output stage a fast path (README, "Why Ink is patched")
 * and keeps the results of `sanitizeAnsi` from frame to frame. Here the patched `Output` and stock
 * Ink's (the `ink-stock` alias, the same version unpatched) render the same random frames, and the
 * two `sanitizeAnsi` clean the same random texts, each seen several times over: every result must
 * come out byte-identical. An Ink upgrade that leaves the patch behind, or changes the stage under
 * it, fails here.
 */
import fc from 'fast-check';
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';

type Transformer = (line: string, index: number) => string;
type Clip = {x1?: number; x2?: number; y1?: number; y2?: number};
interface OutputInstance {
  write(x: number, y: number, text: string, options: {transformers: Transformer[]}): void;
  clip(clip: Clip): void;
  unclip(): void;
  get(): {output: string; height: number};
}
type OutputClass = new (options: {width: number; height: number}) => OutputInstance;

const buildFile = (pkg: string, file: string) => new URL(file, import.meta.resolve(pkg));
const load = async (pkg: string) =>
  ((await import(buildFile(pkg, './output.js').href)) as {default: OutputClass}).default;
const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(buildFile(pkg, '../package.json'), 'utf8')) as {version: string}).version;

const Patched = await load('ink');
const Stock = await load('ink-stock');
type Sanitize = (text: string) => string;
const loadSanitize = async (pkg: string) =>
  ((await import(buildFile(pkg, './sanitize-ansi.js').href)) as {default: Sanitize}).default;
const patchedSanitize = await loadSanitize('ink');
const stockSanitize = await loadSanitize('ink-stock');

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
const piece = fc.oneof(
  {weight: 8, arbitrary: ascii},
  {weight: 2, arbitrary: fc.constant('\n')},
  {weight: 4, arbitrary: fc.constantFrom(...SGR)},
  {weight: 1, arbitrary: fc.constantFrom(...OTHER_ESCAPES)},
  {weight: 2, arbitrary: fc.constantFrom(...NOT_ASCII)},
);
/** Mostly plain or SGR-styled ASCII, as a dashboard draws; now and then anything else. */
const text = fc.oneof(
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

type Operation =
  | {kind: 'write'; x: number; y: number; text: string; transformers: Transformer[]}
  | {kind: 'clip'; clip: Clip}
  | {kind: 'unclip'};

const frame = fc
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

function render(Output: OutputClass, {width, height, operations}: FrameSpec) {
  const output = new Output({width, height});
  for (const operation of operations) {
    if (operation.kind === 'write')
      output.write(operation.x, operation.y, operation.text, {transformers: operation.transformers});
    else if (operation.kind === 'clip') output.clip(operation.clip);
    else output.unclip();
  }
  return output.get();
}
interface FrameSpec {
  width: number;
  height: number;
  operations: Operation[];
}

/**
 * Corners a random run reaches only now and then: a zero-width DEL, a wide character cut by a clip, a
 * link whose address is not latin1 and latin1 beside a character that is not.
 */
const EDGES: [FrameSpec][] = [
  [
    {
      width: 8,
      height: 2,
      operations: [
        {kind: 'clip', clip: {x1: 1, x2: 3}},
        {kind: 'write', x: 0, y: 0, text: 'a\x7fbcd', transformers: []},
      ],
    },
  ],
  [
    {
      width: 8,
      height: 2,
      operations: [
        {kind: 'clip', clip: {x1: 1, x2: 4}},
        {kind: 'write', x: 0, y: 1, text: '\x1b[31m你好x', transformers: []},
      ],
    },
  ],
  [
    {
      width: 8,
      height: 2,
      operations: [{kind: 'write', x: 0, y: 0, text: '\x1b[38:5:1mab\x1b[1mc', transformers: []}],
    },
  ],
  [
    {
      width: 12,
      height: 2,
      operations: [
        {kind: 'write', x: 0, y: 0, text: 'x\x1b]8;;http://\u4f8b\x07ab\x1b]8;;\x07 é', transformers: []},
        {kind: 'write', x: 1, y: 1, text: '\x1b[31mé\x1b[39m \x1b[1m…', transformers: []},
      ],
    },
  ],
];

describe("Ink's output stage with svmtop's fast path", () => {
  it('is the patched copy of the same Ink version as ink-stock', () => {
    expect(versionOf('ink-stock'), 'upgrade ink-stock (package.json) together with ink').toBe(
      versionOf('ink'),
    );
    const patched = readFileSync(buildFile('ink', './output.js'), 'utf8');
    expect(patched, 'the patch is not applied: run `npx patch-package`').toContain("svmtop's fast path");
    expect(readFileSync(buildFile('ink-stock', './output.js'), 'utf8')).not.toContain("svmtop's fast path");
  });

  it('renders random frames byte-identical to stock Ink', () => {
    const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.info(`ink output equivalence: seed ${seed} (FC_SEED=${seed} repeats it)`);
    fc.assert(
      fc.property(frame, (spec) => {
        expect(render(Patched, spec)).toEqual(render(Stock, spec));
      }),
      {numRuns: 3000, seed, examples: EDGES},
    );
  });
});

describe("Ink's sanitizeAnsi with its results kept", () => {
  it('cleans random texts as stock Ink does, the first time and from what it kept', () => {
    const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.info(`sanitizeAnsi equivalence: seed ${seed} (FC_SEED=${seed} repeats it)`);
    // Batches larger than what it keeps (two generations of 512), each cleaned three times over.
    const controls = fc.constantFrom('\x00', '\x07', '\x08', '\r\n', '\x9b', '\u0301', '\t');
    const styled = fc.array(fc.oneof(piece, controls), {maxLength: 10}).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(fc.array(fc.oneof(text, styled), {minLength: 700, maxLength: 1200}), (texts) => {
        const expected = texts.map((entry) => stockSanitize(entry));
        for (let round = 0; round < 3; round++)
          expect(texts.map((entry) => patchedSanitize(entry))).toEqual(expected);
      }),
      {numRuns: 40, seed},
    );
  });
});
